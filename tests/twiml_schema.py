"""Validates TwiML against Twilio's XML schema (channels_twilio/twiml_xsd, the simulator's copy)."""

from lxml import etree

from channels_twilio.simulator.twiml_schema import schema_errors, twiml_schema

__all__ = ["assert_valid_twiml", "twiml_schema"]


def assert_valid_twiml(body: bytes) -> etree._Element:
    """Parse `body`, assert Twilio's schema accepts it, return the root <Response>."""
    root = etree.fromstring(body)
    errors = schema_errors(root)
    assert not errors, f"TwiML rejected by Twilio's schema: {errors}\n{body.decode()}"
    return root
