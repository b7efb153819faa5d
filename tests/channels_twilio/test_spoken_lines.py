"""The channel's built-in lines (still there?, the filler, the silence goodbye, the offline
apology) are said in the voice and language of the connection, and an agent can word each its
own way. Every TwiML document is checked against Twilio's schema by the call driver."""

import pytest
from django.urls import reverse

from agents import lifecycle, spoken_lines
from agents.models import Agent
from agents.prepared_answers import reply_pickup
from channels_twilio import webhook_urls
from channels_twilio.simulator import lines, script
from sessions_app.models import Session
from tests.agents.agent_form import agent_page_post
from tests.call_driver import CallDriver
from tests.llm_standin import llm_call, llm_standin  # noqa: F401 (fixtures)

STILL_THERE_FR = "Êtes-vous toujours là ?"
FILLER_FR = "Un instant, s'il vous plaît."
SILENCE_GOODBYE_FR = (
    "Je ne vous entends pas, je vais donc mettre fin à l'appel. N'hésitez pas à rappeler à tout moment. Au revoir."
)
APOLOGY_FR = (
    "Désolé, personne ne peut prendre votre appel sur ce numéro pour le moment. "
    "Veuillez réessayer plus tard. Au revoir."
)
APOLOGY_EN = "Sorry, no one can take your call on this number right now. Please try again later. Goodbye."


@pytest.fixture
def french_connection(connection_factory):
    return lambda: connection_factory(voice_model="Polly.Lea")


def spoken(c: CallDriver) -> list[tuple[str, str | None, str | None]]:
    """Every <Say> of the last TwiML: its text, voice and language."""
    return [(say.text, say.get("voice"), say.get("language")) for say in c.twiml.iter("Say")]


def test_a_french_line_asks_a_silent_caller_in_french_then_says_goodbye_in_french(call, french_connection):
    c = call(connection=french_connection())
    c.dial()
    c.stay_silent()
    assert spoken(c) == [(STILL_THERE_FR, "Polly.Lea", "fr-FR")]
    assert c.gather.get("language") == "fr-FR"
    c.stay_silent()
    c.stay_silent()
    assert c.verbs() == ["Say", "Hangup"]
    assert spoken(c) == [(SILENCE_GOODBYE_FR, "Polly.Lea", "fr-FR")]
    session = Session.objects.get(call_sid=c.call_sid)
    said = list(session.messages.filter(role="agent").values_list("text", flat=True))
    assert said[1:] == [STILL_THERE_FR, STILL_THERE_FR, SILENCE_GOODBYE_FR], "the transcript holds what was said"


def test_a_french_line_holds_a_slow_reply_with_a_french_filler(
    llm_call,  # noqa: F811
    llm_standin,  # noqa: F811
    french_connection,
    monkeypatch,
):
    monkeypatch.setattr(reply_pickup, "FIRST_WAIT", 0.3)
    llm_standin.delay = 1.0
    c = llm_call(connection=french_connection())
    c.dial()
    c.speak("bonjour", partials=False)
    assert c.verbs() == ["Say", "Pause", "Redirect"]
    assert spoken(c) == [(FILLER_FR, "Polly.Lea", "fr-FR")]


def test_a_stopped_agent_apologises_in_the_voice_and_language_of_its_connection(call, french_connection):
    c = call(connection=french_connection())
    lifecycle.stop_agent(c.attachment.agent_id)
    c.dial()
    assert c.verbs() == ["Say", "Hangup"]
    assert spoken(c) == [(APOLOGY_FR, "Polly.Lea", "fr-FR")]
    assert not Session.objects.exists()


def test_stopping_the_agent_mid_call_apologises_in_the_connection_voice_with_the_agents_own_wording(
    call, french_connection
):
    c = call(connection=french_connection())
    Agent.objects.filter(pk=c.attachment.agent_id).update(
        spoken_line_overrides={"offline_apology": "Nous sommes fermés. Au revoir !"}
    )
    c.dial()
    lifecycle.stop_agent(c.attachment.agent_id)
    c.speak("vous êtes là", partials=False)
    assert spoken(c) == [("Nous sommes fermés. Au revoir !", "Polly.Lea", "fr-FR")]


def test_twilios_fallback_request_gets_the_apology_in_the_running_lines_voice(call, french_connection):
    c = call(connection=french_connection())
    c._twiml(c.post(webhook_urls.fallback_url(c.connection.webhook_key), c.params(), c.token))
    assert spoken(c) == [(APOLOGY_FR, "Polly.Lea", "fr-FR")]


def test_an_unknown_webhook_key_apologises_in_twilios_default_voice_in_english(call):
    c = call()
    url = webhook_urls.voice_url(c.connection.webhook_key)
    c.connection.delete()
    c.dial(url=url)
    assert spoken(c) == [(APOLOGY_EN, None, None)]


def test_a_language_without_built_in_lines_hears_them_in_english_in_its_own_voice(call, connection_factory):
    c = call(connection=connection_factory(voice_model="Polly.Mads"))  # Danish
    c.dial()
    c.stay_silent()
    assert spoken(c) == [("Are you still there?", "Polly.Mads", "da-DK")]


def test_english_lines_are_unchanged_and_carry_the_language(call):
    c = call()
    c.dial()
    c.stay_silent()
    assert spoken(c) == [("Are you still there?", "Polly.Salli", "en-US")]


def test_the_agents_own_wording_wins_over_the_built_in_line(call, french_connection):
    c = call(connection=french_connection(), spoken_line_overrides={"reprompt": "Allô ? Vous m'entendez ?"})
    c.dial()
    c.stay_silent()
    assert spoken(c) == [("Allô ? Vous m'entendez ?", "Polly.Lea", "fr-FR")]
    c.stay_silent()
    c.stay_silent()
    assert spoken(c) == [(SILENCE_GOODBYE_FR, "Polly.Lea", "fr-FR")], "lines it did not word stay built in"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr-CA", STILL_THERE_FR),
        ("es-MX", "¿Sigue ahí?"),
        ("de-AT", "Sind Sie noch da?"),
        ("cmn-CN", "请问您还在吗？"),
        ("zh-CN", "请问您还在吗？"),
        ("cmn-TW", "請問您還在嗎？"),
        ("yue-HK", "請問您還在嗎？"),
        ("arb", "هل ما زلت على الخط؟"),
        ("ja-JP", "もしもし、まだいらっしゃいますか？"),
        ("is-IS", "Are you still there?"),
        ("", "Are you still there?"),
    ],
)
def test_a_line_is_found_by_language_region_then_base_language_then_english(language, expected):
    assert spoken_lines.line("reprompt", language) == expected


def test_every_line_is_written_in_at_least_ten_languages():
    assert len(spoken_lines.languages()) >= 10
    for code, translated in spoken_lines.TRANSLATIONS.items():
        assert set(translated) == set(spoken_lines.LINES), code
        assert all(text.strip() for text in translated.values()), code


def test_a_blank_override_means_the_built_in_line():
    assert spoken_lines.line("filler", "fr-FR", {"filler": "   "}) == FILLER_FR


def test_the_agent_page_shows_each_built_in_line_and_saves_the_agents_wording(admin_client, agent_factory):
    agent = agent_factory()
    url = reverse("admin:agents_agent_change", args=[agent.pk])
    page = admin_client.get(url).content.decode()
    assert "Built-in lines" in page
    for name in spoken_lines.LINES:
        assert f'name="line_{name}"' in page
        assert f'placeholder="{spoken_lines.default(name)}"'.replace("'", "&#x27;") in page

    response = admin_client.post(url, agent_page_post(agent, line_reprompt="  Hello? Anyone there?  "))
    assert response.status_code == 302, response.content.decode()[:2000]
    agent.refresh_from_db()
    assert agent.spoken_line_overrides == {"reprompt": "Hello? Anyone there?"}
    assert "Hello? Anyone there?" in admin_client.get(url).content.decode()

    admin_client.post(url, agent_page_post(agent, line_reprompt=""))
    agent.refresh_from_db()
    assert agent.spoken_line_overrides == {}, "emptied: the built-in line again"


@pytest.mark.django_db(transaction=True)
def test_the_test_call_hears_the_french_lines_in_french(running_line, connection_factory, live_server):
    line = running_line(connection=connection_factory(voice_model="Polly.Lea"))
    call = lines.inbound_call(line, lines.TEST_CALLER)
    driver = lines.driver(call, live_server.url)
    driver.run(script.ring_inbound(call))
    events = driver.run(script.stay_silent(call))
    driver.close()
    said = [(e.text, e.data["voice"], e.data["language"]) for e in events if e.kind == "agent"]
    assert said == [(STILL_THERE_FR, "Polly.Lea", "fr-FR")]
