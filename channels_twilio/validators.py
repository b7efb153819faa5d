"""Validation of what an administrator types into the Twilio connection form.

Every message says what is expected, with an example, so the fix is obvious.
"""

import re

from django.core.exceptions import ValidationError

from . import catalog, speech_models, voices

_ACCOUNT_SID = re.compile(r"^AC[0-9a-f]{32}$")
_AUTH_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")


def validate_account_sid(value: str) -> None:
    if not _ACCOUNT_SID.match(value):
        raise ValidationError(
            "Enter the Account SID exactly as the Twilio Console dashboard shows it: "
            "AC followed by 32 lowercase hexadecimal characters (34 characters in all).",
            code="account_sid",
        )


def validate_auth_token(value: str) -> None:
    if not _AUTH_TOKEN.match(value):
        raise ValidationError(
            "Enter the Auth Token exactly as the Twilio Console dashboard shows it next to the "
            "Account SID: 32 lowercase hexadecimal characters.",
            code="auth_token",
        )


def validate_e164(value: str) -> None:
    if _E164.match(value):
        return
    if re.search(r"[\s\-().]", value):
        hint = "remove spaces, dashes and brackets"
    elif not value.startswith("+"):
        hint = "start with the plus sign and the country code"
    else:
        hint = "use a plus sign followed by 2 to 15 digits"
    raise ValidationError(
        f"Enter the phone number in E.164 format ({hint}), for example +14155550123.",
        code="e164",
    )


def validate_voice(value: str) -> None:
    """A voice from Twilio's text-to-speech list (channels_twilio/data/twilio_voices.csv)."""
    if voices.find(value) is not None:
        return
    if meant := voices.near_misses(value):
        hint = "Twilio spells it " + " or ".join(meant)
    else:
        hint = (
            "Pick one from the suggestions, for example Polly.Salli, Polly.Lea (French), "
            "Polly.Joanna-Neural or Google.en-US-Standard-C"
        )
    raise ValidationError(
        f'"{value}" is not a Twilio text-to-speech voice. {hint}, or leave it empty for Polly.Salli.',
        code="voice",
    )


def validate_speech_model(value: str) -> None:
    """One of the speechModel values Twilio's <Gather> takes."""
    if value not in catalog.SPEECH_MODELS:
        raise ValidationError(
            f'"{value}" is not a Twilio speech recognition model. Pick one from the suggestions, '
            "such as googlev2_telephony, deepgram_nova-3 or phone_call, or leave it empty for "
            "googlev2_telephony.",
            code="speech_model",
        )


def validate_speech_model_for_voice(voice: str, speech_model: str) -> None:
    """The speech model understands the voice's language, unless Twilio documents otherwise."""
    language = voices.language_of(voice)
    if language is None or speech_model not in catalog.SPEECH_MODELS:
        return  # the field's own validator already says what is wrong
    if speech_models.understands(speech_model, voices.recognition_language(language)):
        return
    others = speech_models.models_for(voices.recognition_language(language))
    raise ValidationError(
        {
            "speech_model": f"Speech model {speech_model} does not understand {language}, the language "
            f"of the voice {voice}: Twilio documents it for {speech_models.documented_languages(speech_model)}. "
            f"Use one that does, such as {', '.join(others[:4])}, or a voice in one of those languages.",
        },
        code="speech_model_language",
    )


def validate_number_once_per_account(connection) -> None:
    """A phone number is on at most one connection of a Twilio account.

    Each connection has at most one inbound agent, so the product document's "one number, one
    inbound agent" then holds across connections: a second connection would let the agent
    started last silently take the number from the other.
    """
    if not connection.account_sid or not connection.phone_number:
        return
    other = (
        type(connection)
        ._default_manager.filter(account_sid=connection.account_sid, phone_number=connection.phone_number)
        .exclude(pk=connection.pk)
        .first()
    )
    if other is not None:
        raise ValidationError(
            {
                "phone_number": f"{connection.phone_number} is already the number of connection "
                f"“{other.name}” in this Twilio account. A number can be on one connection only, so "
                f"that one agent answers it: edit “{other.name}” instead, or enter another number.",
            },
            code="number_taken",
        )
