"""Fault 2: the broker (Redis) is down during Start agent, Stop agent with live calls, and outbound call requests.

What must hold: no 500. Start answers and leaves the line "registering", and a sweep queues
the registration again once Redis is back (the line then goes live); Stop hangs up the live
calls itself (Twilio is told to end each one) and closes their sessions; an outbound request
is answered 503 and keeps no session.
"""

import time

from .table import Row
from .testbed import Testbed, recovery_window_seconds

LIVE_CALLS = 3
OUTBOUND_REQUESTS = 5
CALLEE = "+14155559101"
# Beyond the registration's lease, the sweeps get this long to bring the line live.
SWEEP_MARGIN_SECONDS = 90


class BrokerDown:
    row_title = "2. Broker (Redis) down: Start agent, Stop agent with live calls, outbound calls"

    def __init__(self, testbed: Testbed):
        self.testbed = testbed
        self.row = Row(self.row_title)
        self.deadline = 0.0
        self.started_at = 0.0
        self.calls = []

    def play(self) -> None:
        bed, tally = self.testbed, self.row.tally
        phone = bed.phone("stop", tally)
        for index in range(LIVE_CALLS):
            call = phone.ring(f"+1415555{3100 + index:04d}")
            phone.say(call, "what are your opening hours")
            self.calls.append(call)
        bed.progress(f"broker down: {LIVE_CALLS} calls live on the Stop agent's line; killing Redis")
        bed.deployment.redis.kill()
        try:
            self._while_down(phone)
        finally:
            bed.deployment.redis.start()
            self.deadline = time.monotonic() + recovery_window_seconds() + SWEEP_MARGIN_SECONDS
            bed.progress("broker down: Redis restarted (same port, empty)")
        for call in self.calls:  # Twilio ended the calls: their final status callbacks arrive
            phone.hang_up(call)
        phone.close()

    def _while_down(self, phone) -> None:
        bed, tally = self.testbed, self.row.tally
        began = self.started_at = time.monotonic()
        start_status = bed.admin.click(bed.seeded.agents["start"], "start", tally, "Start agent")
        start_seconds = time.monotonic() - began
        outbound = []
        for _ in range(OUTBOUND_REQUESTS):
            status, body = bed.api.place_call(bed.seeded.agents["stop"], CALLEE)
            tally.count("outbound call request", status, status == 503, str(body.get("code", "")))
            outbound.append(status)
        began = time.monotonic()
        stop_status = bed.admin.click(bed.seeded.agents["stop"], "stop", tally, "Stop agent")
        stop_seconds = time.monotonic() - began
        answers = ", ".join(f"{outbound.count(s)} x {s}" for s in sorted(set(outbound)))
        self.row.note(
            f"Start answered {start_status} in {start_seconds:.1f} s; outbound requests answered {answers} "
            f"(503 expected); Stop answered {stop_status} in {stop_seconds:.1f} s"
        )
        self._check_stop()

    def _check_stop(self) -> None:
        from sessions_app.models import Session

        bed = self.testbed
        agent_id = bed.seeded.agents["stop"]
        still_open = Session.objects.filter(agent_id=agent_id, state__in=Session.OPEN_STATES).count()
        kept = Session.objects.filter(agent_id=agent_id, direction=Session.Direction.OUTBOUND).count()
        at_twilio = {c["sid"]: c["status"] for c in bed.twilio.calls(bed.seeded.account_sid)}
        not_hung_up = sum(at_twilio.get(call.call_sid) != "completed" for call in self.calls)
        self.row.stuck += still_open + kept + not_hung_up
        self.row.note(
            f"after Stop: {LIVE_CALLS - not_hung_up}/{LIVE_CALLS} live calls hung up at Twilio, "
            f"{still_open} session(s) left open, {kept} session(s) kept for refused outbound requests"
        )

    def settled(self) -> bool:
        """The Start agent's line went live after Redis came back."""
        from channels_twilio.models import ChannelAttachment

        return self.testbed.attachment("start").line_state == ChannelAttachment.LineState.LIVE

    def conclude(self) -> None:
        from agents.models import AgentLogEntry

        bed = self.testbed
        attachment = bed.attachment("start")
        requeued = AgentLogEntry.objects.filter(
            agent_id=bed.seeded.agents["start"], message__contains="Registering it again"
        ).exists()
        if attachment.line_state != attachment.LineState.LIVE:
            self.row.stuck += 1
            self.row.note(
                f"the Start agent's line is still {attachment.line_state} "
                f"{(time.monotonic() - self.started_at) / 60:.1f} min after Start "
                f"(sweeps queued {'it again' if requeued else 'nothing'})"
            )
        else:
            how = " (queued again by the sweep)" if requeued else ""
            self.row.note(f"the Start agent's line went live after Redis came back{how}")
