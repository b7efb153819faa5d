"""Who a webhook request belongs to: the connection, the running attachment, the session.

Everything comes from the database, so any worker on any machine can serve any webhook of a call.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from sessions_app.models import Session

from .models import ChannelAttachment, TwilioConnection


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
    """Find the call's context from the webhook URL's connection key and session id.

    Every webhook of a call pays for this, so a call in progress is found in one query (the
    session with its connection, attachment and agent) and a new call in one (the inbound
    attachment with its connection and agent); the connection alone is looked up only when
    those find nothing. Unique lookups, so no ORDER BY: building one costs more than the query.
    """
    if session_id:
        sessions = Session.objects.select_related("connection", "attachment__agent")
        try:
            session = _one(sessions.filter(pk=session_id, connection__webhook_key=key))
        except ValidationError:  # not a UUID
            session = None
        if session is not None:
            attachment = session.attachment
            # The call belongs to the line only while the line still runs the snapshot it was made on.
            running = attachment if attachment and attachment.is_running else None
            if running and running.snapshot_connection_id != session.connection_id:
                running = None
            return _with_tokens(CallContext(session.connection, attachment=running, session=session))
    else:
        # Resolved through the snapshot's connection, not the attachment's current one: the key in
        # the URL is the one registered at Start. If two lines run it, the last started took the number.
        attachments = ChannelAttachment.objects.select_related("snapshot_connection", "agent")
        running = attachments.filter(snapshot_connection__webhook_key=key, inbound=True, snapshot__isnull=False)
        attachment = next(iter(running.order_by("-snapshot_taken_at")[:1]), None)
        if attachment is not None:
            return _with_tokens(CallContext(attachment.snapshot_connection, attachment=attachment))
    connection = _one(TwilioConnection.objects.filter(webhook_key=key))
    return _with_tokens(CallContext(connection)) if connection else CallContext(None)


def _one(queryset):
    return next(iter(queryset.order_by()[:1]), None)


def _with_tokens(ctx: CallContext) -> CallContext:
    # Twilio signs with the account's current token: the snapshot's, or a newer one pasted
    # into the connection but not yet restarted into the snapshot.
    if ctx.attachment and ctx.attachment.snapshot_auth_token:
        ctx.tokens.append(ctx.attachment.snapshot_auth_token)
    if ctx.connection.auth_token not in ctx.tokens:
        ctx.tokens.append(ctx.connection.auth_token)
    # Each region signs with its own token. Outside us1 the number's calls move to the region
    # within 5 minutes of Start; until then US1 processes them and signs with the US1 token.
    if ctx.connection.us1_auth_token and ctx.connection.us1_auth_token not in ctx.tokens:
        ctx.tokens.append(ctx.connection.us1_auth_token)
    return ctx
