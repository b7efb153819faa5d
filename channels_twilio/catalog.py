"""What Twilio accepts: regions, edges, text-to-speech voices and speech recognition models.

Sources: Twilio's docs on Global Infrastructure (regions/edges), <Say> voices (Amazon Polly
and Google) and <Gather speechModel>. The voice also fixes the recognition language, so
one setting, the Voice model, sets the conversation language.
"""

import re

DEFAULT_VOICE = "Polly.Salli"
DEFAULT_SPEECH_MODEL = "googlev2_telephony"

REGIONS = {
    "us1": "United States (us1, default)",
    "us2": "United States (us2)",
    "ie1": "Ireland (ie1)",
    "de1": "Germany (de1)",
    "au1": "Australia (au1)",
    "jp1": "Japan (jp1)",
    "sg1": "Singapore (sg1)",
    "br1": "Brazil (br1)",
}

EDGES = {
    "ashburn": "Ashburn, US East (default)",
    "umatilla": "Umatilla, US West",
    "dublin": "Dublin, Ireland",
    "frankfurt": "Frankfurt, Germany",
    "sydney": "Sydney, Australia",
    "tokyo": "Tokyo, Japan",
    "singapore": "Singapore",
    "sao-paulo": "São Paulo, Brazil",
    "roaming": "Roaming (nearest edge)",
}

# The edge that serves each region; Twilio no longer serves a non-US region without one.
EDGE_OF_REGION = {
    "us1": "ashburn",
    "us2": "umatilla",
    "ie1": "dublin",
    "de1": "frankfurt",
    "au1": "sydney",
    "jp1": "tokyo",
    "sg1": "singapore",
    "br1": "sao-paulo",
}

SPEECH_MODELS = (
    "googlev2_telephony",
    "googlev2_telephony_short",
    "googlev2_long",
    "googlev2_short",
    "deepgram_nova-3",
    "deepgram_nova-2",
    "phone_call",
    "experimental_conversations",
    "experimental_utterances",
    "numbers_and_commands",
    "default",
)

# Amazon Polly voices Twilio offers, with the language each one speaks.
POLLY_VOICE_LANGUAGES = {
    **dict.fromkeys(
        [
            "Salli",
            "Joanna",
            "Ivy",
            "Kendra",
            "Kimberly",
            "Joey",
            "Justin",
            "Kevin",
            "Matthew",
            "Ruth",
            "Stephen",
            "Danielle",
            "Gregory",
            "Patrick",
        ],
        "en-US",
    ),
    **dict.fromkeys(["Amy", "Emma", "Brian", "Arthur"], "en-GB"),
    **dict.fromkeys(["Nicole", "Olivia", "Russell"], "en-AU"),
    **dict.fromkeys(["Raveena", "Aditi", "Kajal"], "en-IN"),
    "Geraint": "en-GB",
    "Aria": "en-NZ",
    "Ayanda": "en-ZA",
    "Niamh": "en-IE",
    **dict.fromkeys(["Celine", "Lea", "Mathieu", "Remi"], "fr-FR"),
    **dict.fromkeys(["Chantal", "Gabrielle", "Liam"], "fr-CA"),
    **dict.fromkeys(["Marlene", "Vicki", "Hans", "Daniel"], "de-DE"),
    "Hannah": "de-AT",
    **dict.fromkeys(["Conchita", "Lucia", "Enrique", "Sergio"], "es-ES"),
    **dict.fromkeys(["Mia", "Andres"], "es-MX"),
    **dict.fromkeys(["Lupe", "Penelope", "Miguel", "Pedro"], "es-US"),
    **dict.fromkeys(["Carla", "Bianca", "Giorgio", "Adriano"], "it-IT"),
    **dict.fromkeys(["Camila", "Vitoria", "Ricardo", "Thiago"], "pt-BR"),
    **dict.fromkeys(["Ines", "Cristiano"], "pt-PT"),
    **dict.fromkeys(["Mizuki", "Takumi", "Kazuha", "Tomoko"], "ja-JP"),
    "Seoyeon": "ko-KR",
    "Zhiyu": "zh-CN",
    **dict.fromkeys(["Lotte", "Ruben", "Laura"], "nl-NL"),
    **dict.fromkeys(["Mads", "Naja", "Sofie"], "da-DK"),
    **dict.fromkeys(["Liv", "Ida"], "nb-NO"),
    **dict.fromkeys(["Ewa", "Maja", "Jacek", "Jan", "Ola"], "pl-PL"),
    **dict.fromkeys(["Tatyana", "Maxim"], "ru-RU"),
    **dict.fromkeys(["Astrid", "Elin"], "sv-SE"),
    **dict.fromkeys(["Filiz", "Burcu"], "tr-TR"),
    "Carmen": "ro-RO",
    "Dora": "is-IS",
    "Karl": "is-IS",
    "Gwyneth": "cy-GB",
    "Zeina": "ar-AE",
    "Hala": "ar-AE",
    "Suvi": "fi-FI",
}

_POLLY = re.compile(r"^Polly\.(?P<name>[A-Za-z]+)(?:-(?:Neural|Generative))?$")
_GOOGLE = re.compile(r"^Google\.(?P<lang>[a-z]{2,3}-[A-Z]{2})-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$")
_CLASSIC = {"man": "en-US", "woman": "en-US", "alice": "en-US"}


def voice_language(voice: str) -> str | None:
    """The language a Twilio voice speaks (BCP-47), or None when Twilio has no such voice."""
    if voice in _CLASSIC:
        return _CLASSIC[voice]
    if match := _POLLY.match(voice):
        return POLLY_VOICE_LANGUAGES.get(match["name"])
    if match := _GOOGLE.match(voice):
        return match["lang"]
    return None
