"""The account's call log as Twilio keeps it: calls no ``calls.create`` made, and the Calls list.

Twilio knows every call of an account, not only those the portal placed: an incoming call
to one of the account's numbers has a Call record too (direction ``inbound``), and
``GET Calls.json`` lists them all, newest first, filtered by ``To`` / ``From`` / ``Status``
/ ``ParentCallSid`` / ``StartTime`` (a date, or ``StartTime<`` / ``StartTime>`` bounds).
Pure functions over plain dicts; the caller (``store.Store``) holds the lock. Source:
https://www.twilio.com/docs/voice/api/call-resource (Read multiple Call resources).
"""

from __future__ import annotations

import datetime
import email.utils
from collections.abc import Mapping, Sequence
from typing import Any

from . import errors, resources
from .contract import Contract, Operation

# Query parameters that select calls by one field's exact value.
EXACT_FILTERS = {"To": "to", "From": "from", "Status": "status", "ParentCallSid": "parent_call_sid"}
TIME_FIELDS = ("date_created", "date_updated", "start_time", "end_time")


def rfc2822(value: datetime.datetime | str | None) -> str | None:
    """Twilio's date format for a datetime (strings and None pass through)."""
    if isinstance(value, datetime.datetime):
        return email.utils.format_datetime(value.astimezone(datetime.UTC))
    return value


def parse_rfc2822(value: str | None) -> datetime.datetime | None:
    return email.utils.parsedate_to_datetime(value) if value else None


def new_call(
    contract: Contract,
    account_sid: str,
    number: Mapping[str, Any] | None,
    sid: str | None,
    status: str,
    fields: Mapping[str, Any],
) -> dict[str, Any]:
    """A Call record as Twilio holds one for a call the carrier brought in to ``number``.

    ``fields`` are JSON field names (``from``, ``to``, ``start_time`` …); times may be datetimes.
    """
    allowed = contract.resource_fields(resources.CALL_SCHEMA)
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"not {resources.CALL_SCHEMA} fields: {unknown}")
    sid = sid or resources.new_sid("CA")
    stamp = resources.now_rfc2822()
    to = fields.get("to") or (number["phone_number"] if number else "+14155550100")
    caller = fields.get("from") or "+15005550006"
    uri = f"{resources.API}/{account_sid}/Calls/{sid}"
    call: dict[str, Any] = dict.fromkeys(allowed)
    call.update(
        sid=sid,
        date_created=stamp,
        date_updated=stamp,
        account_sid=account_sid,
        to=to,
        to_formatted=resources.formatted(to),
        **{"from": caller, "from_formatted": resources.formatted(caller)},
        phone_number_sid=number["sid"] if number else None,
        status="queued",
        price_unit="USD",
        direction="inbound",
        api_version="2010-04-01",
        queue_time="0",
        uri=f"{uri}.json",
        subresource_uris={name: f"{uri}/{resources._camel(name)}.json" for name in resources.CALL_SUBRESOURCES},
    )
    call.update({name: rfc2822(value) if name in TIME_FIELDS else value for name, value in fields.items()})
    if status != "queued":
        resources.set_call_status(call, status)
    return call


def _bound(value: str) -> datetime.datetime | datetime.date:
    """A StartTime filter value: a date (``2009-07-06``) or a date-time (``2009-07-06T10:00:00Z``)."""
    try:
        if "T" in value:
            return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise errors.bad_request(errors.BAD_REQUEST, f"Invalid StartTime: {value!r} is not a date") from None


def _started(call: Mapping[str, Any], name: str, value: str) -> bool:
    start = parse_rfc2822(call["start_time"])
    if start is None:
        return False
    bound = _bound(value)
    here = start if isinstance(bound, datetime.datetime) else start.date()
    if name == "StartTime":
        return here == bound
    return here < bound if name == "StartTime<" else here >= bound


def call_page(
    contract: Contract,
    operation: Operation,
    account_sid: str,
    calls: Sequence[Mapping[str, Any]],
    query: Mapping[str, Sequence[str]],
) -> dict[str, Any]:
    """One page of ``GET Calls.json``: the filtered calls, newest first, with Twilio's paging links."""
    q = {name: values[-1] for name, values in query.items()}
    items = sorted(calls, key=lambda c: (parse_rfc2822(c["date_created"]), c["sid"]), reverse=True)
    for name, field in EXACT_FILTERS.items():
        if q.get(name):
            items = [c for c in items if c[field] == q[name]]
    for name in ("StartTime", "StartTime<", "StartTime>"):
        if q.get(name):
            items = [c for c in items if _started(c, name, q[name])]

    for call in items:
        contract.check_resource(resources.CALL_SCHEMA, call)
    kept = [(k, q[k]) for k in (*EXACT_FILTERS, "StartTime", "StartTime<", "StartTime>") if k in q]
    return resources.paged(contract, operation, items, q, kept, f"{resources.API}/{account_sid}/Calls.json")
