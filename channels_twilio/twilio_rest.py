"""The one door to Twilio's REST API.

Everything that talks to Twilio calls these functions with a `TwilioAccess` (built from a
connection or from an attachment's running snapshot). Twilio's and the network's errors come
out as `TwilioError`, with a message an administrator can act on and a flag that says whether
retrying can help. The library's default HTTP stack is kept, so HTTPS_PROXY and
REQUESTS_CA_BUNDLE work for deployments behind an egress proxy.

Regions: each Twilio region runs on its own, with its own credentials and its own copy of
every number's configuration. A request goes to {product}.{edge}.{region}.twilio.com and must
carry an Auth Token created in that region; the Inbound Processing Region API (which region
handles a number's incoming calls) lives only at routes.twilio.com, that is in US1, and so
takes the account's US1 Auth Token.
"""

import json
from dataclasses import dataclass
from datetime import datetime

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import NewConnectionError

from . import catalog

AUTH_FAILED = 20003
NOT_FOUND = 20404
RATE_LIMITED = 20429
# Twilio's answers to a hang-up of a call that is over already (no such call; not in progress).
CALL_ALREADY_OVER = frozenset({NOT_FOUND, 21220})


class TwilioError(Exception):
    """A Twilio failure, explained. `permanent` means a retry cannot succeed.

    `outcome_unknown` means the request may have reached Twilio and taken effect although no
    answer came back (read timeout, connection cut): sending it again may do it twice.
    """

    def __init__(self, message: str, code: int | None = None, permanent: bool = True, outcome_unknown: bool = False):
        super().__init__(message)
        self.message = message
        self.code = code
        self.permanent = permanent
        self.outcome_unknown = outcome_unknown


@dataclass(frozen=True)
class TwilioAccess:
    """What a Twilio client needs. The tokens never appear in repr.

    `auth_token` is valid in `region` only; `us1_auth_token` is the same account's US1 token,
    needed for the Inbound Processing Region API when the region is not us1 ("" when unknown).
    """

    account_sid: str
    auth_token: str
    region: str = ""
    edge: str = ""
    us1_auth_token: str = ""

    def __repr__(self) -> str:
        return f"TwilioAccess(account_sid={self.account_sid!r}, region={self.region!r}, edge={self.edge!r})"

    @property
    def region_code(self) -> str:
        """The region the requests go to: an empty Region is Twilio's default, us1."""
        return self.region or "us1"

    @property
    def host_region_and_edge(self) -> tuple[str | None, str | None]:
        """(region, edge) for the client: None for Twilio's default host api.twilio.com.

        Twilio no longer serves a region without an edge ({product}.{region}.twilio.com), so an
        empty Edge means the region's own edge; us1 with no edge is api.twilio.com itself.
        """
        if self.region_code == "us1":
            return ("us1", self.edge) if self.edge else (None, None)
        return self.region, self.edge or catalog.EDGE_OF_REGION.get(self.region)

    @property
    def routing_token(self) -> str:
        """The US1 token the Inbound Processing Region API takes ("" when the connection lacks it)."""
        return self.auth_token if self.region_code == "us1" else self.us1_auth_token


@dataclass(frozen=True)
class NumberConfig:
    """An IncomingPhoneNumber's voice configuration, as Twilio holds it."""

    sid: str
    phone_number: str
    voice_url: str
    voice_method: str
    voice_fallback_url: str
    status_callback: str
    voice_application_sid: str
    trunk_sid: str
    voice_capable: bool = True


def _client(access: TwilioAccess) -> Client:
    # environment={} so TWILIO_REGION / TWILIO_EDGE in the process environment never
    # override what the connection says.
    region, edge = access.host_region_and_edge
    return Client(
        access.account_sid,
        access.auth_token,
        region=region,
        edge=edge,
        environment={},
        http_client=TwilioHttpClient(timeout=settings.TWILIO_HTTP_TIMEOUT),
    )


def _routes_client(access: TwilioAccess) -> Client:
    """A client for routes.twilio.com, with the US1 token: the library would put the
    connection's region and edge into any host, and routes.twilio.com is US1 only."""
    return _client(TwilioAccess(access.account_sid, access.routing_token))


def _as_rest_exception(exc: TwilioException) -> TwilioRestException | None:
    """Listing pages raises a bare TwilioException("Unable to fetch page", response); read its body."""
    response = exc.args[1] if len(exc.args) > 1 else None
    if not hasattr(response, "status_code"):
        return None
    try:
        body = json.loads(response.text)
    except (TypeError, ValueError):
        body = {}
    return TwilioRestException(response.status_code, "", body.get("message", ""), body.get("code"))


def _auth_failed(access: TwilioAccess, field_label: str) -> TwilioError:
    """Error 20003, said so that the administrator knows which token of which region to copy."""
    region = access.region_code.upper()
    if field_label == "Auth Token" and region == "US1":
        message = (
            "Twilio rejected the Account SID or Auth Token (error 20003). Copy both again from "
            "the Twilio Console dashboard into the connection, click Save, and restart the agent."
        )
    else:
        # Auth Tokens are per region: a token created in US1 fails in IE1 and the other way round.
        message = (
            f"Twilio rejected the Account SID or {field_label} in region {region} (error 20003): "
            f"this Auth Token is not valid in region {region}. In the Twilio Console, open API keys & "
            f"tokens (Account menu), pick region {region} and copy the Auth Token shown there into the "
            f"connection's {field_label} (and check the Account SID), click Save, and restart the agent."
        )
    return TwilioError(message, AUTH_FAILED)


def _explain(exc: Exception, access: TwilioAccess, field_label: str = "Auth Token") -> TwilioError:
    if isinstance(exc, TwilioException) and not isinstance(exc, TwilioRestException):
        exc = _as_rest_exception(exc) or exc
    if isinstance(exc, TwilioRestException):
        if exc.code == AUTH_FAILED or exc.status == 401:
            return _auth_failed(access, field_label)
        temporary = exc.status >= 500 or exc.code == RATE_LIMITED or exc.status == 429
        prefix = "Twilio is unavailable right now" if temporary else "Twilio refused the request"
        code = f"error {exc.code}" if exc.code else f"HTTP {exc.status}"
        return TwilioError(f"{prefix} ({code}): {exc.msg}", exc.code, permanent=not temporary)
    if isinstance(exc, requests.RequestException):
        return TwilioError(
            f"Twilio could not be reached ({type(exc).__name__}). Check this server's network "
            "access to Twilio (and HTTPS_PROXY, if it uses a proxy).",
            None,
            permanent=False,
        )
    raise exc


def _never_sent(exc: requests.RequestException) -> bool:
    """Whether a network failure happened before the request could reach Twilio."""
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.ProxyError | requests.exceptions.SSLError):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)  # refused, or the name did not resolve


def find_number(access: TwilioAccess, phone_number: str) -> NumberConfig:
    """The account's IncomingPhoneNumber that is exactly `phone_number` (E.164)."""
    try:
        numbers = _client(access).incoming_phone_numbers.list(phone_number=phone_number, limit=20)
    except Exception as exc:
        raise _explain(exc, access) from None
    for number in numbers:
        if number.phone_number == phone_number:
            return NumberConfig(
                sid=number.sid,
                phone_number=number.phone_number,
                voice_url=number.voice_url or "",
                voice_method=number.voice_method or "",
                voice_fallback_url=number.voice_fallback_url or "",
                status_callback=number.status_callback or "",
                voice_application_sid=number.voice_application_sid or "",
                trunk_sid=number.trunk_sid or "",
                # Twilio leaves out what it does not know; only an explicit false refuses.
                voice_capable=(number.capabilities or {}).get("voice") is not False,
            )
    raise TwilioError(
        f"The phone number {phone_number} was not found in Twilio account {access.account_sid}. "
        "Enter it in E.164 format with the leading + (for example +14155550123), exactly as the "
        "Twilio Console lists it under Phone Numbers, and check that it belongs to the account "
        "whose Account SID you entered.",
        NOT_FOUND,
    )


def point_number_at(
    access: TwilioAccess, number_sid: str, *, voice_url: str, fallback_url: str, status_callback: str
) -> None:
    """Make Twilio send the number's calls to our webhooks.

    A TwiML App (VoiceApplicationSid) or a SIP trunk (TrunkSid) on the number would make
    Twilio ignore VoiceUrl, so both are cleared.
    """
    try:
        _client(access).incoming_phone_numbers(number_sid).update(
            voice_url=voice_url,
            voice_method="POST",
            voice_fallback_url=fallback_url,
            voice_fallback_method="POST",
            status_callback=status_callback,
            status_callback_method="POST",
            voice_application_sid="",
            trunk_sid="",
        )
    except Exception as exc:
        raise _explain(exc, access) from None


def place_call(access: TwilioAccess, *, to: str, from_: str, url: str, status_callback: str, timeout: int) -> str:
    """Ask Twilio to dial `to`; returns the new CallSid."""
    try:
        call = _client(access).calls.create(
            to=to,
            from_=from_,
            url=url,
            method="POST",
            status_callback=status_callback,
            status_callback_method="POST",
            status_callback_event=["initiated", "ringing", "answered", "completed"],
            timeout=timeout,
        )
    except Exception as exc:
        error = _explain(exc, access)
        # Twilio may have created the call and the answer got lost: dialing again could ring
        # the callee twice, so the caller must not retry blindly.
        error.outcome_unknown = isinstance(exc, requests.RequestException) and not _never_sent(exc)
        raise error from None
    return call.sid


def hang_up(access: TwilioAccess, call_sid: str) -> None:
    """End a call in progress (used when the agent stops)."""
    try:
        _client(access).calls(call_sid).update(status="completed")
    except Exception as exc:
        raise _explain(exc, access) from None


def inbound_region(access: TwilioAccess, phone_number: str) -> str:
    """The region that processes the number's incoming calls (its inbound processing region).

    Needs `access.routing_token` (see TwilioAccess): the API lives only in US1.
    """
    try:
        route = _routes_client(access).routes.v2.phone_numbers(phone_number).fetch()
    except Exception as exc:
        raise _explain_routing(exc, access) from None
    return route.voice_region or "us1"


def set_inbound_region(access: TwilioAccess, phone_number: str, region: str) -> None:
    """Make `region` process the number's incoming calls (Twilio applies it within 5 minutes)."""
    try:
        _routes_client(access).routes.v2.phone_numbers(phone_number).update(voice_region=region)
    except Exception as exc:
        raise _explain_routing(exc, access) from None


def _explain_routing(exc: Exception, access: TwilioAccess) -> TwilioError:
    field_label = "Auth Token" if access.region_code == "us1" else "US1 Auth Token"
    return _explain(exc, TwilioAccess(access.account_sid, access.routing_token), field_label)


# The statuses a call ends in: Twilio never changes them again.
FINAL_CALL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


@dataclass(frozen=True)
class CallState:
    """A call as Twilio reports it (times in UTC; `duration` in seconds, None while it runs)."""

    sid: str
    status: str
    direction: str
    date_created: datetime | None
    date_updated: datetime | None
    start_time: datetime | None
    end_time: datetime | None
    duration: int | None

    @property
    def ended(self) -> bool:
        return self.status in FINAL_CALL_STATUSES


def _call_state(call) -> CallState:
    return CallState(
        sid=call.sid,
        status=call.status or "",
        direction=call.direction or "",
        date_created=call.date_created,
        date_updated=call.date_updated,
        start_time=call.start_time,
        end_time=call.end_time,
        duration=int(call.duration) if (call.duration or "").isdigit() else None,
    )


def fetch_call(access: TwilioAccess, call_sid: str) -> CallState:
    """Where the call stands now; a call Twilio does not know raises TwilioError with code NOT_FOUND."""
    try:
        return _call_state(_client(access).calls(call_sid).fetch())
    except Exception as exc:
        raise _explain(exc, access) from None


def recent_calls(access: TwilioAccess, *, to: str, from_: str, limit: int = 20) -> list[CallState]:
    """The account's newest calls from `from_` to `to` (Twilio lists the newest first)."""
    try:
        return [_call_state(call) for call in _client(access).calls.list(to=to, from_=from_, limit=limit)]
    except Exception as exc:
        raise _explain(exc, access) from None
