"""Fixtures of the outbound-call tests: an API client allowed to place calls, and a call request."""

import pytest
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def api_user(db, django_user_model):
    """A portal user whose API token may place calls (the right to change agents)."""
    user = django_user_model.objects.create_user("dialer", "dialer@example.test", "dialer-password")
    user.user_permissions.add(Permission.objects.get(codename="change_agent", content_type__app_label="agents"))
    return user


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
