"""A running outcomes contract for the results, payments and ledger tests (no tests here).

The Barnens Väl example of docs/core/payments.md and docs/resultat-och-betalningar.md:

* commissioner and only payer: the world's "owner" (Tomelilla), 100 %;
* provider: the world's "partner" (RISE); validator: the world's samordningsförbund;
* fund: a new organisation "Testfonden" with one user per role;
* five years 2026–2030; 250 000 kr per placement below a baseline of 50, paid in a year with at
  least 10 % fewer, 20 % over the contract with a final settlement, at most 12 000 000 kr;
* the fund commits 8 000 000 kr, drawn 1 600 000 a year, 5 % simple interest, 40 % of the surplus.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from insats.accounts import services
from insats.accounts.models import User
from insats.contracts.models import (
    Contract,
    ContractParty,
    ContractStatus,
    FinancingTerms,
    OutcomeMetric,
    PartyRole,
)
from tests.conftest import PASSWORD, ROLES, org_number

PLACED = {"2026": "46", "2027": "43", "2028": "39", "2029": "37", "2030": "35"}
DUE = {"2026": "0.00", "2027": "1750000.00", "2028": "2750000.00", "2029": "3250000.00", "2030": "4250000.00"}

RULE = {
    "direction": "decrease",
    "counterfactual": {"kind": "baseline", "value": "50"},
    "price": "250000",
    "threshold": {"kind": "relative", "value": "0.10"},
    "contract_threshold": {"kind": "relative", "value": "0.20"},
    "cap_total": "12000000",
}


def add_fund(world):
    if "fund" in world.orgs:
        return world.orgs["fund"]
    org = services.organisation_create(
        actor=None, name="Testfonden", org_number=org_number(2001), kind="utfallsfond"
    )
    world.orgs["fund"] = org
    for role in ROLES:
        user = User.objects.create_user(f"{role}@fund.test", PASSWORD, full_name=f"{role.title()} Fund")
        services.membership_add(actor=None, user=user, organisation=org, role=role)
        world.users[("fund", role)] = user
    return org


def make_contract(
    world, *, status=ContractStatus.ACTIVE, financing=True, reference="barnens-val", preliminary=True
) -> Contract:
    """The contract runs 2026–2030, mostly after the day the tests run, so by default it allows
    preliminary results (reported and approved before a period has ended); the tests of the date
    rule pass ``preliminary=False``."""
    fund = add_fund(world)
    contract = Contract.objects.create(
        owner=world.orgs["owner"],
        title="Färre placeringar – Barnens Väl",
        reference=reference,
        status=status,
        intervention="Tidiga psykosociala insatser i familjen",
        target_population="Familjer med barn i risk för placering",
        term_start=datetime.date(2026, 1, 1),
        term_end=datetime.date(2030, 12, 31),
        period_type="year",
        preliminary_results=preliminary,
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
    ContractParty.objects.create(
        contract=contract, organisation=world.orgs["federation"], role=PartyRole.VALIDATOR
    )
    fund_party = ContractParty.objects.create(contract=contract, organisation=fund, role=PartyRole.FUND)
    OutcomeMetric.objects.create(
        contract=contract,
        code="placeringar",
        name="Placeringar som undvikits",
        kind="improvement",
        unit="placeringar",
        definition="Nya placeringar per år (HVB och familjehem) jämfört med snittet 2021–2025, 50.",
        data_source="Socialtjänstens verksamhetssystem",
        validation_method="Registerutdrag, granskat av validatorn",
        rule=RULE,
        whole_numbers=True,
    )
    if financing:
        FinancingTerms.objects.create(
            contract=contract,
            fund_party=fund_party,
            commitment=Decimal("8000000"),
            drawdown_schedule=["1600000"] * 5,
            return_basis="fixed_rate",
            annual_rate=Decimal("0.05"),
            fund_surplus_share=Decimal("0.4"),
        )
    return contract


def actor(world, org: str, role: str):
    from insats.accounts.access import Actor

    return Actor(user=world.user(org, role), membership=world.membership(org, role))


def provider(world):
    return actor(world, "partner", "contract_manager")


def validator(world):
    return actor(world, "federation", "evaluator")
