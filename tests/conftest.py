"""Shared fixtures: factories for connections, agents and attachments; Twilio-signed requests."""

import itertools
import secrets
import socket
from urllib.parse import urlencode

import pytest
from django.conf import settings
from twilio.request_validator import RequestValidator

from agents import lifecycle
from agents.models import Agent
from channels_twilio.models import ChannelAttachment, TwilioConnection

pytest_plugins = ["tests.twilio_standin.pytest_plugin", "tests.worker"]


@pytest.fixture(scope="session")
def refusing_proxy():
    """A proxy address where every connection is refused (a port bound, never listening)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(autouse=True)
def no_real_twilio(refusing_proxy, monkeypatch):
    """No test reaches the real Twilio: without the stand-in (which sets its own proxy), Twilio is unreachable."""
    for name in ("HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(name, refusing_proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "localhost,127.0.0.1")


_numbers = itertools.count(1)


def new_account_sid() -> str:
    return "AC" + secrets.token_hex(16)


def new_auth_token() -> str:
    return secrets.token_hex(16)


@pytest.fixture
def connection_factory(db):
    def make(**fields) -> TwilioConnection:
        n = next(_numbers)
        values = {
            "name": f"Support line {n}",
            "account_sid": new_account_sid(),
            "auth_token": new_auth_token(),
            "phone_number": f"+1415555{n:04d}",
        }
        values.update(fields)
        return TwilioConnection.objects.create(**values)

    return make


@pytest.fixture
def agent_factory(db):
    def make(**fields) -> Agent:
        n = next(_numbers)
        values = {"name": f"Agent {n}", "greeting": "Hello, this is Flametree. How can I help?"}
        values.update(fields)
        return Agent.objects.create(**values)

    return make


@pytest.fixture
def attachment_factory(db, agent_factory, connection_factory):
    def make(agent=None, connection=None, inbound=True) -> ChannelAttachment:
        return ChannelAttachment.objects.create(
            agent=agent or agent_factory(), connection=connection or connection_factory(), inbound=inbound
        )

    return make


@pytest.fixture
def running_line(attachment_factory, twilio_standin, django_capture_on_commit_callbacks):
    """An inbound attachment whose agent was started and whose number is registered on the stand-in."""

    def make(inbound=True, agent=None, connection=None, **agent_fields) -> ChannelAttachment:
        attachment = attachment_factory(agent=agent, connection=connection, inbound=inbound)
        if agent_fields:
            Agent.objects.filter(pk=attachment.agent_id).update(**agent_fields)
        conn = attachment.connection
        twilio_standin.add_account(conn.account_sid, conn.auth_token, region=conn.region or "us1")
        twilio_standin.add_number(conn.account_sid, conn.phone_number)
        with django_capture_on_commit_callbacks(execute=True):
            lifecycle.start_agent(attachment.agent_id)
        attachment.refresh_from_db()
        return attachment

    return make


def twilio_signature(auth_token: str, url: str, params: dict) -> str:
    """The X-Twilio-Signature Twilio would send for this POST."""
    return RequestValidator(auth_token).compute_signature(url, params)


def make_signed_post(client):
    """A function that POSTs form `params` to an absolute URL on PUBLIC_BASE_URL, signed like Twilio."""

    def post(url: str, params: dict, auth_token: str, **extra):
        assert url.startswith(settings.PUBLIC_BASE_URL), url
        path = url[len(settings.PUBLIC_BASE_URL) :]
        return client.post(
            path,
            urlencode(params),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=twilio_signature(auth_token, url, params),
            **extra,
        )

    return post


@pytest.fixture
def signed_post(client):
    return make_signed_post(client)
