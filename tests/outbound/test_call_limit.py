"""Max opened sessions holds under a burst of simultaneous call requests (threads, real transactions)."""

import threading

import pytest
from django.db import connection

from sessions_app.models import Session
from tests.outbound.callee import dial_requests
from tests.outbound.conftest import token_client


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_requests_dial_exactly_max_calls(running_line, api_user, twilio_standin):
    line = running_line(inbound=False, max_opened_sessions=5)
    clients = [token_client(api_user) for _ in range(20)]
    start = threading.Barrier(20)
    answers, errors = [], []

    def request_call(n: int) -> None:
        try:
            start.wait()
            response = clients[n].post(f"/api/agents/{line.agent_id}/calls", {"to": f"+1500555{n:04d}"}, format="json")
            answers.append((response.status_code, response.json().get("code")))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=request_call, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert sorted(answers, key=str) == [(202, None)] * 5 + [(409, "max-opened-sessions")] * 15
    sessions = Session.objects.filter(agent_id=line.agent_id)
    assert sessions.count() == 5, "refused requests write no session"
    assert sessions.filter(state="dialing").count() == 5
    created = twilio_standin.calls(line.connection.account_sid)
    assert len(dial_requests(twilio_standin)) == len(created) == 5
    assert set(sessions.values_list("call_sid", flat=True)) == {c["sid"] for c in created}
