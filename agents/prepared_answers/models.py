"""The PreparedAnswer row: one reply being made, or made, for what the caller said in a turn."""

import hashlib

from django.db import models


class PreparedAnswer(models.Model):
    """A reply prepared from partial speech while the caller was still talking."""

    session = models.ForeignKey("sessions_app.Session", on_delete=models.CASCADE, related_name="prepared_answers")
    turn = models.PositiveIntegerField()
    heard = models.TextField(help_text="Normalised text the reply was prepared for.")
    # sha256 of `heard`, set on save: the unique index holds this, not the text, because a
    # PostgreSQL btree entry cannot exceed about 2,700 bytes and callers can talk for a minute.
    heard_digest = models.CharField(max_length=64, editable=False)
    reply = models.TextField(blank=True)
    ends_call = models.BooleanField(default=False)
    ready = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once, by the final SpeechResult that this row answers (a conditional UPDATE, so a
    # retried webhook counts no second hit); unset rows are speculative and may be discarded.
    matched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "turn", "heard_digest"], name="prepared_once_per_digest"),
        ]
        indexes = [models.Index(fields=["session", "turn"], name="prepared_session_turn")]

    def __str__(self) -> str:
        return f"turn {self.turn}: {self.heard[:60]}"

    def save(self, *args, **kwargs):
        self.heard_digest = self.digest(self.heard)
        super().save(*args, **kwargs)

    @staticmethod
    def digest(heard: str) -> str:
        """The key of normalised text `heard` in the unique index."""
        return hashlib.sha256(heard.encode()).hexdigest()
