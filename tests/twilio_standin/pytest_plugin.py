"""pytest fixtures for the Twilio stand-in.

Enable with ``pytest_plugins = ["tests.twilio_standin.pytest_plugin"]`` in a
conftest, or ``-p tests.twilio_standin.pytest_plugin`` on the command line.

- ``twilio_standin_server`` (session): one running stand-in for the whole run;
  use its ``.env`` for worker subprocesses.
- ``twilio_standin`` (function): the same stand-in, reset, with HTTPS_PROXY /
  REQUESTS_CA_BUNDLE / NO_PROXY set in ``os.environ`` for the test's duration.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .standin import TwilioStandIn


@pytest.fixture(scope="session")
def twilio_standin_server() -> Iterator[TwilioStandIn]:
    """Start the stand-in once per test session and stop it at the end."""
    standin = TwilioStandIn().start()
    try:
        yield standin
    finally:
        standin.stop()


@pytest.fixture
def twilio_standin(twilio_standin_server: TwilioStandIn, monkeypatch: pytest.MonkeyPatch) -> Iterator[TwilioStandIn]:
    """A freshly reset stand-in with the proxy/CA environment applied."""
    twilio_standin_server.reset()
    for name, value in twilio_standin_server.env.items():
        monkeypatch.setenv(name, value)
    yield twilio_standin_server
    twilio_standin_server.reset()
