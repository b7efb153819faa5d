"""Twilio's speech recognition models for <Gather speechModel>, and the languages each one takes.

Source: Twilio's <Gather> docs, speechModel (https://www.twilio.com/docs/voice/twiml/gather#speechmodel),
read 2026-11-30. Twilio lists the languages of its generic models; `numbers_and_commands` and
`deepgram_nova-2` take the languages of Deepgram's nova-2 model. For `default`, the googlev2_*
models and `deepgram_nova-3` Twilio points to the providers' long per-model tables instead, so
no combination is refused here: a wrong one fails the Gather and Twilio's debugger says why.
"""

from . import catalog

DESCRIPTIONS = {
    "googlev2_telephony": "Google STT V2, phone audio (the default)",
    "googlev2_telephony_short": "Google STT V2, phone audio, short answers",
    "googlev2_long": "Google STT V2, long speech",
    "googlev2_short": "Google STT V2, short utterances",
    "deepgram_nova-3": "Deepgram nova-3",
    "deepgram_nova-2": "Deepgram nova-2",
    "phone_call": "Generic, phone audio (10 languages)",
    "experimental_conversations": "Generic, spontaneous conversation",
    "experimental_utterances": "Generic, short commands",
    "numbers_and_commands": "Generic, numbers and short commands",
    "default": "Twilio picks the provider and model",
}

_PHONE_CALL = frozenset(
    {
        "en-US",
        "en-GB",
        "en-AU",
        "fr-FR",
        "fr-CA",
        "ja-JP",
        "ru-RU",
        "es-US",
        "es-ES",
        "pt-BR",
    }
)
# Twilio writes Arabic as "ar-*": every Arabic locale.
_EXPERIMENTAL = frozenset(
    {
        "da-DK",
        "de-DE",
        "en-AU",
        "en-GB",
        "en-IN",
        "en-US",
        "es-ES",
        "es-US",
        "fi-FI",
        "fr-CA",
        "fr-FR",
        "hi-IN",
        "ja-JP",
        "ko-KR",
        "mk-MK",
        "nl-NL",
        "no-NO",
        "pl-PL",
        "pt-BR",
        "pt-PT",
        "ro-RO",
        "ru-RU",
        "th-TH",
        "tr-TR",
        "uk-UA",
        "vi-VN",
    }
)
# Deepgram nova-2's languages (developers.deepgram.com/changelog/2024/5/14, Cantonese 2024/9/12),
# by base language; Mandarin and Cantonese are both "zh" there.
_NOVA_2 = frozenset(
    {
        "bg",
        "ca",
        "zh",
        "cs",
        "da",
        "nl",
        "en",
        "et",
        "fi",
        "fr",
        "de",
        "el",
        "hi",
        "hu",
        "id",
        "it",
        "ja",
        "ko",
        "lv",
        "lt",
        "ms",
        "no",
        "pl",
        "pt",
        "ro",
        "ru",
        "sk",
        "es",
        "sv",
        "th",
        "tr",
        "uk",
        "vi",
    }
)
# Same language, other tag: Norwegian Bokmål is "nb" in voice lists, "no" in these speech lists.
_BASE_ALIASES = {"nb": "no", "cmn": "zh", "yue": "zh"}
_LOCALE_ALIASES = {"nb-NO": "no-NO"}


def _base(tag: str) -> str:
    base = tag.split("-")[0].lower()
    return _BASE_ALIASES.get(base, base)


def documented_languages(model: str) -> str | None:
    """How Twilio's docs name the languages of `model`, or None when it names no restriction."""
    if model == "phone_call":
        return ", ".join(sorted(_PHONE_CALL))
    if model.startswith("experimental_"):
        return "Arabic and " + ", ".join(sorted(_EXPERIMENTAL))
    if model in ("numbers_and_commands", "deepgram_nova-2"):
        return "the languages of Deepgram's nova-2 model"
    return None


def understands(model: str, language: str) -> bool:
    """False only where Twilio documents that `model` does not take this <Gather> language."""
    if model == "phone_call":
        return language in _PHONE_CALL
    if model in ("experimental_conversations", "experimental_utterances"):
        return _base(language) == "ar" or _LOCALE_ALIASES.get(language, language) in _EXPERIMENTAL
    if model in ("numbers_and_commands", "deepgram_nova-2"):
        return _base(language) in _NOVA_2
    return True


def models_for(language: str) -> list[str]:
    """The speech models Twilio does not document as unable to take this language."""
    return [model for model in catalog.SPEECH_MODELS if understands(model, language)]
