"""The mapping from a scenario's inputs to the core simulation's input (no database).

Expected figures are worked out by hand below, or come from calling the core's payments engine
directly with the observations the mapping should produce — never from the mapping itself.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from insats.contracts import business_case as bc
from insats.core import financing as fin
from insats.core import payments as pay
from insats.core import simulation as sim

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "core" / "examples"


def baseline_contract() -> pay.Contract:
    """Barnens Väl (docs/core/payments.md example 2): 50 placements a year, 250 000 kr each avoided,
    10 % threshold a year, 20 % over the contract, at most 12 000 000 kr."""
    data = json.loads((EXAMPLES / "payments_baseline.json").read_text())
    return pay.Contract.model_validate(data["contract"])


def fixed(v: float) -> dict:
    return {"kind": "fixed", "value": v}


def inputs(**over) -> bc.ScenarioInputs:
    base = {
        "effect": fixed(0.2),
        "baseline_placements": 50,
        "hvb_share": 0.5,
        "hvb_day_cost": fixed(5000),
        "family_home_day_cost": fixed(1000),
        "days_per_placement": fixed(200),
        "days_following": fixed(100),
        "cashable_share": "0.6",
        "own_costs_per_year": "200000",
        "horizon_years": 6,
        "draws": 2048,
        "seed": 7,
    }
    base.update(over)
    return bc.ScenarioInputs.model_validate(base)


def test_budget_by_hand():
    """50 placements × 20 % = 10 avoided a year for five years. Each avoided placement saves
    200 days that year and 100 the next, half in HVB at 5 000 kr, half in a family home at 1 000 kr:
    year 1 = 10 × (100 × 5 000 + 100 × 1 000) = 6 000 000; years 2–5 add 10 × (50 × 5 000 +
    50 × 1 000) = 3 000 000 from the year before → 9 000 000; year 6 only that 3 000 000."""
    case = bc.core_case(bc.build_core_input(inputs(), baseline_contract()))
    det = sim.deterministic(case)
    avoided = [row.costs_avoided for row in det.budget.rows]
    assert avoided == [Decimal(x) for x in (6_000_000, 9_000_000, 9_000_000, 9_000_000, 9_000_000, 3_000_000)]
    assert [row.cashable for row in det.budget.rows][0] == Decimal("3600000.00")  # 60 %
    assert [row.own_costs for row in det.budget.rows] == [Decimal("200000.00")] * 5 + [Decimal("0.00")]


def test_payments_by_hand():
    """Placements 50 × (1 − 0.2) = 40 a year: an improvement of 10 ≥ 5 each year → 2 500 000 a
    year; over the contract 50/250 = 20 % ≥ 20 %, worth 12 500 000 of which all was granted (no
    settlement); the cap of 12 000 000 cuts the last year to 2 000 000."""
    case = bc.core_case(bc.build_core_input(inputs(), baseline_contract()))
    det = sim.deterministic(case)
    assert det.payments_by_period == [Decimal("2500000.00")] * 4 + [Decimal("2000000.00")]
    assert det.payments_cap_hit is True


def test_observations_follow_the_contract_baseline():
    j = bc.build_core_input(inputs(), baseline_contract())
    assert [o["period"] for o in j["observations"]] == ["2026", "2027", "2028", "2029", "2030"]
    assert all(o["value"] == {"mul": [50, {"sub": [1, "effect"]}]} for o in j["observations"])
    assert j["budget"]["effects"]["placements_avoided"] == [{"mul": [50, "effect"]}] * 5
    assert j["monte_carlo"]["draws"] == 2048 and j["monte_carlo"]["seed"] == 7
    assert j["budget"]["discount_rate"] == "0.035"  # the default 3.5 %
    json.dumps(j)  # storable as it is


def test_quarters_split_the_yearly_figures():
    c = baseline_contract().model_copy(
        update={"periods": [pay.Period(id=f"2026-Q{q}") for q in (1, 2, 3, 4)]}
    )
    j = bc.build_core_input(inputs(horizon_years=2, own_costs_per_year="200000"), c, periods_per_year=4)
    assert j["budget"]["horizon"] == 8 and j["budget"]["periods_per_year"] == 4
    assert j["budget"]["effects"]["placements_avoided"] == [{"mul": [12.5, "effect"]}] * 4
    assert j["budget"]["own_costs"] == [50000] * 4


@settings(max_examples=25, deadline=None)
@given(effect=st.decimals(min_value=0, max_value=Decimal("0.6"), places=3))
def test_payments_equal_the_payments_engine(effect):
    """For any fixed effect the simulated payments are the payments engine's for placements
    50 × (1 − effect) reported every year."""
    c = baseline_contract()
    case = bc.core_case(bc.build_core_input(inputs(effect=fixed(float(effect))), c))
    det = sim.deterministic(case)
    measured = Decimal(50) * (1 - effect)
    results = pay.Results(
        observations=[pay.Observation(metric="placeringar", period=p, value=measured) for p in c.period_ids]
    )
    expected = pay.calculate(c, results)
    assert det.payments_by_period == [row.amount_due for row in expected.periods]


def test_all_fixed_monte_carlo_equals_the_exact_result():
    case = bc.core_case(bc.build_core_input(inputs(), baseline_contract()))
    out = sim.simulate(case)
    mc = out.monte_carlo
    assert mc.commissioner_npv.p10 == mc.commissioner_npv.p90 == out.deterministic.budget.npv
    assert mc.total_payments.p50 == Decimal("12000000.00")
    assert mc.probability_cap_hit == 1.0
    assert mc.tornado == []  # nothing uncertain


def test_financing_passes_through():
    terms = fin.FinancingTerms.model_validate(
        json.loads((EXAMPLES / "financing_fixed_rate.json").read_text())["terms"]
    )
    j = bc.build_core_input(inputs(), baseline_contract(), terms)
    assert fin.FinancingTerms.model_validate(j["financing"]) == terms
    out = bc.run_core(j)
    # payments 2 500 000 a year against 1 000 000 drawn a year at 5 %: repaid in full in every draw
    assert out["monte_carlo"]["probability_fund_repaid"] == 1.0


def test_without_a_contract_nothing_is_paid():
    j = bc.build_core_input(inputs(), None)
    det = sim.deterministic(bc.core_case(j))
    assert det.budget.pv_outcome_payments == Decimal("0.00")
    assert len(det.budget.rows) == 6


def test_comparison_metric_needs_a_level_and_uses_it():
    c = pay.Contract.model_validate(
        json.loads((EXAMPLES / "payments_comparison.json").read_text())["contract"]
    )
    metric = c.metrics[0]
    assert bc.needs_level(metric)
    with pytest.raises(bc.BusinessCaseError) as err:
        bc.build_core_input(inputs(horizon_years=3), c)
    assert err.value.field == f"metric_levels.{metric.id}"
    j = bc.build_core_input(inputs(horizon_years=3, metric_levels={metric.id: 20}), c)
    obs = j["observations"][0]
    assert obs["counterfactual"] == 20 and obs["value"] == {"mul": [20, {"sub": [1, "effect"]}]}


def test_rate_cards_without_a_participant_model_ask_for_one():
    c = pay.Contract.model_validate(
        json.loads((EXAMPLES / "payments_rate_card.json").read_text())["contract"]
    )
    with pytest.raises(bc.BusinessCaseError) as err:
        bc.build_core_input(inputs(horizon_years=1), c, periods_per_year=4)
    assert err.value.field == "enrolment_kind" and "á-pris" in str(err.value)


def test_horizon_must_cover_the_contract():
    with pytest.raises(bc.BusinessCaseError) as err:
        bc.build_core_input(inputs(horizon_years=4), baseline_contract())
    assert err.value.field == "horizon_years"


def test_input_errors_land_on_form_fields():
    with pytest.raises(ValidationError) as exc:
        inputs(effect={"kind": "triangular", "low": 0.3, "mode": 0.1, "high": 0.2})
    assert "effect_kind" in bc.inputs_error_fields(exc.value)
    with pytest.raises(ValidationError) as exc:
        inputs(hvb_day_cost={"kind": "normal", "mean": 4000, "sd": -1}, discount_rate="2")
    fields = bc.inputs_error_fields(exc.value)
    assert "hvb_day_cost_sd" in fields and "discount_rate" in fields


def test_core_errors_name_the_field():
    j = bc.build_core_input(inputs(), baseline_contract())
    j["observations"][0]["period"] = "1999"
    with pytest.raises(bc.BusinessCaseError) as err:
        bc.core_case(j)
    assert err.value.field == "observations.0.period" and "observations.0.period" in str(err.value)


def test_core_fields_map_to_the_scenario_inputs():
    assert bc.scenario_field("inputs.effect.pert.high") == "effect_high"
    assert bc.scenario_field("inputs.hvb_day_cost.triangular") == "hvb_day_cost_kind"
    assert bc.scenario_field("budget.horizon") == "horizon_years"
    assert bc.scenario_field("monte_carlo.draws") == "draws"
    assert bc.scenario_field("contract.metrics.0.price") == "contract.metrics.0.price"
    j = bc.build_core_input(inputs(), baseline_contract())
    j["budget"]["discount_rate"] = "1.5"
    with pytest.raises(bc.BusinessCaseError) as err:
        bc.core_case(j)
    assert err.value.field == "discount_rate" and str(err.value).startswith("budget.discount_rate")
