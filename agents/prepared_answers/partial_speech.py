"""Preparing an answer from partial speech: when the words heard so far are stable enough to
start one, and starting it (a PreparedAnswer row whose reply a background job makes)."""

from django.db import IntegrityError, transaction

from agents.engines import answers_instantly
from agents.engines.wording import normalise
from agents.models import Agent
from sessions_app.models import Session

from . import background
from .models import PreparedAnswer

# Speculative model requests per caller turn, at most: a long, wavering sentence must not
# fan out into a request per word.
MAX_PREPARATIONS_PER_TURN = 3


def is_stable(heard: str, *, all_stable: bool, previous: str) -> bool:
    """Whether the text heard so far is worth preparing a reply for.

    Stable enough means the recogniser marks all of it stable (no unstable part), or it came
    back unchanged in the next partial result (after normalising) — which is what the
    recogniser does once the caller stops, before the speech timeout ends the turn.
    """
    if not heard:
        return False
    return all_stable or normalise(previous) == heard


def consider_partial(session: Session, agent: Agent, turn: int, text: str, *, unstable: str, previous: str) -> bool:
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
