"""The dialing sweep: a dial whose run died or whose message was lost is finished, never doubled."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

import flametree_portal.settings as production_settings
from agents.models import AgentLogEntry
from channels_twilio import leases, outbound
from channels_twilio.outbound import STUCK_DIALING_AFTER
from channels_twilio.tasks import MAX_RETRIES, place_call, resume_dials
from flametree_portal.celery import app as celery_app
from sessions_app.models import Session
from tests.outbound.callee import dial_requests
from tests.worker import wait_for

CUSTOMER = "+15005550006"


def age(session, by: timedelta, claimed_ago: timedelta | None = None) -> None:
    """Backdate the session's request (and the claim a run took on it, if any)."""
    now = timezone.now()
    claimed = now - claimed_ago if claimed_ago is not None else None
    Session.objects.filter(pk=session.pk).update(created_at=now - by, dial_claimed_at=claimed)


def warnings(agent_id) -> list[str]:
    entries = AgentLogEntry.objects.filter(agent_id=agent_id, level="warning").order_by("id")
    return list(entries.values_list("message", flat=True))


def infos(agent_id) -> list[str]:
    return list(AgentLogEntry.objects.filter(agent_id=agent_id, level="info").values_list("message", flat=True))


def expired() -> timedelta:
    return leases.lease() + timedelta(seconds=30)


def test_the_sweeps_run_every_minute_and_name_real_tasks():
    scheduled = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert set(scheduled) >= {
        "channels_twilio.tasks.reconcile_sessions",
        "channels_twilio.tasks.resume_registrations",
        "channels_twilio.tasks.resume_dials",
    }
    for name, entry in scheduled.items():
        assert name in celery_app.tasks and entry["schedule"] <= 60
        assert entry["options"]["expires"] <= entry["schedule"], "a missed sweep is dropped, not piled up"


def test_the_visibility_timeout_outlasts_the_longest_retry_countdown():
    longest_countdown = production_settings.TWILIO_RETRY_BASE_SECONDS * 2 ** (MAX_RETRIES - 1)
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility >= 10 * longest_countdown
    assert visibility > leases.lease().total_seconds(), "the sweeps recover a dead run before Redis redelivers it"


def test_a_dial_whose_task_was_lost_is_queued_again_and_placed_once(outbound_line, twilio_standin):
    line = outbound_line()
    session = outbound.request_call(line.agent_id, CUSTOMER)  # its task never ran
    age(session, expired())

    assert resume_dials() == 1
    assert resume_dials() == 0

    session.refresh_from_db()
    (created,) = twilio_standin.calls(line.connection.account_sid)
    assert session.call_sid == created["sid"] and len(dial_requests(twilio_standin)) == 1
    (logged,) = warnings(line.agent_id)
    assert "its task was lost before any worker ran it" in logged


def test_a_dial_still_claimed_by_a_live_run_is_left_alone(outbound_line, twilio_standin):
    line = outbound_line()
    session = outbound.request_call(line.agent_id, CUSTOMER)
    age(session, timedelta(minutes=5), claimed_ago=timedelta(seconds=20))  # a run is dialing right now
    assert resume_dials() == 0
    assert dial_requests(twilio_standin) == []


def test_a_run_that_died_after_twilio_placed_the_call_is_followed_not_redialed(outbound_line, twilio_standin):
    line = outbound_line()
    conn = line.connection
    session = outbound.request_call(line.agent_id, CUSTOMER)
    age(session, expired() + timedelta(seconds=10), claimed_ago=expired())
    placed = twilio_standin.add_call(
        conn.account_sid, to=CUSTOMER, from_=conn.phone_number, direction="outbound-api", status="ringing"
    )

    assert resume_dials() == 1

    session.refresh_from_db()
    assert (session.state, session.call_sid) == ("dialing", placed["sid"])
    assert dial_requests(twilio_standin) == [], "the callee is never rung twice"
    assert "stopped before the call was confirmed: Twilio is asked" in warnings(line.agent_id)[0]
    assert any(f"Twilio had placed it (CallSid {placed['sid']}, ringing)" in m for m in infos(line.agent_id))


def test_a_found_call_that_ended_already_closes_the_session_with_its_status(outbound_line, twilio_standin):
    line = outbound_line()
    conn = line.connection
    session = outbound.request_call(line.agent_id, CUSTOMER)
    age(session, expired() + timedelta(seconds=10), claimed_ago=expired())
    twilio_standin.add_call(
        conn.account_sid, to=CUSTOMER, from_=conn.phone_number, direction="outbound-api", status="no-answer"
    )
    resume_dials()
    session.refresh_from_db()
    assert (session.state, session.close_reason) == ("closed", "no-answer")
    assert dial_requests(twilio_standin) == []


def test_a_run_that_died_before_reaching_twilio_is_dialed_once(outbound_line, twilio_standin):
    line = outbound_line()
    conn = line.connection
    earlier = twilio_standin.add_call(  # a call to the same customer, before this request: not ours
        conn.account_sid,
        to=CUSTOMER,
        from_=conn.phone_number,
        direction="outbound-api",
        status="completed",
        date_created=timezone.now() - timedelta(hours=1),
    )
    session = outbound.request_call(line.agent_id, CUSTOMER)
    age(session, expired() + timedelta(seconds=10), claimed_ago=expired())

    resume_dials()

    session.refresh_from_db()
    assert len(dial_requests(twilio_standin)) == 1
    assert session.call_sid not in (None, earlier["sid"])
    assert any(
        "stopped before reaching Twilio (Twilio has no such call), so it is dialed now" in m
        for m in infos(line.agent_id)
    )


def test_a_redelivered_message_takes_over_an_expired_claim_and_asks_twilio_first(outbound_line, twilio_standin):
    line = outbound_line()
    session = outbound.request_call(line.agent_id, CUSTOMER)
    age(session, expired(), claimed_ago=expired())

    place_call.apply(args=[str(session.id)])  # the dead run's message, redelivered

    lists = [r for r in twilio_standin.requests if r.method == "GET" and r.path.endswith("/Calls.json")]
    assert len(lists) == 1 and lists[0].query["To"] == CUSTOMER
    assert len(dial_requests(twilio_standin)) == 1


def test_twilio_unreachable_while_checking_is_retried_and_never_dials_blind(outbound_line, twilio_standin):
    line = outbound_line()
    session = outbound.request_call(line.agent_id, CUSTOMER)
    age(session, expired(), claimed_ago=expired())
    twilio_standin.fail_next(status=503, code=20500, times=1, path_contains="/Calls.json")

    resume_dials()

    lists = [r for r in twilio_standin.requests if r.method == "GET" and r.path.endswith("/Calls.json")]
    assert len(lists) == 2, "the retry asks Twilio again before dialing"
    assert len(dial_requests(twilio_standin)) == 1


def test_a_lost_dial_too_old_to_place_closes_as_never_connected(outbound_line, twilio_standin):
    line = outbound_line(max_opened_sessions=5)
    never_ran = outbound.request_call(line.agent_id, "+15005550001")
    died = outbound.request_call(line.agent_id, "+15005550002")
    age(never_ran, STUCK_DIALING_AFTER + timedelta(seconds=5))
    age(died, STUCK_DIALING_AFTER + timedelta(seconds=5), claimed_ago=expired())

    resume_dials()

    never_ran.refresh_from_db()
    died.refresh_from_db()
    assert never_ran.close_reason == died.close_reason == "never-connected"
    assert "never placed with Twilio" in never_ran.close_detail
    assert "too late to ring the callee" in died.close_detail
    assert dial_requests(twilio_standin) == []
    closed = [m for m in warnings(line.agent_id) if " closed: " in m]
    assert sorted(m.split(" closed:")[0] for m in closed) == [
        "Outbound call to +15005550001",
        "Outbound call to +15005550002",
    ]


def test_a_swept_session_frees_its_place_and_is_never_dialed(outbound_line, place, twilio_standin):
    line = outbound_line(max_opened_sessions=1)
    stuck = outbound.request_call(line.agent_id, CUSTOMER)  # its task is still queued
    assert place(line.agent_id).status_code == 409
    age(stuck, STUCK_DIALING_AFTER * 2)
    resume_dials()

    place_call.apply(args=[str(stuck.id)])  # the long-delayed task finally runs
    assert dial_requests(twilio_standin) == []
    assert place(line.agent_id).status_code == 202
    assert len(dial_requests(twilio_standin)) == 1


def test_a_dial_whose_answer_got_lost_is_adopted_once_its_lease_runs_out(
    outbound_line, place, twilio_standin, settings
):
    line = outbound_line()
    settings.TWILIO_HTTP_TIMEOUT = 0.3
    twilio_standin.delay_seconds = 1.0  # Twilio creates the call after we stopped waiting
    place(line.agent_id)
    session = Session.objects.get()
    assert session.call_sid is None
    (created,) = wait_for(lambda: twilio_standin.calls(line.connection.account_sid))
    twilio_standin.delay_seconds = 0
    age(session, expired(), claimed_ago=expired())

    resume_dials()

    session.refresh_from_db()
    assert session.call_sid == created["sid"]
    assert len(dial_requests(twilio_standin)) == 1
