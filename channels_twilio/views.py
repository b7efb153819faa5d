"""Twilio's webhooks: authenticate (signature), parse, call the call flow, answer TwiML.

Paths have no trailing slash and are exempt from the HTTPS redirect: Twilio never follows
a redirect on a webhook.
"""

import logging

from django.http import HttpResponse
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser
from rest_framework.views import APIView

from flametree_portal.db_reconnect import run_reconnecting

from . import call_context, call_flow, refusals, twiml, webhook_input
from .signature import SignedByTwilio

logger = logging.getLogger(__name__)


def twiml_response(response) -> HttpResponse:
    return HttpResponse(str(response).encode(), content_type="text/xml; charset=utf-8")


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
        refusals.note(self.call_context.connection, self.webhook_name, self.call_context.agent_id)
        raise PermissionDenied(SignedByTwilio.message)

    def handle_exception(self, exc):
        if isinstance(exc, webhook_input.InvalidWebhookInput):
            # Plain text: Twilio's debugger shows the body of a failed webhook request as is.
            connection_id = self.call_context.connection.pk if self.call_context.connection else None
            logger.warning("connection=%s %s webhook answered 400: %s", connection_id, self.webhook_name, exc)
            return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
        return super().handle_exception(exc)


class VoiceWebhook(TwilioWebhook):
    webhook_name = "voice"

    def post(self, request, key):
        call = webhook_input.call_fields(request, sid_required=True)
        if self.call_context.connection is None:
            return twiml_response(twiml.offline_apology())
        return twiml_response(call_flow.answer_call(self.call_context, call))


class FallbackWebhook(TwilioWebhook):
    """Twilio calls this when our voice webhook failed: apologise and hang up."""

    webhook_name = "voice fallback"

    def post(self, request, key):
        return twiml_response(call_flow.offline_apology(self.call_context))


class GatherWebhook(TwilioWebhook):
    webhook_name = "speech (Gather action)"

    def post(self, request, key):
        webhook_input.call_fields(request)
        speech, turn = webhook_input.final_speech(request), webhook_input.turn(request)
        if self.call_context.connection is None:
            return twiml_response(twiml.offline_apology())
        return twiml_response(call_flow.take_turn(self.call_context, speech, turn))


class ReplyWebhook(TwilioWebhook):
    """Where Twilio, redirected after a filler, picks up a reply that was not ready in time."""

    webhook_name = "reply pickup"

    def post(self, request, key):
        webhook_input.call_fields(request)
        turn, holds = webhook_input.turn(request), webhook_input.holds(request)
        if self.call_context.connection is None:
            return twiml_response(twiml.offline_apology())
        return twiml_response(call_flow.pick_up_reply(self.call_context, turn, holds))


class PartialSpeechWebhook(TwilioWebhook):
    webhook_name = "partial speech"

    def post(self, request, key):
        webhook_input.call_fields(request)
        partial, turn = webhook_input.partial_speech(request), webhook_input.turn(request)
        if self.call_context.connection is not None:
            call_flow.note_partial(self.call_context, partial, turn)
        return HttpResponse(status=204)


class StatusWebhook(TwilioWebhook):
    webhook_name = "call status"

    def post(self, request, key):
        call = webhook_input.call_fields(request, sid_required=True, status_required=True)
        if self.call_context.connection is not None:
            call_flow.note_status(self.call_context, call)
        return HttpResponse(status=204)
