"""Periodic housekeeping of sessions: outbound calls that never connected do not stay open."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from agents import agent_log

from . import services
from .models import Session

# How long a session may stay "dialing" before the sweep closes it as never-connected. It
# covers a dial task's retries (about two minutes at the default backoff), Twilio's queue
# when many calls start at once, and the callee's ring time (30 s), with room to spare:
# a normal call is answered or closed by Twilio's status callback well within it.
STUCK_DIALING_AFTER = timedelta(minutes=10)


@shared_task
def close_stale_sessions() -> int:
    """Close sessions still dialing STUCK_DIALING_AFTER after they opened; returns how many.

    Such a call never connected: its dial task died before reaching Twilio, or Twilio's
    callbacks cannot reach this portal. Closing it frees its place in Max opened sessions.
    """
    cutoff = timezone.now() - STUCK_DIALING_AFTER
    stuck = Session.objects.filter(state=Session.State.DIALING, created_at__lt=cutoff)
    closed = 0
    for session in stuck.only("id", "agent_id", "to_number", "call_sid"):
        if session.call_sid:
            why = "with no call status from Twilio: check that Twilio reaches this portal at PUBLIC_BASE_URL."
        else:
            why = "and never placed with Twilio."
        detail = f"Still dialing {int(STUCK_DIALING_AFTER.total_seconds() // 60)} minutes after it was requested, {why}"
        if not services.close_session(session.id, Session.CloseReason.NEVER_CONNECTED, detail):
            continue  # Twilio's callback closed it meanwhile
        closed += 1
        if session.agent_id:
            agent_log.warning(session.agent_id, f"Outbound call to {session.to_number} closed: {detail}")
    return closed
