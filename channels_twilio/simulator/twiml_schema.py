"""Twilio's TwiML XML schema (channels_twilio/twiml_xsd), loaded once, offline."""

import threading
from functools import lru_cache
from pathlib import Path

from lxml import etree

XSD_DIR = Path(__file__).resolve().parent.parent / "twiml_xsd"
SCHEMA_FILE = XSD_DIR / "twiml_v20100401_twilioRealtimeCallSchema.xsd"

# An XMLSchema object keeps its error log on itself, so one validation runs at a time.
_validating = threading.Lock()


class _OfflineXmlNamespace(etree.Resolver):
    # The SSML schema imports the W3C xml.xsd, which cannot be fetched offline.
    def resolve(self, url, pubid, context):
        if url.endswith("/2001/xml.xsd"):
            return self.resolve_filename(str(XSD_DIR / "xml-namespace-min.xsd"), context)
        return None


@lru_cache(maxsize=1)
def twiml_schema() -> etree.XMLSchema:
    """The compiled schema (compiling takes tens of milliseconds, so it is done once)."""
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_OfflineXmlNamespace())
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE), parser))


def schema_errors(root: etree._Element) -> list[str]:
    """Why Twilio's schema rejects the document (empty when it accepts it)."""
    schema = twiml_schema()
    with _validating:
        try:
            if schema.validate(root):
                return []
        except etree.XMLSchemaValidateError as err:  # e.g. an entity left unexpanded (we never expand them)
            return [f"the document cannot be validated ({err})"]
        return [f"line {error.line}: {error.message}" for error in schema.error_log]
