"""Max opened sessions holds under a burst of simultaneous calls (threads, real transactions)."""

import pytest
from django.test import Client

from sessions_app.models import Session
from tests.burst import run_at_once
from tests.call_driver import CallDriver
from tests.conftest import make_signed_post


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_calls_open_exactly_max_sessions(running_line):
    attachment = running_line(max_opened_sessions=5)

    def place_call(n: int) -> str:
        driver = CallDriver(make_signed_post(Client()), attachment.connection, caller=f"+1500555{n:04d}")
        driver.dial()
        return driver.verbs()[0]

    verbs = run_at_once(20, place_call)
    assert sorted(verbs) == ["Gather"] * 5 + ["Reject"] * 15
    assert Session.objects.filter(agent_id=attachment.agent_id, state="open").count() == 5
    assert Session.objects.filter(close_reason="rejected-over-limit").count() == 15
