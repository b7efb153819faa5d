"""The interface every conversation engine implements."""

from dataclasses import dataclass
from typing import ClassVar, Protocol


@dataclass(frozen=True)
class Reply:
    """What the agent says next; `ends_call` means say it, then hang up."""

    text: str
    ends_call: bool = False


class Engine(Protocol):
    # True when a reply takes no noticeable time (no network): the call flow then answers
    # inline instead of preparing replies in the background.
    instant: ClassVar[bool]

    @classmethod
    def time_budget(cls, agent) -> float:
        """Seconds within which a reply is made, or the engine gives up with the fallback line."""

    def greeting(self) -> str:
        """The first thing the agent says on every call."""

    def reply(self, session, text: str) -> Reply:
        """The agent's answer to what the caller just said (`session` holds the transcript).

        Never raises for a failure of the engine's own backend: it answers with the agent's
        fallback line instead, so the caller always hears something.
        """
