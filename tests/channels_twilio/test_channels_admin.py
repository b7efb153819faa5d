"""Settings > Channels in the admin: list, New connector, Details, delete — and the Auth Token never shown."""

import logging
import re

import pytest
from django.urls import reverse

from agents.models import AgentLogEntry
from channels_twilio.models import ChannelAttachment, TwilioConnection
from flametree_portal.masking import MASK_CHAR, mask_secret
from tests.conftest import new_account_sid, new_auth_token

CHANGELIST = reverse("admin:channels_twilio_twilioconnection_changelist")
ADD = reverse("admin:channels_twilio_twilioconnection_add")


def change_url(connection) -> str:
    return reverse("admin:channels_twilio_twilioconnection_change", args=[connection.pk])


def delete_url(connection) -> str:
    return reverse("admin:channels_twilio_twilioconnection_delete", args=[connection.pk])


def form_post(**overrides) -> dict:
    data = {
        "name": "Support line",
        "description": "Main number",
        "account_sid": new_account_sid(),
        "auth_token": new_auth_token(),
        "phone_number": "+14155550199",
        "voice_model": "Polly.Lea",
        "speech_model": "",
        "region": "ie1",
        "edge": "dublin",
    }
    data.update(overrides)
    return data


def edit_post(connection, **overrides) -> dict:
    """The Details form as the browser sends it back: every field as shown, the token as its mask."""
    data = {
        field: getattr(connection, field)
        for field in ("name", "description", "account_sid", "phone_number", "voice_model", "speech_model")
    }
    data.update(region=connection.region, edge=connection.edge, auth_token=connection.masked_auth_token)
    data.update(us1_auth_token=mask_secret(connection.us1_auth_token))
    data.update(overrides)
    return data


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def controls(html: str) -> list[str]:
    """The text of every link, button and submit input: what a user can click."""
    texts = re.findall(r"<(?:a|button)\b[^>]*>(.*?)</(?:a|button)>", html, flags=re.S)
    texts += re.findall(r"<input\b[^>]*type=\"(?:submit|button)\"[^>]*value=\"([^\"]*)\"", html)
    return [re.sub(r"<[^>]+>|\s+", " ", text).strip() for text in texts]


def test_the_admin_index_has_a_settings_section_with_channels(admin_client):
    html = page(admin_client.get(reverse("admin:index")))
    section = re.search(r'<div class="app-channels_twilio module">.*?</div>', html, flags=re.S).group(0)
    assert ">Settings</a>" in section
    assert f'<a href="{CHANGELIST}">Channels</a>' in section


def test_channels_page_lists_the_twilio_kind_and_the_connections(admin_client, connection_factory, attachment_factory):
    first = connection_factory(name="Sales line", region="ie1", edge="dublin")
    second = connection_factory(name="Support line")
    agent_name = attachment_factory(connection=first, inbound=True).agent.name

    html = page(admin_client.get(CHANGELIST))

    assert "<h1>Channels</h1>" in html
    assert "<strong>Twilio</strong>" in html and f'href="{ADD}"' in html
    for connection in (first, second):
        assert connection.name in html and connection.phone_number in html
        assert f"<code>{connection.masked_auth_token}</code>" in html
        assert connection.auth_token not in html
    assert "ie1 / dublin" in html
    assert f"{agent_name} (inbound)" in html
    for column in ("Name", "Phone number", "Region / edge", "Agents using it", "Auth Token"):
        assert f">{column}</" in html


def test_channels_page_says_the_connection_runs_with_its_agents_and_has_no_start_stop(admin_client, connection_factory):
    connection_factory()
    html = page(admin_client.get(CHANGELIST))
    text = re.sub(r"\s+", " ", html)
    assert "runs with each agent it is attached to" in text
    assert "Edits take effect after you restart those agents" in text
    clickable = controls(html)
    assert "Add" in clickable
    assert not [c for c in clickable if re.search(r"\b(start|stop)\b", c, flags=re.I)], clickable


def test_search_finds_a_connection_by_its_number(admin_client, connection_factory):
    wanted = connection_factory(name="Wanted line", phone_number="+442071838750")
    other = connection_factory(name="Other line", phone_number="+14155550100")
    html = page(admin_client.get(CHANGELIST, {"q": "2071838750"}))
    assert wanted.name in html and other.name not in html


def test_add_opens_the_new_connector_form_with_an_empty_token(admin_client):
    html = page(admin_client.get(ADD))
    assert "New connector" in html
    field = re.search(r'<input[^>]*name="auth_token"[^>]*>', html).group(0)
    assert 'value=""' in field or "value=" not in field
    # No maxlength: a pasted "+44 (20) 7946-0958" arrives whole and gets the E.164 message.
    assert "maxlength" not in re.search(r'<input[^>]*name="phone_number"[^>]*>', html).group(0)


def test_adding_a_connection_stores_the_token_encrypted_and_never_shows_it(admin_client):
    data = form_post()
    response = admin_client.post(ADD, data, follow=True)
    html = page(response)
    assert response.redirect_chain and response.redirect_chain[-1][0] == CHANGELIST
    connection = TwilioConnection.objects.get()
    assert (connection.name, connection.auth_token, connection.voice_model) == (
        "Support line",
        data["auth_token"],
        "Polly.Lea",
    )
    assert data["auth_token"] not in html
    assert connection.masked_auth_token in html


def test_details_page_shows_only_the_mask_of_the_token(admin_client, connection_factory):
    connection = connection_factory()
    html = page(admin_client.get(change_url(connection)))
    assert "<h1>Details</h1>" in html
    assert connection.auth_token not in html
    field = re.search(r'<input[^>]*name="auth_token"[^>]*>', html).group(0)
    assert f'value="{MASK_CHAR * 12}{connection.auth_token[-4:]}"' in field
    assert "restart every agent that uses it" in re.sub(r"\s+", " ", html)


def test_saving_with_the_mask_unchanged_keeps_the_token(admin_client, connection_factory):
    connection = connection_factory(name="Old name")
    token = connection.auth_token
    response = admin_client.post(change_url(connection), edit_post(connection, name="New name"))
    assert response.status_code == 302, response.content.decode()
    connection.refresh_from_db()
    assert (connection.name, connection.auth_token) == ("New name", token)


def test_pasting_a_new_token_over_the_mask_replaces_it(admin_client, connection_factory):
    connection = connection_factory()
    new_token = new_auth_token()
    response = admin_client.post(change_url(connection), edit_post(connection, auth_token=new_token), follow=True)
    assert new_token not in page(response)
    connection.refresh_from_db()
    assert connection.auth_token == new_token


def test_an_invalid_new_connector_form_does_not_echo_the_token(admin_client):
    data = form_post(phone_number="+1 415 555 0199")
    html = page(admin_client.post(ADD, data))
    assert "remove spaces, dashes and brackets" in html
    assert data["auth_token"] not in html
    assert data["account_sid"] in html  # the rest of what was typed is kept
    assert not TwilioConnection.objects.exists()


def test_an_invalid_edit_shows_neither_token_and_does_not_quietly_keep_the_old_one(admin_client, connection_factory):
    connection = connection_factory()
    old_token, new_token = connection.auth_token, new_auth_token()
    html = page(
        admin_client.post(change_url(connection), edit_post(connection, auth_token=new_token, phone_number="0"))
    )
    assert "E.164" in html
    assert new_token not in html and old_token not in html
    # The old mask in the field would make the next Save keep the old token although a new
    # one was pasted; the field comes back empty so the administrator pastes it again.
    field = re.search(r'<input[^>]*name="auth_token"[^>]*>', html).group(0)
    assert connection.masked_auth_token not in field
    connection.refresh_from_db()
    assert connection.auth_token == old_token


def test_a_bad_new_token_is_refused_without_echoing_it(admin_client, connection_factory):
    connection = connection_factory()
    bad = "0123456789abcdef0123456789abcdeZ"
    html = page(admin_client.post(change_url(connection), edit_post(connection, auth_token=bad)))
    assert "32 lowercase hexadecimal characters" in html
    assert bad not in html and connection.auth_token not in html


def test_delete_asks_delete_the_integration_and_names_the_agents_that_go_offline(
    admin_client, connection_factory, agent_factory, attachment_factory
):
    connection = connection_factory()
    inbound_agent, outbound_agent = agent_factory(name="Front desk"), agent_factory(name="Collections")
    attachment_factory(agent=inbound_agent, connection=connection, inbound=True)
    attachment_factory(agent=outbound_agent, connection=connection, inbound=False)
    html = page(admin_client.get(delete_url(connection)))
    text = re.sub(r"\s+", " ", html)
    assert "Delete the integration?" in text
    assert "The phone line goes offline" in text
    assert "<strong>Front desk</strong>" in text and "<strong>Collections</strong>" in text
    assert connection.phone_number in text
    assert connection.auth_token not in html


def test_deleting_removes_the_connection_and_its_attachments(admin_client, connection_factory, attachment_factory):
    connection = connection_factory()
    attachment = attachment_factory(connection=connection)
    kept = attachment_factory()
    response = admin_client.post(delete_url(connection), {"post": "yes"})
    assert response.status_code == 302
    assert not TwilioConnection.objects.filter(pk=connection.pk).exists()
    assert list(ChannelAttachment.objects.all()) == [kept]
    # The agent that lost its line is told so in its logs.
    [entry] = AgentLogEntry.objects.filter(agent_id=attachment.agent_id)
    assert "offline" in entry.message and connection.phone_number in entry.message


@pytest.mark.django_db
def test_the_token_is_in_no_log_record_across_add_and_edit(admin_client, caplog, settings):
    settings.DEBUG = True  # SQL is logged too, with its parameters
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")  # Django's own logging config holds it at INFO
    first, second = new_auth_token(), new_auth_token()
    assert admin_client.post(ADD, form_post(auth_token=first)).status_code == 302
    connection = TwilioConnection.objects.get()
    assert admin_client.get(change_url(connection)).status_code == 200
    assert admin_client.post(change_url(connection), edit_post(connection, auth_token=second)).status_code == 302
    assert admin_client.post(change_url(connection), edit_post(connection, phone_number="bad")).status_code == 200
    assert admin_client.get(CHANGELIST).status_code == 200
    assert any(r.name == "django.db.backends" for r in caplog.records), "SQL was not logged: the check is void"
    for record in caplog.records:
        text = record.getMessage() + repr(record.args)
        assert first not in text and second not in text, record.name


def test_history_does_not_report_an_unchanged_token_as_changed(admin_client, connection_factory):
    from django.contrib.admin.models import LogEntry

    connection = connection_factory()
    admin_client.post(change_url(connection), edit_post(connection, name="Renamed line"))
    entry = LogEntry.objects.filter(object_id=str(connection.pk)).latest("action_time")
    assert "Name" in entry.get_change_message()
    assert "Auth Token" not in entry.get_change_message()


def test_bulk_delete_is_not_offered_so_every_delete_shows_the_warning(admin_client, connection_factory):
    connection_factory()
    html = page(admin_client.get(reverse("admin:channels_twilio_twilioconnection_changelist")))
    assert "delete_selected" not in html
