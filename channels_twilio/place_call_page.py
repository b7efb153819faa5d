"""The agent page's "Place a call": the same request as the REST API, from a form."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse

from agents.models import Agent

from . import outbound
from .call_outcome import outcome
from .models import TwilioConnection
from .validators import validate_e164


class PlaceCallForm(forms.Form):
    to = forms.CharField(
        label="Number to call",
        max_length=32,
        validators=[validate_e164],
        help_text="In E.164 format, for example +14155550123.",
        widget=forms.TextInput(attrs={"placeholder": "+14155550123", "autofocus": True}),
    )
    connection = forms.ModelChoiceField(
        label="Call from",
        queryset=TwilioConnection.objects.none(),
        empty_label=None,
        help_text="The Twilio connection whose number is the caller ID.",
    )

    def __init__(self, *args, agent: Agent, **kwargs):
        super().__init__(*args, **kwargs)
        connections = TwilioConnection.objects.filter(attachments__agent=agent).order_by("name")
        if connections.count() > 1:
            self.fields["connection"].queryset = connections
        else:  # one connection (or none, which the request refuses with its reason): nothing to choose
            del self.fields["connection"]


def place_call_page(model_admin, request, agent_id: int) -> TemplateResponse:
    agent = get_object_or_404(Agent, pk=agent_id)
    if not model_admin.has_change_permission(request, agent):
        raise PermissionDenied
    form = PlaceCallForm(request.POST if request.method == "POST" else None, agent=agent)
    if form.is_valid():
        connection = form.cleaned_data.get("connection")
        to = form.cleaned_data["to"]
        try:
            session = outbound.request_call(agent.id, to, connection.id if connection else None)
        except outbound.CallRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            result = outcome(session.id)
            if result.ended:
                messages.error(
                    request, f"The call to {to} from {session.from_number} did not go through. {result.detail}"
                )
            else:
                messages.success(request, f"Calling {to} from {session.from_number}: session {session.id} is dialing.")
            return redirect(_session_page(session) or reverse("admin:agents_agent_change", args=[agent.id]))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Place a call · {agent.name}",
        "agent": agent,
        "opts": model_admin.model._meta,
        "form": form,
    }
    return TemplateResponse(request, "admin/channels_twilio/place_call.html", context)


def _session_page(session) -> str | None:
    try:
        return reverse("admin:sessions_app_session_change", args=[session.pk])
    except NoReverseMatch:  # Sessions has no admin page in this deployment
        return None
