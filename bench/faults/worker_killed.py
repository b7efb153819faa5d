"""Fault 3: the Celery worker is killed (SIGKILL) in the middle of a number registration and of a dial.

Twilio (the stand-in) is made slow, so both tasks are waiting on their request to Twilio when
the worker's whole process group is killed; the dial's request still reaches Twilio, which
places the call, but the dead run never learns its CallSid. A new worker starts at once.
What must hold: within minutes, with no operator, the registration completes (the line goes
live) and the session gets its call — exactly one Twilio call for it, never a second dial.
"""

import time

from .table import Row
from .testbed import Testbed, recovery_window_seconds, wait_until

CALLEE = "+14155559201"
# Slower than the kill takes, faster than the portal's Twilio timeout (TWILIO_HTTP_TIMEOUT, 10 s).
TWILIO_DELAY_SECONDS = 6.0
SWEEP_MARGIN_SECONDS = 90


class WorkerKilled:
    row_title = "3. Celery worker killed (SIGKILL) during a registration and during a dial"

    def __init__(self, testbed: Testbed):
        self.testbed = testbed
        self.row = Row(self.row_title)
        self.deadline = 0.0
        self.killed_at = 0.0
        self.session_id = ""

    def play(self) -> None:
        bed, tally = self.testbed, self.row.tally
        number = bed.seeded.numbers["register"]
        bed.twilio.delay_seconds = TWILIO_DELAY_SECONDS
        try:
            bed.admin.click(bed.seeded.agents["register"], "start", tally, "Start agent")
            status, body = bed.api.place_call(bed.seeded.agents["dial"], CALLEE)
            tally.count("outbound call request", status, status == 202, str(body.get("code", "")))
            self.session_id = str(body.get("session", ""))

            def in_flight() -> bool:
                requests = bed.twilio.requests
                registering = any(r.query.get("PhoneNumber") == number for r in requests)
                dialing = any(r.method == "POST" and r.form.get("To") == [CALLEE] for r in requests)
                return registering and dialing

            if not wait_until(in_flight, 30):
                raise RuntimeError("the worker did not reach Twilio for the registration and the dial within 30 s")
            bed.deployment.kill_worker()
            self.killed_at = time.monotonic()
            bed.progress("worker killed: SIGKILL with a registration and a dial waiting on Twilio; starting a new one")
        finally:
            bed.twilio.delay_seconds = 0.0
        bed.deployment.start_worker()
        self.deadline = self.killed_at + recovery_window_seconds() + SWEEP_MARGIN_SECONDS

    def _line_live(self) -> bool:
        attachment = self.testbed.attachment("register")
        return attachment.line_state == attachment.LineState.LIVE

    def _session(self):
        from sessions_app.models import Session

        return Session.objects.filter(pk=self.session_id).first() if self.session_id else None

    def _calls_to_callee(self) -> list[dict]:
        bed = self.testbed
        return [c for c in bed.twilio.calls(bed.seeded.account_sid) if c["to"] == CALLEE]

    def settled(self) -> bool:
        session = self._session()
        return self._line_live() and session is not None and bool(session.call_sid or session.state == "closed")

    def conclude(self) -> None:
        from agents.models import AgentLogEntry

        bed = self.testbed
        minutes = (time.monotonic() - self.killed_at) / 60
        if self._line_live():
            self.row.note("registration completed (line live)")
        else:
            self.row.stuck += 1
            self.row.note(f"registration NOT completed: line still {bed.attachment('register').line_state}")
        session, calls = self._session(), self._calls_to_callee()
        if session is None or not session.call_sid:
            self.row.stuck += 1
            state = "no session" if session is None else f"{session.state}, no CallSid"
            self.row.note(f"dial NOT completed ({state})")
        elif session.call_sid not in [c["sid"] for c in calls]:
            self.row.stuck += 1
            self.row.note(f"the session's CallSid {session.call_sid} is not a call Twilio placed to the callee")
        else:
            self.row.note("dial completed: the session holds the call Twilio placed")
        if len(calls) != 1:
            self.row.stuck += abs(len(calls) - 1)
            self.row.note(f"Twilio placed {len(calls)} calls for this one session (exactly 1 expected)")
        else:
            self.row.note("exactly 1 Twilio call for the session")
        resumed = AgentLogEntry.objects.filter(
            agent_id__in=[bed.seeded.agents["register"], bed.seeded.agents["dial"]],
            level="warning",
        ).count()
        self.row.note(f"checked {minutes:.1f} min after the kill; {resumed} warning line(s) in the agents' logs")
