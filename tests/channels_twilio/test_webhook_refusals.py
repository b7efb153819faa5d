"""Requests refused for their signature are counted and summarised: a flood of them grows no table."""

import time
from datetime import timedelta
from urllib.parse import urlencode

from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agents.models import AgentLogEntry
from channels_twilio import refusals, webhook_urls
from channels_twilio.models import WebhookRefusals
from sessions_app.models import Message, Session


def forged_post(client, url: str, n: int = 0):
    params = {"CallSid": f"CA{n:032x}", "From": "+15005550006", "To": "+14155550100"}
    return client.post(
        url.removeprefix("https://portal.example.test"),
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE="bm90IHRoZSByaWdodCBzaWduYXR1cmU=",
    )


def row_counts() -> dict[str, int]:
    tables = db_connection.introspection.table_names()
    with db_connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (names from the introspection)
            counts[table] = cursor.fetchone()[0]
    return counts


def test_a_flood_of_forged_requests_is_counted_in_one_row_and_logged_once(client, running_line, monkeypatch):
    monkeypatch.setattr(refusals, "WRITE_EVERY_SECONDS", 0.3)
    line = running_line()
    voice = webhook_urls.voice_url(line.connection.webhook_key)
    forged_post(client, voice)
    before = row_counts()
    started = time.monotonic()

    with CaptureQueriesContext(db_connection) as queries:
        for n in range(1, 300):
            assert forged_post(client, voice, n).status_code == 403
    flood_seconds = time.monotonic() - started
    time.sleep(0.3)
    forged_post(client, voice, 300)

    assert row_counts() == before, "refused requests wrote rows"
    refusals_row = WebhookRefusals.objects.get(connection=line.connection, webhook="voice")
    assert refusals_row.count == 301
    writes = [q for q in queries.captured_queries if q["sql"].startswith('UPDATE "channels_twilio_webhookrefusals"')]
    assert len(writes) <= flood_seconds / 0.3 + 2, "a refusal should not write the counter row each time"
    summaries = AgentLogEntry.objects.filter(agent_id=line.agent_id, message__startswith="Refused")
    assert [entry.message.split(" request(s)")[0] for entry in summaries] == ["Refused 1"]
    assert "X-Twilio-Signature" in summaries[0].message and "once an hour" in summaries[0].message
    assert not Session.objects.exists() and not Message.objects.exists()


def test_the_next_summary_an_hour_later_says_how_many_were_refused_since(client, running_line, monkeypatch):
    line = running_line()
    status = webhook_urls.status_url(line.connection.webhook_key)
    monkeypatch.setattr(refusals, "WRITE_EVERY_SECONDS", 0)
    for n in range(5):
        forged_post(client, status, n)
    WebhookRefusals.objects.update(logged_at=timezone.now() - timedelta(hours=2))

    forged_post(client, status, 99)

    summaries = list(
        AgentLogEntry.objects.filter(agent_id=line.agent_id, message__startswith="Refused")
        .order_by("id")
        .values_list("message", flat=True)
    )
    assert [m.split(" request(s)")[0] for m in summaries] == ["Refused 1", "Refused 5"]
    assert "call status webhook" in summaries[-1]


def test_requests_for_an_unknown_connection_key_write_nothing(client, db):
    before = row_counts()
    url = webhook_urls.voice_url("00000000-0000-4000-8000-000000000000")
    for n in range(20):
        assert forged_post(client, url, n).status_code == 200  # the offline apology, and nothing else
    assert row_counts() == before
