"""Business-case scenarios in the database: prefill from the lägesbild, versions, the background
task (results equal to a direct core call, progress, failures)."""

from __future__ import annotations

import copy
import math
from decimal import Decimal

import pytest

from insats.accounts.access import Actor
from insats.accounts.models import BackgroundJob
from insats.audit.models import AuditEntry
from insats.contracts import business_case as bc
from insats.contracts import tasks_business_case
from insats.contracts.models import BusinessCaseScenario
from insats.core import simulation as sim

from .test_business_case_world import (
    CORE_CONTRACT,
    CORE_FINANCING,
    add_unit_cost_data,
    make_contract,
    scenario_inputs,
)

pytestmark = pytest.mark.django_db


def actor(world, org="owner", role="analyst") -> Actor:
    return Actor(user=world.user(org, role), membership=world.membership(org, role))


def hand_written_case(contract, inputs: bc.ScenarioInputs) -> dict:
    """The core input for make_contract + scenario_inputs, written out independently of the code
    under test (docs/affarscase.md describes the same mapping in words)."""
    payer = contract.parties.get(role="commissioner").payer_id
    core_contract = copy.deepcopy(CORE_CONTRACT)
    core_contract["payers"][0]["id"] = payer
    years = ["2026", "2027", "2028", "2029", "2030"]
    return {
        "inputs": {
            "effect": {"kind": "pert", "low": 0.05, "mode": 0.2, "high": 0.35, "weight": 4.0},
            "hvb_day_cost": {"kind": "triangular", "low": 4000, "mode": 5000, "high": 6000},
            "family_home_day_cost": {"kind": "fixed", "value": 1000},
            "days_per_placement": {"kind": "fixed", "value": 200},
            "days_following": {"kind": "fixed", "value": 100},
        },
        "contract": core_contract,
        "observations": [
            {"metric": "placeringar", "period": y, "value": {"mul": [50, {"sub": [1, "effect"]}]}}
            for y in years
        ],
        "budget": {
            "horizon": 6,
            "periods_per_year": 1,
            "discount_rate": "0.035",
            "effects": {"placements_avoided": [{"mul": [50, "effect"]}] * 5},
            "cost_items": [
                {
                    "name": "HVB-dygn",
                    "driver": "placements_avoided",
                    "unit_cost": "hvb_day_cost",
                    "units": [{"mul": [0.5, "days_per_placement"]}, {"mul": [0.5, "days_following"]}],
                    "cashable_share": "0.6",
                },
                {
                    "name": "Familjehemsdygn",
                    "driver": "placements_avoided",
                    "unit_cost": "family_home_day_cost",
                    "units": [{"mul": [0.5, "days_per_placement"]}, {"mul": [0.5, "days_following"]}],
                    "cashable_share": "0.6",
                },
            ],
            "own_costs": [200000] * 5,
        },
        "financing": CORE_FINANCING,
        "monte_carlo": {
            "draws": inputs.draws,
            "seed": inputs.seed,
            "chunk_size": 16384,
            "histogram_bins": 30,
        },
        "break_even": {"input": "effect"},
    }


def run(world, contract, inputs, *, name="Grundscenario", based_on=None, django_capture_on_commit_callbacks):
    a = actor(world)
    scenario = bc.scenario_create(actor=a, contract=contract, inputs=inputs, name=name, based_on=based_on)
    with django_capture_on_commit_callbacks(execute=True):
        job = bc.scenario_start(actor=a, scenario=scenario)
    scenario.refresh_from_db()
    job.refresh_from_db()
    return scenario, job


def test_stored_results_equal_a_direct_core_call(world, django_capture_on_commit_callbacks):
    contract = make_contract(world)
    inputs = scenario_inputs()
    scenario, job = run(
        world, contract, inputs, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    assert job.status == BackgroundJob.Status.DONE, job.message
    expected = sim.simulate(sim.Input.model_validate(hand_written_case(contract, inputs))).model_dump(
        mode="json"
    )
    assert scenario.result == expected  # every percentile to the öre, every probability and histogram
    mc = scenario.result["monte_carlo"]
    assert mc["draws"] == 5000 and mc["seed"] == 42
    # sanity of the stored figures against hand-derived facts of this case
    assert Decimal(mc["total_payments"]["p95"]) <= Decimal("12000000")  # the contract's cap
    assert {b["input"] for b in mc["tornado"]} == {"effect", "hvb_day_cost"}  # the two uncertain inputs


def test_the_job_links_to_the_scenario_and_says_what_happened(world, django_capture_on_commit_callbacks):
    contract = make_contract(world)
    scenario, job = run(
        world,
        contract,
        scenario_inputs(),
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    assert scenario.job_id == job.pk
    assert job.result["url"] == f"/kontrakt/{contract.pk}/affarscase/{scenario.pk}/" or job.result[
        "url"
    ].endswith(f"/{scenario.pk}/")
    assert job.result["scenario"] == scenario.pk
    p = round(100 * scenario.result["monte_carlo"]["probability_commissioner_saves"])
    assert f"{p} %" in job.message
    actions = set(AuditEntry.objects.filter(object_id=str(scenario.pk)).values_list("action", flat=True))
    assert {"contract.business_case.create", "contract.business_case.run"} <= actions


def test_progress_is_reported_per_chunk(world, django_capture_on_commit_callbacks, monkeypatch):
    calls = []
    real = tasks_business_case.job_progress

    def spy(job_id, done, total, message=""):
        calls.append((done, total))
        real(job_id, done, total, message)

    monkeypatch.setattr(tasks_business_case, "job_progress", spy)
    contract = make_contract(world)
    draws = 40_000
    scenario, job = run(
        world,
        contract,
        scenario_inputs(draws=draws),
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    chunks = math.ceil(draws / bc.CHUNK_SIZE)  # 16 384 draws a chunk → 3 steps
    assert calls == [(min(draws, (i + 1) * bc.CHUNK_SIZE), draws) for i in range(chunks)]
    assert (job.done, job.total, job.percent) == (draws, draws, 100)


def test_a_failing_run_marks_the_job_failed_with_a_readable_message(
    world, django_capture_on_commit_callbacks
):
    contract = make_contract(world)
    a = actor(world)
    scenario = bc.scenario_create(actor=a, contract=contract, inputs=scenario_inputs(), name="Trasig")
    core = scenario.inputs["core"]
    core["observations"][2]["period"] = "1999"  # as if the stored input had been damaged
    BusinessCaseScenario.objects.filter(pk=scenario.pk).update(inputs=scenario.inputs)
    with django_capture_on_commit_callbacks(execute=True):
        job = bc.scenario_start(actor=a, scenario=scenario)
    job.refresh_from_db()
    scenario.refresh_from_db()
    assert job.status == BackgroundJob.Status.FAILED
    assert job.message.startswith("Affärscaset kunde inte beräknas")
    assert "observations.2.period" in job.message and "1999" in job.message
    assert scenario.result == {}
    assert job.finished_at is not None


def test_versions_and_based_on(world, django_capture_on_commit_callbacks):
    contract = make_contract(world)
    kw = {"django_capture_on_commit_callbacks": django_capture_on_commit_callbacks}
    first, _ = run(world, contract, scenario_inputs(), **kw)
    second, _ = run(world, contract, scenario_inputs(seed=43), based_on=first, **kw)
    other, _ = run(world, contract, scenario_inputs(), name="Försiktigt", **kw)
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert second.based_on_id == first.pk and second.created_by == world.user("owner", "analyst")
    assert second.result["monte_carlo"]["seed"] == 43
    # a different seed gives different draws, the same seed the same result
    assert second.result["monte_carlo"]["commissioner_npv"] != first.result["monte_carlo"]["commissioner_npv"]
    assert other.result == first.result


def test_incomplete_contract_terms_are_a_readable_error(world):
    contract = make_contract(world)
    contract.metrics.update(rule={"direction": "decrease", "price": "250000"})  # no counterfactual
    with pytest.raises(bc.BusinessCaseError) as err:
        bc.scenario_create(actor=actor(world), contract=contract, inputs=scenario_inputs(), name="x")
    assert err.value.field == "contract" and "counterfactual" in str(err.value)
    assert not BusinessCaseScenario.objects.exists()


# --- prefill from the lägesbild --------------------------------------------------------------------


def test_prefill_takes_the_kommuns_latest_value_with_source_and_year(world):
    add_unit_cost_data()
    contract = make_contract(world)
    pre = bc.prefill_unit_costs(contract)
    hvb, fam = pre["hvb_day_cost"], pre["family_home_day_cost"]
    assert (hvb.value, hvb.year, hvb.area_name, hvb.indicator_code) == (
        Decimal("5123.00"),
        2023,
        "Tomelilla",
        "DEMO21",
    )
    assert (fam.value, fam.year) == (Decimal("1150.00"), 2024)
    assert hvb.source == "Demodata" and "Tomelilla 2023" in hvb.label()
    defaults = bc.default_inputs(contract)
    assert defaults["hvb_day_cost"] == {"kind": "fixed", "value": 5123.0}
    assert defaults["baseline_placements"] == 50  # the contract's baseline
    assert defaults["horizon_years"] == 6 and defaults["discount_rate"] == "0.035"


def test_prefill_falls_back_to_the_country_and_records_the_source(world):
    add_unit_cost_data(kommun_hvb=None)
    contract = make_contract(world)
    pre = bc.prefill_unit_costs(contract)
    assert (pre["hvb_day_cost"].value, pre["hvb_day_cost"].area_name) == (Decimal("4800.00"), "Riket")
    inputs = scenario_inputs(
        hvb_day_cost={"kind": "fixed", "value": 4800}, family_home_day_cost={"kind": "fixed", "value": 900}
    )
    scenario = bc.scenario_create(actor=actor(world), contract=contract, inputs=inputs, name="Källor")
    sources = scenario.inputs["sources"]
    assert sources["hvb_day_cost"]["area"] == "Riket" and sources["hvb_day_cost"]["year"] == 2024
    assert "family_home_day_cost" not in sources  # overridden: 900 is not the lägesbild's 1 150


def test_no_indicators_no_prefill(world):
    contract = make_contract(world)
    assert bc.prefill_unit_costs(contract) == {}
    assert bc.default_inputs(contract)["hvb_day_cost"] == {"kind": "fixed", "value": 0}


def test_real_data_is_preferred_to_demo_data(world):
    from insats.situation.models import Area, Indicator, Observation

    add_unit_cost_data()
    real = Indicator.objects.create(
        code="N99999",
        title_sv="Kostnad per vårddygn i HVB för barn och unga, kr",
        source="kolada",
        kolada_kpi_id="N99999",
    )
    Observation.objects.create(
        indicator=real,
        area=Area.objects.get(code="1270"),
        period=2022,
        value=Decimal("6010"),
        source="kolada",
    )
    pre = bc.prefill_unit_costs(make_contract(world))
    assert (pre["hvb_day_cost"].indicator_code, pre["hvb_day_cost"].value) == ("N99999", Decimal("6010.00"))
    assert pre["hvb_day_cost"].source == "Kolada"
