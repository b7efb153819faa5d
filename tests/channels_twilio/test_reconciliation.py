"""Reconciliation with Twilio: a call whose final callback was lost never holds a place for good."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from agents.models import AgentLogEntry
from channels_twilio import outbound
from channels_twilio.reconciliation import LONGEST_CALL, LONGEST_CALL_ALLOWED, MARGIN, QUIET_AFTER
from channels_twilio.tasks import place_call, reconcile_sessions
from sessions_app.models import Message, Session
from tests.call_driver import CallDriver


def warnings(agent_id) -> list[str]:
    entries = AgentLogEntry.objects.filter(agent_id=agent_id, level="warning").order_by("id")
    return list(entries.values_list("message", flat=True))


def call_fetches(standin) -> list:
    return [r for r in standin.requests if r.method == "GET" and "/Calls/" in r.path]


def open_call(line, signed_post, standin, *, ago: dt.timedelta, caller="+15005550006") -> tuple[Session, dict]:
    """A caller reached the agent `ago` ago (Twilio has the call, in progress) and was greeted."""
    started = (timezone.now() - ago).replace(microsecond=0)  # Twilio's times are whole seconds
    call = standin.add_call(line.connection.account_sid, from_=caller, start_time=started)
    CallDriver(signed_post, line.connection, call_sid=call["sid"], caller=caller).dial()
    session = Session.objects.get(call_sid=call["sid"])
    age(session, then=started)
    return session, call


def age(session: Session, ago: dt.timedelta | None = None, then: dt.datetime | None = None) -> None:
    """Make the session look opened, answered and last heard from `ago` ago (or at `then`)."""
    then = then or timezone.now() - ago
    Session.objects.filter(pk=session.pk).update(created_at=then, answered_at=then)
    Message.objects.filter(session=session).update(created_at=then)


def test_calls_whose_final_callback_was_lost_are_closed_with_twilios_status_and_length(
    running_line, signed_post, twilio_standin
):
    line = running_line(max_opened_sessions=5)
    account = line.connection.account_sid
    opened = [open_call(line, signed_post, twilio_standin, ago=dt.timedelta(hours=3)) for _ in range(5)]
    for _, call in opened:
        twilio_standin.set_call_status(account, call["sid"], "completed")  # ... and the callback never came
    next_caller = CallDriver(signed_post, line.connection)
    next_caller.dial()
    assert next_caller.verbs() == ["Reject"], "the lost calls still hold every place"

    assert reconcile_sessions() == 5

    for session, call in opened:
        session.refresh_from_db()
        twilio = next(c for c in twilio_standin.calls(account) if c["sid"] == call["sid"])
        ended = dt.datetime.strptime(twilio["end_time"], "%a, %d %b %Y %H:%M:%S %z")
        assert (session.state, session.close_reason, session.closed_at) == ("closed", "completed", ended)
        assert session.duration_seconds == int(twilio["duration"])
        assert f"Twilio reports the call completed at {ended:%Y-%m-%d %H:%M:%S} UTC" in session.close_detail
        assert "final status callback never reached the portal" in session.close_detail
    logged = [m for m in warnings(line.agent_id) if "closed:" in m]
    assert len(logged) == 5 and all("closed: Twilio reports the call completed" in m for m in logged)
    another_caller = CallDriver(signed_post, line.connection)
    another_caller.dial()
    assert "Gather" in another_caller.verbs(), "Max opened sessions is free again"
    assert reconcile_sessions() == 0


def test_a_call_twilio_reports_in_progress_stays_open_and_is_not_asked_again_at_once(
    running_line, signed_post, twilio_standin
):
    line = running_line()
    session, _ = open_call(line, signed_post, twilio_standin, ago=QUIET_AFTER + dt.timedelta(minutes=1))

    assert reconcile_sessions() == 0
    assert reconcile_sessions() == 0

    session.refresh_from_db()
    assert session.state == "open" and session.twilio_checked_at is not None
    assert len(call_fetches(twilio_standin)) == 1
    assert warnings(line.agent_id) == []


def test_a_call_still_talking_is_not_asked_about(running_line, signed_post, twilio_standin):
    line = running_line()
    driver = CallDriver(signed_post, line.connection)
    twilio_standin.add_call(line.connection.account_sid, driver.call_sid)
    driver.dial()
    Session.objects.update(created_at=timezone.now() - dt.timedelta(hours=1))  # a long call, greeted just now
    assert reconcile_sessions() == 0
    assert call_fetches(twilio_standin) == []


def test_an_unanswered_outbound_call_is_closed_with_twilios_status(running_line, twilio_standin):
    line = running_line(inbound=False)
    session = outbound.request_call(line.agent_id, "+15005550009")
    place_call.apply(args=[str(session.id)])
    session.refresh_from_db()
    twilio_standin.set_call_status(line.connection.account_sid, session.call_sid, "no-answer")
    Session.objects.filter(pk=session.pk).update(created_at=timezone.now() - dt.timedelta(minutes=20))

    assert reconcile_sessions() == 1
    session.refresh_from_db()
    assert (session.state, session.close_reason, session.answered_at) == ("closed", "no-answer", None)


def test_unreachable_twilio_closes_only_sessions_older_than_the_longest_call(running_line, signed_post, twilio_standin):
    line = running_line(max_opened_sessions=5)
    recent, _ = open_call(line, signed_post, twilio_standin, ago=dt.timedelta(hours=3))
    outlived, _ = open_call(line, signed_post, twilio_standin, ago=LONGEST_CALL + MARGIN + dt.timedelta(minutes=1))
    twilio_standin.unreachable = True
    tried_before = len(twilio_standin.connect_hosts)

    assert reconcile_sessions() == 1

    recent.refresh_from_db()
    outlived.refresh_from_db()
    assert recent.state == "open", "asked again at the next sweep"
    assert (outlived.state, outlived.close_reason) == ("closed", "over-time-limit")
    assert "longer than Twilio lets a call last (4 hours by default)" in outlived.close_detail
    assert "Twilio could not be asked about it: Twilio could not be reached" in outlived.close_detail
    assert len(twilio_standin.connect_hosts) - tried_before == 1, "an unreachable Twilio is tried once a sweep"
    (logged,) = warnings(line.agent_id)
    assert f"Call from {outlived.from_number} (CallSid {outlived.call_sid}) closed: Open for 4.2 hours" in logged


def test_a_call_twilio_still_reports_live_past_any_time_limit_is_closed(running_line, signed_post, twilio_standin):
    line = running_line()
    long_one, _ = open_call(line, signed_post, twilio_standin, ago=dt.timedelta(hours=5))
    endless, _ = open_call(line, signed_post, twilio_standin, ago=LONGEST_CALL_ALLOWED + MARGIN * 2)

    assert reconcile_sessions() == 1

    long_one.refresh_from_db()
    endless.refresh_from_db()
    assert long_one.state == "open", "the account may allow calls of up to 24 hours"
    assert (endless.state, endless.close_reason) == ("closed", "over-time-limit")


def test_a_call_twilio_does_not_know_is_closed_as_not_at_twilio(running_line, signed_post, twilio_standin):
    line = running_line()
    driver = CallDriver(signed_post, line.connection)  # a simulated call: Twilio never had it
    driver.dial()
    session = Session.objects.get(call_sid=driver.call_sid)
    age(session, dt.timedelta(minutes=30))

    assert reconcile_sessions() == 1
    session.refresh_from_db()
    assert (session.state, session.close_reason) == ("closed", "not-at-twilio")
    assert f"Twilio has no call {driver.call_sid} in account {line.connection.account_sid}" in session.close_detail


def test_a_quiet_test_call_on_the_demo_line_is_closed_without_asking_twilio(
    running_line, connection_factory, signed_post, twilio_standin
):
    line = running_line(connection=connection_factory(demo=True))
    driver = CallDriver(signed_post, line.connection)
    driver.dial()
    session = Session.objects.get(call_sid=driver.call_sid)
    age(session, dt.timedelta(minutes=30))

    assert reconcile_sessions() == 1
    session.refresh_from_db()
    assert (session.state, session.close_reason) == ("closed", "not-at-twilio")
    assert "demo line" in session.close_detail
    assert call_fetches(twilio_standin) == []


def test_deleting_the_connection_mid_call_hangs_up_and_closes_the_session(
    admin_client, running_line, signed_post, twilio_standin
):
    line = running_line()
    conn = line.connection
    call = twilio_standin.add_call(conn.account_sid)
    CallDriver(signed_post, conn, call_sid=call["sid"]).dial()
    delete = reverse("admin:channels_twilio_twilioconnection_delete", args=[conn.pk])

    assert admin_client.post(delete, {"post": "yes"}).status_code == 302

    (hung_up,) = twilio_standin.calls(conn.account_sid)
    assert hung_up["status"] == "completed" and hung_up["updates"] == [{"Status": "completed"}]
    session = Session.objects.get(call_sid=call["sid"])
    assert (session.state, session.close_reason) == ("closed", "connection-deleted")
    assert f"connection “{conn.name}” was deleted" in session.close_detail
    logged = warnings(line.agent_id)
    assert any(f"Call {call['sid']} was hung up" in m and "closed" in m for m in logged)
    assert any("offline for this agent" in m for m in logged)


def test_deleting_the_connection_with_twilio_unreachable_still_closes_its_sessions(
    running_line, signed_post, twilio_standin
):
    line = running_line(max_opened_sessions=5)
    conn = line.connection
    for _ in range(3):
        CallDriver(signed_post, conn, call_sid=twilio_standin.add_call(conn.account_sid)["sid"]).dial()
    twilio_standin.unreachable = True
    tried_before = len(twilio_standin.connect_hosts)

    conn.delete()  # from a shell: the same as the admin's button

    assert set(Session.objects.values_list("state", "close_reason")) == {("closed", "connection-deleted")}
    assert len(twilio_standin.connect_hosts) - tried_before == 1, "no hang-up waits on an unreachable Twilio twice"
    assert sum("could not be reached" in m or "Could not hang up" in m for m in warnings(line.agent_id)) >= 1


def test_a_session_whose_connection_is_gone_is_closed_by_the_sweep(running_line, signed_post, twilio_standin):
    line = running_line()
    driver = CallDriver(signed_post, line.connection)
    driver.dial()
    Session.objects.update(connection=None, attachment=None)  # deleted before deletions closed sessions
    age(Session.objects.get(), dt.timedelta(minutes=10))

    assert reconcile_sessions() == 1
    assert Session.objects.get().close_reason == "connection-deleted"
    assert call_fetches(twilio_standin) == []
