"""The reply job of a PreparedAnswer row: made once, skipped when nobody will serve it."""

import pytest
from django.utils import timezone

from agents.prepared_answers import preparation
from agents.prepared_answers.models import PreparedAnswer
from sessions_app import services
from sessions_app.models import Session
from tests.llm_standin import llm_agent_fields, llm_standin  # noqa: F401 (fixture)


@pytest.fixture
def session(agent_factory, llm_standin):  # noqa: F811
    agent = agent_factory(**llm_agent_fields(llm_standin))
    session = Session.objects.create(agent=agent, agent_name=agent.name, direction="inbound", call_sid="CA1")
    services.append_message(session.id, "agent", agent.greeting, "greeting")
    return session


def test_the_reply_is_stored_on_the_row(session, llm_standin):  # noqa: F811
    row = PreparedAnswer.objects.create(session=session, turn=1, heard="what are your hours")
    preparation.make_reply(row.pk)
    row.refresh_from_db()
    assert row.ready and row.reply == "You said: what are your hours."
    assert not row.ends_call


def test_a_ready_row_is_not_made_twice(session, llm_standin):  # noqa: F811
    row = PreparedAnswer.objects.create(session=session, turn=1, heard="hello")
    preparation.make_reply(row.pk)
    preparation.make_reply(row.pk)
    assert len(llm_standin.requests) == 1


def test_a_row_superseded_by_newer_partial_speech_is_discarded_unasked(session, llm_standin):  # noqa: F811
    older = PreparedAnswer.objects.create(session=session, turn=1, heard="i want to")
    PreparedAnswer.objects.create(session=session, turn=1, heard="i want to cancel")
    preparation.make_reply(older.pk)
    assert not PreparedAnswer.objects.filter(pk=older.pk).exists()
    assert llm_standin.requests == []


def test_a_superseded_row_the_final_result_claimed_is_still_made(session, llm_standin):  # noqa: F811
    older = PreparedAnswer.objects.create(session=session, turn=1, heard="i want to", matched_at=timezone.now())
    PreparedAnswer.objects.create(session=session, turn=1, heard="i want to cancel")
    preparation.make_reply(older.pk)
    older.refresh_from_db()
    assert older.ready


@pytest.mark.parametrize("ended", ["closed", "answered"])
def test_no_reply_is_made_for_a_call_that_ended_or_a_turn_already_answered(session, llm_standin, ended):  # noqa: F811
    row = PreparedAnswer.objects.create(session=session, turn=1, heard="hello")
    if ended == "closed":
        services.close_session(session.id, "completed")
    else:
        services.advance_turn(session.id, 1)
    preparation.make_reply(row.pk)
    assert llm_standin.requests == []
    assert not PreparedAnswer.objects.filter(pk=row.pk).exists()


def test_the_final_words_are_sent_as_spoken_when_they_match(session, llm_standin):  # noqa: F811
    services.append_message(session.id, "caller", "What are your hours?", "caller:1")
    row = PreparedAnswer.objects.create(session=session, turn=1, heard="what are your hours")
    preparation.make_reply(row.pk)
    assert llm_standin.requests[0].last_user_text == "What are your hours?"
