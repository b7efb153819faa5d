"""X-Twilio-Signature: the DRF permission every webhook view checks first."""

from django.conf import settings
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.permissions import BasePermission
from twilio.request_validator import RequestValidator


def signed_url(request) -> str:
    """The URL Twilio called: the public base URL (not what a proxy forwarded) + path + query."""
    return settings.PUBLIC_BASE_URL + request.get_full_path()


def is_signed_by_twilio(request, tokens: list[str]) -> bool:
    signature = request.META.get("HTTP_X_TWILIO_SIGNATURE", "")
    if not signature:
        return False
    try:
        params = request.POST
    except (ParseError, UnsupportedMediaType):
        return False  # Twilio always sends a form; anything else is not Twilio
    url = signed_url(request)
    return any(RequestValidator(token).validate(url, params, signature) for token in tokens)


class SignedByTwilio(BasePermission):
    """Allows a request only with a valid signature for the call's connection.

    A request for an unknown connection key carries nothing to check and gets nothing but
    an apology: the view writes nothing for it.
    """

    message = "Invalid or missing X-Twilio-Signature."

    def has_permission(self, request, view) -> bool:
        ctx = view.call_context
        if ctx.connection is None:
            return True
        return is_signed_by_twilio(request, ctx.tokens)
