"""The Twilio channel's start/stop hook, called by agents for each Twilio attachment."""

from django.db import transaction
from django.utils import timezone

from agents import agent_log
from flametree_portal.task_queue import QUEUE_DOWN, enqueue

from . import snapshot


def start(attachment, problems: list[str]) -> None:
    """Snapshot the connection into the attachment and, for Inbound, register the number.

    When the registration cannot be queued, the line stays "registering" for the registration
    sweep to queue again once the broker is back, and `problems` says so to the administrator.
    """

    now = timezone.now()
    attachment.snapshot = snapshot.settings_of(attachment.connection)
    attachment.snapshot_auth_token = attachment.connection.auth_token
    attachment.snapshot_taken_at = now
    attachment.snapshot_connection = attachment.connection
    attachment.last_error = ""
    attachment.registration_claimed_at = None
    attachment.registered_at = None
    attachment.webhook_url = ""
    if attachment.inbound:
        attachment.line_state = attachment.LineState.REGISTERING
    else:
        attachment.line_state = attachment.LineState.LIVE  # outbound only: nothing to register
    attachment.save()
    if attachment.inbound:
        transaction.on_commit(lambda: _queue_registration(attachment, now.isoformat(), problems))


def _queue_registration(attachment, version: str, problems: list[str]) -> None:
    from .tasks import register_number

    if enqueue(register_number, attachment.pk, version):
        return
    message = (
        f"Could not queue the registration of {attachment.snapshot['phone_number']}: {QUEUE_DOWN}. "
        "It is queued again automatically within a few minutes of the queue coming back, "
        "or click Start agent again."
    )
    agent_log.error(attachment.agent_id, message)
    problems.append(message)


def stop(attachment) -> None:
    """Take the line offline: webhooks find no snapshot and answer with the apology."""
    attachment.snapshot = None
    attachment.snapshot_auth_token = ""
    attachment.snapshot_taken_at = None
    attachment.snapshot_connection = None
    attachment.line_state = attachment.LineState.OFFLINE
    attachment.registration_claimed_at = None
    attachment.webhook_url = ""
    attachment.save()
