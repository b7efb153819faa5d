"""The agent page's Test call: its server side, step by step, through the real webhooks (live server)."""

import json

import pytest

from agents import lifecycle
from sessions_app.models import Session

from .conftest import transcript

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_client_for_test_calls(client, django_user_model, live_server, settings):
    settings.TEST_CALL_BASE_URL = live_server.url  # the test client's own host (testserver) has no socket
    client.force_login(django_user_model.objects.create_superuser("boss", "boss@example.test", "pw-12345678"))
    return client


def step(client, agent_id: int, action: str, **fields):
    return client.post(f"/admin/agents/agent/{agent_id}/test-call/{action}/", fields)


def test_a_test_call_through_the_page_is_a_session_like_a_phone_call(demo_line, admin_client_for_test_calls):
    client = admin_client_for_test_calls
    line = demo_line()
    page = client.get(f"/admin/agents/agent/{line.agent_id}/test-call/")
    assert page.status_code == 200 and b'id="test-call"' in page.content
    assert line.connection.auth_token.encode() not in page.content

    started = step(client, line.agent_id, "start").json()
    assert [e["text"] for e in started["events"] if e["kind"] == "agent"] == [
        "Hello, this is Flametree. How can I help?"
    ]
    assert started["listening"] and not started["ended"]
    assert line.connection.auth_token not in json.dumps(dict(client.session.items())), "the token stays server-side"

    replied = step(client, line.agent_id, "say", text="how much does it cost", interrupting="true").json()
    assert [e["text"] for e in replied["events"] if e["kind"] == "agent"] == ["Plans start at twenty dollars a month."]

    ended = step(client, line.agent_id, "hangup").json()
    assert ended["ended"] and ended["status"] == "completed"
    session = Session.objects.get()
    assert ended["session_url"] == f"/admin/sessions_app/session/{session.pk}/change/"
    assert session.close_reason == "completed"
    (end,) = [e["text"] for e in ended["events"] if e["kind"] == "ended"]
    assert end == "the caller hung up — Sessions shows it as “Completed”"  # the softphone speaks Sessions' words
    assert transcript(session)[1:] == [
        ("caller", "how much does it cost"),
        ("agent", "Plans start at twenty dollars a month."),
    ]


def test_speaking_without_a_call_in_progress_is_refused(demo_line, admin_client_for_test_calls):
    line = demo_line()
    response = step(admin_client_for_test_calls, line.agent_id, "say", text="hello")
    assert response.status_code == 409 and "click Call" in response.json()["error"]


def test_the_page_explains_a_stopped_agent_and_how_to_fix_it(demo_line, admin_client_for_test_calls):
    line = demo_line()
    lifecycle.stop_agent(line.agent_id)
    page = admin_client_for_test_calls.get(f"/admin/agents/agent/{line.agent_id}/test-call/")
    assert b'id="line-problem"' in page.content and b"is stopped: start it (Start agent)" in page.content
    assert b'id="test-call"' not in page.content
    assert step(admin_client_for_test_calls, line.agent_id, "start").status_code == 409


def test_the_page_explains_an_agent_without_an_inbound_line(agent_factory, admin_client_for_test_calls):
    agent = agent_factory()
    page = admin_client_for_test_calls.get(f"/admin/agents/agent/{agent.pk}/test-call/")
    assert b"has no Twilio connection" in page.content


def test_steps_are_posts_only(demo_line, admin_client_for_test_calls):
    line = demo_line()
    assert admin_client_for_test_calls.get(f"/admin/agents/agent/{line.agent_id}/test-call/start/").status_code == 405


def test_the_agent_page_links_to_the_test_call(demo_line, admin_client_for_test_calls):
    line = demo_line()
    page = admin_client_for_test_calls.get(f"/admin/agents/agent/{line.agent_id}/change/")
    assert f'href="/admin/agents/agent/{line.agent_id}/test-call/" id="test-call"'.encode() in page.content
