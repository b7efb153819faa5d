"""The caller's goodbye: the agent's goodbye phrases end the call, whatever the engine."""

from .base import Reply
from .wording import normalise


def goodbye_phrases(agent) -> list[str]:
    """The agent's comma-separated goodbye phrases, normalised; empty ones dropped."""
    return [phrase for phrase in (normalise(p) for p in agent.goodbye_phrases.split(",")) if phrase]


def says_goodbye(agent, text: str) -> bool:
    """Whether `text` contains one of the agent's goodbye phrases as whole words."""
    words = f" {normalise(text)} "
    return any(f" {phrase} " in words for phrase in goodbye_phrases(agent))


def goodbye_reply(agent) -> Reply:
    """Say the goodbye line, then hang up."""
    return Reply(agent.goodbye_line, ends_call=True)
