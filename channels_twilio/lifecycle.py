"""The Twilio channel's start/stop hook, called by agents for each Twilio attachment."""

from django.db import transaction
from django.utils import timezone

from . import snapshot


def start(attachment) -> None:
    """Snapshot the connection into the attachment and, for Inbound, register the number."""
    from .tasks import register_number

    now = timezone.now()
    attachment.snapshot = snapshot.settings_of(attachment.connection)
    attachment.snapshot_auth_token = attachment.connection.auth_token
    attachment.snapshot_taken_at = now
    attachment.snapshot_connection = attachment.connection
    attachment.last_error = ""
    attachment.registration_claimed_at = None
    attachment.registered_at = None
    attachment.webhook_url = ""
    if attachment.inbound:
        attachment.line_state = attachment.LineState.REGISTERING
    else:
        attachment.line_state = attachment.LineState.LIVE  # outbound only: nothing to register
    attachment.save()
    if attachment.inbound:
        version = now.isoformat()
        transaction.on_commit(lambda: register_number.delay(attachment.pk, version))


def stop(attachment) -> None:
    """Take the line offline: webhooks find no snapshot and answer with the apology."""
    attachment.snapshot = None
    attachment.snapshot_auth_token = ""
    attachment.snapshot_taken_at = None
    attachment.snapshot_connection = None
    attachment.line_state = attachment.LineState.OFFLINE
    attachment.registration_claimed_at = None
    attachment.webhook_url = ""
    attachment.save()
