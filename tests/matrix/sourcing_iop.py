"""Matrix entries for IOP agreements (issue 10 item 5), written from the brief and seed 002:

* an IOP agreement is seen by every member of every party (the public body that drafted it and each
  idéburen organisation) and by nobody else (404); the list is filtered to those;
* the drafting public body's administrators, procurement officers and analysts create agreements
  (after the checklist) — any organisation's such roles may open the create page for their own;
* while drafting, every party's officers and contract managers add parties, contributions and the
  follow-up plan, and log check-ins;
* every party's administrator signs for its own party;
* after signing, any party's officers and contract managers propose a change; each party's
  administrator approves or rejects it for its own party (the party that proposed has already).

Here Tomelilla (``own``) drafted two agreements with RISE (``partner``) as idéburen party: one draft
ready to sign, and one signed by both with an open change proposed by Tomelilla. Familjeforum
(``unrelated``) is no party. "Läsfrämjandet Syd" (made here) is an association that can be added.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from insats.accounts import services as accounts
from insats.accounts.access import Actor
from insats.accounts.models import Role
from insats.sourcing.iop import services
from tests.matrix import ADMIN, ALL, NONE, Entry
from tests.matrix.accounts import ensure

OFFICERS = frozenset({Role.ADMIN.value, Role.PROCUREMENT.value, Role.ANALYST.value})
EDITORS = OFFICERS | {Role.CONTRACT_MANAGER.value}
REDIRECT = frozenset({302})
PARTIES = {"own": ALL, "partner": ALL, "unrelated": NONE}
PASSING = {
    "ideburet_initiative": True,
    "need_identified_together": True,
    "every_party_contributes": True,
    "long_term_budget_plan": True,
    "self_running": False,
    "service_for_sale": False,
}


def _actor(w, org: str) -> Actor:
    m = w.membership(org, Role.ADMIN.value)
    return Actor(user=m.user, membership=m)


def _build(w, *, signed: bool):
    from tests.conftest import org_number

    owner = _actor(w, "owner")
    agreement = services.agreement_create(
        actor=owner,
        organisation=w.orgs["owner"],
        title="Familjen läser" + (" (undertecknat)" if signed else ""),
        goal="Fler barn klarar skolan.",
        term_start=datetime.date(2025, 1, 1),
        term_end=datetime.date(2027, 12, 31),
        answers=PASSING,
    )
    services.party_add(actor=owner, agreement=agreement, organisation=w.orgs["partner"])
    for party in agreement.parties.all():
        services.contribution_add(
            actor=owner,
            agreement=agreement,
            party=party,
            kind="money",
            year=2025,
            quantity=Decimal(1000),
            unit="kr",
            value=Decimal(1000),
        )
    services.follow_up_add(
        actor=owner, agreement=agreement, measure="Närvaro", responsible="Alla", timing="Årligen"
    )
    if signed:
        services.sign(actor=owner, agreement=agreement)
        services.sign(actor=_actor(w, "partner"), agreement=agreement)
        agreement.refresh_from_db()
        services.change_propose(
            actor=owner, agreement=agreement, description="Nytt mål", payload={"goal": "Nytt"}
        )
    if "las" not in w.orgs:
        w.orgs["las"] = accounts.organisation_create(
            actor=None, name="Läsfrämjandet Syd", org_number=org_number(3101), kind="ideburen"
        )
    return agreement


def draft(w):
    return ensure(w, "iop_draft", lambda w: _build(w, signed=False))


def signed(w):
    return ensure(w, "iop_signed", lambda w: _build(w, signed=True))


def _d(w):
    return {"pk": draft(w).pk}


def _s(w):
    return {"pk": signed(w).pk}


def _proposal(w):
    agreement = signed(w)
    return {"pk": agreement.pk, "proposal": agreement.change_proposals.get().pk}


def _create_post(w):
    data = {
        "title": "Nytt IOP",
        "goal": "Mål",
        "term_start": "2026-01-01",
        "term_end": "2028-12-31",
    }
    data.update({k: "yes" if v else "no" for k, v in PASSING.items()})
    return data


def _contribution_post(w):
    agreement = draft(w)
    return {
        "party": agreement.parties.first().pk,
        "kind": "volunteer",
        "year": 2026,
        "quantity": "10",
        "unit": "timmar",
    }


ENTRIES: dict[str, Entry] = {
    "sourcing:iop_list": Entry(own=ALL, partner=ALL, unrelated=ALL, note="filtered to one's agreements"),
    "sourcing:iop_create": Entry(own=OFFICERS, partner=OFFICERS, unrelated=OFFICERS),
    "sourcing:iop_create#post": Entry(
        method="POST",
        own=OFFICERS,
        partner=OFFICERS,
        unrelated=OFFICERS,
        ok_statuses=REDIRECT,
        data=_create_post,
    ),
    "sourcing:iop_detail": Entry(kwargs=_d, **PARTIES),
    "sourcing:iop_detail#signed": Entry(kwargs=_s, **PARTIES),
    "sourcing:iop_party_add": Entry(
        method="POST",
        kwargs=_d,
        own=EDITORS,
        partner=EDITORS,
        ok_statuses=REDIRECT,
        data=lambda w: {"organisation": (draft(w), w.orgs["las"].pk)[1]},
    ),
    "sourcing:iop_contribution_add": Entry(
        method="POST", kwargs=_d, own=EDITORS, partner=EDITORS, ok_statuses=REDIRECT, data=_contribution_post
    ),
    "sourcing:iop_follow_up_add": Entry(
        method="POST",
        kwargs=_d,
        own=EDITORS,
        partner=EDITORS,
        ok_statuses=REDIRECT,
        data=lambda w: {"measure": "Läsförmåga", "responsible": "Föreningen", "timing": "Varje termin"},
    ),
    "sourcing:iop_check_in_add": Entry(
        method="POST",
        kwargs=_s,
        own=EDITORS,
        partner=EDITORS,
        ok_statuses=REDIRECT,
        data=lambda w: {"date": "2025-06-01", "notes": "Bra start"},
    ),
    "sourcing:iop_sign": Entry(kwargs=_d, own=ADMIN, partner=ADMIN, note="the confirmation page"),
    "sourcing:iop_sign#post": Entry(method="POST", kwargs=_d, own=ADMIN, partner=ADMIN, ok_statuses=REDIRECT),
    "sourcing:iop_change_propose": Entry(
        method="POST",
        kwargs=_s,
        own=EDITORS,
        partner=EDITORS,
        ok_statuses=REDIRECT,
        data=lambda w: {"description": "Förläng", "term_end": "2028-12-31"},
    ),
    "sourcing:iop_change_decide": Entry(
        method="POST",
        kwargs=_proposal,
        partner=ADMIN,
        ok_statuses=REDIRECT,
        data=lambda w: {"decision": "approve"},
        note="Tomelilla proposed, so its approval is already recorded (403 for it)",
    ),
    # --- API --------------------------------------------------------------------------------------
    "api:GET /api/v1/sourcing/iop/agreements": Entry(own=ALL, partner=ALL, unrelated=ALL),
    "api:POST /api/v1/sourcing/iop/agreements": Entry(
        own=OFFICERS,
        partner=OFFICERS,
        unrelated=OFFICERS,
        ok_statuses=frozenset({201}),
        data=lambda w: {
            "title": "API-IOP",
            "goal": "Mål",
            "term_start": "2026-01-01",
            "term_end": "2028-12-31",
            "checklist": PASSING,
        },
    ),
    "api:GET /api/v1/sourcing/iop/agreements/{pk}": Entry(kwargs=_d, **PARTIES),
    "api:POST /api/v1/sourcing/iop/agreements/{pk}/parties": Entry(
        kwargs=_d,
        own=EDITORS,
        partner=EDITORS,
        ok_statuses=frozenset({201}),
        data=lambda w: {"organisation_id": (draft(w), w.orgs["las"].pk)[1]},
    ),
    "api:POST /api/v1/sourcing/iop/agreements/{pk}/contributions": Entry(
        kwargs=_d,
        own=EDITORS,
        partner=EDITORS,
        ok_statuses=frozenset({201}),
        data=lambda w: {
            "organisation_id": w.orgs["partner"].pk,
            "kind": "volunteer",
            "year": 2026,
            "quantity": "10",
            "unit": "timmar",
            "value": None,
        },
    ),
    "api:POST /api/v1/sourcing/iop/agreements/{pk}/sign": Entry(
        kwargs=_d, own=ADMIN, partner=ADMIN, ok_statuses=frozenset({200})
    ),
    "api:POST /api/v1/sourcing/iop/agreements/{pk}/check-ins": Entry(
        kwargs=_s,
        own=EDITORS,
        partner=EDITORS,
        ok_statuses=frozenset({201}),
        data=lambda w: {"date": "2025-06-01", "notes": "Avstämning"},
    ),
    "api:POST /api/v1/sourcing/iop/agreements/{pk}/changes": Entry(
        kwargs=_s,
        own=EDITORS,
        partner=EDITORS,
        ok_statuses=frozenset({201}),
        data=lambda w: {"description": "Nytt mål", "payload": {"goal": "Ännu ett mål"}},
    ),
    "api:POST /api/v1/sourcing/iop/agreements/{pk}/changes/{proposal_id}/decide": Entry(
        kwargs=lambda w: {"pk": signed(w).pk, "proposal_id": signed(w).change_proposals.get().pk},
        partner=ADMIN,
        ok_statuses=frozenset({200}),
        data=lambda w: {"decision": "approve"},
        note="Tomelilla proposed, so its approval is already recorded (403 for it)",
    ),
}
