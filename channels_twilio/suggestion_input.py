"""A text input that offers suggestions (an HTML <datalist>) yet still takes any typed value."""

from collections.abc import Callable, Iterable

from django import forms
from django.utils.html import format_html, format_html_join


class SuggestionInput(forms.TextInput):
    """TextInput + <datalist>; `suggestions` returns (value, label) pairs when the form is drawn."""

    def __init__(self, suggestions: Callable[[], Iterable[tuple[str, str]]], attrs: dict | None = None):
        super().__init__(attrs)
        self.suggestions = suggestions

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id') or f'id_{name}'}_suggestions"
        field = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}" label="{}"></option>', self.suggestions())
        return format_html('{}<datalist id="{}">{}</datalist>', field, list_id, options)
