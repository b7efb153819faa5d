"""The Twilio line's part of Start and Stop agent: snapshot and register, take offline, hang up.

agents calls these through its channel registry (see channels_twilio.apps).
"""

from django.db import transaction
from django.utils import timezone

from agents import agent_log
from flametree_portal.task_queue import QUEUE_DOWN, enqueue

from . import snapshot, webhook_urls
from .tasks import hang_up_calls, register_number


def start(attachment, problems: list[str]) -> None:
    """Snapshot the connection into the attachment and, for Inbound, register the number.

    When the registration cannot be queued, the line stays "registering" for the registration
    sweep to queue again once the broker is back, and `problems` says so to the administrator.
    """

    now = timezone.now()
    attachment.snapshot = snapshot.settings_of(attachment.connection)
    attachment.snapshot_auth_token = attachment.connection.auth_token
    attachment.snapshot_taken_at = now
    attachment.snapshot_connection = attachment.connection
    attachment.last_error = ""
    attachment.registration_claimed_at = None
    attachment.registered_at = None
    attachment.webhook_url = ""
    if attachment.connection.demo:
        _start_demo_line(attachment)
        return
    if attachment.inbound:
        attachment.line_state = attachment.LineState.REGISTERING
    else:
        attachment.line_state = attachment.LineState.LIVE  # outbound only: nothing to register
    attachment.save()
    if attachment.inbound:
        transaction.on_commit(lambda: _queue_registration(attachment, now.isoformat(), problems))


def _start_demo_line(attachment) -> None:
    """A demo line runs (its webhooks answer the Test call page) but is never registered with Twilio."""
    attachment.line_state = attachment.LineState.DEMO
    attachment.webhook_url = webhook_urls.voice_url(attachment.connection.webhook_key)
    attachment.save()
    agent_log.info(
        attachment.agent_id,
        f"{attachment.connection.phone_number} is a demo line: its credentials are made up, so it is not "
        "registered with Twilio and no real phone reaches it. Calls work through the agent's Test call page.",
    )


def _queue_registration(attachment, version: str, problems: list[str]) -> None:
    if enqueue(register_number, attachment.pk, version):
        return
    message = (
        f"Could not queue the registration of {attachment.snapshot['phone_number']}: {QUEUE_DOWN}. "
        "It is queued again automatically within a few minutes of the queue coming back, "
        "or click Start agent again."
    )
    agent_log.error(attachment.agent_id, message)
    problems.append(message)


def stop(attachment) -> None:
    """Take the line offline: webhooks find no snapshot and answer with the apology."""
    attachment.snapshot = None
    attachment.snapshot_auth_token = ""
    attachment.snapshot_taken_at = None
    attachment.snapshot_connection = None
    attachment.line_state = attachment.LineState.OFFLINE
    attachment.registration_claimed_at = None
    attachment.webhook_url = ""
    attachment.save()


def hang_up(agent_id: int, session_ids: list[str]) -> None:
    """Queue the hang-ups of the calls Stop agent closed; with the queue down, hang up here.

    No caller may wait on a dead line.
    """
    if enqueue(hang_up_calls, session_ids):
        return
    message = f"Could not queue the hang-ups: {QUEUE_DOWN}. Hanging up {len(session_ids)} call(s) now."
    agent_log.warning(agent_id, message)
    hang_up_calls(session_ids)
