"""Drives a call through our webhooks with the Django test client, signed like Twilio.

It follows the TwiML it gets back (the Gather's action and partialResultCallback URLs),
and validates every document against Twilio's schema.
"""

import secrets
from urllib.parse import urlencode

from channels_twilio import webhook_urls
from tests.twiml_schema import assert_valid_twiml


class CallDriver:
    def __init__(self, signed_post, connection, *, call_sid=None, caller="+15005550006", token=None):
        self.post = signed_post
        self.connection = connection
        self.token = token or connection.auth_token
        self.call_sid = call_sid or "CA" + secrets.token_hex(16)
        self.caller = caller
        self.twiml = None  # the last TwiML document, parsed

    def params(self, **extra) -> dict:
        return {
            "CallSid": self.call_sid,
            "AccountSid": self.connection.account_sid,
            "From": self.caller,
            "To": self.connection.phone_number,
            "Direction": "inbound",
            "CallStatus": "in-progress",
            **extra,
        }

    def _twiml(self, response):
        assert response.status_code == 200, (response.status_code, response.content[:500])
        assert response["Content-Type"].startswith("text/xml")
        self.twiml = assert_valid_twiml(response.content)
        return self.twiml

    def dial(self, url=None):
        """Twilio's first request for the call."""
        url = url or webhook_urls.voice_url(self.connection.webhook_key)
        return self._twiml(self.post(url, self.params(CallStatus="ringing"), self.token))

    @property
    def gather(self):
        gather = self.twiml.find("Gather")
        assert gather is not None, "the agent is not listening"
        return gather

    def speak(self, text: str, partials: bool = True):
        """The caller says `text`: partial results word by word, then the final result."""
        gather = self.gather
        if partials:
            words = text.split()
            for n in range(1, len(words) + 1):
                params = self.params(
                    UnstableSpeechResult=" ".join(words[:n]), StableSpeechResult="", SequenceNumber=str(n)
                )
                response = self.post(gather.get("partialResultCallback"), params, self.token)
                assert response.status_code == 204
        return self._twiml(
            self.post(gather.get("action"), self.params(SpeechResult=text, Confidence="0.9"), self.token)
        )

    def stay_silent(self):
        return self._twiml(self.post(self.gather.get("action"), self.params(), self.token))

    def status(self, status: str, url=None):
        url = url or webhook_urls.status_url(self.connection.webhook_key)
        response = self.post(url, self.params(CallStatus=status, CallDuration="42"), self.token)
        assert response.status_code == 204, response.status_code
        return response

    def said(self) -> list[str]:
        """The text of every <Say> in the last TwiML, in order."""
        return [say.text or "" for say in self.twiml.iter("Say")]

    def verbs(self) -> list[str]:
        return [element.tag for element in self.twiml.iter() if element.tag != "Response"]


def with_query(url: str, **params) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)
