"""Outbound calls: check a request, open its "dialing" session, and dial it once.

`request_call` (REST API, agent page) refuses what cannot work, before anything is written or
dialed, and opens the session within the agent's Max opened sessions; once that commits, the
`place_call` task claims the session and asks Twilio to ring the callee from the running
snapshot's number. Twilio's callbacks carry the session id in their URLs, so the call flow finds
the session (answered → the greeting; busy, failed, no-answer, canceled → closed).

Never two calls for one session: the task claims the session with a conditional UPDATE before
it calls Twilio, and a retry hands the claim over (compare-and-set), so a redelivered or doubled
message finds the claim taken and does nothing. If a worker dies after Twilio created the call
but before the CallSid was saved, the call's own callbacks store the CallSid; if it died before
reaching Twilio, no call exists and the sweep (`sessions_app.tasks.close_stale_sessions`) closes
the session as never-connected. A request whose answer got lost (read timeout) is treated the
same way and not sent again. The price of never ringing a customer twice is a rare call that
is not placed at all, which the session then says.
"""

from datetime import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agents import agent_log
from agents.models import Agent, ChannelAttachment
from flametree_portal.task_queue import QUEUE_DOWN, enqueue
from sessions_app import services
from sessions_app.models import Session
from sessions_app.tasks import STUCK_DIALING_AFTER

from . import twilio_rest, webhook_urls
from .snapshot import access_from_snapshot
from .validators import validate_e164

# Seconds Twilio lets the callee's phone ring before the call ends as no-answer (Twilio's
# default is 60, by which time most voicemail boxes have picked up).
RING_TIMEOUT_SECONDS = 30

# What to do about the Twilio errors an outbound call meets most.
ERROR_HINTS = {
    21210: "The connection's Phone number must be a number of this Twilio account: check it in "
    "Settings > Channels, click Save, and restart the agent.",
    21211: "Check the number to call.",
    21214: "The number cannot be reached by phone; check it.",
    21215: "Allow calls to that country in the Twilio Console (Voice > Settings > Geo permissions).",
    21216: "Twilio blocks calls to this number (premium or high-risk).",
}


class CallRefused(Exception):
    """Why an outbound call was not placed: nothing was dialed and no session was written.

    `code` names the reason for API clients: invalid-number, connection-required,
    connection-not-attached, agent-not-running, no-twilio-connection, connection-not-running,
    max-opened-sessions, queue-unavailable (the broker is down: try again later).
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def request_call(agent_id: int, to: str, connection_id: int | None = None) -> Session:
    """Open a dialing session for a call to `to` and queue the dial (raises CallRefused).

    The agent row stays locked from the running check to the insert, so neither a burst of
    requests nor a concurrent Stop agent gets past the checks. Raises Agent.DoesNotExist.
    """
    try:
        validate_e164(to)
    except ValidationError as err:
        raise CallRefused("invalid-number", f"Cannot call {to!r}: {err.messages[0]}") from None
    try:
        with transaction.atomic():
            agent = Agent.objects.select_for_update().get(pk=agent_id)
            if agent.state != Agent.State.RUNNING:
                raise CallRefused(
                    "agent-not-running",
                    f"Agent “{agent.name}” is {agent.get_state_display().lower()}, not running: start it "
                    "(AI Agents > the agent > Start agent) before placing calls.",
                )
            attachment = _attachment_to_call_from(agent, connection_id)
            opening = services.open_session(
                agent_id=agent.id,
                direction=Session.Direction.OUTBOUND,
                from_number=attachment.snapshot["phone_number"],
                to_number=to,
                connection_id=attachment.snapshot_connection_id,
                attachment_id=attachment.id,
                state=Session.State.DIALING,
                record_rejection=False,
            )
            if not opening.accepted:
                raise CallRefused(
                    "max-opened-sessions",
                    f"Agent “{agent.name}” already holds its Max opened sessions ({agent.max_opened_sessions} "
                    "calls open or dialing): wait for a call to end, or raise Max opened sessions on the agent page.",
                )
            session = opening.session
            transaction.on_commit(partial(_queue_dial, session.id, agent.id))
    except CallRefused as refusal:
        if refusal.code == "max-opened-sessions":
            agent_log.warning(agent_id, f"Outbound call to {to} refused: {refusal.message}")
        raise
    return session


def _attachment_to_call_from(agent: Agent, connection_id: int | None) -> ChannelAttachment:
    attachments = list(agent.attachments.filter(channel_kind="twilio").select_related("connection").order_by("id"))
    if not attachments:
        raise CallRefused(
            "no-twilio-connection",
            f"Agent “{agent.name}” has no Twilio connection attached: attach one in its Communication channels "
            "card (Inbound may stay off for outbound-only), then restart the agent.",
        )
    listing = ", ".join(f"{a.connection_id} ({a.connection.name}, {a.connection.phone_number})" for a in attachments)
    if connection_id is None:
        if len(attachments) > 1:
            raise CallRefused(
                "connection-required",
                f"Agent “{agent.name}” has {len(attachments)} Twilio connections attached: say which one to call "
                f'from with "connection": one of {listing}.',
            )
        attachment = attachments[0]
    else:
        attachment = next((a for a in attachments if a.connection_id == connection_id), None)
        if attachment is None:
            raise CallRefused(
                "connection-not-attached",
                f"Twilio connection {connection_id} is not attached to agent “{agent.name}”; its connections "
                f"are {listing}.",
            )
    if not attachment.is_running:
        raise CallRefused(
            "connection-not-running",
            f"Twilio connection “{attachment.connection.name}” was attached after agent “{agent.name}” started: "
            "restart the agent (Stop agent, then Start agent) to place calls from it.",
        )
    return attachment


def _queue_dial(session_id, agent_id: int) -> None:
    """Queue the dial once the session is committed; with the queue down, undo the request whole.

    The session is deleted (no call was placed, so there is nothing for Sessions to show) and
    the refusal propagates out of the committing `transaction.atomic()` to the caller.
    """
    from .tasks import place_call

    if enqueue(place_call, str(session_id)):
        return
    Session.objects.filter(pk=session_id, state=Session.State.DIALING, call_sid__isnull=True).delete()
    message = f"The call was not placed: {QUEUE_DOWN}. Nothing was dialed; try again in a minute."
    agent_log.error(agent_id, message)
    raise CallRefused("queue-unavailable", message)


def claim_dial(session_id: str, previous_claim: str | None = None) -> str | None:
    """Take the right to dial the session; None when another run holds it or the call is settled.

    A first run claims an unclaimed session; a retry takes over the claim its failed run held.
    Only a session still dialing without a CallSid can be claimed.
    """
    now = timezone.now()
    sessions = Session.objects.filter(
        pk=session_id, direction=Session.Direction.OUTBOUND, state=Session.State.DIALING, call_sid__isnull=True
    )
    if previous_claim is None:
        sessions = sessions.filter(dial_claimed_at__isnull=True)
    else:
        sessions = sessions.filter(dial_claimed_at=datetime.fromisoformat(previous_claim))
    return now.isoformat() if sessions.update(dial_claimed_at=now) else None


def dial(session_id: str) -> None:
    """Ask Twilio to ring the session's callee from the snapshot's number; raises TwilioError."""
    session = Session.objects.select_related("attachment__snapshot_connection").get(pk=session_id)
    attachment = session.attachment
    if attachment is None or not attachment.is_running or attachment.snapshot_connection_id != session.connection_id:
        if services.close_session(session.id, Session.CloseReason.AGENT_STOPPED) and session.agent_id:
            agent_log.warning(session.agent_id, f"Outbound call to {session.to_number} not placed: the agent stopped.")
        return
    key = attachment.snapshot_connection.webhook_key
    number = attachment.snapshot["phone_number"]
    call_sid = twilio_rest.place_call(
        access_from_snapshot(attachment),
        to=session.to_number,
        from_=number,
        url=webhook_urls.voice_url(key, session_id=session.id),
        status_callback=webhook_urls.status_url(key, session_id=session.id),
        timeout=RING_TIMEOUT_SECONDS,
    )
    services.set_call_sid(session.id, call_sid)
    agent_log.info(session.agent_id, f"Calling {session.to_number} from {number} (CallSid {call_sid}).")


def give_up(session_id: str, err: twilio_rest.TwilioError) -> None:
    """Twilio refused the call (or stayed unavailable): close the session, say why on the Twilio tab."""
    message = err.message
    if hint := ERROR_HINTS.get(err.code):
        message = f"{message} {hint}"
    session = Session.objects.get(pk=session_id)
    if services.close_session(session.id, Session.CloseReason.DIAL_ERROR, message) and session.agent_id:
        agent_log.error(session.agent_id, f"Outbound call to {session.to_number} failed: {message}")


def note_retry(session_id: str, err: twilio_rest.TwilioError, delay: float | None) -> None:
    """Log a retry; `delay` None means at once (tasks running in-process)."""
    session = Session.objects.get(pk=session_id)
    if session.agent_id:
        when = "now" if delay is None else f"in {delay:g} s"
        message = f"Outbound call to {session.to_number} not placed yet, retrying {when}: {err.message}"
        agent_log.warning(session.agent_id, message)


def note_unknown_outcome(session_id: str, err: twilio_rest.TwilioError) -> None:
    """The dial request reached Twilio but its answer got lost: the call may exist, so it is not sent again."""
    session = Session.objects.get(pk=session_id)
    if session.agent_id:
        minutes = int(STUCK_DIALING_AFTER.total_seconds() // 60)
        agent_log.warning(
            session.agent_id,
            f"Outbound call to {session.to_number}: Twilio did not answer the dial request ({err.message}). "
            "It is not sent again, so the callee is never rung twice: if Twilio placed the call, its status "
            f"updates the session; if not, the session closes as never connected after {minutes} minutes.",
        )
