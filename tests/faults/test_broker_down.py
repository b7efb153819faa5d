"""The broker (Redis) goes down: Start, Stop and outbound calls still answer, say what happened, and recover.

Each test starts its own Redis, points Celery at it and kills it: the shared Redis is never touched.
"""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from rest_framework.test import APIClient

from agents import lifecycle
from agents.models import Agent, AgentLogEntry
from channels_twilio import outbound
from channels_twilio.models import ChannelAttachment
from sessions_app.models import Session
from tests.api_clients import token_client, user_allowed_to
from tests.faults.own_redis import OwnRedis, celery_publishing_to
from tests.outbound.callee import OutboundCall

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dead_broker(tmp_path):
    """The URL of a Redis that was running and has just crashed."""
    redis = OwnRedis(tmp_path).start()
    redis.kill()
    with celery_publishing_to(redis.url):
        yield redis.url


def log_lines(agent_id: int, level: str) -> list[str]:
    return list(AgentLogEntry.objects.filter(agent_id=agent_id, level=level).values_list("message", flat=True))


def test_start_agent_with_the_broker_down_says_so_and_start_works_again(
    admin_client, attachment_factory, twilio_standin, dead_broker
):
    attachment = attachment_factory(inbound=True)
    conn = attachment.connection
    twilio_standin.add_account(conn.account_sid, conn.auth_token)
    twilio_standin.add_number(conn.account_sid, conn.phone_number)
    start = reverse("admin:agents_agent_start", args=[attachment.agent_id])

    response = admin_client.post(start)

    assert response.status_code == 302
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Could not queue the registration of" in message and "task queue" in message
    assert any("Could not queue the registration" in line for line in log_lines(attachment.agent_id, "error"))
    attachment.refresh_from_db()
    assert attachment.line_state == ChannelAttachment.LineState.REGISTERING
    assert not twilio_standin.numbers(conn.account_sid)[0]["voice_url"]


def test_start_works_again_once_the_broker_is_back(admin_client, attachment_factory, twilio_standin, tmp_path):
    attachment = attachment_factory(inbound=True)
    conn = attachment.connection
    twilio_standin.add_account(conn.account_sid, conn.auth_token)
    twilio_standin.add_number(conn.account_sid, conn.phone_number)
    redis = OwnRedis(tmp_path).start()
    start = reverse("admin:agents_agent_start", args=[attachment.agent_id])
    redis.kill()
    with celery_publishing_to(redis.url):
        admin_client.post(start)
    # Back (tasks run in-process in this test process): Start registers the number.
    response = admin_client.post(start)
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.line_state == ChannelAttachment.LineState.LIVE
    assert Agent.objects.get(pk=attachment.agent_id).state == Agent.State.RUNNING


def test_stop_agent_with_the_broker_down_still_hangs_up_the_live_calls(running_line, signed_post, twilio_standin):
    line = running_line(inbound=False)
    session = outbound.request_call(line.agent_id, "+15005550006")
    (created,) = twilio_standin.calls(line.connection.account_sid)
    OutboundCall(signed_post, line.connection, created).answer()
    twilio_standin.set_call_status(line.connection.account_sid, created["sid"], "in-progress")

    with celery_publishing_to("redis://127.0.0.1:1/0"):  # nothing listens on port 1
        lifecycle.stop_agent(line.agent_id)

    session.refresh_from_db()
    assert session.state == "closed" and session.close_reason == "agent-stopped"
    (hung_up,) = twilio_standin.calls(line.connection.account_sid)
    assert hung_up["status"] == "completed", "Twilio was told to end the call"
    assert any("Hanging up 1 call(s) now" in message for message in log_lines(line.agent_id, "warning"))


def test_an_outbound_call_with_the_broker_down_answers_503_and_nothing_is_accepted(
    running_line, django_user_model, dead_broker, twilio_standin
):
    line = running_line(inbound=False)
    api: APIClient = token_client(user_allowed_to(django_user_model, "dialer", "agents.change_agent"))

    response = api.post(f"/api/agents/{line.agent_id}/calls", {"to": "+15005550006"}, format="json")

    assert response.status_code == 503
    assert response.json()["code"] == "queue-unavailable"
    assert "task queue" in response.json()["detail"] and "Nothing was dialed" in response.json()["detail"]
    assert not Session.objects.exists()
    assert twilio_standin.calls(line.connection.account_sid) == []
