"""Statistics and the printed tables of the load benchmark."""

import math
import platform
import subprocess
from dataclasses import dataclass

from .traffic import Recorder

KIND_ORDER = ["voice", "partial", "gather", "reply", "status", "floor"]
KIND_NAMES = {
    "voice": "call webhook",
    "partial": "partial result",
    "gather": "Gather action",
    "reply": "slow reply pick-up",
    "status": "status callback",
    "floor": "bare view (floor)",
}
# The goals at 50 concurrent calls: p99 bounds per webhook kind, in milliseconds.
GOALS_AT_50 = {"partial": 50, "status": 100, "voice": 150, "gather": 150}
HELD_P99_MS = 300


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class KindStats:
    kind: str
    count: int
    per_second: float
    p50: float
    p95: float
    p99: float
    worst: float
    errors: int


def stats(recorder: Recorder, start: float, end: float) -> list[KindStats]:
    """Per webhook kind, the requests sent inside [start, end)."""
    by_kind: dict[str, list] = {}
    for sample in recorder.samples:
        if start <= sample.at < end:
            by_kind.setdefault(sample.kind, []).append(sample)
    rows = []
    for kind in sorted(by_kind, key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else 99):
        samples = by_kind[kind]
        ms = sorted(s.seconds * 1000 for s in samples)
        rows.append(
            KindStats(
                kind,
                len(samples),
                len(samples) / (end - start),
                percentile(ms, 0.50),
                percentile(ms, 0.95),
                percentile(ms, 0.99),
                ms[-1],
                sum(not s.ok for s in samples),
            )
        )
    return rows


def total_rate(rows: list[KindStats]) -> float:
    return sum(row.per_second for row in rows)


def table(rows: list[KindStats], title: str) -> str:
    lines = [
        title,
        f"  {'webhook':<20} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'errors':>6}",
    ]
    for r in rows:
        lines.append(
            f"  {KIND_NAMES.get(r.kind, r.kind):<20} {r.count:>8} {r.per_second:>8.1f} {r.p50:>8.1f} {r.p95:>8.1f} "
            f"{r.p99:>8.1f} {r.worst:>8.1f} {r.errors:>6}"
        )
    if len(rows) > 1:
        lines.append(f"  {'all':<20} {sum(r.count for r in rows):>8} {total_rate(rows):>8.1f}")
    return "\n".join(lines)


def machine() -> str:
    model = "unknown CPU"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    cores = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout.splitlines()
    total = memory[1].split()[1] if len(memory) > 1 else "?"
    system = f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    return f"{cores} cores ({model}), {total} RAM, {system}"
