"""Conversation engines: what the agent says. One small interface, chosen per agent."""

from .base import Engine, Reply
from .registry import answers_instantly, engine_for, time_budget

__all__ = ["Engine", "Reply", "answers_instantly", "engine_for", "time_budget"]
