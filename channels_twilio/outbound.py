"""Outbound calls: check a request, open its "dialing" session, and dial it once.

`request_call` (REST API, agent page) refuses what cannot work, before anything is written or
dialed, and opens the session within the agent's Max opened sessions; once that commits, the
`place_call` task claims the session and asks Twilio to ring the callee from the running
snapshot's number. Twilio's callbacks carry the session id in their URLs, so the call flow finds
the session (answered → the greeting; busy, failed, no-answer, canceled → closed).

Never two calls for one session: the task claims the session with a conditional UPDATE before
it calls Twilio, and a retry hands the claim over (compare-and-set), so a redelivered or doubled
message finds the claim taken and does nothing. The claim is a lease (`leases`): if the worker
dies, or the answer to the dial request gets lost (read timeout), the claim expires and the
dialing sweep (`recovery.resume_dials`) hands the session to a new run, which first asks Twilio
for the calls from our number to the callee (`resume_interrupted_dial`): a call placed after the
session opened is adopted, and only if Twilio has none is the callee dialed. A session Twilio
has no call for STUCK_DIALING_AFTER after the request closes as never-connected instead: too
late to ring anyone.
"""

from datetime import timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agents import agent_log, session_limit
from agents.models import Agent
from flametree_portal.task_queue import QUEUE_DOWN, enqueue
from sessions_app import services
from sessions_app.models import Session

from . import leases, reconciliation, twilio_rest, webhook_urls
from .models import ChannelAttachment
from .snapshot import access_from_snapshot
from .validators import validate_e164

# How long after the request a session may still be dialed. It covers a dial task's retries
# (about two minutes at the default backoff), a lost run taken over after its lease, Twilio's
# queue when many calls start at once, and the ring time (30 s); after it, a session Twilio has
# no call for closes as never-connected rather than ring the callee long after they asked.
STUCK_DIALING_AFTER = timedelta(minutes=10)
# Twilio's clock and ours may differ a little: a call of a session is not older than this before it.
CLOCK_SKEW = timedelta(seconds=30)

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
            opening = session_limit.open_session(
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


def claim_dial(session_id: str, previous_claim: str | None = None) -> leases.Claim | None:
    """Take the right to dial the session; None when another run holds it or the call is settled.

    A first run claims an unclaimed session; a retry (or the sweep's hand-over) renews the claim
    it was given; a redelivered message takes over a claim whose lease expired, and is told so
    (`taken_over`): the dead run may have reached Twilio. Only a session still dialing without
    a CallSid can be claimed.
    """
    sessions = Session.objects.filter(
        pk=session_id, direction=Session.Direction.OUTBOUND, state=Session.State.DIALING, call_sid__isnull=True
    )
    return leases.take(sessions, "dial_claimed_at", previous_claim)


def resume_interrupted_dial(session_id: str) -> bool:
    """An earlier run may have placed the call before it died: look for it at Twilio first.

    True when that settles the session (the call found and adopted, or too late to dial);
    False when the callee must be dialed. Raises TwilioError when Twilio cannot be asked.
    """
    session = Session.objects.select_related("attachment").get(pk=session_id)
    attachment = session.attachment
    if attachment is None or not attachment.is_running or attachment.snapshot_connection_id != session.connection_id:
        return False  # dial() closes it: the line stopped
    calls = twilio_rest.recent_calls(access_from_snapshot(attachment), to=session.to_number, from_=session.from_number)
    known = set(Session.objects.filter(call_sid__in=[c.sid for c in calls]).values_list("call_sid", flat=True))
    placed = [
        call
        for call in calls
        if call.direction == "outbound-api"
        and call.sid not in known
        and call.date_created is not None
        and call.date_created >= session.created_at - CLOCK_SKEW
    ]
    if placed:
        call = min(placed, key=lambda c: c.date_created)
        services.set_call_sid(session.id, call.sid)
        session.call_sid = call.sid
        agent_log.info(
            session.agent_id,
            f"Outbound call to {session.to_number}: the run dialing it stopped before it saved the call, but "
            f"Twilio had placed it (CallSid {call.sid}, {call.status}): following that call, not dialing again.",
        )
        if call.ended:
            reconciliation.settle(session, call)
        return True
    if timezone.now() - session.created_at > STUCK_DIALING_AFTER:
        minutes = int(STUCK_DIALING_AFTER.total_seconds() // 60)
        detail = (
            f"Twilio has no call to {session.to_number}: the run dialing it stopped before reaching Twilio, and "
            f"more than {minutes} minutes after the request it is too late to ring the callee."
        )
        if services.close_session(session.id, Session.CloseReason.NEVER_CONNECTED, detail) and session.agent_id:
            agent_log.warning(session.agent_id, f"Outbound call to {session.to_number} closed: {detail}")
        return True
    agent_log.info(
        session.agent_id,
        f"Outbound call to {session.to_number}: the run dialing it stopped before reaching Twilio (Twilio has "
        "no such call), so it is dialed now.",
    )
    return False


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
        minutes = max(1, int(leases.lease().total_seconds() // 60))
        agent_log.warning(
            session.agent_id,
            f"Outbound call to {session.to_number}: Twilio did not answer the dial request ({err.message}). "
            "It is not sent again blindly, so the callee is never rung twice: if Twilio placed the call, its "
            f"status updates the session; in about {minutes} minutes the portal asks Twilio for the call, and "
            "dials again only if Twilio has none.",
        )
