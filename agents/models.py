"""Agents, their scripted answers and their logs (a channel app keeps its own attachments to agents)."""

from django.db import models
from django.db.models import Q

from flametree_portal.encrypted_fields import EncryptedTextField

# Prepared answers keep their model with the rest of the feature; Django registers it from here.
from .prepared_answers.models import PreparedAnswer  # noqa: F401


class Agent(models.Model):
    """An AI agent that answers and places calls on the channels attached to it."""

    class State(models.TextChoices):
        STOPPED = "stopped", "Stopped"
        STARTING = "starting", "Starting"
        RUNNING = "running", "Running"
        STOPPING = "stopping", "Stopping"

    class Engine(models.TextChoices):
        SCRIPTED = "scripted", "Scripted (offline: questions and answers)"
        LLM = "llm", "LLM (OpenAI-compatible chat completions)"

    name = models.CharField(max_length=120, unique=True)
    greeting = models.TextField(
        default="Hello! How can I help you today?",
        help_text="What the agent says first on every call.",
    )
    max_opened_sessions = models.PositiveIntegerField(
        "Max opened sessions",
        default=5,
        help_text="How many calls this agent holds at once; further calls get a busy signal.",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.STOPPED)
    started_at = models.DateTimeField(null=True, blank=True)

    engine = models.CharField(max_length=10, choices=Engine.choices, default=Engine.SCRIPTED)
    # Three different things a caller must not confuse: silence gets the built-in "Are you still
    # there?", a question without an answer the fallback line, a failing model the error line.
    fallback_line = models.TextField(
        default="Sorry, I don't have an answer to that. You can ask me something else.",
        help_text="Said when the agent has no answer to what the caller said (scripted engine: no scripted "
        "answer matches). A silent caller hears the built-in “Still there?” line instead.",
    )
    error_line = models.TextField(
        default="Sorry, I can't answer right now because of a technical problem. Please try again in a moment.",
        help_text="Said when the engine fails: the LLM cannot be reached, times out or gives no usable reply "
        "(the agent's logs say why).",
    )
    goodbye_line = models.TextField(
        default="Thank you for calling. Goodbye!",
        help_text="Said before the agent hangs up.",
    )
    goodbye_phrases = models.TextField(
        default="goodbye, bye, that's all, hang up",
        help_text="Comma-separated phrases; when the caller says one, the agent says goodbye and hangs up.",
    )
    # The agent's own wording of the channel's built-in lines ("Are you still there?", the
    # filler, …), by line name; a line left out is said built-in, in the caller's language.
    spoken_line_overrides = models.JSONField("Built-in lines", default=dict, blank=True)
    llm_base_url = models.URLField(
        "LLM base URL", blank=True, help_text="e.g. https://api.openai.com/v1 or http://localhost:11434/v1"
    )
    llm_api_key = EncryptedTextField("LLM API key", blank=True, help_text="Stored encrypted, shown masked.")
    llm_model = models.CharField("LLM model", max_length=120, blank=True, help_text="e.g. gpt-4o-mini")
    llm_system_prompt = models.TextField(
        "System prompt",
        blank=True,
        default="You are a helpful phone agent. Answer in one or two short spoken sentences.",
    )
    llm_timeout_seconds = models.FloatField("LLM timeout (seconds)", default=8.0)

    prepared_hits = models.PositiveIntegerField(default=0, editable=False)
    prepared_misses = models.PositiveIntegerField(default=0, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(max_opened_sessions__gte=1), name="agent_max_sessions_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_running(self) -> bool:
        return self.state == self.State.RUNNING


class ScriptedAnswer(models.Model):
    """One question/answer pair of the scripted engine."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="scripted_answers")
    question = models.CharField(max_length=300, help_text="A question as a caller might say it.")
    keywords = models.CharField(
        max_length=300, blank=True, help_text="Optional comma-separated words that also select this answer."
    )
    answer = models.TextField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.question


class AgentLogEntry(models.Model):
    """A line of an agent's logs, on one channel tab (Twilio)."""

    class Level(models.TextChoices):
        INFO = "info", "Info"
        WARNING = "warning", "Warning"
        ERROR = "error", "Error"

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="log_entries")
    channel_kind = models.CharField(max_length=20, default="twilio")
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.INFO)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "log entry"
        verbose_name_plural = "log entries"

    def __str__(self) -> str:
        return f"[{self.level}] {self.message[:80]}"
