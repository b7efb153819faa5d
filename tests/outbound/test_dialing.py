"""The dial task against the Twilio stand-in: what calls.create carries, Twilio's errors, at most one call."""

import threading
import time

import pytest
from django.db import connection as db_connection
from django.utils import timezone

from agents.models import AgentLogEntry
from channels_twilio import outbound, webhook_urls
from channels_twilio.tasks import place_call
from sessions_app.models import Session
from tests.conftest import new_auth_token
from tests.outbound.callee import OutboundCall, dial_requests

CUSTOMER = "+15005550006"


def twilio_log(agent_id, level) -> list[str]:
    return list(
        AgentLogEntry.objects.filter(agent_id=agent_id, level=level).order_by("id").values_list("message", flat=True)
    )


def test_calls_create_carries_the_snapshot_number_our_webhooks_and_every_event(place, outbound_line, twilio_standin):
    line = outbound_line()
    conn = line.connection
    assert place(line.agent_id, CUSTOMER).status_code == 202

    session = Session.objects.get()
    (request,) = dial_requests(twilio_standin)
    assert request.path == f"/2010-04-01/Accounts/{conn.account_sid}/Calls.json"
    assert request.host == request.connect_host == "api.twilio.com"
    form = {name: values if name == "StatusCallbackEvent" else values[-1] for name, values in request.form.items()}
    assert form == {
        "To": CUSTOMER,
        "From": conn.phone_number,
        "Url": webhook_urls.voice_url(conn.webhook_key, session_id=session.id),
        "Method": "POST",
        "StatusCallback": webhook_urls.status_url(conn.webhook_key, session_id=session.id),
        "StatusCallbackMethod": "POST",
        "StatusCallbackEvent": ["initiated", "ringing", "answered", "completed"],
        "Timeout": str(outbound.RING_TIMEOUT_SECONDS),
    }
    assert form["Url"] == f"https://portal.example.test/twilio/{conn.webhook_key}/voice?session={session.id}"
    (created,) = twilio_standin.calls(conn.account_sid)
    assert created["phone_number_sid"] == twilio_standin.numbers(conn.account_sid)[0]["sid"]
    assert session.call_sid == created["sid"] and session.state == "dialing"
    assert (
        f"Calling {CUSTOMER} from {conn.phone_number} (CallSid {created['sid']})"
        in twilio_log(line.agent_id, "info")[-1]
    )


def test_the_call_goes_to_the_region_and_edge_host(place, outbound_line, connection_factory, twilio_standin):
    line = outbound_line(connection=connection_factory(region="ie1", edge="dublin"))
    assert place(line.agent_id).status_code == 202
    (request,) = dial_requests(twilio_standin)
    assert request.host == request.connect_host == "api.dublin.ie1.twilio.com"


def test_the_call_uses_the_running_snapshot_not_the_edited_connection(place, outbound_line, twilio_standin):
    line = outbound_line()
    original = line.connection.phone_number
    conn = line.connection
    conn.phone_number, conn.auth_token, conn.edge = "+15005550123", new_auth_token(), "sydney"
    conn.save()  # edited in Settings > Channels, agent not restarted
    assert place(line.agent_id).status_code == 202
    (request,) = dial_requests(twilio_standin)
    assert request.form["From"] == [original] and request.host == "api.twilio.com"


def test_twilio_refusing_the_number_closes_the_session_with_the_reason(place, outbound_line, twilio_standin):
    line = outbound_line()
    twilio_standin.fail_next(
        status=400,
        code=21211,
        message="The 'To' number +15005550001 is not a valid phone number.",
        path_contains="/Calls",
    )
    assert place(line.agent_id, "+15005550001").status_code == 202

    session = Session.objects.get()
    assert (session.state, session.close_reason) == ("closed", "dial-error")
    assert "Twilio refused the request (error 21211)" in session.close_detail
    assert "is not a valid phone number" in session.close_detail
    assert twilio_log(line.agent_id, "error") == [f"Outbound call to +15005550001 failed: {session.close_detail}"]
    assert len(dial_requests(twilio_standin)) == 1, "a permanent error is not retried"


def test_unverified_caller_id_closes_the_session_with_what_to_fix(
    place, attachment_factory, twilio_standin, django_capture_on_commit_callbacks
):
    from agents import lifecycle

    line = attachment_factory(inbound=False)
    twilio_standin.add_account(line.connection.account_sid, line.connection.auth_token)  # the number is not in it
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.start_agent(line.agent_id)
    place(line.agent_id)

    session = Session.objects.get()
    assert session.close_reason == "dial-error"
    assert "(error 21210)" in session.close_detail and "is not yet verified for your account" in session.close_detail
    assert "Settings > Channels" in session.close_detail
    assert "Outbound call to +15005550006 failed" in twilio_log(line.agent_id, "error")[0]


def test_wrong_credentials_close_the_session_with_what_to_fix(place, outbound_line, twilio_standin):
    line = outbound_line()
    twilio_standin.add_account(line.connection.account_sid, new_auth_token())  # token rotated in the Console
    place(line.agent_id)
    session = Session.objects.get()
    assert session.close_reason == "dial-error"
    assert "rejected the Account SID or Auth Token (error 20003)" in session.close_detail
    assert "rejected the Account SID or Auth Token" in twilio_log(line.agent_id, "error")[0]


def test_temporary_errors_are_retried_and_the_call_is_placed_once(place, outbound_line, twilio_standin):
    line = outbound_line()
    twilio_standin.fail_next(status=503, code=20500, message="Service unavailable", times=2, path_contains="/Calls")
    place(line.agent_id)

    assert len(dial_requests(twilio_standin)) == 3
    (created,) = twilio_standin.calls(line.connection.account_sid)
    session = Session.objects.get()
    assert session.state == "dialing" and session.call_sid == created["sid"]
    retries = twilio_log(line.agent_id, "warning")
    assert len(retries) == 2 and all("not placed yet, retrying now" in m for m in retries)


def test_twilio_unavailable_through_every_retry_closes_the_session(place, outbound_line, twilio_standin):
    line = outbound_line()
    twilio_standin.fail_next(status=503, code=20500, message="Service unavailable", times=10, path_contains="/Calls")
    place(line.agent_id)
    assert len(dial_requests(twilio_standin)) == 5  # the first try and 4 retries
    session = Session.objects.get()
    assert session.close_reason == "dial-error" and "Twilio is unavailable right now" in session.close_detail
    assert twilio_standin.calls(line.connection.account_sid) == []


def test_twilio_unreachable_is_retried_then_closes_the_session(place, outbound_line, twilio_standin):
    line = outbound_line()
    twilio_standin.unreachable = True  # the proxy refuses the tunnel: the request never left
    place(line.agent_id)
    assert twilio_standin.connect_hosts.count("api.twilio.com") == 5
    session = Session.objects.get()
    assert session.close_reason == "dial-error" and "could not be reached" in session.close_detail


def test_a_lost_answer_is_not_sent_again_and_the_callbacks_settle_the_session(
    place, outbound_line, twilio_standin, settings, signed_post
):
    line = outbound_line()
    settings.TWILIO_HTTP_TIMEOUT = 0.3
    twilio_standin.delay_seconds = 1.0  # Twilio creates the call after we stopped waiting
    place(line.agent_id)

    session = Session.objects.get()
    assert (session.state, session.call_sid) == ("dialing", None)
    assert len(dial_requests(twilio_standin)) == 1, "not retried: the call may exist"
    (warning,) = twilio_log(line.agent_id, "warning")
    assert "did not answer the dial request" in warning and "never rung twice" in warning

    deadline = time.monotonic() + 5
    while not twilio_standin.calls(line.connection.account_sid) and time.monotonic() < deadline:
        time.sleep(0.05)
    (created,) = twilio_standin.calls(line.connection.account_sid)
    twilio_standin.delay_seconds = 0
    OutboundCall(signed_post, line.connection, created).status("no-answer")
    session.refresh_from_db()
    assert (session.call_sid, session.state, session.close_reason) == (created["sid"], "closed", "no-answer")


def test_a_task_run_twice_places_one_call(place, outbound_line, twilio_standin):
    line = outbound_line()
    place(line.agent_id)
    session = Session.objects.get()

    place_call.apply(args=[str(session.id)])  # a redelivered message
    place_call.apply(args=[str(session.id)])
    assert len(dial_requests(twilio_standin)) == 1
    assert len(twilio_standin.calls(line.connection.account_sid)) == 1


def test_a_redelivered_retry_does_not_dial_again(outbound_line, place, twilio_standin):
    line = outbound_line()
    twilio_standin.fail_next(status=503, code=20500, message="Service unavailable", times=1, path_contains="/Calls")
    place(line.agent_id)  # the first try fails, its retry dials
    session = Session.objects.get()
    first_claim = "2000-01-01T00:00:00+00:00"
    place_call.apply(args=[str(session.id)], kwargs={"claim": first_claim})
    place_call.apply(args=[str(session.id)], kwargs={"claim": session.dial_claimed_at.isoformat()})
    assert len(twilio_standin.calls(line.connection.account_sid)) == 1


def test_a_worker_that_died_after_claiming_is_not_replaced_by_a_second_call(outbound_line, twilio_standin):
    line = outbound_line()
    session = outbound.request_call(line.agent_id, CUSTOMER)  # on_commit never runs in this test transaction
    # The worker claimed the session and died before (or after) Twilio got the request.
    Session.objects.filter(pk=session.pk).update(dial_claimed_at=timezone.now())
    place_call.apply(args=[str(session.id)])  # the message, redelivered to another worker
    assert dial_requests(twilio_standin) == []
    session.refresh_from_db()
    assert session.state == "dialing", "the sweep closes it if no callback ever comes"


def test_a_session_closed_before_its_task_ran_is_not_dialed(outbound_line, twilio_standin):
    from agents import lifecycle

    line = outbound_line()
    session = outbound.request_call(line.agent_id, CUSTOMER)  # on_commit never runs in this test transaction
    lifecycle.stop_agent(line.agent_id)
    place_call.apply(args=[str(session.id)])
    assert dial_requests(twilio_standin) == []
    session.refresh_from_db()
    assert session.close_reason == "agent-stopped"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_runs_of_the_task_place_one_call(outbound_line, twilio_standin):
    line = outbound_line()
    session = outbound.request_call(line.agent_id, CUSTOMER)  # autocommit: the task ran once already
    Session.objects.filter(pk=session.pk).update(dial_claimed_at=None, call_sid=None)
    twilio_standin.reset()
    twilio_standin.add_account(line.connection.account_sid, line.connection.auth_token)
    twilio_standin.add_number(line.connection.account_sid, line.connection.phone_number)
    start = threading.Barrier(8)

    def run() -> None:
        try:
            start.wait()
            place_call.apply(args=[str(session.id)])
        finally:
            db_connection.close()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(dial_requests(twilio_standin)) == 1
    session.refresh_from_db()
    assert session.call_sid == twilio_standin.calls(line.connection.account_sid)[0]["sid"]
