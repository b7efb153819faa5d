"""Which Twilio region a host name addresses, as the stand-in models Twilio's regions.

Each region runs on its own: its own Auth Token per account, its own copy of every number's
configuration, its own calls. A request reaches a region through
``{product}.{edge}.{region}.twilio.com``; the legacy names without edge and region
(``api.twilio.com``, ``routes.twilio.com``) go to US1. Twilio retired the names with a region
but no edge (``api.ie1.twilio.com``, announced for 28 April 2026), so the stand-in's proxy
refuses them like an unknown host. Sources:
https://www.twilio.com/docs/global-infrastructure/using-the-twilio-rest-api-in-a-non-us-region
https://www.twilio.com/docs/global-infrastructure/manage-regional-api-credentials
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from . import errors, resources
from .certs import EDGES
from .contract import Contract

DEFAULT_REGION = "us1"
# Where Twilio processes and stores data; the other legacy codes (de1, jp1, …) were edges only
# (https://www.twilio.com/docs/global-infrastructure/api-domain-migration-guide).
PROCESSING_REGIONS = ("us1", "ie1", "au1")


def host_target(host: str) -> tuple[str, str] | None:
    """``(product, region)`` a host name addresses (``("api", "ie1")``), or None if Twilio serves no such host."""
    pieces = host.lower().split(".")
    if pieces[-2:] != ["twilio", "com"]:
        return None
    if len(pieces) == 3:
        return pieces[0], DEFAULT_REGION
    if len(pieces) == 5 and pieces[1] in EDGES and pieces[2] in PROCESSING_REGIONS:
        return pieces[0], pieces[2]
    return None


def check_region(region: str) -> str:
    """``region`` if the stand-in knows it, else ValueError (a mistake in a test's set-up)."""
    if region not in PROCESSING_REGIONS:
        raise ValueError(f"{region!r} is not a Twilio region ({', '.join(PROCESSING_REGIONS)})")
    return region


# The part of an IncomingPhoneNumber that each region keeps for itself; the rest (SID, number,
# capabilities, …) is the number, the same in every region. Each region has its own
# configuration record for each number, so a webhook set in IE1 is not set in US1
# (https://www.twilio.com/docs/global-infrastructure/inbound-call-processing).
CONFIG_FIELDS = (
    "voice_url",
    "voice_method",
    "voice_fallback_url",
    "voice_fallback_method",
    "voice_application_sid",
    "voice_caller_id_lookup",
    "voice_receive_mode",
    "status_callback",
    "status_callback_method",
    "trunk_sid",
    "sms_url",
    "sms_method",
    "sms_fallback_url",
    "sms_fallback_method",
    "sms_application_sid",
)
ROUTE_SCHEMA = "routes.v2.phone_number"


def regional_copy(contract: Contract, number: Mapping[str, Any]) -> dict[str, Any]:
    """The number's record in another region: the same number, with Twilio's default configuration."""
    fresh = resources.new_number(contract, number["account_sid"], number["phone_number"], {})
    record = copy.deepcopy(dict(number))
    record.update({name: fresh[name] for name in CONFIG_FIELDS})
    return record


def iso_now() -> str:
    """The Routes API's date format (ISO 8601), unlike the 2010 API's RFC 2822."""
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_route(account_sid: str, phone_number: str) -> dict[str, Any]:
    """A number's Inbound Processing Region record: US1 until someone changes it."""
    stamp = iso_now()
    return {
        "phone_number": phone_number,
        "url": f"https://routes.twilio.com/v2/PhoneNumbers/{phone_number}",
        "sid": resources.new_sid("QQ"),
        "account_sid": account_sid,
        "friendly_name": "",
        "voice_region": DEFAULT_REGION,
        "date_created": stamp,
        "date_updated": stamp,
    }


def update_route(route: dict[str, Any], form: Mapping[str, Sequence[str]]) -> None:
    """Apply a validated ``POST /v2/PhoneNumbers/{PhoneNumber}`` form in place."""
    if "VoiceRegion" in form:
        wanted = form["VoiceRegion"][-1]
        if wanted not in PROCESSING_REGIONS:
            raise errors.bad_request(
                errors.BAD_REQUEST,
                f"Invalid VoiceRegion: {wanted!r} is not one of {', '.join(PROCESSING_REGIONS)}",
            )
        route["voice_region"] = wanted
    if "FriendlyName" in form:
        route["friendly_name"] = form["FriendlyName"][-1]
    route["date_updated"] = iso_now()
