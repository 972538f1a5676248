"""Business cases for rate-card contracts: the participant model (insats.core.participants).

The worked example (docs/core/simulation.md, worked example 4, examples/simulate_rate_card.json) is
computed by hand there; the numbers below are copied from that computation. Properties: payments
grow with the outcome probabilities, never exceed the caps, are zero without participants, and do
not depend on the order of participants or outcomes; the sampler matches a brute-force enumeration
of every participant's outcomes in distribution.
"""

from __future__ import annotations

import copy
import itertools
import json
from decimal import Decimal as D
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from insats.core import participants as ppl
from insats.core import payments as pay
from insats.core import simulation as sim

from .test_simulation import EXAMPLES, cli

EXAMPLE = json.loads((EXAMPLES / "simulate_rate_card.json").read_text(encoding="utf-8"))


def case(data):
    return sim.Input.model_validate(data)


def env_of(c, n):
    return {k: np.full(n, d.median()) for k, d in c.inputs.items()}


# ---------------------------------------------------------------------------------------------
# worked example 4, by hand


def test_worked_example_deterministic_payments_by_hand():
    det = sim.deterministic(case(EXAMPLE))
    # 6 enrolled in 2026 and 4 in 2027: start 10 000 in the enrolment year; the job, achieved a
    # year later and sustained one more, 30 000 two years after enrolment but the participant cap
    # of 35 000 leaves 25 000; the contract's total cap of 300 000 leaves 50 000 of 100 000 in 2029.
    assert det.payments_by_period == [D("60000.00"), D("40000.00"), D("150000.00"), D("50000.00")]
    assert det.payments_cap_hit is True


def test_worked_example_participant_cap_before_the_contract_caps():
    c = case(EXAMPLE)
    pm = c.participants[0]
    prep = ppl.prepare(c.contract.metric("arbete"), pm, 4)
    paid = ppl.payments(
        prep, [np.array([6.0]), np.array([4.0])], [np.ones(1), np.ones(1), np.zeros(1)], 4, None
    )
    assert paid.gross.tolist() == [[6_000_000, 4_000_000, 18_000_000, 12_000_000]]  # öre
    assert paid.capped.tolist() == [[6_000_000, 4_000_000, 15_000_000, 10_000_000]]
    assert paid.effects["jobs"].tolist() == [[0, 0, 6, 4]]


def test_worked_example_budget_and_financing_by_hand():
    det = sim.deterministic(case(EXAMPLE))
    b = det.budget
    # jobs paid 6 in 2028 and 4 in 2029, each saving 80 000 that year and the next
    assert [r.costs_avoided for r in b.rows] == [D(0), D(0), D("480000"), D("800000"), D("320000")]
    assert b.pv_costs_avoided == D("1600000.00")  # discount rate 0
    assert b.pv_outcome_payments == D("300000.00")
    assert b.npv == D("1300000.00")
    f = det.financing
    assert [r.to_principal for r in f.ledger] == [D("60000"), D("40000"), D("100000"), D(0)]
    assert [r.return_due for r in f.ledger] == [D("5000"), D("12000"), D("17000"), D(0)]
    assert f.fund_cashflows == [D("-100000"), D("-40000"), D("40000"), D("133500"), D("25000")]
    assert f.fund_receipts == D("258500.00")
    assert f.money_multiple == pytest.approx(1.2925)
    assert f.provider_net == D("41500.00")

    def npv(r):
        return sum(float(x) / (1 + r) ** t for t, x in enumerate(f.fund_cashflows))

    assert npv(0.14) > 0 > npv(0.15)  # +601.78 and −2 464.60 by hand
    assert 0.14 < f.irr_annual < 0.15
    assert npv(f.irr_annual) == pytest.approx(0, abs=1e-4)


def test_worked_example_every_simulated_run_equals_the_hand_computation():
    c = case(EXAMPLE)
    n = 5000
    res = sim.evaluate(c, env_of(c, n), n, seed=7, start=0)
    assert (res["payments"] == np.array([60000.0, 40000.0, 150000.0, 50000.0])).all()
    r = sim.simulate_draws(c, n, seed=7, chunk_size=2048)
    assert set(r["total_payments"].tolist()) == {300000.0}
    assert set(r["npv"].tolist()) == {1300000.0}
    assert r["fund_repaid"].all()


def test_worked_example_runs_through_the_command_line():
    proc = cli("simulate", str(EXAMPLES / "simulate_rate_card.json"))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["deterministic"]["payments_by_period"] == ["60000.00", "40000.00", "150000.00", "50000.00"]
    assert out["deterministic"]["budget"]["npv"] == "1300000.00"
    mc = out["monte_carlo"]
    assert mc["total_payments"]["p5"] == mc["total_payments"]["p95"] == "300000.00"
    assert mc["probability_cap_hit"] == 1.0
    assert mc["probability_fund_repaid"] == 1.0


# ---------------------------------------------------------------------------------------------
# validation


def bad(mutate):
    data = copy.deepcopy(EXAMPLE)
    mutate(data)
    with pytest.raises(ValidationError) as info:
        case(data)
    return ".".join(str(p) for p in info.value.errors()[0]["loc"])


def test_bad_participant_models_name_the_field():
    assert bad(lambda d: d["participants"][0].__setitem__("metric", "nope")) == "participants.0.metric"
    assert (
        bad(lambda d: d["participants"][0]["outcomes"][0].__setitem__("outcome", "x"))
        == "participants.0.outcomes.0.outcome"
    )
    assert (
        bad(lambda d: d["participants"][0]["outcomes"][1].__setitem__("effect", "nope"))
        == "participants.0.outcomes.1.effect"
    )
    assert bad(lambda d: d["participants"][0]["enrolment"].extend([1, 1, 1])) == "participants.0.enrolment"
    assert (
        bad(lambda d: d["participants"][0]["outcomes"][0].__setitem__("probability", "p"))
        == "participants.0.outcomes.0.probability"
    )
    loc = bad(
        lambda d: d["participants"][0]["outcomes"][2]["delay"].__setitem__("probabilities", ["0.5", "0.6"])
    )
    assert loc.startswith("participants.0.outcomes.2.delay") and loc.endswith("probabilities")
    assert bad(lambda d: d["participants"][0]["outcomes"][1].__setitem__("delay", -1)).startswith(
        "participants.0.outcomes.1.delay"
    )
    assert (
        bad(lambda d: d["participants"].append(copy.deepcopy(d["participants"][0])))
        == "participants.1.metric"
    )
    counts = [{"metric": "arbete", "period": "2026", "outcome": "start", "count": 1}]
    assert bad(lambda d: d.__setitem__("outcome_counts", counts)) == "participants.0.metric"


def test_enrolment_beyond_a_billion_is_refused_naming_the_period():
    data = copy.deepcopy(EXAMPLE)
    data["participants"][0]["enrolment"] = [6, 2e9]
    with pytest.raises(ValidationError) as info:
        sim.deterministic(case(data))
    assert ".".join(str(p) for p in info.value.errors()[0]["loc"]) == "participants.0.enrolment.1"


def test_too_many_joint_patterns_is_refused():
    def many(d):
        delays = {"values": list(range(20)), "probabilities": ["0.05"] * 20}
        for o in d["participants"][0]["outcomes"]:
            o["delay"] = delays

    assert bad(many) == "participants.0.outcomes"  # 21³ = 9 261 joint patterns > 4 096


# ---------------------------------------------------------------------------------------------
# random rate-card cases

PERIODS = ["p1", "p2", "p3", "p4", "p5"]


@st.composite
def rate_cards(draw, zero_one=False):
    k = draw(st.integers(1, 3))
    outcomes, chances = [], []
    for j in range(k):
        outcomes.append(
            {
                "id": f"o{j}",
                "price": str(draw(st.integers(1, 50)) * 1000),
                "sustain_periods": draw(st.integers(0, 2)),
            }
        )
        if zero_one:
            prob = draw(st.sampled_from([0, 1]))
            delay = draw(st.integers(0, 3))
        else:
            prob = float(draw(st.decimals("0", "1", places=2)))
            values = sorted(draw(st.sets(st.integers(0, 3), min_size=1, max_size=3)))
            weights = [draw(st.integers(1, 5)) for _ in values]
            total = sum(weights)
            probs = [F(w, total) for w in weights]
            probs[-1] = 1 - sum(probs[:-1], F(0))
            delay = {
                "values": values,
                "probabilities": [str(D(p.numerator) / D(p.denominator)) for p in probs],
            }
        chances.append({"outcome": f"o{j}", "probability": prob, "delay": delay})
    metric = {"id": "rc", "kind": "rate_card", "outcomes": outcomes}
    if draw(st.booleans()):
        metric["cap_per_participant"] = str(draw(st.integers(1, 80)) * 1000)
    contract = {"id": "c", "periods": PERIODS, "payers": [{"id": "k", "share": "1"}], "metrics": [metric]}
    if draw(st.booleans()):
        contract["caps"] = {"total": str(draw(st.integers(1, 2000)) * 1000)}
    if draw(st.booleans()):
        metric["cap_per_period"] = str(draw(st.integers(1, 500)) * 1000)
    enrolment = [draw(st.integers(0, 12)) for _ in range(draw(st.integers(1, 5)))]
    return {
        "contract": contract,
        "participants": [{"metric": "rc", "enrolment": enrolment, "outcomes": chances}],
        "budget": {"horizon": 5, "effects": {}, "cost_items": []},
    }


def expected_payments(data):
    c = case(data)
    return sim.evaluate(c, env_of(c, 1), 1)["payments"][0]


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(rate_cards(), st.data())
def test_expected_payments_increase_with_outcome_probability(data, more):
    # a cap per period can cut more when a higher chance of an early outcome fills the cap per
    # participant sooner (payments move to an earlier period): monotone only without it
    data["contract"]["metrics"][0].pop("cap_per_period", None)
    j = more.draw(st.integers(0, len(data["participants"][0]["outcomes"]) - 1))
    low = data["participants"][0]["outcomes"][j]["probability"]
    high = more.draw(st.floats(low, 1.0))
    raised = copy.deepcopy(data)
    raised["participants"][0]["outcomes"][j]["probability"] = high
    a, b = expected_payments(data), expected_payments(raised)
    assert b.sum() >= a.sum() - 0.011 * len(PERIODS)  # each period's expectation is rounded to the öre


@SETTINGS
@given(rate_cards(), st.integers(0, 2**32))
def test_simulated_payments_never_exceed_the_caps(data, seed):
    c = case(data)
    metric = c.contract.metrics[0]
    n = 500
    res = sim.evaluate(c, env_of(c, n), n, seed=seed, start=0)
    pay_ = res["payments"]
    assert (pay_ >= 0).all()
    enrolled = sum(data["participants"][0]["enrolment"])
    if metric.cap_per_participant is not None:
        assert (pay_.sum(axis=1) <= float(metric.cap_per_participant) * enrolled + 1e-6).all()
    most = sum(float(o.price) for o in metric.outcomes) * enrolled
    assert (pay_.sum(axis=1) <= most + 1e-6).all()
    if c.contract.caps.total is not None:
        assert (pay_.sum(axis=1) <= float(c.contract.caps.total) + 1e-6).all()
    if metric.cap_per_period is not None:
        assert (pay_ <= float(metric.cap_per_period) + 1e-6).all()


@SETTINGS
@given(rate_cards(), st.integers(0, 2**32))
def test_zero_enrolment_gives_zero_payments(data, seed):
    data["participants"][0]["enrolment"] = [0] * len(data["participants"][0]["enrolment"])
    c = case(data)
    res = sim.evaluate(c, env_of(c, 300), 300, seed=seed, start=0)
    assert not res["payments"].any()
    assert not expected_payments(data).any()


@SETTINGS
@given(rate_cards(), st.randoms(use_true_random=False))
def test_expected_payments_do_not_depend_on_the_order_of_outcomes(data, rnd):
    shuffled = copy.deepcopy(data)
    rnd.shuffle(shuffled["participants"][0]["outcomes"])
    # At most one öre apart: summing the outcomes in another order can move a float across a
    # half-öre, and the difference of two öre-rounded floats is 0.010000000000104592, not 0.01.
    assert np.abs(expected_payments(data) - expected_payments(shuffled)).max() <= 0.01 + 1e-9


@SETTINGS
@given(rate_cards(zero_one=True), st.integers(0, 2**32), st.randoms(use_true_random=False))
def test_certain_outcomes_equal_the_exact_engine_on_participant_records_in_any_order(data, seed, rnd):
    """Probabilities 0 or 1 and fixed delays: every simulated run equals the exact payments engine
    fed one record per participant and outcome, whatever order the records come in."""
    c = case(data)
    pm = data["participants"][0]
    rows = []
    for cohort, people in enumerate(pm["enrolment"]):
        for i in range(people):
            for ch in pm["outcomes"]:
                if ch["probability"] == 1 and cohort + ch["delay"] < len(PERIODS):
                    rows.append((f"P{cohort}-{i}", ch["outcome"], PERIODS[cohort + ch["delay"]]))
    rnd.shuffle(rows)
    results = pay.Results(
        participants=[
            pay.ParticipantRecords(
                metric="rc",
                participant=[r[0] for r in rows],
                outcome=[r[1] for r in rows],
                achieved=[r[2] for r in rows],
                sustained_through=[PERIODS[-1]] * len(rows),
            )
        ]
        if rows
        else []
    )
    exact = [float(p.amount_due) for p in pay.calculate(c.contract, results).periods]
    n = 50
    simulated = sim.evaluate(c, env_of(c, n), n, seed=seed, start=0)["payments"]
    assert (simulated == np.array(exact)).all()
    assert (expected_payments(data) == np.array(exact)).all()


# ---------------------------------------------------------------------------------------------
# in distribution: the sampler against a brute-force enumeration


def brute_force_mean(price, sustain, cap, probs, delays, enrolment, n_periods):
    """E[payment per period] by enumerating one participant's outcomes and delays exactly."""
    per_offset = [F(0)] * n_periods
    choices = [[None] + list(zip(d[0], d[1], strict=True)) for d in delays]
    for combo in itertools.product(*choices):
        p = F(1)
        paid = [0] * n_periods
        for j, state in enumerate(combo):
            if state is None:
                p *= 1 - probs[j]
            else:
                p *= probs[j] * state[1]
                at = state[0] + sustain[j]
                if at < n_periods:
                    paid[at] += price[j]
        cum, out = 0, []
        for x in paid:
            new = min(cum + x, cap) if cap is not None else cum + x
            out.append(new - cum)
            cum = new
        for t in range(n_periods):
            per_offset[t] += p * out[t]
    mean = [F(0)] * n_periods
    for c, people in enumerate(enrolment):
        for t in range(n_periods - c):
            mean[c + t] += people * per_offset[t]
    return mean


H, Q = ["0.5", "0.5"], ["0.25", "0.75"]  # delay probabilities


def test_sampler_matches_a_brute_force_enumeration_in_distribution():
    data = {
        "contract": {
            "id": "c",
            "periods": PERIODS,
            "payers": [{"id": "k", "share": "1"}],
            "metrics": [
                {
                    "id": "rc",
                    "kind": "rate_card",
                    "cap_per_participant": "45000",
                    "outcomes": [
                        {"id": "a", "price": "20000"},
                        {"id": "b", "price": "30000", "sustain_periods": 1},
                        {"id": "c", "price": "15000"},
                    ],
                }
            ],
        },
        "participants": [
            {
                "metric": "rc",
                "enrolment": [20, 30, 10],
                "outcomes": [
                    {"outcome": "a", "probability": 0.6, "delay": {"values": [0, 1], "probabilities": H}},
                    {"outcome": "b", "probability": 0.3, "delay": {"values": [1, 2], "probabilities": Q}},
                    {"outcome": "c", "probability": 0.5, "delay": 2},
                ],
            }
        ],
        "budget": {"horizon": 5, "effects": {}, "cost_items": []},
    }  # fmt: skip
    exact = brute_force_mean(
        [20000, 30000, 15000],
        [0, 1, 0],
        45000,
        [F(6, 10), F(3, 10), F(1, 2)],
        [([0, 1], [F(1, 2), F(1, 2)]), ([1, 2], [F(1, 4), F(3, 4)]), ([2], [F(1)])],
        [20, 30, 10],
        5,
    )
    c = case(data)
    expected = sim.evaluate(c, env_of(c, 1), 1)["payments"][0]
    assert expected.tolist() == [round(float(x), 2) for x in exact]
    n = 20_000
    sims = sim.evaluate(c, env_of(c, n), n, seed=11, start=0)["payments"]
    se = sims.std(axis=0, ddof=1) / np.sqrt(n)
    assert (np.abs(sims.mean(axis=0) - np.array([float(x) for x in exact])) <= 4 * se + 1e-9).all()
    # the cap binds: without it the mean would be larger in the periods of the later outcomes
    uncapped = brute_force_mean(
        [20000, 30000, 15000], [0, 1, 0], None, [F(6, 10), F(3, 10), F(1, 2)],
        [([0, 1], [F(1, 2), F(1, 2)]), ([1, 2], [F(1, 4), F(3, 4)]), ([2], [F(1)])], [20, 30, 10], 5,
    )  # fmt: skip
    assert sum(uncapped) > sum(exact)


def test_binomial_spread_of_a_single_outcome():
    """One outcome, no cap: the number paid per run is Binomial(enrolled, p)."""
    data = copy.deepcopy(EXAMPLE)
    data.pop("financing")
    data["contract"].pop("caps")
    data["contract"]["metrics"][0].pop("cap_per_participant")
    data["participants"][0]["enrolment"] = [40]
    data["participants"][0]["outcomes"] = [{"outcome": "start", "probability": 0.25}]
    c = case(data)
    n = 20_000
    counts = sim.evaluate(c, env_of(c, n), n, seed=3, start=0)["payments"][:, 0] / 10000
    assert counts.mean() == pytest.approx(10, abs=4 * np.sqrt(40 * 0.25 * 0.75 / n))
    assert counts.var(ddof=1) == pytest.approx(40 * 0.25 * 0.75, rel=0.05)


def test_uncertain_probability_and_enrolment_from_inputs_and_reproducible_per_seed():
    data = copy.deepcopy(EXAMPLE)
    data["inputs"] = {
        "p_job": {"kind": "beta", "alpha": 3, "beta": 3},
        "enrolled": {"kind": "triangular", "low": 2, "mode": 6, "high": 10},
    }
    data["participants"][0]["enrolment"] = ["enrolled", "enrolled"]
    data["participants"][0]["outcomes"][1]["probability"] = "p_job"
    c = case(data)
    a = sim.simulate_draws(c, 5000, seed=5, chunk_size=2048)
    b = sim.simulate_draws(c, 5000, seed=5, chunk_size=65536)
    d = sim.simulate_draws(c, 5000, seed=6, chunk_size=2048)
    assert (a["total_payments"] == b["total_payments"]).all()
    assert (a["fund_irr_annual"] == b["fund_irr_annual"]).all() or np.allclose(
        a["fund_irr_annual"], b["fund_irr_annual"], equal_nan=True
    )
    assert not (a["total_payments"] == d["total_payments"]).all()
    assert len(set(a["total_payments"].tolist())) > 10
    out = sim.monte_carlo(c.model_copy(update={"monte_carlo": sim.MonteCarlo(draws=4000, seed=1)}))
    assert {bar.input for bar in out.tornado} == {"p_job", "enrolled"}
