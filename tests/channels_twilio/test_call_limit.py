"""Max opened sessions holds under a burst of simultaneous calls (threads, real transactions)."""

import threading

import pytest
from django.db import connection
from django.test import Client

from sessions_app.models import Session
from tests.call_driver import CallDriver
from tests.conftest import make_signed_post


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_calls_open_exactly_max_sessions(running_line):
    attachment = running_line(max_opened_sessions=5)
    start = threading.Barrier(20)
    verbs, errors = [], []

    def place_call(n: int) -> None:
        try:
            driver = CallDriver(make_signed_post(Client()), attachment.connection, caller=f"+1500555{n:04d}")
            start.wait()
            driver.dial()
            verbs.append(driver.verbs()[0])
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=place_call, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert sorted(verbs) == ["Gather"] * 5 + ["Reject"] * 15
    assert Session.objects.filter(agent_id=attachment.agent_id, state="open").count() == 5
    assert Session.objects.filter(close_reason="rejected-over-limit").count() == 15
