"""A local stand-in for Twilio's 2010-04-01 REST API and its Routes API (v2), for tests.

The real ``twilio`` library reaches it through an HTTPS forward proxy
(``HTTPS_PROXY``) and trusts its throwaway CA (``REQUESTS_CA_BUNDLE``); see
``TwilioStandIn.env``.  Requests are checked against Twilio's OpenAPI spec in
``tests/contracts/twilio-oai/``.  Regions are modelled (per-region Auth Tokens, number
records and calls; see ``regions.py``).
"""

from .contract import ContractDrift
from .resources import new_sid
from .standin import TwilioStandIn
from .store import RecordedRequest

__all__ = ["ContractDrift", "RecordedRequest", "TwilioStandIn", "new_sid"]
