"""The database drops the web process's connections (a restart, a failover): Twilio's next request is still served."""

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
