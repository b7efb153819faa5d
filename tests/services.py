"""Fixtures for the real services CI provides (Redis, a Celery worker, Chromium).

Locally, without them, these tests are skipped with the reason; with REQUIRE_SERVICES=1
(as .ci/run sets) a missing service fails the run instead.
"""

import os

import pytest

REQUIRED = os.environ.get("REQUIRE_SERVICES") == "1"


def missing_service(reason: str):
    """Skip locally, fail loudly in CI."""
    if REQUIRED:
        pytest.fail(f"required service missing: {reason}", pytrace=False)
    pytest.skip(reason)
