"""State changes of sessions: open (within the agent's limit), append to the transcript, close.

Each function is one transaction and idempotent by a natural key (CallSid, message key), because
Twilio retries webhooks and its callbacks can arrive twice or out of order.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, F, Max, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from agents.models import Agent

from .models import Message, Session

# Control characters (but tab and newline) carry no speech, and PostgreSQL text cannot hold NUL.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Text as stored in a transcript: without control characters, trimmed."""
    return _CONTROL.sub("", text).strip()


@dataclass(frozen=True)
class Opening:
    """The outcome of opening a session: the session, and whether the agent had room for it."""

    session: Session | None  # None only for a refusal that was not recorded (record_rejection=False)
    accepted: bool
    created: bool


def open_session(
    *,
    agent_id: int,
    direction: str,
    from_number: str,
    to_number: str,
    call_sid: str | None = None,
    connection_id: int | None = None,
    attachment_id: int | None = None,
    state: str = Session.State.OPEN,
    record_rejection: bool = True,
) -> Opening:
    """Open a session unless the agent already holds Max opened sessions.

    The agent row is locked while its open sessions are counted and the new one inserted,
    so a burst of simultaneous calls can never exceed the limit. A call over the limit is
    recorded as a closed session (reason rejected-over-limit) so it shows in Sessions; with
    `record_rejection=False` (an outbound API request, refused with an error and never
    dialed) nothing is written and the Opening has no session.
    """
    with transaction.atomic():
        agent = Agent.objects.select_for_update().only("id", "name", "max_opened_sessions").get(pk=agent_id)
        if call_sid:
            existing = Session.objects.filter(channel_kind="twilio", call_sid=call_sid).first()
            if existing:
                accepted = existing.close_reason != Session.CloseReason.REJECTED_OVER_LIMIT
                return Opening(existing, accepted, created=False)
        open_count = Session.objects.filter(agent_id=agent_id, state__in=Session.OPEN_STATES).count()
        accepted = open_count < agent.max_opened_sessions
        if not accepted and not record_rejection:
            return Opening(None, accepted=False, created=False)
        now = timezone.now()
        session = Session.objects.create(
            agent_id=agent_id,
            agent_name=agent.name,
            connection_id=connection_id,
            attachment_id=attachment_id,
            call_sid=call_sid,
            direction=direction,
            from_number=from_number,
            to_number=to_number,
            state=state if accepted else Session.State.CLOSED,
            answered_at=now if accepted and state == Session.State.OPEN else None,
            close_reason="" if accepted else Session.CloseReason.REJECTED_OVER_LIMIT,
            closed_at=None if accepted else now,
        )
    return Opening(session, accepted, created=True)


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
