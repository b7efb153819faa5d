"""Serving a request again when the database connection it was given turns out to be dead.

After a database restart (or a failover, or an idle connection cut by a proxy) a kept
connection fails on first use. Health checks (CONN_HEALTH_CHECKS) catch most of these before
the request starts; this catches the rest, for handlers that are safe to run twice — Twilio's
webhooks are idempotent because Twilio itself retries them.
"""

import logging

from django.db import InterfaceError, OperationalError, connection

logger = logging.getLogger(__name__)


def run_reconnecting(handler, *args, **kwargs):
    """`handler(*args, **kwargs)`; once more on a fresh connection if the database connection was lost."""
    try:
        return handler(*args, **kwargs)
    except (OperationalError, InterfaceError) as exc:
        # Inside a transaction the work so far is gone with the connection: not ours to redo.
        if connection.in_atomic_block or (connection.connection is not None and connection.is_usable()):
            raise
        logger.warning("database connection lost (%s); serving the request again on a new one", type(exc).__name__)
        connection.close()
        return handler(*args, **kwargs)
