"""Answers prepared while the caller is still speaking: when partial speech is stable enough to
start one, and matching the final SpeechResult to what was prepared.

Each preparation is a PreparedAnswer row (session, turn, normalised text heard) whose reply a
background job makes (`agents.engines.background`). Nothing lives in process memory, so the
partial results and the final result of one turn may land on different workers.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from agents.engines import answers_instantly, background
from agents.engines.wording import normalise
from agents.models import Agent
from sessions_app.models import PreparedAnswer

# Speculative model requests per caller turn, at most: a long, wavering sentence must not
# fan out into a request per word.
MAX_PREPARATIONS_PER_TURN = 3


def is_stable(heard: str, *, all_stable: bool, previous: str) -> bool:
    """Whether the text heard so far is worth preparing a reply for.

    Stable enough means the recogniser marks all of it stable (no UnstableSpeechResult), or
    it came back unchanged in the next partial result (after normalising) — which is what
    the recogniser does once the caller stops, before the speech timeout ends the turn.
    """
    if not heard:
        return False
    return all_stable or normalise(previous) == heard


def consider_partial(session, agent: Agent, turn: int, text: str, *, unstable: str, previous: str) -> bool:
    """A new partial result of `turn` (`text`, of which `unstable` is the unstable part):
    start preparing its reply if stable enough. Cheap: no model call here, two queries at
    most. Returns whether a preparation started."""
    if answers_instantly(agent):
        return False  # its replies are made inline in no time; nothing to gain
    heard = normalise(text)
    if not is_stable(heard, all_stable=not unstable.strip(), previous=previous):
        return False
    of_turn = PreparedAnswer.objects.filter(session_id=session.id, turn=turn)
    started = list(of_turn.values_list("heard_digest", flat=True))
    if PreparedAnswer.digest(heard) in started or len(started) >= MAX_PREPARATIONS_PER_TURN:
        return False
    try:
        with transaction.atomic():
            row = PreparedAnswer.objects.create(session_id=session.id, turn=turn, heard=heard)
    except IntegrityError:
        return False  # a concurrent partial result started the same one
    background.start(row.pk, speculative=True)
    return True


def claim_for_final(session, agent: Agent, turn: int, speech: str, *, count: bool = True) -> PreparedAnswer:
    """The row that answers the final result `speech` of `turn`: the one prepared early for the
    same words (a hit), else a fresh one whose job starts now (a miss).

    Other preparations of the turn are stale from here on and are discarded. Hits and misses
    are counted once per turn, however often Twilio retries the webhook. A concurrent request
    that finishes the turn may delete the row a moment later: waiting on it then finds no
    reply, and the reply webhook serves what the transcript holds.
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
    field = "prepared_hits" if hit else "prepared_misses"
    Agent.objects.filter(pk=agent_id).update(**{field: F(field) + 1})
