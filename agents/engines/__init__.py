"""Conversation engines: what the agent says. One small interface, chosen per agent."""

from .base import Engine, Reply
from .registry import engine_for

__all__ = ["Engine", "Reply", "engine_for"]
