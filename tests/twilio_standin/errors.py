"""Twilio-shaped API errors raised inside the stand-in and rendered as JSON."""

from __future__ import annotations

from typing import Any

# Error codes from Twilio's error dictionary (https://www.twilio.com/docs/errors/<code>).
UNKNOWN_PARAMETERS = 20001
AUTHENTICATE = 20003
NOT_FOUND = 20404
INTERNAL_ERROR = 20500
BAD_REQUEST = 400
CALL_MISSING_TO = 21201
CALL_INVALID_URL = 21205
CALL_INVALID_METHOD = 21209
CALL_UNVERIFIED_FROM = 21210
CALL_INVALID_TO = 21211
CALL_MISSING_FROM = 21213
CALL_NOT_IN_PROGRESS = 21220
NUMBER_INVALID_URL = 21402
NUMBER_INVALID_METHOD = 21403


class TwilioApiError(Exception):
    """An error response: HTTP status plus Twilio error code and message."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        """The JSON body real Twilio sends for an error."""
        return {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }


def authenticate_error() -> TwilioApiError:
    """401 for missing or wrong credentials."""
    return TwilioApiError(401, AUTHENTICATE, "Authenticate")


def not_found(path: str) -> TwilioApiError:
    """404 for an unknown resource or route."""
    return TwilioApiError(404, NOT_FOUND, f"The requested resource {path} was not found")


def bad_request(code: int, message: str) -> TwilioApiError:
    """400 for a request the contract or business rules reject."""
    return TwilioApiError(400, code, message)
