"""The NumPy floor of the Monte Carlo business case, and the core measured against it in one run.

``floor()`` is a minimal, hand-written NumPy expression of the model in ``bench_simulation.py`` (the
5-year outcomes contract with 3 metrics and 4 cohorts, the contract's caps, the budget with costs
avoided over 7 years, the fund's waterfall and its IRR per draw) for 100 000 draws: the five inputs
drawn straight from NumPy's generators (PERT from the beta generator, the two correlated inputs
through a Gaussian copula), öre rounding where the contract rounds, an IRR by 7 Newton steps, and the
same summary figures (percentiles, probabilities). Nothing general: no expressions, no validation,
no chunks, no tornado — what a programmer would write for this one model.

``main()`` runs, interleaved, fresh interpreters that

- import what the floor needs and stop (``floor-imports``), import and run the floor (``floor``);
- import ``insats.core.simulation`` and stop (``core-imports``), import it and run the core's
  ``monte_carlo`` on the same model (``core``: the case built from its JSON, the full summary);

and compares the median *net* wall times (whole process minus its imports). Target: core ≤ 1.5 × floor.

    python bench/floor_simulation.py          # the comparison
    python bench/run.py floor                 # the same, as part of the benchmarks
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DRAWS = 100_000
RUNS = 5
TARGET_RATIO = 1.5


def floor(draws: int = DRAWS, seed: int = 7) -> dict[str, float]:
    import numpy as np
    from scipy.special import ndtr

    rng = np.random.default_rng(seed)
    n = draws
    # inputs: eff_place PERT(0, .25, .45); eff_att triangular(0, 3, 6) and eff_rep normal(.2, .08)
    # with rank correlation 0.5; hvb_cost lognormal(mean 6000, sd 900); ramp uniform(.6, 1)
    eff_place = 0.45 * rng.beta(1 + 4 * 0.25 / 0.45, 1 + 4 * 0.2 / 0.45, n)
    z = rng.standard_normal((n, 2))
    r = 2 * np.sin(np.pi * 0.5 / 6)
    z2 = r * z[:, 0] + np.sqrt(1 - r * r) * z[:, 1]
    u = ndtr(z[:, 0])
    eff_att = np.where(u < 0.5, np.sqrt(u * 18.0), 6.0 - np.sqrt((1 - u) * 18.0))
    eff_rep = 0.2 + 0.08 * z2
    s2 = np.log(1 + 0.15**2)
    hvb = rng.lognormal(np.log(6000.0) - s2 / 2, np.sqrt(s2), n)
    ramp = rng.uniform(0.6, 1.0, n)

    def rnd(x):  # to öre, half away from zero (inputs here are never negative)
        return np.floor(x * 100 + 0.5) / 100

    base = np.array([10.0, 12.0, 8.0, 9.0])
    payments = np.empty((n, 5))
    paid = np.zeros(n)
    rep = np.maximum(20 * eff_rep, 0.0)
    for t in range(5):
        k = ramp if t == 0 else 1.0
        imp = base[None, :] * (eff_place * k)[:, None]
        ok = imp >= 0.05 * base[None, :] - 1e-9
        place = rnd(300_000 * np.where(ok, imp, 0.0)).sum(axis=1)
        att = np.minimum(4 * rnd(20_000 * np.maximum(eff_att * k, 0.0)), 400_000.0)
        reps = 4 * rnd(15_000 * rep)
        total = np.zeros(n)
        for amount in (place, att, reps):  # priority order under the total cap
            a = np.minimum(amount, 25_000_000.0 - paid)
            paid += a
            total += a
        payments[:, t] = total

    # budget: placements avoided × care days (180, 120, 60) × unit cost, 50 % cashable
    effect = 39.0 * eff_place[:, None] * np.array([1.0, 1, 1, 1, 1])[None, :]
    effect[:, 0] *= ramp
    days = np.zeros((n, 7))
    for k, d in enumerate((180, 120, 60)):
        days[:, k : k + 5] += effect * d
    avoided = rnd(days * hvb[:, None])
    f = 1.035 ** -np.arange(1, 8)
    own = np.array([300_000, 200_000, 200_000, 200_000, 200_000, 0, 0], dtype=float)
    pv_pay = rnd(payments @ f[:5])
    npv = rnd(avoided @ f) - pv_pay - rnd(own @ f)
    npv_cash = rnd(rnd(avoided * 0.5) @ f) - pv_pay - rnd(own @ f)

    # waterfall: 12 M committed, 3 M drawn a year, 5 % fixed return, half the surplus to the fund
    outstanding = np.zeros(n)
    accrued = np.zeros(n)
    returned = np.zeros(n)
    flows = np.zeros((n, 6))
    flows[:, 0] = -3_000_000.0
    receipts = np.zeros(n)
    drawn = [3_000_000.0] * 4 + [0.0]
    for t in range(5):
        outstanding += drawn[t] if t < 4 else 0.0
        accrued += rnd(outstanding * 0.05)
        p = payments[:, t]
        principal = np.minimum(p, outstanding)
        ret = np.minimum(p - principal, accrued - returned)
        got = principal + ret + (p - principal - ret) * 0.5
        outstanding -= principal
        returned += ret
        receipts += got
        flows[:, t + 1] = got - (drawn[t + 1] if t + 1 < 5 else 0.0)
    multiple = receipts / 12_000_000.0

    # IRR: Newton on the NPV polynomial in x = 1/(1 + r), from x = 1/(1 + 5 %), 7 steps
    x = np.full(n, 1 / 1.05)
    with np.errstate(all="ignore"):
        for _ in range(7):
            v = np.zeros(n)
            dv = np.zeros(n)
            for k in range(5, -1, -1):
                dv = dv * x + v
                v = v * x + flows[:, k]
            x = x - v / dv
    irr = 1 / x - 1

    q = [5, 10, 25, 50, 75, 90, 95]
    out = {}
    for name, values in (
        ("total_payments", payments.sum(axis=1)),
        ("npv", npv),
        ("npv_cashable", npv_cash),
        ("fund_irr", irr[np.isfinite(irr)]),
        ("fund_multiple", multiple),
    ):
        pct = np.percentile(values, q)
        out[name + "_p50"] = float(pct[3])
        out[name + "_mean"] = float(values.mean())
    out["p_saves"] = float(np.mean(npv > 0))
    out["p_repaid"] = float(np.mean(outstanding <= 0.005))
    return out


def core() -> None:
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(HERE.parent / "src"))
    from bench_simulation import business_case

    from insats.core import simulation as sim

    sim.monte_carlo(business_case(DRAWS))


def _child(what: str) -> None:
    if what == "floor-imports":
        import numpy  # noqa: F401
        from scipy.special import ndtr  # noqa: F401
    elif what == "floor":
        floor()
    elif what == "core-imports":
        sys.path.insert(0, str(HERE.parent / "src"))
        import bench_simulation  # noqa: F401

        from insats.core import simulation  # noqa: F401
    elif what == "core":
        core()
    else:
        raise SystemExit(f"unknown child {what!r}")


def _wall(what: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", what], check=True, cwd=HERE)
    return time.perf_counter() - start


def main() -> list[dict]:
    times: dict[str, list[float]] = {k: [] for k in ("floor-imports", "floor", "core-imports", "core")}
    _wall("core")  # warm the file cache
    for _ in range(RUNS):
        for what in times:
            times[what].append(_wall(what))
    med = {k: statistics.median(v) for k, v in times.items()}
    floor_net = med["floor"] - med["floor-imports"]
    core_net = med["core"] - med["core-imports"]
    ratio = core_net / floor_net
    ok = ratio <= TARGET_RATIO
    print(
        f"floor {DRAWS:,} draws: {med['floor']:.2f} s whole process − {med['floor-imports']:.2f} s imports "
        f"= {floor_net:.2f} s net"
    )
    print(
        f"core  {DRAWS:,} draws: {med['core']:.2f} s whole process − {med['core-imports']:.2f} s imports "
        f"= {core_net:.2f} s net"
    )
    print(
        f"core/floor (net, medians of {RUNS} interleaved runs): {ratio:.2f}x "
        f"(target <= {TARGET_RATIO}x) {'PASS' if ok else 'FAIL'}"
    )
    return [
        {
            "name": "mc core/floor net time 100k draws",
            "value": ratio,
            "unit": "x",
            "target": TARGET_RATIO,
            "ok": ok,
        }
    ]


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        _child(sys.argv[2])
    else:
        res = main()
        sys.exit(0 if all(r["ok"] for r in res) else 1)
