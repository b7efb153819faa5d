"""A simulated call's state: what Twilio knows about the call between two of its requests.

It is plain data (`as_dict` / `from_dict`), so a call can pause between requests of the admin
page (kept in the user's Django session) and go on in another worker. It never holds the
Auth Token: drivers are given it at each step.
"""

import email.utils
import secrets
import time
from dataclasses import dataclass, field, fields

from lxml import etree

API_VERSION = "2010-04-01"
FINAL_STATUSES = ("completed", "busy", "no-answer", "failed", "canceled")
# Which status callbacks Twilio sends: a number's StatusCallback reports only the end of the call
# (Twilio's default); our outbound calls ask for every progress event (channels_twilio.twilio_rest).
INBOUND_STATUS_EVENTS = ("completed",)
OUTBOUND_STATUS_EVENTS = ("initiated", "ringing", "answered", "completed")


def new_call_sid() -> str:
    return "CA" + secrets.token_hex(16)


@dataclass
class CallState:
    """One call as Twilio sees it; `document` and `position` say where in the TwiML it stands."""

    account_sid: str
    direction: str  # inbound | outbound-api
    from_number: str
    to_number: str
    public_base_url: str  # the portal's PUBLIC_BASE_URL: every URL Twilio calls is under it
    voice_url: str
    status_callback: str = ""
    status_events: tuple[str, ...] = INBOUND_STATUS_EVENTS
    call_sid: str = field(default_factory=new_call_sid)
    status: str = "queued"  # Twilio's CallStatus
    answered_at: float | None = None
    document: str = ""  # the TwiML being run, as received
    document_url: str = ""
    position: int = 0  # index of the next verb of `document` to run
    listening: bool = False  # the <Gather> at `position` played its prompt and waits for the caller
    status_sequence: int = 0
    fetches_since_caller: int = 0
    attachment_id: int | None = None  # lets the portal side find the signing token; not a secret
    session_id: str | None = None

    def __post_init__(self) -> None:
        self.status_events = tuple(self.status_events)
        self._root: etree._Element | None = None

    @property
    def ended(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    def answer(self) -> None:
        self.status = "in-progress"
        self.answered_at = time.time()

    def load(self, root: etree._Element, url: str) -> None:
        """Run `root` (a document Twilio accepted) from its first verb."""
        self._root = root
        self.document = etree.tostring(root, encoding="unicode")
        self.document_url = url
        self.position = 0
        self.listening = False

    def verbs(self) -> list[etree._Element]:
        if self._root is None:
            self._root = etree.fromstring(self.document.encode()) if self.document else etree.Element("Response")
        return [verb for verb in self._root if isinstance(verb.tag, str)]

    def current_verb(self) -> etree._Element | None:
        verbs = self.verbs()
        return verbs[self.position] if self.position < len(verbs) else None

    def params(self, **extra: str) -> dict[str, str]:
        """The parameters Twilio sends with every request about this call."""
        return {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "CallSid": self.call_sid,
            "CallStatus": self.status,
            "Direction": self.direction,
            "From": self.from_number,
            "To": self.to_number,
            "Caller": self.from_number,
            "Called": self.to_number,
            **extra,
        }

    def status_params(self, status: str) -> dict[str, str]:
        """A status callback's parameters: the call's, plus the progress fields Twilio adds."""
        extra = {
            "CallbackSource": "call-progress-events",
            "SequenceNumber": str(self.status_sequence),
            "Timestamp": email.utils.formatdate(usegmt=True),
        }
        self.status_sequence += 1
        if status in FINAL_STATUSES:
            seconds = int(time.time() - self.answered_at) if self.answered_at else 0
            extra["CallDuration"] = str(seconds)
            extra["Duration"] = str((seconds + 59) // 60)
        return {**self.params(), "CallStatus": status, **extra}

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> "CallState":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
