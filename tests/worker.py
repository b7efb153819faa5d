"""A real Celery worker process on Redis, for tests of the background tasks.

The worker runs our code with the test settings against the test database (so tests
that use it need `transactional_db`: the worker only sees committed rows) and reaches
Twilio through the stand-in's proxy, like the test process. It consumes a queue of its
own, so a stray worker elsewhere can't take its tasks. The broker is CELERY_BROKER_URL or, when
that is unset, Redis on its default port; with neither, these tests skip (fail under REQUIRE_SERVICES=1).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import kombu.pools
import pytest
from django.db import connection

from flametree_portal.celery import app as celery_app
from tests.services import missing_service

ROOT = Path(__file__).resolve().parent.parent
# Without CELERY_BROKER_URL, the tests that need a worker try Redis on its default port.
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"


def _broker_reachable(url: str) -> bool:
    try:
        with celery_app.connection_for_write(url) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def _use_broker(url: str) -> None:
    """Publish to `url` from now on (Celery reads CELERY_BROKER_URL before its setting; pools are per URL)."""
    os.environ["CELERY_BROKER_URL"] = url
    celery_app.conf.broker_url = url
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, twilio_standin_server, tmp_path_factory):
    given = os.environ.get("CELERY_BROKER_URL", "")
    broker = given or DEFAULT_BROKER
    if not _broker_reachable(broker):
        if given:
            missing_service(f"the Celery broker {broker} does not answer (is Redis running?)")
        missing_service(
            f"no Celery broker: CELERY_BROKER_URL is unset and no Redis answers at {DEFAULT_BROKER} "
            "(start Redis there, or set CELERY_BROKER_URL as .ci/run does)"
        )
    saved = celery_app.conf.broker_url
    if not given:
        _use_broker(broker)
    queue = f"flametree-test-{os.getpid()}"
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    try:
        process = start_worker(broker, queue, log, twilio_standin_server)
        try:
            yield {"queue": queue, "log": log, "process": process}
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    finally:
        if not given:
            _use_broker(saved)
            os.environ.pop("CELERY_BROKER_URL", None)  # unset, as it was


def start_worker(broker: str, queue: str, log: Path, standin, concurrency: int = 4) -> subprocess.Popen:
    """A worker process consuming `queue` on `broker` (the app's broker_url must be `broker`,
    for the ready ping); returns once it answers."""
    env = {
        **os.environ,
        **standin.env,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "TEST_WORKER_DATABASE_NAME": str(connection.settings_dict["NAME"]),
        "CELERY_BROKER_URL": broker,
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "flametree_portal",
        "worker",
        "-Q",
        queue,
        "--pool=threads",
        f"--concurrency={concurrency}",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--hostname",
        f"{queue}@%h",
    ]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not celery_app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the Celery worker did not start:\n{log.read_text()[-3000:]}", pytrace=False)
    return process


@pytest.fixture
def celery_worker(celery_worker_process, transactional_db, twilio_standin):
    """Send tasks to the real worker (not in-process) for the duration of the test."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_default_queue
    conf.task_always_eager = False
    conf.task_default_queue = celery_worker_process["queue"]
    try:
        yield celery_worker_process
    finally:
        conf.task_always_eager, conf.task_default_queue = saved


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05):
    """Poll `predicate` until it returns something truthy, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {predicate}")
