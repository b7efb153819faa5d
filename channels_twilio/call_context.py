"""Who a webhook request belongs to: the connection, the running attachment, the session.

Everything comes from the database, so any worker on any machine can serve any webhook of a call.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from agents.models import ChannelAttachment
from sessions_app.models import Session

from .models import TwilioConnection


@dataclass
class CallContext:
    connection: TwilioConnection | None
    attachment: ChannelAttachment | None = None
    session: Session | None = None
    tokens: list[str] = field(default_factory=list)

    @property
    def agent_id(self) -> int | None:
        if self.attachment:
            return self.attachment.agent_id
        if self.session:
            return self.session.agent_id
        return None

    @property
    def snapshot(self) -> dict:
        return self.attachment.snapshot


def resolve(key, session_id: str | None) -> CallContext:
    """Find the call's context from the webhook URL's connection key and session id."""
    connection = TwilioConnection.objects.filter(webhook_key=key).first()
    if connection is None:
        return CallContext(None)
    ctx = CallContext(connection)
    if session_id:
        try:
            ctx.session = (
                Session.objects.select_related("attachment__agent").filter(pk=session_id, connection=connection).first()
            )
        except ValidationError:  # not a UUID
            ctx.session = None
        attachment = ctx.session.attachment if ctx.session else None
        ctx.attachment = attachment if attachment and attachment.is_running else None
    else:
        ctx.attachment = (
            connection.attachments.select_related("agent").filter(inbound=True, snapshot__isnull=False).first()
        )
    # Twilio signs with the account's current token: the snapshot's, or a newer one pasted
    # into the connection but not yet restarted into the snapshot.
    if ctx.attachment and ctx.attachment.snapshot_auth_token:
        ctx.tokens.append(ctx.attachment.snapshot_auth_token)
    if connection.auth_token not in ctx.tokens:
        ctx.tokens.append(connection.auth_token)
    return ctx
