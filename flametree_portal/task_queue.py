"""Queueing a background task without letting a broker outage become a 500.

Celery raises when Redis cannot be reached (after its short publish retries). Callers get
False instead, and decide what "not queued" means for their work: a sweep that re-queues it
later, doing it at once, or refusing the request with a clear message.
"""

import logging

from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

QUEUE_DOWN = (
    "the task queue (Redis at CELERY_BROKER_URL) is unreachable: check that it is running and that "
    "this server can reach it"
)


def enqueue(task, *args, **kwargs) -> bool:
    """`task.delay(*args, **kwargs)`; False (and a process log line) when the broker refused it."""
    try:
        task.delay(*args, **kwargs)
    except (OperationalError, OSError) as exc:
        logger.error("could not queue %s: %s (%s)", task.name, QUEUE_DOWN, type(exc).__name__)
        return False
    return True
