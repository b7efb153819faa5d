"""The interface every conversation engine implements."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Reply:
    """What the agent says next; `ends_call` means say it, then hang up."""

    text: str
    ends_call: bool = False


class Engine(Protocol):
    def greeting(self) -> str:
        """The first thing the agent says on every call."""

    def reply(self, session, text: str) -> Reply:
        """The agent's answer to what the caller just said (`session` holds the transcript)."""
