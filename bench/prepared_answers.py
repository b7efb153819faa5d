"""Benchmark: answers prepared from partial speech results, against answers made after the
caller finished.

Drives the real webhooks in-process (Django test client, requests signed like Twilio) for a
script of caller utterances, once with partial results (as Twilio sends them) and once
without, against the local OpenAI-compatible stand-in with a fixed model delay. Prints, per
utterance and overall, whether the prepared answer was served (hit) and the time from the
final speech result to the agent's answer — including, for a reply that was not ready, the
pause Twilio plays before following the <Redirect>.

    .venv/bin/python bench/prepared_answers.py [--model-delay 1.5] [--speech-timeout 2]

Runs on a throwaway SQLite database with no Celery broker, so replies are made in the web
process's thread pool (see agents/prepared_answers/background.py).
"""

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_BASE_URL = "https://bench.example.test"

# (what the caller says, the final SpeechResult Twilio posts). In the last three the
# recogniser rewrites the words in its final result, so the prepared answer does not match.
UTTERANCES = [
    ("what are your opening hours", "What are your opening hours?"),
    ("where are you located", "Where are you located?"),
    ("how much does the basic plan cost", "How much does the basic plan cost?"),
    ("can I talk to a person", "Can I talk to a person?"),
    ("I want to cancel my order", "I want to cancel my order."),
    ("do you deliver on weekends", "Do you deliver on weekends?"),
    ("what's the weather like in the city", "What's the weather like in the city?"),
    ("I'd like to book a table for two", "I'd like to book a table for 2."),
    ("my order number is five five one", "My order number is 551."),
    ("is the shop open on the fourth", "Is the shop open on the 4th?"),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-delay", type=float, default=1.5, help="seconds the model takes per reply")
    parser.add_argument(
        "--speech-timeout",
        type=float,
        default=None,
        help="seconds of silence before Twilio posts the final result (default: the Gather's speechTimeout)",
    )
    parser.add_argument("--word-gap", type=float, default=0.15, help="seconds between partial results")
    return parser.parse_args()


def set_up_django(database: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "flametree_portal.settings",
            "DATABASE_URL": f"sqlite:///{database}",
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "CELERY_BROKER_URL": "",
            "LOG_LEVEL": "ERROR",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


class Line:
    """A running LLM agent on a Twilio line, and a signed client for its webhooks."""

    def __init__(self, name: str, llm_base_url: str):
        from django.test import Client
        from django.utils import timezone

        from agents.models import Agent
        from channels_twilio import snapshot
        from channels_twilio.models import ChannelAttachment, TwilioConnection

        token = secrets.token_hex(16)
        self.connection = TwilioConnection.objects.create(
            name=name,
            account_sid="AC" + secrets.token_hex(16),
            auth_token=token,
            phone_number=f"+1415555{secrets.randbelow(10000):04d}",
        )
        self.agent = Agent.objects.create(
            name=name,
            state=Agent.State.RUNNING,
            engine=Agent.Engine.LLM,
            llm_base_url=llm_base_url,
            llm_model="bench-model",
            llm_timeout_seconds=30,
        )
        # Running as Start agent leaves it, without registering the number on Twilio.
        ChannelAttachment.objects.create(
            agent=self.agent,
            connection=self.connection,
            inbound=True,
            snapshot=snapshot.settings_of(self.connection),
            snapshot_connection=self.connection,  # webhooks find a running line through it
            snapshot_auth_token=token,
            snapshot_taken_at=timezone.now(),
            line_state=ChannelAttachment.LineState.LIVE,
        )
        self.token = token
        self.client = Client()
        self.call_sid = "CA" + secrets.token_hex(16)
        self.twiml = None
        self.sequence = 0

    def post(self, url: str, **params):
        from twilio.request_validator import RequestValidator

        params = {"CallSid": self.call_sid, "From": "+15005550006", "To": self.connection.phone_number, **params}
        signature = RequestValidator(self.token).compute_signature(url, params)
        response = self.client.post(
            url.removeprefix(PUBLIC_BASE_URL),
            urlencode(params),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=signature,
        )
        assert response.status_code in (200, 204), response.status_code
        if response.status_code == 200:
            self.twiml = ElementTree.fromstring(response.content)  # noqa: S314 (the portal's own TwiML)
        return response

    def dial(self) -> None:
        from channels_twilio import webhook_urls

        self.post(webhook_urls.voice_url(self.connection.webhook_key), CallStatus="ringing")

    def partial(self, text: str) -> None:
        self.sequence += 1
        gather = self.twiml.find("Gather")
        self.post(gather.get("partialResultCallback"), UnstableSpeechResult=text, SequenceNumber=str(self.sequence))

    def final(self, text: str) -> tuple[float, str]:
        """Post the final result and follow redirects as Twilio does; (seconds to the answer, answer)."""
        started = time.monotonic()
        self.post(self.twiml.find("Gather").get("action"), SpeechResult=text, Confidence="0.9")
        while (redirect := self.twiml.find("Redirect")) is not None:
            pause = self.twiml.find("Pause")
            time.sleep(int(pause.get("length", "1")) if pause is not None else 0)
            self.post(redirect.text)
        took = time.monotonic() - started
        return took, " ".join(say.text or "" for say in self.twiml.iter("Say"))

    def hits(self) -> int:
        self.agent.refresh_from_db()
        return self.agent.prepared_hits


def run(line: Line, *, with_partials: bool, word_gap: float, speech_timeout: float) -> list[tuple[bool, float]]:
    """One call through every utterance; per utterance (served from a preparation?, seconds)."""
    line.dial()
    results = []
    for spoken, final_text in UTTERANCES:
        hits_before = line.hits()
        if with_partials:
            words = spoken.split()
            for n in range(1, len(words) + 1):
                line.partial(" ".join(words[:n]))
                time.sleep(word_gap)
            line.partial(spoken)  # the recogniser settles once the caller stops
            time.sleep(speech_timeout)
        took, _ = line.final(final_text)
        results.append((line.hits() > hits_before, took))
    return results


def report(with_prep: list[tuple[bool, float]], without: list[tuple[bool, float]], args) -> None:
    print(
        f"\nAnswers prepared early — model delay {args.model_delay:g} s, speech timeout "
        f"{args.speech_timeout:g} s, {len(UTTERANCES)} utterances\n"
    )
    width = max(len(final) for _, final in UTTERANCES)
    print(f"{'final speech result':<{width}}  {'with preparation':>20}  {'without':>10}")
    for (_, final), (hit, took), (_, bare) in zip(UTTERANCES, with_prep, without, strict=True):
        print(f"{final:<{width}}  {'hit' if hit else 'miss':>6} {took * 1000:>10,.0f} ms  {bare * 1000:>7,.0f} ms")
    hits = sum(hit for hit, _ in with_prep)
    print(f"\nhit rate: {hits}/{len(with_prep)} = {100 * hits / len(with_prep):.0f}%  (without preparation: 0%)")
    print(f"\nfinal speech → answer   {'median':>9} {'p90':>9} {'max':>9}")
    for label, results in (("with preparation", with_prep), ("without", without)):
        times = sorted(took * 1000 for _, took in results)
        p90 = times[min(len(times) - 1, round(0.9 * (len(times) - 1)))]
        print(f"{label:<22}  {statistics.median(times):>6,.0f} ms {p90:>6,.0f} ms {times[-1]:>6,.0f} ms")


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-prepared-") as tmp:
        set_up_django(Path(tmp) / "bench.sqlite3")
        from agents.prepared_answers import background
        from channels_twilio import twiml
        from tests.llm_standin import LlmStandIn

        if args.speech_timeout is None:
            args.speech_timeout = float(twiml.SPEECH_TIMEOUT)
        standin = LlmStandIn().start()
        standin.delay = args.model_delay
        try:
            with_prep = run(
                Line("With partial results", standin.base_url),
                with_partials=True,
                word_gap=args.word_gap,
                speech_timeout=args.speech_timeout,
            )
            without = run(
                Line("Without partial results", standin.base_url), with_partials=False, word_gap=0, speech_timeout=0
            )
        finally:
            standin.release()
            background.wait_until_idle(10)
            standin.stop()
        report(with_prep, without, args)


if __name__ == "__main__":
    main()
