"""Twilio's text-to-speech voices: is a name one, which language it speaks, what to suggest.

The list is data, `data/twilio_voices.csv` (its sources and date are in `data/README.md`),
loaded once per process.
"""

import csv
import re
from functools import cache
from pathlib import Path
from typing import NamedTuple

_DATA = Path(__file__).resolve().parent / "data" / "twilio_voices.csv"

PROVIDER_LABELS = {"twilio": "Twilio", "polly": "Amazon Polly", "google": "Google"}

# Google names its voices <locale>-<type>-<variant>; Twilio's list of them trails Google's, so a
# well-formed name in a locale the list has is accepted too. The Chirp 3 HD variants are
# Google's 30 voice names (cloud.google.com/text-to-speech/docs/chirp3-hd).
_CHIRP3_HD_NAMES = (
    "Achernar Achird Algenib Algieba Alnilam Aoede Autonoe Callirrhoe Charon Despina Enceladus "
    "Erinome Fenrir Gacrux Iapetus Kore Laomedeia Leda Orus Puck Pulcherrima Rasalgethi Sadachbia "
    "Sadaltager Schedar Sulafat Umbriel Vindemiatrix Zephyr Zubenelgenubi"
)
_GOOGLE_NAME = re.compile(
    r"^Google\.(?P<locale>[a-z]{2,3}-[A-Z]{2})-(?:"
    r"(?P<type>Standard|Wavenet|Neural2)-[A-Z]"
    rf"|Chirp3-HD-(?:{'|'.join(_CHIRP3_HD_NAMES.split())})"
    r")$"
)

# Polly and Google name some languages with tags <Gather> does not take (Twilio's Gather
# languages are Google's speech tags): the tag for understanding a caller of that voice.
_GATHER_TAGS = {
    "arb": "ar-AE",
    "ar-XA": "ar-AE",
    "cmn-CN": "cmn-Hans-CN",
    "cmn-TW": "cmn-Hant-TW",
    "yue-CN": "yue-Hant-HK",
    "yue-HK": "yue-Hant-HK",
    "en-GB-WLS": "en-GB",
}


class Voice(NamedTuple):
    name: str
    language: str
    provider: str
    type: str

    @property
    def label(self) -> str:
        """How the form's suggestion list describes the voice, e.g. "fr-BE · Amazon Polly neural"."""
        return f"{self.language} · {PROVIDER_LABELS[self.provider]} {self.type}"


@cache
def listed() -> dict[str, Voice]:
    """Every voice of the shipped list, by name, in the list's order (by language)."""
    with _DATA.open(encoding="utf-8", newline="") as data:
        return {
            row["voice"]: Voice(row["voice"], row["language"], row["provider"], row["type"])
            for row in csv.DictReader(data)
        }


@cache
def _google_locales() -> frozenset[str]:
    return frozenset(v.language for v in listed().values() if v.provider == "google")


def find(name: str) -> Voice | None:
    """The voice Twilio's <Say voice="name"> speaks with, or None when Twilio has no such voice."""
    if voice := listed().get(name):
        return voice
    match = _GOOGLE_NAME.match(name)
    if match and match["locale"] in _google_locales():
        return Voice(name, match["locale"], "google", (match["type"] or "chirp3-hd").lower())
    return None


def language_of(name: str) -> str | None:
    """The BCP-47 language a voice speaks, as Twilio's voice list gives it, or None."""
    voice = find(name)
    return voice.language if voice else None


def recognition_language(language: str) -> str:
    """The <Gather language> tag for understanding callers of a voice of this language."""
    return _GATHER_TAGS.get(language, language)


def as_twilio_spells_it(name: str) -> str:
    """The listed spelling of a voice typed loosely: "Polly.Isabelle" is only listed as
    "Polly.Isabelle-Neural", so that is what the administrator meant. Unchanged when the name
    is listed, unknown, or could mean several voices (then validation explains)."""
    if find(name) is not None:
        return name
    meant = near_misses(name)
    wanted = name.strip().casefold()
    same_name = [voice for voice in meant if voice.casefold() in (wanted, f"polly.{wanted}")]
    if same_name:  # only the case or the "Polly." prefix was off
        return same_name[0]
    if len(meant) > 1:  # a bare Polly name with several engines: Twilio's neural one, if it has one
        meant = [voice for voice in meant if voice.endswith("-Neural")] or meant
    return meant[0] if len(meant) == 1 else name


def near_misses(name: str) -> list[str]:
    """Listed voices the administrator probably meant (wrong case, missing prefix or engine)."""
    wanted = name.strip().casefold()
    polly = _polly_voice(wanted)
    return [
        voice
        for voice in listed()
        if voice.casefold() in (wanted, f"polly.{wanted}") or (polly and _polly_voice(voice.casefold()) == polly)
    ][:4]


def _polly_voice(name: str) -> str | None:
    """The Polly voice a lower-cased name means, whatever its engine: "polly.lea-neural" -> "lea"."""
    if name.startswith("polly.") or "." not in name:
        return re.sub(r"-(neural|generative)$", "", name.removeprefix("polly."))
    return None
