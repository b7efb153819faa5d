"""Start agent registers the number's voice webhook on Twilio (the stand-in), or says why not."""

import logging

import pytest
from django.db import IntegrityError, transaction

from agents import lifecycle
from agents.models import Agent, AgentLogEntry
from channels_twilio.models import ChannelAttachment
from channels_twilio.tasks import register_number

BASE = "https://portal.example.test"


def start(attachment, capture):
    with capture(execute=True):
        lifecycle.start_agent(attachment.agent_id)
    attachment.refresh_from_db()
    return attachment


def twilio_log(attachment) -> list[str]:
    return list(
        AgentLogEntry.objects.filter(agent_id=attachment.agent_id, channel_kind="twilio").values_list(
            "message", flat=True
        )
    )


@pytest.fixture
def line(attachment_factory, twilio_standin):
    """An inbound attachment whose account and number exist on the stand-in (not started)."""

    def make(inbound=True, add_number=True, **number_fields):
        attachment = attachment_factory(inbound=inbound)
        conn = attachment.connection
        twilio_standin.add_account(conn.account_sid, conn.auth_token)
        if add_number:
            twilio_standin.add_number(conn.account_sid, conn.phone_number, **number_fields)
        return attachment

    return make


def number_updates(standin):
    return [r for r in standin.requests if r.method == "POST" and "/IncomingPhoneNumbers/" in r.path]


def test_start_points_the_number_at_our_webhooks(line, twilio_standin, django_capture_on_commit_callbacks):
    attachment = line(voice_url="https://old.example/voice")
    start(attachment, django_capture_on_commit_callbacks)

    key = attachment.connection.webhook_key
    [number] = twilio_standin.numbers(attachment.connection.account_sid)
    assert number["voice_url"] == f"{BASE}/twilio/{key}/voice"
    assert number["voice_method"] == "POST"
    assert number["status_callback"] == f"{BASE}/twilio/{key}/status"
    assert number["voice_fallback_url"] == f"{BASE}/twilio/{key}/fallback"
    assert attachment.line_state == "live"
    assert attachment.webhook_url == f"{BASE}/twilio/{key}/voice"
    assert Agent.objects.get(pk=attachment.agent_id).state == "running"
    log = twilio_log(attachment)
    assert any(f"{attachment.connection.phone_number} is live" in m and number["voice_url"] in m for m in log)
    assert any("VoiceUrl=https://old.example/voice" in m for m in log), "previous configuration not logged"


def test_default_region_uses_api_twilio_com_and_keeps_the_calls_in_us1(
    line, twilio_standin, django_capture_on_commit_callbacks
):
    attachment = start(line(), django_capture_on_commit_callbacks)
    conn = attachment.connection
    assert {r.host for r in twilio_standin.requests} == {"api.twilio.com", "routes.twilio.com"}
    assert twilio_standin.inbound_region(conn.account_sid, conn.phone_number) == "us1"
    assert not [r for r in twilio_standin.requests if r.host == "routes.twilio.com" and r.method == "POST"]


def test_a_number_without_voice_capability_is_refused_with_a_clear_error(
    line, twilio_standin, django_capture_on_commit_callbacks
):
    attachment = start(line(voice=False), django_capture_on_commit_callbacks)
    assert attachment.line_state == "error"
    assert "cannot take calls" in attachment.last_error and "messaging-only" in attachment.last_error
    assert "Voice" in attachment.last_error and "restart the agent" in attachment.last_error
    assert any("cannot take calls" in m for m in twilio_log(attachment))
    assert number_updates(twilio_standin) == [], "a number that cannot take calls is not reconfigured"


def test_takeover_clears_twiml_app_and_sip_trunk(line, twilio_standin, django_capture_on_commit_callbacks):
    app_sid, trunk_sid = "AP" + "1" * 32, "TK" + "2" * 32
    attachment = line(voice_application_sid=app_sid, trunk_sid=trunk_sid)
    start(attachment, django_capture_on_commit_callbacks)
    [number] = twilio_standin.numbers(attachment.connection.account_sid)
    assert number["voice_application_sid"] in ("", None)
    assert number["trunk_sid"] in ("", None)
    assert any(f"VoiceApplicationSid={app_sid}" in m and f"TrunkSid={trunk_sid}" in m for m in twilio_log(attachment))


def test_wrong_credentials_show_an_actionable_error(
    attachment_factory, twilio_standin, django_capture_on_commit_callbacks
):
    attachment = attachment_factory()
    conn = attachment.connection
    twilio_standin.add_account(conn.account_sid, "f" * 32)  # Twilio knows a different token
    twilio_standin.add_number(conn.account_sid, conn.phone_number)
    start(attachment, django_capture_on_commit_callbacks)

    assert attachment.line_state == "error"
    assert "20003" in attachment.last_error and "Account SID or Auth Token" in attachment.last_error
    assert any("20003" in m for m in twilio_log(attachment))
    assert Agent.objects.get(pk=attachment.agent_id).state == "running", "the agent still runs"


def test_unknown_number_says_how_to_enter_it(line, django_capture_on_commit_callbacks):
    attachment = start(line(add_number=False), django_capture_on_commit_callbacks)
    assert attachment.line_state == "error"
    assert "was not found" in attachment.last_error
    assert "E.164" in attachment.last_error and "leading +" in attachment.last_error
    assert attachment.connection.account_sid in attachment.last_error


def test_temporary_twilio_failure_is_retried(line, twilio_standin, django_capture_on_commit_callbacks):
    attachment = line()
    twilio_standin.fail_next(status=503, code=20500, times=2)
    start(attachment, django_capture_on_commit_callbacks)
    assert attachment.line_state == "live"
    assert sum("retrying" in m for m in twilio_log(attachment)) == 2


def test_twilio_down_for_good_ends_in_a_logged_error(line, twilio_standin, django_capture_on_commit_callbacks):
    attachment = line()
    twilio_standin.fail_next(status=503, code=20500, times=100)
    start(attachment, django_capture_on_commit_callbacks)
    assert attachment.line_state == "error"
    assert "unavailable" in attachment.last_error and "20500" in attachment.last_error
    tries = [r for r in twilio_standin.requests if r.method == "GET"]
    assert len(tries) == register_number.max_retries + 1, "retries are bounded"


def test_unreachable_twilio_ends_in_a_logged_error(line, twilio_standin, django_capture_on_commit_callbacks):
    attachment = line()
    twilio_standin.unreachable = True
    start(attachment, django_capture_on_commit_callbacks)
    assert attachment.line_state == "error"
    assert "could not be reached" in attachment.last_error


def test_other_twilio_errors_show_code_and_message(line, twilio_standin, django_capture_on_commit_callbacks):
    attachment = line()
    twilio_standin.fail_next(
        status=400, code=21452, message="No phone numbers found", path_contains="IncomingPhoneNumbers"
    )
    start(attachment, django_capture_on_commit_callbacks)
    assert attachment.line_state == "error"
    assert "21452" in attachment.last_error and "No phone numbers found" in attachment.last_error


def test_running_the_task_twice_registers_once(line, twilio_standin, django_capture_on_commit_callbacks):
    attachment = start(line(), django_capture_on_commit_callbacks)
    register_number.apply(args=[attachment.pk, attachment.snapshot_taken_at.isoformat()])
    assert len(number_updates(twilio_standin)) == 1


def test_outbound_only_attachment_registers_nothing(line, twilio_standin, django_capture_on_commit_callbacks):
    attachment = start(line(inbound=False), django_capture_on_commit_callbacks)
    assert twilio_standin.requests == []
    assert attachment.line_state == "live"
    assert attachment.snapshot["phone_number"] == attachment.connection.phone_number


def test_logs_never_contain_the_auth_token(line, twilio_standin, django_capture_on_commit_callbacks, caplog):
    caplog.set_level(logging.DEBUG)
    attachment = line()
    twilio_standin.fail_next(status=503, times=1)
    start(attachment, django_capture_on_commit_callbacks)
    token = attachment.connection.auth_token
    assert all(token not in m for m in twilio_log(attachment))
    assert token not in caplog.text


def test_edits_reach_a_running_agent_only_after_restart(line, django_capture_on_commit_callbacks):
    attachment = start(line(), django_capture_on_commit_callbacks)
    conn = attachment.connection
    conn.voice_model = "Polly.Lea"
    conn.save()
    attachment.refresh_from_db()
    assert attachment.snapshot["voice"] == "Polly.Salli"
    assert attachment.restart_needed

    lifecycle.stop_agent(attachment.agent_id)
    start(attachment, django_capture_on_commit_callbacks)
    assert attachment.snapshot["voice"] == "Polly.Lea"
    assert attachment.snapshot["language"] == "fr-FR"
    assert not attachment.restart_needed


def test_stop_takes_the_line_offline(line, django_capture_on_commit_callbacks):
    attachment = start(line(), django_capture_on_commit_callbacks)
    lifecycle.stop_agent(attachment.agent_id)
    attachment.refresh_from_db()
    assert attachment.line_state == "offline"
    assert attachment.snapshot is None and attachment.snapshot_auth_token == ""
    assert Agent.objects.get(pk=attachment.agent_id).state == "stopped"


def test_second_inbound_attachment_is_refused_by_the_database(attachment_factory, agent_factory):
    first = attachment_factory(inbound=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChannelAttachment.objects.create(agent=agent_factory(), connection=first.connection, inbound=True)
    # outbound-only on the same connection is fine
    ChannelAttachment.objects.create(agent=agent_factory(), connection=first.connection, inbound=False)


@pytest.mark.worker
def test_registration_runs_on_a_real_celery_worker(celery_worker, attachment_factory, twilio_standin):
    from tests.worker import wait_for

    attachment = attachment_factory()
    conn = attachment.connection
    twilio_standin.add_account(conn.account_sid, conn.auth_token)
    twilio_standin.add_number(conn.account_sid, conn.phone_number)
    lifecycle.start_agent(attachment.agent_id)
    wait_for(lambda: ChannelAttachment.objects.filter(pk=attachment.pk, line_state="live").exists())
    wait_for(lambda: Agent.objects.filter(pk=attachment.agent_id, state="running").exists())
    assert len(number_updates(twilio_standin)) == 1
