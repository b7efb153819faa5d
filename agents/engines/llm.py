"""The LLM engine: an OpenAI-compatible chat-completions server answers, briefly and speakably."""

from urllib.parse import urlsplit

from agents import agent_log

from .base import Reply
from .goodbye import goodbye_reply, says_goodbye
from .history import chat_history
from .llm_http import CONNECT_TIMEOUT, LlmError, chat_completion
from .spoken import speakable_reply

# Added to every system prompt: the reply is read out by text-to-speech on a phone call.
SPOKEN_STYLE = (
    "You are talking on a phone call; your words are read out by text-to-speech. "
    "Answer in one to three short sentences of plain text: no lists, no markdown, no emoji, no links."
)
MIN_TIMEOUT = 0.5


class LlmEngine:
    """Asks the agent's model, with the session's transcript as history."""

    instant = False

    def __init__(self, agent):
        self.agent = agent

    @property
    def timeout(self) -> float:
        return max(MIN_TIMEOUT, float(self.agent.llm_timeout_seconds or 0))

    @classmethod
    def time_budget(cls, agent) -> float:
        """The longest a reply may take before the engine itself gives up with the fallback line."""
        return max(MIN_TIMEOUT, float(agent.llm_timeout_seconds or 0)) + CONNECT_TIMEOUT

    def greeting(self) -> str:
        return self.agent.greeting

    def reply(self, session, text: str) -> Reply:
        if says_goodbye(self.agent, text):
            return goodbye_reply(self.agent)
        agent = self.agent
        payload = {"model": agent.llm_model, "messages": self.messages(session, text), "stream": False}
        try:
            content = chat_completion(agent.llm_base_url, agent.llm_api_key, payload, self.timeout)
        except LlmError as err:
            agent_log.warning(
                agent.id,
                f"The LLM ({agent.llm_model} at {_shown(agent.llm_base_url)}) gave no usable reply: {err}. "
                "The caller heard the error line.",
            )
            return Reply(agent.error_line)
        spoken = speakable_reply(content)
        if not spoken:
            agent_log.warning(
                agent.id, f"The LLM ({agent.llm_model}) answered with nothing to say: the caller heard the error line."
            )
            return Reply(agent.error_line)
        return Reply(spoken)

    def messages(self, session, text: str) -> list[dict]:
        """System prompt, the transcript so far, and what the caller just said."""
        system = "\n\n".join(part for part in (self.agent.llm_system_prompt.strip(), SPOKEN_STYLE) if part)
        return [{"role": "system", "content": system}, *chat_history(session), {"role": "user", "content": text}]


def _shown(url: str) -> str:
    """The base URL for a log line: without any credentials or query a URL may carry."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{parts.path}"
