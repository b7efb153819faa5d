"""The reply to a final speech result, without holding a request anywhere near the channel's
timeout (Twilio gives a webhook 15 seconds).

The final result's request waits up to FIRST_WAIT seconds for the reply. When it is not ready
the channel holds the caller (Twilio: a short filler and a <Redirect> to the reply webhook)
and asks again; each later request waits up to PICKUP_WAIT seconds, until the reply is there.
A job that outlives its engine's time budget (its thread or worker was lost) is started again;
a turn still without a reply after twice that gets the fallback line, so the caller never
waits in silence for good.
"""

import time

from django.utils import timezone

from agents import agent_log
from agents.engines import Reply, answers_instantly, engine_for, time_budget
from agents.models import Agent
from sessions_app.models import Message, Session

from . import claims
from .models import PreparedAnswer

# Seconds the final result's request waits before the hold: a model usually answers within it.
FIRST_WAIT = 2.5
# Seconds each request after a hold waits; with the pause between redirects this keeps a slow
# reply's pickup within about a second of it being ready.
PICKUP_WAIT = 4.0
# Queueing and database time on top of the engine's own time budget.
GRACE = 3.0
# Holds after which the turn gets the fallback line whatever the clocks say.
MAX_HOLDS = 30

_POLL_FIRST = 0.02
_POLL_LONGEST = 0.1


def answer_final(session: Session, agent: Agent, turn: int, speech: str) -> Reply | None:
    """The final result's reply to `speech`, or None if it is not ready within FIRST_WAIT."""
    if answers_instantly(agent):
        return engine_for(agent).reply(session, speech)
    row = claims.claim_for_final(session, agent, turn, speech)
    return wait_for_reply(row.pk, FIRST_WAIT)


def pick_up(session: Session, agent: Agent, turn: int, heard: Message, holds: int) -> Reply | None:
    """After a hold: the reply to the caller's line `heard`, or None to hold on.

    `holds` counts the holds so far.
    """
    row = claims.matched_row(session.id, turn)
    if row is None:  # lost with its database row (or never claimed): make it afresh, uncounted
        row = claims.claim_for_final(session, agent, turn, heard.text, count=False)
    reply = wait_for_reply(row.pk, PICKUP_WAIT)
    if reply is not None:
        return reply
    budget = time_budget(agent) + GRACE
    waited = (timezone.now() - heard.created_at).total_seconds()
    if holds >= MAX_HOLDS or waited > 2 * budget:
        agent_log.warning(
            agent.id,
            f"No reply {waited:.0f} s after the caller spoke (its background job never finished, even "
            "when started again): the caller heard the error line.",
        )
        return Reply(agent.error_line)
    if (timezone.now() - row.matched_at).total_seconds() > budget and claims.restart(row):
        agent_log.warning(
            agent.id, f"A reply was not made within {budget:.0f} s (its thread or worker was lost): making it again."
        )
    return None


def wait_for_reply(prepared_id: int, seconds: float) -> Reply | None:
    """Poll the row until its reply is ready, for at most `seconds`."""
    deadline = time.monotonic() + seconds
    interval = _POLL_FIRST
    ready = PreparedAnswer.objects.filter(pk=prepared_id, ready=True).values_list("reply", "ends_call")
    while True:
        found = ready.first()
        if found is not None:
            return Reply(*found)
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        time.sleep(min(interval, left))
        interval = min(interval * 1.5, _POLL_LONGEST)
