"""Save's check of a connection with Twilio: the credentials authenticate, the number is in the account and takes calls.

Twilio's answer to a wrong token or number becomes an error on the form's field, so the
administrator learns of it at Save rather than at the next Start. When Twilio cannot be asked
(unreachable, unavailable), the connection is saved with a warning: Start agent checks again.
"""

from dataclasses import dataclass, field

from . import twilio_rest
from .twilio_rest import TwilioAccess, TwilioError


@dataclass(frozen=True)
class ConnectionCheck:
    """What Twilio said: errors by form field (Twilio answered: wrong), or a warning (Twilio could not say)."""

    errors: dict[str, str] = field(default_factory=dict)
    warning: str = ""


def check_with_twilio(access: TwilioAccess, phone_number: str) -> ConnectionCheck:
    """Ask Twilio, in the connection's region, for `phone_number` in the account of `access`."""
    try:
        number = twilio_rest.find_number(access, phone_number)
    except TwilioError as err:
        if err.code == twilio_rest.AUTH_FAILED:
            return ConnectionCheck(errors={"auth_token": err.message})
        if err.code == twilio_rest.NOT_FOUND:
            return ConnectionCheck(errors={"phone_number": err.message})
        # Unreachable, unavailable, or a refusal that says nothing about this form's fields.
        return ConnectionCheck(
            warning=f"Saved without checking with Twilio: {err.message} Start agent checks the connection again."
        )
    if not number.voice_capable:
        return ConnectionCheck(
            errors={
                "phone_number": f"{phone_number} cannot take calls: Twilio lists it without voice capability "
                "(a messaging-only number). Enter a number of this account with Voice capability."
            }
        )
    return ConnectionCheck()
