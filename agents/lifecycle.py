"""Start agent / Stop agent: each attachment's channel brings its line up or takes it offline."""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from sessions_app.models import Session

from . import agent_log, channels
from .models import Agent


def start_agent(agent_id: int) -> list[str]:
    """Snapshot every attachment and bring its line up; the agent runs once all are settled.

    Returns what went wrong that the administrator should read now (also in the agent's logs);
    the list fills once the transaction commits.
    """
    problems: list[str] = []
    with transaction.atomic():
        agent = Agent.objects.select_for_update().get(pk=agent_id)
        attachments = list(agent.attachments.select_related("connection"))
        agent.state = Agent.State.STARTING
        agent.started_at = timezone.now()
        agent.save(update_fields=["state", "started_at", "updated_at"])
        for attachment in attachments:
            channels.get(attachment.channel_kind).start(attachment, problems)
        agent_log.info(agent.id, f"Agent started with {len(attachments)} Twilio connection(s).")
        if not attachments:
            agent_log.warning(agent.id, "No communication channel is attached: the agent takes no calls.")
    transaction.on_commit(lambda: settle_started(agent_id))
    return problems


def settle_started(agent_id: int) -> None:
    """Starting → running once no attachment is still registering."""
    # Through the attachments' related name: the attachment model belongs to its channel.
    if not Agent.objects.filter(pk=agent_id, attachments__line_state="registering").exists():
        Agent.objects.filter(pk=agent_id, state=Agent.State.STARTING).update(state=Agent.State.RUNNING)


def stop_agent(agent_id: int) -> None:
    """Take every line offline and close the agent's open sessions (reason agent-stopped)."""
    with transaction.atomic():
        agent = Agent.objects.select_for_update().get(pk=agent_id)
        agent.state = Agent.State.STOPPING
        agent.save(update_fields=["state", "updated_at"])
        for attachment in agent.attachments.all():
            channels.get(attachment.channel_kind).stop(attachment)
        open_sessions = Session.objects.filter(agent_id=agent_id, state__in=Session.OPEN_STATES)
        in_call: dict[str, list[str]] = defaultdict(list)
        for pk, kind in open_sessions.filter(call_sid__isnull=False).values_list("pk", "channel_kind"):
            in_call[kind].append(str(pk))
        closed = open_sessions.update(
            state=Session.State.CLOSED, close_reason=Session.CloseReason.AGENT_STOPPED, closed_at=timezone.now()
        )
        for kind, session_ids in in_call.items():
            hang_up = channels.get(kind).hang_up
            transaction.on_commit(lambda hang_up=hang_up, session_ids=session_ids: hang_up(agent_id, session_ids))
        Agent.objects.filter(pk=agent_id).update(state=Agent.State.STOPPED)
        agent_log.info(agent_id, f"Agent stopped: its numbers are offline; {closed} open session(s) closed.")
