"""Settings > Channels: the Twilio connections, as an administrator sees them."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.dateformat import format as date_format
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.timezone import template_localtime
from django.views.decorators.debug import sensitive_post_parameters

from .forms import TwilioConnectionForm
from .models import TwilioConnection

CHANNEL_KINDS = [
    {"name": "Twilio", "description": "Voice calls on a Twilio phone number", "active": True},
]


@admin.register(TwilioConnection)
class TwilioConnectionAdmin(admin.ModelAdmin):
    form = TwilioConnectionForm
    list_display = ["name", "phone_number", "region_and_edge", "agents_using", "auth_token_masked", "updated"]
    list_display_links = ["name"]
    search_fields = ["name", "description", "phone_number", "account_sid"]
    list_filter = ["region"]
    change_list_template = "admin/channels_twilio/channels.html"
    change_form_template = "admin/channels_twilio/connection_form.html"
    delete_confirmation_template = "admin/channels_twilio/delete_integration.html"
    fieldsets = [
        (None, {"fields": ["name", "description"]}),
        (
            "Twilio account",
            {
                "fields": ["account_sid", "auth_token", "phone_number"],
                "description": "Save checks them with Twilio: the Account SID and Auth Token must be accepted, and "
                "the number must be in that account with Voice capability.",
            },
        ),
        ("Voice", {"fields": ["voice_model", "speech_model"]}),
        (
            "Region and Edge",
            {
                "fields": ["region", "edge", "us1_auth_token"],
                "description": "Optional. Left empty, Twilio uses us1 / ashburn. Pick the region and "
                "edge closest to this portal to reduce call latency. Outside us1, the Auth Token above "
                "must be that region's, and the US1 Auth Token lets Start route the number's calls there.",
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(agent_count=Count("attachments"))

    @admin.display(description="Region / edge")
    def region_and_edge(self, obj):
        if not obj.region and not obj.edge:
            return "default"
        return " / ".join(part for part in [obj.region or "us1", obj.edge] if part)

    @admin.display(description="Agents using it", ordering="agent_count")
    def agents_using(self, obj):
        attachments = obj.attachments.select_related("agent")
        if not attachments:
            return "—"
        return format_html_join(
            ", ",
            "{}{}",
            ((a.agent.name, " (inbound)" if a.inbound else "") for a in attachments),
        )

    @admin.display(description="Updated", ordering="updated_at")
    def updated(self, obj):
        # Short enough for the list to fit 1366 px beside the filter panel.
        return date_format(template_localtime(obj.updated_at), "Y-m-d H:i")

    @admin.display(description="Auth Token")
    def auth_token_masked(self, obj):
        return format_html("<code>{}</code>", obj.masked_auth_token)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.twilio_warning:
            messages.warning(request, form.twilio_warning)

    @method_decorator(sensitive_post_parameters("auth_token", "us1_auth_token"))
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "channel_kinds": CHANNEL_KINDS, "title": "Channels"}
        return super().changelist_view(request, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), **self._channel_list(request), "title": "New connector · Twilio"}
        return super().add_view(request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), **self._channel_list(request), "title": "Details"}
        return super().change_view(request, object_id, form_url, extra_context)

    def _channel_list(self, request) -> dict:
        """The channel list shown left of the New connector form and the Details panel (no secrets read)."""
        connections = self.get_queryset(request).only("pk", "name", "phone_number").order_by("name", "pk")
        return {"channel_kinds": CHANNEL_KINDS, "channel_connections": connections}

    def delete_view(self, request, object_id, extra_context=None):
        connection = self.get_object(request, object_id)
        agents = [a.agent for a in connection.attachments.select_related("agent")] if connection else []
        extra_context = {**(extra_context or {}), "title": "Delete the integration?", "affected_agents": agents}
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        # Deleting goes through the object's own page, which warns which agents go offline.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
