"""Fixtures of the sessions tests: calls recorded as the channel records them, and API clients."""

import datetime as dt
import itertools

import pytest
from rest_framework.test import APIClient

from agents.session_limit import open_session
from sessions_app import services
from sessions_app.models import Session
from tests.api_clients import token_client, user_allowed_to

_call_sids = itertools.count(1)


@pytest.fixture
def call_factory(agent_factory):
    """Record a call through the sessions services: open, say `lines` in order, close (unless still going on).

    `started` moves the session's start; `length` gives a closed call that many seconds
    between answer and hang-up.
    """

    def make(
        agent=None,
        *,
        lines=(),
        direction: str = Session.Direction.INBOUND,
        from_number: str = "+14155550100",
        to_number: str = "+14155550199",
        connection=None,
        state: str = Session.State.CLOSED,
        close_reason: str = Session.CloseReason.COMPLETED,
        started: dt.datetime | None = None,
        length: int | None = None,
    ) -> Session:
        agent = agent or agent_factory()
        opening = open_session(
            agent_id=agent.pk,
            direction=direction,
            from_number=from_number,
            to_number=to_number,
            call_sid=f"CA{next(_call_sids):032x}",
            connection_id=connection.pk if connection else None,
            state=Session.State.DIALING if state == Session.State.DIALING else Session.State.OPEN,
        )
        assert opening.accepted, "the agent's Max opened sessions refused the test call"
        session = opening.session
        for number, (role, text) in enumerate(lines, start=1):
            services.append_message(session.pk, role, text, key=f"line:{number}")
        if state == Session.State.CLOSED:
            services.close_session(session.pk, close_reason)
        if started is not None:
            Session.objects.filter(pk=session.pk).update(created_at=started)
        if length is not None:
            session.refresh_from_db()
            answered = session.answered_at or session.created_at
            Session.objects.filter(pk=session.pk).update(
                answered_at=answered, closed_at=answered + dt.timedelta(seconds=length)
            )
        session.refresh_from_db()
        return session

    return make


@pytest.fixture
def reader(db, django_user_model):
    """A portal user allowed to view sessions, and nothing else."""
    return user_allowed_to(django_user_model, "reader", "sessions_app.view_session")


@pytest.fixture
def api(reader) -> APIClient:
    """The sessions reader's token client."""
    return token_client(reader)
