"""What Start agent changes in Twilio for an inbound line, step by step, logged for the admin.

1. Find the number in the account, in the connection's region (each region keeps its own copy
   of every number's configuration), and refuse a number that cannot take calls.
2. Write our webhooks into that region's copy.
3. Make that region process the number's incoming calls (its inbound processing region, set
   through Twilio's Routes API in US1), or say precisely why not and what to do.

Every step is safe to repeat, so a retried task simply runs them again.
"""

from agents import agent_log

from . import twilio_rest, webhook_urls
from .twilio_rest import NumberConfig, TwilioAccess, TwilioError


def take_over(agent_id: int, access: TwilioAccess, phone_number: str, key) -> str | None:
    """Point `phone_number` at the webhooks of connection `key`; raises TwilioError.

    Returns a warning when the line works only if the number's routing already is right.
    """
    region = access.region_code.upper()
    number = twilio_rest.find_number(access, phone_number)
    if not number.voice_capable:
        raise TwilioError(
            f"{phone_number} cannot take calls: Twilio lists it without voice capability (a "
            "messaging-only number). Use a number with Voice capability (Twilio Console, Phone "
            "Numbers > Manage > Buy a number, Voice ticked), enter it in the connection, click "
            "Save, and restart the agent."
        )
    agent_log.info(agent_id, _previous_config_line(number, region))
    twilio_rest.point_number_at(
        access,
        number.sid,
        voice_url=webhook_urls.voice_url(key),
        fallback_url=webhook_urls.fallback_url(key),
        status_callback=webhook_urls.status_url(key),
    )
    return _route_calls_to_region(agent_id, access, phone_number)


def _route_calls_to_region(agent_id: int, access: TwilioAccess, phone_number: str) -> str | None:
    region = access.region_code.upper()
    if not access.routing_token:
        return (
            f"The webhook of {phone_number} is set in region {region}, but the connection has no US1 "
            f"Auth Token, so Start could not make region {region} process the number's calls. Twilio "
            "processes them in the number's inbound processing region (the region it is routed to): "
            f"they reach this agent only if that is {region}. To fix it, paste the account's US1 Auth "
            "Token into the connection's US1 Auth Token (Twilio Console, Account menu > API keys & "
            "tokens, pick region US1, copy the Auth Token shown there), click Save and restart the "
            f"agent; or set the number's routing to {region} yourself in the Twilio Console."
        )
    current = twilio_rest.inbound_region(access, phone_number)
    if current == access.region_code:
        agent_log.info(agent_id, f"Twilio processes calls to {phone_number} in region {region}, as configured.")
        return None
    twilio_rest.set_inbound_region(access, phone_number, access.region_code)
    agent_log.info(
        agent_id,
        f"Calls to {phone_number} were processed in region {current.upper()}; Start moved them to region "
        f"{region} (the number's inbound processing region). Twilio applies this within 5 minutes.",
    )
    return None


def _previous_config_line(number: NumberConfig, region: str) -> str:
    fields = {
        "VoiceUrl": number.voice_url,
        "VoiceMethod": number.voice_method,
        "VoiceFallbackUrl": number.voice_fallback_url,
        "StatusCallback": number.status_callback,
        "VoiceApplicationSid": number.voice_application_sid,
        "TrunkSid": number.trunk_sid,
    }
    shown = ", ".join(f"{name}={value or '(empty)'}" for name, value in fields.items())
    return (
        f"Taking over {number.phone_number} ({number.sid}) in region {region}. "
        f"Its previous voice configuration there was: {shown}"
    )
