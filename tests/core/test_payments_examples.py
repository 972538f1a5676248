"""The worked examples of docs/core/payments.md, computed by hand there and asserted here.

Each example's input is docs/core/examples/payments_<name>.json; every figure below is written
out step by step in the document (section "Worked examples").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from insats.core.payments import calculate, calculate_draws, draws_from_results, parse_input

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "core" / "examples"
NAMES = [
    "rate_card",
    "baseline",
    "comparison",
    "savings",
    "blended",
    "payers",
    "ratio",
    "rate_cohorts",
    "contract_bonus",
    "steps",
]


def load(name: str):
    inp = parse_input(json.loads((EXAMPLES / f"payments_{name}.json").read_text(encoding="utf-8")))
    return inp.contract, inp.results


def D(x: str) -> Decimal:
    return Decimal(x)


def rows(out, metric):
    return [r for r in out.metrics if r.metric == metric]


def caps(row):
    return [(c.cap, c.reduced_by, c.carried) for c in row.caps_applied]


def test_rate_card():
    out = calculate(*load("rate_card"))
    r = rows(out, "skola")
    # Q1: P1 returns to school (20 000). P1's attendance (achieved Q1, sustain 2) is payable in Q3.
    # Q2: P2 returns (20 000); P2's attendance needs Q4 but lasted only to Q3: never paid.
    # Q3: P1's attendance 30 000, but P1 already got 20 000 of the 40 000 cap -> 20 000.
    # Q4: P3's attendance (Q2 + 2, sustained to Q4) 30 000 + P4 returns 20 000.
    assert [x.units_paid for x in r] == [1, 1, 1, 2]
    assert [x.amount_before_caps for x in r] == [D("20000.00"), D("20000.00"), D("30000.00"), D("50000.00")]
    assert caps(r[2]) == [("participant", D("10000.00"), False)]
    assert [x.amount_due for x in r] == [D("20000.00"), D("20000.00"), D("20000.00"), D("50000.00")]
    assert out.totals.amount_due == D("110000.00")
    assert out.totals.removed_by_cap == {"participant": D("10000.00")}


def test_baseline_barnens_val():
    out = calculate(*load("baseline"))
    r = rows(out, "placeringar")
    # improvement against the baseline 50: 4, 7, 11, 13, 15; yearly threshold 10 % of 50 = 5
    assert [x.improvement for x in r] == [4, 7, 11, 13, 15]
    assert [x.observations[0].threshold_met for x in r] == [False, True, True, True, True]
    assert [x.units_paid for x in r] == [0, 7, 11, 13, 15]
    # whole contract: 50 of 250 = 20 % >= 20 % -> 50 x 250 000 = 12 500 000, of which the yearly
    # checks gave 11 500 000 -> settlement 1 000 000 in 2030
    assert r[4].settlement == D("1000000.00")
    assert [x.amount_before_caps for x in r] == [
        D("0.00"),
        D("1750000.00"),
        D("2750000.00"),
        D("3250000.00"),
        D("4750000.00"),
    ]
    # metric cap 12 000 000: 7 750 000 paid before 2030, room 4 250 000, 500 000 removed
    assert caps(r[4]) == [("metric_total", D("500000.00"), False)]
    assert r[4].amount_due == D("4250000.00")
    assert r[4].cumulative_due == D("12000000.00")
    assert out.totals.by_payer == {"kommunen": D("12000000.00")}


def test_baseline_settlement_not_reached_pays_only_yearly_checks():
    contract, results = load("baseline")
    data = results.model_dump(mode="json")
    data["observations"][4]["value"] = "36"  # whole contract 49 of 250 = 19.6 % < 20 %
    out = calculate(contract, type(results).model_validate(data))
    r = rows(out, "placeringar")
    assert r[4].settlement == 0
    # 1 750 000 + 2 750 000 + 3 250 000 + 14 x 250 000
    assert out.totals.amount_due == D("11250000.00")


def test_comparison_cohorts_tiers_carry_forward():
    out = calculate(*load("comparison"))
    r = rows(out, "franvaro")
    o2026 = r[0].observations
    assert [(o.cohort, o.improvement, o.threshold_met, o.amount) for o in o2026] == [
        ("A", D("3.5"), True, D("140000.00")),  # 3.5 pp x 40 000
        ("B", D("0.7"), False, D("0.00")),  # below 1 pp
    ]
    o2027 = r[1].observations
    # A: 7.0 pp = 5 x 40 000 + 2 x 20 000 = 240 000; B: 2.5 pp x 40 000 = 100 000
    assert [o.amount for o in o2027] == [D("240000.00"), D("100000.00")]
    assert r[1].amount_before_caps == D("340000.00")
    assert caps(r[1]) == [("metric_period", D("40000.00"), True)]
    assert r[1].amount_due == D("300000.00") and r[1].carried_out == D("40000.00")
    assert r[2].carried_in == D("40000.00") and r[2].amount_due == D("40000.00")
    assert out.totals.amount_due == D("480000.00") and out.totals.carried_remaining == 0


def test_savings_tranches_and_condition():
    out = calculate(*load("savings"))
    r = rows(out, "kostnad")
    assert [x.units_paid for x in r] == [D("600000"), D("1100000"), D("1400000")]
    # tranche 1: 50 % = 300 000, 550 000, 700 000 (cap 1 000 000 leaves 150 000 in 2028)
    # bonus: 2026 below 800 000; 2027 condition (68 < 70) fails; 2028 30 % x 600 000 = 180 000 -> cap 150 000
    assert [x.amount_before_caps for x in r] == [D("300000.00"), D("550000.00"), D("880000.00")]
    assert caps(r[2]) == [("tranche", D("550000.00"), False), ("bonus_tranche", D("30000.00"), False)]
    assert [x.amount_due for x in r] == [D("300000.00"), D("550000.00"), D("300000.00")]
    assert [x.amount_due for x in rows(out, "maende")] == [0, 0, 0]
    assert out.totals.amount_due == D("1150000.00")


def test_blended():
    out = calculate(*load("blended"))
    r = rows(out, "orosanmalningar")
    # 0.6 x 12 + 0.4 x 20 = 15.2 (< 20); 0.6 x 40 + 0.4 x 25 = 34; 0.6 x 30 + 0.4 x 45 = 36
    assert [x.improvement for x in r] == [D("15.2"), D("34"), D("36")]
    assert [x.amount_due for x in r] == [D("0.00"), D("510000.00"), D("540000.00")]


def test_payers_split_and_caps():
    out = calculate(*load("payers"))
    p = {row.period: {x.payer: x for x in row.payers} for row in out.periods}
    # 2026: 3 x 33 333.33 = 99 999.99 split by largest remainder (see the document)
    assert [p["2026"][k].amount_due for k in ["staten", "regionen", "kommun_a", "kommun_b", "kommun_c"]] == [
        D("49999.99"),
        D("25000.00"),
        D("12500.00"),
        D("6250.00"),
        D("6250.00"),
    ]
    r = rows(out, "arbete")
    # 2027: 199 999.98 -> period cap 150 000; kommun_a's part 18 750 but only 7 500 left under its cap
    assert caps(r[1]) == [("contract_period", D("49999.98"), False), ("payer", D("11250.00"), False)]
    assert p["2027"]["kommun_a"].amount_due == D("7500.00")
    assert r[1].amount_due == D("138750.00")
    # 2028: 333 333.30 -> 150 000 -> contract total room 300 000 - 238 749.99 = 61 250.01
    assert caps(r[2]) == [
        ("contract_period", D("183333.30"), False),
        ("contract_total", D("88749.99"), False),
        ("payer", D("7656.25"), False),
    ]
    assert [
        p["2028"][k].share_of_total for k in ["staten", "regionen", "kommun_a", "kommun_b", "kommun_c"]
    ] == [
        D("30625.00"),
        D("15312.50"),
        D("7656.25"),
        D("3828.13"),
        D("3828.13"),
    ]
    assert r[2].amount_due == D("53593.76")
    assert out.totals.by_payer["kommun_a"] == D("20000.00")
    assert out.totals.amount_due == D("292343.75")
    for row in out.periods:
        assert sum(x.amount_due for x in row.payers) == row.amount_due


def test_ratio_care_days_per_child_day():
    out = calculate(*load("ratio"))
    r = rows(out, "vardygn")
    # counterfactual 40 care days per 1 000 child days: 40 x 73 000 / 1 000 = 2 920; 40 x 91.25 = 3 650;
    # 40 x 54.75 = 2 190 care days expected without the intervention
    assert [x.counterfactual for x in r] == [2920, 3650, 2190]
    # avoided: 2 920 - 2 700 = 220 (7.5 % >= 5 %); 3 650 - 3 100 = 550; 2 190 - 2 300 = -110
    assert [x.improvement for x in r] == [220, 550, -110]
    assert [x.observations[0].threshold_met for x in r] == [True, True, False]
    # 220 x 3 500 = 770 000; 550 x 3 500 = 1 925 000; nothing for a worse year
    assert [x.amount_due for x in r] == [D("770000.00"), D("1925000.00"), D("0.00")]
    assert out.totals.amount_due == D("2695000.00")


def test_ratio_scaling_numerator_and_denominator_scales_the_units_only():
    contract, results = load("ratio")
    data = results.model_dump(mode="json", exclude_none=True)
    for o in data["observations"]:
        o["value"] = str(Decimal(o["value"]) * 2)
        o["denominator"] = str(Decimal(o["denominator"]) * 2)
    out = calculate(contract, type(results).model_validate(data))
    r = rows(out, "vardygn")
    # the same rates, twice the children: twice the care days avoided, the same threshold verdicts
    assert [x.improvement for x in r] == [440, 1100, -220]
    assert [x.observations[0].threshold_met for x in r] == [True, True, False]
    assert out.totals.amount_due == D("5390000.00")


def test_rate_weighted_by_cohort_size():
    out = calculate(*load("rate_cohorts"))
    r = rows(out, "hogfranvaro")
    o2026, o2027 = r[0].observations, r[1].observations
    # A (120 pupils): 25 % -> 20 %: expected 30 pupils, measured 24, improvement 6 = 20 % >= 20 %: 180 000
    # B (30 pupils): 40 % -> 37 %: expected 12, measured 11.1, improvement 0.9 = 7.5 %: nothing
    assert [(o.counterfactual, o.measured, o.improvement, o.threshold_met, o.amount) for o in o2026] == [
        (D("30"), D("24"), D("6"), True, D("180000.00")),
        (D("12"), D("11.1"), D("0.9"), False, D("0.00")),
    ]
    # 2027 A: 18 % -> 21.6, improvement 8.4 (28 %): 252 000; B: 35 % -> 10.5, 1.5 (12.5 %): nothing
    assert [(o.improvement, o.threshold_met, o.amount) for o in o2027] == [
        (D("8.4"), True, D("252000.00")),
        (D("1.5"), False, D("0.00")),
    ]
    # whole contract, weighted by size: 16.8 of 84 pupils = 20 % >= 20 %: 16.8 x 30 000 = 504 000,
    # of which 432 000 already granted -> settlement 72 000 in 2027
    assert r[1].settlement == D("72000.00")
    assert [x.amount_due for x in r] == [D("180000.00"), D("324000.00")]
    assert out.totals.amount_due == D("504000.00")


def test_rate_observation_denominator_overrides_the_cohort_size():
    contract, results = load("rate_cohorts")
    data = results.model_dump(mode="json", exclude_none=True)
    data["observations"][0]["denominator"] = "100"  # only 100 of the 120 pupils were measured in 2026
    out = calculate(contract, type(results).model_validate(data))
    a2026 = rows(out, "hogfranvaro")[0].observations[0]
    # expected 25 % of 100 = 25, measured 20, improvement 5 (20 %): 150 000
    assert (a2026.counterfactual, a2026.improvement, a2026.amount) == (D("25"), D("5"), D("150000.00"))


def test_savings_bonus_over_the_whole_contract():
    out = calculate(*load("contract_bonus"))
    r = rows(out, "kostnad")
    # tranche 1, 50 % of 600 000, 1 100 000 and 400 000: 300 000, 550 000, 200 000
    # bonus over the contract: savings 2 100 000 - 1 500 000 = 600 000 x 30 % = 180 000, since wellbeing
    # improved over the contract (2 - 2 + 1 = 1 > 0, strict); settled in 2028
    assert [x.settlement for x in r] == [D("0.00"), D("0.00"), D("180000.00")]
    assert [x.amount_due for x in r] == [D("300000.00"), D("550000.00"), D("380000.00")]
    assert out.totals.amount_due == D("1230000.00")


def test_savings_bonus_over_the_contract_needs_the_condition_over_the_contract():
    contract, results = load("contract_bonus")
    data = results.model_dump(mode="json", exclude_none=True)
    data["observations"][5]["value"] = "70"  # wellbeing 2 - 2 + 0 = 0: not more than 0
    out = calculate(contract, type(results).model_validate(data))
    assert rows(out, "kostnad")[2].settlement == 0
    assert out.totals.amount_due == D("1050000.00")


def test_steps_strict_and_capped_by_period():
    out = calculate(*load("steps"))
    r = rows(out, "placeringar")
    # 4, 5, 6, 8, 10 fewer than 50 = 8 %, 10 %, 12 %, 16 %, 20 %; strict: more than 10 % pays 500 000,
    # more than 15 % pays 1 200 000 (not added to the lower step)
    assert [x.amount_before_caps for x in r] == [
        D("0.00"),
        D("0.00"),
        D("500000.00"),
        D("1200000.00"),
        D("1200000.00"),
    ]
    # 2029 has its own cap of 1 000 000
    assert caps(r[3]) == [("metric_period", D("200000.00"), False)]
    assert out.totals.amount_due == D("2700000.00")


def test_steps_inclusive_pays_exactly_ten_per_cent():
    contract, results = load("steps")
    data = contract.model_dump(mode="json", exclude_none=True)
    data["metrics"][0]["steps"]["inclusive"] = True
    out = calculate(type(contract).model_validate(data), results)
    assert rows(out, "placeringar")[1].amount_due == D("500000.00")  # exactly 10 % counts
    assert out.totals.amount_due == D("3200000.00")


@pytest.mark.parametrize("n_draws", [1, 3])
@pytest.mark.parametrize("name", NAMES)
def test_vectorised_equals_exact_on_examples(name, n_draws):
    contract, results = load(name)
    out = calculate(contract, results)
    totals = calculate_draws(contract, draws_from_results(contract, results, n_draws=n_draws))
    for m in contract.metrics:
        expected = [float(r.amount_due) for r in rows(out, m.id)]
        assert np.array_equal(totals.by_metric[m.id], np.tile(expected, (n_draws, 1)))
    for k, payer in enumerate(contract.payers):
        expected = [float(row.payers[k].amount_due) for row in out.periods]
        assert np.array_equal(totals.by_payer[payer.id], np.tile(expected, (n_draws, 1)))
    assert np.array_equal(totals.total[0], [float(row.amount_due) for row in out.periods])
    assert np.array_equal(totals.cap_bound[0], [row.some_cap_bound for row in out.periods])
    assert totals.carried_remaining[0] == float(out.totals.carried_remaining)


@pytest.mark.parametrize("name", NAMES)
def test_cli_runs_each_example(name):
    path = EXAMPLES / f"payments_{name}.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-m", "insats.core", "payments", str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    expected = {
        "rate_card": "110000.00",
        "baseline": "12000000.00",
        "comparison": "480000.00",
        "savings": "1150000.00",
        "blended": "1050000.00",
        "payers": "292343.75",
        "ratio": "2695000.00",
        "rate_cohorts": "504000.00",
        "contract_bonus": "1230000.00",
        "steps": "2700000.00",
    }[name]
    assert data["totals"]["amount_due"] == expected


def test_cli_reports_the_offending_field(tmp_path):
    data = json.loads((EXAMPLES / "payments_baseline.json").read_text(encoding="utf-8"))
    data["results"]["observations"][2]["metric"] = "placeringarr"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-m", "insats.core", "payments", str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 2
    errors = json.loads(proc.stdout)["errors"]
    assert errors[0]["field"] == "results.observations.2.metric"
    assert "placeringarr" in errors[0]["message"]
