"""Twilio's webhook parameters, checked and cleaned before the call flow sees them.

Runs after the signature check, so what reaches it was signed with the line's Auth Token.
Twilio never sends an impossible value; one that arrives anyway (a bug, a replayed and
tampered request signed with a leaked token) is answered with HTTP 400 and a plain message
naming the field and what was expected — Twilio shows it in its debugger — and never reaches
the database, where it would fail as a 500 (NUL in PostgreSQL text, integers past 32 bits,
values longer than their column).

Only what the call flow reads is checked: CallSid, From, To, CallStatus, the speech results,
SequenceNumber, and our own query values `session`, `turn` and `wait`. Speech is content,
not an identifier: its control characters are dropped and an overlong result is cut rather
than refused, so a caller who talked for a long time still gets an answer.
"""

import re
import uuid
from dataclasses import dataclass

from sessions_app.models import CALLER_ID_MAX_LENGTH
from sessions_app.services import clean_text

# A Call SID: "CA" and 32 hex digits (the pattern of Twilio's OpenAPI description).
CALL_SID = re.compile(r"CA[0-9a-fA-F]{32}")
# CallStatus values of Twilio's voice requests and status callbacks. "initiated" comes with
# the status callback of that event; "answered" is kept for callbacks that name the event.
CALL_STATUSES = frozenset(
    {"queued", "initiated", "ringing", "in-progress", "answered"}
    | {"completed", "busy", "failed", "no-answer", "canceled"}  # the call ended
)
INT32_MAX = 2**31 - 1
# Far more turns and holds than any call holds; bounded so our keys and columns never overflow.
MAX_TURN = 100_000
MAX_WAIT = 1_000
# Gather's maxSpeechTime stops speech after 60 s, about 1,000-1,500 characters; this leaves
# room for any language and recogniser.
SPEECH_MAX_LENGTH = 20_000

_DIGITS = re.compile(r"[0-9]{1,12}")  # ASCII only: int() would also take "٣" or " 3"
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


class InvalidWebhookInput(ValueError):
    """A signed webhook request with a value Twilio never sends; answered with HTTP 400."""

    def __init__(self, field: str, expected: str) -> None:
        self.field = field
        super().__init__(f"Invalid {field}: expected {expected}.")


@dataclass(frozen=True)
class CallFields:
    """The call's identity as Twilio sends it with every request ("" when absent)."""

    call_sid: str
    from_number: str
    to_number: str
    status: str


@dataclass(frozen=True)
class PartialSpeech:
    """A partialResultCallback request: the stable and unstable text so far, and its order."""

    stable: str
    unstable: str
    sequence: int


def call_fields(request, *, sid_required: bool = False, status_required: bool = False) -> CallFields:
    """CallSid, From, To and CallStatus of any webhook request, with the `session` query value."""
    session_id(request)
    form = request.POST
    call_sid = _one(form, "CallSid")
    if call_sid is None and sid_required:
        raise InvalidWebhookInput("CallSid", "the call's SID (CA and 32 hex digits), but it is missing")
    if call_sid is not None and not CALL_SID.fullmatch(call_sid):
        raise InvalidWebhookInput("CallSid", "CA followed by 32 hex digits")
    status = _one(form, "CallStatus")
    if status is None and status_required:
        raise InvalidWebhookInput("CallStatus", "one of Twilio's call statuses, but it is missing")
    if status is not None and status not in CALL_STATUSES:
        raise InvalidWebhookInput("CallStatus", "one of " + ", ".join(sorted(CALL_STATUSES)))
    return CallFields(
        call_sid=call_sid or "",
        from_number=_caller_id(form, "From"),
        to_number=_caller_id(form, "To"),
        status=status or "",
    )


def session_id(request) -> uuid.UUID | None:
    """The `session` query value of our webhook URLs: a session id, or absent."""
    value = _one(request.query_params, "session")
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidWebhookInput("session", "the session id (a UUID) of the webhook URL we gave Twilio") from None


def turn(request) -> int:
    """The caller turn of a Gather, partial result or reply URL (`turn`, 1 when absent)."""
    return _query_int(request, "turn", default=1, low=1, high=MAX_TURN)


def holds(request) -> int:
    """How many times the caller was put on hold for this reply (the reply URL's `wait`, at least 1)."""
    return max(1, _query_int(request, "wait", default=1, low=0, high=MAX_WAIT))


def final_speech(request) -> str:
    """The Gather action's SpeechResult, cleaned; "" when the caller said nothing."""
    return _speech(request.POST, "SpeechResult")


def partial_speech(request) -> PartialSpeech:
    """The parameters of a partialResultCallback request."""
    sequence = _one(request.POST, "SequenceNumber")
    if sequence is None or not _DIGITS.fullmatch(sequence) or int(sequence) > INT32_MAX:
        raise InvalidWebhookInput("SequenceNumber", f"an integer from 0 to {INT32_MAX}")
    return PartialSpeech(
        stable=_speech(request.POST, "StableSpeechResult"),
        unstable=_speech(request.POST, "UnstableSpeechResult"),
        sequence=int(sequence),
    )


def _one(data, name: str) -> str | None:
    """The single value of `name`, or None; Twilio never repeats a parameter."""
    values = data.getlist(name)
    if len(values) > 1:
        raise InvalidWebhookInput(name, f"one value, not {len(values)}")
    return values[0] if values else None


def _caller_id(form, name: str) -> str:
    value = _one(form, name) or ""
    if len(value) > CALLER_ID_MAX_LENGTH:
        raise InvalidWebhookInput(
            name, f"a phone number, SIP URI or client identity of at most {CALLER_ID_MAX_LENGTH} characters"
        )
    if _CONTROL.search(value):
        raise InvalidWebhookInput(name, "a phone number, SIP URI or client identity without control characters")
    return value


def _speech(form, name: str) -> str:
    return clean_text((_one(form, name) or "")[: SPEECH_MAX_LENGTH * 2])[:SPEECH_MAX_LENGTH].strip()


def _query_int(request, name: str, *, default: int, low: int, high: int) -> int:
    value = _one(request.query_params, name)
    if value is None:
        return default
    if not _DIGITS.fullmatch(value) or not low <= int(value) <= high:
        raise InvalidWebhookInput(name, f"an integer from {low} to {high}")
    return int(value)
