"""A second channel plugs into agents through the registry alone: its agent pages and its hang-ups."""

import pytest
from django.contrib import admin
from django.http import HttpResponse
from django.urls import path, reverse

from agents import agent_log, channels, lifecycle
from sessions_app.models import Session


class SecondChannel:
    """A channel app's side of the registry, as a second channel (say SIP) would write it."""

    def __init__(self) -> None:
        self.hung_up: list[tuple[int, list[str]]] = []
        self.channel = channels.Channel(
            kind="second",
            label="Second",
            start=lambda attachment, problems: None,
            stop=lambda attachment: None,
            hang_up=lambda agent_id, session_ids: self.hung_up.append((agent_id, sorted(session_ids))),
            agent_pages=(
                channels.AgentPage(
                    "<int:agent_id>/second-dial/", "agents_agent_second_dial", self.dial_page, "Dial", "second-dial"
                ),
            ),
        )

    @staticmethod
    def dial_page(model_admin, request, agent_id: int) -> HttpResponse:
        return HttpResponse(f"Second channel dial page of agent {agent_id}")


class PortalURLs:
    """The portal's admin URLs, built after the second channel registered (as at a real start)."""

    def __init__(self) -> None:
        self.urlpatterns = [path("admin/", admin.site.urls)]


@pytest.fixture
def second_channel(settings):
    second = SecondChannel()
    channels.register(second.channel)
    settings.ROOT_URLCONF = PortalURLs()
    yield second
    channels.unregister("second")


def test_a_second_channel_adds_its_page_and_button_to_the_agent_page(admin_client, agent_factory, second_channel):
    agent = agent_factory()

    page = admin_client.get(reverse("admin:agents_agent_change", args=[agent.pk])).content.decode()
    dial = reverse("admin:agents_agent_second_dial", args=[agent.pk])

    assert f'href="{dial}" id="second-dial">Dial</a>' in page
    assert page.index('id="test-call"') < page.index('id="second-dial"'), "channels keep their INSTALLED_APPS order"
    assert admin_client.get(dial).content.decode() == f"Second channel dial page of agent {agent.pk}"


def test_a_channels_pages_are_behind_the_admin_login(client, agent_factory, second_channel):
    agent = agent_factory()

    response = client.get(reverse("admin:agents_agent_second_dial", args=[agent.pk]))

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_stop_agent_asks_each_channel_to_hang_up_its_own_calls(
    agent_factory, second_channel, django_capture_on_commit_callbacks
):
    agent = agent_factory()
    on_second = [
        Session.objects.create(agent=agent, agent_name=agent.name, channel_kind="second", call_sid=f"call-{n}")
        for n in range(2)
    ]
    Session.objects.create(agent=agent, agent_name=agent.name, channel_kind="second")  # not connected yet

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.stop_agent(agent.id)

    assert second_channel.hung_up == [(agent.id, sorted(str(session.pk) for session in on_second))]
    assert set(Session.objects.values_list("state", flat=True)) == {"closed"}


def test_the_logs_page_has_a_tab_per_channel_and_shows_each_channels_lines(admin_client, agent_factory, second_channel):
    agent = agent_factory()
    agent_log.write(agent.pk, "Registered the SIP trunk", channel_kind="second")
    agent_log.write(agent.pk, "Twilio number is live", channel_kind="twilio")
    logs = reverse("admin:agents_agent_logs", args=[agent.pk])

    first_tab = admin_client.get(logs).content.decode()
    second_tab = admin_client.get(logs + "?tab=second").content.decode()

    assert ">Twilio<" in first_tab and ">Second<" in first_tab
    assert "Twilio number is live" in first_tab and "Registered the SIP trunk" not in first_tab
    assert "Registered the SIP trunk" in second_tab and "Twilio number is live" not in second_tab
