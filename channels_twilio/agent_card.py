"""The Twilio part of the agent page's Communication channels card: its inline and its form.

The card's template and picker script stay agents' (templates/admin/agents/channels_card.html,
agents/static/agents/channel_picker.js): they are the card every channel shares.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from agents.models import Agent
from agents.state_badge import badge

from .models import ChannelAttachment, TwilioConnection

DEMO_NOTE = "Made-up number, not registered with Twilio: calls work through Test call."


def inbound_conflict_message(connection: TwilioConnection, other_agent_name: str) -> str:
    return (
        f"{connection.phone_number} ({connection.name}) already answers inbound calls for agent "
        f"“{other_agent_name}”. One agent handles inbound calls per connection: create a separate "
        "connection with its own phone number for this agent, or turn Inbound off here."
    )


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = ChannelAttachment
        fields = ["connection", "inbound"]

    def clean(self):
        data = super().clean()
        connection, inbound = data.get("connection"), data.get("inbound")
        if connection and inbound:
            taken = (
                ChannelAttachment.objects.filter(connection=connection, inbound=True)
                .exclude(agent_id=self.instance.agent_id)
                .select_related("agent")
                .first()
            )
            if taken:
                raise ValidationError(inbound_conflict_message(connection, taken.agent.name))
        return data


class AttachmentInline(admin.TabularInline):
    """The agent's Twilio lines in the Communication channels card: connection, Inbound, line state."""

    model = ChannelAttachment
    form = AttachmentForm
    extra = 0
    verbose_name = "Twilio connection"
    verbose_name_plural = "Communication channels"
    fields = ["channel", "connection", "inbound", "live_state"]
    readonly_fields = ["channel", "live_state"]
    autocomplete_fields = []
    template = "admin/agents/channels_card.html"

    class Media:
        js = ["agents/channel_picker.js"]

    @admin.display(description="Channel")
    def channel(self, obj):
        return "Twilio"

    @admin.display(description="State")
    def live_state(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        parts = [badge(obj.line_state, obj.get_line_state_display())]
        if obj.line_state == ChannelAttachment.LineState.LIVE and obj.webhook_url:
            parts.append(format_html(' <code class="webhook-url">{}</code>', obj.webhook_url))
        if obj.line_state == ChannelAttachment.LineState.LIVE and not obj.inbound:
            parts.append(format_html(" {}", "outbound only"))
        if obj.line_state == ChannelAttachment.LineState.DEMO:
            parts.append(format_html(' <span class="demo-note">{}</span>', DEMO_NOTE))
        if obj.line_state == ChannelAttachment.LineState.ERROR and obj.last_error:
            parts.append(format_html(' <span class="errornote attachment-error">{}</span>', obj.last_error))
        if obj.agent.state != Agent.State.STOPPED and obj.restart_needed:
            parts.append(format_html(" {}", badge("starting", "restart needed")))
        return format_html("{}" * len(parts), *parts)

    @staticmethod
    def detached_message(attachment: ChannelAttachment) -> str:
        return (
            f"Detached {attachment.connection.name} ({attachment.connection.phone_number}): "
            "the number is offline for this agent."
        )
