"""The load: simulated Twilio calls on asyncio, and the floor view hammered the same way.

Calls are the simulator's own scripts (channels_twilio.simulator) run by its asyncio driver,
so every request is signed as Twilio signs it and every TwiML answer is read (and validated)
as Twilio reads it. `held_calls` keeps N callers on the line, each calling again when its call
ends, at a phone call's pace; `saturate` runs calls back to back with no waits.
"""

import asyncio
import random
import time
from dataclasses import dataclass, field

import aiohttp

from channels_twilio.simulator import script
from channels_twilio.simulator.call import CallState
from channels_twilio.simulator.drivers import AsyncDriver, Delivery
from channels_twilio.simulator.wire import Answer, Event, Post

# A phone call's pace: the agent's speech, the caller's words, the Gather's speech timeout.
PHONE_PACE = ("pause", "agent-speaking", "caller-speaking", "speech-timeout", "listening", "ringing")
QUESTIONS = [
    "what are your opening hours",
    "where are you located",
    "how much does it cost",
    "can I talk to a person",
    "do you have parking near the office",
]


@dataclass
class Sample:
    kind: str
    seconds: float
    ok: bool
    at: float


@dataclass
class Recorder:
    """Every request's kind, latency and outcome, and every error the simulated calls met."""

    samples: list[Sample] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    calls_started: int = 0
    calls_ended: int = 0

    def exchange(self, post: Post, answer: Answer) -> None:
        self.samples.append(Sample(post.kind, answer.seconds, answer.ok, time.monotonic()))

    def event(self, event: Event) -> None:
        # HTTP failures are counted from the samples; other errors are TwiML Twilio would refuse.
        if event.kind == "error" and "Twilio error 11200" not in event.text:
            self.refusals.append(event.text)


class Line:
    """The seeded line (seed.py) and how to reach the portal."""

    def __init__(self, seeded: dict, base_url: str):
        self.seeded = seeded
        self.delivery = Delivery(base_url, seeded["public_base_url"], seeded["auth_token"])

    def new_call(self, rng: random.Random) -> CallState:
        return CallState(
            account_sid=self.seeded["account_sid"],
            direction="inbound",
            from_number=f"+1415555{rng.randrange(10_000):04d}",
            to_number=self.seeded["number"],
            public_base_url=self.seeded["public_base_url"],
            voice_url=self.seeded["voice_url"],
            status_callback=self.seeded["status_url"],
        )


def conversation(rng: random.Random) -> list[str]:
    """What a caller says: two to four questions, then (four times in five) goodbye, else they hang up."""
    lines = rng.sample(QUESTIONS, rng.randint(2, 4))
    return [*lines, "thanks, goodbye"] if rng.random() < 0.8 else lines


def http_session(connections: int) -> aiohttp.ClientSession:
    # Close idle connections before gunicorn does (its --keep-alive is 5 s), so a request never
    # goes out on a connection the server is closing.
    connector = aiohttp.TCPConnector(limit=connections, keepalive_timeout=3, force_close=False)
    return aiohttp.ClientSession(connector=connector)


async def _one_call(http, line: Line, recorder: Recorder, rng, pace, stop_at: float, first: bool = False) -> None:
    call = line.new_call(rng)
    driver = AsyncDriver(http, line.delivery, realtime=pace, on_event=recorder.event, on_exchange=recorder.exchange)
    recorder.calls_started += 1
    await driver.run(script.ring_inbound(call))
    said = conversation(rng)
    if first:  # callers already mid-call when the step starts: later calls then begin at spread-out times
        said = said[rng.randrange(len(said)) :]
    for text in said:
        if not call.listening or time.monotonic() >= stop_at:
            break
        await driver.run(script.speak(call, text))
    if not call.ended:
        await driver.run(script.hang_up(call))
    recorder.calls_ended += 1


async def _caller(http, line, recorder, seed: int, pace, start_after: float, stop_at: float) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(start_after)
    first = True
    while time.monotonic() < stop_at:
        await _one_call(http, line, recorder, rng, pace, stop_at, first)
        first = False


async def held_calls(line: Line, calls: int, ramp: float, hold: float) -> tuple[Recorder, float, float]:
    """`calls` callers on the line at a phone call's pace; returns the recorder and the measured window."""
    recorder = Recorder()
    start = time.monotonic()
    window = (start + ramp, start + ramp + hold)
    async with http_session(calls) as http:
        await asyncio.gather(
            *(_caller(http, line, recorder, seed, PHONE_PACE, ramp * seed / calls, window[1]) for seed in range(calls))
        )
    return recorder, window[0], window[1]


async def saturate(line: Line, concurrency: int, seconds: float, warmup: float = 2.0) -> tuple[Recorder, float, float]:
    """Calls back to back with no waits: the portal's throughput on the real call mix."""
    recorder = Recorder()
    start = time.monotonic()
    stop_at = start + warmup + seconds
    async with http_session(concurrency) as http:
        await asyncio.gather(*(_caller(http, line, recorder, seed, (), 0, stop_at) for seed in range(concurrency)))
    return recorder, start + warmup, stop_at


async def floor(base_url: str, line: Line, concurrency: int, seconds: float, warmup: float = 2.0):
    """The bare view that returns fixed TwiML, posted the same signed form: the server's floor."""
    recorder = Recorder()
    call = line.new_call(random.Random(0))
    _, headers, body = line.delivery.request(Post(line.seeded["voice_url"], call.params(), twiml=True))
    floor_url = base_url + "/bench/floor"
    start = time.monotonic()
    stop_at = start + warmup + seconds

    async def client(http) -> None:
        while time.monotonic() < stop_at:
            began = time.perf_counter()
            try:
                async with http.post(floor_url, data=body, headers=headers) as response:
                    await response.read()
                    ok = response.status == 200
            except aiohttp.ClientError:
                ok = False
            recorder.samples.append(Sample("floor", time.perf_counter() - began, ok, time.monotonic()))

    async with http_session(concurrency) as http:
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
    return recorder, start + warmup, stop_at
