"""What Twilio really sends reaches the call at its real size, and a signed request with an
impossible value gets a 400 that says what was wrong — never a 500.

Run this file on PostgreSQL too (CI does): there a caller ID longer than its column, a NUL in
text or a too-long unique index entry fail, where SQLite lets them through.
"""

import random
import string
import threading
import uuid
from urllib.parse import parse_qsl, urlencode

import pytest
from django.db import connections
from django.test import Client

from agents.prepared_answers.models import PreparedAnswer
from channels_twilio import webhook_urls
from sessions_app.models import Message, Session
from tests.call_driver import CallDriver
from tests.conftest import make_signed_post
from tests.llm_standin import llm_call, llm_standin  # noqa: F401 (fixtures)
from tests.twiml_schema import assert_valid_twiml

SIP_CALLER = "sip:+14155550199@example.sip.twilio.com"
# A Voice SDK identity may be 256 characters long (Twilio error 31105 names the limit).
CLIENT_CALLER = "client:" + ("support-agent-" + "0123456789abcdef" * 16)[:256]


@pytest.fixture
def call(signed_post, running_line):
    def make(**driver_options) -> CallDriver:
        attachment = running_line()
        driver = CallDriver(signed_post, attachment.connection, **driver_options)
        driver.attachment = attachment
        return driver

    return make


def session_of(c: CallDriver) -> Session:
    return Session.objects.get(call_sid=c.call_sid)


def caller_words(count: int, seed: int) -> str:
    """Speech that does not compress well, the way a unique index entry would have to hold it."""
    rng = random.Random(seed)
    words = ("".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) for _ in range(count))
    return " ".join(words)


# Real caller IDs -------------------------------------------------------------------------


@pytest.mark.parametrize("caller", [SIP_CALLER, CLIENT_CALLER], ids=["sip", "voice-sdk-client"])
def test_sip_and_voice_sdk_callers_get_the_greeting_and_their_caller_id_is_kept(call, caller):
    assert len(CLIENT_CALLER) == len("client:") + 256
    c = call(caller=caller)
    c.dial()
    assert c.said() == ["Hello, this is Flametree. How can I help?"]
    c.speak("hello")
    assert session_of(c).from_number == caller


def test_a_call_to_a_sip_domain_keeps_the_called_uri(call):
    c = call(caller=SIP_CALLER)
    called = "sip:support@flametree-example.sip.us1.twilio.com;transport=tls"
    url = webhook_urls.voice_url(c.connection.webhook_key)
    c._twiml(c.post(url, {**c.params(CallStatus="ringing"), "To": called}, c.token))
    assert c.said() == ["Hello, this is Flametree. How can I help?"]
    assert (session_of(c).from_number, session_of(c).to_number) == (SIP_CALLER, called)


# Long speech -----------------------------------------------------------------------------


def test_3000_characters_of_speech_on_an_llm_agent_get_an_answer(llm_call, llm_standin):  # noqa: F811
    speech = caller_words(600, seed=5)[:3000].strip()
    assert len(speech) >= 2990
    c = llm_call()
    c.dial()
    # Stable partial speech prepares the reply (a row keyed by this text), then the final result.
    params = c.params(StableSpeechResult=speech, UnstableSpeechResult="", SequenceNumber="1")
    assert c.post(c.gather.get("partialResultCallback"), params, c.token).status_code == 204
    c.speak(speech, partials=False)

    while (redirect := c.twiml.find("Redirect")) is not None:  # a slow machine: follow the hold
        c._twiml(c.post(redirect.text, c.params(), c.token))
    (said,) = c.said()
    assert said.startswith(f"You said: {speech[:200]}"), "the agent answers the long speech (its reply cut short)"
    assert llm_standin.requests[-1].last_user_text == speech, "the model read all of it"
    assert session_of(c).messages.filter(role="caller").get().text == speech


def test_two_preparations_of_long_speech_differing_only_at_the_end_are_both_kept(running_line):
    session = Session.objects.create(agent=running_line().agent, direction="inbound")
    heard = caller_words(600, seed=7)
    PreparedAnswer.objects.create(session=session, turn=1, heard=heard + " one")
    PreparedAnswer.objects.create(session=session, turn=1, heard=heard + " two")
    assert PreparedAnswer.objects.filter(session=session).count() == 2


# Two Gather actions for one turn --------------------------------------------------------


def post_at_once(requests: list[tuple[str, dict, str]]) -> list:
    """POST each (url, params, token) from its own thread and client, released together."""
    barrier = threading.Barrier(len(requests))
    responses = [None] * len(requests)

    def send(n: int, url: str, params: dict, token: str) -> None:
        try:
            post = make_signed_post(Client())
            barrier.wait()
            responses[n] = post(url, params, token)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(n, *request)) for n, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return responses


def test_two_simultaneous_gather_actions_with_different_speech_both_get_the_turns_answer(
    llm_call,  # noqa: F811
    llm_standin,  # noqa: F811
):
    llm_standin.delay = 0.2
    c = llm_call()
    c.dial()
    turns = [("what are your hours", "what are your ours"), ("and on sunday", "and on sundae")]
    for turn, (first, second) in enumerate(turns, 1):
        action = c.gather.get("action")
        responses = post_at_once(
            [(action, c.params(SpeechResult=first), c.token), (action, c.params(SpeechResult=second), c.token)]
        )
        said = []
        for response in responses:
            c._twiml(response)  # 200, TwiML, Twilio's schema
            while (redirect := c.twiml.find("Redirect")) is not None:
                c._twiml(c.post(redirect.text, c.params(), c.token))
            said.append(c.said())
        session = session_of(c)
        (heard,) = session.messages.filter(key=f"caller:{turn}").values_list("text", flat=True)
        assert heard in (first, second)
        assert said == [[f"You said: {heard}."]] * 2, "both requests speak the one reply of the turn"
    assert [role for role, _ in session.messages.values_list("role", "text")] == ["agent"] + ["caller", "agent"] * 2


# Signed but impossible values -----------------------------------------------------------

MALFORMED = [
    ("voice", {"From": "+1415555\x000199"}, {}, "Invalid From"),
    ("voice", {"To": "sip:support\x00@example.sip.twilio.com"}, {}, "Invalid To"),
    ("voice", {"CallSid": "CA" + "0" * 31 + "\x00"}, {}, "Invalid CallSid: expected CA followed by 32 hex digits."),
    ("voice", {"From": "sip:" + "a" * 1100 + "@example.sip.twilio.com"}, {}, "Invalid From"),
    ("voice", {"CallSid": None}, {}, "Invalid CallSid"),
    (
        "partial",
        {"SequenceNumber": str(2**31)},
        {},
        "Invalid SequenceNumber: expected an integer from 0 to 2147483647.",
    ),
    ("partial", {"SequenceNumber": "-1"}, {}, "Invalid SequenceNumber"),
    ("gather", {"SpeechResult": "hello"}, {"turn": "9" * 40}, "Invalid turn: expected an integer from 1 to 100000."),
    ("gather", {"SpeechResult": "hello"}, {"session": "not-a-session"}, "Invalid session"),
    ("reply", {}, {"wait": str(2**63)}, "Invalid wait"),
    ("status", {"CallStatus": "exploded"}, {}, "Invalid CallStatus"),
    ("status", {"CallStatus": None}, {}, "Invalid CallStatus"),
]


def webhook_url(c: CallDriver, webhook: str, session: Session, /, **query) -> str:
    """The webhook's URL as our TwiML gives it to Twilio, with `query` values replaced."""
    key = c.connection.webhook_key
    url = {
        "voice": webhook_urls.voice_url(key),
        "gather": webhook_urls.gather_url(key, session.id, 1),
        "partial": webhook_urls.partial_url(key, session.id, 1),
        "reply": webhook_urls.reply_url(key, session.id, 1, 1),
        "status": webhook_urls.status_url(key),
    }[webhook]
    base, _, current = url.partition("?")
    values = {**dict(parse_qsl(current)), **query}
    return base + ("?" + urlencode(values) if values else "")


@pytest.mark.parametrize(("webhook", "fields", "query", "message"), MALFORMED)
def test_a_signed_request_with_an_impossible_value_gets_400_saying_what_was_expected(
    call, webhook, fields, query, message
):
    c = call()
    c.dial()
    session = session_of(c)
    before = list(Message.objects.values_list("pk", flat=True))
    url = webhook_url(c, webhook, session, **query)
    params = {**c.params(SequenceNumber="1"), **fields}
    params = {k: v for k, v in params.items() if v is not None}

    response = c.post(url, params, c.token)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().startswith(message)
    assert list(Message.objects.values_list("pk", flat=True)) == before, "nothing was written"
    assert Session.objects.count() == 1


def test_a_parameter_sent_twice_is_refused(call):
    c = call()
    c.dial()
    url = webhook_urls.gather_url(c.connection.webhook_key, session_of(c).id, 1) + "&turn=2"
    response = c.post(url, c.params(SpeechResult="hello"), c.token)
    assert response.status_code == 400
    assert response.content.decode() == "Invalid turn: expected one value, not 2."


def test_an_unknown_session_id_is_not_an_error(call):
    """A well-formed session id we do not know (a deleted session): the apology, not a 400."""
    c = call()
    c.dial()
    url = webhook_urls.gather_url(c.connection.webhook_key, uuid.uuid4(), 1)
    c._twiml(c.post(url, c.params(SpeechResult="hello"), c.token))
    assert c.verbs()[-1] == "Hangup"


def test_control_characters_in_speech_are_dropped_not_refused(call):
    c = call()
    c.dial()
    c.speak("hello\x00 there\x1b", partials=False)
    assert session_of(c).messages.filter(role="caller").get().text == "hello there"
    assert_valid_twiml(c.post(c.gather.get("action"), c.params(SpeechResult="\x00\x07"), c.token).content)


def test_an_answer_carrying_another_calls_callsid_is_answered_and_changes_nothing(call, signed_post):
    call = call()
    call.dial()
    taken = session_of(call)
    line = taken.attachment
    dialing = Session.objects.create(
        agent_id=line.agent_id,
        agent_name="Agent",
        connection_id=taken.connection_id,
        attachment=line,
        direction=Session.Direction.OUTBOUND,
        state=Session.State.DIALING,
        from_number=line.snapshot["phone_number"],
        to_number="+15005550006",
    )
    params = {**call.params(CallStatus="in-progress"), "Direction": "outbound-api"}
    url = webhook_urls.voice_url(line.snapshot_connection.webhook_key, session_id=dialing.id)

    response = signed_post(url, params, line.snapshot_auth_token)

    assert response.status_code == 200
    assert_valid_twiml(response.content)
    dialing.refresh_from_db()
    assert dialing.call_sid is None
    assert Session.objects.get(call_sid=call.call_sid) == taken
