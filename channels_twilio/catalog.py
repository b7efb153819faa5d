"""What Twilio accepts: regions, edges, text-to-speech voices and speech recognition models.

Sources: Twilio's docs on Global Infrastructure (regions/edges), <Say> voices (the list is
data, see voices.py) and <Gather speechModel>. The voice also fixes the recognition language,
so one setting, the Voice model, sets the conversation language.
"""

from . import voices

DEFAULT_VOICE = "Polly.Salli"
DEFAULT_SPEECH_MODEL = "googlev2_telephony"

# The regions where Twilio processes and stores data. us2, de1, jp1, sg1 and br1 were only ever
# edge names: api.de1.twilio.com and the like processed everything in US1 and are retired
# (https://www.twilio.com/docs/global-infrastructure/api-domain-migration-guide).
REGIONS = {
    "us1": "United States (us1, default)",
    "ie1": "Ireland (ie1)",
    "au1": "Australia (au1)",
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

# The edge of each region: an empty Edge means this one. Twilio no longer serves a region
# without an edge in the host name ({product}.{region}.twilio.com), so we always name one.
EDGE_OF_REGION = {
    "us1": "ashburn",
    "ie1": "dublin",
    "au1": "sydney",
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
