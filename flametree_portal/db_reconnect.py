"""Serving a request again when the database connection it was given turns out to be dead.

After a database restart (or a failover, or an idle connection cut by a proxy) a kept
connection fails on first use, or in the middle of a request. Health checks
(CONN_HEALTH_CHECKS) catch the first kind before the request starts; this catches the rest, for
handlers that are safe to run twice — Twilio's webhooks are idempotent, written for Twilio's
own retries.
"""

import logging

from django.db import InterfaceError, OperationalError, connection

logger = logging.getLogger(__name__)


def run_reconnecting(handler, *args, **kwargs):
    """`handler(*args, **kwargs)`; once more on a fresh connection if the database connection was lost."""
    try:
        return handler(*args, **kwargs)
    except (OperationalError, InterfaceError) as exc:
        # Inside a caller's transaction the work so far is gone with the connection: not ours to redo.
        # Otherwise run it once more on a new connection, whatever the connection looks like now: a
        # query may already have opened a fresh one (so "is it usable?" cannot tell), and the
        # handlers are idempotent, so a second run of a request that half-happened is safe.
        if connection.in_atomic_block:
            raise
        logger.warning("database error (%s: %s); serving the request once more", type(exc).__name__, exc)
        connection.close()
        return handler(*args, **kwargs)
