"""The coloured state badge of the agent pages: an agent's state, or a channel's line state."""

from django.utils.html import format_html
from django.utils.safestring import SafeString

STATE_COLOURS = {
    "stopped": "#6b7280",
    "starting": "#d97706",
    "running": "#15803d",
    "stopping": "#d97706",
    "offline": "#6b7280",
    "registering": "#d97706",
    "live": "#15803d",
    "error": "#b91c1c",
    "demo": "#2563eb",
}


def badge(value: str, label: str) -> SafeString:
    """A pill showing `label`, coloured by the state `value` (grey for a state without a colour)."""
    return format_html(
        '<span class="state-badge state-{}" style="color:#fff;background:{};padding:2px 8px;'
        'border-radius:10px;font-weight:600;">{}</span>',
        value,
        STATE_COLOURS.get(value, "#6b7280"),
        label,
    )
