"""Prepare a laptop portal: an administrator with a fresh random password, and a demo agent to call.

The demo agent answers a "Demo line (no Twilio account)": a Twilio connection with made-up
credentials, marked as a demo (the only place that sets the flag), attached with Inbound on, and
the agent started. Start takes the running snapshot, so the line's webhooks answer, but never
tries Twilio with the made-up credentials: the card shows "Demo line", and the agent's Test call
page (which plays Twilio's part over those webhooks) holds a conversation at once.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.urls import reverse

from agents import lifecycle
from agents.models import Agent, ScriptedAnswer
from channels_twilio.models import ChannelAttachment, TwilioConnection

PORTAL_URL = "http://127.0.0.1:8000"

DEMO_ANSWERS = [
    ("What are your opening hours?", "hours, open, opening", "We are open Monday to Friday, nine to six."),
    ("Where are you located?", "address, located, where", "We are at 1 Market Street, San Francisco."),
    ("How much does it cost?", "price, cost, pricing", "Plans start at twenty dollars a month."),
    ("Can I talk to a person?", "human, person, operator", "I can take a message and a colleague will call you back."),
]

DEMO_LINE_NAME = "Demo line (no Twilio account)"
DEMO_LINE_DESCRIPTION = (
    "Made by bin/run-portal so the demo agent can be tried without a Twilio account: its Test call page plays "
    "Twilio's side of a call. The credentials and number are made up, so Start does not register the number with "
    "Twilio (the agent's card shows Demo line); calls from the Test call page reach the agent. To take real calls, "
    "create a connection with your own Account SID, Auth Token and number."
)
# 555-0100 to 555-0199 are reserved for fiction: no real phone answers this number.
DEMO_LINE_NUMBER = "+14155550100"
DEMO_ACCOUNT_SID = "AC" + "0" * 32


class Command(BaseCommand):
    help = "Create (or reset) the demo administrator and the demo agent with its demo line, and print where to go."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username: str, **options):
        password = secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": ""})
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()

        agent, created = Agent.objects.get_or_create(
            name="Demo agent",
            defaults={"greeting": "Hello, you're speaking with the Flametree demo agent. How can I help you?"},
        )
        if created:
            ScriptedAnswer.objects.bulk_create(
                ScriptedAnswer(agent=agent, question=q, keywords=k, answer=a) for q, k, a in DEMO_ANSWERS
            )
        if self._demo_line(agent):
            # The line runs from the agent's next start; otherwise a stopped agent stays stopped.
            if agent.state != Agent.State.STOPPED:
                lifecycle.stop_agent(agent.id)
            lifecycle.start_agent(agent.id)
        agent.refresh_from_db()
        test_call = PORTAL_URL + reverse("admin:agents_agent_test_call", args=[agent.id])
        self.stdout.write(
            self.style.SUCCESS(
                f"\nFlametree portal: {PORTAL_URL}/admin/\n"
                f"  administrator: {username}\n"
                f"  password:      {password}   (new each time this command runs)\n"
                f"  demo agent:    {agent.name} ({agent.get_state_display().lower()}), on “{DEMO_LINE_NAME}” "
                f"{DEMO_LINE_NUMBER}\n"
                f"  test call:     {test_call}\n"
                "                 (talk to the agent in the browser; Twilio's side is simulated, no account needed)\n"
                '  or in a shell:  .venv/bin/python manage.py simulate_call "what are your opening hours" goodbye\n'
            )
        )

    def _demo_line(self, agent: Agent) -> bool:
        """Attach the demo line (Inbound on) unless the agent has one already; True if the agent must (re)start."""
        connection, _ = TwilioConnection.objects.get_or_create(
            name=DEMO_LINE_NAME,
            defaults={
                "description": DEMO_LINE_DESCRIPTION,
                "account_sid": DEMO_ACCOUNT_SID,
                "auth_token": secrets.token_hex(16),
                "phone_number": DEMO_LINE_NUMBER,
                "demo": True,
            },
        )
        if not connection.demo and connection.account_sid == DEMO_ACCOUNT_SID:
            # Made before demo lines were flagged: its line shows a failed registration until restarted as a demo.
            connection.demo = True
            connection.description = DEMO_LINE_DESCRIPTION
            connection.save(update_fields=["demo", "description", "updated_at"])
            return agent.attachments.filter(connection=connection).exists()
        if agent.attachments.filter(connection=connection).exists():
            return False
        if ChannelAttachment.objects.filter(connection=connection, inbound=True).exists():
            return False  # someone moved the demo line to another agent: leave it there
        ChannelAttachment.objects.create(agent=agent, connection=connection, inbound=True)
        return True
