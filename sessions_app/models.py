"""A session is one call; its messages are the transcript."""

import uuid

from django.db import models

# The longest caller or called ID kept: a Voice SDK identity is up to 256 characters (Twilio
# error 31105) after "client:", and a SIP URI carries a user, a host of up to 253 characters
# and URI parameters (Twilio bounds the header part of a SIP URI alone at 1024, error 21227).
CALLER_ID_MAX_LENGTH = 1024


class Session(models.Model):
    """One conversation on a channel: for Twilio, one call (unique per channel + CallSid)."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"

    class State(models.TextChoices):
        DIALING = "dialing", "Dialing"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class CloseReason(models.TextChoices):
        COMPLETED = "completed", "Completed"
        AGENT_HUNG_UP = "agent-hung-up", "Agent hung up"
        SILENCE = "silence", "Caller stayed silent"
        BUSY = "busy", "Busy"
        FAILED = "failed", "Failed"
        NO_ANSWER = "no-answer", "No answer"
        CANCELED = "canceled", "Canceled"
        REJECTED_OVER_LIMIT = "rejected-over-limit", "Rejected: Max opened sessions reached"
        AGENT_STOPPED = "agent-stopped", "Agent stopped"
        DIAL_ERROR = "dial-error", "Twilio refused the call"
        NEVER_CONNECTED = "never-connected", "Never connected"
        CONNECTION_DELETED = "connection-deleted", "Connection deleted"
        NOT_AT_TWILIO = "not-at-twilio", "Twilio has no such call"
        OVER_TIME_LIMIT = "over-time-limit", "Open longer than Twilio's longest call"

    OPEN_STATES = (State.DIALING, State.OPEN)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agent = models.ForeignKey("agents.Agent", on_delete=models.SET_NULL, null=True, related_name="sessions")
    agent_name = models.CharField(max_length=120, help_text="Kept when the agent is deleted.")
    channel_kind = models.CharField(max_length=20, default="twilio")
    connection = models.ForeignKey(
        "channels_twilio.TwilioConnection", on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    attachment = models.ForeignKey(
        "channels_twilio.ChannelAttachment", on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    call_sid = models.CharField("Call SID", max_length=64, null=True, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    # Twilio's From/To: an E.164 number, a SIP URI (sip:user@host;params) or a Voice SDK
    # identity (client: + up to 256 characters), hence far more than a phone number's 16.
    from_number = models.CharField("Caller", max_length=CALLER_ID_MAX_LENGTH, blank=True)
    to_number = models.CharField("Called", max_length=CALLER_ID_MAX_LENGTH, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    close_reason = models.CharField(max_length=24, choices=CloseReason.choices, blank=True)
    close_detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Outbound: set by the one run of the dialing task that may call Twilio for this session,
    # so a redelivered or doubled task never rings the customer a second time.
    dial_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the reconciliation sweep last asked Twilio about this call (a quiet call is asked
    # again only after a while); written by the sweep only, never on the webhook path.
    twilio_checked_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Conversation progress, kept here (not in process memory) so any worker can serve the next webhook.
    turn = models.PositiveIntegerField(default=0)
    silent_prompts = models.PositiveSmallIntegerField(default=0)
    partial_text = models.TextField(blank=True)
    partial_sequence = models.IntegerField(default=-1)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["channel_kind", "call_sid"], name="one_session_per_call"),
        ]
        indexes = [models.Index(fields=["agent", "state"], name="session_agent_state")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} call {self.from_number} → {self.to_number}"

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED

    @property
    def duration_seconds(self) -> int | None:
        if not self.closed_at:
            return None
        return int((self.closed_at - (self.answered_at or self.created_at)).total_seconds())


class Message(models.Model):
    """One line of a transcript: said by the agent or by the caller."""

    class Role(models.TextChoices):
        AGENT = "agent", "Agent"
        CALLER = "caller", "Caller"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="messages")
    sequence = models.PositiveIntegerField()
    role = models.CharField(max_length=10, choices=Role.choices)
    text = models.TextField()
    # What produced the line (e.g. "greeting", "caller:3", "agent:3"): a retried webhook
    # finds its line already written instead of writing it twice.
    key = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["session", "sequence"], name="message_sequence_unique"),
            models.UniqueConstraint(fields=["session", "key"], name="message_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.text[:60]}"
