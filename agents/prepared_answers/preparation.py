"""The job that makes a prepared answer's reply: asking the agent's engine, for answers
prepared early from partial speech and for replies too slow to wait for in a request."""

import logging

from agents.engines import Reply, engine_for
from agents.engines.wording import normalise
from sessions_app.models import Message

from .models import PreparedAnswer

logger = logging.getLogger(__name__)


def make_reply(prepared_id: int) -> None:
    """Ask the agent's engine and store the reply on the row, unless nobody will serve it."""
    row = PreparedAnswer.objects.select_related("session__agent").filter(pk=prepared_id).first()
    if row is None or row.ready or _not_needed(row):
        return
    reply = _reply_for(row)
    # Two runs of one row (a redelivered task, a restarted lost job) keep the first reply.
    PreparedAnswer.objects.filter(pk=row.pk, ready=False).update(
        reply=reply.text, ends_call=reply.ends_call, ready=True
    )


def _not_needed(row: PreparedAnswer) -> bool:
    """The call is over, the turn was answered, or newer partial speech superseded the row."""
    session = row.session
    over = session.is_closed or session.agent is None or session.turn >= row.turn
    superseded = (
        row.matched_at is None
        and PreparedAnswer.objects.filter(session_id=row.session_id, turn=row.turn, pk__gt=row.pk).exists()
    )
    if not (over or superseded):
        return False
    # The final result may claim the row this very moment; then it is needed after all.
    discarded = PreparedAnswer.objects.filter(pk=row.pk, matched_at__isnull=True).delete()[0]
    return bool(discarded) or over


def _reply_for(row: PreparedAnswer) -> Reply:
    session, agent = row.session, row.session.agent
    try:
        return engine_for(agent).reply(session, _caller_words(row))
    except Exception:
        # Engines answer their own failures with the error line; this is a bug, still never silence.
        logger.exception("engine of agent=%s failed on prepared answer %s", agent.pk, row.pk)
        return Reply(agent.error_line)


def _caller_words(row: PreparedAnswer) -> str:
    """The caller's own words when the final result is written (casing and punctuation help a
    model), else the normalised text heard so far."""
    line = Message.objects.filter(session_id=row.session_id, key=f"caller:{row.turn}").values_list("text", flat=True)
    text = line.first()
    return text if text is not None and normalise(text) == row.heard else row.heard
