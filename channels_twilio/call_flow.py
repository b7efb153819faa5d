"""The spoken conversation of a call, one webhook at a time.

Each function takes the resolved `CallContext` and Twilio's parameters (checked and cleaned
by `webhook_input`), writes through the sessions services, and returns the TwiML to answer
with. No state is kept between requests except in the database.
"""

import logging

from twilio.twiml.voice_response import VoiceResponse

from agents import agent_log, session_limit, spoken_lines
from agents.engines import Reply, engine_for
from agents.prepared_answers import claims, partial_speech, reply_pickup
from sessions_app import services
from sessions_app.models import Message, Session

from . import twiml, webhook_urls
from .call_context import CallContext
from .webhook_input import CallFields, PartialSpeech

logger = logging.getLogger(__name__)

# Unanswered prompts in a row after which the agent ends the call.
MAX_SILENT_PROMPTS = 3
ENDED_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}


def answer_call(ctx: CallContext, call: CallFields) -> VoiceResponse:
    """The call webhook: open (or, for outbound, find) the session and greet the caller."""
    if ctx.session is not None and ctx.session.direction == Session.Direction.OUTBOUND:
        return _answer_outbound(ctx, call)
    if ctx.attachment is None:
        return _offline(ctx, call)
    agent = ctx.attachment.agent
    opening = session_limit.open_session(
        agent_id=agent.id,
        direction=Session.Direction.INBOUND,
        from_number=call.from_number,
        to_number=call.to_number,
        call_sid=call.call_sid or None,
        connection_id=ctx.connection.id,
        attachment_id=ctx.attachment.id,
    )
    if not opening.accepted:
        if opening.created:
            agent_log.warning(
                agent.id,
                f"Call from {call.from_number or 'unknown'} rejected as busy: the agent already holds "
                f"its Max opened sessions ({agent.max_opened_sessions}).",
            )
        return twiml.reject_busy()
    return _greet(ctx, opening.session)


def _answer_outbound(ctx: CallContext, call: CallFields) -> VoiceResponse:
    session = ctx.session
    if call.call_sid:
        services.set_call_sid(session.id, call.call_sid)
    if ctx.attachment is None:
        services.close_session(session.id, Session.CloseReason.AGENT_STOPPED)
        return offline_apology(ctx)
    if session.is_closed:
        return twiml.say_and_hang_up("")
    services.mark_answered(session.id)
    return _greet(ctx, session)


def _offline(ctx: CallContext, call: CallFields) -> VoiceResponse:
    message = (
        f"Call from {call.from_number or 'unknown'} to {call.to_number or 'unknown'} got the offline "
        "apology: no running agent answers this number (agent stopped, Inbound off, or detached)."
    )
    agent_ids = list(ctx.connection.attachments.values_list("agent_id", flat=True)) if ctx.connection else []
    for agent_id in agent_ids:
        agent_log.warning(agent_id, message)
    if not agent_ids:
        logger.warning("connection=%s %s", ctx.connection.pk if ctx.connection else None, message)
    return offline_apology(ctx)


def offline_apology(ctx: CallContext) -> VoiceResponse:
    """The apology of a line no running agent answers, then hang up: in the running snapshot's
    voice if there still is one, else in the connection's own voice and language; Twilio's
    default voice and English when the webhook key matches no connection."""
    if ctx.attachment is not None:
        voice, language = ctx.snapshot["voice"], ctx.snapshot["language"]
    elif ctx.connection is not None:
        voice, language = ctx.connection.effective_voice, ctx.connection.effective_language
    else:
        return twiml.offline_apology()
    agent = _agent_of_line(ctx)
    overrides = agent.spoken_line_overrides if agent else None
    return twiml.offline_apology(voice=voice, language=language, overrides=overrides)


def _agent_of_line(ctx: CallContext):
    """The agent whose wording the offline apology takes: the call's, else the one attached to
    the number (the inbound one first)."""
    if ctx.attachment is not None:
        return ctx.attachment.agent
    if ctx.session is not None:
        return ctx.session.agent
    attachment = ctx.connection.attachments.select_related("agent").order_by("-inbound", "pk").first()
    return attachment.agent if attachment else None


def _line(ctx: CallContext, name: str) -> str:
    """A built-in line of a running call, in the snapshot's language or the agent's own wording."""
    return spoken_lines.line(name, ctx.snapshot["language"], ctx.attachment.agent.spoken_line_overrides)


def _greet(ctx: CallContext, session: Session) -> VoiceResponse:
    greeting = services.find_message(session.id, "greeting")
    if greeting is None:
        text = engine_for(ctx.attachment.agent).greeting()
        greeting = services.append_message(session.id, Message.Role.AGENT, text, "greeting")
    return _converse(ctx, session, greeting.text, turn=session.turn + 1)


def _converse(ctx: CallContext, session: Session, text: str, turn: int) -> VoiceResponse:
    snap = ctx.snapshot
    key = ctx.connection.webhook_key
    return twiml.converse(
        text,
        voice=snap["voice"],
        language=snap["language"],
        speech_model=snap["speech_model"],
        action=webhook_urls.gather_url(key, session.id, turn),
        partial_callback=webhook_urls.partial_url(key, session.id, turn),
    )


def _settled_turn(ctx: CallContext, turn: int) -> VoiceResponse | None:
    """The answer when the turn needs no new reply: no session, agent stopped, already answered
    (Twilio retried the request: the same answer again), or the call is over."""
    session = ctx.session
    if session is None:
        return offline_apology(ctx)
    if ctx.attachment is None:
        services.close_session(session.id, Session.CloseReason.AGENT_STOPPED)
        return offline_apology(ctx)
    answered = services.find_message(session.id, f"agent:{turn}")
    if answered is not None:
        return _speak_reply(ctx, session, Reply(answered.text, session.close_reason == "agent-hung-up"), turn)
    if session.is_closed:
        return twiml.say_and_hang_up("")
    return None


def take_turn(ctx: CallContext, speech: str, turn: int) -> VoiceResponse:
    """The Gather action: the caller finished speaking (`speech`) or stayed silent ("")."""
    if (settled := _settled_turn(ctx, turn)) is not None:
        return settled
    session = ctx.session
    if not speech:
        return _prompt_silent_caller(ctx, session, turn)
    # Two Gather actions of one turn with different speech (a retry after a recognition
    # update) answer the same line: the one the transcript holds.
    heard = services.append_message(session.id, Message.Role.CALLER, speech, f"caller:{turn}")
    reply = reply_pickup.answer_final(session, ctx.attachment.agent, turn, heard.text)
    if reply is None:  # not ready in a few seconds: a filler, then Twilio comes back for it
        return _hold(ctx, session, turn, holds=0)
    return _finish_turn(ctx, session, reply, turn)


def pick_up_reply(ctx: CallContext, turn: int, holds: int) -> VoiceResponse:
    """The reply webhook: Twilio, redirected after a filler, comes back for a slow reply."""
    if (settled := _settled_turn(ctx, turn)) is not None:
        return settled
    session = ctx.session
    heard = services.find_message(session.id, f"caller:{turn}")
    if heard is None:  # nothing was said in this turn: listen again
        return _converse(ctx, session, "", turn)
    reply = reply_pickup.pick_up(session, ctx.attachment.agent, turn, heard, holds)
    if reply is None:
        return _hold(ctx, session, turn, holds)
    return _finish_turn(ctx, session, reply, turn)


def _finish_turn(ctx: CallContext, session: Session, reply: Reply, turn: int) -> VoiceResponse:
    said = services.append_message(session.id, Message.Role.AGENT, reply.text, f"agent:{turn}")
    services.advance_turn(session.id, turn)
    claims.discard_turn(session.id, turn)
    # A concurrent request may have written the line first: say what the transcript holds.
    return _speak_reply(ctx, session, Reply(said.text, reply.ends_call), turn)


def _hold(ctx: CallContext, session: Session, turn: int, holds: int) -> VoiceResponse:
    # Fillers stay out of the transcript: they carry nothing, and a model reading the
    # transcript as history would take them for answers.
    return twiml.hold_then_redirect(
        _line(ctx, "filler") if holds == 0 else "",
        voice=ctx.snapshot["voice"],
        language=ctx.snapshot["language"],
        redirect_url=webhook_urls.reply_url(ctx.connection.webhook_key, session.id, turn, wait=holds + 1),
    )


def _speak_reply(ctx: CallContext, session: Session, reply: Reply, turn: int) -> VoiceResponse:
    if reply.ends_call:
        services.close_session(session.id, Session.CloseReason.AGENT_HUNG_UP)
        return twiml.say_and_hang_up(reply.text, voice=ctx.snapshot["voice"], language=ctx.snapshot["language"])
    return _converse(ctx, session, reply.text, turn + 1)


def _prompt_silent_caller(ctx: CallContext, session: Session, turn: int) -> VoiceResponse:
    silent = services.count_silence(session.id)
    if silent >= MAX_SILENT_PROMPTS:
        goodbye = _line(ctx, "silence_goodbye")
        services.append_message(session.id, Message.Role.AGENT, goodbye, "silence-goodbye")
        services.close_session(session.id, Session.CloseReason.SILENCE)
        return twiml.say_and_hang_up(goodbye, voice=ctx.snapshot["voice"], language=ctx.snapshot["language"])
    reprompt = _line(ctx, "reprompt")
    services.append_message(session.id, Message.Role.AGENT, reprompt, f"reprompt:{turn}:{silent}")
    return _converse(ctx, session, reprompt, turn)


def note_partial(ctx: CallContext, partial: PartialSpeech, turn: int) -> None:
    """partialResultCallback: keep the newest partial transcript of the turn, and start
    preparing the reply once it is stable (cheap: the model is never called here)."""
    if ctx.session is None or ctx.attachment is None:
        return
    # Twilio does not promise a space between the stable and the unstable part.
    text = " ".join(f"{partial.stable} {partial.unstable}".split())
    previous = ctx.session.partial_text
    if services.record_partial(ctx.session.id, turn, partial.sequence, text):
        partial_speech.consider_partial(
            ctx.session,
            ctx.attachment.agent,
            turn,
            text,
            unstable=partial.unstable,
            previous=previous,
        )


def note_status(ctx: CallContext, call: CallFields) -> None:
    """Status callback: answered opens an outbound session, an ended call closes it."""
    status = call.status
    session = ctx.session
    call_sid = call.call_sid
    if session is None and call_sid:
        session = Session.objects.filter(channel_kind="twilio", call_sid=call_sid, connection=ctx.connection).first()
    if session is None:
        return
    if call_sid and not session.call_sid:
        services.set_call_sid(session.id, call_sid)
    if status in ("in-progress", "answered"):
        services.mark_answered(session.id)
    elif status in ENDED_STATUSES:
        services.close_session(session.id, status)
