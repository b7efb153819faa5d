"""Sessions: the list of calls, and each call's page read as a chat transcript.

Sessions are written by the calls themselves, so the admin only reads them; a superuser may
delete one (with its transcript).
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime

from .models import Message, Session

STATE_COLOURS = {
    Session.State.DIALING: "#d97706",
    Session.State.OPEN: "#15803d",
    Session.State.CLOSED: "#6b7280",
}

# The Twilio mark (a ring around four dots) drawn inline: the portal loads no outside assets.
TWILIO_ICON = (
    '<svg class="channel-icon channel-twilio" width="18" height="18" viewBox="0 0 24 24" role="img" '
    'aria-label="{label}" style="vertical-align:middle"><title>{label}</title>'
    '<circle cx="12" cy="12" r="10" fill="none" stroke="#f22f46" stroke-width="2.6"/>'
    '<circle cx="8.8" cy="8.8" r="2.1" fill="#f22f46"/><circle cx="15.2" cy="8.8" r="2.1" fill="#f22f46"/>'
    '<circle cx="8.8" cy="15.2" r="2.1" fill="#f22f46"/><circle cx="15.2" cy="15.2" r="2.1" fill="#f22f46"/>'
    "</svg>"
)


def channel_icon(kind: str) -> SafeString:
    """The channel's icon with its name beside it (an icon alone says nothing to a new reader)."""
    if kind == "twilio":
        return format_html(
            '<span class="channel" style="white-space:nowrap">{} <span class="channel-name">{}</span></span>',
            format_html(TWILIO_ICON, label="Twilio"),
            "Twilio",
        )
    return format_html('<span class="channel-icon">{}</span>', kind)


def state_badge(session: Session) -> SafeString:
    """The session's state as a coloured badge: amber while dialing, green while open, grey once closed."""
    return format_html(
        '<span class="state-badge state-{}" style="color:#fff;background:{};padding:2px 8px;'
        'border-radius:10px;font-weight:600;">{}</span>',
        session.state,
        STATE_COLOURS.get(session.state, "#6b7280"),
        session.get_state_display(),
    )


def clock_duration(seconds: int | None) -> str:
    """A call's length as a clock shows it (1:05, 1:02:03); a dash while the call goes on."""
    if seconds is None:
        return "—"
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def moment(value) -> str:
    """A timestamp to the second, in the portal's time zone: calls are short, minutes say too little."""
    if value is None:
        return "—"
    return format_date(template_localtime(value), "Y-m-d H:i:s")


CALL_FACTS = ["channel", "agent_link", "connection_name", "direction", "from_number", "to_number", "call_sid"]
CALL_PROGRESS = ["state_badge", "close_reason", "close_detail", "started", "answered", "closed", "duration"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = [
        "channel",
        "agent_name",
        "direction",
        "numbers",
        "started",
        "duration",
        "state_badge",
        "close_reason",
    ]
    list_display_links = ["channel", "started"]
    list_filter = ["state", "direction", "channel_kind", "agent"]
    search_fields = ["from_number", "to_number", "call_sid", "agent_name"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    change_form_template = "admin/sessions_app/session_transcript.html"
    fieldsets = [
        (None, {"fields": CALL_FACTS}),
        ("Progress", {"fields": CALL_PROGRESS}),
    ]
    readonly_fields = CALL_FACTS + CALL_PROGRESS

    def get_queryset(self, request):
        # The connection's name is shown, its Auth Token never: leave the secret unread (and undecrypted).
        return (
            super()
            .get_queryset(request)
            .select_related("connection")
            .defer("connection__auth_token", "connection__us1_auth_token")
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    @admin.display(description="Channel", ordering="channel_kind")
    def channel(self, obj: Session) -> SafeString:
        return channel_icon(obj.channel_kind)

    class Media:
        css = {"all": ["sessions_app/sessions.css"]}

    @admin.display(description="Caller → called", ordering="from_number")
    def numbers(self, obj: Session) -> SafeString:
        # One column for both numbers, one above the other: two columns pushed State off the screen at 1366 px.
        return format_html(
            '<span class="call-caller">{}</span><br><span class="call-called">→ {}</span>',
            obj.from_number,
            obj.to_number,
        )

    @admin.display(description="Agent", ordering="agent_name")
    def agent_link(self, obj: Session) -> str:
        if obj.agent_id is None:
            return f"{obj.agent_name} (deleted)"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:agents_agent_change", args=[obj.agent_id]), obj.agent_name
        )

    @admin.display(description="Connection")
    def connection_name(self, obj: Session) -> str:
        return obj.connection.name if obj.connection_id else "—"

    @admin.display(description="Started", ordering="created_at")
    def started(self, obj: Session) -> str:
        return moment(obj.created_at)

    @admin.display(description="Answered")
    def answered(self, obj: Session) -> str:
        return moment(obj.answered_at)

    @admin.display(description="Closed")
    def closed(self, obj: Session) -> str:
        return moment(obj.closed_at)

    @admin.display(description="Duration")
    def duration(self, obj: Session) -> str:
        return clock_duration(obj.duration_seconds)

    @admin.display(description="State", ordering="state")
    def state_badge(self, obj: Session) -> SafeString:
        return state_badge(obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["transcript"] = Message.objects.filter(session=obj).order_by("sequence")
        return super().render_change_form(request, context, add, change, form_url, obj)
