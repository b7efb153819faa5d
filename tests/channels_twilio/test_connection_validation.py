"""What the Twilio connection form accepts and refuses, and the message an administrator sees."""

import pytest
from django.core.exceptions import ValidationError

from channels_twilio.forms import TwilioConnectionForm
from channels_twilio.models import TwilioConnection

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "fedcba9876543210" * 2


def form_data(**overrides) -> dict:
    data = {
        "name": "Support line",
        "description": "",
        "account_sid": SID,
        "auth_token": TOKEN,
        "phone_number": "+14155550123",
        "voice_model": "",
        "speech_model": "",
        "region": "",
        "edge": "",
    }
    data.update(overrides)
    return data


def errors_for(**overrides) -> dict[str, list[str]]:
    form = TwilioConnectionForm(data=form_data(**overrides))
    assert not form.is_valid()
    return form.errors


def saved(**overrides) -> TwilioConnection:
    form = TwilioConnectionForm(data=form_data(**overrides))
    assert form.is_valid(), form.errors
    return form.save()


pytestmark = pytest.mark.django_db


def test_a_complete_connection_is_accepted_and_saved():
    connection = saved(description="Main support number", region="ie1", edge="dublin")
    connection.refresh_from_db()
    assert (connection.name, connection.account_sid, connection.auth_token) == ("Support line", SID, TOKEN)
    assert (connection.region, connection.edge) == ("ie1", "dublin")


@pytest.mark.parametrize("field", ["name", "account_sid", "auth_token", "phone_number"])
def test_required_fields_cannot_be_left_empty(field):
    assert errors_for(**{field: ""})[field] == ["This field is required."]


@pytest.mark.parametrize("field", ["description", "voice_model", "speech_model", "region", "edge"])
def test_optional_fields_can_be_left_empty(field):
    saved(**{field: ""})


@pytest.mark.parametrize(
    "sid",
    [
        "0123456789abcdef" * 2,  # the AC prefix is missing
        "AC" + "0123456789abcdef" * 2 + "0",  # one character too many
        "AC" + "0123456789abcde",  # far too short
        "AC" + "0123456789ABCDEF" * 2,  # upper-case hex: the Console shows lower case
        "ac" + "0123456789abcdef" * 2,  # lower-case prefix
        "AC" + "0123456789abcdeg" * 2,  # not hexadecimal
        "SK" + "0123456789abcdef" * 2,  # an API key SID, not an account SID
    ],
)
def test_account_sid_must_be_ac_and_32_hex_characters(sid):
    [message] = errors_for(account_sid=sid)["account_sid"]
    assert "AC followed by 32 lowercase hexadecimal characters" in message


@pytest.mark.parametrize(
    "token",
    ["fedcba9876543210", "fedcba9876543210" * 2 + "f", "FEDCBA9876543210" * 2, "not-a-token-" * 3, "g" * 32],
)
def test_auth_token_must_be_32_hex_characters(token):
    [message] = errors_for(auth_token=token)["auth_token"]
    assert "32 lowercase hexadecimal characters" in message


def test_the_auth_token_error_does_not_repeat_what_was_typed():
    wrong = "0123456789abcdef0123456789abcdeZ"
    [message] = errors_for(auth_token=wrong)["auth_token"]
    assert wrong not in message


@pytest.mark.parametrize(
    "number, hint",
    [
        ("+1 415 555 0123", "remove spaces, dashes and brackets"),
        ("+1-415-555-0123", "remove spaces, dashes and brackets"),
        ("+1 (415) 5550123", "remove spaces, dashes and brackets"),
        ("+44 (20) 7946-0958", "remove spaces, dashes and brackets"),  # longer than 16 characters
        ("14155550123", "start with the plus sign and the country code"),
        ("004414155550123", "start with the plus sign and the country code"),
        ("+1415555012345678", "use a plus sign followed by 2 to 15 digits"),  # 16 digits
        ("+04155550123", "use a plus sign followed by 2 to 15 digits"),  # country codes never start with 0
        ("+1", "use a plus sign followed by 2 to 15 digits"),
        ("+1415555abcd", "use a plus sign followed by 2 to 15 digits"),
    ],
)
def test_phone_number_must_be_e164_and_the_message_shows_the_expected_form(number, hint):
    [message] = errors_for(phone_number=number)["phone_number"]
    assert hint in message
    assert "E.164" in message and "+14155550123" in message


@pytest.mark.parametrize("number", ["+14155550123", "+12", "+441632960961", "+123456789012345"])
def test_e164_numbers_from_2_to_15_digits_are_accepted(number):
    assert saved(phone_number=number).phone_number == number


@pytest.mark.parametrize(
    "voice", ["Polly.Salli", "Polly.Lea", "Polly.Joanna-Neural", "Google.en-US-Standard-C", "alice"]
)
def test_twilio_voices_are_accepted(voice):
    assert saved(voice_model=voice).effective_voice == voice


@pytest.mark.parametrize("voice", ["Polly.Nobody", "Google.english", "Azure.en-US-Jenny", "Polly"])
def test_an_unknown_voice_is_refused_with_a_valid_example(voice):
    [message] = errors_for(voice_model=voice)["voice_model"]
    assert f'"{voice}" is not a Twilio text-to-speech voice' in message
    assert "Polly.Salli" in message


@pytest.mark.parametrize("model", ["googlev2_telephony", "deepgram_nova-3", "phone_call"])
def test_twilio_speech_models_are_accepted(model):
    assert saved(speech_model=model).effective_speech_model == model


@pytest.mark.parametrize("model", ["whisper", "googlev2-telephony", "Phone_Call"])
def test_an_unknown_speech_model_is_refused_with_a_valid_example(model):
    [message] = errors_for(speech_model=model)["speech_model"]
    assert f'"{model}" is not a Twilio speech recognition model' in message
    assert "googlev2_telephony" in message


def test_empty_voice_and_speech_model_mean_polly_salli_and_googlev2_telephony():
    connection = saved(voice_model="", speech_model="")
    connection.refresh_from_db()
    assert connection.voice_model == "" and connection.speech_model == ""
    assert connection.effective_voice == "Polly.Salli"
    assert connection.effective_speech_model == "googlev2_telephony"


@pytest.mark.parametrize("region", ["ie1", "au1"])
def test_a_region_without_edge_is_accepted_and_means_the_regions_own_edge(region):
    connection = saved(region=region, edge="")
    assert (connection.region, connection.edge) == (region, "")


@pytest.mark.parametrize("region, edge", [("ie1", "dublin"), ("au1", "sydney"), ("us1", "ashburn")])
def test_a_region_with_its_edge_is_accepted(region, edge):
    connection = saved(region=region, edge=edge)
    assert (connection.region, connection.edge) == (region, edge)


def test_us1_needs_no_edge():
    assert saved(region="us1", edge="").region == "us1"


def test_an_edge_alone_is_accepted():
    assert saved(region="", edge="sydney").edge == "sydney"


# de1, jp1, … were edges, never regions: Twilio processed their requests in US1.
@pytest.mark.parametrize("field, value", [("region", "eu1"), ("region", "de1"), ("edge", "paris")])
def test_region_and_edge_outside_twilios_list_are_refused(field, value):
    [message] = errors_for(**{field: value})[field]
    assert value in message and "not one of the available choices" in message


def test_model_full_clean_applies_the_same_rules_outside_the_form():
    connection = TwilioConnection(
        name="Line",
        account_sid="AC123",
        auth_token="x",
        us1_auth_token="y",
        phone_number="+1 415",
        voice_model="Nope",
        region="au1",
    )
    with pytest.raises(ValidationError) as caught:
        connection.full_clean()
    errors = caught.value.message_dict
    assert set(errors) == {"account_sid", "auth_token", "us1_auth_token", "phone_number", "voice_model"}


def test_whitespace_pasted_around_sid_token_and_number_is_stripped():
    connection = saved(account_sid=f"  {SID}\n", auth_token=f"\t{TOKEN}  ", phone_number=" +14155550123 ")
    connection.refresh_from_db()
    assert (connection.account_sid, connection.auth_token, connection.phone_number) == (SID, TOKEN, "+14155550123")
