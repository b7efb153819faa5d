"""Twilio resource behaviour: IncomingPhoneNumber and Call records.

Pure functions over plain dicts; the caller (``store.Store``) holds the lock.
Resource dicts carry exactly the field names of the spec's response schemas.
"""

from __future__ import annotations

import datetime
import email.utils
import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote, urlencode

from . import errors
from .contract import Contract, Operation, snake_case

NUMBER_SCHEMA = "api.v2010.account.incoming_phone_number"
CALL_SCHEMA = "api.v2010.account.call"
API = "/2010-04-01/Accounts"
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
ENDED = frozenset({"completed", "canceled", "failed", "busy", "no-answer"})
# What an enum-like field falls back to when an update sends it as "".
CLEARED_DEFAULTS = {
    "voice_method": "POST",
    "voice_fallback_method": "POST",
    "sms_method": "POST",
    "sms_fallback_method": "POST",
    "status_callback_method": "POST",
    "voice_receive_mode": "voice",
    "emergency_status": "Inactive",
}
CALL_SUBRESOURCES = (
    "notifications",
    "recordings",
    "payments",
    "events",
    "siprec",
    "streams",
    "transcriptions",
    "user_defined_message_subscriptions",
    "user_defined_messages",
)


def new_sid(prefix: str) -> str:
    """A Twilio-style SID: two-letter prefix + 32 lowercase hex digits."""
    return prefix + secrets.token_hex(16)


def now_rfc2822() -> str:
    """The current time in Twilio's date format (``Thu, 30 Jul 2015 23:19:04 +0000``)."""
    return email.utils.format_datetime(datetime.datetime.now(datetime.UTC))


def formatted(phone: str) -> str:
    """``+14155550123`` -> ``(415) 555-0123`` for NANP numbers, else unchanged."""
    if re.fullmatch(r"\+1\d{10}", phone):
        return f"({phone[2:5]}) {phone[5:8]}-{phone[8:]}"
    return phone


def new_number(contract: Contract, account_sid: str, phone_number: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A fresh IncomingPhoneNumber with Twilio's defaults, overridden by ``fields``."""
    allowed = contract.resource_fields(NUMBER_SCHEMA)
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"not {NUMBER_SCHEMA} fields: {unknown}")
    sid = new_sid("PN")
    stamp = now_rfc2822()
    number: dict[str, Any] = dict.fromkeys(allowed)
    number.update(
        account_sid=account_sid,
        address_requirements="none",
        api_version="2010-04-01",
        beta=False,
        capabilities={"voice": True, "sms": True, "mms": True, "fax": False},
        date_created=stamp,
        date_updated=stamp,
        friendly_name=formatted(phone_number),
        phone_number=phone_number,
        origin="twilio",
        sid=sid,
        sms_application_sid="",
        sms_fallback_method="POST",
        sms_fallback_url="",
        sms_method="POST",
        sms_url="",
        status_callback="",
        status_callback_method="POST",
        uri=f"{API}/{account_sid}/IncomingPhoneNumbers/{sid}.json",
        voice_receive_mode="voice",
        voice_application_sid="",
        voice_caller_id_lookup=False,
        voice_fallback_method="POST",
        voice_fallback_url="",
        voice_method="POST",
        voice_url="",
        emergency_status="Inactive",
        emergency_address_status="unregistered",
        status="in-use",
        type="local",
    )
    number.update(fields)
    return number


def phone_filter(raw: str) -> re.Pattern[str]:
    """Twilio's ``PhoneNumber`` filter: partial match, ``*`` = any digit.

    A full E.164 value therefore matches exactly that number.  Values that were
    URL-encoded twice (``%2B1415...``) or whose ``+`` arrived as a space are
    normalised first.
    """
    value = unquote(raw) if "%" in raw else raw
    if value.startswith(" "):
        value = "+" + value.lstrip()
    body = "".join(r"\d" if ch == "*" else re.escape(ch) for ch in value.strip())
    return re.compile(body)


def list_page(
    contract: Contract,
    operation: Operation,
    account_sid: str,
    numbers: Sequence[Mapping[str, Any]],
    query: Mapping[str, Sequence[str]],
) -> dict[str, Any]:
    """One page of ``GET IncomingPhoneNumbers.json``, with Twilio's paging links."""
    q = {name: values[-1] for name, values in query.items()}
    items = list(numbers)
    if q.get("PhoneNumber"):
        pattern = phone_filter(q["PhoneNumber"])
        items = [n for n in items if pattern.search(n["phone_number"] or "")]
    if q.get("FriendlyName"):
        items = [n for n in items if n["friendly_name"] == q["FriendlyName"]]
    if q.get("Origin"):
        items = [n for n in items if n["origin"] == q["Origin"]]

    kept = [(k, q[k]) for k in ("Beta", "FriendlyName", "PhoneNumber", "Origin") if k in q]
    return paged(contract, operation, items, q, kept, f"{API}/{account_sid}/IncomingPhoneNumbers.json")


def paged(
    contract: Contract,
    operation: Operation,
    items: Sequence[Mapping[str, Any]],
    q: Mapping[str, str],
    kept: Sequence[tuple[str, str]],
    base: str,
) -> dict[str, Any]:
    """Twilio's list envelope for the already filtered `items`: the page asked for (Page, PageSize,
    PageToken), its paging links carrying the `kept` filters, checked against the spec's envelope."""
    size = int(q.get("PageSize") or 50)
    page = int(q.get("Page") or 0)
    start = page * size
    token = q.get("PageToken", "")
    sids = [item["sid"] for item in items]
    if token[2:] in sids:
        anchor = sids.index(token[2:])
        start = anchor + 1 if token.startswith("PA") else max(anchor - size, 0)
    chunk = items[start : start + size]

    def link(page_no: int, page_token: str = "") -> str:
        params = [*kept, ("PageSize", size), ("Page", page_no)]
        if page_token:
            params.append(("PageToken", page_token))
        return f"{base}?{urlencode(params)}"

    fields, key = contract.list_fields(operation)
    payload = {
        "end": start + max(len(chunk) - 1, 0),
        "first_page_uri": link(0),
        "next_page_uri": link(page + 1, "PA" + chunk[-1]["sid"]) if chunk and start + size < len(items) else None,
        "page": page,
        "page_size": size,
        "previous_page_uri": link(page - 1, "PB" + chunk[0]["sid"]) if chunk and start else None,
        "start": start,
        "uri": link(page, token),
        key: [dict(item) for item in chunk],
    }
    if set(payload) != set(fields):
        raise AssertionError(f"list envelope drifted from the spec: {sorted(fields)}")
    return payload


def update_number(operation: Operation, number: dict[str, Any], form: Mapping[str, Sequence[str]]) -> None:
    """Apply a validated ``POST IncomingPhoneNumbers/{Sid}.json`` form in place."""
    for name, values in form.items():
        value: Any = values[-1]
        field = snake_case(name)
        if field not in number or name == "AccountSid":
            continue
        if operation.form_fields[name].get("type") == "boolean":
            value = value.lower() == "true"
        elif value == "" and field in CLEARED_DEFAULTS:
            value = CLEARED_DEFAULTS[field]
        number[field] = value
    number["date_updated"] = now_rfc2822()


def call_params(operation: Operation, form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """Form fields as received: array fields stay lists, others are single strings."""
    return {
        name: list(values) if operation.form_fields.get(name, {}).get("type") == "array" else values[-1]
        for name, values in form.items()
    }


def new_call(
    contract: Contract,
    account_sid: str,
    own_numbers: Sequence[Mapping[str, Any]],
    params: Mapping[str, Any],
) -> dict[str, Any]:
    """Check Twilio's business rules for ``POST Calls.json`` and build the call."""
    to, caller = params["To"], params["From"]
    if not any(params.get(k) for k in ("Url", "Twiml", "ApplicationSid")):
        raise errors.bad_request(
            errors.CALL_INVALID_URL,
            "Either a 'Url', 'Twiml' or 'ApplicationSid' parameter is required",
        )
    if not to.startswith(("client:", "sip:")) and not E164.match(to):
        raise errors.bad_request(errors.CALL_INVALID_TO, f"The 'To' number {to} is not a valid phone number.")
    source = next((n for n in own_numbers if n["phone_number"] == caller), None)
    if source is None and not caller.startswith("client:"):
        raise errors.bad_request(
            errors.CALL_UNVERIFIED_FROM,
            f"The source phone number provided, {caller}, is not yet verified for your "
            "account. You may only make calls from phone numbers that you've verified "
            "or purchased from Twilio.",
        )
    sid = new_sid("CA")
    stamp = now_rfc2822()
    uri = f"{API}/{account_sid}/Calls/{sid}"
    call: dict[str, Any] = dict.fromkeys(contract.resource_fields(CALL_SCHEMA))
    call.update(
        sid=sid,
        date_created=stamp,
        date_updated=stamp,
        account_sid=account_sid,
        to=to,
        to_formatted=formatted(to),
        **{"from": caller, "from_formatted": formatted(caller)},
        phone_number_sid=source["sid"] if source else None,
        status="queued",
        price_unit="USD",
        direction="outbound-api",
        api_version="2010-04-01",
        queue_time="0",
        uri=f"{uri}.json",
        subresource_uris={name: f"{uri}/{_camel(name)}.json" for name in CALL_SUBRESOURCES},
    )
    return call


def update_call(call: dict[str, Any], params: Mapping[str, Any]) -> None:
    """Apply ``POST Calls/{Sid}.json``: hang up (Status) or redirect (Url/Twiml)."""
    if (params.get("Url") or params.get("Twiml")) and call["status"] in ENDED:
        raise errors.bad_request(errors.CALL_NOT_IN_PROGRESS, "Call is not in-progress. Cannot redirect.")
    wanted = params.get("Status")
    if wanted == "canceled" and call["status"] in ("queued", "ringing"):
        set_call_status(call, "canceled")
    elif wanted == "completed" and call["status"] not in ENDED:
        set_call_status(call, "completed")
    call["date_updated"] = now_rfc2822()


def set_call_status(call: dict[str, Any], status: str) -> None:
    """Move a call to ``status`` and stamp start/end times like Twilio does."""
    stamp = now_rfc2822()
    if status == "in-progress" and not call["start_time"]:
        call["start_time"] = stamp
    if status in ENDED and not call["end_time"]:
        call["end_time"] = stamp
        # Seconds since the call started (its length); Twilio leaves it empty for a call never dialed.
        started = email.utils.parsedate_to_datetime(call["start_time"]) if call["start_time"] else None
        ended = email.utils.parsedate_to_datetime(stamp)
        call["duration"] = str(int((ended - started).total_seconds())) if started else "0"
    call["status"] = status
    call["date_updated"] = stamp


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))
