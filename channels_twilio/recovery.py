"""Sweeps that finish what a dead run left half done: number registrations and outbound dials.

A worker killed mid-task, or a message lost with the broker, leaves a line "registering" (its
agent "starting") or a session "dialing" with no CallSid, claimed by a run that will never
finish, or never claimed at all. Claims are leases (`leases`): every minute (beat tasks
`resume_registrations` and `resume_dials`) these sweeps take over each claim that expired, or
that nobody took within a lease, queue the task again with the claim, and say so in the
agent's log. A re-queued dial first asks Twilio whether the dead run placed the call
(`outbound.resume_interrupted_dial`), so a callee is never rung twice.
"""

import logging

from django.utils import timezone

from agents import agent_log
from flametree_portal.task_queue import enqueue
from sessions_app import services
from sessions_app.models import Session

from . import leases
from .models import ChannelAttachment
from .outbound import STUCK_DIALING_AFTER

logger = logging.getLogger(__name__)


def resume_registrations() -> int:
    """Queue again every registration a dead run (or a lost message) left unfinished; returns how many."""
    from .tasks import register_number

    stale = (
        ChannelAttachment.objects.filter(
            line_state=ChannelAttachment.LineState.REGISTERING,
            snapshot_taken_at__lt=timezone.now() - leases.lease(),
        )
        .filter(leases.expired("registration_claimed_at"))
        .select_related("snapshot_connection")
    )
    resumed = 0
    for attachment in stale:
        rows = ChannelAttachment.objects.filter(
            pk=attachment.pk,
            snapshot_taken_at=attachment.snapshot_taken_at,
            line_state=ChannelAttachment.LineState.REGISTERING,
        )
        claim = leases.take(rows, "registration_claimed_at")
        if claim is None:
            continue  # a run of the task took it meanwhile
        number = attachment.snapshot["phone_number"]
        if claim.taken_over:
            why = "the worker running it stopped (killed or restarted) before it finished"
        else:
            why = "its task was lost before any worker ran it (the queue was down or restarted)"
        version = attachment.snapshot_taken_at.isoformat()
        if not enqueue(register_number, attachment.pk, version, claim=claim.token):
            continue  # the claim expires again and the next sweep retries
        message = f"Registering {number} did not complete: {why}. Registering it again now."
        agent_log.warning(attachment.agent_id, message)
        resumed += 1
    return resumed


def resume_dials() -> int:
    """Queue again every dial a dead run (or a lost message) left unfinished; returns how many.

    A session never claimed and already too old to dial closes as never-connected instead.
    """
    from .tasks import place_call

    now = timezone.now()
    stale = Session.objects.filter(
        direction=Session.Direction.OUTBOUND,
        state=Session.State.DIALING,
        call_sid__isnull=True,
        created_at__lt=now - leases.lease(),
    ).filter(leases.expired("dial_claimed_at"))
    resumed = 0
    for session in stale:
        rows = Session.objects.filter(pk=session.pk, state=Session.State.DIALING, call_sid__isnull=True)
        claim = leases.take(rows, "dial_claimed_at")
        if claim is None:
            continue
        if not claim.taken_over and now - session.created_at > STUCK_DIALING_AFTER:
            _close_never_placed(session)
            continue
        if not enqueue(place_call, str(session.id), claim=claim.token, recover=claim.taken_over):
            continue
        if claim.taken_over:
            why = "the run dialing it stopped before the call was confirmed: Twilio is asked whether it placed the call"
        else:
            why = "its task was lost before any worker ran it (the queue was down or restarted): it is queued again"
        if session.agent_id:
            agent_log.warning(session.agent_id, f"Outbound call to {session.to_number} not placed yet: {why}.")
        resumed += 1
    return resumed


def _close_never_placed(session: Session) -> None:
    minutes = int(STUCK_DIALING_AFTER.total_seconds() // 60)
    detail = (
        f"Still dialing {minutes} minutes after it was requested, and never placed with Twilio: its dial task "
        "never ran (the queue was down or lost it)."
    )
    if services.close_session(session.id, Session.CloseReason.NEVER_CONNECTED, detail) and session.agent_id:
        agent_log.warning(session.agent_id, f"Outbound call to {session.to_number} closed: {detail}")
