"""The bench's agents and Twilio lines, an administrator and an API token, written to its own database.

One Twilio account (known to the stand-in) with one number per agent, so each fault has
lines of its own and no fault's sessions or limits mix with another's. Nothing here starts
an agent: the bench clicks Start agent in the admin, as an administrator would.
"""

import secrets
from dataclasses import dataclass

# role: (purpose, inbound, engine, Max opened sessions, started before the faults)
AGENTS = {
    "load": ("calls under load and forged requests", True, "scripted", 100_000, True),
    "lost": ("calls whose final callback is lost", True, "scripted", 5, True),
    "input": ("malformed input (an LLM agent, for long speech)", True, "llm", 1_000, True),
    "start": ("Start agent while the broker is down", True, "scripted", 100, False),
    "stop": ("Stop agent and outbound calls while the broker is down", True, "scripted", 100, True),
    "register": ("a registration whose worker is killed", True, "scripted", 100, False),
    "dial": ("a dial whose worker is killed", False, "scripted", 100, True),
}


@dataclass
class Seeded:
    admin_username: str
    admin_password: str
    api_token: str
    account_sid: str
    auth_token: str
    agents: dict[str, int]  # role -> agent id
    numbers: dict[str, str]  # role -> the line's phone number


def seed(llm_base_url: str) -> Seeded:
    """Write everything; the caller tells the Twilio stand-in about the account and numbers."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from agents.models import Agent, ScriptedAnswer
    from channels_twilio.management.commands.bootstrap_demo import DEMO_ANSWERS
    from channels_twilio.models import ChannelAttachment, TwilioConnection

    password = secrets.token_urlsafe(18)
    admin = get_user_model().objects.create_superuser("faults-admin", "faults@example.com", password)
    token = Token.objects.create(user=admin)
    account_sid, auth_token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    agents, numbers = {}, {}
    for index, (role, (purpose, inbound, engine, limit, _)) in enumerate(AGENTS.items()):
        agent = Agent.objects.create(
            name=f"Faults {role}",
            greeting="Hello, you're speaking with the Flametree demo agent. How can I help you?",
            max_opened_sessions=limit,
            engine=engine,
            llm_base_url=llm_base_url if engine == "llm" else "",
            llm_api_key="bench-key" if engine == "llm" else "",
            llm_model="bench-model" if engine == "llm" else "",
        )
        ScriptedAnswer.objects.bulk_create(
            ScriptedAnswer(agent=agent, question=q, keywords=k, answer=a) for q, k, a in DEMO_ANSWERS
        )
        number = f"+1415555{210 + index:04d}"
        connection = TwilioConnection.objects.create(
            name=f"Faults line {role} — {purpose}",
            account_sid=account_sid,
            auth_token=auth_token,
            phone_number=number,
        )
        ChannelAttachment.objects.create(agent=agent, connection=connection, inbound=inbound)
        agents[role], numbers[role] = agent.id, number
    return Seeded("faults-admin", password, token.key, account_sid, auth_token, agents, numbers)


def started_before_the_faults() -> list[str]:
    return [role for role, spec in AGENTS.items() if spec[4]]
