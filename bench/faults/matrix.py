"""The matrix: the testbed on a started deployment, each fault played in turn, the recoveries awaited.

Imported once Django is set up (`Deployment.start()`): the faults use the portal's own code.
"""

import time
import traceback
from pathlib import Path

from . import seed
from .broker_down import BrokerDown
from .clients import AdminBrowser, CallsApi, Tally
from .db_dropped import DatabaseDropped
from .deployment import Deployment
from .forged_flood import ForgedFlood
from .lost_callbacks import LostCallbacks
from .malformed_input import MalformedInput
from .table import Row, render
from .testbed import Testbed, wait_until
from .worker_killed import WorkerKilled

__all__ = ["play", "render", "set_up"]

# While the broker and worker faults wait for their recovery, the sweeps are queued this often.
SWEEP_EVERY_SECONDS = 10
# Faults in the order they are played: the two whose recovery takes minutes (a dead run's lease
# must expire) go first, and the others run while they wait.
PLAY_ORDER = [BrokerDown, WorkerKilled, ForgedFlood, MalformedInput, LostCallbacks, DatabaseDropped]


def set_up(deployment: Deployment) -> Testbed:
    """Seed the database, serve, log the administrator in and start the agents the faults need running."""
    from agents.models import Agent

    seeded = seed.seed(deployment.llm.base_url)
    deployment.twilio.add_account(seeded.account_sid, seeded.auth_token)
    for number in seeded.numbers.values():
        deployment.twilio.add_number(seeded.account_sid, number)
    deployment.serve()
    base, public = deployment.base_url, deployment.public_base_url
    admin = AdminBrowser(base, public, seeded.admin_username, seeded.admin_password)
    testbed = Testbed(deployment, seeded, admin, CallsApi(base, public, seeded.api_token))
    admin.log_in()
    roles = seed.started_before_the_faults()
    ids = [seeded.agents[role] for role in roles]
    for agent_id in ids:
        status = admin.click(agent_id, "start", Tally(), "Start agent")
        if status != 302:
            raise RuntimeError(f"Start agent answered {status} during set-up")

    def running() -> bool:
        return Agent.objects.filter(pk__in=ids, state=Agent.State.RUNNING).count() == len(ids)

    if not wait_until(running, 60):
        states = dict(Agent.objects.filter(pk__in=ids).values_list("name", "state"))
        raise RuntimeError(f"the agents did not start (their numbers' registration): {states}")
    testbed.progress(f"deployment up; agents started: {', '.join(roles)}")
    return testbed


def play(testbed: Testbed, log_dir: Path, only: set[int] | frozenset = frozenset()) -> list[Row]:
    """Every fault (or those whose row numbers are in `only`), then the wait for the slow recoveries;
    the rows in the matrix's order."""
    faults = [fault(testbed) for fault in PLAY_ORDER if not only or int(fault.row_title.split(".")[0]) in only]
    for fault in faults:
        testbed.progress(f"playing {fault.row.fault}")
        _guarded(fault, fault.play, log_dir)
    _wait_for_recovery(testbed, faults, log_dir)
    return sorted((fault.row for fault in faults), key=lambda row: row.fault)


def _guarded(fault, step, log_dir: Path) -> None:
    """Run one step of a fault; an exception marks its row as not played to the end, and the run goes on."""
    try:
        step()
    except Exception as exc:
        fault.row.error = f"{type(exc).__name__}: {exc}"[:300]
        with open(log_dir / "bench-errors.log", "a") as log:
            traceback.print_exc(file=log)
        fault.testbed.progress(f"{fault.row.fault}: {fault.row.error} (traceback in {log_dir}/bench-errors.log)")


def _wait_for_recovery(testbed: Testbed, faults: list, log_dir: Path) -> None:
    """Queue the sweeps until every fault's recovery is done or its deadline passed; then conclude each."""
    waiting = [fault for fault in faults if hasattr(fault, "settled") and not fault.row.error]
    waiting = [fault for fault in waiting if not _settled(fault)]
    if waiting:
        testbed.progress(
            f"waiting up to {max(0, max(f.deadline for f in waiting) - time.monotonic()):.0f} s for the recovery of "
            + ", ".join(fault.row.fault.split(":")[0] for fault in waiting)
        )
    while waiting and time.monotonic() < max(fault.deadline for fault in waiting):
        testbed.deployment.run_sweeps()
        time.sleep(SWEEP_EVERY_SECONDS)
        waiting = [fault for fault in waiting if not _settled(fault)]
    for fault in faults:
        if hasattr(fault, "conclude") and not fault.row.error:
            _guarded(fault, fault.conclude, log_dir)


def _settled(fault) -> bool:
    from django.db import connections

    connections.close_all()  # a fault may have ended this process's connection
    return fault.settled()
