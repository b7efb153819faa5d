"""POST /api/agents/<id>/calls: what opens a dialing session, and every refusal (nothing dialed, nothing written)."""

import pytest
from rest_framework.test import APIClient

from agents import lifecycle
from agents.models import AgentLogEntry
from sessions_app.models import Session
from tests.api_clients import token_client
from tests.outbound.callee import dial_requests

CUSTOMER = "+15005550006"


def assert_refused(response, status: int, code: str, *phrases: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    if code:
        assert body["code"] == code
    for phrase in phrases:
        assert phrase in body["detail"], body["detail"]


def assert_nothing_dialed(standin) -> None:
    """No session was written and Twilio was never asked to dial."""
    assert Session.objects.count() == 0
    assert dial_requests(standin) == []


def test_call_request_opens_a_dialing_session_and_answers_202(place, outbound_line, twilio_standin):
    line = outbound_line()
    response = place(line.agent_id, CUSTOMER)

    assert response.status_code == 202, response.content
    session = Session.objects.get()
    url = f"http://testserver/api/sessions/{session.id}"
    assert response.json() == {"session": str(session.id), "url": url, "state": "dialing"}
    assert response["Location"] == url
    assert session.state == "dialing" and session.direction == "outbound"
    assert (session.from_number, session.to_number) == (line.connection.phone_number, CUSTOMER)
    assert (session.agent_id, session.connection_id, session.attachment_id) == (
        line.agent_id,
        line.connection_id,
        line.id,
    )
    assert session.call_sid == twilio_standin.calls(line.connection.account_sid)[0]["sid"]


def test_trailing_slash_is_accepted_without_a_redirect(place, outbound_line):
    line = outbound_line()
    response = place(line.agent_id, path=f"/api/agents/{line.agent_id}/calls/")
    assert response.status_code == 202


def test_inbound_line_places_calls_too(place, running_line, twilio_standin):
    line = running_line(inbound=True)
    assert place(line.agent_id).status_code == 202
    assert len(twilio_standin.calls(line.connection.account_sid)) == 1


def test_refused_when_the_agent_is_not_running(place, attachment_factory, twilio_standin):
    attachment = attachment_factory(inbound=False)
    response = place(attachment.agent_id)
    assert_refused(response, 409, "agent-not-running", attachment.agent.name, "stopped", "Start agent")
    assert_nothing_dialed(twilio_standin)


def test_refused_after_the_agent_stopped(place, outbound_line, twilio_standin):
    line = outbound_line()
    lifecycle.stop_agent(line.agent_id)
    assert_refused(place(line.agent_id), 409, "agent-not-running", "stopped")
    assert_nothing_dialed(twilio_standin)


def test_refused_without_a_twilio_attachment(place, agent_factory, twilio_standin, django_capture_on_commit_callbacks):
    agent = agent_factory()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.start_agent(agent.id)
    agent.refresh_from_db()
    assert agent.state == "running"
    response = place(agent.id)
    assert_refused(response, 409, "no-twilio-connection", "no Twilio connection attached", "Communication channels")
    assert_nothing_dialed(twilio_standin)


def test_refused_when_the_connection_was_attached_after_the_start(
    place, outbound_line, attachment_factory, twilio_standin
):
    line = outbound_line()
    late = attachment_factory(agent=line.agent, inbound=False)
    response = place(line.agent_id, connection=late.connection_id)
    assert_refused(response, 409, "connection-not-running", late.connection.name, "restart the agent")
    assert_nothing_dialed(twilio_standin)


@pytest.mark.parametrize(
    ("number", "hint"),
    [
        ("415-555-0100", "remove spaces, dashes and brackets"),
        ("14155550100", "start with the plus sign"),
        ("+1", "2 to 15 digits"),
        ("+141555501001234567", "2 to 15 digits"),
    ],
)
def test_refused_when_the_number_is_not_e164(place, outbound_line, twilio_standin, number, hint):
    line = outbound_line()
    response = place(line.agent_id, number)
    assert_refused(response, 400, "invalid-number", f"Cannot call '{number}'", "E.164", hint)
    assert_nothing_dialed(twilio_standin)


def test_refused_when_the_number_is_missing(api, outbound_line, twilio_standin):
    line = outbound_line()
    response = api.post(f"/api/agents/{line.agent_id}/calls", {}, format="json")
    assert_refused(response, 400, "", "to: This field is required.")
    assert_nothing_dialed(twilio_standin)


def test_refused_at_max_opened_sessions_and_the_refusal_is_logged(place, outbound_line, twilio_standin):
    line = outbound_line(max_opened_sessions=2)
    assert [place(line.agent_id).status_code for _ in range(2)] == [202, 202]

    response = place(line.agent_id, "+15005550009")
    assert_refused(response, 409, "max-opened-sessions", "Max opened sessions (2 calls open or dialing)")
    assert Session.objects.count() == 2, "a refused request writes no session"
    assert len(dial_requests(twilio_standin)) == 2
    log = AgentLogEntry.objects.get(agent_id=line.agent_id, level="warning")
    assert "Outbound call to +15005550009 refused" in log.message


def test_inbound_and_outbound_calls_share_max_opened_sessions(place, running_line, signed_post, twilio_standin):
    from tests.call_driver import CallDriver

    line = running_line(inbound=True, max_opened_sessions=2)
    CallDriver(signed_post, line.connection).dial()  # an inbound call holds one place
    assert place(line.agent_id).status_code == 202  # the dialing call holds the other
    assert_refused(place(line.agent_id), 409, "max-opened-sessions")
    busy = CallDriver(signed_post, line.connection, caller="+15005550077")
    busy.dial()
    assert busy.verbs() == ["Reject"]


def test_unauthenticated_request_is_refused(outbound_line, twilio_standin, django_capture_on_commit_callbacks):
    line = outbound_line()
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post(f"/api/agents/{line.agent_id}/calls", {"to": CUSTOMER}, format="json")
    assert_refused(response, 401, "", "Authentication credentials were not provided.")
    assert response["WWW-Authenticate"] == "Token"
    bad_token = APIClient()
    bad_token.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert_refused(bad_token.post(f"/api/agents/{line.agent_id}/calls", {"to": CUSTOMER}), 401, "", "Invalid token")
    assert_nothing_dialed(twilio_standin)


def test_a_user_who_cannot_change_agents_is_refused(place, outbound_line, django_user_model, twilio_standin):
    line = outbound_line()
    viewer = django_user_model.objects.create_user("viewer", "viewer@example.test", "viewer-password")
    response = place(line.agent_id, client=token_client(viewer))
    assert_refused(response, 403, "", "agents.change_agent")
    assert_nothing_dialed(twilio_standin)


def test_unknown_agent_is_404(place, twilio_standin):
    assert_refused(place(987654), 404, "", "No agent with id 987654.")
    assert_nothing_dialed(twilio_standin)


def test_a_connection_must_be_named_when_the_agent_has_several(
    place, outbound_line, connection_factory, twilio_standin
):
    first = outbound_line()
    # Attaching a second connection and starting the agent again snapshots both.
    second = outbound_line(agent=first.agent, connection=connection_factory(name="Sales line"))
    first.refresh_from_db()
    assert first.is_running and second.is_running

    response = place(first.agent_id)
    assert_refused(response, 400, "connection-required", "2 Twilio connections", '"connection"', "Sales line")
    assert_refused(place(first.agent_id, connection=999999), 400, "connection-not-attached", "999999", "Sales line")
    assert_nothing_dialed(twilio_standin)

    assert place(first.agent_id, connection=second.connection_id).status_code == 202
    session = Session.objects.get()
    assert (session.connection_id, session.from_number) == (second.connection_id, second.connection.phone_number)
    created = twilio_standin.calls(second.connection.account_sid)
    assert [c["From"] for c in created] == [second.connection.phone_number]
