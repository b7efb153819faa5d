"""How heard text is compared: case, punctuation and spacing do not count."""

import re

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
_NOT_WORDS = re.compile(r"[^\w\s']")
# An apostrophe belongs to a word only inside it ("what's"), not as a quote mark around it.
_LOOSE_APOSTROPHES = re.compile(r"(?<!\w)'|'(?!\w)")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower case, punctuation as spaces (apostrophes inside words kept), single spaces, trimmed."""
    text = _NOT_WORDS.sub(" ", text.translate(_APOSTROPHES).lower())
    return _SPACES.sub(" ", _LOOSE_APOSTROPHES.sub(" ", text)).strip()
