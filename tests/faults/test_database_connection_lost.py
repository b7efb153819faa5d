"""The database drops the web process's connections (a restart, a failover): Twilio's requests are still served,
whether the connection dropped between two requests or in the middle of one."""

import psycopg
import pytest
from django.db import connection

from sessions_app.models import Session
from tests.call_driver import CallDriver

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (CI runs it): SQLite has no connection to drop"
    ),
]


def drop_this_process_connection() -> None:
    """What a database restart does to a kept connection: the server ends it."""
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"}, autocommit=True) as admin:
        ended = admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
    assert ended


def test_every_webhook_of_a_call_is_served_after_the_database_dropped_the_connection(running_line, signed_post):
    line = running_line(inbound=True)
    call = CallDriver(signed_post, line.connection)

    drop_this_process_connection()
    call.dial()
    assert call.said() == ["Hello, this is Flametree. How can I help?"]

    drop_this_process_connection()
    call.speak("goodbye")

    drop_this_process_connection()
    call.status("completed")
    session = Session.objects.get(call_sid=call.call_sid)
    assert session.state == "closed"
    assert [m.role for m in session.messages.order_by("sequence")] == ["agent", "caller", "agent"]


def drop_the_connection_before_query(number: int):
    """A database-level fault: the server ends this process's connection just before its `number`-th query."""
    queries = {"seen": 0}

    def wrapper(execute, sql, params, many, context):
        queries["seen"] += 1
        if queries["seen"] == number:
            drop_this_process_connection()
        return execute(sql, params, many, context)

    return wrapper


@pytest.mark.parametrize("query", range(1, 13))
def test_a_gather_action_is_served_when_the_connection_drops_in_the_middle_of_it(running_line, signed_post, query):
    line = running_line(inbound=True)
    call = CallDriver(signed_post, line.connection)
    call.dial()

    with connection.execute_wrapper(drop_the_connection_before_query(query)):
        call.speak("goodbye", partials=False)

    assert call.said() == ["Thank you for calling. Goodbye!"]
    session = Session.objects.get(call_sid=call.call_sid)
    assert [m.role for m in session.messages.order_by("sequence")] == ["agent", "caller", "agent"]
