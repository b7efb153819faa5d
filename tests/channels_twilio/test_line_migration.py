"""The agent's Twilio line moves from agents to channels_twilio with every row and link.

channels_twilio 0005/0006, sessions_app 0008 and agents 0007: a database filled under the schema
before the move (connections, lines with a running snapshot, calls with transcripts, prepared
answers) is migrated, and everything is still there and still linked.
"""

import hashlib
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction

from agents.models import Agent
from agents.prepared_answers.models import PreparedAnswer
from channels_twilio.models import ChannelAttachment, TwilioConnection
from sessions_app.models import Message, Session
from tests.migrations import migrate, table_names

# The schema just before the move.
BEFORE_THE_MOVE = [
    ("agents", "0006_error_line"),
    ("channels_twilio", "0004_connection_demo"),
    ("sessions_app", "0007_prepared_answer_moves_to_agents"),
]
LINE_FIELDS = [
    "id",
    "agent_id",
    "channel_kind",
    "connection_id",
    "inbound",
    "snapshot",
    "snapshot_auth_token",
    "snapshot_taken_at",
    "snapshot_connection_id",
    "line_state",
    "last_error",
    "webhook_url",
    "registered_at",
    "registration_claimed_at",
]
SESSION_FIELDS = ["id", "agent_id", "connection_id", "attachment_id", "call_sid", "direction", "state"]
MESSAGE_FIELDS = ["id", "session_id", "sequence", "role", "text", "key"]
ANSWER_FIELDS = ["id", "session_id", "turn", "heard", "reply", "ready", "matched_at"]
SNAPSHOT_TOKEN = "f" * 32
STARTED_AT = datetime(2026, 11, 30, 2, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def schema_before_the_move():
    """The database at the schema before the move; back at every app's latest afterwards."""
    try:
        yield migrate(BEFORE_THE_MOVE)
    finally:
        migrate(None)
        ContentType.objects.clear_cache()  # the line's content type changed app under the cache


def stored_token(table: str, pk: int) -> str:
    """The snapshot's Auth Token as the database holds it (encrypted), read with plain SQL."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT snapshot_auth_token FROM {connection.ops.quote_name(table)} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def fill_old_schema(old_apps) -> dict:
    """A running agent on one line and an idle one on another, their calls, transcripts and prepared answers."""
    Connection = old_apps.get_model("channels_twilio", "TwilioConnection")
    OldAgent = old_apps.get_model("agents", "Agent")
    Line = old_apps.get_model("agents", "ChannelAttachment")
    OldSession = old_apps.get_model("sessions_app", "Session")
    OldMessage = old_apps.get_model("sessions_app", "Message")
    Answer = old_apps.get_model("agents", "PreparedAnswer")

    main = Connection.objects.create(
        name="Main line", account_sid="AC" + "a" * 32, auth_token="a" * 32, phone_number="+14155550100"
    )
    spare = Connection.objects.create(
        name="Spare line", account_sid="AC" + "b" * 32, auth_token="b" * 32, phone_number="+14155550101"
    )
    running = OldAgent.objects.create(name="Reception", state="running")
    idle = OldAgent.objects.create(name="Back office")
    live = Line.objects.create(
        agent=running,
        connection=spare,  # switched after Start: the running line stays on the snapshot's connection
        inbound=True,
        snapshot={"account_sid": "AC" + "a" * 32, "phone_number": "+14155550100", "region": "ie1", "edge": "dublin"},
        snapshot_auth_token=SNAPSHOT_TOKEN,
        snapshot_taken_at=STARTED_AT,
        snapshot_connection=main,
        line_state="live",
        webhook_url="https://portal.example.com/twilio/key/voice",
        registered_at=STARTED_AT,
        registration_claimed_at=STARTED_AT,
    )
    Line.objects.create(agent=idle, connection=main, inbound=False, line_state="error", last_error="Twilio said no")

    group = Group.objects.create(name="Line editors")
    # auth and contenttypes do not change here: their current models write these rows.
    line_type, _ = ContentType.objects.get_or_create(app_label="agents", model="channelattachment")
    permission, _ = Permission.objects.get_or_create(
        content_type=line_type, codename="change_channelattachment", defaults={"name": "Can change line"}
    )
    group.permissions.add(permission)

    for n, (line, direction) in enumerate([(live, "inbound"), (live, "outbound"), (None, "inbound")], start=1):
        session = OldSession.objects.create(
            agent=running,
            agent_name=running.name,
            connection=main,
            attachment=line,
            call_sid=f"CA{n:032d}",
            direction=direction,
            state="closed" if n == 1 else "open",
        )
        for sequence, (role, text) in enumerate([("agent", "Hello, Reception."), ("caller", "your hours?")], 1):
            OldMessage.objects.create(session=session, sequence=sequence, role=role, text=text, key=f"k{sequence}")
        heard = "your hours"
        Answer.objects.create(
            session=session,
            turn=1,
            heard=heard,
            heard_digest=hashlib.sha256(heard.encode()).hexdigest(),  # historical models skip save()
            reply="We open at nine.",
            ready=True,
            matched_at=STARTED_AT,
        )
    return {
        "lines": list(Line.objects.order_by("id").values(*LINE_FIELDS)),
        "sessions": list(OldSession.objects.order_by("call_sid").values(*SESSION_FIELDS)),
        "messages": list(OldMessage.objects.order_by("id").values(*MESSAGE_FIELDS)),
        "answers": list(Answer.objects.order_by("id").values(*ANSWER_FIELDS)),
        "connections": list(Connection.objects.order_by("id").values("id", "name", "auth_token")),
        "live_line": live.pk,
        "stored_token": stored_token("agents_channelattachment", live.pk),
    }


@pytest.mark.django_db(transaction=True)
def test_every_line_arrives_in_channels_twilio_with_its_running_snapshot_and_links(schema_before_the_move):
    before = fill_old_schema(schema_before_the_move)

    migrate(None)

    assert list(ChannelAttachment.objects.order_by("id").values(*LINE_FIELDS)) == before["lines"]
    live = ChannelAttachment.objects.get(pk=before["live_line"])
    assert live.snapshot_auth_token == SNAPSHOT_TOKEN
    assert stored_token("channels_twilio_channelattachment", live.pk) == before["stored_token"] != SNAPSHOT_TOKEN
    assert live.is_running and live.restart_needed  # switched to another connection after Start
    reception = Agent.objects.get(name="Reception")
    assert [line.pk for line in reception.attachments.all()] == [live.pk]
    main = TwilioConnection.objects.get(name="Main line")
    assert [line.pk for line in main.running_lines.all()] == [live.pk]
    assert [line.agent.name for line in main.attachments.all()] == ["Back office"]
    assert list(TwilioConnection.objects.order_by("id").values("id", "name", "auth_token")) == before["connections"]
    assert "channels_twilio_channelattachment" in table_names()
    assert "agents_channelattachment" not in table_names()


@pytest.mark.django_db(transaction=True)
def test_calls_transcripts_and_prepared_answers_keep_pointing_at_their_line(schema_before_the_move):
    before = fill_old_schema(schema_before_the_move)

    migrate(None)

    assert list(Session.objects.order_by("call_sid").values(*SESSION_FIELDS)) == before["sessions"]
    assert list(Message.objects.order_by("id").values(*MESSAGE_FIELDS)) == before["messages"]
    assert list(PreparedAnswer.objects.order_by("id").values(*ANSWER_FIELDS)) == before["answers"]
    live = ChannelAttachment.objects.get(pk=before["live_line"])
    assert sorted(session.call_sid for session in live.sessions.all()) == [f"CA{1:032d}", f"CA{2:032d}"]
    assert Session.objects.get(call_sid=f"CA{1:032d}").attachment.agent.name == "Reception"


@pytest.mark.django_db(transaction=True)
def test_after_the_move_lines_get_fresh_ids_and_keep_their_rules(schema_before_the_move):
    before = fill_old_schema(schema_before_the_move)

    migrate(None)

    main = TwilioConnection.objects.get(name="Main line")
    reception, back_office = Agent.objects.get(name="Reception"), Agent.objects.get(name="Back office")
    with pytest.raises(IntegrityError), transaction.atomic():  # attachment_once_per_agent
        ChannelAttachment.objects.create(agent=back_office, connection=main)
    line = ChannelAttachment.objects.create(agent=reception, connection=main, inbound=True)
    assert line.pk > max(row["id"] for row in before["lines"])
    new_agent = Agent.objects.create(name="Night shift")
    with pytest.raises(IntegrityError), transaction.atomic():  # one_inbound_agent_per_connection
        ChannelAttachment.objects.create(agent=new_agent, connection=main, inbound=True)
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "channels_twilio_channelattachment")
    assert {"attachment_once_per_agent", "one_inbound_agent_per_connection"} <= set(constraints)


@pytest.mark.django_db(transaction=True)
def test_a_group_allowed_to_change_lines_still_is_after_the_move(schema_before_the_move):
    fill_old_schema(schema_before_the_move)

    migrate(None)

    permissions = Group.objects.get(name="Line editors").permissions.select_related("content_type")
    assert [(p.content_type.app_label, p.codename) for p in permissions] == [
        ("channels_twilio", "change_channelattachment")
    ]


@pytest.mark.django_db(transaction=True)
def test_migrating_back_returns_the_lines_to_agents(schema_before_the_move):
    before = fill_old_schema(schema_before_the_move)
    migrate(None)

    old_apps = migrate(BEFORE_THE_MOVE)

    Line = old_apps.get_model("agents", "ChannelAttachment")
    assert list(Line.objects.order_by("id").values(*LINE_FIELDS)) == before["lines"]
    assert stored_token("agents_channelattachment", before["live_line"]) == before["stored_token"]
    assert "channels_twilio_channelattachment" not in table_names()
