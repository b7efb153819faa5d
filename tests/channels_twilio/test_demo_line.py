"""The demo line bootstrap_demo makes: plainly a demo on the agent's card, answering calls, never sent to Twilio."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from agents import lifecycle
from agents.models import Agent, AgentLogEntry
from channels_twilio.management.commands.bootstrap_demo import DEMO_ACCOUNT_SID, DEMO_LINE_NAME
from channels_twilio.models import ChannelAttachment, TwilioConnection
from tests.call_driver import CallDriver

pytestmark = pytest.mark.django_db


@pytest.fixture
def bootstrap(django_capture_on_commit_callbacks, twilio_standin):
    def run() -> ChannelAttachment:
        with django_capture_on_commit_callbacks(execute=True):
            call_command("bootstrap_demo", "--username", "demo-admin", stdout=StringIO())
        return ChannelAttachment.objects.select_related("agent", "connection").get(agent__name="Demo agent")

    return run


def test_the_demo_line_is_not_registered_with_twilio_and_logs_no_error(bootstrap, twilio_standin):
    line = bootstrap()

    assert line.agent.state == Agent.State.RUNNING
    assert line.line_state == ChannelAttachment.LineState.DEMO and not line.last_error
    assert twilio_standin.requests == []  # Start never tried the made-up credentials
    log = AgentLogEntry.objects.filter(agent=line.agent)
    assert not log.filter(level=AgentLogEntry.Level.ERROR).exists()
    assert log.filter(message__contains="demo line", level=AgentLogEntry.Level.INFO).exists()


def test_the_agent_card_says_demo_line_and_points_to_test_call(bootstrap, admin_client):
    line = bootstrap()

    page = admin_client.get(reverse("admin:agents_agent_change", args=[line.agent_id])).content.decode()

    assert "Demo line</span>" in page
    assert "calls work through Test call" in page
    assert "attachment-error" not in page


def test_a_call_to_the_demo_line_hears_the_demo_agent(bootstrap, signed_post):
    line = bootstrap()
    call = CallDriver(signed_post, line.connection)

    call.dial()
    assert any("Flametree demo agent" in text for text in call.said())
    call.speak("what are your opening hours")
    assert "We are open Monday to Friday, nine to six." in call.said()


def test_a_demo_line_made_before_the_flag_becomes_a_demo_line(bootstrap, connection_factory, twilio_standin):
    old = connection_factory(name=DEMO_LINE_NAME, account_sid=DEMO_ACCOUNT_SID)
    agent = Agent.objects.create(name="Demo agent")
    ChannelAttachment.objects.create(agent=agent, connection=old, inbound=True)
    lifecycle.start_agent(agent.id)

    line = bootstrap()

    assert TwilioConnection.objects.get(pk=old.pk).demo
    assert line.line_state == ChannelAttachment.LineState.DEMO


def test_a_connection_made_in_the_admin_is_never_a_demo(admin_client):
    admin_client.post(
        reverse("admin:channels_twilio_twilioconnection_add"),
        {
            "name": "Sales",
            "account_sid": "AC" + "1" * 32,
            "auth_token": "a" * 32,
            "phone_number": "+14155550123",
            "demo": "on",
        },
    )
    assert TwilioConnection.objects.filter(name="Sales", demo=False).exists()
