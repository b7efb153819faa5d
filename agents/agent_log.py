"""Writing to an agent's logs (the "Show Logs" tabs), one tab per channel kind."""

import logging

from .models import AgentLogEntry

logger = logging.getLogger("agents.log")


def write(agent_id: int, message: str, level: str = "info", channel_kind: str = "twilio") -> None:
    """Append a line to the agent's log tab, and mirror it to the process log."""
    AgentLogEntry.objects.create(agent_id=agent_id, channel_kind=channel_kind, level=level, message=message)
    logger.log(logging.getLevelName(level.upper()), "agent=%s %s: %s", agent_id, channel_kind, message)


def info(agent_id: int, message: str) -> None:
    write(agent_id, message, "info")


def warning(agent_id: int, message: str) -> None:
    write(agent_id, message, "warning")


def error(agent_id: int, message: str) -> None:
    write(agent_id, message, "error")
