"""Every TwiML document the portal returns, built with the twilio library's VoiceResponse.

The library escapes text; we also drop characters XML 1.0 cannot carry at all (control
characters, lone surrogates), so whatever a caller says or a model writes, the document parses.
"""

import re

from twilio.twiml.voice_response import Gather, VoiceResponse

from agents import spoken_lines

from .voices import recognition_language

# Twilio reads out at most 4,096 characters per <Say>; longer text is cut at a word boundary.
SAY_LIMIT = 4000
# Seconds of silence after speech that end the caller's turn. Twilio requires a positive
# integer (not "auto") when speechModel is set.
SPEECH_TIMEOUT = 2
# Seconds Gather waits for the caller to start speaking before it reports an empty result.
LISTEN_TIMEOUT = 6

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def speakable(text: str) -> str:
    """Text that is safe to put in a <Say>: XML-legal, trimmed, at most SAY_LIMIT characters."""
    text = _XML_ILLEGAL.sub("", text).strip()
    if len(text) > SAY_LIMIT:
        text = text[:SAY_LIMIT].rsplit(" ", 1)[0] + "…"
    return text


def _say(parent, text: str, voice: str | None, language: str | None) -> None:
    """A <Say> of `text` (if any is left once made speakable) in the voice and language given;
    without them Twilio uses its default voice and en-US."""
    if text := speakable(text):
        attributes = {"voice": voice, "language": language}
        parent.say(text, **{name: value for name, value in attributes.items() if value})


def converse(
    text: str,
    *,
    voice: str,
    language: str,
    speech_model: str,
    action: str,
    partial_callback: str,
) -> VoiceResponse:
    """Say `text` and listen: the caller may speak over it (bargeIn) and the Say stops."""
    response = VoiceResponse()
    gather = Gather(
        input="speech",
        action=action,
        method="POST",
        partial_result_callback=partial_callback,
        partial_result_callback_method="POST",
        speech_model=speech_model,
        speech_timeout=SPEECH_TIMEOUT,
        timeout=LISTEN_TIMEOUT,
        # Polly names some languages as Gather does not (arb, cmn-CN, yue-CN): the tag Gather takes.
        language=recognition_language(language),
        barge_in=True,
        action_on_empty_result=True,
    )
    _say(gather, text, voice, language)
    response.append(gather)
    return response


def say_and_hang_up(text: str, *, voice: str | None = None, language: str | None = None) -> VoiceResponse:
    response = VoiceResponse()
    _say(response, text, voice, language)
    response.hangup()
    return response


def offline_apology(
    *, voice: str | None = None, language: str | None = None, overrides: dict | None = None
) -> VoiceResponse:
    """For a number whose agent is stopped, detached or deleted: the apology in the connection's
    voice and language (the agent's own wording if `overrides` has one), then hang up. Without a
    voice: Twilio's default voice, in English."""
    text = spoken_lines.line("offline_apology", language, overrides)
    return say_and_hang_up(text, voice=voice, language=language)


def reject_busy() -> VoiceResponse:
    """For a call over the agent's Max opened sessions: the caller hears a busy signal.

    No words, in any language: <Reject> as the first verb is the only way not to answer (and not
    bill) the call, and Twilio plays no speech before it; the caller's carrier plays the busy tone.
    """
    response = VoiceResponse()
    response.reject(reason="busy")
    return response


def hold_then_redirect(
    filler: str, *, voice: str, redirect_url: str, language: str | None = None, pause_seconds: int = 1
) -> VoiceResponse:
    """While a slow reply is prepared: a short filler or pause, then fetch the reply."""
    response = VoiceResponse()
    _say(response, filler, voice, language)
    response.pause(length=pause_seconds)
    response.redirect(redirect_url, method="POST")
    return response
