"""The Settings > Channels form ("New connector" / Details) for a Twilio connection."""

from django import forms

from flametree_portal.secret_input import bind_masked_secret, cleaned_secret

from . import speech_models, validators, voices
from .connection_check import check_with_twilio
from .models import TwilioConnection
from .suggestion_input import SuggestionInput
from .twilio_rest import TwilioAccess

# What Save's check with Twilio reads; it runs only when all of them passed their own checks.
CHECKED_FIELDS = ("account_sid", "auth_token", "phone_number", "region", "edge")


def _voice_suggestions() -> list[tuple[str, str]]:
    return [(voice.name, voice.label) for voice in voices.listed().values()]


def _speech_model_suggestions() -> list[tuple[str, str]]:
    return list(speech_models.DESCRIPTIONS.items())


class TwilioConnectionForm(forms.ModelForm):
    class Meta:
        model = TwilioConnection
        fields = [
            "name",
            "description",
            "account_sid",
            "auth_token",
            "phone_number",
            "voice_model",
            "speech_model",
            "region",
            "edge",
            "us1_auth_token",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "account_sid": forms.TextInput(attrs={"placeholder": "AC…", "autocomplete": "off", "size": 40}),
            "phone_number": forms.TextInput(attrs={"placeholder": "+14155550123"}),
            "voice_model": SuggestionInput(_voice_suggestions, attrs={"placeholder": "Polly.Salli", "size": 40}),
            "speech_model": SuggestionInput(_speech_model_suggestions, attrs={"placeholder": "googlev2_telephony"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.twilio_warning = ""  # set by clean() when Twilio could not be asked; the admin shows it
        bind_masked_secret(self, "auth_token")
        bind_masked_secret(self, "us1_auth_token")
        # The format check implies the length and shows the expected form; a generic "at most
        # 16 characters" would pre-empt it, and the maxlength attribute would cut a pasted
        # "+44 (20) 7946-0958" short before the administrator sees what is wrong.
        for name, validate in [
            ("account_sid", validators.validate_account_sid),
            ("phone_number", validators.validate_e164),
        ]:
            self.fields[name].max_length = None
            self.fields[name].validators = [validate]
            self.fields[name].widget.attrs.pop("maxlength", None)
        self.fields["region"].choices = [("", "Twilio default (us1)"), *list(self.fields["region"].choices)[1:]]
        self.fields["edge"].choices = [
            ("", "The Region's own edge (ashburn for us1)"),
            *list(self.fields["edge"].choices)[1:],
        ]

    def clean_voice_model(self) -> str:
        return voices.as_twilio_spells_it(self.cleaned_data["voice_model"].strip())

    def clean_auth_token(self) -> str:
        return cleaned_secret(self, "auth_token")

    def clean_us1_auth_token(self) -> str:
        return cleaned_secret(self, "us1_auth_token")

    def clean(self):
        data = super().clean()
        if self.instance.demo or any(name in self.errors or name not in data for name in CHECKED_FIELDS):
            return data  # a demo line's credentials are made up; a field already wrong is said first
        access = TwilioAccess(data["account_sid"], data["auth_token"], data["region"], data["edge"])
        checked = check_with_twilio(access, data["phone_number"])
        for name, message in checked.errors.items():
            self.add_error(name, message)
        self.twilio_warning = checked.warning
        return data
