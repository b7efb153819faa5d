"""The registration sweep: a registration whose run died or whose message was lost completes, once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agents import lifecycle
from agents.models import Agent, AgentLogEntry
from channels_twilio import leases
from channels_twilio.models import ChannelAttachment
from channels_twilio.tasks import register_number, resume_registrations


@pytest.fixture
def starting_line(attachment_factory, twilio_standin):
    """An inbound line whose agent was started, but whose registration task never ran (yet)."""

    def make() -> ChannelAttachment:
        attachment = attachment_factory(inbound=True)
        conn = attachment.connection
        twilio_standin.add_account(conn.account_sid, conn.auth_token)
        twilio_standin.add_number(conn.account_sid, conn.phone_number)
        lifecycle.start_agent(attachment.agent_id)  # on_commit never runs inside the test's transaction
        attachment.refresh_from_db()
        assert attachment.line_state == "registering"
        return attachment

    return make


def backdate(attachment, *, started_ago: timedelta, claimed_ago: timedelta | None = None) -> str:
    """The line was started (and claimed by a run) that long ago; returns its snapshot version."""
    now = timezone.now()
    ChannelAttachment.objects.filter(pk=attachment.pk).update(
        snapshot_taken_at=now - started_ago,
        registration_claimed_at=now - claimed_ago if claimed_ago is not None else None,
    )
    attachment.refresh_from_db()
    return attachment.snapshot_taken_at.isoformat()


def expired() -> timedelta:
    return leases.lease() + timedelta(seconds=30)


def number_updates(standin) -> list:
    return [r for r in standin.requests if r.method == "POST" and "/IncomingPhoneNumbers/" in r.path]


def log(attachment, level: str) -> list[str]:
    entries = AgentLogEntry.objects.filter(agent_id=attachment.agent_id, level=level).order_by("id")
    return list(entries.values_list("message", flat=True))


def test_a_registration_whose_worker_died_completes_at_the_next_sweep(starting_line, twilio_standin):
    attachment = starting_line()
    backdate(attachment, started_ago=expired() + timedelta(seconds=5), claimed_ago=expired())  # claimed, then killed

    assert resume_registrations() == 1
    assert resume_registrations() == 0

    attachment.refresh_from_db()
    assert attachment.line_state == "live"
    assert Agent.objects.get(pk=attachment.agent_id).state == Agent.State.RUNNING
    assert len(number_updates(twilio_standin)) == 1
    (warning,) = log(attachment, "warning")
    assert (
        f"Registering {attachment.connection.phone_number} did not complete: the worker running it stopped" in warning
    )
    assert any("is live" in line for line in log(attachment, "info"))


def test_a_registration_whose_message_was_lost_is_queued_again(starting_line, twilio_standin):
    attachment = starting_line()
    backdate(attachment, started_ago=expired())  # never claimed: the task never reached a worker

    assert resume_registrations() == 1

    attachment.refresh_from_db()
    assert attachment.line_state == "live"
    assert "its task was lost before any worker ran it" in log(attachment, "warning")[0]


def test_a_registration_in_progress_or_just_queued_is_left_alone(starting_line, twilio_standin):
    running = starting_line()
    backdate(running, started_ago=timedelta(minutes=10), claimed_ago=timedelta(seconds=30))
    starting_line()  # another line, started a moment ago: its message is still on its way

    assert resume_registrations() == 0
    assert number_updates(twilio_standin) == []


def test_a_redelivered_message_takes_over_an_expired_claim(starting_line, twilio_standin):
    attachment = starting_line()
    version = backdate(attachment, started_ago=expired(), claimed_ago=expired())

    register_number.apply(args=[attachment.pk, version])

    attachment.refresh_from_db()
    assert attachment.line_state == "live"
    assert "the run that started it stopped; taking it over" in log(attachment, "warning")[0]


def test_a_redelivered_message_does_nothing_while_the_claim_holds_or_once_the_line_is_live(
    starting_line, twilio_standin
):
    attachment = starting_line()
    version = backdate(attachment, started_ago=timedelta(minutes=1), claimed_ago=timedelta(seconds=10))
    register_number.apply(args=[attachment.pk, version])
    assert number_updates(twilio_standin) == []

    backdate(attachment, started_ago=timedelta(minutes=1))
    version = attachment.snapshot_taken_at.isoformat()
    register_number.apply(args=[attachment.pk, version])
    register_number.apply(args=[attachment.pk, version])
    assert len(number_updates(twilio_standin)) == 1


def test_a_stopped_agent_is_not_registered_by_the_sweep(starting_line, twilio_standin):
    attachment = starting_line()
    backdate(attachment, started_ago=expired(), claimed_ago=expired())
    lifecycle.stop_agent(attachment.agent_id)
    assert resume_registrations() == 0
    assert number_updates(twilio_standin) == []
