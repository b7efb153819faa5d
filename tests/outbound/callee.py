"""Twilio's side of an outbound call the stand-in recorded: its webhooks, signed like Twilio."""

from tests.call_driver import CallDriver


def dial_requests(standin) -> list:
    """Every calls.create request the stand-in received (accepted or refused)."""
    return [r for r in standin.requests if r.method == "POST" and r.path.endswith("/Calls.json")]


class OutboundCall(CallDriver):
    """Posts to the Url and StatusCallback our task gave Twilio, with Twilio's outbound-api parameters."""

    def __init__(self, signed_post, connection, created: dict):
        super().__init__(signed_post, connection, call_sid=created["sid"])
        self.callee = created["To"]
        self.answer_url = created["Url"]
        self.status_url = created["StatusCallback"]

    def params(self, **extra) -> dict:
        return {
            "CallSid": self.call_sid,
            "AccountSid": self.connection.account_sid,
            "From": self.connection.phone_number,
            "To": self.callee,
            "Direction": "outbound-api",
            "CallStatus": "in-progress",
            **extra,
        }

    def answer(self):
        """The callee picked up: Twilio fetches the call's TwiML."""
        return self._twiml(self.post(self.answer_url, self.params(CallStatus="in-progress"), self.token))

    def status(self, status: str, url=None):
        return super().status(status, url=url or self.status_url)
