"""Twilio's part of a call, step by step: what it requests, what it says, when it waits.

Each public function is a generator (a "script") over a `CallState`: it yields `Post`, `Wait`
and `Event` (see `wire.py`) and receives the portal's `Answer` for every Post. Scripts run the
TwiML they get back the way Twilio does: verbs in order, a <Gather> listens (its prompt first),
<Redirect> fetches the next document, <Hangup> or the end of the document ends the call,
<Reject> turns an unanswered call away. Any answer Twilio could not use ends the call as Twilio
ends it (an apology, then a hang-up) with an `error` event that says why.
"""

from collections.abc import Generator

from lxml import etree

from .call import CallState
from .twiml_rules import TwimlRefused, read_document
from .wire import Answer, Event, Post, Wait

Script = Generator[Post | Wait | Event, Answer | None, None]

# How long things take on a real call (drivers decide whether to spend this time).
CHARACTERS_SPOKEN_PER_SECOND = 15.0
WORD_SECONDS = 0.3
RING_SECONDS = 3.0
NO_ANSWER_RING_SECONDS = 30.0
DEFAULT_GATHER_TIMEOUT = 5
DEFAULT_SPEECH_TIMEOUT = 2
# The simulator's own guard: documents fetched in a row without the caller saying anything.
MAX_FETCHES_WITHOUT_CALLER = 20
APPLICATION_ERROR = "We are sorry, an application error has occurred. Goodbye."


class CallStateError(Exception):
    """The caller tried something the call's current state does not allow (e.g. speak after the end)."""


def ring_inbound(call: CallState) -> Script:
    """Someone dials the number: Twilio asks the number's voice webhook what to do."""
    call.status = "ringing"
    yield Event("ringing", f"{call.from_number} calls {call.to_number}")
    yield from _fetch_and_run(call, call.voice_url, first=True)


def ring_outbound(call: CallState, outcome: str = "answered") -> Script:
    """Twilio dials the callee of an outbound call; `outcome`: answered, busy, no-answer or failed."""
    if outcome not in ("answered", "busy", "no-answer", "failed"):
        raise ValueError(f"unknown outcome {outcome!r}")
    yield Event("ringing", f"Twilio dials {call.to_number} from {call.from_number}")
    call.status = "initiated"
    yield from _progress(call, "initiated")
    if outcome == "failed":
        yield from _end(call, "failed", "Twilio could not connect the call")
        return
    if outcome == "busy":
        yield Wait(RING_SECONDS / 3, "ringing")
        yield from _end(call, "busy", f"{call.to_number} is busy")
        return
    call.status = "ringing"
    yield from _progress(call, "ringing")
    if outcome == "no-answer":
        yield Wait(NO_ANSWER_RING_SECONDS, "ringing")
        yield from _end(call, "no-answer", f"{call.to_number} did not pick up")
        return
    yield Wait(RING_SECONDS, "ringing")
    call.answer()
    yield Event("answered", f"{call.to_number} picked up")
    yield from _progress(call, "answered")
    yield from _fetch_and_run(call, call.voice_url)


def speak(call: CallState, text: str, *, interrupting: bool = False) -> Script:
    """The caller says `text` to the listening <Gather>: partial results word by word, then the final one."""
    gather = _listening_gather(call)
    words = text.split()
    if not words:
        yield from stay_silent(call)
        return
    if interrupting and gather.get("bargeIn") != "true":
        yield Event("note", "bargeIn is off: Twilio hears the caller only once the prompt has finished")
    yield Event("caller", " ".join(words), {"interrupting": interrupting})
    if "speech" not in (gather.get("input") or "dtmf").split():
        yield Event("note", "this <Gather> listens for keypad digits only: Twilio ignores speech")
        yield from stay_silent(call)
        return
    partial_url = gather.get("partialResultCallback")
    language = gather.get("language") or "en-US"
    for count in range(1, len(words) + 1):
        yield Wait(WORD_SECONDS, "caller-speaking")
        if partial_url:
            stable = " ".join(words[: count - 1])
            fields = {
                "SequenceNumber": str(count),
                "StableSpeechResult": stable,
                "UnstableSpeechResult": (" " if stable else "") + words[count - 1],
                "Stability": "0.8",
                "LanguageCode": language,
            }
            answer = yield Post(partial_url, call.params(**fields), twiml=False)
            if not answer.ok:
                yield Event("error", _http_failure("partial result", answer))
    yield Wait(int(gather.get("speechTimeout") or DEFAULT_SPEECH_TIMEOUT), "speech-timeout")
    call.listening = False
    call.fetches_since_caller = 0
    result = {"SpeechResult": " ".join(words), "Confidence": "0.92"}
    yield from _fetch_and_run(call, gather.get("action") or call.document_url, **result)


def stay_silent(call: CallState) -> Script:
    """The caller says nothing until the <Gather> times out."""
    gather = _listening_gather(call)
    yield Event("silence", "the caller says nothing")
    yield Wait(int(gather.get("timeout") or DEFAULT_GATHER_TIMEOUT), "listening")
    call.listening = False
    if gather.get("actionOnEmptyResult") == "true":
        yield from _fetch_and_run(call, gather.get("action") or call.document_url)
    else:  # Twilio moves on to the verb after the <Gather>
        call.position += 1
        yield from _run(call)


def hang_up(call: CallState) -> Script:
    """The caller hangs up."""
    if call.ended:
        return
    yield from _end(call, "completed", "the caller hung up")


def _listening_gather(call: CallState) -> etree._Element:
    if call.ended:
        raise CallStateError(f"the call is over ({call.status})")
    verb = call.current_verb()
    if not call.listening or verb is None or verb.tag != "Gather":
        raise CallStateError("the agent is not listening: no <Gather> is waiting for the caller")
    return verb


def _fetch_and_run(call: CallState, url: str, *, first: bool = False, **fields: str) -> Script:
    call.fetches_since_caller += 1
    if call.fetches_since_caller > MAX_FETCHES_WITHOUT_CALLER:
        yield Event("error", f"{MAX_FETCHES_WITHOUT_CALLER} documents in a row without the caller speaking: a loop")
        yield from _application_error(call)
        return
    post = Post(url, call.params(**fields), twiml=True)
    answer = yield post
    if not answer.ok:
        yield Event("error", _http_failure(f"{post.kind} webhook", answer))
        yield from _application_error(call)
        return
    try:
        root = read_document(answer.body, answer.content_type, call.public_base_url)
    except TwimlRefused as refusal:
        yield Event("error", f"{post.kind} webhook answered TwiML that Twilio refuses — {refusal}")
        yield from _application_error(call)
        return
    call.load(root, url)
    if first:
        verbs = call.verbs()
        if verbs and verbs[0].tag == "Reject":
            yield from _reject(call, verbs[0])
            return
        call.answer()
        yield Event("answered", "Twilio answered the call")
    yield from _run(call)


def _run(call: CallState) -> Script:
    """Run the document from `call.position` until the caller's turn or the end of the call."""
    verbs = call.verbs()
    while call.position < len(verbs):
        verb = verbs[call.position]
        if verb.tag == "Gather":
            yield from _play_prompt(call, verb)
            call.listening = True
            yield Event("listening", "", {"barge_in": verb.get("bargeIn") == "true"})
            return
        if verb.tag == "Redirect":
            call.position += 1
            url = (verb.text or "").strip()
            yield Event("redirect", url)
            yield from _fetch_and_run(call, url)
            return
        if verb.tag == "Hangup":
            yield from _end(call, "completed", "the agent hung up")
            return
        if verb.tag == "Reject":  # Twilio rejects only a call it has not answered yet
            yield from _end(call, "completed", "<Reject> after the call was answered: Twilio hangs up")
            return
        yield from _play(call, verb, interruptible=False)
        call.position += 1
    yield from _end(call, "completed", "the TwiML ran out of verbs: Twilio hangs up")


def _play_prompt(call: CallState, gather: etree._Element) -> Script:
    barge_in = gather.get("bargeIn") == "true"
    for verb in gather:
        if isinstance(verb.tag, str):
            yield from _play(call, verb, interruptible=barge_in, language=gather.get("language"))


def _play(call: CallState, verb: etree._Element, *, interruptible: bool, language: str | None = None) -> Script:
    if verb.tag == "Say":
        text = "".join(verb.itertext()).strip()
        data = {"voice": verb.get("voice") or "", "language": verb.get("language") or language or "en-US"}
        yield Event("agent", text, {**data, "interruptible": interruptible})
        yield Wait(len(text) / CHARACTERS_SPOKEN_PER_SECOND, "agent-speaking")
    elif verb.tag == "Pause":
        seconds = int(verb.get("length") or 1)
        yield Event("pause", f"{seconds} s", {"seconds": seconds})
        yield Wait(seconds, "pause")
    else:  # <Play> inside a <Gather>: audio the simulator cannot render
        yield Event("note", f"plays <{verb.tag}> {(verb.text or '').strip()}")


def _reject(call: CallState, reject: etree._Element) -> Script:
    # Twilio never picks up: a busy signal ends as busy, "rejected" (not in service) as no-answer.
    reason = reject.get("reason") or "rejected"
    status = "busy" if reason == "busy" else "no-answer"
    yield from _end(call, status, f'Twilio rejected the call (<Reject reason="{reason}">)')


def _application_error(call: CallState) -> Script:
    if not call.answered:
        call.answer()  # Twilio picks up to read its apology
    yield Event("agent", APPLICATION_ERROR, {"voice": "", "language": "en-US", "interruptible": False, "twilio": True})
    yield from _end(call, "completed", "Twilio hung up after the application error")


def _progress(call: CallState, event: str) -> Script:
    """A progress status callback (initiated, ringing, answered), if the call asked for it."""
    if event in call.status_events and call.status_callback:
        status = {"answered": "in-progress"}.get(event, event)
        yield from _status_callback(call, status)


def _end(call: CallState, status: str, why: str) -> Script:
    call.status = status
    call.listening = False
    yield Event("ended", why, {"status": status})
    if "completed" in call.status_events and call.status_callback:
        yield from _status_callback(call, status)


def _status_callback(call: CallState, status: str) -> Script:
    answer = yield Post(call.status_callback, call.status_params(status), twiml=False)
    if answer.ok:
        yield Event("status", status, {"http": answer.status})
    else:
        yield Event("error", _http_failure(f"status callback ({status})", answer))


def _http_failure(what: str, answer: Answer) -> str:
    # Twilio reports every failed request as error 11200 (HTTP retrieval failure).
    if answer.status == 0:
        return f"Twilio error 11200: the {what} got no answer ({answer.error})"
    body = answer.body[:300].decode(errors="replace").strip()
    return f"Twilio error 11200: the {what} answered HTTP {answer.status}" + (f": {body}" if body else "")
