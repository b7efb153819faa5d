"""Callers on an agent's line: Twilio's side of inbound calls, played by the portal's call simulator.

Each request is signed with the line's Auth Token over the public URL, as Twilio signs it, and
every TwiML answer is read (and validated) as Twilio reads it. The Twilio stand-in is told about
each call, as Twilio's call log would know it, so the portal's REST requests about the call
(hang up, fetch) find it.
"""

from channels_twilio.simulator import lines, script
from channels_twilio.simulator.call import CallState
from channels_twilio.simulator.drivers import SyncDriver
from channels_twilio.simulator.wire import Answer, Event, Post

from .clients import Tally


class Phone:
    """Rings one agent's inbound line; counts every webhook request in `tally`."""

    def __init__(self, agent_id: int, base_url: str, tally: Tally, twilio=None, acceptable=None):
        from agents.models import Agent

        self.line = lines.inbound_line(Agent.objects.get(pk=agent_id))
        self.base_url = base_url
        self.tally = tally
        self.twilio = twilio  # the Twilio stand-in, to enter each call into its call log
        # Which answers count as served: by default a 2xx, as Twilio needs on a real call.
        self.acceptable = acceptable or (lambda answer: answer.ok)
        self._drivers: dict[str, SyncDriver] = {}

    def ring(self, caller: str) -> CallState:
        """A new call from `caller`: the call webhook answers (or rejects) it."""
        call = lines.inbound_call(self.line, caller)
        if self.twilio is not None:
            self.twilio.add_call(
                self.line.snapshot["account_sid"], call.call_sid, status="ringing", to=call.to_number, from_=caller
            )
        self._run(call, script.ring_inbound(call))
        if self.twilio is not None:
            self.twilio.set_call_status(call.account_sid, call.call_sid, call.status)  # in-progress, busy…
        return call

    def say(self, call: CallState, text: str) -> None:
        if call.listening:
            self._run(call, script.speak(call, text))

    def hang_up(self, call: CallState) -> None:
        """The caller hangs up (if the call is not over): Twilio's final status callback reaches the portal."""
        if call.ended:
            return
        self._run(call, script.hang_up(call))
        if self.twilio is not None:
            self.twilio.set_call_status(call.account_sid, call.call_sid, call.status)

    def send(self, call: CallState, post: Post) -> Answer:
        """One request outside the script (a crafted one); counted like the others."""
        return self._driver(call).send(post)

    def _run(self, call: CallState, steps) -> None:
        self._driver(call).run(steps)

    def _driver(self, call: CallState) -> SyncDriver:
        if call.call_sid not in self._drivers:
            self._drivers[call.call_sid] = lines.driver(
                call, self.base_url, on_exchange=self._exchange, on_event=self._event
            )
        return self._drivers[call.call_sid]

    def _exchange(self, post: Post, answer: Answer) -> None:
        self.tally.count(f"{post.kind} webhook", answer.status, self.acceptable(answer), answer.error)

    def _event(self, event: Event) -> None:
        # HTTP failures are counted with the exchange; other errors are TwiML Twilio would refuse.
        if event.kind == "error" and "Twilio error 11200" not in event.text:
            self.tally.failed += 1
            if len(self.tally.examples) < 3:
                self.tally.examples.append(event.text[:200])

    def close(self) -> None:
        for driver in self._drivers.values():
            driver.close()
        self._drivers.clear()
