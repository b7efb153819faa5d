"""Fault matrix: `.venv/bin/python -m bench.faults` (from the repository root).

Starts a deployment of its own (gunicorn 2 workers x 4 threads, a Celery worker, PostgreSQL
database `flametree_faults`, a Redis on a free port, the Twilio and LLM stand-ins), plays each
fault of issue 10 against it over HTTP, and prints one row per fault: requests sent, failed,
sessions or calls lost or stuck. Exits 1 if any row shows a failure or something stuck (2 if the
deployment could not be set up), so it can serve as a check. Stops all it started.
"""

import argparse
import datetime
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench.load import report

from .deployment import DATABASE, Deployment


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument("--only", default="", help="play only these faults, by row number (e.g. 4,6)")
    parser.add_argument("--keep-db", action="store_true", help=f"leave the {DATABASE} database for inspection")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    from tests.faults.own_redis import free_port

    log_dir = Path(tempfile.mkdtemp(prefix="flametree-faults-"))
    deployment = Deployment(log_dir, args.port or free_port())
    began = time.monotonic()
    print(f"Flametree portal fault matrix — {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"Machine: {report.machine()}; load average before the run: {os.getloadavg()[0]:.2f}", flush=True)
    try:
        try:
            deployment.start()  # sets Django up in this process: the matrix imports the portal's code
            from . import matrix

            testbed = matrix.set_up(deployment)
        except Exception:
            traceback.print_exc()
            print(f"\nThe deployment could not be set up; logs in {log_dir}")
            return 2
        print(
            "Deployment: gunicorn 2 workers x 4 threads (gthread), Celery worker (prefork, 2), PostgreSQL "
            f"database {DATABASE}, Redis of its own on port {deployment.redis.port}, DEBUG off, Twilio REST "
            f"stand-in through HTTPS_PROXY; logs in {log_dir}"
        )
        print(
            f"Periodic sweeps ({', '.join(deployment.sweep_names())}, from CELERY_BEAT_SCHEDULE) are queued by "
            "the bench with send_task while it waits for them, instead of waiting for beat's next tick",
            flush=True,
        )
        only = {int(number) for number in args.only.split(",") if number.strip()}
        rows = matrix.play(testbed, log_dir, only)
    finally:
        deployment.stop(keep_db=args.keep_db)
    print()
    print(matrix.render(rows))
    print(f"\nRun took {time.monotonic() - began:.0f} s; load average at the end: {os.getloadavg()[0]:.2f}")
    failing = [row.fault.split(".")[0] for row in rows if not row.passed]
    print("All rows pass." if not failing else f"Rows with failures or stuck sessions: {', '.join(failing)}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
