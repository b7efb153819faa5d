"""Max opened sessions holds under a burst of simultaneous call requests (threads, real transactions)."""

import pytest

from sessions_app.models import Session
from tests.api_clients import token_client
from tests.burst import run_at_once
from tests.outbound.callee import dial_requests


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_requests_dial_exactly_max_calls(running_line, api_user, twilio_standin):
    line = running_line(inbound=False, max_opened_sessions=5)
    clients = [token_client(api_user) for _ in range(20)]

    def request_call(n: int):
        response = clients[n].post(f"/api/agents/{line.agent_id}/calls", {"to": f"+1500555{n:04d}"}, format="json")
        return response.status_code, response.json().get("code")

    answers = run_at_once(20, request_call)
    assert sorted(answers, key=str) == [(202, None)] * 5 + [(409, "max-opened-sessions")] * 15
    sessions = Session.objects.filter(agent_id=line.agent_id)
    assert sessions.count() == 5, "refused requests write no session"
    assert sessions.filter(state="dialing").count() == 5
    created = twilio_standin.calls(line.connection.account_sid)
    assert len(dial_requests(twilio_standin)) == len(created) == 5
    assert set(sessions.values_list("call_sid", flat=True)) == {c["sid"] for c in created}
