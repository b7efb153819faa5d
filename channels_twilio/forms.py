"""The Settings > Channels form ("New connector" / Details) for a Twilio connection."""

from django import forms

from flametree_portal.secret_input import bind_masked_secret, cleaned_secret

from .models import TwilioConnection


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
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "account_sid": forms.TextInput(attrs={"placeholder": "AC…", "autocomplete": "off", "size": 40}),
            "phone_number": forms.TextInput(attrs={"placeholder": "+14155550123"}),
            "voice_model": forms.TextInput(attrs={"placeholder": "Polly.Salli"}),
            "speech_model": forms.TextInput(attrs={"placeholder": "googlev2_telephony"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bind_masked_secret(self, "auth_token")
        self.fields["region"].choices = [("", "Twilio default (us1)"), *list(self.fields["region"].choices)[1:]]
        self.fields["edge"].choices = [("", "Twilio default (ashburn)"), *list(self.fields["edge"].choices)[1:]]

    def clean_auth_token(self) -> str:
        return cleaned_secret(self, "auth_token")
