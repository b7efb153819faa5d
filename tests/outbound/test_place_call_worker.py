"""The dial task on a real Celery worker with Redis (CI): the request is answered, the worker dials."""

import pytest

from sessions_app.models import Session
from tests.outbound.callee import dial_requests
from tests.worker import wait_for


@pytest.mark.worker
def test_a_call_request_is_dialed_by_the_worker(celery_worker, api, running_line, twilio_standin):
    line = running_line(inbound=False)
    response = api.post(f"/api/agents/{line.agent_id}/calls", {"to": "+15005550006"}, format="json")
    assert response.status_code == 202
    assert response.json()["state"] == "dialing"

    session_id = response.json()["session"]
    call_sid = wait_for(lambda: Session.objects.filter(pk=session_id).values_list("call_sid", flat=True).first())
    (created,) = twilio_standin.calls(line.connection.account_sid)
    assert created["sid"] == call_sid and created["From"] == line.connection.phone_number
    assert len(dial_requests(twilio_standin)) == 1
