"""The session's transcript as the chat history a model reads."""

# Older lines add cost and latency, and a phone call rarely refers back further.
MAX_HISTORY_MESSAGES = 20


def chat_history(session) -> list[dict]:
    """The transcript so far as chat messages (agent → assistant, caller → user), oldest first.

    The caller's line of the turn in progress is left out: the engine is asked about it
    separately (and while preparing early it is not written yet).
    """
    in_progress = f"caller:{session.turn + 1}"
    lines = list(
        session.messages.exclude(key=in_progress)
        .order_by("-sequence")
        .values_list("role", "text")[:MAX_HISTORY_MESSAGES]
    )
    lines.reverse()
    return [{"role": "assistant" if role == "agent" else "user", "content": text} for role, text in lines]
