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
from tests.matrix import ALL, Entry
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


def _n_party(w):
    c = negotiation_contract(w)
    return {"pk": c.pk, "party": c.parties.get(role="provider").pk}


def _n_cohort(w):
    c = negotiation_contract(w)
    return {"pk": c.pk, "cohort": c.cohorts.get().pk}


def _n_metric(w):
    c = negotiation_contract(w)
    return {"pk": c.pk, "metric": c.metrics.get().pk}


def _c_metric(w):
    c = contract(w)
    return {"pk": c.pk, "metric": c.metrics.get().pk}


def _n_action(w):
    c = negotiation_contract(w)
    return {"pk": c.pk, "action": c.actions.first().pk}


def _c_action(w):
    c = contract(w)
    return {"pk": c.pk, "action": c.actions.first().pk}


def _proposal(w):
    p = proposal(w)
    return {"pk": p.contract_id, "proposal": p.pk}


def _metric_post(w, price="260000"):
    return {
        "kind": "improvement",
        "code": "placeringar",
        "name": "Placeringar som undvikits",
        "order": "0",
        "direction": "decrease",
        "cf_kind": "baseline",
        "cf_value": "50",
        "price": price,
        "threshold_kind": "relative",
        "threshold_value": "10",
        "threshold_pays": "all_units",
        "cap_total": "12000000",
        "change_description": "Indexuppräkning av priset",
    }


def _financing_post(w):
    return {
        "commitment": "5000000",
        "return_basis": "fixed_rate",
        "annual_rate": "6",
        "fund_surplus_share": "40",
        "cost_2026": "1000000",
        "cost_2027": "1000000",
        "change_description": "Högre ränta",
    }


def _action_post(w):
    return {
        "title": "Utbilda socialsekreterare",
        "status": "planned",
        "start": "2026-02-01",
        "change_description": "Ny åtgärd",
    }


EVERY_PARTY = {"own": ALL, "partner": ALL}
COMMISSIONER_MANAGERS = {"own": MANAGERS}
ANY_PARTY_MANAGERS = {"own": MANAGERS, "partner": MANAGERS}

ENTRIES: dict[str, Entry] = {
    # --- list and create --------------------------------------------------------------------------
    "contracts:home": Entry(own=ALL, partner=ALL, unrelated=ALL, note="everybody; the list is filtered"),
    "contracts:create": Entry(own=MANAGERS, partner=MANAGERS, unrelated=MANAGERS),
    "contracts:create#post": Entry(
        method="POST",
        own=MANAGERS,
        partner=MANAGERS,
        unrelated=MANAGERS,
        ok_statuses=REDIRECT,
        data=lambda w: {
            "title": "Matriskontrakt",
            "reference": "matris",
            "term_start": "2027-01-01",
            "term_end": "2029-12-31",
            "period_type": "year",
        },
        note="any organisation's administrators and contract managers draft; they become commissioner",
    ),
    # --- the contract -----------------------------------------------------------------------------
    "contracts:detail": Entry(kwargs=_c, **EVERY_PARTY, note="every member of every party; nobody else"),
    "contracts:detail#negotiation": Entry(kwargs=_n, **EVERY_PARTY, note="drafts are seen by the parties"),
    "contracts:edit": Entry(kwargs=_n, **COMMISSIONER_MANAGERS),
    "contracts:edit#post": Entry(
        method="POST",
        kwargs=_n,
        **COMMISSIONER_MANAGERS,
        ok_statuses=REDIRECT,
        data=lambda w: {
            "title": "Utkast (ändrat)",
            "reference": "utkast",
            "term_start": "2026-01-01",
            "term_end": "2030-12-31",
            "period_type": "year",
        },
    ),
    "contracts:edit#signed": Entry(kwargs=_c, note="signed: nobody edits the terms directly (403/404)"),
    "contracts:transition": Entry(
        method="POST",
        kwargs=_n,
        **COMMISSIONER_MANAGERS,
        ok_statuses=REDIRECT,
        data=lambda w: {"to": "draft"},
    ),
    "contracts:sign": Entry(
        method="POST",
        kwargs=_n,
        **ANY_PARTY_MANAGERS,
        ok_statuses=REDIRECT,
        note="each party's administrators and contract managers sign for their own party",
    ),
    # --- parties and cohorts ----------------------------------------------------------------------
    "contracts:parties": Entry(kwargs=_c, **EVERY_PARTY),
    "contracts:parties#post": Entry(
        method="POST",
        kwargs=_n,
        **COMMISSIONER_MANAGERS,
        ok_statuses=REDIRECT,
        data=lambda w: {"organisation": w.orgs["federation"].pk, "role": "intermediary"},
    ),
    "contracts:party_edit": Entry(kwargs=_n_party, **COMMISSIONER_MANAGERS),
    "contracts:party_edit#post": Entry(
        method="POST",
        kwargs=_n_party,
        **COMMISSIONER_MANAGERS,
        ok_statuses=REDIRECT,
        data=lambda w: {"role": "provider", "confidential": "on"},
    ),
    "contracts:cohort_create": Entry(kwargs=_n, **COMMISSIONER_MANAGERS),
    "contracts:cohort_create#post": Entry(
        method="POST",
        kwargs=_n,
        **COMMISSIONER_MANAGERS,
        ok_statuses=REDIRECT,
        data=lambda w: {
            "code": "k2027",
            "name": "Intag 2027",
            "entry_start": "2027-01-01",
            "entry_end": "2027-12-31",
            "planned_size": "30",
        },
    ),
    "contracts:cohort_edit": Entry(kwargs=_n_cohort, **COMMISSIONER_MANAGERS),
    # --- metrics, prices, preview -----------------------------------------------------------------
    "contracts:metrics": Entry(kwargs=_c, **EVERY_PARTY),
    "contracts:metrics#post": Entry(
        method="POST",
        kwargs=_n,
        **COMMISSIONER_MANAGERS,
        ok_statuses=REDIRECT,
        data=lambda w: {"cap_total": "15000000", "carry_forward": "on"},
        note="contract-level caps and carry-forward",
    ),
    "contracts:metric_create": Entry(kwargs=_n, **COMMISSIONER_MANAGERS),
    "contracts:metric_create#post": Entry(
        method="POST",
        kwargs=_n,
        **COMMISSIONER_MANAGERS,
        ok_statuses=REDIRECT,
        data=lambda w: dict(_metric_post(w), code="dygn", name="Vårddygn"),
    ),
    "contracts:metric": Entry(kwargs=_c_metric, **EVERY_PARTY, note="read-only for all; a form for managers"),
    "contracts:metric#negotiation_post": Entry(
        method="POST", kwargs=_n_metric, **COMMISSIONER_MANAGERS, ok_statuses=REDIRECT, data=_metric_post
    ),
    "contracts:metric#signed_post": Entry(
        method="POST",
        kwargs=_c_metric,
        **ANY_PARTY_MANAGERS,
        ok_statuses=REDIRECT,
        data=_metric_post,
        note="after signing the form proposes a change: any party's managers",
    ),
    "contracts:metric_delete": Entry(kwargs=_n_metric, **COMMISSIONER_MANAGERS),
    "contracts:metric_delete#post": Entry(
        method="POST", kwargs=_n_metric, **COMMISSIONER_MANAGERS, ok_statuses=REDIRECT
    ),
    "contracts:preview": Entry(kwargs=_c, **EVERY_PARTY),
    # --- financing --------------------------------------------------------------------------------
    "contracts:financing": Entry(kwargs=_c, **EVERY_PARTY),
    "contracts:financing#post": Entry(
        method="POST",
        kwargs=_n,
        **COMMISSIONER_MANAGERS,
        ok_statuses=REDIRECT,
        data=_financing_post,
        note="commissioner and fund edit financing while negotiating (the fund plays no column)",
    ),
    "contracts:financing#signed_post": Entry(
        method="POST", kwargs=_c, **ANY_PARTY_MANAGERS, ok_statuses=REDIRECT, data=_financing_post
    ),
    # --- changes and versions ---------------------------------------------------------------------
    "contracts:changes": Entry(kwargs=_c, **EVERY_PARTY),
    "contracts:change": Entry(kwargs=_proposal, **EVERY_PARTY),
    "contracts:change#post": Entry(
        method="POST",
        kwargs=_proposal,
        partner=MANAGERS,
        ok_statuses=REDIRECT,
        data=lambda w: {"decision": "approve"},
        note="the commissioner proposed, so its approval is already recorded (403 for it)",
    ),
    "contracts:change_withdraw": Entry(
        method="POST",
        kwargs=_proposal,
        **ANY_PARTY_MANAGERS,
        ok_statuses=REDIRECT,
        note="any party's managers reach it; only the proposing party's withdrawal takes effect",
    ),
    "contracts:versions": Entry(kwargs=_c, **EVERY_PARTY),
    # --- action plan ------------------------------------------------------------------------------
    "contracts:actions": Entry(kwargs=_c, **EVERY_PARTY),
    "contracts:actions#post": Entry(
        method="POST", kwargs=_n, **COMMISSIONER_MANAGERS, ok_statuses=REDIRECT, data=_action_post
    ),
    "contracts:actions#signed_post": Entry(
        method="POST", kwargs=_c, **ANY_PARTY_MANAGERS, ok_statuses=REDIRECT, data=_action_post
    ),
    "contracts:action_edit": Entry(kwargs=_n_action, **EVERY_PARTY),
    "contracts:action_status": Entry(
        method="POST",
        kwargs=_c_action,
        **COMMISSIONER_MANAGERS,
        ok_statuses=REDIRECT,
        data=lambda w: {"status": "ongoing"},
        note="commissioner and provider (the provider plays no column)",
    ),
    "contracts:action_delete": Entry(
        method="POST", kwargs=_n_action, **COMMISSIONER_MANAGERS, ok_statuses=REDIRECT
    ),
    # --- API --------------------------------------------------------------------------------------
    "api:GET /api/v1/contracts": Entry(own=ALL, partner=ALL, unrelated=ALL, note="filtered to one's parties"),
    "api:POST /api/v1/contracts": Entry(
        own=MANAGERS,
        partner=MANAGERS,
        unrelated=MANAGERS,
        ok_statuses=frozenset({201}),
        data=lambda w: {
            "title": "API-kontrakt",
            "reference": "api",
            "term_start": "2027-01-01",
            "term_end": "2028-12-31",
        },
    ),
    "api:GET /api/v1/contracts/{pk}": Entry(kwargs=_c, **EVERY_PARTY),
    "api:GET /api/v1/contracts/{pk}/metrics": Entry(kwargs=_c, **EVERY_PARTY),
    "api:GET /api/v1/contracts/{pk}/metrics/{metric_id}": Entry(
        kwargs=lambda w: {"pk": contract(w).pk, "metric_id": contract(w).metrics.get().pk}, **EVERY_PARTY
    ),
}
