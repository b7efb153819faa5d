"""Fixtures of the simulator tests: a running line with the demo agent's answers, served over real HTTP."""

import pytest

from agents.models import ScriptedAnswer
from channels_twilio.management.commands.bootstrap_demo import DEMO_ANSWERS


@pytest.fixture
def demo_line(running_line, live_server):
    """A running inbound line whose agent answers like the demo agent; the portal listens at live_server."""

    def make(**options):
        line = running_line(**options)
        ScriptedAnswer.objects.bulk_create(
            ScriptedAnswer(agent=line.agent, question=q, keywords=k, answer=a) for q, k, a in DEMO_ANSWERS
        )
        return line

    return make


def transcript(session) -> list[tuple[str, str]]:
    return list(session.messages.order_by("sequence").values_list("role", "text"))
