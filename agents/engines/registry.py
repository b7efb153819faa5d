"""Which engine an agent uses."""

from .base import Engine
from .scripted import ScriptedEngine


def engine_for(agent) -> Engine:
    if agent.engine == "llm":
        from .llm import LlmEngine

        return LlmEngine(agent)
    return ScriptedEngine(agent)
