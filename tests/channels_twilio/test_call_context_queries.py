"""Every webhook resolves its call first, so that lookup stays one query (bench/README.md: the load benchmark)."""

import uuid

from agents.session_limit import open_session
from channels_twilio import call_context
from sessions_app.models import Session


def test_a_call_in_progress_is_resolved_in_one_query(running_line, django_assert_num_queries):
    line = running_line()
    opening = open_session(
        agent_id=line.agent_id,
        direction=Session.Direction.INBOUND,
        from_number="+14155550199",
        to_number=line.connection.phone_number,
        call_sid="CA" + "1" * 32,
        connection_id=line.connection_id,
        attachment_id=line.id,
    )
    key = line.connection.webhook_key
    with django_assert_num_queries(1):
        ctx = call_context.resolve(key, str(opening.session.id))
        agent_id = ctx.attachment.agent.pk  # loaded with it
    assert (ctx.session, ctx.attachment, ctx.connection) == (opening.session, line, line.connection)
    assert agent_id == line.agent_id and ctx.tokens == [line.connection.auth_token]


def test_a_new_call_is_resolved_in_one_query(running_line, django_assert_num_queries):
    line = running_line()
    key = line.connection.webhook_key
    with django_assert_num_queries(1):
        ctx = call_context.resolve(key, None)
        agent_id = ctx.attachment.agent.pk
    assert (ctx.attachment, ctx.connection, ctx.session) == (line, line.connection, None)
    assert agent_id == line.agent_id


def test_an_unknown_session_still_finds_the_connection(running_line):
    line = running_line()
    for session_id in (str(uuid.uuid4()), "not-a-uuid"):
        ctx = call_context.resolve(line.connection.webhook_key, session_id)
        assert ctx.connection == line.connection and ctx.session is None and ctx.attachment is None
        assert ctx.tokens == [line.connection.auth_token]


def test_an_unknown_connection_resolves_to_nothing(db):
    ctx = call_context.resolve(uuid.uuid4(), None)
    assert ctx.connection is None and ctx.tokens == []
