"""State changes of sessions: create, append to the transcript, close.

(Opening a session within the agent's Max opened sessions is the agents app's: agents/session_limit.py.)

Each function is one transaction and idempotent by a natural key (CallSid, message key), because
Twilio retries webhooks and its callbacks can arrive twice or out of order.
"""

import re
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, F, Max, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Message, Session

# Control characters (but tab and newline) carry no speech, and PostgreSQL text cannot hold NUL.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Text as stored in a transcript: without control characters, trimmed."""
    return _CONTROL.sub("", text).strip()


def find_call(channel_kind: str, call_sid: str) -> Session | None:
    """The session of a call, by its channel's call id (a retried webhook finds the first one)."""
    return Session.objects.filter(channel_kind=channel_kind, call_sid=call_sid).first()


def count_open(agent_id: int) -> int:
    """How many of the agent's sessions hold a place in its Max opened sessions (dialing or open)."""
    return Session.objects.filter(agent_id=agent_id, state__in=Session.OPEN_STATES).count()


def create_session(
    *,
    agent_id: int,
    agent_name: str,
    channel_kind: str,
    direction: str,
    from_number: str,
    to_number: str,
    call_sid: str | None = None,
    connection_id: int | None = None,
    attachment_id: int | None = None,
    state: str = Session.State.OPEN,
    rejected: bool = False,
) -> Session:
    """Write a new session; a `rejected` one (over the agent's limit) is written closed, so it shows in Sessions."""
    now = timezone.now()
    return Session.objects.create(
        agent_id=agent_id,
        agent_name=agent_name,
        channel_kind=channel_kind,
        connection_id=connection_id,
        attachment_id=attachment_id,
        call_sid=call_sid,
        direction=direction,
        from_number=from_number,
        to_number=to_number,
        state=Session.State.CLOSED if rejected else state,
        answered_at=now if not rejected and state == Session.State.OPEN else None,
        close_reason=Session.CloseReason.REJECTED_OVER_LIMIT if rejected else "",
        closed_at=now if rejected else None,
    )


def append_message(session_id, role: str, text: str, key: str) -> Message:
    """Add a line to the transcript; a second call with the same key returns the first line."""
    text = clean_text(text)
    for _ in range(5):
        existing = Message.objects.filter(session_id=session_id, key=key).first()
        if existing:
            return existing
        try:
            with transaction.atomic():
                last = Message.objects.filter(session_id=session_id).aggregate(last=Max("sequence"))["last"] or 0
                return Message.objects.create(session_id=session_id, sequence=last + 1, role=role, text=text, key=key)
        except IntegrityError:
            continue  # a concurrent append took the sequence number or the key; look again
    raise RuntimeError(f"could not append message {key!r} to session {session_id}")


def find_message(session_id, key: str) -> Message | None:
    return Message.objects.filter(session_id=session_id, key=key).first()


def close_session(
    session_id, reason: str, detail: str = "", closed_at: datetime | None = None, answered_at: datetime | None = None
) -> bool:
    """Close the session once; the first reason stands. Returns whether this call closed it.

    `closed_at` (default now) and `answered_at` (kept if already known) take the times the
    channel reports, e.g. when a lost callback's call is settled later from the provider's record.
    """
    return bool(
        Session.objects.filter(pk=session_id)
        .exclude(state=Session.State.CLOSED)
        .update(
            state=Session.State.CLOSED,
            close_reason=reason,
            close_detail=detail[:2000],
            closed_at=closed_at or timezone.now(),
            answered_at=Coalesce(F("answered_at"), Value(answered_at, output_field=DateTimeField())),
        )
    )


def mark_answered(session_id) -> bool:
    """An outbound call was answered: dialing → open (never reopens a closed session)."""
    return bool(
        Session.objects.filter(pk=session_id, state=Session.State.DIALING).update(
            state=Session.State.OPEN, answered_at=timezone.now()
        )
    )


def set_call_sid(session_id, call_sid: str) -> bool:
    """Give a session its CallSid once. False when it has one, or another session holds that CallSid
    (a request for a call that is not this session's: the session keeps what it has)."""
    try:
        with transaction.atomic():
            return bool(Session.objects.filter(pk=session_id, call_sid__isnull=True).update(call_sid=call_sid))
    except IntegrityError:
        return False


def advance_turn(session_id, turn: int) -> None:
    """The caller's turn `turn` is answered: later partial results belong to the next turn."""
    Session.objects.filter(pk=session_id, turn__lt=turn).update(
        turn=turn, silent_prompts=0, partial_text="", partial_sequence=-1
    )


def record_partial(session_id, turn: int, sequence: int, text: str) -> bool:
    """Keep the newest partial speech result of the turn in progress (one conditional UPDATE)."""
    return bool(
        Session.objects.filter(pk=session_id, turn=turn - 1, partial_sequence__lt=sequence)
        .exclude(state=Session.State.CLOSED)
        .update(partial_text=clean_text(text)[:10000], partial_sequence=sequence)
    )


def count_silence(session_id) -> int:
    """One more unanswered prompt; returns how many in a row."""
    Session.objects.filter(pk=session_id).update(silent_prompts=F("silent_prompts") + 1)
    return Session.objects.values_list("silent_prompts", flat=True).get(pk=session_id)
