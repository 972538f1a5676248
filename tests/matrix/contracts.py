"""Matrix entries for the outcomes-contract pages and API (C1's part: contract, parties, cohorts,
metrics and prices, financing, signing, changes and versions, action plan), and the builders of
the contracts every contract test uses.

Written from issue 5 and DESIGN.md's "Tenancy and trust", not copied from ``access.RULES``:

* a contract is seen by every member of every party, whatever the contract's status (drafts too, so
  that negotiation works) — and by nobody else (404);
* the commissioner's administrators and contract managers draft and edit the terms (parties,
  cohorts, metrics and prices) while drafting or negotiating; the fund's and the commissioner's
  edit the financing terms;
* every party signs through its own administrator or contract manager;
* changes of a signed contract are proposed and decided by administrators and contract managers of
  any party;
* the action plan is edited by the commissioner and the provider.

In the matrix world Tomelilla (the ``own`` column) is the commissioner and sole payer, RISE (the
``partner`` column) is the contract's **validator**, and two organisations made here — Barnens Väl
(provider) and Utfallsfonden (fund) — are parties that no column plays. Familjeforum (``unrelated``)
is no party and must see nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from insats.accounts import access
from insats.accounts import services as account_services
from insats.accounts.models import Role, User
from insats.contracts import services
from tests.matrix import ALL, NONE, Entry
from tests.matrix.accounts import ensure

MANAGERS = frozenset({Role.ADMIN.value, Role.CONTRACT_MANAGER.value})
REDIRECT = frozenset({302})
EXTRA_ORGS = {
    "provider": ("Barnens Väl", "ideburen", 2001),
    "fund": ("Utfallsfonden", "utfallsfond", 2002),
}


# --- builders (also used by tests/contracts/*) -------------------------------------------------------


def add_orgs(w) -> None:
    """Add Barnens Väl (``provider``) and Utfallsfonden (``fund``) to the world, one user per role."""

    def make(w):
        from tests.conftest import ROLES, org_number

        for key, (name, kind, seed) in EXTRA_ORGS.items():
            org = account_services.organisation_create(
                actor=None, name=name, org_number=org_number(seed), kind=kind, area_code=""
            )
            w.orgs[key] = org
            for role in ROLES:
                user = User.objects.create_user(
                    f"{role}@{key}.test", "Testlösenord-123", full_name=f"{role} {key}"
                )
                account_services.membership_add(actor=None, user=user, organisation=org, role=role)
                w.users[(key, role)] = user
        return True

    ensure(w, "contract_orgs", make)


def actor(w, org: str, role: str = Role.ADMIN.value) -> access.Actor:
    return access.Actor(user=w.user(org, role), membership=w.membership(org, role))


BASELINE_RULE = {
    "direction": "decrease",
    "counterfactual": {"kind": "baseline", "value": "50"},
    "price": "250000",
    "threshold": {"kind": "relative", "value": "0.10"},
    "contract_threshold": {"kind": "relative", "value": "0.20"},
    "cap_total": "12000000",
}


def draft_contract(w, *, title: str = "Färre placeringar", reference: str = "barnens-val") -> object:
    """Barnens Väl's contract (seed 004, docs/core/payments.md example 2) in negotiation, unsigned:
    Tomelilla commissioner paying 100 %, Barnens Väl provider, Utfallsfonden fund, RISE validator;
    five years 2026–2030; one improvement metric against a baseline of 50 placements a year;
    financing 5 000 000 at 5 % with 40 % of the surplus to the fund; two actions."""
    add_orgs(w)
    owner = actor(w, "owner")
    c = services.contract_create(
        actor=owner,
        owner=w.orgs["owner"],
        title=title,
        reference=reference,
        intervention="Tidiga psykosociala insatser i familjen och stöd till socialsekreterare.",
        target_population="Barn 0–17 år i familjer där placering övervägs.",
        term_start=datetime.date(2026, 1, 1),
        term_end=datetime.date(2030, 12, 31),
        period_type="year",
        key_dates=[{"label": "Första mätningen", "date": "2026-12-31"}],
    )
    provider = services.party_add(actor=owner, contract=c, organisation=w.orgs["provider"], role="provider")
    fund = services.party_add(actor=owner, contract=c, organisation=w.orgs["fund"], role="fund")
    services.party_add(actor=owner, contract=c, organisation=w.orgs["partner"], role="validator")
    services.cohort_save(
        actor=owner,
        contract=c,
        code="k2026",
        name="Intag 2026",
        entry_start=datetime.date(2026, 1, 1),
        entry_end=datetime.date(2026, 12, 31),
        planned_size=40,
    )
    services.metric_save(
        actor=owner,
        contract=c,
        code="placeringar",
        name="Placeringar som undvikits",
        kind="improvement",
        unit="placeringar",
        definition="Antal barn i kommunen som placeras i familjehem eller HVB under året.",
        data_source="Socialtjänstens verksamhetssystem",
        validation_method="RISE granskar registeruttaget årligen.",
        counterfactual_description="Genomsnittet 2021–2025: 50 placeringar per år.",
        rule=dict(BASELINE_RULE),
    )
    services.financing_save(
        actor=owner,
        contract=c,
        fund_party=fund,
        commitment=Decimal("5000000"),
        drawdown_schedule=["1000000"] * 5,
        return_basis="fixed_rate",
        annual_rate=Decimal("0.05"),
        fund_surplus_share=Decimal("0.4"),
    )
    services.action_save(
        actor=owner,
        contract=c,
        title="Rekrytera familjebehandlare",
        owner_party=provider,
        responsible="Verksamhetschef",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 3, 31),
    )
    return services.transition(actor=owner, contract=c, to="negotiation")


def sign_all(w, c) -> object:
    for org in ("owner", "provider", "fund", "partner"):
        services.sign(actor=actor(w, org, Role.CONTRACT_MANAGER.value), contract=c)
    c.refresh_from_db()
    return c


def contract(w):
    """The matrix's signed contract (version 1), in genomförande."""

    def make(w):
        c = sign_all(w, draft_contract(w))
        return services.transition(actor=actor(w, "owner"), contract=c, to="active")

    return ensure(w, "contract", make)


def negotiation_contract(w):
    """The matrix's contract in negotiation (editable), nobody has signed."""
    return ensure(w, "contract_negotiation", lambda w: draft_contract(w, title="Utkast", reference="utkast"))


def proposal(w):
    """An open change proposal (the price) on the signed contract, by the commissioner."""
    from insats.contracts import services_changes

    def make(w):
        rule = dict(BASELINE_RULE, price="260000")
        return services_changes.propose(
            actor=actor(w, "owner"),
            contract=contract(w),
            kind="prices",
            description="Priset räknas upp med index.",
            payload={"metrics": [{"code": "placeringar", "rule": rule}]},
        )

    return ensure(w, "contract_proposal", make)


def _c(w):
    return {"pk": contract(w).pk}


def _n(w):
    return {"pk": negotiation_contract(w).pk}


ENTRIES: dict[str, Entry] = {}
_unused = (ALL, NONE, MANAGERS, REDIRECT)
