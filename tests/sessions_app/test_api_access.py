"""Who may read sessions through the API: token or browser login, with the right to view sessions."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.api_clients import token_client


@pytest.fixture
def session(call_factory):
    return call_factory(lines=[("agent", "Hello"), ("caller", "It's me, with private details")])


@pytest.mark.parametrize("path", ["/api/sessions", "/api/sessions/{id}"])
def test_without_credentials_the_api_answers_401_json(session, path):
    response = APIClient().get(path.format(id=session.id))

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert b"private details" not in response.content


def test_a_wrong_token_is_a_401(session):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")

    response = client.get("/api/sessions")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_a_token_reads_the_transcript(api, session):
    response = api.get(f"/api/sessions/{session.id}")

    assert response.status_code == 200
    assert [m["text"] for m in response.json()["messages"]] == ["Hello", "It's me, with private details"]


def test_the_browser_login_of_the_admin_reads_sessions_too(reader, session):
    browser = Client()
    browser.force_login(reader)

    response = browser.get("/api/sessions")

    assert response.status_code == 200
    assert response.json()["results"][0]["id"] == str(session.id)


def test_a_user_without_the_right_to_view_sessions_gets_403(django_user_model, session):
    outsider = django_user_model.objects.create_user("outsider", "outsider@example.test", "outsider-password")

    for path in ["/api/sessions", f"/api/sessions/{session.id}"]:
        response = token_client(outsider).get(path)
        assert response.status_code == 403
        assert "sessions_app.view_session" in response.json()["detail"]
        assert b"private details" not in response.content


def test_a_superuser_reads_sessions(admin_user, session):
    assert token_client(admin_user).get(f"/api/sessions/{session.id}").status_code == 200
