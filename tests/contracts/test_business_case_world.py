"""A contract with a business case for the business-case tests, the matrix and the browser test
(no tests here).

Barnens Väl (docs/core/payments.md example 2): the world's "owner" (Tomelilla, kommun 1270) is the
commissioner and only payer; the world's "partner" (RISE) is the provider; five years 2026–2030;
250 000 kr per placement below a baseline of 50, a year paid only with ≥ 10 % fewer, 20 % over the
contract, at most 12 000 000 kr. The fund terms of docs/core/examples/financing_fixed_rate.json:
3 000 000 kr committed, 1 000 000 a year for three years, 5 % simple interest, 40 % of the surplus.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from insats.contracts import business_case as bc
from insats.contracts.models import Contract, ContractParty, FinancingTerms, OutcomeMetric, PartyRole

RULE = {
    "direction": "decrease",
    "counterfactual": {"kind": "baseline", "value": "50"},
    "price": "250000",
    "threshold": {"kind": "relative", "value": "0.10"},
    "contract_threshold": {"kind": "relative", "value": "0.20"},
    "cap_total": "12000000",
}

#: The same contract and terms in the core's JSON form, written out by hand (not built by the code
#: under test) — what the business case must hand to insats.core.simulation.
CORE_CONTRACT = {
    "id": "bc-barnens-val",
    "name": "Barnens Väl – affärscase",
    "periods": [{"id": y, "label": y, "end": f"{y}-12-31"} for y in ("2026", "2027", "2028", "2029", "2030")],
    "payers": [{"id": "PAYER", "name": "Tomelilla kommun", "share": "1"}],
    "metrics": [
        {"id": "placeringar", "kind": "improvement", "name": "Placeringar", "unit": "placeringar", **RULE}
    ],
}
CORE_FINANCING = {
    "commitment": "3000000",
    "provider_costs": ["1000000", "1000000", "1000000"],
    "periods_per_year": 1,
    "return_basis": "fixed_rate",
    "annual_rate": "0.05",
    "fund_surplus_share": "0.4",
}


def make_contract(world, *, financing: bool = True, reference: str = "bc-barnens-val") -> Contract:
    contract = Contract.objects.create(
        owner=world.orgs["owner"],
        title="Barnens Väl – affärscase",
        reference=reference,
        term_start=datetime.date(2026, 1, 1),
        term_end=datetime.date(2030, 12, 31),
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
        code="placeringar",
        name="Placeringar",
        unit="placeringar",
        kind="improvement",
        rule=RULE,
    )
    if financing:
        FinancingTerms.objects.create(
            contract=contract,
            commitment=Decimal("3000000"),
            drawdown_schedule=["1000000", "1000000", "1000000"],
            return_basis="fixed_rate",
            annual_rate=Decimal("0.05"),
            fund_surplus_share=Decimal("0.4"),
        )
    return contract


def scenario_inputs(**over) -> bc.ScenarioInputs:
    """Effect PERT(5 %, 20 %, 35 %); HVB day 5 000 ± (triangular 4 000–6 000); family home 1 000."""
    data = {
        "effect": {"kind": "pert", "low": 0.05, "mode": 0.2, "high": 0.35},
        "baseline_placements": 50,
        "hvb_share": 0.5,
        "hvb_day_cost": {"kind": "triangular", "low": 4000, "mode": 5000, "high": 6000},
        "family_home_day_cost": {"kind": "fixed", "value": 1000},
        "days_per_placement": {"kind": "fixed", "value": 200},
        "days_following": {"kind": "fixed", "value": 100},
        "cashable_share": "0.6",
        "own_costs_per_year": "200000",
        "horizon_years": 6,
        "discount_rate": "0.035",
        "draws": 5000,
        "seed": 42,
    }
    data.update(over)
    return bc.ScenarioInputs.model_validate(data)


def add_unit_cost_data(*, kommun_hvb: str | None = "5123", riket_hvb: str = "4800", fh: str = "1150"):
    """Lägesbild data for the prefill: demo indicators DEMO21 (HVB) and DEMO22 (family home) with
    values for Tomelilla (1270) and Riket; ``kommun_hvb=None`` leaves Tomelilla without an HVB value."""
    from insats.situation.models import Area, Indicator, Observation

    tomelilla, _ = Area.objects.get_or_create(
        code="1270",
        defaults={"kolada_id": "1270", "kind": "kommun", "name": "Tomelilla", "county_code": "12"},
    )
    riket, _ = Area.objects.get_or_create(
        code="0000", defaults={"kolada_id": "0000", "kind": "riket", "name": "Riket"}
    )
    hvb = Indicator.objects.create(
        code="DEMO21", title_sv="Kostnad per vårddygn i HVB, barn och unga (kr)", unit="kr", source="demo"
    )
    fam = Indicator.objects.create(
        code="DEMO22",
        title_sv="Kostnad per vårddygn i familjehem, barn och unga (kr)",
        unit="kr",
        source="demo",
    )
    rows = [(hvb, riket, 2024, riket_hvb), (fam, tomelilla, 2024, fh), (fam, tomelilla, 2022, "999")]
    if kommun_hvb is not None:
        rows += [(hvb, tomelilla, 2023, kommun_hvb), (hvb, tomelilla, 2021, "4000")]
    for ind, area, year, value in rows:
        Observation.objects.create(
            indicator=ind,
            area=area,
            period=year,
            value=Decimal(value),
            source="demo",
            source_label="Demodata",
        )
    return hvb, fam
