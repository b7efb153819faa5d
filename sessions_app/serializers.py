"""Sessions and their transcripts as the REST API shows them (read-only)."""

from rest_framework import serializers

from .models import Message, Session


class ConnectionSummarySerializer(serializers.Serializer):
    """The channel connection a session ran on: which one, never its credentials."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class MessageSerializer(serializers.ModelSerializer):
    """One line of the transcript."""

    class Meta:
        model = Message
        fields = ["sequence", "role", "text", "created_at"]
        read_only_fields = fields


SESSION_FIELDS = [
    "id",
    "url",
    "agent",
    "agent_name",
    "channel",
    "connection",
    "direction",
    "from_number",
    "to_number",
    "state",
    "close_reason",
    "created_at",
    "answered_at",
    "closed_at",
    "duration_seconds",
]


class SessionSerializer(serializers.ModelSerializer):
    """A session in the list: the call's facts and how many messages its transcript has."""

    url = serializers.HyperlinkedIdentityField(view_name="session-detail", lookup_url_kwarg="session_id")
    channel = serializers.CharField(source="channel_kind", read_only=True, help_text="The kind of channel: twilio.")
    connection = ConnectionSummarySerializer(
        read_only=True, allow_null=True, help_text="The channel connection the call ran on; null once it is deleted."
    )
    # Declared because a read-only model field loses allow_blank, and the schema would then omit "".
    close_reason = serializers.ChoiceField(
        Session.CloseReason.choices,
        allow_blank=True,
        read_only=True,
        help_text="Why the session closed; empty while it is open.",
    )
    duration_seconds = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Seconds from the answer (or the start, for a call never answered) to the close; "
        "null while the session is open.",
    )
    message_count = serializers.IntegerField(read_only=True, help_text="How many messages the transcript has.")

    class Meta:
        model = Session
        fields = [*SESSION_FIELDS, "message_count"]
        read_only_fields = fields
        extra_kwargs = {
            "agent": {"help_text": "The agent's id; null once the agent is deleted."},
            "agent_name": {"help_text": "The agent's name, kept when the agent is deleted."},
            "from_number": {"help_text": "The caller: an E.164 number, a SIP URI (sip:…) or a Voice SDK client:…"},
            "to_number": {"help_text": "The called number (E.164), or the SIP URI a SIP domain call was sent to."},
        }


class SessionDetailSerializer(SessionSerializer):
    """One session with its whole transcript, in order."""

    message_count = None
    messages = MessageSerializer(many=True, read_only=True, help_text="The transcript, in the order it was said.")

    class Meta(SessionSerializer.Meta):
        fields = [*SESSION_FIELDS, "messages"]
        read_only_fields = fields
