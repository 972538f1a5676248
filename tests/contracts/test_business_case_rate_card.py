"""Business cases for rate-card contracts: the participant model from the scenario's inputs to
the core, the form, the run and the scenario page.

The contract is "Ung i skolan" (docs/core/examples/payments_rate_card.json): four quarters,
*återgång* 20 000 kr paid the quarter it happens, *närvaro* 30 000 kr paid when it has lasted two
more quarters, at most 40 000 kr per participant. Figures are computed by hand in each test.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from insats.contracts import business_case as bc
from insats.contracts.models import BusinessCaseScenario, Contract, ContractParty, OutcomeMetric, PartyRole
from insats.core import payments as pay
from insats.core import simulation as sim
from tests.conftest import login

from .test_business_case_world import scenario_inputs

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "core" / "examples"
RATE_CARD = json.loads((EXAMPLES / "payments_rate_card.json").read_text())["contract"]
RULE = {
    "outcomes": [
        {"id": "ater", "label": "Återgång till skolan", "price": "20000"},
        {"id": "narvaro", "label": "Närvaro över 90 %", "price": "30000", "sustain_periods": 2},
    ],
    "cap_per_participant": "40000",
}


def participants(**over) -> dict:
    data = {
        "enrolment": {"kind": "fixed", "value": 10},
        "enrolment_periods": 1,
        "outcomes": {
            "skola/återgång": {"probability": 1, "delay_min": 0, "delay_max": 0, "value": "5000"},
            "skola/närvaro": {"probability": 1, "delay_min": 0, "delay_max": 0},
        },
    }
    data.update(over)
    return data


def test_the_participant_model_reaches_the_core_and_pays_as_by_hand():
    contract = pay.Contract.model_validate(RATE_CARD)
    inputs = scenario_inputs(horizon_years=1, baseline_placements=0, participants=participants())
    case = bc.build_core_input(inputs, contract, periods_per_year=4)
    assert case["participants"] == [
        {
            "metric": "skola",
            "enrolment": ["enrolment"],
            "outcomes": [
                {"outcome": "återgång", "probability": 1, "delay": 0, "effect": "skola/återgång"},
                {"outcome": "närvaro", "probability": 1, "delay": 0},
            ],
        }
    ]
    det = sim.deterministic(sim.Input.model_validate(case))
    # 10 participants start in Q1: återgång 10 × 20 000 in Q1; närvaro (sustained two quarters) in
    # Q3, 30 000 each but the cap of 40 000 leaves 20 000: 10 × 20 000
    assert det.payments_by_period == [Decimal("200000.00"), Decimal(0), Decimal("200000.00"), Decimal(0)]
    # each återgång saves 5 000 in the quarter it is paid (60 % cashable in scenario_inputs)
    assert det.budget.rows[0].costs_avoided == Decimal("50000.00")
    assert det.budget.rows[0].cashable == Decimal("30000.00")


def test_spread_timing_and_enrolment_periods():
    contract = pay.Contract.model_validate(RATE_CARD)
    p = participants(enrolment_periods=None)
    p["outcomes"]["skola/återgång"] = {"probability": 0.5, "delay_min": 0, "delay_max": 2}
    inputs = scenario_inputs(horizon_years=1, baseline_placements=0, participants=p)
    case = bc.build_core_input(inputs, contract, periods_per_year=4)
    (spec,) = case["participants"]
    assert spec["enrolment"] == ["enrolment"] * 4
    first = spec["outcomes"][0]
    assert first["delay"]["values"] == [0, 1, 2]
    assert sum(Decimal(x) for x in first["delay"]["probabilities"]) == 1
    sim.Input.model_validate(case)  # valid for the core


def test_outcomes_with_zero_probability_are_left_out_and_bad_delays_refused():
    p = participants()
    p["outcomes"]["skola/närvaro"] = {"probability": 0, "delay_min": 0, "delay_max": 0}
    case = bc.build_core_input(
        scenario_inputs(horizon_years=1, participants=p),
        pay.Contract.model_validate(RATE_CARD),
        periods_per_year=4,
    )
    assert [o["outcome"] for o in case["participants"][0]["outcomes"]] == ["återgång"]
    p["outcomes"]["skola/närvaro"] = {"probability": 0.5, "delay_min": 3, "delay_max": 1}
    with pytest.raises(Exception) as err:
        scenario_inputs(participants=p)
    fields = bc.inputs_error_fields(err.value)
    assert list(fields) == ["rc:skola/närvaro:delay_max"]


# --- database: the form, the run and the page -----------------------------------------------------


def make_rate_card_contract(world, reference: str = "bc-ung-i-skolan") -> Contract:
    contract = Contract.objects.create(
        owner=world.orgs["owner"],
        title="Ung i skolan – á-pris",
        reference=reference,
        term_start=datetime.date(2026, 1, 1),
        term_end=datetime.date(2029, 12, 31),
        period_type="year",
    )
    ContractParty.objects.create(
        contract=contract,
        organisation=world.orgs["owner"],
        role=PartyRole.COMMISSIONER,
        payer_share=Decimal(100),
    )
    ContractParty.objects.create(
        contract=contract, organisation=world.orgs["partner"], role=PartyRole.PROVIDER
    )
    OutcomeMetric.objects.create(
        contract=contract,
        code="skola",
        name="Tillbaka i skolan",
        unit="deltagare",
        kind="rate_card",
        rule=RULE,
    )
    return contract


def rate_card_form(**over) -> dict:
    data = {
        "name": "Á-pris",
        "notes": "",
        "baseline_placements": "0",
        "hvb_share": "50",
        "cashable_share": "100",
        "own_costs_per_year": "0",
        "horizon_years": "4",
        "discount_rate": "0",
        "draws": "1000",
        "seed": "5",
        "effect_kind": "fixed",
        "effect_value": "0",
        "hvb_day_cost_kind": "fixed",
        "hvb_day_cost_value": "0",
        "family_home_day_cost_kind": "fixed",
        "family_home_day_cost_value": "0",
        "days_per_placement_kind": "fixed",
        "days_per_placement_value": "0",
        "days_following_kind": "fixed",
        "days_following_value": "0",
        "enrolment_kind": "fixed",
        "enrolment_value": "8",
        "enrolment_periods": "1",
        "rc:skola/ater:probability": "100",
        "rc:skola/ater:delay_min": "0",
        "rc:skola/ater:delay_max": "0",
        "rc:skola/ater:value": "1000",
        "rc:skola/narvaro:probability": "100",
        "rc:skola/narvaro:delay_min": "0",
        "rc:skola/narvaro:delay_max": "0",
        "rc:skola/narvaro:value": "",
    }
    data.update(over)
    return data


@pytest.mark.django_db
def test_the_form_asks_for_participants_and_the_run_pays_as_by_hand(
    client, world, django_capture_on_commit_callbacks
):
    contract = make_rate_card_contract(world)
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    url = reverse("contracts:business_case_new", kwargs={"pk": contract.pk})
    html = client.get(url).content.decode()
    assert "Deltagare och utfall (á-pris)" in html
    assert 'name="rc:skola/ater:probability"' in html and 'name="enrolment_kind"' in html
    assert "Högst 40\u00a0000\u00a0kr per deltagare." in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, rate_card_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    s = BusinessCaseScenario.objects.get()
    # 8 participants start in 2026: återgång 8 × 20 000 in 2026; närvaro, sustained two more
    # years, in 2028: 30 000 each, but the cap of 40 000 per participant leaves 20 000: 8 × 20 000
    det = s.result["deterministic"]
    assert det["payments_by_period"] == ["160000.00", "0.00", "160000.00", "0.00"]
    assert det["budget"]["rows"][0]["costs_avoided"] == "8000.00"  # 8 × 1 000 saved per återgång
    mc = s.result["monte_carlo"]
    assert mc["total_payments"]["p5"] == mc["total_payments"]["p95"] == "320000.00"
    page = client.get(
        reverse("contracts:scenario", kwargs={"pk": contract.pk, "scenario": s.pk})
    ).content.decode()
    assert "Nya deltagare per period" in page and "Utfall skola/ater" in page
    assert "160\u00a0000\u00a0kr" in page


@pytest.mark.django_db
def test_form_errors_on_participant_fields(client, world):
    contract = make_rate_card_contract(world)
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    url = reverse("contracts:business_case_new", kwargs={"pk": contract.pk})
    response = client.post(url, rate_card_form(**{"rc:skola/ater:probability": "120"}))
    assert response.status_code == 200
    assert "rc:skola/ater:probability" in response.context["form"].errors
    response = client.post(url, rate_card_form(enrolment_value=""))
    assert "enrolment_value" in response.context["form"].errors
    delays = {"rc:skola/ater:delay_min": "3", "rc:skola/ater:delay_max": "1"}
    response = client.post(url, rate_card_form(**delays))
    assert list(response.context["form"].errors) == ["rc:skola/ater:delay_max"]
    assert not BusinessCaseScenario.objects.exists()


def test_an_uncertain_probability_becomes_a_triangular_input():
    p = participants()
    p["outcomes"]["skola/närvaro"] = {
        "probability": 0.4,
        "probability_low": 0.2,
        "probability_high": 0.7,
        "delay_min": 0,
        "delay_max": 0,
    }
    case = bc.build_core_input(
        scenario_inputs(horizon_years=1, participants=p),
        pay.Contract.model_validate(RATE_CARD),
        periods_per_year=4,
    )
    assert case["inputs"]["p:skola/närvaro"] == {"kind": "triangular", "low": 0.2, "mode": 0.4, "high": 0.7}
    assert case["participants"][0]["outcomes"][1]["probability"] == "p:skola/närvaro"
    c = sim.Input.model_validate(case)
    c = c.model_copy(update={"monte_carlo": sim.MonteCarlo(draws=2000, seed=1)})
    assert "p:skola/närvaro" in {bar.input for bar in sim.tornado(c)}
    # the lowest above the given, or only one of the two: an error on the lowest
    for bad_outcome in (
        {"probability": 0.4, "probability_low": 0.5, "probability_high": 0.7},
        {"probability": 0.4, "probability_high": 0.7},
    ):
        p["outcomes"]["skola/närvaro"] = bad_outcome
        with pytest.raises(Exception) as err:
            scenario_inputs(participants=p)
        assert list(bc.inputs_error_fields(err.value)) == ["rc:skola/närvaro:probability_low"]


@pytest.mark.django_db
def test_the_form_takes_a_probability_range(client, world, django_capture_on_commit_callbacks):
    contract = make_rate_card_contract(world)
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    url = reverse("contracts:business_case_new", kwargs={"pk": contract.pk})
    bad = {"rc:skola/ater:probability_low": "70", "rc:skola/ater:probability_high": "90"}
    response = client.post(url, rate_card_form(**{**bad, "rc:skola/ater:probability": "50"}))
    assert list(response.context["form"].errors) == ["rc:skola/ater:probability_low"]
    good = {"rc:skola/ater:probability_low": "30", "rc:skola/ater:probability_high": "70"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, rate_card_form(**{**good, "rc:skola/ater:probability": "50"}))
    assert response.status_code == 302
    s = BusinessCaseScenario.objects.get()
    assert s.inputs["scenario"]["participants"]["outcomes"]["skola/ater"]["probability_low"] == 0.3
    page_url = reverse("contracts:scenario", kwargs={"pk": contract.pk, "scenario": s.pk})
    page = client.get(page_url).content.decode()
    assert "Sannolikhet: skola/ater" in page  # in the tornado
    assert "50\u00a0% (troligen 30\u00a0%–70\u00a0%)" in page
