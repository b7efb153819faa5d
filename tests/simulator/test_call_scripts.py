"""Twilio's side of a call, verb by verb, against hand-made portal answers (no HTTP, no database)."""

import json
from urllib.parse import parse_qsl

import pytest
from twilio.request_validator import RequestValidator

from channels_twilio import twiml
from channels_twilio.simulator import script
from channels_twilio.simulator.call import OUTBOUND_STATUS_EVENTS, CallState
from channels_twilio.simulator.drivers import Delivery
from channels_twilio.simulator.wire import Answer, Post, Wait

BASE = "https://portal.example.test"
HOOK = BASE + "/twilio/6f1c2d4e-0000-4000-8000-000000000000"
EMPTY = Answer(204)


def xml(document) -> Answer:
    return Answer(200, "text/xml; charset=utf-8", str(document).encode())


def listen(text: str, turn: int = 1):
    return twiml.converse(
        text,
        voice="Polly.Salli",
        language="en-US",
        speech_model="googlev2_telephony",
        action=f"{HOOK}/gather?turn={turn}",
        partial_callback=f"{HOOK}/partial?turn={turn}",
    )


class Portal:
    """Answers each webhook kind from a queue of canned answers; records what Twilio sent."""

    def __init__(self, **answers):
        self.answers = {kind: list(queue) if isinstance(queue, list) else [queue] for kind, queue in answers.items()}
        self.posts: list[Post] = []
        self.waits: list[Wait] = []
        self.events = []

    def run(self, steps):
        reply = None
        while True:
            try:
                step = steps.send(reply)
            except StopIteration:
                return self
            reply = None
            if isinstance(step, Post):
                self.posts.append(step)
                queue = self.answers.get(step.kind) or [EMPTY]
                reply = queue.pop(0) if len(queue) > 1 else queue[0]
            elif isinstance(step, Wait):
                self.waits.append(step)
            else:
                self.events.append(step)

    def kinds(self) -> list[str]:
        return [post.kind for post in self.posts]

    def events_of(self, kind: str) -> list[str]:
        return [event.text for event in self.events if event.kind == kind]


def inbound() -> CallState:
    return CallState(
        account_sid="AC" + "1" * 32,
        direction="inbound",
        from_number="+14155550199",
        to_number="+14155550100",
        public_base_url=BASE,
        voice_url=HOOK + "/voice",
        status_callback=HOOK + "/status",
    )


def test_the_call_webhook_gets_twilios_parameters_and_the_greeting_is_heard():
    call = inbound()
    portal = Portal(voice=xml(listen("Hello there"))).run(script.ring_inbound(call))
    voice = portal.posts[0]
    assert voice.kind == "voice" and voice.url == HOOK + "/voice"
    assert voice.params["CallStatus"] == "ringing" and voice.params["Direction"] == "inbound"
    assert voice.params["From"] == "+14155550199" and voice.params["To"] == "+14155550100"
    assert voice.params["CallSid"].startswith("CA") and voice.params["ApiVersion"] == "2010-04-01"
    assert [e.kind for e in portal.events] == ["ringing", "answered", "agent", "listening"]
    assert portal.events_of("agent") == ["Hello there"]
    assert portal.events[2].data["interruptible"] is True
    assert call.listening and call.status == "in-progress"


def test_partial_results_go_word_by_word_before_the_final_result():
    call = inbound()
    portal = Portal(voice=xml(listen("Hi")), gather=xml(listen("Nine to six.", turn=2)))
    portal.run(script.ring_inbound(call)).run(script.speak(call, "what are your hours"))
    partials = [post.params for post in portal.posts if post.kind == "partial"]
    heard = [p["StableSpeechResult"] + p["UnstableSpeechResult"] for p in partials]
    assert heard == ["what", "what are", "what are your", "what are your hours"]
    assert [p["SequenceNumber"] for p in partials] == ["1", "2", "3", "4"]
    final = portal.posts[-1]
    assert final.kind == "gather" and final.params["SpeechResult"] == "what are your hours"
    assert final.params["CallStatus"] == "in-progress"
    assert portal.kinds().index("gather") > portal.kinds().index("partial")
    assert portal.events_of("agent")[-1] == "Nine to six."
    assert [w.why for w in portal.waits].count("caller-speaking") == 4
    assert any(w.why == "speech-timeout" and w.seconds == 2 for w in portal.waits)


def test_a_slow_reply_pauses_then_follows_the_redirect():
    call = inbound()
    hold = twiml.hold_then_redirect("One moment.", voice="Polly.Salli", redirect_url=HOOK + "/reply?turn=1&wait=1")
    portal = Portal(voice=xml(listen("Hi")), gather=xml(hold), reply=xml(listen("Here it is.", turn=2)))
    portal.run(script.ring_inbound(call)).run(script.speak(call, "tell me"))
    assert portal.kinds()[-2:] == ["gather", "reply"]
    assert portal.events_of("agent")[-2:] == ["One moment.", "Here it is."]
    assert Wait(1, "pause") in portal.waits
    assert call.listening


def test_silence_without_action_on_empty_result_runs_the_verbs_after_the_gather():
    call = inbound()
    document = (
        f'<Response><Gather input="speech" action="{HOOK}/gather"><Say>Hi?</Say></Gather><Say>Bye.</Say></Response>'
    )
    portal = Portal(voice=xml(document)).run(script.ring_inbound(call)).run(script.stay_silent(call))
    assert portal.events_of("agent") == ["Hi?", "Bye."]
    assert call.status == "completed" and "ran out of verbs" in portal.events_of("ended")[0]
    status = portal.posts[-1]
    assert status.kind == "status" and status.params["CallStatus"] == "completed"
    assert status.params["CallbackSource"] == "call-progress-events" and "CallDuration" in status.params


def test_silence_with_action_on_empty_result_posts_the_action_without_speech():
    call = inbound()
    portal = Portal(voice=xml(listen("Hi")), gather=xml(listen("Still there?", turn=1)))
    portal.run(script.ring_inbound(call)).run(script.stay_silent(call))
    assert portal.posts[-1].kind == "gather" and "SpeechResult" not in portal.posts[-1].params
    assert portal.events_of("agent")[-1] == "Still there?"


def test_hangup_ends_the_call_and_reports_completed():
    call = inbound()
    goodbye = twiml.say_and_hang_up("Goodbye!", voice="Polly.Salli")
    portal = Portal(voice=xml(listen("Hi")), gather=xml(goodbye))
    portal.run(script.ring_inbound(call)).run(script.speak(call, "bye"))
    assert portal.events_of("ended") == ["the agent hung up"]
    assert portal.kinds()[-1] == "status" and call.ended


@pytest.mark.parametrize(("reason", "status"), [("busy", "busy"), ("rejected", "no-answer")])
def test_reject_turns_the_call_away_unanswered(reason, status):
    call = inbound()
    portal = Portal(voice=xml(f'<Response><Reject reason="{reason}"/></Response>')).run(script.ring_inbound(call))
    assert "answered" not in [e.kind for e in portal.events]
    assert call.status == status and not call.answered
    assert portal.posts[-1].params["CallStatus"] == status


def test_an_http_error_ends_the_call_with_twilios_apology_and_says_why():
    call = inbound()
    portal = Portal(voice=Answer(403, "application/json", b'{"detail": "Invalid or missing X-Twilio-Signature."}'))
    portal.run(script.ring_inbound(call))
    error = portal.events_of("error")[0]
    assert "11200" in error and "HTTP 403" in error and "X-Twilio-Signature" in error
    assert portal.events_of("agent") == [script.APPLICATION_ERROR]
    assert call.status == "completed"


def test_refused_twiml_ends_the_call_and_gives_the_reason():
    call = inbound()
    bad = (
        f'<Response><Gather input="speech" speechModel="googlev2_telephony" speechTimeout="auto" action="{HOOK}/g"/>'
        "</Response>"
    )
    portal = Portal(voice=xml(bad)).run(script.ring_inbound(call))
    assert "speechTimeout" in portal.events_of("error")[0]
    assert call.ended


def test_a_redirect_loop_is_cut_off():
    call = inbound()
    loop = xml(f"<Response><Redirect>{HOOK}/reply</Redirect></Response>")
    portal = Portal(voice=loop, reply=loop).run(script.ring_inbound(call))
    assert "in a row" in portal.events_of("error")[0]
    assert call.ended and len(portal.posts) <= script.MAX_FETCHES_WITHOUT_CALLER + 1


def test_a_failed_partial_result_is_reported_and_the_call_goes_on():
    call = inbound()
    portal = Portal(voice=xml(listen("Hi")), partial=Answer(500), gather=xml(listen("Yes?", turn=2)))
    portal.run(script.ring_inbound(call)).run(script.speak(call, "hello"))
    assert "partial result answered HTTP 500" in portal.events_of("error")[0]
    assert call.listening


def test_the_caller_cannot_speak_when_nobody_listens_or_after_the_end():
    call = inbound()
    with pytest.raises(script.CallStateError):
        Portal().run(script.speak(call, "hello"))
    Portal(voice=xml(listen("Hi"))).run(script.ring_inbound(call)).run(script.hang_up(call))
    with pytest.raises(script.CallStateError, match="over"):
        Portal().run(script.speak(call, "hello"))


def test_a_call_state_survives_a_round_trip_through_json():
    call = inbound()
    portal = Portal(voice=xml(listen("Hi")), gather=xml(listen("Yes?", turn=2)))
    portal.run(script.ring_inbound(call))
    restored = CallState.from_dict(json.loads(json.dumps(call.as_dict())))
    portal.run(script.speak(restored, "hello"))
    assert portal.posts[-1].url == HOOK + "/gather?turn=1"
    assert portal.posts[-1].params["CallSid"] == call.call_sid


def outbound() -> CallState:
    call = inbound()
    call.direction = "outbound-api"
    call.status_events = OUTBOUND_STATUS_EVENTS
    return call


def test_an_answered_outbound_call_reports_progress_then_fetches_the_answer_url():
    call = outbound()
    portal = Portal(voice=xml(listen("Hi, this is Flametree."))).run(script.ring_outbound(call, "answered"))
    statuses = [p.params["CallStatus"] for p in portal.posts if p.kind == "status"]
    assert statuses == ["initiated", "ringing", "in-progress"]
    voice = portal.posts[-1]
    assert voice.kind == "voice" and voice.params["Direction"] == "outbound-api"
    assert voice.params["CallStatus"] == "in-progress"
    assert [p.params["SequenceNumber"] for p in portal.posts if p.kind == "status"] == ["0", "1", "2"]


@pytest.mark.parametrize(
    ("outcome", "statuses"),
    [
        ("busy", ["initiated", "busy"]),
        ("no-answer", ["initiated", "ringing", "no-answer"]),
        ("failed", ["initiated", "failed"]),
    ],
)
def test_an_unanswered_outbound_call_ends_with_its_status(outcome, statuses):
    call = outbound()
    portal = Portal().run(script.ring_outbound(call, outcome))
    assert [p.params["CallStatus"] for p in portal.posts] == statuses
    assert "voice" not in portal.kinds() and call.status == outcome
    assert portal.posts[-1].params["CallDuration"] == "0"


def test_delivery_signs_over_the_public_url_and_sends_to_the_portal():
    token = "f" * 32
    post = Post(HOOK + "/gather?session=abc&turn=2", {"CallSid": "CA1", "SpeechResult": "hours & prices"}, twiml=True)
    url, headers, body = Delivery("http://127.0.0.1:8000", BASE, token).request(post)
    assert url == "http://127.0.0.1:8000/twilio/6f1c2d4e-0000-4000-8000-000000000000/gather?session=abc&turn=2"
    assert headers["Host"] == "portal.example.test" and headers["X-Forwarded-Proto"] == "https"
    form = dict(parse_qsl(body.decode()))
    assert RequestValidator(token).validate(post.url, form, headers["X-Twilio-Signature"])
    assert not RequestValidator("0" * 32).validate(post.url, form, headers["X-Twilio-Signature"])
