"""Test settings: production settings with a fixed public URL and fast retries."""

import os

os.environ.setdefault("PUBLIC_BASE_URL", "https://portal.example.test")

from flametree_portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TWILIO_RETRY_BASE_SECONDS = 0.05
TWILIO_HTTP_TIMEOUT = 5.0
# Tests run tasks in-process unless a test starts the real worker (tests/worker.py).
CELERY_TASK_ALWAYS_EAGER = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One file per test run, so parallel runs (and a Celery worker started by the tests,
    # which inherits TEST_SQLITE_NAME) share the right database and nothing else.
    (BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405  (ignored by git: absent in a fresh clone)
    os.environ.setdefault("TEST_SQLITE_NAME", str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3"))  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_SQLITE_NAME"]}  # noqa: F405

# A Celery worker started by tests/worker.py uses the test database of the run that started it.
if os.environ.get("TEST_WORKER_DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["TEST_WORKER_DATABASE_NAME"]  # noqa: F405
