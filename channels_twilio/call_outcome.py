"""What became of a call just placed (admin's Place a call, the calls API): dialing, or why it already ended.

With tasks run in-process (no broker), Twilio's refusal is known before the request returns: the
session is already closed, and saying "dialing" then would contradict the session's own page.
"""

from dataclasses import dataclass

from sessions_app.models import Session


@dataclass(frozen=True)
class CallOutcome:
    state: str  # the session's state right after the request: dialing, open or closed
    close_reason: str = ""  # a Session.CloseReason value, once closed
    detail: str = ""  # what happened, in words an administrator can act on (closed calls only)

    @property
    def ended(self) -> bool:
        return self.state == Session.State.CLOSED


def outcome(session_id) -> CallOutcome:
    """The session's state as it is now; for a call that already ended, its reason and details."""
    session = Session.objects.only("state", "close_reason", "close_detail").get(pk=session_id)
    if session.state != Session.State.CLOSED:
        return CallOutcome(state=session.state)
    reason = session.get_close_reason_display() or "Closed"
    detail = f"{reason}: {session.close_detail}" if session.close_detail else f"{reason}."
    return CallOutcome(state=session.state, close_reason=session.close_reason, detail=detail)
