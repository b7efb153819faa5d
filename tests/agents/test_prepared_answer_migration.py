"""Prepared answers move from sessions_app to agents with every row (agents 0004, sessions_app 0007)."""

import hashlib
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from agents.prepared_answers.models import PreparedAnswer
from tests.migrations import migrate, table_names

# The schema just before the move.
BEFORE_THE_MOVE = [("sessions_app", "0006_session_twilio_checked_at"), ("agents", "0003_agent_spoken_lines")]
FIELDS = [
    "id",
    "session_id",
    "turn",
    "heard",
    "heard_digest",
    "reply",
    "ends_call",
    "ready",
    "created_at",
    "matched_at",
]


@pytest.fixture
def schema_before_the_move():
    """The database at the schema before the move; back at every app's latest afterwards."""
    try:
        yield migrate(BEFORE_THE_MOVE)
    finally:
        migrate(None)


def prepared_rows(old_apps) -> list[dict]:
    """Two calls with prepared answers in every state, written with the models of the old schema."""
    Agent = old_apps.get_model("agents", "Agent")
    Session = old_apps.get_model("sessions_app", "Session")
    Answer = old_apps.get_model("sessions_app", "PreparedAnswer")
    agent = Agent.objects.create(name="Before the move", engine="llm")
    first = Session.objects.create(agent=agent, agent_name=agent.name, direction="inbound", call_sid="CA" + "1" * 32)
    second = Session.objects.create(agent=agent, agent_name=agent.name, direction="outbound", call_sid="CA" + "2" * 32)
    claimed_at = datetime(2026, 11, 30, 2, 30, 15, 123456, tzinfo=UTC)
    long_speech = "tell me about my order " * 400
    for session, turn, heard, reply, ends_call, ready, matched_at in [
        (first, 1, "what are your hours", "We open at nine.", False, True, claimed_at),
        (first, 2, "i want to", "", False, False, None),  # prepared from partial speech, not claimed
        (first, 2, "i want to cancel", "", False, False, None),
        (second, 1, long_speech.strip(), "Let me look.", False, True, claimed_at),
        (second, 2, "goodbye", "Thank you for calling. Goodbye!", True, True, claimed_at),
    ]:
        Answer.objects.create(
            session=session,
            turn=turn,
            heard=heard,
            heard_digest=hashlib.sha256(heard.encode()).hexdigest(),  # historical models skip save()
            reply=reply,
            ends_call=ends_call,
            ready=ready,
            matched_at=matched_at,
        )
    return list(Answer.objects.order_by("id").values(*FIELDS))


@pytest.mark.django_db(transaction=True)
def test_every_prepared_answer_arrives_in_agents_with_its_fields_and_session(schema_before_the_move):
    before = prepared_rows(schema_before_the_move)

    migrate(None)

    assert list(PreparedAnswer.objects.order_by("id").values(*FIELDS)) == before
    sessions = {row.pk: row.session.call_sid for row in PreparedAnswer.objects.select_related("session")}
    assert sorted(set(sessions.values())) == ["CA" + "1" * 32, "CA" + "2" * 32]
    assert "agents_preparedanswer" in table_names()
    assert "sessions_app_preparedanswer" not in table_names()


@pytest.mark.django_db(transaction=True)
def test_after_the_move_new_prepared_answers_get_fresh_ids_and_stay_unique_per_turn(schema_before_the_move):
    before = prepared_rows(schema_before_the_move)

    migrate(None)

    row = PreparedAnswer.objects.create(session_id=before[0]["session_id"], turn=3, heard="and on sundays")
    assert row.pk > max(old["id"] for old in before)
    with pytest.raises(IntegrityError), transaction.atomic():
        PreparedAnswer.objects.create(session_id=before[0]["session_id"], turn=3, heard="and on sundays")


@pytest.mark.django_db(transaction=True)
def test_migrating_back_returns_the_rows_to_sessions_app(schema_before_the_move):
    before = prepared_rows(schema_before_the_move)
    migrate(None)

    old_apps = migrate(BEFORE_THE_MOVE)

    Answer = old_apps.get_model("sessions_app", "PreparedAnswer")
    assert list(Answer.objects.order_by("id").values(*FIELDS)) == before
    assert "agents_preparedanswer" not in table_names()
