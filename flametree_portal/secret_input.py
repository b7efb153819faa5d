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
    field.widget = widget = MaskedSecretInput()
    widget.mask = mask_secret(getattr(form.instance, field_name, "")) if form.instance.pk else ""
    stored_mask = widget.mask
    if form.is_bound and form.data.get(form.add_prefix(field_name)) not in (None, stored_mask):
        # A new secret was pasted and another field has an error: show neither it nor the old
        # mask (the next Save would then quietly keep the old secret) — ask for it again.
        widget.mask = ""
    # The mask coming back unchanged is no change (keeps the admin history honest).
    field.has_changed = lambda initial, data: data != stored_mask


def cleaned_secret(form: forms.ModelForm, field_name: str) -> str:
    """The secret to store: the old one when the mask came back unchanged, else what was pasted."""
    value = form.cleaned_data.get(field_name, "")
    stored = getattr(form.instance, field_name, "")
    if form.instance.pk and stored and value == mask_secret(stored):
        return stored
    return value
