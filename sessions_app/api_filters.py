"""The filters of the sessions list: query parameters read strictly, each documented for OpenAPI.

A value the API cannot read is answered with a 400 that names the parameter and what it
accepts, never ignored: `?state=opne` returning every session would look like an answer.
An empty value (`?state=`) means no filter, as a form with an empty field sends it.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

from .models import Session

# The channel kinds a session can have; only Twilio voice exists so far.
CHANNEL_KINDS = ("twilio",)

# Agent ids are 64-bit; a longer number would overflow the database driver instead of matching nothing.
LARGEST_AGENT_ID = 2**63 - 1

DATE_FORMAT_HINT = "an ISO 8601 date (2025-01-31) or date and time (2025-01-31T14:30:00Z, 2025-01-31T16:30:00%2B02:00)"


class FilterValueError(ValueError):
    """A query parameter holds a value that does not fit it; the message says what would."""


@dataclass(frozen=True)
class SessionFilter:
    """One query parameter of the sessions list and the condition it selects."""

    parameter: str
    description: str
    openapi_type: OpenApiTypes
    condition: Callable[[str], Q]
    enum: tuple[str, ...] | None = None

    def openapi_parameter(self) -> OpenApiParameter:
        return OpenApiParameter(
            self.parameter,
            self.openapi_type,
            OpenApiParameter.QUERY,
            description=self.description,
            enum=self.enum,
        )


def shown(raw: str) -> str:
    """The received value, quoted and cut short, for an error message."""
    return repr(raw if len(raw) <= 40 else raw[:40] + "…")


def agent_condition(raw: str) -> Q:
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= LARGEST_AGENT_ID:
        raise FilterValueError(f"{shown(raw)} is not an agent id; use the agent's id, a whole number from 1.")
    return Q(agent_id=int(raw))


def choice_condition(field: str, accepted: tuple[str, ...]) -> Callable[[str], Q]:
    """A condition `field = value`, for a value among `accepted`."""

    def condition(raw: str) -> Q:
        if raw not in accepted:
            raise FilterValueError(f"{shown(raw)} is not accepted; use one of: {', '.join(accepted)}.")
        return Q(**{field: raw})

    return condition


def read_moment(raw: str) -> dt.date | dt.datetime:
    """A date, or an aware datetime (a naive one is read in the portal's time zone)."""
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        pass
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        # A '+' sent unencoded in a query string arrives as a space: say so, it is the usual cause.
        hint = " (a '+' in a query string must be sent as %2B)" if " " in raw else ""
        raise FilterValueError(f"{shown(raw)} is not a date; use {DATE_FORMAT_HINT}{hint}.") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day`, in the portal's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def in_utc(moment: dt.datetime, raw: str) -> dt.datetime:
    """The moment in UTC, as the database compares it; the first and last days of year 1 and 9999 may not fit."""
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        raise FilterValueError(f"{shown(raw)} is out of range; use a date between the years 1 and 9999.") from None


def created_after_condition(raw: str) -> Q:
    moment = read_moment(raw)
    if not isinstance(moment, dt.datetime):
        moment = start_of(moment)
    return Q(created_at__gte=in_utc(moment, raw))


def created_before_condition(raw: str) -> Q:
    moment = read_moment(raw)
    if isinstance(moment, dt.datetime):
        return Q(created_at__lte=in_utc(moment, raw))
    if moment == dt.date.max:
        return Q()  # the last day there is: every session started before its end
    # A date includes that whole day.
    return Q(created_at__lt=in_utc(start_of(moment + dt.timedelta(days=1)), raw))


SESSION_FILTERS = (
    SessionFilter(
        "agent",
        "Only the sessions of this agent (its id).",
        OpenApiTypes.INT,
        agent_condition,
    ),
    SessionFilter(
        "channel",
        "Only the sessions on this kind of channel.",
        OpenApiTypes.STR,
        choice_condition("channel_kind", CHANNEL_KINDS),
        enum=CHANNEL_KINDS,
    ),
    SessionFilter(
        "state",
        "Only the sessions in this state: dialing (an outbound call not answered yet), open (a call "
        "in progress) or closed.",
        OpenApiTypes.STR,
        choice_condition("state", tuple(Session.State.values)),
        enum=tuple(Session.State.values),
    ),
    SessionFilter(
        "direction",
        "Only inbound calls (the customer called the agent) or outbound calls (the agent called).",
        OpenApiTypes.STR,
        choice_condition("direction", tuple(Session.Direction.values)),
        enum=tuple(Session.Direction.values),
    ),
    SessionFilter(
        "created_after",
        "Only the sessions started at or after this moment: an ISO 8601 date (that day's start) or "
        "date and time. Without a UTC offset, the portal's time zone applies; send '+' as %2B.",
        OpenApiTypes.STR,
        created_after_condition,
    ),
    SessionFilter(
        "created_before",
        "Only the sessions started at or before this moment: an ISO 8601 date (the whole day is "
        "included) or date and time. Without a UTC offset, the portal's time zone applies; send '+' as %2B.",
        OpenApiTypes.STR,
        created_before_condition,
    ),
)

SESSION_FILTER_PARAMETERS = [session_filter.openapi_parameter() for session_filter in SESSION_FILTERS]


def session_conditions(query: QueryDict) -> Q:
    """The condition the query parameters select; a ValidationError naming every value that does not fit."""
    condition = Q()
    problems: dict[str, list[str]] = {}
    for session_filter in SESSION_FILTERS:
        raw = query.get(session_filter.parameter, "").strip()
        if not raw:
            continue
        try:
            condition &= session_filter.condition(raw)
        except FilterValueError as problem:
            problems[session_filter.parameter] = [str(problem)]
    if problems:
        raise ValidationError(problems)
    return condition


class SessionFilterBackend(BaseFilterBackend):
    """Applies the sessions list's query parameters (see SESSION_FILTERS)."""

    def filter_queryset(self, request, queryset: QuerySet, view) -> QuerySet:
        return queryset.filter(session_conditions(request.query_params))
