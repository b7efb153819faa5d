"""Whole calls through the real webhook URLs, signed like Twilio, TwiML checked against the schema."""

from urllib.parse import urlencode

import pytest

from agents import lifecycle
from agents.models import AgentLogEntry, ScriptedAnswer
from channels_twilio import webhook_urls
from sessions_app.models import Message, Session
from tests.call_driver import CallDriver


def transcript(session) -> list[tuple[str, str]]:
    return list(session.messages.order_by("sequence").values_list("role", "text"))


def add_answer(attachment, question, answer, keywords=""):
    ScriptedAnswer.objects.create(agent=attachment.agent, question=question, answer=answer, keywords=keywords)


def test_whole_call_greeting_two_turns_then_caller_hangs_up(call):
    c = call()
    add_answer(c.attachment, "What are your opening hours?", "We open at nine.", "hours")
    add_answer(c.attachment, "Where are you located?", "On Market Street.", "where")

    c.dial()
    assert c.said() == ["Hello, this is Flametree. How can I help?"]
    c.speak("what are your opening hours")
    assert c.said() == ["We open at nine."]
    c.speak("and where are you")
    assert c.said() == ["On Market Street."]
    c.status("completed")

    session = Session.objects.get(call_sid=c.call_sid)
    assert session.state == "closed" and session.close_reason == "completed"
    assert session.direction == "inbound"
    assert (session.from_number, session.to_number) == (c.caller, c.attachment.connection.phone_number)
    assert transcript(session) == [
        ("agent", "Hello, this is Flametree. How can I help?"),
        ("caller", "what are your opening hours"),
        ("agent", "We open at nine."),
        ("caller", "and where are you"),
        ("agent", "On Market Street."),
    ]


def test_agent_can_end_the_call(call):
    c = call()
    c.dial()
    c.speak("thanks that's all goodbye")
    assert c.verbs() == ["Say", "Hangup"]
    assert c.said() == ["Thank you for calling. Goodbye!"]
    c.status("completed")
    session = Session.objects.get(call_sid=c.call_sid)
    assert session.close_reason == "agent-hung-up", "the status callback does not overwrite the reason"
    assert transcript(session)[-1] == ("agent", "Thank you for calling. Goodbye!")


def test_gather_listens_with_barge_in_and_the_snapshot_models(call):
    c = call()
    c.dial()
    gather = c.gather
    assert gather.get("input") == "speech"
    assert gather.get("bargeIn") == "true"
    assert gather.get("speechModel") == "googlev2_telephony"
    assert gather.get("speechTimeout").isdigit() and int(gather.get("speechTimeout")) > 0
    assert gather.get("language") == "en-US"
    assert gather.find("Say").get("voice") == "Polly.Salli"
    assert gather.get("partialResultCallback").startswith("https://portal.example.test/twilio/")


def test_voice_sets_the_recognition_language(call, connection_factory):
    c = call(connection=connection_factory(voice_model="Polly.Lea", speech_model="deepgram_nova-3"))
    c.dial()
    assert c.gather.get("language") == "fr-FR"
    assert c.gather.get("speechModel") == "deepgram_nova-3"
    assert c.gather.find("Say").get("voice") == "Polly.Lea"


@pytest.mark.parametrize(
    "voice, spoken, understood",
    [
        ("Polly.Zhiyu", "cmn-CN", "cmn-Hans-CN"),
        ("Polly.Zeina", "arb", "ar-AE"),
        ("Polly.Hiujin-Neural", "yue-CN", "yue-Hant-HK"),
    ],
)
def test_gather_listens_in_the_tag_twilio_recognises_for_the_voice_language(
    call, connection_factory, voice, spoken, understood
):
    c = call(connection=connection_factory(voice_model=voice))
    c.dial()
    assert c.gather.get("language") == understood
    assert c.gather.find("Say").get("voice") == voice
    assert c.gather.find("Say").get("language") == spoken


@pytest.mark.parametrize("signature", ["", "bm90IHRoZSByaWdodCBzaWduYXR1cmU="])
def test_bad_or_missing_signature_is_refused_and_writes_nothing(client, running_line, signature):
    attachment = running_line()
    url = webhook_urls.voice_url(attachment.connection.webhook_key)
    path = url.removeprefix("https://portal.example.test")
    params = {"CallSid": "CA" + "0" * 32, "From": "+15005550006", "To": attachment.connection.phone_number}
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    logged_before = AgentLogEntry.objects.count()

    response = client.post(path, urlencode(params), content_type="application/x-www-form-urlencoded", **headers)

    assert response.status_code == 403
    assert not Session.objects.exists()
    new_logs = AgentLogEntry.objects.order_by("-id")[: AgentLogEntry.objects.count() - logged_before]
    assert [e.level for e in new_logs] == ["warning"]
    assert "X-Twilio-Signature" in new_logs[0].message


def test_signature_with_another_accounts_token_is_refused(signed_post, running_line):
    attachment = running_line()
    driver = CallDriver(signed_post, attachment.connection, token="0" * 32)
    response = signed_post(webhook_urls.voice_url(attachment.connection.webhook_key), driver.params(), "0" * 32)
    assert response.status_code == 403
    assert not Session.objects.exists()


def test_signature_holds_behind_a_tls_terminating_proxy(signed_post, running_line):
    attachment = running_line()
    c = CallDriver(signed_post, attachment.connection)
    response = signed_post(
        webhook_urls.voice_url(attachment.connection.webhook_key),
        c.params(),
        attachment.connection.auth_token,
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_HOST="portal.example.test",
    )
    assert response.status_code == 200
    assert Session.objects.filter(call_sid=c.call_sid).exists()


def test_webhooks_are_never_redirected(signed_post, running_line, settings):
    settings.SECURE_SSL_REDIRECT = True
    attachment = running_line()
    c = CallDriver(signed_post, attachment.connection)
    c.dial()  # asserts a 200 TwiML answer, not a 301 to https


HOSTILE = [
    '</Say><Record action="http://x"/><Say>',
    "Tom & Jerry <b> 'quotes' \"double\"",
    "control\x00\x01\x08\x0b\x1f characters",
    "x" * 10_000,
    "emoji 😀🎉👍🏽 and \u202eright-to-left\u202c العربية עברית",
]


@pytest.mark.parametrize("speech", HOSTILE, ids=["verbs", "markup", "control", "long", "emoji-rtl"])
def test_hostile_speech_gives_twiml_that_parses_with_no_extra_verbs(call, speech):
    c = call()
    # The agent repeats the caller's words: the answer text carries the hostile input too.
    # (An admin form can't hold NUL: Django refuses it, so the answer is stored without it.)
    add_answer(c.attachment, "echo", speech.replace("\x00", ""), keywords="echo")
    c.dial()
    c.speak("echo " + speech, partials=False)
    assert c.verbs() == ["Gather", "Say"]
    session = Session.objects.get(call_sid=c.call_sid)
    stored = transcript(session)[1]
    assert stored[0] == "caller"
    assert stored[1] == "".join(ch for ch in "echo " + speech if ch >= " " or ch in "\t\n"), "only controls dropped"


def test_hostile_greeting_is_escaped(call):
    c = call(greeting="Hi </Say><Hangup/> & welcome\x07")
    c.dial()
    assert c.verbs() == ["Gather", "Say"]
    assert c.said() == ["Hi </Say><Hangup/> & welcome"]


def test_duplicated_and_reordered_status_callbacks_leave_one_closed_session(call):
    c = call()
    c.status("completed")  # before the call webhook was even answered
    c.dial()
    c.status("in-progress")
    c.status("completed")
    c.status("completed")
    c.status("in-progress")
    sessions = Session.objects.filter(call_sid=c.call_sid)
    assert sessions.count() == 1
    session = sessions.get()
    # A completed that arrives before the call webhook finds no session; the later one closes it.
    assert session.state == "closed" and session.close_reason == "completed"


def test_retried_call_webhook_does_not_duplicate(call):
    c = call()
    c.dial()
    c.dial()
    session = Session.objects.get(call_sid=c.call_sid)
    assert transcript(session) == [("agent", "Hello, this is Flametree. How can I help?")]


def test_retried_gather_action_serves_the_same_reply_once(call):
    c = call()
    c.dial()
    gather = c.gather
    c.speak("hello there", partials=False)
    first = c.said()
    c.twiml = c.twiml  # replay the same action URL, as Twilio does on a timeout
    response = c.post(gather.get("action"), c.params(SpeechResult="hello there"), c.token)
    assert response.status_code == 200
    session = Session.objects.get(call_sid=c.call_sid)
    assert [role for role, _ in transcript(session)] == ["agent", "caller", "agent"]
    assert first == [session.messages.last().text]


def test_silence_gets_a_reprompt_then_a_polite_goodbye(call):
    c = call()
    c.dial()
    c.stay_silent()
    assert c.said() == ["Are you still there?"]
    c.stay_silent()
    assert c.said() == ["Are you still there?"]
    c.stay_silent()
    assert c.verbs() == ["Say", "Hangup"]
    session = Session.objects.get(call_sid=c.call_sid)
    assert session.close_reason == "silence"


def test_speaking_after_a_reprompt_resets_the_silence_count(call):
    c = call()
    c.dial()
    c.stay_silent()
    c.stay_silent()
    c.speak("I am here")
    c.stay_silent()
    assert c.verbs() == ["Gather", "Say"], "two silences, a turn, one silence: still talking"


def test_partial_results_are_recorded_newest_first_wins(call):
    c = call()
    c.dial()
    partial = c.gather.get("partialResultCallback")
    for seq, text in [(1, "what"), (3, "what are your"), (2, "what are")]:
        assert c.post(partial, c.params(UnstableSpeechResult=text, SequenceNumber=str(seq)), c.token).status_code == 204
    session = Session.objects.get(call_sid=c.call_sid)
    assert session.partial_text == "what are your"


def test_stopped_agent_number_gets_apology_and_no_session(call):
    c = call()
    lifecycle.stop_agent(c.attachment.agent_id)
    c.dial()
    assert c.verbs() == ["Say", "Hangup"]
    assert not Session.objects.exists()
    assert AgentLogEntry.objects.filter(agent_id=c.attachment.agent_id, message__contains="offline apology").exists()


def test_detached_number_gets_apology_and_no_session(call):
    c = call()
    c.attachment.delete()
    c.dial()
    assert c.verbs() == ["Say", "Hangup"]
    assert not Session.objects.exists()


def test_deleted_connection_gets_apology_and_nothing_written(call):
    c = call()
    url = webhook_urls.voice_url(c.attachment.connection.webhook_key)
    c.attachment.connection.delete()
    c.dial(url=url)
    assert c.verbs() == ["Say", "Hangup"]
    assert not Session.objects.exists()


def test_stopping_the_agent_mid_call_ends_the_call(call):
    c = call()
    c.dial()
    lifecycle.stop_agent(c.attachment.agent_id)
    c.speak("are you there")
    assert c.verbs() == ["Say", "Hangup"]
    session = Session.objects.get(call_sid=c.call_sid)
    assert session.close_reason == "agent-stopped"


def test_call_over_the_limit_is_rejected_as_busy_and_logged(call, signed_post):
    c = call(max_opened_sessions=1)
    c.dial()
    second = CallDriver(signed_post, c.attachment.connection, caller="+15005550009")
    second.dial()
    assert second.verbs() == ["Reject"] and second.twiml.find("Reject").get("reason") == "busy"
    assert Session.objects.filter(state="open").count() == 1
    rejected = Session.objects.get(call_sid=second.call_sid)
    assert rejected.close_reason == "rejected-over-limit"
    assert AgentLogEntry.objects.filter(agent_id=c.attachment.agent_id, message__contains="rejected as busy").exists()
    assert not Message.objects.filter(session=rejected).exists()
