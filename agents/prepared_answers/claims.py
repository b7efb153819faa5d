"""Which prepared answer serves the final result of a turn: the one prepared early for the same
words (a hit) or a fresh one (a miss), counted on the agent; a lost job started again; the
turn's other preparations discarded."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from agents.engines.wording import normalise
from agents.models import Agent
from sessions_app.models import Session

from . import background
from .models import PreparedAnswer


def claim_for_final(session: Session, agent: Agent, turn: int, speech: str, *, count: bool = True) -> PreparedAnswer:
    """The row that answers the final result `speech` of `turn`: the one prepared early for the
    same words (a hit), else a fresh one whose job starts now (a miss).

    Other preparations of the turn are stale from here on and are discarded. Hits and misses
    are counted once per turn, however often the channel retries the request. A concurrent
    request that finishes the turn may delete the row a moment later: waiting on it then finds
    no reply, and the next request serves what the transcript holds.
    """
    heard = normalise(speech)
    same_words = PreparedAnswer.objects.filter(
        session_id=session.id, turn=turn, heard_digest=PreparedAnswer.digest(heard)
    )
    row = same_words.first()
    if row is None:
        row, created = _create_claimed(same_words, session.id, turn, heard)
        if created:
            if count:
                _count(agent.id, hit=False)
            background.start(row.pk, speculative=False)
    # Prepared from partial speech and not claimed yet: a hit. A conditional UPDATE, so two
    # requests for the same words (a retried webhook) count it once.
    now = timezone.now()
    hit = PreparedAnswer.objects.filter(pk=row.pk, matched_at__isnull=True).update(matched_at=now)
    if row.matched_at is None:  # claimed just now: here (a hit) or by a concurrent request
        row.matched_at = now
    if hit and count:
        _count(agent.id, hit=True)
    discard_turn(session.id, turn, keep=row.pk)
    return row


def _create_claimed(same_words, session_id, turn: int, heard: str) -> tuple[PreparedAnswer, bool]:
    """A claimed row for `heard`, created now (True); or the one a concurrent request created (False)."""
    for _ in range(5):
        try:
            with transaction.atomic():
                row = PreparedAnswer.objects.create(
                    session_id=session_id, turn=turn, heard=heard, matched_at=timezone.now()
                )
            return row, True
        except IntegrityError:
            existing = same_words.first()
            if existing is not None:
                return existing, False
            # Created and already discarded by a request that finished the turn: try again.
    raise RuntimeError(f"could not claim a prepared answer of turn {turn} in session {session_id}")


def matched_row(session_id, turn: int) -> PreparedAnswer | None:
    """The row a final result of `turn` claimed, if any."""
    return (
        PreparedAnswer.objects.filter(session_id=session_id, turn=turn, matched_at__isnull=False)
        .order_by("-matched_at")
        .first()
    )


def restart(row: PreparedAnswer) -> bool:
    """Start the job of a claimed row again (its thread or worker was lost); once per deadline."""
    claimed = PreparedAnswer.objects.filter(pk=row.pk, ready=False, matched_at=row.matched_at).update(
        matched_at=timezone.now()
    )
    if claimed:
        background.start(row.pk, speculative=False)
    return bool(claimed)


def discard_turn(session_id, turn: int, keep: int | None = None) -> None:
    """Drop the preparations of `turn` and earlier ones (but `keep`); a job still running for
    one of them finds its row gone and its reply is thrown away."""
    PreparedAnswer.objects.filter(session_id=session_id, turn__lte=turn).exclude(pk=keep).delete()


def _count(agent_id: int, *, hit: bool) -> None:
    """The agent's counters of answers served from a preparation (hits) or made fresh (misses)."""
    field = "prepared_hits" if hit else "prepared_misses"
    Agent.objects.filter(pk=agent_id).update(**{field: F(field) + 1})
