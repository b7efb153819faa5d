"""The agent page's form (its channels' cards bring their own forms)."""

from django import forms

from flametree_portal.secret_input import bind_masked_secret, cleaned_secret

from . import spoken_lines
from .models import Agent

# The form field of each built-in line the agent may word its own way.
SPOKEN_LINE_FIELDS = {f"line_{name}": name for name in spoken_lines.LINES}


def spoken_line_field(name: str) -> forms.CharField:
    """An optional text box for the agent's wording of a built-in line; the built-in line greyed in it."""
    line = spoken_lines.LINES[name]
    return forms.CharField(
        label=line.label,
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80, "placeholder": spoken_lines.default(name)}),
        help_text=f"{line.when} Empty: the built-in line, in the language of the connection's voice.",
    )


class AgentForm(forms.ModelForm):
    llm_base_url = forms.URLField(
        label="LLM base URL",
        required=False,
        assume_scheme="https",
        help_text=Agent._meta.get_field("llm_base_url").help_text,
    )
    line_reprompt = spoken_line_field("reprompt")
    line_filler = spoken_line_field("filler")
    line_silence_goodbye = spoken_line_field("silence_goodbye")
    line_offline_apology = spoken_line_field("offline_apology")

    class Meta:
        model = Agent
        fields = [
            "name",
            "greeting",
            "max_opened_sessions",
            "engine",
            "fallback_line",
            "error_line",
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
            "error_line": forms.Textarea(attrs={"rows": 2, "cols": 80}),
            "goodbye_line": forms.Textarea(attrs={"rows": 2, "cols": 80}),
            "goodbye_phrases": forms.TextInput(attrs={"size": 80}),
            "llm_system_prompt": forms.Textarea(attrs={"rows": 4, "cols": 80}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "llm_api_key" in self.fields:
            bind_masked_secret(self, "llm_api_key")
            self.fields["llm_api_key"].required = False
        overrides = self.instance.spoken_line_overrides or {}
        for field, name in SPOKEN_LINE_FIELDS.items():
            self.initial.setdefault(field, overrides.get(name, ""))

    def clean_llm_api_key(self) -> str:
        return cleaned_secret(self, "llm_api_key")

    def clean(self):
        data = super().clean()
        if data.get("engine") == Agent.Engine.LLM:
            for field in ("llm_base_url", "llm_model"):
                if not data.get(field):
                    self.add_error(field, "Required for the LLM engine.")
        return data

    def save(self, commit: bool = True) -> Agent:
        # Only the lines this form shows change: a page without them keeps the agent's wording.
        overrides = dict(self.instance.spoken_line_overrides or {})
        for field, name in SPOKEN_LINE_FIELDS.items():
            if field in self.fields:
                if text := self.cleaned_data.get(field, ""):
                    overrides[name] = text
                else:
                    overrides.pop(name, None)
        self.instance.spoken_line_overrides = overrides
        return super().save(commit)
