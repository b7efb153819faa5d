"""Max opened sessions: a session opens only while its agent has room for it.

The agent row is locked while its open sessions are counted and the new one written, so a burst
of simultaneous calls can never exceed the limit (on SQLite the IMMEDIATE transaction serialises
the same way).
"""

from dataclasses import dataclass

from django.db import transaction

from sessions_app import services
from sessions_app.models import Session

from .models import Agent


@dataclass(frozen=True)
class Opening:
    """The outcome of opening a session: the session, and whether the agent had room for it."""

    session: Session | None  # None only for a refusal that was not recorded (record_rejection=False)
    accepted: bool
    created: bool


def open_session(
    *,
    agent_id: int,
    direction: str,
    from_number: str,
    to_number: str,
    channel_kind: str = "twilio",
    call_sid: str | None = None,
    connection_id: int | None = None,
    attachment_id: int | None = None,
    state: str = Session.State.OPEN,
    record_rejection: bool = True,
) -> Opening:
    """Open a session unless the agent already holds Max opened sessions.

    A call over the limit is recorded as a closed session (reason rejected-over-limit) so it
    shows in Sessions; with `record_rejection=False` (an outbound request, refused with an error
    and never dialed) nothing is written and the Opening has no session. A call already opened
    (Twilio retried its webhook) gets its first outcome again.
    """
    with transaction.atomic():
        agent = Agent.objects.select_for_update().only("id", "name", "max_opened_sessions").get(pk=agent_id)
        if call_sid and (existing := services.find_call(channel_kind, call_sid)):
            return Opening(existing, existing.close_reason != Session.CloseReason.REJECTED_OVER_LIMIT, created=False)
        accepted = services.count_open(agent_id) < agent.max_opened_sessions
        if not accepted and not record_rejection:
            return Opening(None, accepted=False, created=False)
        session = services.create_session(
            agent_id=agent_id,
            agent_name=agent.name,
            channel_kind=channel_kind,
            direction=direction,
            from_number=from_number,
            to_number=to_number,
            call_sid=call_sid,
            connection_id=connection_id,
            attachment_id=attachment_id,
            state=state,
            rejected=not accepted,
        )
    return Opening(session, accepted, created=True)
