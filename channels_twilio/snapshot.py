"""The running snapshot: a connection's settings as they were when the agent started."""

from dataclasses import replace

from .models import TwilioConnection
from .twilio_rest import TwilioAccess


def settings_of(connection: TwilioConnection) -> dict:
    """What webhooks and outbound calls need, minus the token (stored encrypted beside it)."""
    voice = connection.effective_voice
    return {
        "connection_name": connection.name,
        "account_sid": connection.account_sid,
        "phone_number": connection.phone_number,
        "voice": voice,
        "language": connection.effective_language,
        "speech_model": connection.effective_speech_model,
        "region": connection.region,
        "edge": connection.edge,
    }


def access_from_snapshot(attachment) -> TwilioAccess:
    snap = attachment.snapshot
    return TwilioAccess(snap["account_sid"], attachment.snapshot_auth_token, snap["region"], snap["edge"])


def access_for_registration(attachment) -> TwilioAccess:
    """The snapshot's access plus the US1 Auth Token, which only registration uses (once, at
    Start, to set the number's inbound processing region): it is read from the connection the
    snapshot was taken from rather than copied into every running line."""
    us1_auth_token = attachment.snapshot_connection.us1_auth_token if attachment.snapshot_connection else ""
    return replace(access_from_snapshot(attachment), us1_auth_token=us1_auth_token)


def access_from_connection(connection: TwilioConnection) -> TwilioAccess:
    return TwilioAccess(
        connection.account_sid, connection.auth_token, connection.region, connection.edge, connection.us1_auth_token
    )
