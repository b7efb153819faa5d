"""Fixtures of the outbound-call tests: an API client allowed to place calls, and a call request."""

import pytest
from rest_framework.test import APIClient

from tests.api_clients import token_client, user_allowed_to


@pytest.fixture
def api_user(db, django_user_model):
    """A portal user whose API token may place calls (the right to change agents)."""
    return user_allowed_to(django_user_model, "dialer", "agents.change_agent")


@pytest.fixture
def api(api_user) -> APIClient:
    return token_client(api_user)


@pytest.fixture
def place(api, django_capture_on_commit_callbacks):
    """POST a call request; the dial task runs (in-process) once the request's transaction commits."""

    def post(agent_id: int, to: str = "+15005550006", connection=None, client=None, path=None):
        body = {"to": to}
        if connection is not None:
            body["connection"] = connection
        with django_capture_on_commit_callbacks(execute=True):
            return (client or api).post(path or f"/api/agents/{agent_id}/calls", body, format="json")

    return post


@pytest.fixture
def outbound_line(running_line):
    """A running outbound-only attachment (Inbound off): its number is in the stand-in account."""

    def make(**options):
        return running_line(inbound=False, **options)

    return make
