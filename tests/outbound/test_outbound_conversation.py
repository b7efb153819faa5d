"""Twilio's callbacks of a placed call: answered → the inbound conversation; not answered → closed."""

import pytest

from agents import lifecycle
from agents.models import ScriptedAnswer
from sessions_app.models import Session
from tests.outbound.callee import OutboundCall

CUSTOMER = "+15005550006"


@pytest.fixture
def placed(place, signed_post, twilio_standin):
    """Place a call through the API on `line`; returns Twilio's side of it and the session."""

    def make(line) -> tuple[OutboundCall, Session]:
        assert place(line.agent_id, CUSTOMER).status_code == 202
        (created,) = twilio_standin.calls(line.connection.account_sid)
        return OutboundCall(signed_post, line.connection, created), Session.objects.get(call_sid=created["sid"])

    return make


def transcript(session) -> list[tuple[str, str]]:
    return list(session.messages.order_by("sequence").values_list("role", "text"))


@pytest.mark.parametrize("inbound", [False, True], ids=["outbound-only", "inbound-on"])
def test_answered_call_greets_and_converses_like_an_inbound_call(placed, running_line, inbound):
    line = running_line(inbound=inbound)
    ScriptedAnswer.objects.create(agent=line.agent, question="What are your opening hours?", answer="We open at nine.")
    call, session = placed(line)

    call.status("initiated")
    call.status("ringing")
    session.refresh_from_db()
    assert session.state == "dialing" and session.answered_at is None

    call.answer()
    assert call.said() == ["Hello, this is Flametree. How can I help?"]
    gather = call.gather
    assert (gather.get("input"), gather.get("bargeIn")) == ("speech", "true")
    assert f"session={session.id}" in gather.get("action")
    call.status("in-progress")  # the "answered" event
    session.refresh_from_db()
    assert session.state == "open" and session.answered_at is not None

    call.speak("what are your opening hours")
    assert call.said() == ["We open at nine."]
    call.speak("thanks that's all goodbye")
    assert call.verbs() == ["Say", "Hangup"]
    call.status("completed")

    session.refresh_from_db()
    assert (session.state, session.close_reason) == ("closed", "agent-hung-up")
    assert transcript(session) == [
        ("agent", "Hello, this is Flametree. How can I help?"),
        ("caller", "what are your opening hours"),
        ("agent", "We open at nine."),
        ("caller", "thanks that's all goodbye"),
        ("agent", "Thank you for calling. Goodbye!"),
    ]


def test_callee_hanging_up_closes_the_session_completed(placed, running_line):
    call, session = placed(running_line(inbound=False))
    call.status("in-progress")  # the answered event may come before the TwiML request
    call.answer()
    call.speak("hello there")
    call.status("completed")
    session.refresh_from_db()
    assert (session.state, session.close_reason) == ("closed", "completed")
    assert [role for role, _ in transcript(session)] == ["agent", "caller", "agent"]


@pytest.mark.parametrize("status", ["busy", "no-answer", "failed", "canceled"])
def test_unanswered_call_closes_its_session_with_the_reason(placed, running_line, status):
    call, session = placed(running_line(inbound=False))
    call.status("initiated")
    call.status("ringing")
    call.status(status)
    call.status(status)  # Twilio may deliver a callback twice

    session.refresh_from_db()
    assert (session.state, session.close_reason) == ("closed", status)
    assert session.answered_at is None and session.closed_at is not None
    assert transcript(session) == []
    assert not Session.objects.filter(state__in=Session.OPEN_STATES).exists()


def test_late_answered_event_does_not_reopen_an_unanswered_call(placed, running_line):
    call, session = placed(running_line(inbound=False))
    call.status("no-answer")
    call.status("in-progress")
    session.refresh_from_db()
    assert (session.state, session.close_reason) == ("closed", "no-answer")


def test_a_call_answered_after_the_agent_stopped_gets_the_apology(placed, running_line):
    line = running_line(inbound=False)
    call, session = placed(line)
    lifecycle.stop_agent(line.agent_id)
    call.answer()
    assert call.verbs() == ["Say", "Hangup"]
    session.refresh_from_db()
    assert (session.state, session.close_reason) == ("closed", "agent-stopped")
    assert transcript(session) == []


def test_unsigned_callbacks_of_a_placed_call_are_refused(placed, running_line, client):
    call, session = placed(running_line(inbound=False))
    path = call.status_url.removeprefix("https://portal.example.test")
    response = client.post(path, {"CallSid": call.call_sid, "CallStatus": "busy"})
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.state == "dialing"


def test_stop_agent_hangs_up_the_call_in_progress(
    placed, running_line, twilio_standin, django_capture_on_commit_callbacks
):
    line = running_line(inbound=False)
    call, session = placed(line)
    call.answer()
    twilio_standin.set_call_status(line.connection.account_sid, session.call_sid, "in-progress")

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.stop_agent(line.agent_id)

    (twilio_call,) = twilio_standin.calls(line.connection.account_sid)
    assert twilio_call["status"] == "completed", "Twilio was told to end the call"
    session.refresh_from_db()
    assert session.close_reason == "agent-stopped"
