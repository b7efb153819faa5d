"""Slow replies: no webhook waits near Twilio's 15-second timeout; a filler, a <Redirect>, and
the reply is picked up when it is ready."""

import time
from urllib.parse import urlencode

import pytest

from agents import lifecycle
from agents.models import AgentLogEntry
from agents.prepared_answers import background, reply_pickup
from channels_twilio import webhook_urls
from sessions_app.models import Session
from tests.call_driver import CallDriver
from tests.llm_standin import llm_call, llm_standin  # noqa: F401 (fixtures)

# The longest any webhook may take: the longest wait, plus room for a slow test machine.
WEBHOOK_BOUND = max(reply_pickup.FIRST_WAIT, reply_pickup.PICKUP_WAIT) + 1.0


@pytest.fixture
def short_waits(monkeypatch):
    """Shorter waits, for tests about what happens on hold rather than how long it lasts."""
    monkeypatch.setattr(reply_pickup, "FIRST_WAIT", 0.5)
    monkeypatch.setattr(reply_pickup, "PICKUP_WAIT", 0.5)


def timed(c: CallDriver, url: str, params: dict):
    started = time.monotonic()
    response = c.post(url, params, c.token)
    took = time.monotonic() - started
    c._twiml(response)  # status, content type, schema
    return took


def redirect_url(c: CallDriver) -> str | None:
    redirect = c.twiml.find("Redirect")
    return redirect.text if redirect is not None else None


def hold_until_answered(c: CallDriver, max_requests: int = 50) -> list[float]:
    """Follow the <Redirect>s the way Twilio does until the agent speaks; each request's time."""
    took = []
    while (url := redirect_url(c)) is not None:
        assert len(took) < max_requests, "the reply never arrived"
        took.append(timed(c, url, c.params()))
    return took


def transcript(c: CallDriver) -> list[tuple[str, str]]:
    session = Session.objects.get(call_sid=c.call_sid)
    return list(session.messages.order_by("sequence").values_list("role", "text"))


def test_a_20_second_model_never_holds_a_webhook_past_the_bound_and_the_reply_still_arrives(llm_call, llm_standin):  # noqa: F811
    llm_standin.delay = 20.0
    c = llm_call(llm_timeout_seconds=30)
    c.dial()
    started = time.monotonic()

    took = [timed(c, c.gather.get("action"), c.params(SpeechResult="Tell me about your plans."))]
    assert c.verbs() == ["Say", "Pause", "Redirect"]
    assert c.said() == ["One moment, please."]
    took += hold_until_answered(c)

    assert c.said() == ["You said: Tell me about your plans.."]
    assert c.verbs() == ["Gather", "Say"], "the agent listens again after the reply"
    assert time.monotonic() - started >= 19.5
    assert max(took) < WEBHOOK_BOUND, took
    assert len(took) >= 5
    assert len(llm_standin.requests) == 1, "one model request: the job was never started twice"
    assert transcript(c) == [
        ("agent", c.attachment.agent.greeting),
        ("caller", "Tell me about your plans."),
        ("agent", "You said: Tell me about your plans.."),
    ], "fillers stay out of the transcript"


def test_later_holds_are_silent_pauses(llm_call, llm_standin, short_waits):  # noqa: F811
    llm_standin.delay = 2.0
    c = llm_call()
    c.dial()
    c.speak("hello there", partials=False)
    assert c.said() == ["One moment, please."]
    session = Session.objects.get(call_sid=c.call_sid)
    first_redirect = redirect_url(c)
    assert first_redirect == webhook_urls.reply_url(c.connection.webhook_key, session.id, 1, 1)
    c._twiml(c.post(first_redirect, c.params(), c.token))
    assert c.verbs() == ["Pause", "Redirect"]
    assert "wait=2" in redirect_url(c)
    hold_until_answered(c)
    assert c.said() == ["You said: hello there."]


def test_a_model_timeout_gives_the_error_line_through_the_redirect(llm_call, llm_standin):  # noqa: F811
    llm_standin.delay = 10.0
    c = llm_call(llm_timeout_seconds=3, error_line="Sorry, I'm having trouble. Could you repeat that?")
    c.dial()
    took = [timed(c, c.gather.get("action"), c.params(SpeechResult="What is my balance?"))]
    took += hold_until_answered(c)
    assert c.said() == ["Sorry, I'm having trouble. Could you repeat that?"]
    assert max(took) < WEBHOOK_BOUND
    assert transcript(c)[-1] == ("agent", "Sorry, I'm having trouble. Could you repeat that?")
    assert AgentLogEntry.objects.filter(message__contains="no answer within 3 s").exists()


def test_a_model_error_gives_the_error_line_at_once(llm_call, llm_standin):  # noqa: F811
    llm_standin.mode = "error"
    c = llm_call(error_line="Sorry, I'm having trouble.")
    c.dial()
    c.speak("hello", partials=False)
    assert c.verbs() == ["Gather", "Say"]
    assert c.said() == ["Sorry, I'm having trouble."]


def test_a_lost_reply_job_is_made_again(llm_call, llm_standin, monkeypatch):  # noqa: F811
    lost = []
    make_reply = background.make_reply

    def lose_the_first(prepared_id):
        if not lost:
            lost.append(prepared_id)  # its thread died with its process
            return
        make_reply(prepared_id)

    monkeypatch.setattr(background, "make_reply", lose_the_first)
    monkeypatch.setattr(reply_pickup, "GRACE", 0.2)
    monkeypatch.setattr(reply_pickup, "PICKUP_WAIT", 0.5)
    c = llm_call(llm_timeout_seconds=0.5)
    c.dial()
    c.speak("is anyone there", partials=False)
    hold_until_answered(c)
    assert c.said() == ["You said: is anyone there."]
    assert lost and len(llm_standin.requests) == 1
    assert AgentLogEntry.objects.filter(message__contains="making it again").exists()


def test_a_reply_that_never_comes_ends_in_the_error_line(llm_call, llm_standin, monkeypatch, short_waits):  # noqa: F811
    # A lost job is a technical problem, not a question without an answer (issue 13: the caller can tell them apart).
    monkeypatch.setattr(background, "make_reply", lambda prepared_id: None)  # every job is lost
    monkeypatch.setattr(reply_pickup, "MAX_HOLDS", 3)
    c = llm_call(error_line="Sorry, please call again.")
    c.dial()
    c.speak("hello", partials=False)
    took = hold_until_answered(c)
    assert len(took) == 3
    assert c.said() == ["Sorry, please call again."]
    assert transcript(c)[-1] == ("agent", "Sorry, please call again.")


def test_a_retried_reply_request_serves_the_same_reply_once(llm_call, llm_standin, short_waits):  # noqa: F811
    llm_standin.delay = 1.0
    c = llm_call()
    c.dial()
    c.speak("hello", partials=False)
    url = redirect_url(c)
    while (next_url := redirect_url(c)) is not None:
        url = next_url
        c._twiml(c.post(url, c.params(), c.token))
    said = c.said()
    c._twiml(c.post(url, c.params(), c.token))
    assert c.said() == said
    assert [role for role, _ in transcript(c)] == ["agent", "caller", "agent"]


def test_the_reply_webhook_needs_a_twilio_signature(llm_call, client):  # noqa: F811
    c = llm_call()
    c.dial()
    session = Session.objects.get(call_sid=c.call_sid)
    url = webhook_urls.reply_url(c.connection.webhook_key, session.id, 1, 1)
    path = url.removeprefix("https://portal.example.test")
    response = client.post(
        path, urlencode(c.params()), content_type="application/x-www-form-urlencoded", HTTP_X_TWILIO_SIGNATURE="bad"
    )
    assert response.status_code == 403


def test_a_reply_request_for_a_turn_without_speech_listens_again(llm_call):  # noqa: F811
    c = llm_call()
    c.dial()
    session = Session.objects.get(call_sid=c.call_sid)
    c._twiml(c.post(webhook_urls.reply_url(c.connection.webhook_key, session.id, 1, 1), c.params(), c.token))
    assert c.verbs() == ["Gather"]


@pytest.mark.parametrize("stop", ["agent", "caller"])
def test_a_call_that_ends_while_on_hold_gets_no_reply(llm_call, llm_standin, stop, short_waits):  # noqa: F811
    llm_standin.delay = 2.0
    c = llm_call()
    c.dial()
    c.speak("hello", partials=False)
    url = redirect_url(c)
    if stop == "agent":
        lifecycle.stop_agent(c.attachment.agent_id)
    else:
        c.status("completed")
    c._twiml(c.post(url, c.params(), c.token))
    assert c.verbs()[-1] == "Hangup"
    assert [role for role, _ in transcript(c)] == ["agent", "caller"]
