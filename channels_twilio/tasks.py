"""Background work that talks to Twilio: registering a number's webhook, placing an outbound call."""

import logging
from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from agents import agent_log
from agents.lifecycle import settle_started
from sessions_app.models import Session

from . import leases, outbound, reconciliation, recovery, registration, snapshot, twilio_rest, webhook_urls
from .models import ChannelAttachment

logger = logging.getLogger(__name__)

MAX_RETRIES = 4


def _backoff(retries: int) -> float:
    return settings.TWILIO_RETRY_BASE_SECONDS * (2**retries)


def _current(attachment_id: int, version: str) -> ChannelAttachment | None:
    """The attachment, if it still runs the snapshot this task was queued for."""
    attachment = (
        ChannelAttachment.objects.select_related("agent", "snapshot_connection").filter(pk=attachment_id).first()
    )
    if attachment is None or attachment.snapshot_taken_at is None or attachment.snapshot_connection is None:
        return None
    if attachment.snapshot_taken_at.isoformat() != version:
        return None
    return attachment


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def register_number(self, attachment_id: int, version: str, claim: str | None = None) -> None:
    """Point the attachment's number at our webhooks (Start agent, Inbound on).

    The run claims the line (a lease, see channels_twilio.leases); a retry or the registration
    sweep hands the claim on in `claim`, and a redelivered message takes over an expired one.
    """
    registering = ChannelAttachment.objects.filter(
        pk=attachment_id,
        snapshot_taken_at=datetime.fromisoformat(version),
        line_state=ChannelAttachment.LineState.REGISTERING,
    )
    taken = leases.take(registering, "registration_claimed_at", claim)
    if taken is None:
        return  # another run holds it, it is done, or the agent stopped
    attachment = _current(attachment_id, version)
    if attachment is None:
        return
    agent_id = attachment.agent_id
    number = attachment.snapshot["phone_number"]
    if taken.taken_over:
        agent_log.warning(agent_id, f"Registering {number}: the run that started it stopped; taking it over.")
    access = snapshot.access_for_registration(attachment)
    key = attachment.snapshot_connection.webhook_key
    voice_url = webhook_urls.voice_url(key)
    try:
        warning = registration.take_over(agent_id, access, number, key)
    except twilio_rest.TwilioError as err:
        if not err.permanent and self.request.retries < self.max_retries:
            delay = _backoff(self.request.retries)
            when = "now" if self.request.is_eager else f"in {delay:g} s"  # in-process runs retry at once
            agent_log.warning(agent_id, f"Registering {number} failed, retrying {when}: {err.message}")
            raise self.retry(countdown=delay, kwargs={"claim": taken.token}) from None
        ChannelAttachment.objects.filter(pk=attachment_id, snapshot_taken_at=attachment.snapshot_taken_at).update(
            line_state=ChannelAttachment.LineState.ERROR, last_error=err.message
        )
        agent_log.error(agent_id, f"Could not register the voice webhook of {number}: {err.message}")
        settle_started(agent_id)
        return
    ChannelAttachment.objects.filter(pk=attachment_id, snapshot_taken_at=attachment.snapshot_taken_at).update(
        line_state=ChannelAttachment.LineState.LIVE,
        last_error="",
        webhook_url=voice_url,
        registered_at=timezone.now(),
    )
    if warning:
        agent_log.warning(agent_id, warning)
    agent_log.info(
        agent_id, f"{number} is live: Twilio sends its calls to {voice_url} (region {access.region_code.upper()})"
    )
    settle_started(agent_id)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def place_call(self, session_id: str, claim: str | None = None, recover: bool = False) -> None:
    """Dial an outbound call's session, at most once (see channels_twilio.outbound).

    `recover`: an earlier run held the session and died, so Twilio is asked for its call first.
    """
    taken = outbound.claim_dial(session_id, claim)
    if taken is None:
        return  # another run has dialed (or is dialing) it, or the session closed meanwhile
    recover = recover or taken.taken_over
    try:
        if recover and outbound.resume_interrupted_dial(session_id):
            return
        outbound.dial(session_id)
    except twilio_rest.TwilioError as err:
        if err.outcome_unknown:
            outbound.note_unknown_outcome(session_id, err)
        elif not err.permanent and self.request.retries < self.max_retries:
            delay = _backoff(self.request.retries)
            outbound.note_retry(session_id, err, None if self.request.is_eager else delay)
            raise self.retry(countdown=delay, kwargs={"claim": taken.token, "recover": recover}) from None
        else:
            outbound.give_up(session_id, err)


@shared_task(acks_late=True)
def hang_up_calls(session_ids: list[str]) -> None:
    """End the calls of sessions closed by Stop agent, so no caller waits on a dead line."""
    sessions = Session.objects.filter(pk__in=session_ids, call_sid__isnull=False).select_related("connection")
    for session in sessions:
        if session.connection is None:
            continue
        try:
            twilio_rest.hang_up(snapshot.access_from_connection(session.connection), session.call_sid)
        except twilio_rest.TwilioError as err:
            if err.code not in twilio_rest.CALL_ALREADY_OVER and session.agent_id:
                agent_log.warning(session.agent_id, f"Could not hang up call {session.call_sid}: {err.message}")


@shared_task
def reconcile_sessions() -> int:
    """Beat: close the sessions whose call ended without a final callback (see reconciliation)."""
    return reconciliation.reconcile()


@shared_task
def resume_registrations() -> int:
    """Beat: queue again the registrations a dead run or a lost message left unfinished (see recovery)."""
    return recovery.resume_registrations()


@shared_task
def resume_dials() -> int:
    """Beat: queue again the dials a dead run or a lost message left unfinished (see recovery)."""
    return recovery.resume_dials()
