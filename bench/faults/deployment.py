"""The deployment the faults are played against, all of it the bench's own and on 127.0.0.1.

gunicorn (2 workers x 4 threads) and a Celery worker as `bench.load` runs them, on a PostgreSQL
database of its own (`flametree_faults`, created here and dropped at the end), a Redis of its
own on a free port (killed and restarted by the broker fault), the Twilio REST stand-in
(`tests/twilio_standin`, reached through HTTPS_PROXY) and the OpenAI-compatible stand-in
(`tests/llm_standin.py`). This process sets Django up on the same database and settings, to
seed it and to watch what the portal did.
"""

import os
import signal
import sys
import time
from pathlib import Path

from bench.load.portal import PYTHON, Portal, PortalConfig

DATABASE = "flametree_faults"
POSTGRES = "postgresql://postgres@127.0.0.1:5432"


class Deployment:
    """Starts, breaks and stops the deployment's pieces; `stop()` undoes everything `start()` did."""

    def __init__(self, log_dir: Path, port: int):
        from tests.faults.own_redis import OwnRedis
        from tests.llm_standin import LlmStandIn
        from tests.twilio_standin import TwilioStandIn

        self.log_dir = log_dir
        self.twilio = TwilioStandIn()
        self.llm = LlmStandIn()
        self.redis = OwnRedis(log_dir)
        self.portal = Portal(PortalConfig(port=port, database=DATABASE, postgres=POSTGRES), log_dir)
        self.workers_started = 0

    @property
    def base_url(self) -> str:
        return self.portal.base_url

    @property
    def public_base_url(self) -> str:
        return self.portal.env["PUBLIC_BASE_URL"]

    def start(self) -> None:
        """Stand-ins, Redis and a fresh migrated database; Django set up here on it. Serve with `serve()`."""
        self.twilio.start()
        self.llm.start()
        self.redis.start()
        self.portal.env.update({"CELERY_BROKER_URL": self.redis.url, **self.twilio.env})
        own = {k: v for k, v in self.portal.env.items() if k not in self.twilio.env}
        os.environ.update(own)  # this process: same settings, no proxy (it never calls Twilio)
        self.portal._admin_sql(
            f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)',
            f'CREATE DATABASE "{DATABASE}"',
        )
        self.portal._run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"])
        import django

        django.setup()

    def serve(self) -> None:
        """gunicorn and the first Celery worker; returns once both answer."""
        self.portal.start()
        self.workers_started = 1

    def kill_worker(self) -> None:
        """SIGKILL the running Celery worker's whole process group (main process and pool), as a crash does."""
        name = self._worker_name()
        process = self.portal.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def start_worker(self) -> None:
        """A new Celery worker on the same Redis, as the process supervisor would start after a crash."""
        self.workers_started += 1
        name = self._worker_name()
        self.portal._spawn(
            name,
            [
                PYTHON, "-m", "celery", "-A", "flametree_portal", "worker",
                "--concurrency", str(self.portal.config.celery_concurrency),
                "--loglevel", "INFO",
                "--without-gossip", "--without-mingle",
            ],
        )  # fmt: skip
        log = self.log_dir / f"{name}.log"
        deadline = time.monotonic() + 60
        while "ready" not in log.read_text(errors="replace"):
            if self.portal.processes[name].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the new Celery worker did not start:\n{log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)

    def _worker_name(self) -> str:
        return "celery" if self.workers_started <= 1 else f"celery-{self.workers_started}"

    def sweep_names(self) -> list[str]:
        """The periodic tasks of CELERY_BEAT_SCHEDULE, as the settings name them now."""
        from django.conf import settings

        return [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]

    def run_sweeps(self) -> None:
        """Queue every periodic task of CELERY_BEAT_SCHEDULE now, as beat would at its next tick."""
        from django.conf import settings

        from flametree_portal.celery import app

        for entry in settings.CELERY_BEAT_SCHEDULE.values():
            app.send_task(
                entry["task"], args=entry.get("args", ()), kwargs=entry.get("kwargs", {}), **entry.get("options", {})
            )

    def terminate_database_backends(self) -> int:
        """End every server process connected to this deployment's database (and only this one's)."""
        import psycopg

        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            row = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [DATABASE],
            ).fetchone()
        return int(row[0])

    def stop(self, keep_db: bool = False) -> None:
        """Stop every process and server started here, and drop the database (each step whatever the others did)."""
        steps = [self._close_own_connections, self.portal.stop, self.redis.kill, self.twilio.stop, self.llm.stop]
        if not keep_db:
            steps.append(self.portal.drop_database)
        for step in steps:
            try:
                step()
            except Exception as exc:  # keep cleaning up: the other pieces must stop too
                print(f"while stopping the deployment: {type(exc).__name__}: {exc}", file=sys.stderr)

    @staticmethod
    def _close_own_connections() -> None:
        from django.conf import settings

        if settings.configured:
            from django.db import connections

            connections.close_all()
