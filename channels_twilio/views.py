"""Twilio's webhooks: authenticate (signature), parse, call the call flow, answer TwiML.

Paths have no trailing slash and are exempt from the HTTPS redirect: Twilio never follows
a redirect on a webhook.
"""

from django.http import HttpResponse
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser
from rest_framework.views import APIView

from flametree_portal.db_reconnect import run_reconnecting

from . import call_context, call_flow, refusals, twiml
from .signature import SignedByTwilio


def twiml_response(response) -> HttpResponse:
    return HttpResponse(str(response).encode(), content_type="text/xml; charset=utf-8")


def _turn(request) -> int:
    try:
        return max(1, int(request.query_params.get("turn", "1")))
    except ValueError:
        return 1


def _holds(request) -> int:
    """How many times the caller was put on hold for this reply (the reply URL's `wait`)."""
    try:
        return max(1, int(request.query_params.get("wait", "1")))
    except ValueError:
        return 1


class TwilioWebhook(APIView):
    """Shared work of every Twilio webhook: context, signature, form parsing, no CSRF/auth."""

    authentication_classes = ()
    permission_classes = (SignedByTwilio,)
    parser_classes = (FormParser,)
    throttle_classes = ()
    http_method_names = ["post"]
    schema = None  # Twilio's webhooks are not part of the REST API's OpenAPI schema
    webhook_name = "webhook"

    def dispatch(self, request, *args, **kwargs):
        # A database restart must not cost Twilio's request (a lost status callback leaves a call open).
        return run_reconnecting(super().dispatch, request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        self.call_context = call_context.resolve(kwargs["key"], request.query_params.get("session"))
        super().initial(request, *args, **kwargs)

    def permission_denied(self, request, message=None, code=None):
        agent_id = self.call_context.agent_id
        if agent_id is None and self.call_context.connection is not None:
            attachment = self.call_context.connection.attachments.first()
            agent_id = attachment.agent_id if attachment else None
        refusals.note(self.call_context.connection, self.webhook_name, agent_id)
        raise PermissionDenied(SignedByTwilio.message)


class VoiceWebhook(TwilioWebhook):
    webhook_name = "voice"

    def post(self, request, key):
        if self.call_context.connection is None:
            return twiml_response(twiml.offline_apology())
        return twiml_response(call_flow.answer_call(self.call_context, request.POST))


class FallbackWebhook(TwilioWebhook):
    """Twilio calls this when our voice webhook failed: apologise and hang up."""

    webhook_name = "voice fallback"

    def post(self, request, key):
        return twiml_response(call_flow.offline_apology(self.call_context))


class GatherWebhook(TwilioWebhook):
    webhook_name = "speech (Gather action)"

    def post(self, request, key):
        if self.call_context.connection is None:
            return twiml_response(twiml.offline_apology())
        return twiml_response(call_flow.take_turn(self.call_context, request.POST, _turn(request)))


class ReplyWebhook(TwilioWebhook):
    """Where Twilio, redirected after a filler, picks up a reply that was not ready in time."""

    webhook_name = "reply pickup"

    def post(self, request, key):
        if self.call_context.connection is None:
            return twiml_response(twiml.offline_apology())
        return twiml_response(call_flow.pick_up_reply(self.call_context, _turn(request), _holds(request)))


class PartialSpeechWebhook(TwilioWebhook):
    webhook_name = "partial speech"

    def post(self, request, key):
        if self.call_context.connection is not None:
            call_flow.note_partial(self.call_context, request.POST, _turn(request))
        return HttpResponse(status=204)


class StatusWebhook(TwilioWebhook):
    webhook_name = "call status"

    def post(self, request, key):
        if self.call_context.connection is not None:
            call_flow.note_status(self.call_context, request.POST)
        return HttpResponse(status=204)
