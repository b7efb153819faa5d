"""The agent page: Communication channels card, Start/Stop, Show Logs — through the admin."""

import pytest
from django.urls import reverse

from agents import lifecycle
from agents.models import Agent, AgentLogEntry
from channels_twilio.models import ChannelAttachment
from tests.agents.agent_form import agent_page_post


@pytest.fixture
def agent_page(admin_client):
    def get(agent):
        response = admin_client.get(reverse("admin:agents_agent_change", args=[agent.pk]))
        assert response.status_code == 200
        return response.content.decode()

    return get


def test_attach_a_connection_with_inbound_on(admin_client, agent_factory, connection_factory):
    agent, connection = agent_factory(), connection_factory()
    url = reverse("admin:agents_agent_change", args=[agent.pk])
    response = admin_client.post(url, agent_page_post(agent, [{"connection": connection.pk, "inbound": True}]))
    assert response.status_code == 302, response.content.decode()[:3000]
    attachment = ChannelAttachment.objects.get(agent=agent)
    assert attachment.connection == connection and attachment.inbound


def test_second_inbound_attachment_is_refused_with_a_message_naming_the_agent(
    admin_client, agent_factory, attachment_factory
):
    first = attachment_factory(inbound=True, agent=agent_factory(name="Front desk"))
    second_agent = agent_factory(name="Night shift")
    url = reverse("admin:agents_agent_change", args=[second_agent.pk])
    response = admin_client.post(
        url, agent_page_post(second_agent, [{"connection": first.connection.pk, "inbound": True}])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "already answers inbound calls for agent “Front desk”" in page
    assert "create a separate connection with its own phone number" in page
    assert not ChannelAttachment.objects.filter(agent=second_agent).exists()


def test_outbound_only_attachment_of_a_taken_number_is_allowed(admin_client, agent_factory, attachment_factory):
    first = attachment_factory(inbound=True)
    other = agent_factory()
    url = reverse("admin:agents_agent_change", args=[other.pk])
    response = admin_client.post(url, agent_page_post(other, [{"connection": first.connection.pk, "inbound": False}]))
    assert response.status_code == 302
    assert ChannelAttachment.objects.get(agent=other).inbound is False


def test_start_button_registers_and_card_shows_live_with_webhook_url(
    admin_client, attachment_factory, twilio_standin, agent_page, django_capture_on_commit_callbacks
):
    attachment = attachment_factory(inbound=True)
    conn = attachment.connection
    twilio_standin.add_account(conn.account_sid, conn.auth_token)
    twilio_standin.add_number(conn.account_sid, conn.phone_number)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:agents_agent_start", args=[attachment.agent_id]))
    assert response.status_code == 302
    page = agent_page(attachment.agent)
    assert "state-live" in page
    assert f"https://portal.example.test/twilio/{conn.webhook_key}/voice" in page
    assert "state-running" in page
    assert conn.auth_token not in page


def test_card_shows_the_registration_error(
    attachment_factory, twilio_standin, agent_page, django_capture_on_commit_callbacks
):
    attachment = attachment_factory(inbound=True)
    twilio_standin.add_account(attachment.connection.account_sid, attachment.connection.auth_token)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.start_agent(attachment.agent_id)  # the number is not in the account
    page = agent_page(attachment.agent)
    assert "state-error" in page
    assert "was not found in Twilio account" in page


def test_card_says_restart_needed_after_an_edit(running_line, agent_page):
    attachment = running_line()
    attachment.connection.voice_model = "Polly.Joanna"
    attachment.connection.save()
    assert "restart needed" in agent_page(attachment.agent)


def test_stop_button_takes_the_line_offline(admin_client, running_line, agent_page):
    attachment = running_line()
    response = admin_client.post(reverse("admin:agents_agent_stop", args=[attachment.agent_id]))
    assert response.status_code == 302
    assert Agent.objects.get(pk=attachment.agent_id).state == "stopped"
    assert "state-offline" in agent_page(attachment.agent)


def test_start_and_stop_need_a_post(admin_client, attachment_factory):
    attachment = attachment_factory()
    admin_client.get(reverse("admin:agents_agent_start", args=[attachment.agent_id]))
    assert Agent.objects.get(pk=attachment.agent_id).state == "stopped"


def test_list_actions_start_and_stop_agents(admin_client, agent_factory, django_capture_on_commit_callbacks):
    agents = [agent_factory(), agent_factory()]
    url = reverse("admin:agents_agent_changelist")
    ids = [a.pk for a in agents]
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"action": "start_agents", "_selected_action": ids})
    assert set(Agent.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"running"}
    admin_client.post(url, {"action": "stop_agents", "_selected_action": ids})
    assert set(Agent.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"stopped"}


def test_agent_list_shows_coloured_states(admin_client, agent_factory):
    agent_factory(state="running")
    page = admin_client.get(reverse("admin:agents_agent_changelist")).content.decode()
    assert "state-running" in page


def test_show_logs_has_a_twilio_tab_newest_first(admin_client, running_line):
    attachment = running_line()
    AgentLogEntry.objects.create(agent_id=attachment.agent_id, message="the newest line", level="warning")
    response = admin_client.get(reverse("admin:agents_agent_logs", args=[attachment.agent_id]) + "?tab=twilio")
    page = response.content.decode()
    assert "Twilio" in page
    assert page.index("the newest line") < page.index("is live")
    assert attachment.connection.auth_token not in page


def test_detaching_takes_the_number_offline_and_is_logged(admin_client, running_line):
    attachment = running_line()
    agent = attachment.agent
    url = reverse("admin:agents_agent_change", args=[agent.pk])
    row = {"id": attachment.pk, "agent": agent.pk, "connection": attachment.connection.pk, "DELETE": True}
    data = agent_page_post(agent, [row], existing_attachments=1)
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert not ChannelAttachment.objects.filter(pk=attachment.pk).exists()
    assert AgentLogEntry.objects.filter(agent=agent, message__contains="Detached").exists()


def test_deleting_an_agent_detaches_its_connections(admin_client, running_line):
    attachment = running_line()
    url = reverse("admin:agents_agent_delete", args=[attachment.agent_id])
    admin_client.post(url, {"post": "yes"})
    assert not ChannelAttachment.objects.filter(pk=attachment.pk).exists()
    assert attachment.connection.__class__.objects.filter(pk=attachment.connection_id).exists()
