"""Forms of the agent page: the agent itself and its Communication channels card."""

from django import forms
from django.core.exceptions import ValidationError

from flametree_portal.secret_input import bind_masked_secret, cleaned_secret

from .models import Agent, ChannelAttachment


class AgentForm(forms.ModelForm):
    llm_base_url = forms.URLField(
        label="LLM base URL",
        required=False,
        assume_scheme="https",
        help_text=Agent._meta.get_field("llm_base_url").help_text,
    )

    class Meta:
        model = Agent
        fields = [
            "name",
            "greeting",
            "max_opened_sessions",
            "engine",
            "fallback_line",
            "goodbye_line",
            "goodbye_phrases",
            "llm_base_url",
            "llm_api_key",
            "llm_model",
            "llm_system_prompt",
            "llm_timeout_seconds",
        ]
        widgets = {
            "greeting": forms.Textarea(attrs={"rows": 2, "cols": 80}),
            "fallback_line": forms.Textarea(attrs={"rows": 2, "cols": 80}),
            "goodbye_line": forms.Textarea(attrs={"rows": 2, "cols": 80}),
            "goodbye_phrases": forms.TextInput(attrs={"size": 80}),
            "llm_system_prompt": forms.Textarea(attrs={"rows": 4, "cols": 80}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "llm_api_key" in self.fields:
            bind_masked_secret(self, "llm_api_key")
            self.fields["llm_api_key"].required = False

    def clean_llm_api_key(self) -> str:
        return cleaned_secret(self, "llm_api_key")

    def clean(self):
        data = super().clean()
        if data.get("engine") == Agent.Engine.LLM:
            for field in ("llm_base_url", "llm_model"):
                if not data.get(field):
                    self.add_error(field, "Required for the LLM engine.")
        return data


def inbound_conflict_message(connection, other_agent_name: str) -> str:
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
