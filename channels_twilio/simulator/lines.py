"""The portal's facts a simulated call needs: the line it rings, the token Twilio signs with, the session.

Everything is read server-side from the attachment's running snapshot, exactly what the webhooks
check against; the Auth Token never leaves this process (not in the call state, not to a browser).
"""

from django.conf import settings
from django.db import transaction

from agents.models import Agent
from sessions_app.models import Session

from .. import outbound, webhook_urls
from ..models import ChannelAttachment
from .call import INBOUND_STATUS_EVENTS, OUTBOUND_STATUS_EVENTS, CallState
from .drivers import Delivery, SyncDriver

# The caller of simulated calls: 555-0100 to 555-0199 are reserved for fiction, so no real phone has it.
TEST_CALLER = "+14155550199"


class LineUnavailable(Exception):
    """No call can reach the agent as things stand; the message says how to fix it."""


def inbound_line(agent: Agent, connection_id: int | None = None) -> ChannelAttachment:
    """The running inbound attachment a caller would reach (LineUnavailable says why there is none)."""
    attachments = list(agent.attachments.filter(channel_kind="twilio").select_related("connection").order_by("id"))
    if not attachments:
        raise LineUnavailable(
            f"Agent “{agent.name}” has no Twilio connection: attach one in its Communication channels card "
            "with Inbound on, save, and start the agent."
        )
    inbound = [a for a in attachments if a.inbound and (connection_id is None or a.connection_id == connection_id)]
    if not inbound:
        raise LineUnavailable(
            f"Agent “{agent.name}” answers no calls: a test call rings the number like a caller does, so turn "
            "Inbound on for one of its Twilio connections, save, and restart the agent (Stop agent, then Start agent)."
        )
    line = inbound[0]
    if not line.is_running:
        if agent.state != Agent.State.RUNNING:
            raise LineUnavailable(
                f"Agent “{agent.name}” is {agent.get_state_display().lower()}: start it (Start agent) and its "
                "number answers calls."
            )
        raise LineUnavailable(
            f"Connection “{line.connection.name}” was attached or switched to Inbound after agent “{agent.name}” "
            "started: restart the agent (Stop agent, then Start agent)."
        )
    return line


def inbound_call(line: ChannelAttachment, caller: str) -> CallState:
    """A new call from `caller` to the line's number, as Twilio would send it to the number's webhooks."""
    key = line.snapshot_connection.webhook_key
    return CallState(
        account_sid=line.snapshot["account_sid"],
        direction="inbound",
        from_number=caller,
        to_number=line.snapshot["phone_number"],
        public_base_url=settings.PUBLIC_BASE_URL,
        voice_url=webhook_urls.voice_url(key),
        status_callback=webhook_urls.status_url(key),
        status_events=INBOUND_STATUS_EVENTS,
        attachment_id=line.id,
    )


def outbound_call(agent: Agent, to: str, connection_id: int | None = None) -> CallState:
    """Open an outbound call the way the portal does (raises outbound.CallRefused), for Twilio's side to play.

    The product's request opens the dialing session and queues the dialing task once the
    transaction commits; claiming the dial first (the task's own guard against dialing twice)
    leaves that task nothing to do, so no real phone rings.
    """
    with transaction.atomic():
        session = outbound.request_call(agent.id, to, connection_id)
        outbound.claim_dial(str(session.id))
    line = ChannelAttachment.objects.select_related("snapshot_connection").get(pk=session.attachment_id)
    key = line.snapshot_connection.webhook_key
    return CallState(
        account_sid=line.snapshot["account_sid"],
        direction="outbound-api",
        from_number=session.from_number,
        to_number=session.to_number,
        public_base_url=settings.PUBLIC_BASE_URL,
        voice_url=webhook_urls.voice_url(key, session_id=session.id),
        status_callback=webhook_urls.status_url(key, session_id=session.id),
        status_events=OUTBOUND_STATUS_EVENTS,
        attachment_id=line.id,
        session_id=str(session.id),
    )


def signing_token(call: CallState) -> str:
    """The Auth Token Twilio signs this call's requests with: the account's, as the running snapshot holds it."""
    line = ChannelAttachment.objects.select_related("connection").filter(pk=call.attachment_id).first()
    if line is None:
        raise LineUnavailable("The call's Twilio connection was detached from the agent or deleted.")
    # After Stop agent the snapshot is gone, but Twilio still signs with the account's token.
    return line.snapshot_auth_token or line.connection.auth_token


def driver(call: CallState, base_url: str, **options) -> SyncDriver:
    """A blocking driver that delivers the call's requests to the portal at `base_url`."""
    return SyncDriver(Delivery(base_url, call.public_base_url, signing_token(call)), **options)


def session_of(call: CallState) -> Session | None:
    """The session the portal keeps for this call (None when it opened none, e.g. an offline line)."""
    if call.session_id:
        return Session.objects.filter(pk=call.session_id).first()
    return Session.objects.filter(channel_kind="twilio", call_sid=call.call_sid).first()
