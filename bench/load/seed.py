"""Seeds the benchmark database: a running agent with the demo answers on one inbound line.

Run in the portal's environment (`python -m bench.load.seed`); prints the line as JSON for the
load generator, including the Auth Token it signs with (a throwaway one, for this database).
"""

import json

import django


def main() -> None:
    django.setup()
    import secrets

    from django.conf import settings
    from django.utils import timezone

    from agents.models import Agent, ScriptedAnswer
    from channels_twilio import snapshot, webhook_urls
    from channels_twilio.management.commands.bootstrap_demo import DEMO_ANSWERS
    from channels_twilio.models import ChannelAttachment, TwilioConnection

    agent = Agent.objects.create(
        name="Bench agent",
        greeting="Hello, you're speaking with the Flametree demo agent. How can I help you?",
        max_opened_sessions=100_000,  # the benchmark measures the server, not the agent's limit
    )
    ScriptedAnswer.objects.bulk_create(
        ScriptedAnswer(agent=agent, question=q, keywords=k, answer=a) for q, k, a in DEMO_ANSWERS
    )
    connection = TwilioConnection.objects.create(
        name="Bench line",
        account_sid="AC" + secrets.token_hex(16),
        auth_token=secrets.token_hex(16),
        phone_number="+14155550100",
    )
    line = ChannelAttachment.objects.create(agent=agent, connection=connection, inbound=True)
    # Start agent's snapshot, without queuing the number's registration: Twilio is not reachable
    # from here, and registering changes nothing for the webhooks under load.
    now = timezone.now()
    line.snapshot = snapshot.settings_of(connection)
    line.snapshot_auth_token = connection.auth_token
    line.snapshot_taken_at = now
    line.snapshot_connection = connection  # webhooks find a running line through its snapshot's connection
    line.line_state = ChannelAttachment.LineState.LIVE
    line.save()
    Agent.objects.filter(pk=agent.pk).update(state=Agent.State.RUNNING, started_at=now)
    key = connection.webhook_key
    print(
        json.dumps(
            {
                "public_base_url": settings.PUBLIC_BASE_URL,
                "account_sid": connection.account_sid,
                "auth_token": connection.auth_token,
                "number": connection.phone_number,
                "voice_url": webhook_urls.voice_url(key),
                "status_url": webhook_urls.status_url(key),
            }
        )
    )


if __name__ == "__main__":
    main()
