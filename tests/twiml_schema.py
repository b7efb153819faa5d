"""Validates TwiML against Twilio's XML schema (tests/contracts/twiml-xsd, copied from shared/)."""

from functools import lru_cache
from pathlib import Path

from lxml import etree

XSD_DIR = Path(__file__).parent / "contracts" / "twiml-xsd"


class _OfflineXmlNamespace(etree.Resolver):
    # The SSML schema imports the W3C xml.xsd, which cannot be fetched offline.
    def resolve(self, url, pubid, context):
        if url.endswith("/2001/xml.xsd"):
            return self.resolve_filename(str(XSD_DIR / "xml-namespace-min.xsd"), context)
        return None


@lru_cache(maxsize=1)
def twiml_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_OfflineXmlNamespace())
    doc = etree.parse(str(XSD_DIR / "twiml_v20100401_twilioRealtimeCallSchema.xsd"), parser)
    return etree.XMLSchema(doc)


def assert_valid_twiml(body: bytes) -> etree._Element:
    """Parse `body`, assert Twilio's schema accepts it, return the root <Response>."""
    root = etree.fromstring(body)
    schema = twiml_schema()
    assert schema.validate(root), f"TwiML rejected by Twilio's schema: {schema.error_log}\n{body.decode()}"
    return root
