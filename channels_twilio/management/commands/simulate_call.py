"""`simulate_call`: talk to an agent over its real webhooks, with this command playing Twilio's part.

The portal must be running (`bin/run-portal`, or gunicorn): the command sends Twilio's signed
requests to it over HTTP, prints the conversation as it happens, and leaves a session in
Sessions like a real call.
"""

import sys

import requests
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from agents.models import Agent
from channels_twilio import outbound
from channels_twilio.simulator import lines as portal_lines
from channels_twilio.simulator import script
from channels_twilio.simulator.call import CallState
from channels_twilio.simulator.drivers import SyncDriver
from channels_twilio.simulator.wire import Answer, Event, Post

HANG_UP_WORDS = {"/hangup", "/bye", "/quit"}
REALTIME_REASONS = ("pause", "agent-speaking", "caller-speaking", "speech-timeout", "listening", "ringing")


class Command(BaseCommand):
    help = (
        "Simulate a phone call to (or from) an agent through the running portal's Twilio webhooks. "
        "Give the caller's lines as arguments, or type them (empty line: stay silent; /hangup or Ctrl-D: hang up)."
    )

    def add_arguments(self, parser):
        parser.add_argument("said", nargs="*", metavar="line", help="What the caller says, one argument per turn.")
        parser.add_argument("--agent", help="Agent name or id (default: the one agent whose line answers calls).")
        parser.add_argument("--connection", type=int, help="Twilio connection id, when the agent has several.")
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the portal listens (requests are signed over PUBLIC_BASE_URL, as Twilio signs them).",
        )
        parser.add_argument(
            "--from", dest="caller", default=portal_lines.TEST_CALLER, help="The caller's number (inbound)."
        )
        parser.add_argument("--outbound", action="store_true", help="Simulate an outbound call placed by the agent.")
        parser.add_argument("--to", default=portal_lines.TEST_CALLER, help="The number the agent calls (--outbound).")
        parser.add_argument(
            "--outcome",
            choices=["answered", "busy", "no-answer", "failed"],
            default="answered",
            help="How the outbound call ends up (--outbound).",
        )
        parser.add_argument(
            "--realtime", action="store_true", help="Take a phone call's time (speech, pauses, silences)."
        )

    def handle(self, *args, said: list[str], **options):
        self.verbosity = options["verbosity"]
        self.interactive = not said and sys.stdin.isatty()
        agent = self._agent(options["agent"], options["outbound"])
        _check_portal_answers(options["base_url"])
        try:
            if options["outbound"]:
                call = portal_lines.outbound_call(agent, options["to"], options["connection"])
            else:
                line = portal_lines.inbound_line(agent, options["connection"])
                call = portal_lines.inbound_call(line, options["caller"])
            driver = portal_lines.driver(
                call,
                options["base_url"],
                realtime=REALTIME_REASONS if options["realtime"] else ("pause",),
                on_event=self._show,
                on_exchange=self._trace,
            )
        except (portal_lines.LineUnavailable, outbound.CallRefused) as refusal:
            raise CommandError(str(refusal)) from None
        self._intro(agent, call, options["base_url"])
        self.errors = 0
        try:
            if options["outbound"]:
                driver.run(script.ring_outbound(call, options["outcome"]))
            else:
                driver.run(script.ring_inbound(call))
            self._converse(driver, call, said)
        finally:
            driver.close()
        self._outro(call, options["base_url"])
        if self.errors:
            raise CommandError(f"The call met {self.errors} error(s): see above.")

    def _agent(self, wanted: str | None, outbound_call: bool) -> Agent:
        if wanted:
            match = Q(name=wanted) | (Q(pk=int(wanted)) if wanted.isdigit() else Q())
            agent = Agent.objects.filter(match).first()
            if agent is None:
                raise CommandError(f"No agent {wanted!r}. Agents: {_names(Agent.objects.all())}")
            return agent
        if outbound_call:
            candidates = Agent.objects.filter(state=Agent.State.RUNNING, attachments__isnull=False)
        else:
            candidates = Agent.objects.filter(attachments__inbound=True, attachments__snapshot__isnull=False)
        candidates = list(candidates.distinct())
        if len(candidates) == 1:
            return candidates[0]
        demo = next((a for a in candidates if a.name == "Demo agent"), None)
        if demo:
            return demo
        if not candidates:
            raise CommandError(
                "No running agent answers calls: start one (AI Agents > the agent > Start agent), or run "
                "bin/run-portal, which prepares the demo agent."
            )
        raise CommandError(f"Several agents answer calls; pick one with --agent: {_names(candidates)}")

    def _converse(self, driver: SyncDriver, call: CallState, said: list[str]) -> None:
        turns = iter(said) if said else _typed_lines(self.interactive, self.stdout)
        while call.listening:
            text = next(turns, None)
            if text is None or text.strip().lower() in HANG_UP_WORDS:
                break
            driver.run(script.speak(call, text) if text.strip() else script.stay_silent(call))
        if not call.ended:
            driver.run(script.hang_up(call))

    def _intro(self, agent: Agent, call: CallState, base_url: str) -> None:
        direction = (
            f"{agent.name} calls {call.to_number}"
            if call.direction != "inbound"
            else (f"{call.from_number} calls {agent.name} at {call.to_number}")
        )
        self.stdout.write(self.style.MIGRATE_HEADING(f"{direction} — Twilio's side simulated against {base_url}"))
        if self.interactive:
            self.stdout.write("  (type what the caller says; empty line: stay silent; /hangup or Ctrl-D: hang up)")

    def _show(self, event: Event) -> None:
        if event.kind == "agent":
            self.stdout.write(f"  agent › {event.text}")
        elif event.kind == "caller":
            if not self.interactive:  # typed lines are on the screen already
                self.stdout.write(f"  you   › {event.text}")
        elif event.kind == "silence":
            self.stdout.write("  you   › (silence)")
        elif event.kind == "error":
            self.errors += 1
            self.stdout.write(self.style.ERROR(f"  ✗ {event.text}"))
        elif event.kind == "ended":
            self.stdout.write(self.style.WARNING(f"  ── call ended: {event.text} ({event.data['status']})"))
        elif self.verbosity >= 2 or event.kind in ("ringing", "answered", "note"):
            self.stdout.write(f"  · {event.kind}: {event.text}".rstrip(": "))

    def _trace(self, post: Post, answer: Answer) -> None:
        if self.verbosity >= 2:
            outcome = answer.status or answer.error
            self.stdout.write(f"    ⇢ POST {post.kind} → {outcome} ({answer.seconds * 1000:.0f} ms)")

    def _outro(self, call: CallState, base_url: str) -> None:
        session = portal_lines.session_of(call)
        if session is None:
            self.stdout.write("No session was opened for this call.")
            return
        reason = f", {session.get_close_reason_display().lower()}" if session.close_reason else ""
        url = f"{base_url.rstrip('/')}/admin/sessions_app/session/{session.pk}/change/"
        self.stdout.write(self.style.SUCCESS(f"Session {session.pk} ({session.state}{reason}): {url}"))


def _check_portal_answers(base_url: str) -> None:
    try:
        requests.head(base_url.rstrip("/") + "/admin/login/", timeout=5, allow_redirects=False)
    except requests.RequestException as exc:
        raise CommandError(
            f"The portal does not answer at {base_url} ({type(exc).__name__}). Is it running? Start it with "
            "bin/run-portal, or pass --base-url with the address it listens at."
        ) from None


def _typed_lines(interactive: bool, out):
    while True:
        if interactive:
            out.write("  you   › ", ending="")
            out.flush()
        line = sys.stdin.readline()
        if not line:
            return
        yield line.rstrip("\n")


def _names(agents) -> str:
    return ", ".join(f"{a.name!r} (id {a.pk})" for a in agents) or "none"
