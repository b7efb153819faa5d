"""A local stand-in for Twilio's 2010-04-01 REST API, for tests.

The real ``twilio`` library reaches it through an HTTPS forward proxy
(``HTTPS_PROXY``) and trusts its throwaway CA (``REQUESTS_CA_BUNDLE``); see
``TwilioStandIn.env``.  Requests are checked against Twilio's OpenAPI spec in
``tests/contracts/twilio-oai/``.
"""

from .contract import ContractDrift
from .resources import new_sid
from .standin import TwilioStandIn
from .store import RecordedRequest

__all__ = ["ContractDrift", "RecordedRequest", "TwilioStandIn", "new_sid"]
