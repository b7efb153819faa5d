"""Which engine an agent uses."""

from .base import Engine
from .llm import LlmEngine
from .scripted import ScriptedEngine

ENGINES = {"scripted": ScriptedEngine, "llm": LlmEngine}


def engine_class(agent) -> type:
    return ENGINES.get(agent.engine, ScriptedEngine)


def engine_for(agent) -> Engine:
    """The agent's engine, ready to answer."""
    return engine_class(agent)(agent)


def answers_instantly(agent) -> bool:
    """Whether the agent's replies are made inline (no network): nothing to prepare early."""
    return engine_class(agent).instant


def time_budget(agent) -> float:
    """Seconds within which the agent's engine answers (or gives its fallback line) by itself."""
    return engine_class(agent).time_budget(agent)
