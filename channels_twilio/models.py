"""The Twilio connection (credentials and number) and the agent's Twilio line attached to it."""

import uuid

from django.db import models
from django.db.models import Q

from flametree_portal.encrypted_fields import EncryptedTextField
from flametree_portal.masking import mask_secret

from . import catalog, validators


class TwilioConnection(models.Model):
    """A Twilio account + phone number, created in Settings > Channels and attached to agents."""

    name = models.CharField(
        max_length=120,
        help_text="Shown across the portal — pick something that identifies the number or its purpose.",
    )
    description = models.TextField(blank=True, help_text="Internal reference; optional.")
    account_sid = models.CharField(
        "Account SID",
        max_length=34,
        validators=[validators.validate_account_sid],
        help_text="On the Twilio Console dashboard (console.twilio.com), under Account Info: starts with AC.",
    )
    auth_token = EncryptedTextField(
        "Auth Token",
        validators=[validators.validate_auth_token],
        help_text="Shown next to the Account SID on the Twilio Console dashboard (click Show). "
        "Stored encrypted and displayed masked; paste a new value over the mask to replace it.",
    )
    phone_number = models.CharField(
        "Phone number",
        max_length=16,
        validators=[validators.validate_e164],
        help_text="The Twilio number in E.164 format, e.g. +14155550123, exactly as the Twilio "
        "Console lists it. It receives inbound calls and is the caller ID for outbound calls.",
    )
    voice_model = models.CharField(
        "Voice model",
        max_length=80,
        blank=True,
        validators=[validators.validate_voice],
        help_text="Twilio text-to-speech voice for the agent's replies, e.g. Polly.Salli or "
        "Polly.Lea (French). It also sets the language the caller is understood in. "
        f"Empty means {catalog.DEFAULT_VOICE}.",
    )
    speech_model = models.CharField(
        "Speech model",
        max_length=40,
        blank=True,
        validators=[validators.validate_speech_model],
        help_text="Twilio speech recognition model that transcribes the caller, e.g. "
        f"googlev2_telephony. Empty means {catalog.DEFAULT_SPEECH_MODEL}.",
    )
    region = models.CharField(
        max_length=8,
        blank=True,
        choices=list(catalog.REGIONS.items()),
        help_text="Where Twilio hosts the API and media for this account's traffic and processes "
        "the number's calls. Empty means Twilio's default (us1). Outside us1, paste that region's "
        "Auth Token above (Twilio Console, API keys & tokens, pick the region) and fill in US1 Auth Token.",
    )
    edge = models.CharField(
        max_length=16,
        blank=True,
        choices=list(catalog.EDGES.items()),
        help_text="The Twilio network entry point closest to this portal (e.g. dublin, sydney). "
        "Empty means the Region's own edge (ashburn for us1, dublin for ie1, sydney for au1, …). "
        "Pick the closest to cut call latency.",
    )
    us1_auth_token = EncryptedTextField(
        "US1 Auth Token (only for a Region other than us1)",
        blank=True,
        validators=[validators.validate_auth_token],
        help_text="Only with a Region other than us1. Twilio Auth Tokens are per region, and the "
        "setting that makes the Region process this number's incoming calls (its inbound processing "
        "region) lives in US1: in the Twilio Console, API keys & tokens, pick region US1 and copy the "
        "Auth Token shown there. Empty: Start still points the number at Flametree in the Region, but "
        "calls reach it only if the number's routing already is that Region. Stored encrypted, displayed masked.",
    )
    # Set only by bootstrap_demo: made-up credentials, so Start never tries Twilio with them.
    demo = models.BooleanField(default=False, editable=False)
    # The unguessable part of this connection's webhook URLs.
    webhook_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Twilio connection"
        verbose_name_plural = "Channels"
        ordering = ["name"]
        constraints = [
            # One connection per number: one connection has at most one inbound agent, so
            # "one number, one inbound agent" then holds across connections too.
            models.UniqueConstraint(fields=["account_sid", "phone_number"], name="connection_number_once_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone_number})"

    def __repr__(self) -> str:
        return f"<TwilioConnection {self.pk} {self.phone_number}>"

    def clean(self) -> None:
        validators.validate_number_once_per_account(self)
        validators.validate_speech_model_for_voice(self.effective_voice, self.effective_speech_model)

    @property
    def masked_auth_token(self) -> str:
        return mask_secret(self.auth_token)

    @property
    def effective_voice(self) -> str:
        return self.voice_model or catalog.DEFAULT_VOICE

    @property
    def effective_language(self) -> str:
        """The language its voice speaks (BCP-47): what the caller hears and is understood in."""
        return catalog.voice_language(self.effective_voice) or "en-US"

    @property
    def effective_speech_model(self) -> str:
        return self.speech_model or catalog.DEFAULT_SPEECH_MODEL


class WebhookRefusals(models.Model):
    """Requests to a connection's webhook refused for their signature: counted, not stored one by one.

    Anyone who learns a connection key can send such requests, so each one costs an UPDATE of
    this row and never a new row anywhere; the agent's log gets a summary at most once an hour.
    """

    connection = models.ForeignKey(TwilioConnection, on_delete=models.CASCADE, related_name="refusals")
    webhook = models.CharField(max_length=40)
    count = models.PositiveBigIntegerField(default=0)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    logged_count = models.PositiveBigIntegerField(default=0)
    logged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "refused webhook requests"
        constraints = [models.UniqueConstraint(fields=["connection", "webhook"], name="refusals_once_per_webhook")]

    def __str__(self) -> str:
        return f"{self.count} refused {self.webhook} request(s)"


class ChannelAttachment(models.Model):
    """The agent's Twilio line: a connection attached to an agent, its Inbound switch and running snapshot."""

    class LineState(models.TextChoices):
        OFFLINE = "offline", "Offline"
        REGISTERING = "registering", "Registering"
        LIVE = "live", "Live"
        ERROR = "error", "Error"
        # A made-up line (bootstrap_demo's): its webhooks answer the Test call page, Twilio never hears of it.
        DEMO = "demo", "Demo line"

    agent = models.ForeignKey("agents.Agent", on_delete=models.CASCADE, related_name="attachments")
    channel_kind = models.CharField(max_length=20, default="twilio", editable=False)
    connection = models.ForeignKey(TwilioConnection, on_delete=models.CASCADE, related_name="attachments")
    inbound = models.BooleanField(
        "Inbound", default=False, help_text="Answer incoming calls to this number. Off: outbound calls only."
    )

    # The running snapshot: the connection's settings copied at Start agent. Webhooks and
    # outbound calls read these, never the live form, so edits wait for a restart.
    snapshot = models.JSONField(null=True, blank=True, editable=False)
    snapshot_auth_token = EncryptedTextField(blank=True, editable=False)
    snapshot_taken_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The connection the snapshot was taken from: its webhook key is in the URLs registered on
    # Twilio, so the line stays on it even if the attachment is switched to another connection.
    snapshot_connection = models.ForeignKey(
        TwilioConnection,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="running_lines",
    )
    line_state = models.CharField(max_length=12, choices=LineState.choices, default=LineState.OFFLINE, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    webhook_url = models.URLField(blank=True, editable=False)
    registered_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set by the one registration task that claimed this snapshot, so a redelivered or
    # doubled task does not register the number twice.
    registration_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "communication channel"
        verbose_name_plural = "Communication channels"
        constraints = [
            models.UniqueConstraint(fields=["agent", "connection"], name="attachment_once_per_agent"),
            models.UniqueConstraint(
                fields=["connection"], condition=Q(inbound=True), name="one_inbound_agent_per_connection"
            ),
        ]

    def __str__(self) -> str:
        return f"Twilio: {self.connection.name}"

    @property
    def is_running(self) -> bool:
        return self.snapshot is not None

    @property
    def restart_needed(self) -> bool:
        """The connection was edited, or another one picked, after the agent took its snapshot."""
        if not self.snapshot_taken_at:
            return False
        return self.connection_id != self.snapshot_connection_id or self.connection.updated_at > self.snapshot_taken_at
