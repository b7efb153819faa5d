"""Every voice Twilio lists is accepted, with its language; the speech model must understand it."""

import csv
from pathlib import Path

import lxml.html
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from channels_twilio import catalog, twiml, voices
from channels_twilio.forms import TwilioConnectionForm
from channels_twilio.models import TwilioConnection
from tests.conftest import new_account_sid, new_auth_token
from tests.twiml_schema import assert_valid_twiml

DATA = Path(voices.__file__).parent / "data"
ADD = reverse("admin:channels_twilio_twilioconnection_add")

pytestmark = pytest.mark.django_db


def form(**overrides) -> TwilioConnectionForm:
    data = {
        "name": "Line",
        "account_sid": new_account_sid(),
        "auth_token": new_auth_token(),
        "phone_number": "+14155550123",
        "voice_model": "",
        "speech_model": "",
        "region": "",
        "edge": "",
    }
    return TwilioConnectionForm(data={**data, **overrides})


def refusal(field: str, **overrides) -> str:
    bound = form(**overrides)
    assert not bound.is_valid()
    [message] = bound.errors[field]
    return message


def shipped_rows() -> list[dict[str, str]]:
    with (DATA / "twilio_voices.csv").open(encoding="utf-8", newline="") as data:
        return list(csv.DictReader(data))


def test_the_shipped_list_names_its_sources_and_the_date_they_were_read():
    readme = (DATA / "README.md").read_text()
    assert "2026-11-30" in readme
    assert "https://www.twilio.com/docs/voice/twiml/say/text-speech" in readme
    assert "https://docs.aws.amazon.com/polly/latest/dg/available-voices.html" in readme


def test_the_shipped_list_covers_every_provider_and_voice_type():
    rows = shipped_rows()
    assert {(row["provider"], row["type"]) for row in rows} == {
        ("twilio", "basic"),
        ("polly", "standard"),
        ("polly", "neural"),
        ("polly", "generative"),
        ("google", "standard"),
        ("google", "wavenet"),
        ("google", "neural2"),
        ("google", "chirp3-hd"),
    }
    assert len(rows) == len({row["voice"] for row in rows}) > 900


def test_every_voice_of_the_shipped_list_is_accepted_by_the_connection_form():
    refused = {}
    for row in shipped_rows():
        bound = form(voice_model=row["voice"])
        if not bound.is_valid():
            refused[row["voice"]] = bound.errors
    assert refused == {}


def test_every_listed_voice_answers_the_language_of_its_row():
    wrong = {
        row["voice"]: row["language"]
        for row in shipped_rows()
        if catalog.voice_language(row["voice"]) != row["language"]
    }
    assert wrong == {}


@pytest.mark.parametrize(
    "voice, language",
    [
        ("Polly.Isabelle-Neural", "fr-BE"),
        ("Polly.Jihye-Neural", "ko-KR"),
        ("Polly.Hiujin-Neural", "yue-CN"),
        ("Polly.Sabrina-Neural", "de-CH"),  # Swiss German in Amazon's list, not Brazilian Portuguese
        ("Polly.Sabrina-Generative", "de-CH"),
    ],
)
def test_the_voices_from_the_issue_are_saved_with_the_language_they_speak(voice, language):
    bound = form(voice_model=voice)
    assert bound.is_valid(), bound.errors
    connection = bound.save()
    connection.refresh_from_db()
    assert connection.effective_voice == voice
    assert catalog.voice_language(connection.effective_voice) == language


@pytest.mark.parametrize(
    "typed, listed",
    [
        ("Polly.Isabelle", "Polly.Isabelle-Neural"),  # Amazon offers Isabelle only as a neural voice
        ("Polly.Jihye", "Polly.Jihye-Neural"),
        ("Polly.Hiujin", "Polly.Hiujin-Neural"),
        ("Polly.Sabrina", "Polly.Sabrina-Neural"),  # neural and generative: the neural one
        ("Polly.Zeina-Neural", "Polly.Zeina"),  # Zeina is a standard voice only
        ("polly.lea", "Polly.Lea"),
        ("Salli", "Polly.Salli"),
    ],
)
def test_a_voice_typed_loosely_is_accepted_and_saved_as_twilio_spells_it(typed, listed):
    bound = form(voice_model=typed)
    assert bound.is_valid(), bound.errors
    assert bound.save().voice_model == listed


@pytest.mark.parametrize("typed", ["Azure.en-US-Jenny", "hello", "Polly.Nobody", "Google.xx-XX-Standard-A"])
def test_nonsense_is_refused_pointing_at_the_suggestions(typed):
    message = refusal("voice_model", voice_model=typed)
    assert f'"{typed}" is not a Twilio text-to-speech voice' in message
    assert "suggestions" in message and "Polly.Salli" in message


def test_a_google_voice_named_as_google_names_them_is_accepted_before_twilios_list_has_it():
    voice = "Google.en-US-Chirp3-HD-Achernar"  # a newer Chirp 3 HD voice than Twilio's list names
    assert voice not in voices.listed()
    assert form(voice_model=voice).is_valid()
    assert catalog.voice_language(voice) == "en-US"


@pytest.mark.parametrize(
    "voice, model, language",
    [
        ("Polly.Isabelle-Neural", "phone_call", "fr-BE"),
        ("Polly.Zeina", "deepgram_nova-2", "arb"),
        ("Polly.Gwyneth", "numbers_and_commands", "cy-GB"),
        ("Polly.Mia", "experimental_conversations", "es-MX"),
    ],
)
def test_a_speech_model_twilio_documents_as_not_understanding_the_voice_language_is_refused(voice, model, language):
    message = refusal("speech_model", voice_model=voice, speech_model=model)
    assert f"Speech model {model} does not understand {language}" in message
    assert voice in message
    assert "googlev2_telephony" in message  # a model that does understand it


@pytest.mark.parametrize(
    "voice, model",
    [
        ("Polly.Lea", "phone_call"),
        ("Polly.Zeina", "experimental_conversations"),  # Twilio: ar-*
        ("Polly.Liv", "experimental_utterances"),  # nb-NO is Twilio's no-NO
        ("Polly.Hiujin-Neural", "deepgram_nova-2"),  # Cantonese, nova-2 since 2024-09
        ("Polly.Isabelle-Neural", "deepgram_nova-3"),  # no documented restriction
        ("Polly.Isabelle-Neural", ""),  # googlev2_telephony
        ("Polly.Gwyneth", "googlev2_telephony"),
    ],
)
def test_a_speech_model_that_understands_the_voice_language_is_accepted(voice, model):
    bound = form(voice_model=voice, speech_model=model)
    assert bound.is_valid(), bound.errors


def test_the_speech_model_check_also_applies_outside_the_form():
    connection = TwilioConnection(
        name="Line",
        account_sid=new_account_sid(),
        auth_token=new_auth_token(),
        phone_number="+14155550123",
        voice_model="Polly.Isabelle-Neural",
        speech_model="phone_call",
    )
    with pytest.raises(ValidationError) as caught:
        connection.full_clean()
    assert "fr-BE" in caught.value.message_dict["speech_model"][0]


def test_the_new_connector_form_suggests_every_voice_with_its_language_and_the_speech_models(admin_client):
    html = lxml.html.fromstring(admin_client.get(ADD).content.decode())

    def suggestions(field: str) -> dict[str, str]:
        [field_input] = html.xpath(f'//input[@name="{field}"]')
        [datalist] = html.xpath(f'//datalist[@id="{field_input.get("list")}"]')
        return {option.get("value"): option.get("label") for option in datalist.iter("option")}

    offered = suggestions("voice_model")
    assert set(offered) == set(voices.listed())
    assert offered["Polly.Isabelle-Neural"] == "fr-BE · Amazon Polly neural"
    assert offered["Google.ko-KR-Chirp3-HD-Aoede"] == "ko-KR · Google chirp3-hd"
    assert set(suggestions("speech_model")) == set(catalog.SPEECH_MODELS)


def test_every_listed_voice_makes_twiml_the_schema_accepts():
    for voice in voices.listed().values():
        document = twiml.converse(
            "Bonjour",
            voice=voice.name,
            language=voice.language,
            speech_model="googlev2_telephony",
            action="https://portal.example.test/twilio/k/gather",
            partial_callback="https://portal.example.test/twilio/k/partial",
        )
        assert_valid_twiml(str(document).encode())
