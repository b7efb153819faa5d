"""Reconciliation with Twilio: every session closes, with a true reason, even when callbacks get lost.

Twilio's status callback closes a session when its call ends. A callback can be lost (a 500
during a database restart, a deploy, a network blip), and a session left open holds a place
in the agent's Max opened sessions for good. Twilio is the source of truth, so the periodic
sweep (`reconcile`, beat task `reconcile_sessions`) asks it (Calls fetch) about every open or
dialing call that has been quiet for QUIET_AFTER and was not asked in the last ASK_AGAIN_AFTER:

- a final status (completed, busy, failed, no-answer, canceled) closes the session with that
  status, Twilio's end time and the call's length;
- queued, ringing or in progress: the call is live, the session stays open;
- Twilio has no such call (error 20404): closed as not-at-twilio;
- Twilio cannot be asked (unreachable, credentials refused): asked again at the next sweep, but
  a session open longer than Twilio's longest call closes anyway (over-time-limit), so nothing
  holds a place in Max opened sessions for longer than a call can last;
- its connection was deleted, so there is no account to ask: closed as connection-deleted.

Each closed session gets a line in its agent's log.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from agents import agent_log
from sessions_app import services
from sessions_app.models import Message, Session

from . import snapshot, twilio_rest
from .twilio_rest import CallState, TwilioAccess

logger = logging.getLogger(__name__)

# A live call posts to a webhook at least every ~20 s (each Gather action, each reply pickup),
# and every turn writes to the transcript, so five quiet minutes mean the call likely ended.
QUIET_AFTER = timedelta(minutes=5)
# A quiet call Twilio still reports live is asked about again after this long.
ASK_AGAIN_AFTER = timedelta(minutes=5)
# Twilio ends a call after its time limit: 4 hours (TimeLimit 14400 s) unless the account or
# the call raised it, to at most 24 hours (https://www.twilio.com/docs/voice/api/call-resource,
# https://www.twilio.com/en-us/blog/introducing-configurable-call-limits-for-programmable-voice).
LONGEST_CALL = timedelta(hours=4)
LONGEST_CALL_ALLOWED = timedelta(hours=24)
# Ringing, Twilio's queue and our own sweep interval come on top of a call's length.
MARGIN = timedelta(minutes=10)
# Sessions asked about per sweep (one request each); the rest wait for the next sweep.
BATCH = 200


@dataclass
class _Sweep:
    now: datetime
    closed: int = 0
    # Twilio hosts (region, edge) that did not answer during this sweep: not asked again until the next.
    unreachable: set[tuple[str, str]] = field(default_factory=set)


def reconcile() -> int:
    """Settle the quiet calls with Twilio and close the outlived sessions; returns how many closed."""
    sweep = _Sweep(timezone.now())
    for session in _quiet_calls(sweep.now):
        _reconcile_call(sweep, session)
    outlived = Session.objects.filter(
        state__in=Session.OPEN_STATES, call_sid__isnull=True, created_at__lt=sweep.now - LONGEST_CALL - MARGIN
    )
    for session in outlived:
        sweep.closed += _close_outlived(session, sweep.now, "It has no CallSid to ask Twilio about.")
    return sweep.closed


def access_for(session: Session) -> TwilioAccess | None:
    """The credentials of the line that opened the session: its running snapshot if the line
    still runs, else its connection; None when both are gone."""
    attachment = session.attachment
    if attachment is not None and attachment.is_running:
        return snapshot.access_from_snapshot(attachment)
    if session.connection is not None:
        return snapshot.access_from_connection(session.connection)
    return None


def settle(session: Session, call: CallState) -> bool:
    """Close the session as Twilio reports its call ended: final status, end time, length."""
    ended_at = call.end_time or call.date_updated or timezone.now()
    answered_at = None
    if call.status == "completed" and call.duration:
        answered_at = ended_at - timedelta(seconds=call.duration)
    length = f", after {call.duration} s" if call.duration else ""
    detail = (
        f"Twilio reports the call {call.status} at {ended_at:%Y-%m-%d %H:%M:%S} UTC{length}. Its final status "
        "callback never reached the portal, so the session was closed from Twilio's record."
    )
    return _close(session, call.status, detail, closed_at=ended_at, answered_at=answered_at)


def _quiet_calls(now: datetime):
    last_message = Message.objects.filter(session=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    return (
        Session.objects.filter(state__in=Session.OPEN_STATES, call_sid__isnull=False)
        .annotate(last_sign=Coalesce(Subquery(last_message), "answered_at", "created_at"))
        .filter(last_sign__lt=now - QUIET_AFTER)
        .filter(Q(twilio_checked_at__isnull=True) | Q(twilio_checked_at__lt=now - ASK_AGAIN_AFTER))
        .select_related("attachment", "connection")
        .order_by(F("twilio_checked_at").asc(nulls_first=True), "created_at")[:BATCH]
    )


def _reconcile_call(sweep: _Sweep, session: Session) -> None:
    if session.connection is not None and session.connection.demo:
        detail = "Its line is the demo line: no call exists at Twilio (Test call simulates Twilio's side)."
        sweep.closed += _close(session, Session.CloseReason.NOT_AT_TWILIO, detail)
        return
    access = access_for(session)
    if access is None:
        detail = "Its Twilio connection was deleted, so Twilio can no longer be asked about the call."
        sweep.closed += _close(session, Session.CloseReason.CONNECTION_DELETED, detail)
        return
    host = (access.region, access.edge)
    if host in sweep.unreachable:
        sweep.closed += _close_outlived(session, sweep.now, "Twilio could not be reached in this sweep.")
        return
    # One sweep asks about a call, even when two sweeps overlap.
    if not Session.objects.filter(pk=session.pk, twilio_checked_at=session.twilio_checked_at).update(
        twilio_checked_at=sweep.now
    ):
        return
    try:
        call = twilio_rest.fetch_call(access, session.call_sid)
    except twilio_rest.TwilioError as err:
        if err.code == twilio_rest.NOT_FOUND:
            detail = (
                f"Twilio has no call {session.call_sid} in account {access.account_sid}: the call was not "
                "placed through Twilio (a simulated Test call) or belongs to another account."
            )
            sweep.closed += _close(session, Session.CloseReason.NOT_AT_TWILIO, detail)
            return
        if not err.permanent:
            sweep.unreachable.add(host)
        logger.warning("session=%s call=%s: could not ask Twilio about the call: %s", session.pk, session.call_sid, err)
        sweep.closed += _close_outlived(session, sweep.now, f"Twilio could not be asked about it: {err.message}")
        return
    if call.ended:
        sweep.closed += settle(session, call)
    elif sweep.now - session.created_at > LONGEST_CALL_ALLOWED + MARGIN:
        hours = int(LONGEST_CALL_ALLOWED.total_seconds() // 3600)
        detail = f"Twilio still reports the call {call.status} after more than {hours} hours, longer than calls last."
        sweep.closed += _close(session, Session.CloseReason.OVER_TIME_LIMIT, detail)


def _close_outlived(session: Session, now: datetime, why: str) -> bool:
    """Close a session Twilio cannot tell about once it is older than any default-length call."""
    if now - session.created_at <= LONGEST_CALL + MARGIN:
        return False
    hours = int(LONGEST_CALL.total_seconds() // 3600)
    detail = (
        f"Open for {(now - session.created_at).total_seconds() / 3600:.1f} hours, longer than Twilio lets a call "
        f"last ({hours} hours by default): closed so that it no longer holds a place in Max opened sessions. {why}"
    )
    return _close(session, Session.CloseReason.OVER_TIME_LIMIT, detail)


def _close(session: Session, reason: str, detail: str, **times) -> bool:
    if not services.close_session(session.id, reason, detail, **times):
        return False  # a callback (or another sweep) closed it meanwhile
    inbound = session.direction == Session.Direction.INBOUND
    call = f"Call from {session.from_number}" if inbound else f"Outbound call to {session.to_number}"
    line = f"{call} (CallSid {session.call_sid or 'none'}) closed: {detail}"
    if session.agent_id:
        agent_log.warning(session.agent_id, line)
    else:
        logger.warning("session=%s %s", session.pk, line)
    return True
