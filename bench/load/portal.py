"""The portal as production runs it: gunicorn on PostgreSQL, a Celery worker on Redis.

Everything it starts runs in its own process group and is stopped by `stop()`, also after an
error or Ctrl-C. The database is created here (dropped first) and dropped at the end.
"""

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
PUBLIC_BASE_URL = "https://bench.flametree.test"


@dataclass
class PortalConfig:
    port: int = 8790
    workers: int = 2
    threads: int = 4
    celery_concurrency: int = 2
    database: str = "flametree_bench"
    postgres: str = "postgresql://postgres@127.0.0.1:5432"
    redis_db: int = 14


class Portal:
    """Prepares the database, runs gunicorn and the Celery worker, and reads their /proc numbers."""

    def __init__(self, config: PortalConfig, log_dir: Path):
        self.config = config
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen] = {}
        from cryptography.fernet import Fernet

        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.load.settings",  # the product plus /bench/floor
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "SECRET_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "DATABASE_URL": f"{config.postgres}/{config.database}",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{config.redis_db}",
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "ALLOWED_HOSTS": "127.0.0.1,bench.flametree.test",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.config.port}"

    def prepare(self) -> dict:
        """A fresh database, migrated and seeded; returns the seeded line (see seed.py)."""
        self._admin_sql(
            f'DROP DATABASE IF EXISTS "{self.config.database}" WITH (FORCE)',
            f'CREATE DATABASE "{self.config.database}"',
        )
        import redis

        redis.Redis(db=self.config.redis_db).flushdb()
        self._run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"])
        return json.loads(self._run([PYTHON, "-m", "bench.load.seed"]))

    def start(self) -> None:
        c = self.config
        self._spawn(
            "gunicorn",
            [
                PYTHON, "-m", "gunicorn", "flametree_portal.wsgi",
                "--bind", f"127.0.0.1:{c.port}",
                "--workers", str(c.workers),
                "--worker-class", "gthread",
                "--threads", str(c.threads),
                "--keep-alive", "5",
                "--backlog", "2048",
            ],
        )  # fmt: skip
        self._spawn(
            "celery",
            [
                PYTHON, "-m", "celery", "-A", "flametree_portal", "worker",
                "--concurrency", str(c.celery_concurrency),
                "--loglevel", "INFO",
                "--without-gossip", "--without-mingle",
            ],
        )  # fmt: skip
        self._wait_until_ready()

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def drop_database(self) -> None:
        self._admin_sql(f'DROP DATABASE IF EXISTS "{self.config.database}" WITH (FORCE)')

    def pids(self) -> dict[str, list[int]]:
        """Each service's processes: the master (or main) process and its children."""
        children = _children_by_parent()
        found = {}
        for name, process in self.processes.items():
            pids, todo = [], [process.pid]
            while todo:
                pid = todo.pop()
                pids.append(pid)
                todo.extend(children.get(pid, []))
            found[name] = pids
        return found

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited at start:\n{self._log_tail(name)}")
            try:
                request = urllib.request.Request(self.base_url + "/bench/floor", data=b"", method="POST")
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200 and self._celery_ready():
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the portal did not start:\n{self._log_tail('gunicorn')}")

    def _celery_ready(self) -> bool:
        return "ready" in (self.log_dir / "celery.log").read_text(errors="replace")

    def _spawn(self, name: str, command: list[str]) -> None:
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 (open while the process runs)
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def _run(self, command: list[str]) -> str:
        result = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True, check=False)
        if result.returncode:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def _admin_sql(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.config.postgres}/postgres", autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def _log_tail(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else "(no log)"


def _children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    return children


def postgres_pids() -> list[int]:
    """The PostgreSQL server's processes (backends come and go with connections: look again each time)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if Path(f"/proc/{entry}/comm").read_text().strip() in ("postgres", "postmaster"):
                    pids.append(int(entry))
            except OSError:
                continue
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU these processes used so far, with their children that have exited (reaped)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime, cutime, cstime: a process's own time and that of its reaped children.
        total += sum(int(value) for value in fields[11:15])
    return total / ticks


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total
