"""Matrix entries for the portfolio and the reviews (genomlysning), issue 9 item 4. Written from the
brief and DESIGN.md's "Tenancy and trust", not copied from ``access.RULES``:

* a samordningsförbund's portfolio and reviews are the förbund's: every role of the förbund and of
  its members reads them (the world's owner, Tomelilla, is a member of the world's förbund — the
  ``federation`` column acts for the förbund itself); the partner and the unrelated organisation
  see nothing of them;
* the förbund's administrators and analysts keep the total budget, start and run reviews (phases,
  findings, recommendations, follow-up) and invite the external reviewer; only its administrators
  record a governance body's decision; a member only reads;
* the external reviewer: here the förbund has invited the partner (RISE) to the review (a Share with
  purpose "genomlysning"), which is in phase B: every role of RISE reads the review and its board
  report, RISE's administrators and analysts work in it (phase B text, phase moves within B–D,
  findings, recommendations), but they do not change its frame, invite others or decide;
* "list", "start" and the default portfolio page act on the user's own organisation, so the same
  roles are let in in every column.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from insats.accounts import services as accounts
from insats.accounts.models import Role
from insats.interventions.catalogue.models import Intervention, InterventionFunding
from insats.interventions.reviews import services
from tests.matrix import ADMIN, ALL, NONE, Entry

EDITORS = frozenset({Role.ADMIN.value, Role.ANALYST.value})
OK = frozenset({200})
CREATED = frozenset({201})


@dataclass(frozen=True)
class FederationEntry(Entry):
    """Also tried by users acting for the world's samordningsförbund (the owner of the portfolio)."""

    federation: frozenset[str] = NONE


def ensure(w, key: str, factory):
    cache = w.__dict__.setdefault("_matrix_objects", {})
    if key not in cache:
        cache[key] = factory(w)
    return cache[key]


def _objects(w) -> dict:
    def build(w):
        forbund = w.orgs["federation"]
        ivs = []
        for name, amount in (("NOVA", Decimal(3_600_000)), ("Enter", Decimal(3_200_000))):
            iv = Intervention.objects.create(organisation=forbund, name=name, intensity="riktad")
            InterventionFunding.objects.create(intervention=iv, funder=forbund, year=2024, amount=amount)
            ivs.append(iv)
        services.budget_set(actor=None, organisation=forbund, year=2024, total_budget=Decimal(11_400_000))
        review = services.review_create(
            actor=None,
            organisation=forbund,
            values={"title": "Genomlysning", "year": 2024},
            interventions=ivs,
        )
        services.phase_move(actor=None, review=review, to_phase="B")
        share = services.reviewer_invite(actor=None, review=review, organisation=w.orgs["partner"])
        finding = services.finding_add(actor=None, review=review, text="Iakttagelse")
        rec = services.recommendation_add(actor=None, review=review, values={"text": "Åtgärd"})
        body = accounts.body_create(actor=None, organisation=forbund, kind="styrelse", name="Styrelsen")
        return {
            "review": review,
            "item": review.items.first(),
            "share": share,
            "finding": finding,
            "rec": rec,
            "body": body,
        }

    return ensure(w, "reviews", build)


def _pk(w):
    return {"pk": _objects(w)["review"].pk}


def _fed(w):
    return {"pk": w.orgs["federation"].pk}


EVERYONE = {"own": ALL, "partner": ALL, "unrelated": ALL, "federation": ALL}
EDITORS_EVERYWHERE = {"own": EDITORS, "partner": EDITORS, "unrelated": EDITORS, "federation": EDITORS}
PORTFOLIO_READ = {"own": ALL, "partner": NONE, "unrelated": NONE, "federation": ALL}
REVIEW_READ = {"own": ALL, "partner": ALL, "unrelated": NONE, "federation": ALL}
REVIEW_WORK = {"own": NONE, "partner": EDITORS, "unrelated": NONE, "federation": EDITORS}
OWNER_EDIT = {"own": NONE, "partner": NONE, "unrelated": NONE, "federation": EDITORS}
OWNER_ADMIN = {"own": NONE, "partner": NONE, "unrelated": NONE, "federation": ADMIN}
API = "api:{} /api/v1/interventions/reviews{}"

ENTRIES: dict[str, Entry] = {
    # --- the portfolio -------------------------------------------------------------------------
    "interventions:portfolio": FederationEntry(ok_statuses=OK, **EVERYONE),
    "interventions:portfolio_org": FederationEntry(kwargs=_fed, ok_statuses=OK, **PORTFOLIO_READ),
    "interventions:portfolio_budget": FederationEntry(
        kwargs=_fed,
        method="POST",
        data=lambda w: {"year": 2024, "total_budget": "12000000", "note": ""},
        ok_statuses=frozenset({302}),
        **OWNER_EDIT,
    ),
    "interventions:portfolio_xlsx": FederationEntry(kwargs=_fed, ok_statuses=OK, **PORTFOLIO_READ),
    # --- reviews -------------------------------------------------------------------------------
    "interventions:review_list": FederationEntry(ok_statuses=OK, **EVERYONE),
    "interventions:review_create": FederationEntry(ok_statuses=OK, **EDITORS_EVERYWHERE),
    "interventions:review_detail": FederationEntry(kwargs=_pk, ok_statuses=OK, **REVIEW_READ),
    "interventions:review_pdf": FederationEntry(kwargs=_pk, ok_statuses=OK, **REVIEW_READ),
    "interventions:review_edit": FederationEntry(kwargs=_pk, ok_statuses=OK, **OWNER_EDIT),
    "interventions:review_item": FederationEntry(
        kwargs=lambda w: {"pk": _objects(w)["review"].pk, "item_pk": _objects(w)["item"].pk},
        ok_statuses=OK,
        **REVIEW_WORK,
    ),
    "interventions:review_item#post": FederationEntry(
        kwargs=lambda w: {"pk": _objects(w)["review"].pk, "item_pk": _objects(w)["item"].pk},
        method="POST",
        data=lambda w: {"notes": "Anteckning"},
        ok_statuses=frozenset({302}),
        **REVIEW_WORK,
    ),
    "interventions:review_phase": FederationEntry(
        kwargs=_pk, method="POST", data=lambda w: {"phase": "C"}, ok_statuses=frozenset({302}), **REVIEW_WORK
    ),
    "interventions:review_finding_add": FederationEntry(
        kwargs=_pk, method="POST", data=lambda w: {"text": "Ny"}, ok_statuses=frozenset({302}), **REVIEW_WORK
    ),
    "interventions:review_finding_delete": FederationEntry(
        kwargs=lambda w: {"pk": _objects(w)["review"].pk, "finding_pk": _objects(w)["finding"].pk},
        method="POST",
        ok_statuses=frozenset({302}),
        **REVIEW_WORK,
    ),
    "interventions:review_recommendation_add": FederationEntry(
        kwargs=_pk, method="POST", data=lambda w: {"text": "Ny"}, ok_statuses=frozenset({302}), **REVIEW_WORK
    ),
    "interventions:review_follow_up": FederationEntry(
        kwargs=lambda w: {"pk": _objects(w)["review"].pk, "rec_pk": _objects(w)["rec"].pk},
        method="POST",
        data=lambda w: {"status": "pagar", "on": "2025-03-01", "note": ""},
        ok_statuses=frozenset({302}),
        **REVIEW_WORK,
    ),
    "interventions:review_decision": FederationEntry(kwargs=_pk, ok_statuses=OK, **OWNER_ADMIN),
    "interventions:review_decision#post": FederationEntry(
        kwargs=_pk,
        method="POST",
        data=lambda w: {
            "body": _objects(w)["body"].pk,
            "decided_on": "2024-10-14",
            "minutes_reference": "§ 12",
            "text": "Vidare till nyläge",
        },
        ok_statuses=frozenset({302}),
        **OWNER_ADMIN,
    ),
    "interventions:review_share": FederationEntry(kwargs=_pk, ok_statuses=OK, **OWNER_EDIT),
    "interventions:review_unshare": FederationEntry(
        kwargs=lambda w: {"pk": _objects(w)["review"].pk, "share_pk": _objects(w)["share"].pk},
        method="POST",
        ok_statuses=frozenset({302}),
        **OWNER_EDIT,
    ),
    # --- API -----------------------------------------------------------------------------------
    API.format("GET", "/portfolio/{organisation_id}"): FederationEntry(
        kwargs=lambda w: {"organisation_id": w.orgs["federation"].pk}, ok_statuses=OK, **PORTFOLIO_READ
    ),
    API.format("GET", ""): FederationEntry(ok_statuses=OK, **EVERYONE),
    API.format("POST", ""): FederationEntry(
        data=lambda w: {"title": "API-genomlysning", "year": 2024}, ok_statuses=CREATED, **EDITORS_EVERYWHERE
    ),
    API.format("GET", "/{review_id}"): FederationEntry(
        kwargs=lambda w: {"review_id": _objects(w)["review"].pk}, ok_statuses=OK, **REVIEW_READ
    ),
    API.format("POST", "/{review_id}/phase"): FederationEntry(
        kwargs=lambda w: {"review_id": _objects(w)["review"].pk},
        data=lambda w: {"phase": "C"},
        ok_statuses=OK,
        **REVIEW_WORK,
    ),
    API.format("POST", "/{review_id}/findings"): FederationEntry(
        kwargs=lambda w: {"review_id": _objects(w)["review"].pk},
        data=lambda w: {"text": "Ny iakttagelse"},
        ok_statuses=CREATED,
        **REVIEW_WORK,
    ),
    API.format("POST", "/{review_id}/recommendations"): FederationEntry(
        kwargs=lambda w: {"review_id": _objects(w)["review"].pk},
        data=lambda w: {"text": "Ny åtgärd"},
        ok_statuses=CREATED,
        **REVIEW_WORK,
    ),
}
