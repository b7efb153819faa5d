"""Fixtures of the Twilio channel's tests: a call to a running line, driven like Twilio."""

import pytest

from tests.call_driver import CallDriver


@pytest.fixture
def call(signed_post, running_line):
    """A call to a running inbound line; `call.attachment` is the line."""

    def make(**line_options) -> CallDriver:
        attachment = running_line(**line_options)
        driver = CallDriver(signed_post, attachment.connection)
        driver.attachment = attachment
        return driver

    return make
