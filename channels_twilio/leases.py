"""Claims on background work that expire (leases), so a run that died never blocks the work for good.

A task claims its row (an attachment to register, a session to dial) with a conditional
UPDATE of a timestamp column, so two runs never do the work at once. The claim is a lease:
a retry hands it on and renews it; a claim older than `lease()` belongs to a run that died
(worker killed, message lost) and the next run may take it over, knowing that the dead run
may have done part of the work. The sweeps in `channels_twilio.recovery` find such rows and
queue the work again.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

# Requests to Twilio one run of a claimed task may make (a registration: find the number,
# update it, read and set its routing), each of which may wait TWILIO_HTTP_TIMEOUT to connect
# and again to read. A live run always finishes (or hands its claim on) well within its lease.
REQUESTS_PER_RUN = 6
SHORTEST_LEASE = timedelta(minutes=3)


@dataclass(frozen=True)
class Claim:
    """The right of one run to do the work. `token` renews it; `taken_over` says an earlier
    run held it and died, so part of the work may be done already."""

    token: str
    taken_over: bool = False


def lease() -> timedelta:
    """How long a claim holds without being renewed."""
    return max(SHORTEST_LEASE, timedelta(seconds=REQUESTS_PER_RUN * 2 * settings.TWILIO_HTTP_TIMEOUT))


def take(rows: QuerySet, field: str, previous: str | None = None) -> Claim | None:
    """Claim the row of `rows` through its timestamp column `field`; None when another run holds it.

    With `previous` (a retry, or work handed on by a sweep) the claim is renewed if it is still
    that one. Without, an unclaimed row is claimed, or else one whose claim expired is taken over.
    """
    now = timezone.now()
    if previous is not None:
        renewed = rows.filter(**{field: datetime.fromisoformat(previous)}).update(**{field: now})
        return Claim(now.isoformat()) if renewed else None
    if rows.filter(**{f"{field}__isnull": True}).update(**{field: now}):
        return Claim(now.isoformat())
    if rows.filter(**{f"{field}__lt": now - lease()}).update(**{field: now}):
        return Claim(now.isoformat(), taken_over=True)
    return None


def expired(field: str) -> Q:
    """Rows whose claim in `field` is held by no live run: never taken, or past its lease."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": timezone.now() - lease()})
