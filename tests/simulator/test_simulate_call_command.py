"""`manage.py simulate_call` against a running portal (the live server), inbound and outbound."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from agents.models import Agent
from channels_twilio.models import ChannelAttachment
from sessions_app.models import Session
from tests.outbound.callee import dial_requests

from .conftest import transcript

pytestmark = pytest.mark.django_db(transaction=True)


def simulate(live_server, *args) -> str:
    out = StringIO()
    call_command("simulate_call", "--base-url", live_server.url, *args, stdout=out)
    return out.getvalue()


def test_the_demo_agent_holds_a_conversation_on_the_embedded_defaults(live_server, twilio_standin):
    call_command("bootstrap_demo", stdout=StringIO())
    agent = Agent.objects.get(name="Demo agent")
    line = ChannelAttachment.objects.get(agent=agent)
    # Made-up credentials: the line is a demo line, never registered with Twilio; it still answers.
    assert agent.state == "running" and line.line_state == "demo" and not line.last_error

    output = simulate(live_server, "what are your opening hours", "where are you located", "goodbye")

    assert "agent › Hello, you're speaking with the Flametree demo agent." in output
    assert "agent › We are open Monday to Friday, nine to six." in output
    assert "agent › We are at 1 Market Street, San Francisco." in output
    assert "call ended: the agent hung up (completed)" in output
    session = Session.objects.get(agent=agent)
    assert session.close_reason == "agent-hung-up" and len(transcript(session)) == 7
    assert f"/admin/sessions_app/session/{session.pk}/change/" in output


def test_lines_left_unsaid_when_the_agent_hangs_up_are_dropped(demo_line, live_server):
    demo_line()
    output = simulate(live_server, "bye", "are you still there")
    assert "are you still there" not in output
    assert Session.objects.get().close_reason == "agent-hung-up"


def test_an_answered_outbound_call_is_opened_like_the_product_and_rings_no_real_phone(
    demo_line, live_server, twilio_standin
):
    line = demo_line(inbound=False)
    output = simulate(live_server, "--outbound", "--to", "+14155550142", "hi who is calling", "goodbye")

    session = Session.objects.get()
    assert session.direction == "outbound" and session.to_number == "+14155550142"
    assert session.from_number == line.connection.phone_number
    assert session.call_sid and session.answered_at and session.close_reason == "agent-hung-up"
    assert transcript(session)[0] == ("agent", "Hello, this is Flametree. How can I help?")
    assert "agent › Hello, this is Flametree. How can I help?" in output
    assert dial_requests(twilio_standin) == [], "Twilio's side is simulated: nothing is dialed for real"


def test_a_busy_outbound_call_closes_its_session_as_busy(demo_line, live_server, twilio_standin):
    demo_line()
    output = simulate(live_server, "--outbound", "--outcome", "busy")
    session = Session.objects.get()
    assert session.state == "closed" and session.close_reason == "busy" and session.answered_at is None
    assert "(busy)" in output and not dial_requests(twilio_standin)


def test_an_outbound_call_the_portal_refuses_is_explained(demo_line, live_server):
    line = demo_line()
    Agent.objects.filter(pk=line.agent_id).update(state="stopped")
    with pytest.raises(CommandError, match="not running"):
        simulate(live_server, "--outbound", "--agent", str(line.agent_id))


def test_a_portal_that_does_not_answer_is_explained(demo_line):
    demo_line()
    with pytest.raises(CommandError, match=r"does not answer at http://127\.0\.0\.1:9"):
        call_command("simulate_call", "--base-url", "http://127.0.0.1:9", "hello", stdout=StringIO())


def test_errors_on_the_call_fail_the_command(demo_line, live_server, settings):
    demo_line()
    settings.ALLOWED_HOSTS = ["127.0.0.1"]  # the public host Twilio calls is missing: Django answers 400
    out = StringIO()
    with pytest.raises(CommandError, match=r"met 2 error\(s\)"):
        call_command("simulate_call", "--base-url", live_server.url, "hello", stdout=out)
    assert "voice webhook answered HTTP 400" in out.getvalue()
