"""The agent page's "Place a call": the same request as the API, from the admin."""

import pytest
from django.urls import reverse

from sessions_app.models import Session
from tests.outbound.callee import dial_requests


def page(agent_id) -> str:
    return reverse("admin:agents_agent_place_call", args=[agent_id])


def test_the_agent_page_links_to_place_a_call(admin_client, outbound_line):
    line = outbound_line()
    response = admin_client.get(reverse("admin:agents_agent_change", args=[line.agent_id]))
    assert f'href="{page(line.agent_id)}" id="place-call"' in response.content.decode()


def test_placing_a_call_from_the_agent_page(
    admin_client, outbound_line, twilio_standin, django_capture_on_commit_callbacks
):
    line = outbound_line()
    form = admin_client.get(page(line.agent_id))
    assert form.status_code == 200
    assert 'name="to"' in form.content.decode() and 'name="connection"' not in form.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(page(line.agent_id), {"to": "+15005550006"})
    assert response.status_code == 302
    session = Session.objects.get()
    assert (session.state, session.direction, session.to_number) == ("dialing", "outbound", "+15005550006")
    (created,) = twilio_standin.calls(line.connection.account_sid)
    assert created["From"] == line.connection.phone_number and session.call_sid == created["sid"]
    followed = admin_client.get(response["Location"])
    assert f"Calling +15005550006 from {line.connection.phone_number}" in followed.content.decode()


def test_the_page_shows_why_a_call_was_refused(admin_client, attachment_factory, twilio_standin):
    attachment = attachment_factory(inbound=False)  # agent stopped
    body = admin_client.get(page(attachment.agent_id)).content.decode()
    assert 'id="not-running"' in body and "disabled" in body

    response = admin_client.post(page(attachment.agent_id), {"to": "+15005550006"})
    assert response.status_code == 200
    assert "is stopped, not running: start it" in response.content.decode()
    response = admin_client.post(page(attachment.agent_id), {"to": "0044 20 7183 8750"})
    assert "E.164" in response.content.decode()
    assert Session.objects.count() == 0 and dial_requests(twilio_standin) == []


def test_several_connections_offer_a_choice(admin_client, outbound_line, connection_factory, twilio_standin):
    first = outbound_line()
    second = outbound_line(agent=first.agent, connection=connection_factory(name="Sales line"))
    body = admin_client.get(page(first.agent_id)).content.decode()
    assert 'name="connection"' in body and "Sales line" in body
    admin_client.post(page(first.agent_id), {"to": "+15005550006", "connection": second.connection_id})
    assert Session.objects.get().connection_id == second.connection_id


@pytest.mark.parametrize("method", ["get", "post"])
def test_users_who_cannot_change_agents_cannot_place_calls(client, django_user_model, outbound_line, method):
    line = outbound_line()
    staff = django_user_model.objects.create_user("staff", "staff@example.test", "staff-password", is_staff=True)
    client.force_login(staff)
    response = getattr(client, method)(page(line.agent_id), {"to": "+15005550006"})
    assert response.status_code == 403
    assert Session.objects.count() == 0
