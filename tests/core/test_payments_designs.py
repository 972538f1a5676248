"""Properties of the designs of issue 14 (hypothesis): ratio and rate measures, step payments,
strict thresholds and savings bonuses over the whole contract.

- the vectorised engine equals the exact one to the öre on random contracts of these designs;
- more outcome never pays less, for each design;
- a ratio measure is invariant to scaling numerator and denominator together: the same rates give
  the same threshold verdicts and steps, and the units (and per-unit amounts) scale with them;
- stating the ratio per 1 or per 100 (with the counterfactual restated) changes nothing.
"""

from __future__ import annotations

import copy
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from insats.core.payments import calculate, calculate_draws, draws_from_results, parse_input

MONEY = st.integers(0, 3_000_000).map(lambda c: str(Decimal(c) / 100))
COUNT = st.integers(0, 40_000).map(lambda c: str(Decimal(c) / 100))  # 0.00 .. 400.00
DENOM = st.integers(1, 200_000).map(lambda c: str(Decimal(c) / 100))  # 0.01 .. 2 000.00
RATE = st.integers(0, 10_000).map(lambda c: str(Decimal(c) / 100))  # 0.00 .. 100.00
FRAC = st.integers(0, 100).map(lambda c: str(Decimal(c) / 100))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def threshold():
    return st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["absolute", "relative"]),
            "value": st.integers(0, 40).map(lambda c: str(Decimal(c) / 100 if c < 20 else Decimal(c - 20))),
            "pays": st.sampled_from(["all_units", "above_threshold"]),
            "inclusive": st.booleans(),
        }
    )


@st.composite
def steps(draw):
    kind = draw(st.sampled_from(["absolute", "relative"]))
    n = draw(st.integers(1, 3))
    ats = sorted(set(draw(st.lists(st.integers(0, 30), min_size=n, max_size=n))))
    amounts = sorted(draw(st.lists(st.integers(0, 2_000_000), min_size=len(ats), max_size=len(ats))))
    scale = Decimal("0.01") if kind == "relative" else Decimal(1)
    return {
        "kind": kind,
        "inclusive": draw(st.booleans()),
        "levels": [
            {"at": str(Decimal(a) * scale), "amount": str(Decimal(m) / 100)}
            for a, m in zip(ats, amounts, strict=True)
        ],
    }


@st.composite
def designs(draw, measure_kind=None):
    """A contract of the new designs and results for it (one payer, so more outcome never pays less)."""
    periods = [f"P{i}" for i in range(draw(st.integers(1, 4)))]
    cohorts = [{"id": f"C{i}", "size": draw(st.integers(1, 500))} for i in range(draw(st.integers(0, 2)))]
    metrics: list[dict] = []
    condition_measure = draw(st.none() | st.sampled_from(["ratio", "rate"]))
    cond: dict = {
        "id": "cond",
        "kind": "condition",
        "direction": draw(st.sampled_from(["increase", "decrease"])),
        "counterfactual": {"kind": "baseline", "value": draw(RATE)},
    }
    if condition_measure:
        cond["measure"] = {"kind": condition_measure, "per": draw(st.sampled_from(["1", "100", "1000"]))}
    metrics.append(cond)
    for i in range(draw(st.integers(1, 2))):
        kind = measure_kind or draw(st.sampled_from(["ratio", "rate", "none"]))
        m: dict = {
            "id": f"m{i}",
            "kind": "improvement",
            "direction": draw(st.sampled_from(["increase", "decrease"])),
            "counterfactual": {"kind": draw(st.sampled_from(["baseline", "comparison"]))},
        }
        if m["counterfactual"]["kind"] == "baseline":
            m["counterfactual"]["value"] = draw(RATE)
        if kind != "none":
            m["measure"] = {"kind": kind, "per": draw(st.sampled_from(["1", "100", "1000"]))}
        pricing = draw(st.sampled_from(["price", "tiers", "steps", "price+steps"]))
        if pricing in ("price", "price+steps"):
            m["price"] = draw(MONEY)
        if pricing == "tiers":
            m["tiers"] = [{"up_to": "5", "price": draw(MONEY)}, {"price": draw(MONEY)}]
        if "steps" in pricing:
            m["steps"] = draw(steps())
        if draw(st.booleans()):
            m["threshold"] = draw(threshold())
        if "steps" not in pricing and draw(st.booleans()):
            m["contract_threshold"] = draw(threshold())
        if draw(st.booleans()):
            m["cap_per_period"] = {p: draw(MONEY) for p in periods if draw(st.booleans())}
        metrics.append(m)
    savings: dict = {
        "id": "sav",
        "kind": "savings",
        "counterfactual": {"kind": "baseline", "value": draw(MONEY)},
        "share": draw(FRAC),
        "bonus": {
            "over": draw(st.sampled_from(["period", "contract"])),
            "above": draw(MONEY),
            "share": draw(FRAC),
        },
    }
    if draw(st.booleans()):
        savings["bonus"]["cap"] = draw(MONEY)
    if draw(st.booleans()):
        savings["bonus"]["condition"] = {"metric": "cond", "threshold": draw(threshold())}
    metrics.append(savings)
    contract = {
        "periods": periods,
        "cohorts": cohorts,
        "payers": [{"id": "kommunen", "share": "1"}],
        "metrics": metrics,
        "carry_forward": draw(st.booleans()),
    }
    observations = []
    for m in metrics:
        measure = (m.get("measure") or {}).get("kind")
        for period in periods:
            for cohort in [None, *[c["id"] for c in cohorts]]:
                if not draw(st.booleans()):
                    continue
                obs: dict = {"metric": m["id"], "period": period, "cohort": cohort}
                if m["kind"] == "savings":
                    obs["value"] = draw(MONEY)
                elif measure == "ratio":
                    obs["value"] = draw(COUNT)
                    obs["denominator"] = draw(DENOM)
                elif measure == "rate":
                    obs["value"] = draw(RATE)
                    if cohort is None or draw(st.booleans()):
                        obs["denominator"] = draw(DENOM)
                else:
                    obs["value"] = draw(RATE)
                if m["counterfactual"]["kind"] == "comparison":
                    obs["counterfactual"] = draw(RATE)
                observations.append(obs)
    return {"contract": contract, "results": {"observations": observations}}


def ore(x) -> int:
    return int(round(float(x) * 100))


@SETTINGS
@given(designs())
def test_vectorised_equals_exact_on_the_new_designs(data):
    inp = parse_input(data)
    out = calculate(inp.contract, inp.results)
    totals = calculate_draws(inp.contract, draws_from_results(inp.contract, inp.results, n_draws=2))
    for m in inp.contract.metrics:
        expected = [ore(r.amount_due) for r in out.metrics if r.metric == m.id]
        assert (np.round(totals.by_metric[m.id] * 100).astype(np.int64) == expected).all(), m.id
    assert (np.round(totals.before_caps * 100) == [ore(r.amount_before_caps) for r in out.periods]).all()
    assert (totals.cap_bound == [r.some_cap_bound for r in out.periods]).all()
    assert (np.round(totals.carried_remaining * 100) == ore(out.totals.carried_remaining)).all()


def _better(data, choice: int):
    """A copy where one observation (of any metric, the condition included) shows more outcome."""
    better = copy.deepcopy(data)
    metrics = {m["id"]: m for m in better["contract"]["metrics"]}
    obs = better["results"]["observations"]
    if not obs:
        return None
    o = obs[choice % len(obs)]
    m = metrics[o["metric"]]
    direction = "decrease" if m["kind"] == "savings" else m["direction"]
    step = Decimal("3.17") if m["kind"] != "savings" else Decimal("31700")
    value = Decimal(o["value"]) + (-step if direction == "decrease" else step)
    if value < 0:
        return None
    o["value"] = str(value)
    return better


@SETTINGS
@given(designs(), st.integers(0, 1000))
def test_more_outcome_never_pays_less_on_the_new_designs(data, choice):
    better = _better(data, choice)
    assume(better is not None)
    a = calculate(*_split(parse_input(data)))
    b = calculate(*_split(parse_input(better)))
    assert b.totals.amount_before_caps >= a.totals.amount_before_caps
    assert b.totals.amount_due >= a.totals.amount_due


def _split(inp):
    return inp.contract, inp.results


@SETTINGS
@given(designs(measure_kind="ratio"), st.integers(2, 7))
def test_ratio_invariant_to_scaling_numerator_and_denominator(data, k):
    """k times the numerator and the denominator: the same rates, so the same threshold verdicts and
    steps; the improvement in units of the numerator is exactly k times as large."""
    scaled = copy.deepcopy(data)
    ratio_ids = {
        m["id"] for m in data["contract"]["metrics"] if (m.get("measure") or {}).get("kind") == "ratio"
    }
    for o in scaled["results"]["observations"]:
        if o["metric"] in ratio_ids:
            o["value"] = str(Decimal(o["value"]) * k)
            o["denominator"] = str(Decimal(o["denominator"]) * k)
    a = calculate(*_split(parse_input(data)))
    b = calculate(*_split(parse_input(scaled)))
    for ra, rb in zip(a.metrics, b.metrics, strict=True):
        if ra.metric not in ratio_ids:
            continue
        for oa, ob in zip(ra.observations, rb.observations, strict=True):
            assert ob.improvement == oa.improvement * k
            assert ob.counterfactual == oa.counterfactual * k
            if not any("threshold" in m and m["id"] == ra.metric for m in data["contract"]["metrics"]):
                continue
            metric = next(m for m in data["contract"]["metrics"] if m["id"] == ra.metric)
            if metric["threshold"]["kind"] == "relative":
                assert ob.threshold_met == oa.threshold_met


@SETTINGS
@given(designs())
def test_ratio_or_rate_stated_per_one_or_per_hundred_pays_the_same(data):
    restated = copy.deepcopy(data)
    for m in restated["contract"]["metrics"]:
        measure = m.get("measure")
        if not measure:
            continue
        factor = Decimal(100)
        measure["per"] = str(Decimal(measure["per"]) * factor)
        cf = m["counterfactual"]
        if "value" in cf:
            cf["value"] = str(Decimal(cf["value"]) * factor)
        for o in restated["results"]["observations"]:
            if o["metric"] == m["id"] and "counterfactual" in o:
                o["counterfactual"] = str(Decimal(o["counterfactual"]) * factor)
            if o["metric"] == m["id"] and measure["kind"] == "rate":  # a rate is itself restated
                o["value"] = str(Decimal(o["value"]) * factor)
    a = calculate(*_split(parse_input(data)))
    b = calculate(*_split(parse_input(restated)))
    assert a.model_dump() == b.model_dump()


# --- validation ---------------------------------------------------------------------------------


def _base(metric: dict, observations: list[dict], cohorts=None) -> dict:
    return {
        "contract": {
            "periods": ["2026"],
            "cohorts": cohorts or [],
            "payers": [{"id": "k", "share": "1"}],
            "metrics": [metric],
        },
        "results": {"observations": observations},
    }


IMPROVEMENT = {
    "id": "m",
    "kind": "improvement",
    "direction": "decrease",
    "counterfactual": {"kind": "baseline", "value": "40"},
    "price": "100",
}


def _fields(exc: ValidationError) -> list[str]:
    return [".".join(str(p) for p in e["loc"]) for e in exc.errors()]


def test_ratio_needs_the_denominator():
    data = _base(
        {**IMPROVEMENT, "measure": {"kind": "ratio"}}, [{"metric": "m", "period": "2026", "value": "3"}]
    )
    with pytest.raises(ValidationError) as exc:
        parse_input(data)
    assert "results.observations.0.denominator" in _fields(exc.value)


def test_rate_needs_a_denominator_or_a_cohort_size():
    data = _base(
        {**IMPROVEMENT, "measure": {"kind": "rate", "per": "100"}},
        [{"metric": "m", "period": "2026", "cohort": "A", "value": "3"}],
        cohorts=[{"id": "A"}],
    )
    with pytest.raises(ValidationError) as exc:
        parse_input(data)
    assert "results.observations.0.denominator" in _fields(exc.value)
    data["contract"]["cohorts"] = [{"id": "A", "size": 50}]
    assert parse_input(data).results.observations[0].denominator is None


def test_denominator_without_a_measure_is_refused():
    data = _base(IMPROVEMENT, [{"metric": "m", "period": "2026", "value": "3", "denominator": "10"}])
    with pytest.raises(ValidationError) as exc:
        parse_input(data)
    assert "results.observations.0.denominator" in _fields(exc.value)


@pytest.mark.parametrize("per", ["0", "-1"])
def test_measure_per_must_be_positive(per):
    data = _base({**IMPROVEMENT, "measure": {"kind": "ratio", "per": per}}, [])
    with pytest.raises(ValidationError) as exc:
        parse_input(data)
    assert any(f.endswith("measure.per") for f in _fields(exc.value))


def test_steps_must_increase_and_never_pay_less():
    metric = {**IMPROVEMENT, "price": None}
    metric["steps"] = {
        "kind": "absolute",
        "levels": [{"at": "5", "amount": "100"}, {"at": "5", "amount": "200"}],
    }
    with pytest.raises(ValidationError) as exc:
        parse_input(_base(metric, []))
    assert any(f.endswith("steps.levels.1.at") for f in _fields(exc.value))
    metric["steps"] = {
        "kind": "absolute",
        "levels": [{"at": "5", "amount": "200"}, {"at": "6", "amount": "100"}],
    }
    with pytest.raises(ValidationError) as exc:
        parse_input(_base(metric, []))
    assert any(f.endswith("steps.levels.1.amount") for f in _fields(exc.value))


def test_steps_alone_are_a_price_rule_but_not_with_a_contract_threshold():
    metric = {k: v for k, v in IMPROVEMENT.items() if k != "price"}
    metric["steps"] = {"kind": "absolute", "levels": [{"at": "5", "amount": "100"}]}
    out = calculate(*_split(parse_input(_base(metric, [{"metric": "m", "period": "2026", "value": "35"}]))))
    assert out.totals.amount_due == Decimal("100.00")
    metric["contract_threshold"] = {"kind": "absolute", "value": "1"}
    with pytest.raises(ValidationError) as exc:
        parse_input(_base(metric, []))
    assert any(f.endswith("steps") for f in _fields(exc.value))


@pytest.mark.parametrize(("inclusive", "paid"), [(True, "500.00"), (False, "0.00")])
def test_a_threshold_exactly_reached_is_met_only_when_inclusive(inclusive, paid):
    metric = {**IMPROVEMENT, "threshold": {"kind": "absolute", "value": "5", "inclusive": inclusive}}
    out = calculate(*_split(parse_input(_base(metric, [{"metric": "m", "period": "2026", "value": "35"}]))))
    assert out.totals.amount_due == Decimal(paid)  # 40 - 35 = 5 units x 100 kr
