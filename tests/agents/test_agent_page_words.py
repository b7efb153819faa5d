"""The agent page says what the product document tells administrators to look for: the Communication
channels card's Add with its channel dropdown and checkboxes, Advanced mode, the three-dot menu's Show Logs."""

import re

from django.urls import reverse


def agent_page(admin_client, agent) -> str:
    response = admin_client.get(reverse("admin:agents_agent_change", args=[agent.pk]))
    assert response.status_code == 200
    return response.content.decode()


def fieldset_of(page: str, field_id: str) -> str:
    """The HTML of the fieldset that holds the form field with this id."""
    for fieldset in re.findall(r"<fieldset.*?</fieldset>", page, flags=re.DOTALL):
        if f'id="{field_id}"' in fieldset:
            return fieldset
    raise AssertionError(f"no fieldset holds {field_id}")


def test_max_opened_sessions_is_under_advanced_mode(admin_client, agent_factory):
    page = agent_page(admin_client, agent_factory())
    fieldset = fieldset_of(page, "id_max_opened_sessions")
    assert "Advanced mode" in fieldset and "collapse" in fieldset
    assert 'id="id_greeting"' not in fieldset


def test_show_logs_is_in_the_three_dot_menu(admin_client, agent_factory):
    agent = agent_factory()
    page = agent_page(admin_client, agent)
    menu = re.search(r'<details id="agent-menu">.*?</details>', page, flags=re.DOTALL).group(0)
    assert 'aria-label="More actions"' in menu and "&#8942;" in menu
    assert f'href="{reverse("admin:agents_agent_logs", args=[agent.pk])}?tab=twilio" id="show-logs">Show Logs<' in menu
    assert page.count('id="show-logs"') == 1


def test_the_channels_card_offers_add_a_channel_dropdown_and_a_checkbox_per_connection(
    admin_client, agent_factory, connection_factory
):
    front, sales = connection_factory(name="Front desk line"), connection_factory(name="Sales line")
    page = agent_page(admin_client, agent_factory())
    picker = re.search(r'<div class="channel-picker".*?</fieldset>', page, flags=re.DOTALL).group(0)
    assert '<button type="button" class="button" id="channel-add"' in picker and ">Add</button>" in picker
    assert '<option value="twilio">Twilio</option>' in picker
    for connection in (front, sales):
        assert f'<input type="checkbox" value="{connection.pk}"> {connection}</label>' in picker
    assert front.auth_token not in page


def test_the_logs_page_has_a_selected_twilio_tab(admin_client, agent_factory):
    agent = agent_factory()
    page = admin_client.get(reverse("admin:agents_agent_logs", args=[agent.pk])).content.decode()
    assert 'role="tab" class="log-tab selected" aria-selected="true">Twilio</a>' in page
