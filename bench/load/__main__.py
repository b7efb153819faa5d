"""How many calls one machine holds: `.venv/bin/python -m bench.load` (from the repository root).

Starts the portal as production would (gunicorn on PostgreSQL, a Celery worker on Redis, the
scripted engine), then measures, with the call simulator playing Twilio over loopback HTTP:

1. the floor: a bare Django view returning fixed TwiML on the same server, closed loop;
2. saturation: real calls back to back, closed loop, as a fraction of the floor;
3. held calls: N callers at a phone call's pace, N stepped up until a step fails
   (p99 of 300 ms or more on any webhook kind, or any error), then one step in between.

Prints per webhook kind requests/s, p50/p95/p99 latency and errors, the CPU of the load
generator, the portal and PostgreSQL, and the portal's peak memory. Stops all it started.
"""

import argparse
import asyncio
import datetime
import math
import os
import tempfile
import threading
import time
from pathlib import Path

from . import report, traffic
from .portal import Portal, PortalConfig, cpu_seconds, postgres_pids, rss_bytes


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", default="50,100,200,300,400,500,600,800", help="concurrent calls to try, in order")
    parser.add_argument("--hold", type=float, default=30.0, help="seconds measured per step (after the ramp)")
    parser.add_argument("--ramp", type=float, default=6.0, help="seconds over which a step's callers dial in")
    parser.add_argument("--saturation-seconds", type=float, default=10.0, help="seconds per closed-loop run")
    parser.add_argument("--concurrency", type=int, default=32, help="clients in the closed-loop measurements")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument(
        "--redis-db", type=int, default=14, help="database of the local Redis (6379) to use; flushed at the start"
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the flametree_bench database for inspection")
    return parser.parse_args()


class Gauges:
    """Samples, every half second, the CPU used so far and the memory of the portal's processes."""

    def __init__(self, portal: Portal):
        self.portal = portal
        self.samples: list[tuple[float, float, float, float]] = []  # (time, load generator, portal, postgres)
        self.peak_rss: dict[str, int] = {}
        self.peak_total_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            services = self.portal.pids()
            portal_pids = [pid for pids in services.values() for pid in pids]
            total = 0
            for name, pids in services.items():
                rss = rss_bytes(pids)
                total += rss
                self.peak_rss[name] = max(self.peak_rss.get(name, 0), rss)
            self.peak_total_rss = max(self.peak_total_rss, total)
            self.samples.append(
                (time.monotonic(), time.process_time(), cpu_seconds(portal_pids), cpu_seconds(postgres_pids()))
            )
            self._stop.wait(0.5)

    def cpu_between(self, start: float, end: float) -> str:
        """CPU of each side between two moments, in % of one core (the machine has 100% per core)."""
        inside = [s for s in self.samples if start <= s[0] <= end]
        if len(inside) < 2:
            return "CPU: (too short to sample)"
        first, last = inside[0], inside[-1]
        wall = last[0] - first[0]
        share = [100 * (last[i] - first[i]) / wall for i in (1, 2, 3)]
        return (
            f"CPU: load generator {share[0]:.0f}%, portal {share[1]:.0f}%, PostgreSQL {share[2]:.0f}% (100% = one core)"
        )


def closed_loop(portal: Portal, line, gauges: Gauges, args) -> tuple[list, list]:
    """The floor and the call mix, each measured twice, alternately; the better run of each is kept,
    since whatever else runs on the machine can only lower a throughput."""
    runs: dict[str, list] = {"floor": [], "mix": []}
    for _ in range(2):
        floor = traffic.floor(portal.base_url, line, args.concurrency, args.saturation_seconds)
        runs["floor"].append(_measured(floor, gauges))
        runs["mix"].append(_measured(traffic.saturate(line, args.concurrency, args.saturation_seconds), gauges))
    best = {name: max(measured, key=lambda run: report.total_rate(run[0])) for name, measured in runs.items()}
    titles = {
        "floor": f"Floor: bare view, {args.concurrency} clients back to back",
        "mix": f"Saturation: real calls back to back, {args.concurrency} callers, no waits",
    }
    for name, (rows, cpu) in best.items():
        tries = ", ".join(f"{report.total_rate(run[0]):.0f}" for run in runs[name])
        print(report.table(rows, f"\n{titles[name]} (best of two runs: {tries} req/s)"))
        print(f"  {cpu}")
    floor_rate, mix_rate = report.total_rate(best["floor"][0]), report.total_rate(best["mix"][0])
    print(
        f"  Call mix: {mix_rate:.0f} req/s = {100 * mix_rate / floor_rate:.0f}% of the floor's {floor_rate:.0f} req/s "
        "(goal: at least 50%)",
        flush=True,
    )
    return best["floor"][0], best["mix"][0]


def _measured(run, gauges: Gauges) -> tuple[list, str]:
    recorder, start, end = asyncio.run(run)
    return report.stats(recorder, start, end), gauges.cpu_between(start, end)


def held_step(line, gauges: Gauges, calls: int, args) -> tuple[bool, list[report.KindStats], str]:
    recorder, start, end = asyncio.run(traffic.held_calls(line, calls, args.ramp, args.hold))
    rows = report.stats(recorder, start, end)
    errors = sum(r.errors for r in rows) + len(recorder.refusals)
    worst_p99 = max((r.p99 for r in rows), default=math.inf)
    held = errors == 0 and worst_p99 < report.HELD_P99_MS
    verdict = (
        f"{'HELD' if held else 'NOT HELD'}: worst p99 {worst_p99:.0f} ms, {errors} error(s), "
        f"{recorder.calls_ended} calls completed"
    )
    print(report.table(rows, f"\n{calls} concurrent calls ({args.hold:g} s measured after a {args.ramp:g} s ramp)"))
    print(f"  {gauges.cpu_between(start, end)}")
    for refusal in recorder.refusals[:3]:
        print(f"  refused: {refusal}")
    print(f"  {verdict}", flush=True)
    return held, rows, verdict


def main() -> None:
    args = parse_args()
    steps = [int(n) for n in args.steps.split(",")]
    log_dir = Path(tempfile.mkdtemp(prefix="flametree-bench-"))
    config = PortalConfig(port=args.port, workers=args.workers, threads=args.threads, redis_db=args.redis_db)
    portal = Portal(config, log_dir)
    began = time.monotonic()
    print(f"Flametree portal load benchmark — {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"Machine: {report.machine()}; load average before the run: {os.getloadavg()[0]:.2f}")
    print(
        f"Portal: gunicorn {config.workers} workers x {config.threads} threads (gthread), Celery worker "
        f"(prefork, {config.celery_concurrency}), PostgreSQL + Redis on this machine, DEBUG off, scripted engine"
    )
    print(f"Load generator: one asyncio process (aiohttp) running the call simulator; logs in {log_dir}", flush=True)
    gauges = None
    try:
        line = traffic.Line(portal.prepare(), portal.base_url)
        portal.start()
        gauges = Gauges(portal)
        gauges.start()
        asyncio.run(traffic.saturate(line, 8, 3.0, warmup=0))  # first requests load code and open connections

        floor_rows, mix_rows = closed_loop(portal, line, gauges, args)

        results: dict[int, tuple[bool, list]] = {}
        for calls in steps:
            held, rows, _ = held_step(line, gauges, calls, args)
            results[calls] = (held, rows)
            if not held:
                break
        passed = [n for n, (ok, _) in results.items() if ok]
        failed = [n for n, (ok, _) in results.items() if not ok]
        if passed and failed and failed[0] - max(passed) > 25:
            middle = (max(passed) + failed[0]) // 2
            results[middle] = held_step(line, gauges, middle, args)[:2]
        summary(results, report.total_rate(mix_rows) / report.total_rate(floor_rows), gauges, began)
    finally:
        if gauges:
            gauges.stop()
        portal.stop()
        if not args.keep_db:
            portal.drop_database()


def summary(results: dict, fraction: float, gauges: "Gauges", began: float) -> None:
    held = [n for n, (ok, _) in results.items() if ok]
    print("\nSummary")
    print(
        f"  Largest number of concurrent calls held (p99 < {report.HELD_P99_MS} ms on every webhook, no errors): "
        f"{max(held) if held else 'none of the steps'} (goal: at least 200)"
    )
    print(f"  Saturation throughput of the call mix: {100 * fraction:.0f}% of the bare-view floor (goal: at least 50%)")
    if 50 in results:
        _, rows = results[50]
        by_kind = {r.kind: r for r in rows}
        errors = sum(r.errors for r in rows)
        print(f"  At 50 calls: {errors} error(s) (goal: 0)")
        for kind, bound in report.GOALS_AT_50.items():
            if kind in by_kind:
                p99 = by_kind[kind].p99
                mark = "met" if p99 <= bound else "missed"
                print(f"    {report.KIND_NAMES[kind]:<16} p99 {p99:6.1f} ms (goal: at most {bound} ms) {mark}")
    peaks = ", ".join(f"{name} {rss / 2**20:.0f} MB" for name, rss in gauges.peak_rss.items())
    print(f"  Peak memory of the portal's processes: {gauges.peak_total_rss / 2**20:.0f} MB ({peaks})")
    print(f"  Run took {time.monotonic() - began:.0f} s; load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
