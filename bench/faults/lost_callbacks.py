"""Fault 1: calls whose final status callback never arrives.

An agent with Max opened sessions 5 takes 5 calls; each ends at Twilio (the stand-in's call log
says completed) but its `completed` callback is lost, so the sixth caller gets a busy signal.
The calls are then made an hour old (their sessions' and transcripts' times moved back an hour,
as the issue's trial did, instead of waiting for the reconciliation's quiet period) and the
periodic sweeps are queued. What must hold: the reconciliation asks Twilio (Calls fetch) and
closes every one with Twilio's final status (completed), and the next caller is answered again.
"""

import time
from datetime import timedelta

from .table import Row
from .testbed import Testbed, wait_until

CALLS = 5  # the agent's Max opened sessions (seed.py)
AGE = timedelta(hours=1)
SWEEP_EVERY_SECONDS = 5
CLOSE_WITHIN_SECONDS = 60


class LostCallbacks:
    row_title = "1. Final status callbacks lost (5 calls; agent limit 5)"

    def __init__(self, testbed: Testbed):
        self.testbed = testbed
        self.row = Row(self.row_title)
        self.deadline = 0.0

    def play(self) -> None:
        bed, tally = self.testbed, self.row.tally
        phone = bed.phone("lost", tally)
        calls = []
        for index in range(CALLS):
            call = phone.ring(f"+1415555{3300 + index:04d}")
            phone.say(call, "what are your opening hours")
            calls.append(call)
        for call in calls:  # the caller hangs up; Twilio's completed callback never reaches the portal
            bed.twilio.set_call_status(call.account_sid, call.call_sid, "completed")
        sids = [call.call_sid for call in calls]
        extra = phone.ring("+14155553399")
        self.row.note(f"with the {CALLS} sessions open, the next caller got {self._outcome(extra)}")
        phone.hang_up(extra)
        self._age(sids)
        bed.progress(f"lost callbacks: {CALLS} calls ended at Twilio without a final callback; sweeping")
        seconds = self._sweep_until_closed(sids)
        self._report_closed(sids, seconds)
        after = phone.ring("+14155553398")
        outcome = self._outcome(after)
        self.row.note(f"after the sweep the next caller got {outcome}")
        if not (after.answered and not after.ended):
            self.row.stuck += 1  # the limit is still held by the lost calls
        else:
            phone.hang_up(after)
        phone.close()

    @staticmethod
    def _outcome(call) -> str:
        if call.ended:
            return f"'{call.status}' (rejected)" if not call.answered else f"'{call.status}'"
        return "the greeting (answered)" if call.answered else "no answer"

    def _age(self, sids: list[str]) -> None:
        from django.db.models import F

        from sessions_app.models import Message, Session

        Session.objects.filter(call_sid__in=sids).update(
            created_at=F("created_at") - AGE, answered_at=F("answered_at") - AGE
        )
        Message.objects.filter(session__call_sid__in=sids).update(created_at=F("created_at") - AGE)

    def _open(self, sids: list[str]) -> int:
        from sessions_app.models import Session

        return Session.objects.filter(call_sid__in=sids, state__in=Session.OPEN_STATES).count()

    def _sweep_until_closed(self, sids: list[str]) -> float:
        began = time.monotonic()
        deadline = began + CLOSE_WITHIN_SECONDS
        while time.monotonic() < deadline:
            self.testbed.deployment.run_sweeps()
            if wait_until(lambda: self._open(sids) == 0, SWEEP_EVERY_SECONDS):
                break
        return time.monotonic() - began

    def _report_closed(self, sids: list[str], seconds: float) -> None:
        from sessions_app.models import Session

        bed = self.testbed
        still_open = self._open(sids)
        reasons = list(Session.objects.filter(call_sid__in=sids, state="closed").values_list("close_reason", flat=True))
        untrue = sum(reason != "completed" for reason in reasons)  # Twilio's status of every one of these calls
        self.row.stuck += still_open + untrue
        by_reason = ", ".join(f"{reasons.count(r)} x {r}" for r in sorted(set(reasons))) or "none"
        paths = {f"/Calls/{sid}.json" for sid in sids}
        fetched = sum(r.method == "GET" and r.path[r.path.rfind("/Calls/") :] in paths for r in bed.twilio.requests)
        self.row.note(
            f"sweeps closed {CALLS - still_open}/{CALLS} within {seconds:.1f} s (close reasons: {by_reason}); "
            f"{fetched} Calls fetch request(s) to Twilio"
        )
