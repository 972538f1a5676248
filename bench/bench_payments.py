"""Benchmarks of the outcome-payment engine (``insats.core.payments``).

Run ``python bench/bench_payments.py``; ``main()`` prints one line per figure and returns a list of
``{name, value, unit, target, ok}``. Each figure is the median of several runs.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from insats.core.payments import (  # noqa: E402
    Contract,
    Draws,
    ParticipantRecords,
    RateCardMetric,
    Results,
    calculate,
    calculate_draws,
    rate_card_ore,
)


def median_time(fn, runs: int = 7) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def rate_card_rows(n_participants: int, n_periods: int, seed: int = 1):
    """Each participant: outcome 0 with p=0.6, outcome 1 (sustained 2) with p=0.4, outcome 2 with p=0.3."""
    rng = np.random.default_rng(seed)
    parts, outs, ach, thr = [], [], [], []
    for outcome, p in enumerate([0.6, 0.4, 0.3]):
        who = np.flatnonzero(rng.random(n_participants) < p)
        achieved = rng.integers(0, n_periods, who.size)
        through = np.minimum(achieved + rng.integers(0, 4, who.size), n_periods - 1)
        parts.append(who)
        outs.append(np.full(who.size, outcome))
        ach.append(achieved)
        thr.append(through)
    return [np.concatenate(x).astype(np.int64) for x in (parts, outs, ach, thr)]


RATE_CARD = RateCardMetric(
    id="rc",
    outcomes=[
        {"id": "skola", "price": "20000"},
        {"id": "narvaro", "price": "30000", "sustain_periods": 2},
        {"id": "betyg", "price": "15000"},
    ],
    cap_per_participant="45000",
)


def bench_rate_card_arrays(n: int = 100_000, t: int = 8) -> float:
    rows = rate_card_rows(n, t)
    return median_time(lambda: rate_card_ore(RATE_CARD, t, *rows))


def bench_rate_card_full(n: int = 100_000, t: int = 8) -> float:
    """From the JSON-shaped columns (ids as strings) through validation to the full report."""
    periods = [f"{2026 + q // 4}-Q{q % 4 + 1}" for q in range(t)]
    contract = Contract(
        periods=periods,
        payers=[{"id": "kommunen", "share": "1"}],
        metrics=[RATE_CARD.model_dump()],
    )
    p, o, a, th = rate_card_rows(n, t)
    ids = [o_.id for o_ in RATE_CARD.outcomes]
    records = {
        "metric": "rc",
        "participant": [f"P{i:06d}" for i in p],
        "outcome": [ids[i] for i in o],
        "achieved": [periods[i] for i in a],
        "sustained_through": [periods[i] for i in th],
    }

    def run():
        results = Results(participants=[ParticipantRecords.model_validate(records)])
        return calculate(contract, results)

    return median_time(run, runs=5)


def monte_carlo_contract() -> Contract:
    years = [str(y) for y in range(2026, 2031)]
    cohorts = ["K1", "K2", "K3", "K4"]
    return Contract.model_validate(
        {
            "periods": years,
            "cohorts": [{"id": c} for c in cohorts],
            "payers": [
                {"id": "staten", "share": "0.5"},
                {"id": "regionen", "share": "0.25"},
                {"id": "kommun_a", "share": "0.15", "cap": "4000000"},
                {"id": "kommun_b", "share": "0.1"},
            ],
            "carry_forward": True,
            "caps": {"per_period": "9000000", "total": "30000000"},
            "metrics": [
                {
                    "id": "placeringar",
                    "kind": "improvement",
                    "direction": "decrease",
                    "counterfactual": {"kind": "baseline", "value": "12.5"},
                    "tiers": [{"up_to": "3", "price": "300000"}, {"price": "200000"}],
                    "threshold": {"kind": "relative", "value": "0.1"},
                    "contract_threshold": {"kind": "relative", "value": "0.2"},
                    "cap_per_period": "5000000",
                },
                {
                    "id": "franvaro",
                    "kind": "improvement",
                    "direction": "decrease",
                    "counterfactual": {"kind": "comparison"},
                    "price": "40000",
                    "threshold": {"kind": "absolute", "value": "1"},
                },
                {
                    "id": "kostnad",
                    "kind": "savings",
                    "counterfactual": {"kind": "baseline", "value": "2500000"},
                    "share": "0.5",
                    "cap": "6000000",
                    "bonus": {"above": "500000", "share": "0.25", "cap": "1000000"},
                },
            ],
        }
    )


def monte_carlo_draws(contract: Contract, n: int, seed: int = 2) -> Draws:
    rng = np.random.default_rng(seed)
    draws = Draws(n_draws=n)
    for period in contract.period_ids:
        for cohort in [c.id for c in contract.cohorts]:
            draws.values[("placeringar", period, cohort)] = rng.normal(10.5, 2.0, n)
            draws.values[("franvaro", period, cohort)] = rng.normal(17.0, 2.5, n)
            draws.counterfactuals[("franvaro", period, cohort)] = rng.normal(19.0, 2.5, n)
            draws.values[("kostnad", period, cohort)] = rng.normal(2_000_000, 300_000, n)
    return draws


def bench_draws(n: int = 100_000) -> float:
    contract = monte_carlo_contract()
    draws = monte_carlo_draws(contract, n)
    return median_time(lambda: calculate_draws(contract, draws), runs=5)


def main() -> list[dict]:
    figures = [
        ("payments rate card 100000x8", bench_rate_card_arrays(), 0.200),
        ("payments rate card 100000x8 from JSON columns, full report", bench_rate_card_full(), 1.500),
        ("payments draws 100000 x 5y x 3 metrics x 4 cohorts", bench_draws(), 0.500),
    ]
    out = []
    for name, value, target in figures:
        ok = value <= target
        print(f"{name}: {value:.3f} s (target <= {target:.3f} s) {'PASS' if ok else 'FAIL'}")
        out.append({"name": name, "value": round(value, 4), "unit": "s", "target": target, "ok": ok})
    return out


if __name__ == "__main__":
    results = main()
    sys.exit(0 if all(r["ok"] for r in results) else 1)
