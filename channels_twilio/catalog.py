"""What Twilio accepts: regions, edges, text-to-speech voices and speech recognition models.

Sources: Twilio's docs on Global Infrastructure (regions/edges), <Say> voices (the list is
data, see voices.py) and <Gather speechModel>. The voice also fixes the recognition language,
so one setting, the Voice model, sets the conversation language.
"""

from . import voices

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


def voice_language(voice: str) -> str | None:
    """The language a Twilio voice speaks (BCP-47), or None when Twilio has no such voice."""
    return voices.language_of(voice)
