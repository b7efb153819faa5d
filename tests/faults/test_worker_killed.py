"""A worker killed mid-task: the work completes on another worker after the sweep, exactly once.

Each test starts its own Redis and its own workers (never the shared ones), makes Twilio slow
so that the worker is in the middle of its request, SIGKILLs it there, starts a new worker,
lets the claim's lease run out (by backdating it: the sweep would get there within minutes)
and runs the sweep.
"""

import itertools
import os
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from agents import lifecycle
from agents.models import Agent, AgentLogEntry
from channels_twilio import leases, outbound
from channels_twilio.models import ChannelAttachment
from channels_twilio.tasks import resume_dials, resume_registrations
from flametree_portal.celery import app as celery_app
from sessions_app.models import Session
from tests.faults.own_redis import OwnRedis, celery_publishing_to
from tests.outbound.callee import dial_requests
from tests.worker import start_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMER = "+15005550006"
# Long enough that the worker is surely inside the request when it is killed.
SLOW_TWILIO_SECONDS = 2.0
_queues = itertools.count()


class Workers:
    """Workers of this test on its own Redis; `start()` returns one ready to take tasks."""

    def __init__(self, redis: OwnRedis, standin, tmp_path):
        self.redis, self.standin, self.tmp_path = redis, standin, tmp_path
        self.queue = f"faults-{os.getpid()}-{next(_queues)}"
        self.processes = []

    def start(self):
        log = self.tmp_path / f"worker-{len(self.processes)}.log"
        process = start_worker(self.redis.url, self.queue, log, self.standin, concurrency=2)
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture
def workers(tmp_path, twilio_standin):
    redis = OwnRedis(tmp_path).start()
    pool = Workers(redis, twilio_standin, tmp_path)
    with celery_publishing_to(redis.url), _default_queue(pool.queue):
        try:
            yield pool
        finally:
            pool.stop_all()
            redis.kill()


@contextmanager
def _default_queue(queue: str):
    saved = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        yield
    finally:
        celery_app.conf.task_default_queue = saved


def kill(process) -> None:
    process.kill()  # SIGKILL: no shutdown, its message stays unacknowledged in Redis
    process.wait(timeout=10)


def lease_ran_out() -> datetime:
    return timezone.now() - leases.lease() - timedelta(seconds=30)


def log(agent_id, level: str) -> list[str]:
    entries = AgentLogEntry.objects.filter(agent_id=agent_id, level=level).order_by("id")
    return list(entries.values_list("message", flat=True))


def test_a_worker_killed_during_registration_is_replaced_and_the_number_goes_live(
    workers, attachment_factory, twilio_standin
):
    attachment = attachment_factory(inbound=True)
    conn = attachment.connection
    twilio_standin.add_account(conn.account_sid, conn.auth_token)
    twilio_standin.add_number(conn.account_sid, conn.phone_number)
    first = workers.start()
    twilio_standin.delay_seconds = SLOW_TWILIO_SECONDS

    lifecycle.start_agent(attachment.agent_id)  # the registration is queued once this commits
    wait_for(lambda: any(r.path.endswith("/IncomingPhoneNumbers.json") for r in twilio_standin.requests))
    kill(first)
    twilio_standin.delay_seconds = 0

    attachment.refresh_from_db()
    assert attachment.line_state == "registering" and attachment.registration_claimed_at is not None
    assert Agent.objects.get(pk=attachment.agent_id).state == Agent.State.STARTING
    workers.start()
    ChannelAttachment.objects.filter(pk=attachment.pk).update(
        snapshot_taken_at=lease_ran_out(), registration_claimed_at=lease_ran_out()
    )

    assert resume_registrations() == 1
    wait_for(lambda: Agent.objects.get(pk=attachment.agent_id).state == Agent.State.RUNNING)

    assert ChannelAttachment.objects.get(pk=attachment.pk).line_state == "live"
    (number,) = twilio_standin.numbers(conn.account_sid)
    assert number["voice_url"].endswith(f"/twilio/{conn.webhook_key}/voice")
    updates = [r for r in twilio_standin.requests if r.method == "POST" and "/IncomingPhoneNumbers/" in r.path]
    assert len(updates) == 1
    assert any("did not complete: the worker running it stopped" in m for m in log(attachment.agent_id, "warning"))
    assert any(f"{conn.phone_number} is live" in m for m in log(attachment.agent_id, "info"))


def test_a_worker_killed_while_twilio_creates_the_call_is_followed_and_the_callee_rung_once(
    workers, running_line, twilio_standin
):
    line = running_line(inbound=False)
    account = line.connection.account_sid
    first = workers.start()
    twilio_standin.delay_seconds = SLOW_TWILIO_SECONDS

    session = outbound.request_call(line.agent_id, CUSTOMER)  # queued to the worker once this commits
    wait_for(lambda: dial_requests(twilio_standin))
    kill(first)
    (placed,) = wait_for(lambda: twilio_standin.calls(account))  # Twilio created it: the answer never arrived
    twilio_standin.delay_seconds = 0

    session.refresh_from_db()
    assert (session.state, session.call_sid) == ("dialing", None) and session.dial_claimed_at is not None
    workers.start()
    Session.objects.filter(pk=session.pk).update(created_at=lease_ran_out(), dial_claimed_at=lease_ran_out())

    assert resume_dials() == 1
    wait_for(lambda: any("Twilio had placed it" in m for m in log(line.agent_id, "info")))

    session.refresh_from_db()
    assert session.call_sid == placed["sid"] and session.state == "dialing"
    assert len(dial_requests(twilio_standin)) == 1 and len(twilio_standin.calls(account)) == 1
    assert any("Twilio is asked whether it placed the call" in m for m in log(line.agent_id, "warning"))
