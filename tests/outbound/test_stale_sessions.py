"""The periodic sweep: a call that never connects leaves no open session behind."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from agents.models import AgentLogEntry
from channels_twilio import outbound
from sessions_app import services
from sessions_app.models import Session
from sessions_app.tasks import STUCK_DIALING_AFTER, close_stale_sessions


def age(session, by: timedelta) -> None:
    Session.objects.filter(pk=session.pk).update(created_at=timezone.now() - by)


def test_the_sweep_is_scheduled_by_name():
    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == close_stale_sessions.name]
    assert entry["schedule"] <= STUCK_DIALING_AFTER.total_seconds()


def test_sessions_dialing_past_the_bound_are_closed_as_never_connected(outbound_line, twilio_standin):
    line = outbound_line(max_opened_sessions=5)
    never_placed = outbound.request_call(line.agent_id, "+15005550001")  # its task never ran
    placed_silent = outbound.request_call(line.agent_id, "+15005550002")
    services.set_call_sid(placed_silent.id, "CA" + "0" * 32)  # placed, but no callback ever came
    recent = outbound.request_call(line.agent_id, "+15005550003")
    answered = outbound.request_call(line.agent_id, "+15005550004")
    services.mark_answered(answered.id)
    for session in (never_placed, placed_silent, answered):
        age(session, STUCK_DIALING_AFTER + timedelta(seconds=5))
    age(recent, STUCK_DIALING_AFTER - timedelta(minutes=1))

    assert close_stale_sessions() == 2
    assert close_stale_sessions() == 0

    states = dict(Session.objects.values_list("to_number", "state"))
    assert states == {
        "+15005550001": "closed",
        "+15005550002": "closed",
        "+15005550003": "dialing",
        "+15005550004": "open",
    }
    never_placed.refresh_from_db()
    placed_silent.refresh_from_db()
    assert never_placed.close_reason == placed_silent.close_reason == "never-connected"
    assert "never placed with Twilio" in never_placed.close_detail
    assert "no call status from Twilio" in placed_silent.close_detail
    logged = AgentLogEntry.objects.filter(agent_id=line.agent_id, level="warning").values_list("message", flat=True)
    assert sorted(m.split(" closed:")[0] for m in logged) == [
        "Outbound call to +15005550001",
        "Outbound call to +15005550002",
    ]


def test_a_swept_session_frees_its_place_and_is_never_dialed(outbound_line, place, twilio_standin):
    from channels_twilio.tasks import place_call
    from tests.outbound.callee import dial_requests

    line = outbound_line(max_opened_sessions=1)
    stuck = outbound.request_call(line.agent_id, "+15005550001")  # its task is still queued
    assert place(line.agent_id).status_code == 409
    age(stuck, STUCK_DIALING_AFTER * 2)
    close_stale_sessions()

    place_call.apply(args=[str(stuck.id)])  # the long-delayed task finally runs
    assert dial_requests(twilio_standin) == []
    assert place(line.agent_id).status_code == 202
    assert len(dial_requests(twilio_standin)) == 1
