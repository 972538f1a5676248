"""Benchmarks of the indicator statistics (``insats.core.indicators``) and suppression.

Run ``python bench/bench_indicators.py``; ``main()`` prints one line per figure and returns a list
of ``{name, value, unit, target, ok}``. Each figure is the median of several runs.

The national scale: 290 municipalities × 500 indicators × 20 years, 5 % of the values missing,
half the indicators "lower is better", every municipality with 7 peers ("liknande kommuner").
One run = ranks (rank, percentile, quartile) for every indicator and year + a Theil–Sen trend
for every municipality and indicator + every municipality's position among its peers for
every indicator and year.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from insats.core import indicators as ind  # noqa: E402
from insats.core.disclosure import suppress_table  # noqa: E402

AREAS, INDICATORS, YEARS = 290, 500, 20
TARGET_S = 2.0


def median_time(fn, runs: int = 5) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def national_cube(seed: int = 1):
    rng = np.random.default_rng(seed)
    years = np.arange(2005, 2005 + YEARS, dtype=float)
    level = rng.normal(50, 10, size=(AREAS, INDICATORS, 1))
    trend = rng.normal(0, 0.5, size=(1, INDICATORS, 1)) * (years - years[0])
    values = level + trend + rng.normal(0, 2, size=(AREAS, INDICATORS, YEARS))
    values[rng.random(values.shape) < 0.05] = np.nan
    higher_is_better = rng.random(INDICATORS) < 0.5
    peers = np.stack([rng.choice(AREAS, size=7, replace=False) for _ in range(AREAS)])
    return values, years, higher_is_better, peers


def main() -> list[dict]:
    values, years, hib, peers = national_cube()

    def ranks_trends_peers():
        ind.rank_areas(values, hib)
        ind.theil_sen(values, years)
        ind.peer_positions(values, hib, peers)

    results = []
    label = f"{AREAS}x{INDICATORS}x{YEARS}"
    seconds = median_time(ranks_trends_peers)
    results.append(
        {
            "name": f"ranks+trends+peers {label}",
            "value": seconds,
            "unit": "s",
            "target": TARGET_S,
            "ok": seconds <= TARGET_S,
        }
    )
    cpu = []
    for _ in range(3):
        start = time.process_time()
        ranks_trends_peers()
        cpu.append(time.process_time() - start)
    cpu_s = statistics.median(cpu)
    results.append(
        {
            "name": f"ranks+trends+peers {label} CPU time (info)",
            "value": cpu_s,
            "unit": "s",
            "target": None,
            "ok": True,
        }
    )
    for name, fn in (
        ("ranks", lambda: ind.rank_areas(values, hib)),
        ("theil-sen trends", lambda: ind.theil_sen(values, years)),
        ("peer positions", lambda: ind.peer_positions(values, hib, peers)),
    ):
        t = median_time(fn, runs=3)
        results.append(
            {"name": f"{name} {label} (part)", "value": t, "unit": "s", "target": None, "ok": True}
        )

    rng = np.random.default_rng(2)
    table = rng.integers(0, 30, size=(12, 12))
    t = median_time(lambda: suppress_table(table), runs=5)
    results.append(
        {"name": "suppression 12x12 table", "value": t, "unit": "s", "target": 0.5, "ok": t <= 0.5}
    )

    for r in results:
        target = "" if r["target"] is None else f" (target <= {r['target']} {r['unit']})"
        verdict = "" if r["target"] is None else (" PASS" if r["ok"] else " FAIL")
        print(f"{r['name']}: {r['value']:.2f} {r['unit']} median{target}{verdict}")
    return results


if __name__ == "__main__":
    sys.exit(0 if all(r["ok"] for r in main()) else 1)
