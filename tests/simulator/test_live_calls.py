"""The simulator holds calls with the portal over real HTTP (pytest-django's live server).

Requests go to the live server but are signed over PUBLIC_BASE_URL (https://portal.example.test),
as behind a TLS-terminating proxy: the URL Twilio calls, not the one the server listens at.
"""

import pytest

from agents import lifecycle
from channels_twilio.simulator import lines, script
from channels_twilio.simulator.drivers import Delivery, SyncDriver
from sessions_app.models import Session

from .conftest import transcript

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_whole_inbound_call_over_http_lands_in_sessions(demo_line, live_server):
    line = demo_line()
    call = lines.inbound_call(line, lines.TEST_CALLER)
    driver = lines.driver(call, live_server.url)
    events = driver.run(script.ring_inbound(call))
    events += driver.run(script.speak(call, "what are your opening hours"))
    events += driver.run(script.stay_silent(call))
    events += driver.run(script.speak(call, "thanks that's all goodbye"))
    driver.close()

    assert [e.text for e in events if e.kind == "error"] == []
    assert [e.text for e in events if e.kind == "agent"] == [
        "Hello, this is Flametree. How can I help?",
        "We are open Monday to Friday, nine to six.",
        "Are you still there?",
        "Thank you for calling. Goodbye!",
    ]
    assert [e.data for e in events if e.kind == "status"] == [{"http": 204}]
    session = Session.objects.get(call_sid=call.call_sid)
    assert session.state == "closed" and session.close_reason == "agent-hung-up"
    assert (session.from_number, session.to_number) == (lines.TEST_CALLER, line.connection.phone_number)
    assert transcript(session)[1:3] == [
        ("caller", "what are your opening hours"),
        ("agent", "We are open Monday to Friday, nine to six."),
    ]


def test_the_caller_hanging_up_closes_the_session_as_completed(demo_line, live_server):
    call = lines.inbound_call(demo_line(), lines.TEST_CALLER)
    driver = lines.driver(call, live_server.url)
    driver.run(script.ring_inbound(call))
    events = driver.run(script.hang_up(call))
    assert [e.kind for e in events] == ["ended", "status"]
    assert Session.objects.get(call_sid=call.call_sid).close_reason == "completed"


def test_requests_signed_with_another_token_are_refused_and_the_call_ends(demo_line, live_server):
    call = lines.inbound_call(demo_line(), lines.TEST_CALLER)
    driver = SyncDriver(Delivery(live_server.url, call.public_base_url, "0" * 32))
    events = driver.run(script.ring_inbound(call))
    errors = [e.text for e in events if e.kind == "error"]
    assert "HTTP 403" in errors[0] and "X-Twilio-Signature" in errors[0]
    assert not Session.objects.exists()


def test_a_stopped_agent_cannot_be_called_and_says_how_to_fix_it(demo_line):
    line = demo_line()
    lifecycle.stop_agent(line.agent_id)
    line.agent.refresh_from_db()
    with pytest.raises(lines.LineUnavailable, match="is stopped: start it"):
        lines.inbound_line(line.agent)


def test_an_agent_without_inbound_says_to_turn_it_on(demo_line):
    line = demo_line(inbound=False)
    with pytest.raises(lines.LineUnavailable, match="turn Inbound on"):
        lines.inbound_line(line.agent)
