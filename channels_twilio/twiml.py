"""Every TwiML document the portal returns, built with the twilio library's VoiceResponse.

The library escapes text; we also drop characters XML 1.0 cannot carry at all (control
characters, lone surrogates), so whatever a caller says or a model writes, the document parses.
"""

import re

from twilio.twiml.voice_response import Gather, VoiceResponse

# Twilio reads out at most 4,096 characters per <Say>; longer text is cut at a word boundary.
SAY_LIMIT = 4000
# Seconds of silence after speech that end the caller's turn. Twilio requires a positive
# integer (not "auto") when speechModel is set.
SPEECH_TIMEOUT = 2
# Seconds Gather waits for the caller to start speaking before it reports an empty result.
LISTEN_TIMEOUT = 6

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

OFFLINE_APOLOGY = "Sorry, no one can take your call on this number right now. Please try again later. Goodbye."


def speakable(text: str) -> str:
    """Text that is safe to put in a <Say>: XML-legal, trimmed, at most SAY_LIMIT characters."""
    text = _XML_ILLEGAL.sub("", text).strip()
    if len(text) > SAY_LIMIT:
        text = text[:SAY_LIMIT].rsplit(" ", 1)[0] + "…"
    return text


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
        language=language,
        barge_in=True,
        action_on_empty_result=True,
    )
    if text := speakable(text):
        gather.say(text, voice=voice)
    response.append(gather)
    return response


def say_and_hang_up(text: str, *, voice: str | None = None) -> VoiceResponse:
    response = VoiceResponse()
    if text := speakable(text):
        response.say(text, voice=voice) if voice else response.say(text)
    response.hangup()
    return response


def offline_apology() -> VoiceResponse:
    """For a number whose agent is stopped, detached or deleted."""
    return say_and_hang_up(OFFLINE_APOLOGY)


def reject_busy() -> VoiceResponse:
    """For a call over the agent's Max opened sessions: the caller hears a busy signal."""
    response = VoiceResponse()
    response.reject(reason="busy")
    return response


def hold_then_redirect(filler: str, *, voice: str, redirect_url: str, pause_seconds: int = 1) -> VoiceResponse:
    """While a slow reply is prepared: a short filler or pause, then fetch the reply."""
    response = VoiceResponse()
    if filler := speakable(filler):
        response.say(filler, voice=voice)
    response.pause(length=pause_seconds)
    response.redirect(redirect_url, method="POST")
    return response
