"""Fault 4: the database drops the portal's connections while calls run (a restart, a failover).

Callers on the line at a phone call's pace (bench.load's held calls: partial results word by
word, the Gather's speech timeout, the agent's speech taking its time) while, every two
seconds, every server process connected to this deployment's database is ended with
pg_terminate_backend (only backends of `flametree_faults`: the server itself and other
databases are left alone). What must hold: 0 failed webhooks after the first request on each
connection — a request in flight on a connection while it is being ended may fail, no other —
and every call that ended has its session closed.
"""

import asyncio
import threading
import time

from bench.load import traffic

from .table import Row
from .testbed import Testbed

CALLERS = 40
RAMP_SECONDS = 3.0
HOLD_SECONDS = 20.0
DROP_EVERY_SECONDS = 2.0


class DatabaseDropped:
    row_title = "4. Database connections dropped under load (pg_terminate_backend every 2 s)"

    def __init__(self, testbed: Testbed):
        self.testbed = testbed
        self.row = Row(self.row_title)
        self.deadline = 0.0

    def play(self) -> None:
        from django.db import connections

        from channels_twilio import webhook_urls
        from sessions_app.models import Session

        bed, tally = self.testbed, self.row.tally
        attachment = bed.attachment("load")
        key = attachment.snapshot_connection.webhook_key
        line = traffic.Line(
            {
                "public_base_url": bed.deployment.public_base_url,
                "account_sid": attachment.snapshot["account_sid"],
                "auth_token": attachment.snapshot_auth_token,
                "number": attachment.snapshot["phone_number"],
                "voice_url": webhook_urls.voice_url(key),
                "status_url": webhook_urls.status_url(key),
            },
            bed.deployment.base_url,
        )
        agent_id = bed.seeded.agents["load"]
        open_before = Session.objects.filter(agent_id=agent_id, state__in=Session.OPEN_STATES).count()
        stop = threading.Event()
        rounds: list[tuple[float, float, int]] = []  # (began, finished, backends ended)

        def drop_connections() -> None:
            while not stop.wait(DROP_EVERY_SECONDS):
                began = time.monotonic()
                ended = bed.deployment.terminate_database_backends()
                rounds.append((began, time.monotonic(), ended))

        dropper = threading.Thread(target=drop_connections, name="drop-database-connections", daemon=True)
        bed.progress(f"database dropped: {CALLERS} callers for {HOLD_SECONDS:g} s, backends ended every 2 s")
        dropper.start()
        try:
            recorder, _, _ = asyncio.run(traffic.held_calls(line, CALLERS, RAMP_SECONDS, HOLD_SECONDS))
        finally:
            stop.set()
            dropper.join()
        connections.close_all()  # this process's own connection was ended too
        at_a_drop = 0
        for sample in recorder.samples:
            # The matrix allows the request in flight on a connection when it is ended (the first
            # request on that connection after the drop); any other failure counts.
            dropped_under_it = any(b <= sample.at and sample.at - sample.seconds <= f for b, f, _ in rounds)
            at_a_drop += not sample.ok and dropped_under_it
            # bench.load's recorder keeps whether the answer was a 2xx, not its status
            tally.count(f"{sample.kind} webhook", 200 if sample.ok else -1, sample.ok or dropped_under_it)
        for refusal in recorder.refusals:
            tally.failed += 1
            if len(tally.examples) < 3:
                tally.examples.append(refusal[:200])
        open_after = Session.objects.filter(agent_id=agent_id, state__in=Session.OPEN_STATES).count()
        self.row.stuck += max(0, open_after - open_before)
        self.row.note(
            f"{sum(r[2] for r in rounds)} backends ended in {len(rounds)} rounds; {recorder.calls_ended} calls "
            f"completed; {open_after - open_before} session(s) left open after every call ended"
        )
        if at_a_drop:
            self.row.note(
                f"{at_a_drop} more webhook(s) not served were in flight while a round ended their "
                "connection: the first request on a dropped connection, which the matrix allows (not counted as failed)"
            )
