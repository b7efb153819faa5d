"""Absolute URLs of our webhooks, as Twilio calls them (built from PUBLIC_BASE_URL).

The signature of every webhook request is checked against these same URLs, so a portal
behind a TLS-terminating proxy validates what Twilio signed, not what the proxy forwarded.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse


def absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL + path


def _url(name: str, key, **query) -> str:
    path = reverse(name, kwargs={"key": key})
    query = {k: v for k, v in query.items() if v is not None}
    return absolute(path + ("?" + urlencode(query) if query else ""))


def voice_url(key, session_id=None) -> str:
    """The call webhook: inbound calls, and outbound calls once answered (with their session)."""
    return _url("twilio-voice", key, session=session_id)


def fallback_url(key) -> str:
    return _url("twilio-fallback", key)


def status_url(key, session_id=None) -> str:
    return _url("twilio-status", key, session=session_id)


def gather_url(key, session_id, turn: int) -> str:
    return _url("twilio-gather", key, session=session_id, turn=turn)


def partial_url(key, session_id, turn: int) -> str:
    return _url("twilio-partial", key, session=session_id, turn=turn)


def reply_url(key, session_id, turn: int, wait: int = 0) -> str:
    """Where a slow reply is picked up after a filler (see the engine's answer timeout)."""
    return _url("twilio-reply", key, session=session_id, turn=turn, wait=wait)
