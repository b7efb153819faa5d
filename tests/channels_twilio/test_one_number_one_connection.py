"""A phone number is on one connection per Twilio account, so one inbound agent answers it.

Also the US1 Auth Token field that a connection outside us1 carries: kept secret like the Auth Token.
"""

import pytest
from django.db import IntegrityError, transaction
from django.db import connection as db
from django.urls import reverse

from channels_twilio.forms import TwilioConnectionForm
from channels_twilio.models import ChannelAttachment, TwilioConnection
from flametree_portal.encrypted_fields import secret_box
from tests.conftest import new_account_sid, new_auth_token

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    data = {
        "name": "Second line",
        "description": "",
        "account_sid": new_account_sid(),
        "auth_token": new_auth_token(),
        "phone_number": "+14155550123",
        "voice_model": "",
        "speech_model": "",
        "region": "",
        "edge": "",
        "us1_auth_token": "",
    }
    data.update(overrides)
    return data


def test_a_second_connection_with_the_same_number_in_the_account_is_refused_naming_the_first(connection_factory):
    first = connection_factory(name="Support line")
    form = TwilioConnectionForm(data=form_data(account_sid=first.account_sid, phone_number=first.phone_number))

    assert not form.is_valid()
    [message] = form.errors["phone_number"]
    assert f"{first.phone_number} is already the number of connection “Support line”" in message
    assert "edit “Support line” instead, or enter another number" in message
    assert TwilioConnection.objects.count() == 1


def test_the_same_number_in_another_account_is_accepted(connection_factory):
    first = connection_factory()
    form = TwilioConnectionForm(data=form_data(phone_number=first.phone_number))
    assert form.is_valid(), form.errors
    form.save()


def test_editing_a_connection_does_not_clash_with_itself(connection_factory):
    connection = connection_factory()
    data = form_data(
        account_sid=connection.account_sid,
        phone_number=connection.phone_number,
        auth_token=connection.masked_auth_token,
        name="Renamed",
    )
    form = TwilioConnectionForm(data=data, instance=connection)
    assert form.is_valid(), form.errors
    assert form.save().name == "Renamed"


def test_the_database_refuses_a_number_twice_in_one_account(connection_factory):
    first = connection_factory()
    with pytest.raises(IntegrityError), transaction.atomic():
        connection_factory(account_sid=first.account_sid, phone_number=first.phone_number)


def test_one_number_has_one_inbound_agent_across_connections(connection_factory, attachment_factory, agent_factory):
    """The product's rule holds for the number, not only per connection: the number's one
    connection takes one inbound attachment, and no second connection can carry the number."""
    line = attachment_factory(inbound=True)
    number, account = line.connection.phone_number, line.connection.account_sid

    with pytest.raises(IntegrityError), transaction.atomic():
        ChannelAttachment.objects.create(agent=agent_factory(), connection=line.connection, inbound=True)
    assert not TwilioConnectionForm(data=form_data(account_sid=account, phone_number=number)).is_valid()

    inbound = ChannelAttachment.objects.filter(
        inbound=True, connection__account_sid=account, connection__phone_number=number
    )
    assert list(inbound) == [line]


def test_the_us1_auth_token_is_stored_encrypted_and_shown_only_masked(admin_client, connection_factory):
    token = new_auth_token()
    connection = connection_factory(region="ie1", us1_auth_token=token)
    html = admin_client.get(reverse("admin:channels_twilio_twilioconnection_change", args=[connection.pk])).content
    html = html.decode()

    assert token not in html and token[-4:] in html
    assert "US1 Auth Token (only for a Region other than us1)" in html
    assert "pick region US1" in html, "the help text says where to copy it from"
    with db.cursor() as cursor:
        cursor.execute("SELECT us1_auth_token FROM channels_twilio_twilioconnection WHERE id = %s", [connection.pk])
        stored = cursor.fetchone()[0]
    assert token not in stored and secret_box().decrypt(stored.encode()).decode() == token


def test_the_us1_auth_token_mask_sent_back_keeps_the_token_and_an_empty_field_clears_it(connection_factory):
    token = new_auth_token()
    connection = connection_factory(region="ie1", us1_auth_token=token)
    base = form_data(
        account_sid=connection.account_sid,
        phone_number=connection.phone_number,
        auth_token=connection.masked_auth_token,
        region="ie1",
    )
    form = TwilioConnectionForm(data={**base, "us1_auth_token": form_mask(connection)}, instance=connection)
    assert form.is_valid(), form.errors
    assert "us1_auth_token" not in form.changed_data
    assert form.save().us1_auth_token == token

    form = TwilioConnectionForm(data={**base, "us1_auth_token": ""}, instance=TwilioConnection.objects.get())
    assert form.is_valid(), form.errors
    assert form.save().us1_auth_token == ""


def form_mask(connection) -> str:
    return TwilioConnectionForm(instance=connection).fields["us1_auth_token"].widget.mask
