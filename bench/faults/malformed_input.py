"""Fault 5: signed requests with malformed values, and real caller IDs that are not phone numbers.

Every request is signed with the line's Auth Token, so it passes the signature check and reaches
the parsing behind it. On the LLM agent's line: callers from SIP and Voice SDK (`client:`)
identities, a caller who says 3,000 characters in one turn, then crafted requests to each
webhook (NUL in From / To / CallSid / speech, SequenceNumber above 2^31−1, huge or negative
`turn` and `wait`, a `session` that is not a UUID, unknown CallStatus…) and a seeded batch of
random hostile values. What must hold: 0 answers 5xx (a 4xx naming the field is right for an
impossible value), and the real callers and the long speech are answered.
"""

import random
import secrets

from channels_twilio.simulator.call import CallState
from channels_twilio.simulator.wire import Answer, Post

from .clients import server_error
from .table import Row
from .testbed import Testbed

CALLERS = [
    "sip:+14155550199@example.sip.twilio.com",
    "client:support-agent-7f3c9a2e-5b1d-4e8a-9c6f-2d4b8e1a3f5c",
    "sip:alice.long-softphone-user-name@flametree-customer-support.sip.us1.twilio.com",
]
LONG_SPEECH_CHARACTERS = 3000
FUZZ_PER_WEBHOOK = 40
FUZZ_SEED = 2026
HOSTILE = [
    "",
    "\x00",
    "+1415\x00555",
    "\x1b[31m\x07",
    "9" * 40,
    "-1",
    "2147483648",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "٣",
    " 3",
    "\u202eevil",
    "ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ",
    "x" * 5000,
    "sip:" + "a" * 300 + "@example.sip.twilio.com",
    "client:" + "b" * 300,
    "CA" + "0" * 31 + "\x00",
    "<Response><Hangup/></Response>",
    "' OR 1=1 --",
    "%00",
]
FIELDS = [
    "CallSid",
    "From",
    "To",
    "CallStatus",
    "SpeechResult",
    "StableSpeechResult",
    "UnstableSpeechResult",
    "SequenceNumber",
    "Confidence",
    "CallDuration",
    "AccountSid",
]


def _sid() -> str:
    return "CA" + secrets.token_hex(16)


def long_speech() -> str:
    words = ["please", "tell", "me", "about", "your", "opening", "hours", "and", "where", "the", "office", "is"]
    text, index = [], 0
    while len(" ".join(text)) < LONG_SPEECH_CHARACTERS:
        text.append(words[index % len(words)])
        index += 1
    return " ".join(text)[:LONG_SPEECH_CHARACTERS].rstrip()


class MalformedInput:
    row_title = "5. Signed malformed input (NUL, huge numbers, 3,000-char speech, SIP / client: callers)"

    def __init__(self, testbed: Testbed):
        self.testbed = testbed
        self.row = Row(self.row_title)
        self.deadline = 0.0
        self.answers: dict[str, int] = {}
        self.unanswered = 0

    def _judge(self, answer: Answer) -> bool:
        kind = "no answer" if answer.status == 0 else f"{answer.status // 100}xx"
        self.answers[kind] = self.answers.get(kind, 0) + 1
        return not server_error(answer.status)

    def play(self) -> None:
        bed = self.testbed
        phone = bed.phone("input", self.row.tally, acceptable=self._judge)
        calls = []
        for caller in CALLERS:
            call = phone.ring(caller)
            if call.listening:
                calls.append(call)
            else:
                self.unanswered += 1
                self.row.note(f"caller {caller[:40]}… not answered ({call.status})")
        if calls:
            talker = calls[0]
            phone.say(talker, long_speech())
            if not talker.listening:
                self.unanswered += 1
                self.row.note(f"the {LONG_SPEECH_CHARACTERS}-character turn was not answered ({talker.status})")
            key = bed.attachment("input").snapshot_connection.webhook_key
            session = self._session_id(talker)
            posts = crafted(talker, key, session) + fuzzed(talker, key, session, random.Random(FUZZ_SEED))
            for post in posts:
                phone.send(talker, post)
        for call in calls:
            if not call.ended:
                phone.hang_up(call)
        phone.close()
        self.row.stuck += self.unanswered
        answers = ", ".join(f"{count} x {kind}" for kind, count in sorted(self.answers.items()))
        self.row.note(f"answers: {answers} (a 4xx names the impossible value)")

    @staticmethod
    def _session_id(call: CallState) -> str:
        from sessions_app.models import Session

        return str(Session.objects.filter(call_sid=call.call_sid).values_list("pk", flat=True).first())


def crafted(call: CallState, key, session: str) -> list[Post]:
    """The issue's examples, one request each."""
    from channels_twilio import webhook_urls as urls

    nul_sid = _sid()[:20] + "\x00" + "0" * 13
    voice = urls.voice_url(key)
    gather = urls.gather_url(key, session, 1)
    partial = urls.partial_url(key, session, 2)
    status = urls.status_url(key)
    huge = str(2**31)
    posts = [
        Post(voice, call.params(CallSid=_sid(), From="+1415\x00555" + "0123"), twiml=True),
        Post(voice, call.params(CallSid=_sid(), To=call.to_number + "\x00"), twiml=True),
        Post(voice, call.params(CallSid=nul_sid), twiml=True),
        Post(voice, call.params(CallSid=_sid() + "f" * 100), twiml=True),
        Post(urls.fallback_url(key), call.params(From="\x00", ErrorCode="99999999999999999999"), twiml=True),
        Post(partial, call.params(SequenceNumber=huge, StableSpeechResult="hello"), twiml=False),
        Post(partial, call.params(SequenceNumber="9" * 30, UnstableSpeechResult="hi"), twiml=False),
        Post(partial, call.params(SequenceNumber="-5", StableSpeechResult="x" * LONG_SPEECH_CHARACTERS), twiml=False),
        Post(gather, call.params(SpeechResult="nul \x00 in speech"), twiml=True),
        Post(gather, call.params(SpeechResult=long_speech() + "\x00"), twiml=True),
        Post(status, call.params(CallStatus="completed", CallSid=nul_sid), twiml=False),
        Post(status, call.params(CallStatus="exploded\x00", SequenceNumber=huge), twiml=False),
        Post(status, call.params(CallStatus="completed", CallDuration="9" * 40, CallSid=_sid()), twiml=False),
    ]
    for turn in ("9" * 30, "-1", "abc", "1e5", "٣", str(2**31)):
        posts.append(Post(urls.gather_url(key, session, turn), call.params(SpeechResult="hello"), twiml=True))
        posts.append(Post(urls.partial_url(key, session, turn), call.params(SequenceNumber="1"), twiml=False))
        posts.append(Post(urls.reply_url(key, session, turn, wait=turn), call.params(), twiml=True))
    for bad_session in ("not-a-uuid", "", "00000000-0000-0000-0000-000000000000", "\x00"):
        posts.append(Post(urls.gather_url(key, bad_session, 1), call.params(SpeechResult="hello"), twiml=True))
    return posts


def fuzzed(call: CallState, key, session: str, rng: random.Random) -> list[Post]:
    """FUZZ_PER_WEBHOOK requests per webhook, each with one to three fields (or query values) made hostile."""

    def query_value(name: str, normal: str) -> str:
        return rng.choice(HOSTILE) if rng.random() < 0.3 else normal

    posts = []
    for _ in range(FUZZ_PER_WEBHOOK):
        for kind in ("voice", "fallback", "gather", "partial", "reply", "status"):
            params = call.params(CallSid=_sid()) if kind == "voice" else call.params()
            for name in rng.sample(FIELDS, rng.randint(1, 3)):
                if rng.random() < 0.1:
                    params.pop(name, None)
                else:
                    params[name] = rng.choice(HOSTILE)
            query = {name: query_value(name, normal) for name, normal in (("session", session), ("turn", "1"))}
            url = webhook_url(kind, key, query["session"], query["turn"], query_value("wait", "0"))
            posts.append(Post(url, params, twiml=kind not in ("partial", "status")))
    return posts


def webhook_url(kind: str, key, session: str, turn: str, wait: str = "0") -> str:
    """The public URL of one of the line's six webhooks (`kind`), with the query values given."""
    from channels_twilio import webhook_urls as urls

    if kind in ("voice", "fallback", "status"):
        return getattr(urls, f"{kind}_url")(key)
    if kind == "reply":
        return urls.reply_url(key, session, turn, wait=wait)
    return getattr(urls, f"{kind}_url")(key, session, turn)
