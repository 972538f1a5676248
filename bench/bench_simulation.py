"""Benchmarks of the Monte Carlo business case (``insats.core.simulation``).

Run ``python bench/bench_simulation.py``; ``main()`` prints one line per figure and returns a list of
``{name, value, unit, target, ok}``.

The model: a 5-year outcomes contract with 3 metrics (placements avoided with a relative threshold,
school attendance with a cap per period, reports of concern), 4 cohorts, a contract total cap and
two payers; 5 uncertain inputs (PERT, triangular, normal, lognormal, uniform) with one rank
correlation; costs avoided over a 7-year horizon; the fund's waterfall with IRR per draw.

Figures:

1. ``mc 100k draws``: the full Monte Carlo summary (draws, percentiles, probabilities, tornado,
   histograms) for 100 000 draws — median of 5 runs, target ≤ 1.0 s;
2. ``speed-up per draw``: against :func:`reference_draw`, a plain per-draw Python implementation of
   the same model (its own sampling with ``random``, its own payment rules, waterfall and IRR),
   run on 2 000 draws, its IRR by Newton's method like an analyst's spreadsheet — target ≥ 50×;
   the two must agree within Monte Carlo error (mean ± standard
   error of total payments and of the commissioner's NPV are printed);
3. ``mc 1M draws peak memory``: 1 000 000 draws in a fresh interpreter (subprocess), its own peak
   resident memory (``VmHWM``, see :func:`own_peak_kib`) — target ≤ 1 GiB; and
   ``calculate_draws 1M draws peak memory``: the payments engine alone on 1 000 000 draws, same
   measure, same target;
4. ``rate card 10k runs x 200 participants x 12 periods``: a rate-card contract simulated through the
   participant model (:mod:`insats.core.participants`): about 200 participants enrolled over 12
   monthly periods (uncertain enrolment), three outcomes with uncertain probabilities and spread
   timing, a per-participant cap that binds (90 joint patterns), the contract's total cap and the
   waterfall — the full Monte Carlo summary for 10 000 runs, median of 3, target ≤ 2.0 s; its mean
   total payment is checked against a plain per-participant Python simulation (1 000 runs, within
   4 standard errors).
"""

from __future__ import annotations

import json
import math
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from insats.core import simulation as sim  # noqa: E402

TARGET_100K_S = 1.0
TARGET_SPEEDUP = 50.0
TARGET_MEMORY_MIB = 1024.0
TARGET_RATE_CARD_S = 2.0
RATE_CARD_REFERENCE_RUNS = 1_000
REFERENCE_DRAWS = 2_000

PERIODS = ["2026", "2027", "2028", "2029", "2030"]
COHORTS = ["c1", "c2", "c3", "c4"]
BASE_PLACEMENTS = {"c1": 10, "c2": 12, "c3": 8, "c4": 9}
PRICE = {"placements": 300_000.0, "attendance": 20_000.0, "reports": 15_000.0}
ATTENDANCE_CAP_PER_PERIOD = 400_000.0
TOTAL_CAP = 25_000_000.0
HORIZON = 7
UNITS = [180, 120, 60]  # care days avoided per placement avoided, this year and the two next
CASHABLE = 0.5
OWN_COSTS = [300_000, 200_000, 200_000, 200_000, 200_000]
COSTS = [3_000_000] * 5
COMMITMENT = 12_000_000
RATE = 0.05
FUND_SHARE = 0.5
DISCOUNT = 0.035


def business_case(draws: int = 100_000, seed: int = 7) -> sim.Input:
    cohorts = [{"id": c, "start_period": PERIODS[0], "size": 40} for c in COHORTS]
    metrics = [
        {
            "kind": "improvement", "id": "placements", "direction": "decrease",
            "counterfactual": {"kind": "baseline",
                               "by_cohort": {k: str(v) for k, v in BASE_PLACEMENTS.items()}},
            "price": "300000.00", "threshold": {"kind": "relative", "value": "0.05"},
        },
        {
            "kind": "improvement", "id": "attendance", "direction": "increase",
            "counterfactual": {"kind": "baseline", "value": "85"}, "price": "20000.00",
            "cap_per_period": "400000.00",
        },
        {
            "kind": "improvement", "id": "reports", "direction": "decrease",
            "counterfactual": {"kind": "baseline", "value": "20"}, "price": "15000.00",
        },
    ]  # fmt: skip
    contract = {
        "id": "bench", "periods": PERIODS, "cohorts": cohorts,
        "payers": [{"id": "kommun", "share": "0.7"}, {"id": "region", "share": "0.3"}],
        "metrics": metrics, "caps": {"total": "25000000.00"},
    }  # fmt: skip
    inputs = {
        "eff_place": {"kind": "pert", "low": 0.0, "mode": 0.25, "high": 0.45},
        "eff_att": {"kind": "triangular", "low": 0.0, "mode": 3.0, "high": 6.0},
        "eff_rep": {"kind": "normal", "mean": 0.2, "sd": 0.08},
        "hvb_cost": {"kind": "lognormal", "mean": 6000.0, "sd": 900.0},
        "ramp": {"kind": "uniform", "low": 0.6, "high": 1.0},
    }
    obs = []
    for t, p in enumerate(PERIODS):
        ramp = "ramp" if t == 0 else 1
        for c in COHORTS:
            obs += [
                {"metric": "placements", "period": p, "cohort": c,
                 "value": {"mul": [BASE_PLACEMENTS[c], {"sub": [1, {"mul": ["eff_place", ramp]}]}]}},
                {"metric": "attendance", "period": p, "cohort": c,
                 "value": {"add": [85, {"mul": ["eff_att", ramp]}]}},
                {"metric": "reports", "period": p, "cohort": c,
                 "value": {"mul": [20, {"sub": [1, "eff_rep"]}]}},
            ]  # fmt: skip
    total_base = sum(BASE_PLACEMENTS.values())
    avoided = [{"mul": [total_base, "eff_place", "ramp" if t == 0 else 1]} for t in range(5)]
    return sim.Input.model_validate(
        {
            "inputs": inputs,
            "correlations": [{"a": "eff_att", "b": "eff_rep", "rho": 0.5}],
            "contract": contract,
            "observations": obs,
            "budget": {
                "horizon": HORIZON,
                "discount_rate": str(DISCOUNT),
                "effects": {"placements_avoided": avoided},
                "cost_items": [
                    {
                        "name": "HVB-dygn",
                        "driver": "placements_avoided",
                        "unit_cost": "hvb_cost",
                        "units": UNITS,
                        "cashable_share": str(CASHABLE),
                    }
                ],
                "own_costs": OWN_COSTS,
            },
            "financing": {
                "commitment": str(COMMITMENT),
                "provider_costs": [str(c) for c in COSTS],
                "return_basis": "fixed_rate",
                "annual_rate": str(RATE),
                "fund_surplus_share": str(FUND_SHARE),
            },
            "monte_carlo": {"draws": draws, "seed": seed},
        }  # fmt: skip
    )


RC_PERIODS = [f"2026-{m:02d}" for m in range(1, 13)]
RC_OUTCOMES = [  # id, price, sustain periods, delay values, delay probabilities
    ("start", 8_000, 0, [0, 1], [0.7, 0.3]),
    ("jobb", 40_000, 3, [2, 3, 4, 5, 6], [0.1, 0.2, 0.3, 0.2, 0.2]),
    ("examen", 25_000, 0, [1, 2, 3, 4], [0.25, 0.25, 0.25, 0.25]),
]
RC_CAP = 60_000
RC_TOTAL_CAP = 4_000_000


def rate_card_case(draws: int = 10_000, seed: int = 3) -> sim.Input:
    """About 200 participants over 12 months, three outcomes, a binding per-participant cap."""
    outcomes = [
        {"id": o, "price": str(price), "sustain_periods": sustain} for o, price, sustain, _, _ in RC_OUTCOMES
    ]
    chances = [
        {"outcome": o, "probability": f"p_{o}", "delay": {"values": v, "probabilities": [str(x) for x in p]}}
        for o, _, _, v, p in RC_OUTCOMES
    ]
    return sim.Input.model_validate(
        {
            "inputs": {
                "enrolled": {"kind": "triangular", "low": 12, "mode": 17, "high": 21},
                "p_start": {"kind": "beta", "alpha": 8, "beta": 2},
                "p_jobb": {"kind": "pert", "low": 0.15, "mode": 0.35, "high": 0.55},
                "p_examen": {"kind": "uniform", "low": 0.2, "high": 0.4},
            },
            "contract": {
                "id": "rc-bench",
                "periods": RC_PERIODS,
                "payers": [{"id": "kommun", "share": "1"}],
                "metrics": [
                    {
                        "id": "rc",
                        "kind": "rate_card",
                        "outcomes": outcomes,
                        "cap_per_participant": str(RC_CAP),
                    }
                ],
                "caps": {"total": str(RC_TOTAL_CAP)},
            },
            "participants": [{"metric": "rc", "enrolment": ["enrolled"] * 12, "outcomes": chances}],
            "budget": {
                "horizon": 24,
                "periods_per_year": 12,
                "discount_rate": "0.035",
                "effects": {"jobs": []},
                "cost_items": [
                    {
                        "name": "Försörjningsstöd",
                        "driver": "jobs",
                        "unit_cost": 9000,
                        "units": [1] * 12,
                        "cashable_share": "0.8",
                    }
                ],
            },
            "financing": {
                "commitment": "3000000",
                "provider_costs": ["250000"] * 12,
                "return_basis": "fixed_rate",
                "annual_rate": "0.06",
                "fund_surplus_share": "0.5",
            },
            "monte_carlo": {"draws": draws, "seed": seed, "chunk_size": 16_384},
        }  # fmt: skip
    )


def rate_card_reference(case: sim.Input, runs: int, seed: int = 3) -> list[float]:
    """Total payments per run, simulating every participant one by one in plain Python (its own
    sampling with ``random``): the same inputs at the same draws, the cap per participant and the
    contract's total cap applied by hand."""
    rng = random.Random(seed)
    x = sim.dist.sample_draws(list(case.inputs.values()), seed, 0, runs)
    names = list(case.inputs)
    totals = []
    n_t = len(RC_PERIODS)
    for r in range(runs):
        v = dict(zip(names, x[r], strict=True))
        people = math.floor(min(max(v["enrolled"], 0), 1e9) + 0.5)
        total = 0
        for _c in range(n_t):
            for _i in range(people):
                paid = [0] * n_t
                for o, price, sustain, values, probs in RC_OUTCOMES:
                    if rng.random() < min(max(v[f"p_{o}"], 0), 1):
                        at = _c + rng.choices(values, probs)[0] + sustain
                        if at < n_t:
                            paid[at] += price
                total += min(sum(paid), RC_CAP)
        totals.append(min(total, RC_TOTAL_CAP))
    return totals


# --------------------------------------------------------------------------------------------------
# plain per-draw reference (not product code: it exists to check the vectorised engine's speed-up
# and, within Monte Carlo error, its numbers)


def _round(x: float) -> float:
    return math.copysign(math.floor(abs(x) * 100 + 0.5), x) / 100


def _triangular_ppf(u: float, a: float, c: float, b: float) -> float:
    if u < (c - a) / (b - a):
        return a + math.sqrt(u * (b - a) * (c - a))
    return b - math.sqrt((1 - u) * (b - a) * (b - c))


def _reference_inputs(rng: random.Random) -> dict[str, float]:
    nd = statistics.NormalDist()
    rho = 2 * math.sin(math.pi * 0.5 / 6)  # Spearman 0.5 on the normal scale
    z1, z2 = rng.gauss(0, 1), rng.gauss(0, 1)
    z2 = rho * z1 + math.sqrt(1 - rho * rho) * z2
    a, m, b = 0.0, 0.25, 0.45
    alpha, beta = 1 + 4 * (m - a) / (b - a), 1 + 4 * (b - m) / (b - a)
    sigma2 = math.log(1 + (900 / 6000) ** 2)
    return {
        "eff_place": a + (b - a) * rng.betavariate(alpha, beta),
        "eff_att": _triangular_ppf(nd.cdf(z1), 0.0, 3.0, 6.0),
        "eff_rep": 0.2 + 0.08 * z2,
        "hvb_cost": rng.lognormvariate(math.log(6000) - sigma2 / 2, math.sqrt(sigma2)),
        "ramp": rng.uniform(0.6, 1.0),
    }


def _irr(flows: list[float]) -> float | None:
    """The IRR as an analyst would compute it: Newton's method on the NPV from a 10 % guess (what a
    spreadsheet's IRR does), at most 50 steps; None when it does not settle."""

    r = 0.1
    for _ in range(50):
        npv = dnpv = 0.0
        for k, f in enumerate(flows):
            npv += f * (1 + r) ** -k
            dnpv -= k * f * (1 + r) ** (-k - 1)
        if dnpv == 0:
            return None
        step = npv / dnpv
        r -= step
        if r <= -1:
            return None
        if abs(step) <= 1e-12 * max(1.0, abs(r)):
            return r
    return None


def reference_draw(x: dict[str, float]) -> dict[str, float]:
    """One scenario, computed with plain Python loops."""
    payments = []
    paid_total = 0.0
    for t in range(len(PERIODS)):
        ramp = x["ramp"] if t == 0 else 1.0
        per_metric = {"placements": 0.0, "attendance": 0.0, "reports": 0.0}
        for c in COHORTS:
            base = BASE_PLACEMENTS[c]
            imp = base - base * (1 - x["eff_place"] * ramp)
            if imp >= 0.05 * base - 1e-9 * max(1.0, 0.05 * base):
                per_metric["placements"] += _round(PRICE["placements"] * max(imp, 0.0))
            imp = (85 + x["eff_att"] * ramp) - 85
            per_metric["attendance"] += _round(PRICE["attendance"] * max(imp, 0.0))
            imp = 20 - 20 * (1 - x["eff_rep"])
            per_metric["reports"] += _round(PRICE["reports"] * max(imp, 0.0))
        per_metric["attendance"] = min(per_metric["attendance"], ATTENDANCE_CAP_PER_PERIOD)
        period_total = 0.0
        for name in ("placements", "attendance", "reports"):  # priority order under the total cap
            amount = min(per_metric[name], TOTAL_CAP - paid_total)
            paid_total += amount
            period_total += amount
        payments.append(period_total)

    # budget
    total_base = sum(BASE_PLACEMENTS.values())
    effect = [total_base * x["eff_place"] * (x["ramp"] if t == 0 else 1.0) for t in range(5)]
    pv_avoided = pv_cash = pv_pay = pv_own = 0.0
    for t in range(HORIZON):
        days = sum(effect[t - k] * UNITS[k] for k in range(len(UNITS)) if 0 <= t - k < len(effect))
        amount = _round(days * x["hvb_cost"])
        f = (1 + DISCOUNT) ** -(t + 1)
        pv_avoided += amount * f
        pv_cash += _round(amount * CASHABLE) * f
        pv_pay += (payments[t] if t < len(payments) else 0.0) * f
        pv_own += (OWN_COSTS[t] if t < len(OWN_COSTS) else 0.0) * f
    npv = _round(pv_avoided) - _round(pv_pay) - _round(pv_own)

    # waterfall
    outstanding = accrued = paid_ret = 0.0
    drawn_left = COMMITMENT
    receipts, draws = [], []
    for t in range(len(PERIODS)):
        d = min(COSTS[t], drawn_left)
        drawn_left -= d
        draws.append(d)
        outstanding += d
        accrued += _round(outstanding * RATE)
        p = payments[t]
        principal = min(p, outstanding)
        ret = min(p - principal, accrued - paid_ret)
        surplus = p - principal - ret
        outstanding -= principal
        paid_ret += ret
        receipts.append(principal + ret + surplus * FUND_SHARE)
    flows = [-draws[0]] + [
        receipts[t] - (draws[t + 1] if t + 1 < len(draws) else 0) for t in range(len(draws))
    ]
    return {
        "total_payments": sum(payments),
        "npv": npv,
        "fund_multiple": sum(receipts) / sum(draws),
        "fund_repaid": float(outstanding <= 0.005),
        "fund_irr": _irr(flows),
    }


def reference_run(draws: int, seed: int = 1) -> dict[str, list[float]]:
    rng = random.Random(seed)
    out: dict[str, list[float]] = {"total_payments": [], "npv": [], "fund_multiple": [], "fund_repaid": []}
    for _ in range(draws):
        r = reference_draw(_reference_inputs(rng))
        for k in out:
            out[k].append(r[k])
    return out


# --------------------------------------------------------------------------------------------------


def median_time(fn, runs: int = 5) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def mean_se(values) -> tuple[float, float]:
    values = [float(v) for v in values]
    return statistics.fmean(values), statistics.stdev(values) / math.sqrt(len(values))


def own_peak_kib() -> float:
    """This process's own peak resident memory, KiB: ``VmHWM`` of its address space (reset by exec).

    Not ``getrusage(RUSAGE_SELF).ru_maxrss``: on Linux that is the maximum over the process's life
    *including* the address space it had before exec — a forked child of a large parent reports the
    parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1])
    except OSError:
        pass
    import resource

    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def memory_child(draws: int) -> None:
    """Run in a fresh interpreter: the full Monte Carlo summary, then print its own peak RSS in MiB."""

    case = business_case(draws)
    start = time.perf_counter()
    sim.monte_carlo(case)
    elapsed = time.perf_counter() - start
    peak_kib = own_peak_kib()
    print(json.dumps({"peak_mib": peak_kib / 1024, "seconds": elapsed}))


def payments_memory_child(draws: int) -> None:
    """Run in a fresh interpreter: the payments engine alone (``calculate_draws``) on ``draws`` draws
    of the business case's observations, then print its own peak RSS in MiB."""
    case = business_case(draws)
    x = sim.dist.sample_draws(list(case.inputs.values()), 7, 0, draws)
    env = {k: x[:, j] for j, k in enumerate(case.inputs)}
    d = sim.pay.Draws(n_draws=draws)
    for o in case.observations:
        d.values[(o.metric, o.period, o.cohort)] = np.broadcast_to(sim.eval_array(o.value, env), (draws,))
    del x, env
    start = time.perf_counter()
    sim.pay.calculate_draws(case.contract, d)
    elapsed = time.perf_counter() - start
    print(json.dumps({"peak_mib": own_peak_kib() / 1024, "seconds": elapsed}))


def main() -> list[dict]:
    results = []

    def report(name, value, unit, target, ok, text):
        results.append({"name": name, "value": value, "unit": unit, "target": target, "ok": ok})
        print(text)

    case = business_case(100_000)
    t = median_time(lambda: sim.monte_carlo(case), runs=5)
    report(
        "mc 100k draws 5y/3 metrics/4 cohorts + waterfall", t, "s", TARGET_100K_S, t <= TARGET_100K_S,
        f"mc 100k draws 5y/3 metrics/4 cohorts + waterfall: {t:.2f} s median "
        f"(target <= {TARGET_100K_S:.1f} s) {'PASS' if t <= TARGET_100K_S else 'FAIL'}",
    )  # fmt: skip

    start = time.perf_counter()
    ref = reference_run(REFERENCE_DRAWS)
    t_ref = time.perf_counter() - start
    per_draw_vec = t / 100_000
    per_draw_ref = t_ref / REFERENCE_DRAWS
    speedup = per_draw_ref / per_draw_vec
    vec = sim.simulate_draws(case, 100_000, seed=7)
    agree = True
    lines = []
    for key, label in (("total_payments", "total payments"), ("npv", "commissioner NPV")):
        mv, sv = mean_se(vec[key])
        mr, sr = mean_se(ref[key])
        ok = abs(mv - mr) <= 4 * math.sqrt(sv * sv + sr * sr)
        agree &= ok
        lines.append(
            f"  {label}: vectorised {mv:,.0f} ± {sv:,.0f} SEK, reference {mr:,.0f} ± {sr:,.0f} SEK "
            f"({'agree' if ok else 'DISAGREE'} within 4 standard errors)"
        )
    pv_, sv_ = mean_se(vec["fund_repaid"].astype(float))
    pr_, sr_ = mean_se(ref["fund_repaid"])
    ok_rep = abs(pv_ - pr_) <= 4 * math.sqrt(sv_ * sv_ + sr_ * sr_)
    agree &= ok_rep
    lines.append(
        f"  P(fund repaid): vectorised {pv_:.4f} ± {sv_:.4f}, reference {pr_:.4f} ± {sr_:.4f} "
        f"({'agree' if ok_rep else 'DISAGREE'})"
    )
    ok = speedup >= TARGET_SPEEDUP and agree
    report(
        "speed-up per draw vs plain Python reference", speedup, "x", TARGET_SPEEDUP, ok,
        f"speed-up per draw vs plain Python reference ({REFERENCE_DRAWS} draws, "
        f"{per_draw_ref * 1e6:.0f} µs/draw vs {per_draw_vec * 1e6:.1f} µs/draw): {speedup:.0f}x "
        f"(target >= {TARGET_SPEEDUP:.0f}x, results agree: {agree}) {'PASS' if ok else 'FAIL'}",
    )  # fmt: skip
    for line in lines:
        print(line)

    rc = rate_card_case(10_000)
    t_rc = median_time(lambda: sim.monte_carlo(rc), runs=3)
    vec_rc = sim.simulate_draws(rc, RATE_CARD_REFERENCE_RUNS, seed=3)
    ref_rc = rate_card_reference(rc, RATE_CARD_REFERENCE_RUNS)
    mv, sv = mean_se(vec_rc["total_payments"])
    mr, sr = mean_se(ref_rc)
    agree_rc = abs(mv - mr) <= 4 * math.sqrt(sv * sv + sr * sr)
    ok = t_rc <= TARGET_RATE_CARD_S and agree_rc
    report(
        "rate card 10k runs x 200 participants x 12 periods", t_rc, "s", TARGET_RATE_CARD_S, ok,
        f"rate card 10k runs x ~200 participants x 12 periods (90 joint patterns) + waterfall: "
        f"{t_rc:.2f} s median (target <= {TARGET_RATE_CARD_S:.1f} s, agrees with per-participant "
        f"Python: {agree_rc}) {'PASS' if ok else 'FAIL'}",
    )  # fmt: skip
    print(
        f"  total payments: vectorised {mv:,.0f} ± {sv:,.0f} SEK, per-participant reference "
        f"{mr:,.0f} ± {sr:,.0f} SEK ({RATE_CARD_REFERENCE_RUNS} runs each)"
    )

    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--memory-child", "1000000"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    child = json.loads(proc.stdout.strip().splitlines()[-1])
    mem = child["peak_mib"]
    report(
        "mc 1M draws peak memory", mem, "MiB", TARGET_MEMORY_MIB, mem <= TARGET_MEMORY_MIB,
        f"mc 1M draws peak memory (fresh interpreter, its own VmHWM): {mem:.0f} MiB in "
        f"{child['seconds']:.1f} s (target <= {TARGET_MEMORY_MIB:.0f} MiB) "
        f"{'PASS' if mem <= TARGET_MEMORY_MIB else 'FAIL'}",
    )  # fmt: skip
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--payments-memory-child", "1000000"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    child = json.loads(proc.stdout.strip().splitlines()[-1])
    mem = child["peak_mib"]
    report(
        "calculate_draws 1M draws peak memory", mem, "MiB", TARGET_MEMORY_MIB, mem <= TARGET_MEMORY_MIB,
        f"calculate_draws 1M draws peak memory (60 observation arrays in, fresh interpreter): {mem:.0f} "
        f"MiB in {child['seconds']:.1f} s (target <= {TARGET_MEMORY_MIB:.0f} MiB) "
        f"{'PASS' if mem <= TARGET_MEMORY_MIB else 'FAIL'}",
    )  # fmt: skip
    return results


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--memory-child":
        memory_child(int(sys.argv[2]))
    elif len(sys.argv) == 3 and sys.argv[1] == "--payments-memory-child":
        payments_memory_child(int(sys.argv[2]))
    else:
        res = main()
        sys.exit(0 if all(r["ok"] for r in res) else 1)
