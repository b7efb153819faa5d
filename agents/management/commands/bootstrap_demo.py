"""Prepare a laptop portal: an administrator with a fresh random password, and a demo agent."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from agents.models import Agent, ScriptedAnswer

DEMO_ANSWERS = [
    ("What are your opening hours?", "hours, open, opening", "We are open Monday to Friday, nine to six."),
    ("Where are you located?", "address, located, where", "We are at 1 Market Street, San Francisco."),
    ("How much does it cost?", "price, cost, pricing", "Plans start at twenty dollars a month."),
    ("Can I talk to a person?", "human, person, operator", "I can take a message and a colleague will call you back."),
]


class Command(BaseCommand):
    help = "Create (or reset) the demo administrator and the demo agent, and print the credentials."

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
        self.stdout.write(
            self.style.SUCCESS(
                "\nFlametree portal: http://127.0.0.1:8000/admin/\n"
                f"  administrator: {username}\n"
                f"  password:      {password}   (new each time this command runs)\n"
                f"  demo agent:    {agent.name} (AI Agents)\n"
            )
        )
