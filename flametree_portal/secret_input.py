"""A form input for a stored secret: shows only its mask, keeps it when the mask comes back."""

from django import forms

from .masking import mask_secret


class MaskedSecretInput(forms.TextInput):
    """Renders the stored secret's mask (never the value, never what was typed)."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", "class": "vTextField", **(attrs or {})})
        self.mask = ""

    def format_value(self, value):
        return self.mask


def bind_masked_secret(form: forms.ModelForm, field_name: str) -> None:
    """Show the instance's secret masked in `field_name`."""
    field = form.fields[field_name]
    field.widget = MaskedSecretInput()
    field.widget.mask = mask_secret(getattr(form.instance, field_name, "")) if form.instance.pk else ""


def cleaned_secret(form: forms.ModelForm, field_name: str) -> str:
    """The secret to store: the old one when the mask came back unchanged, else what was pasted."""
    value = form.cleaned_data.get(field_name, "")
    mask = form.fields[field_name].widget.mask
    if form.instance.pk and mask and value == mask:
        return getattr(form.instance, field_name)
    return value
