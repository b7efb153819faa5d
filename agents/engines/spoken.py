"""Model output made fit to be read out on a phone call: plain, short sentences."""

import re
import unicodedata

# A phone reply longer than this loses the caller; the model is asked for less anyway.
MAX_SENTENCES = 3
MAX_CHARS = 400

_THINKING = re.compile(r"<think>.*?(</think>|$)", re.DOTALL | re.IGNORECASE)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_CODE_FENCE = re.compile(r"```[^\n]*\n?")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(\S(?:.*?\S)?)\1")
_LINE_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*•]\s+|\d+[.)]\s+)", re.MULTILINE)
_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_UNSPOKEN = {"So", "Sk", "Cs", "Co", "Cf"}
_VARIATION = {"\ufe0e", "\ufe0f"}


def speakable_reply(text: str) -> str:
    """`text` without markdown, reasoning or emoji, cut to a few sentences; "" if nothing is left."""
    text = _THINKING.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _CODE_FENCE.sub(" ", text)
    text = _LINE_MARKUP.sub("", text)
    text = _EMPHASIS.sub(r"\2", text).replace("`", "")
    # Emoji are read out by name ("thumbs up sign") or garbled: drop them with their skin-tone
    # modifiers, joiners and variation selectors.
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _UNSPOKEN and ch not in _VARIATION)
    text = _SPACES.sub(" ", text).strip()
    sentences = _SENTENCE_END.split(text)
    text = " ".join(sentences[:MAX_SENTENCES])
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return text
