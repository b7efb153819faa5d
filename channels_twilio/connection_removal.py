"""Deleting a connection takes its line down: its calls in progress are hung up and their sessions closed.

Runs before the connection row goes (Django's pre_delete signal, so the admin's delete button,
a shell or a bulk delete all do it). The hang-ups go to Twilio from here, synchronously: once
the row is gone its Auth Token is gone too, and the token never travels through the broker.
"""

import logging

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from agents import agent_log
from sessions_app import services
from sessions_app.models import Session

from . import twilio_rest
from .models import TwilioConnection
from .reconciliation import access_for

logger = logging.getLogger(__name__)


@receiver(pre_delete, sender=TwilioConnection, dispatch_uid="channels_twilio.take_line_down")
def take_line_down(sender, instance: TwilioConnection, **kwargs) -> None:
    """Hang up the connection's calls, close their sessions, tell its agents the number is offline."""
    detail = f"Its connection “{instance.name}” was deleted."
    sessions = list(
        Session.objects.filter(connection=instance, state__in=Session.OPEN_STATES).select_related(
            "attachment", "connection"
        )
    )
    twilio_answers = True
    for session in sessions:
        outcome = ""
        if session.call_sid and twilio_answers:
            outcome, twilio_answers = _hang_up(session)
        elif session.call_sid:
            outcome = " Twilio could not be reached to hang it up: it ends when the caller hangs up."
        if services.close_session(session.id, Session.CloseReason.CONNECTION_DELETED, detail) and session.agent_id:
            who = (
                f"Call from {session.from_number}"
                if session.direction == Session.Direction.INBOUND
                else f"Outbound call to {session.to_number}"
            )
            agent_log.warning(session.agent_id, f"{who} closed: {detail}{outcome}")
    for attachment in instance.attachments.all():
        agent_log.warning(
            attachment.agent_id,
            f"Connection “{instance.name}” was deleted: {instance.phone_number} is offline for this agent.",
        )


def _hang_up(session: Session) -> tuple[str, bool]:
    """Hang the call up; returns what to add to the log line and whether Twilio still answers."""
    try:
        twilio_rest.hang_up(access_for(session), session.call_sid)
    except twilio_rest.TwilioError as err:
        if err.code in twilio_rest.CALL_ALREADY_OVER:
            return "", True
        logger.warning("session=%s: could not hang up call %s: %s", session.pk, session.call_sid, err)
        # An unreachable Twilio would make every further hang-up wait for its timeout too.
        return f" Could not hang up call {session.call_sid}: {err.message}", err.permanent
    return f" Call {session.call_sid} was hung up.", True
