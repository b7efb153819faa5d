"""What passes between a simulated call and the HTTP it runs on.

A call script (see `script.py`) yields `Post` (Twilio sends a webhook request and wants the
`Answer`), `Wait` (time passes on the call) and `Event` (something happened the caller would
notice); a driver (`drivers.py`) carries the posts over real HTTP. Keeping HTTP out of the
scripts lets one call logic run on a blocking client (management command, admin page) and on
asyncio (the benchmark's load generator).
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from twilio.request_validator import RequestValidator


@dataclass(frozen=True)
class Post:
    """A form POST Twilio makes to `url` (the public URL it signs over); `twiml` if it runs the answer."""

    url: str
    params: dict[str, str]
    twiml: bool

    @property
    def kind(self) -> str:
        """The webhook's kind: the last segment of its path (voice, gather, partial, status, reply…)."""
        return urlsplit(self.url).path.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Answer:
    """The portal's HTTP answer to a Post; `status` 0 means no answer at all (`error` says why)."""

    status: int
    content_type: str = ""
    body: bytes = b""
    seconds: float = 0.0
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class Wait:
    """Time passing on the call. `why`: pause, agent-speaking, caller-speaking, speech-timeout, listening, ringing."""

    seconds: float
    why: str


@dataclass(frozen=True)
class Event:
    """Something on the call the caller (or an operator watching) would notice.

    kind: ringing, answered, agent, pause, listening, caller, silence, redirect, status, ended, error, note.
    """

    kind: str
    text: str = ""
    data: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text, **self.data}


def signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """X-Twilio-Signature exactly as Twilio computes it: over the URL it calls and the form fields."""
    return RequestValidator(auth_token).compute_signature(url, params)


def local_url(public_url: str, public_base_url: str, base_url: str) -> str:
    """Where to deliver a request Twilio would send to `public_url`: the same path on `base_url`."""
    if not public_url.startswith(public_base_url + "/"):
        raise ValueError(f"{public_url} is not under PUBLIC_BASE_URL ({public_base_url})")
    return base_url.rstrip("/") + public_url[len(public_base_url) :]
