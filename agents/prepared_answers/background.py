"""Where a prepared answer's job runs: on Celery workers when a broker is configured, else in a
small pool of threads in this process.

With no broker Celery runs a task eagerly, inside the request that queued it: a partial-result
request would then wait for the model. So without a broker the job goes to a bounded thread
pool instead. Either way its result lands in the database (the PreparedAnswer row), where any
web process finds it; a job lost with its thread or worker is noticed by the reply pickup
(`reply_pickup`) and started again.
"""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.db import connections, transaction

from flametree_portal.celery import app as celery_app

from .models import PreparedAnswer
from .preparation import make_reply
from .tasks import prepare_answer

logger = logging.getLogger(__name__)

# Replies made at once per web process when there is no broker (a laptop, a small line).
THREADS = 8

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_busy = 0


def start(prepared_id: int, *, speculative: bool) -> None:
    """Make the row's reply in the background, once the current transaction commits.

    A speculative job (prepared early from partial speech) is dropped, and its row deleted,
    when no thread is free: the final result then simply gets a fresh answer. A job for a
    final result always runs.
    """
    transaction.on_commit(lambda: _dispatch(prepared_id, speculative))


def _dispatch(prepared_id: int, speculative: bool) -> None:
    if not celery_app.conf.task_always_eager:
        try:
            prepare_answer.delay(prepared_id)
        except Exception:
            logger.exception("could not queue the reply job of prepared answer %s", prepared_id)
            if speculative:
                _drop(prepared_id)
        return
    if not _take_thread(speculative):
        _drop(prepared_id)
        return
    _executor().submit(_run_here, prepared_id)


def _drop(prepared_id: int) -> None:
    PreparedAnswer.objects.filter(pk=prepared_id, matched_at__isnull=True).delete()


def _take_thread(speculative: bool) -> bool:
    global _busy
    with _lock:
        if speculative and _busy >= THREADS:
            return False
        _busy += 1
        return True


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="reply")
        return _pool


def _run_here(prepared_id: int) -> None:
    global _busy
    try:
        make_reply(prepared_id)
    except Exception:
        logger.exception("reply job of prepared answer %s failed", prepared_id)
    finally:
        with _lock:
            _busy -= 1
        connections.close_all()  # this thread's connections only


def wait_until_idle(timeout: float) -> bool:
    """Wait until no reply job runs in this process's pool (tests, benchmark); False on timeout."""
    deadline = time.monotonic() + timeout
    while _busy and time.monotonic() < deadline:
        time.sleep(0.01)
    return not _busy
