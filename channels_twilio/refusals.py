"""Counting webhook requests refused for their signature, and summarising them in the agent's log.

A request with a bad X-Twilio-Signature comes from someone who is not Twilio (or from a portal
whose PUBLIC_BASE_URL differs from the URL Twilio calls). Either way it must not be able to grow
a table: refusals increment one counter row per connection and webhook, and the agent's log gets
one line per hour at most, with the count. Nor must a flood slow real calls down: each process
adds its refusals to the row at most once a second (concurrent updates of one row queue on its
lock), so the count is exact up to the last second of each process.
"""

import threading
import time
from collections import Counter
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from agents import agent_log

from .models import TwilioConnection, WebhookRefusals

SUMMARY_EVERY = timedelta(hours=1)
WRITE_EVERY_SECONDS = 1.0

_lock = threading.Lock()
_pending: Counter = Counter()
_written_at: dict[tuple[str, str], float] = {}


def _take_pending(key: tuple[str, str]) -> int:
    """This process's refusals of `key` not yet in the database, if it is time to write them."""
    with _lock:
        _pending[key] += 1
        if time.monotonic() - _written_at.get(key, float("-inf")) < WRITE_EVERY_SECONDS:
            return 0
        _written_at[key] = time.monotonic()
        return _pending.pop(key)


def note(connection: TwilioConnection, webhook: str, agent_id: int | None) -> None:
    """Count one refused request; log a summary if the last one is more than an hour old.

    The summary goes to `agent_id`'s log, or (for a request that names no call) to the first
    agent the connection is attached to — looked up only when this process writes its count.
    """
    refused_here = _take_pending((str(connection.webhook_key), webhook))
    if not refused_here:
        return
    now = timezone.now()
    row = WebhookRefusals.objects.filter(connection=connection, webhook=webhook)
    if not row.update(count=F("count") + refused_here, last_at=now):
        try:
            with transaction.atomic():
                row.create(connection=connection, webhook=webhook, count=refused_here, first_at=now, last_at=now)
        except IntegrityError:  # a concurrent refusal created it first
            row.update(count=F("count") + refused_here, last_at=now)
    if agent_id is None:
        attachment = connection.attachments.first()
        if attachment is None:
            return
        agent_id = attachment.agent_id
    due = row.filter(Q(logged_at__isnull=True) | Q(logged_at__lt=now - SUMMARY_EVERY))
    counts = due.values_list("count", "logged_count").first()
    if counts is None or not due.filter(logged_count=counts[1]).update(logged_at=now, logged_count=counts[0]):
        return  # summarised within the hour, or another request is writing the summary
    refused = counts[0] - counts[1]
    agent_log.warning(
        agent_id,
        f"Refused {refused} request(s) to the {webhook} webhook of “{connection.name}” since the last summary: "
        "invalid or missing X-Twilio-Signature (not sent by Twilio, or PUBLIC_BASE_URL differs from the URL "
        "Twilio calls). Further refusals are counted and summarised here at most once an hour.",
    )
