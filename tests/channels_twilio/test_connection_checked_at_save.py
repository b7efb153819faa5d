"""Saving a connection checks it with Twilio: a wrong token or number is said at Save, not at the next Start."""

import pytest
from django.urls import reverse

from channels_twilio.models import TwilioConnection
from tests.conftest import new_account_sid, new_auth_token

ADD = reverse("admin:channels_twilio_twilioconnection_add")
NUMBER = "+14155550123"

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(twilio_standin):
    """An account on the stand-in with NUMBER, which takes calls; returns (sid, token)."""
    sid, token = new_account_sid(), new_auth_token()
    twilio_standin.add_account(sid, token)
    twilio_standin.add_number(sid, NUMBER)
    return sid, token


def form_post(sid: str, token: str, **overrides) -> dict:
    data = {
        "name": "Support line",
        "description": "",
        "account_sid": sid,
        "auth_token": token,
        "phone_number": NUMBER,
        "voice_model": "",
        "speech_model": "",
        "region": "",
        "edge": "",
        "us1_auth_token": "",
    }
    return {**data, **overrides}


def field_errors(response, name: str) -> list[str]:
    return response.context["adminform"].form.errors.get(name, [])


def test_a_connection_twilio_confirms_is_saved_without_a_warning(admin_client, account, twilio_standin):
    response = admin_client.post(ADD, form_post(*account), follow=True)

    assert TwilioConnection.objects.filter(name="Support line").exists()
    assert [str(m) for m in response.context["messages"] if m.level_tag == "warning"] == []
    assert any("/IncomingPhoneNumbers.json" in r.path for r in twilio_standin.requests)


def test_a_wrong_auth_token_is_refused_at_save_on_the_auth_token_field(admin_client, account):
    sid, _ = account

    response = admin_client.post(ADD, form_post(sid, new_auth_token()))

    assert response.status_code == 200
    assert not TwilioConnection.objects.exists()
    (error,) = field_errors(response, "auth_token")
    assert "Twilio rejected the Account SID or Auth Token (error 20003)" in error


def test_a_number_not_in_the_account_is_refused_at_save_on_the_phone_number_field(admin_client, account):
    response = admin_client.post(ADD, form_post(*account, phone_number="+14155550999"))

    assert not TwilioConnection.objects.exists()
    (error,) = field_errors(response, "phone_number")
    assert "+14155550999 was not found in Twilio account" in error


def test_a_messaging_only_number_is_refused_at_save(admin_client, account, twilio_standin):
    sid, token = account
    twilio_standin.add_number(sid, "+14155550777", voice=False)

    response = admin_client.post(ADD, form_post(sid, token, phone_number="+14155550777"))

    assert not TwilioConnection.objects.exists()
    (error,) = field_errors(response, "phone_number")
    assert "cannot take calls" in error and "voice capability" in error


def test_when_twilio_cannot_be_reached_the_connection_is_saved_with_a_warning(admin_client, account, twilio_standin):
    twilio_standin.unreachable = True

    response = admin_client.post(ADD, form_post(*account), follow=True)

    assert TwilioConnection.objects.filter(name="Support line").exists()
    (warning,) = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warning.startswith("Saved without checking with Twilio: Twilio could not be reached")
    assert "Start agent checks the connection again" in warning


def test_editing_with_the_token_left_masked_checks_with_the_stored_token(admin_client, account, connection_factory):
    sid, token = account
    connection = connection_factory(account_sid=sid, auth_token=token, phone_number=NUMBER)
    url = reverse("admin:channels_twilio_twilioconnection_change", args=[connection.pk])

    response = admin_client.post(url, form_post(sid, connection.masked_auth_token, name="Renamed"))

    assert response.status_code == 302
    assert TwilioConnection.objects.get(pk=connection.pk).name == "Renamed"


def test_a_connection_outside_us1_is_checked_in_its_region_with_that_regions_token(admin_client, twilio_standin):
    sid, ie1_token = new_account_sid(), new_auth_token()
    twilio_standin.add_account(sid, ie1_token, region="ie1")
    twilio_standin.add_number(sid, NUMBER)

    refused = admin_client.post(ADD, form_post(sid, ie1_token))  # us1: that token is not valid there
    assert "error 20003" in field_errors(refused, "auth_token")[0]

    saved = admin_client.post(ADD, form_post(sid, ie1_token, region="ie1"))
    assert saved.status_code == 302
