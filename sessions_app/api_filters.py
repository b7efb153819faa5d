"""The filters of the sessions list: a django-filter FilterSet whose values are read strictly.

A value the API cannot read is answered with a 400 that names the parameter and what it
accepts, never ignored: `?state=opne` returning every session would look like an answer.
An empty value (`?state=`) means no filter, as a form with an empty field sends it.
drf-spectacular documents each filter from its class, choices and help_text.
"""

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import Session

# Agent ids are 64-bit; a longer number would overflow the database driver instead of matching nothing.
LARGEST_AGENT_ID = 2**63 - 1

DATE_FORMAT_HINT = "an ISO 8601 date (2025-01-31) or date and time (2025-01-31T14:30:00Z, 2025-01-31T16:30:00%2B02:00)"


def invalid(raw: str, problem: str) -> ValidationError:
    """The error for a value; the text travels as a parameter because django-filter %-formats
    messages, which the '%2B' of the date hint would break."""
    shown = repr(raw if len(raw) <= 40 else raw[:40] + "…")
    return ValidationError("%(problem)s", code="invalid", params={"problem": f"{shown} {problem}"})


class AgentIdField(forms.Field):
    """An agent's id: a whole number from 1 that fits the database's 64 bits."""

    def to_python(self, value: str | None) -> int | None:
        raw = (value or "").strip()
        if raw and not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= LARGEST_AGENT_ID):
            raise invalid(raw, "is not an agent id; use the agent's id, a whole number from 1.")
        return int(raw) if raw else None


class StrictChoiceField(forms.ChoiceField):
    """One of the choices, its error listing them all (Django's names only the value)."""

    def to_python(self, value: str | None) -> str:
        return super().to_python(value).strip()

    def validate(self, value: str) -> None:
        if value and not self.valid_value(value):
            raise invalid(value, f"is not accepted; use one of: {', '.join(str(key) for key, _ in self.choices)}.")


class MomentField(forms.Field):
    """A date, or a date and time, as a moment in UTC: a date's start, or with `day_end` its last microsecond.

    Without a UTC offset the portal's time zone applies."""

    def __init__(self, *, day_end: bool = False, **kwargs) -> None:
        self.day_end = day_end
        super().__init__(**kwargs)

    def to_python(self, value: str | None) -> dt.datetime | None:
        raw = (value or "").strip()
        if not raw:
            return None
        try:
            day, moment = dt.date.fromisoformat(raw), None
        except ValueError:
            day, moment = None, self.read_datetime(raw)
        if day == dt.date.max and self.day_end:
            return None  # the last day there is: every session started before its end
        if day:
            moment = dt.datetime.combine(day + dt.timedelta(days=1 if self.day_end else 0), dt.time.min)
        try:
            moment = (moment if timezone.is_aware(moment) else timezone.make_aware(moment)).astimezone(dt.UTC)
        except OverflowError:  # the first and last days of years 1 and 9999, with an offset
            raise invalid(raw, "is out of range; use a date between the years 1 and 9999.") from None
        # A date includes that whole day: up to the microsecond before the next one starts.
        return moment - dt.timedelta(microseconds=1) if day and self.day_end else moment

    @staticmethod
    def read_datetime(raw: str) -> dt.datetime:
        try:
            return dt.datetime.fromisoformat(raw)
        except ValueError:
            # A '+' sent unencoded in a query string arrives as a space: say so, it is the usual cause.
            hint = " (a '+' in a query string must be sent as %2B)" if " " in raw else ""
            raise invalid(raw, f"is not a date; use {DATE_FORMAT_HINT}{hint}.") from None


class AgentFilter(django_filters.Filter):
    field_class = AgentIdField


class StrictChoiceFilter(django_filters.ChoiceFilter):
    field_class = StrictChoiceField


class MomentFilter(django_filters.CharFilter):
    """Documented as a plain string (CharFilter), not a date-time: it takes a bare date too."""

    field_class = MomentField


class SessionFilterSet(django_filters.FilterSet):
    """The sessions list's query parameters; filters combine."""

    agent = AgentFilter(help_text="Only the sessions of this agent (its id).")
    channel = StrictChoiceFilter(
        field_name="channel_kind",
        choices=[("twilio", "Twilio")],  # the channel kinds a session can have; only Twilio voice exists so far
        help_text="Only the sessions on this kind of channel.",
    )
    state = StrictChoiceFilter(
        choices=Session.State.choices,
        help_text="Only the sessions in this state: dialing (an outbound call not answered yet), open (a call "
        "in progress) or closed.",
    )
    direction = StrictChoiceFilter(
        choices=Session.Direction.choices,
        help_text="Only inbound calls (the customer called the agent) or outbound calls (the agent called).",
    )
    created_after = MomentFilter(
        field_name="created_at",
        lookup_expr="gte",
        help_text="Only the sessions started at or after this moment: an ISO 8601 date (that day's start) or "
        "date and time. Without a UTC offset, the portal's time zone applies; send '+' as %2B.",
    )
    created_before = MomentFilter(
        field_name="created_at",
        lookup_expr="lte",
        day_end=True,
        help_text="Only the sessions started at or before this moment: an ISO 8601 date (the whole day is "
        "included) or date and time. Without a UTC offset, the portal's time zone applies; send '+' as %2B.",
    )
