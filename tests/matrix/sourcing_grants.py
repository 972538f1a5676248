"""Matrix entries for grant rounds (föreningsbidrag), issue 10 item 4. Written from the brief and
the access rules' intent, not copied from ``access.RULES``:

* the owner (Tomelilla) runs an open, public round: every role of every organisation reads the call;
  its administrators, procurers and analysts set it up; they and its evaluators assess; only its
  administrators record the nämnd's decisions;
* the unrelated organisation (Familjeforum) applied, and so did the partner (RISE): an applicant's
  administrators, procurers, analysts and contract managers write and submit their own application,
  evaluators may read it; the grantor reads what was sent to it;
* **applicant isolation**: RISE, itself an applicant in the same round, never sees Familjeforum's
  application, its attachment, letter or report (the ``partner`` column of every application entry);
* the grantor never applies in its own round.
"""

from __future__ import annotations

from decimal import Decimal

from insats.accounts.models import Role
from insats.sourcing.documents.models import Attachment
from insats.sourcing.grants import services
from insats.sourcing.grants.models import Decision
from tests.matrix import ADMIN, ALL, NONE, Entry

RESPONDERS = frozenset(
    {Role.ADMIN.value, Role.PROCUREMENT.value, Role.ANALYST.value, Role.CONTRACT_MANAGER.value}
)
READERS = RESPONDERS | {Role.EVALUATOR.value}
OFFICERS = frozenset({Role.ADMIN.value, Role.PROCUREMENT.value, Role.ANALYST.value})
ASSESSORS = OFFICERS | {Role.EVALUATOR.value}
OK = frozenset({200})
REDIRECT = frozenset({302})
OK_OR_INVALID = frozenset({200, 422})
API = "api:{} /api/v1/sourcing/grants{}"


def _objects(w) -> dict:
    cache = w.__dict__.setdefault("_matrix_objects", {})
    if "grants" not in cache:
        from tests.sourcing.grants_data import actor, close, make_application, make_round

        rnd = make_round(w, budget=Decimal(200_000), required=["Verksamhetsberättelse"])
        app = make_application(w, rnd, "unrelated")
        other = make_application(w, rnd, "partner")
        close(rnd)
        services.decision_record(
            actor=actor(w, "owner"),
            application=app,
            decision=Decision.GRANTED,
            amount="30000",
            conditions="Villkor",
        )
        att = Attachment.objects.filter(object_id=str(app.pk), purpose="Verksamhetsberättelse").first()
        cache["grants"] = {"round": rnd, "app": app, "other": other, "att": att}
    return cache["grants"]


def _round(w):
    return {"pk": _objects(w)["round"].pk}


def _app(w):
    return {"pk": _objects(w)["app"].pk}


EVERYONE = {"own": ALL, "partner": ALL, "unrelated": ALL}
OFFICERS_EVERYWHERE = {"own": OFFICERS, "partner": OFFICERS, "unrelated": OFFICERS}
GRANTOR_MANAGE = {"own": OFFICERS, "partner": NONE, "unrelated": NONE}
GRANTOR_ASSESS = {"own": ASSESSORS, "partner": NONE, "unrelated": NONE}
GRANTOR_DECIDE = {"own": ADMIN, "partner": NONE, "unrelated": NONE}
APPLICANTS = {"own": NONE, "partner": RESPONDERS, "unrelated": RESPONDERS}
# Familjeforum's application: the applicant and the grantor; never RISE, the other applicant.
APP_READ = {"own": READERS, "partner": NONE, "unrelated": READERS}
APP_WRITE = {"own": NONE, "partner": NONE, "unrelated": RESPONDERS}

ENTRIES: dict[str, Entry] = {
    "sourcing:grant_round_list": Entry(ok_statuses=OK, **EVERYONE),
    "sourcing:grant_round_create": Entry(ok_statuses=OK, **OFFICERS_EVERYWHERE),
    "sourcing:grant_round_detail": Entry(kwargs=_round, ok_statuses=OK, **EVERYONE),
    "sourcing:grant_round_edit": Entry(kwargs=_round, ok_statuses=OK, **GRANTOR_MANAGE),
    "sourcing:grant_round_publish": Entry(kwargs=_round, ok_statuses=OK, **GRANTOR_MANAGE),
    "sourcing:grant_round_close": Entry(kwargs=_round, ok_statuses=OK, **GRANTOR_MANAGE),
    # Both outside organisations have applied: the page sends them to their own application.
    "sourcing:grant_apply": Entry(kwargs=_round, ok_statuses=REDIRECT, **APPLICANTS),
    "sourcing:grant_round_ranking": Entry(kwargs=_round, ok_statuses=OK, **GRANTOR_ASSESS),
    "sourcing:grant_application_detail": Entry(kwargs=_app, ok_statuses=OK, **APP_READ),
    "sourcing:grant_application_attach": Entry(kwargs=_app, method="POST", ok_statuses=REDIRECT, **APP_WRITE),
    "sourcing:grant_application_attachment": Entry(
        kwargs=lambda w: {"pk": _objects(w)["app"].pk, "att_pk": _objects(w)["att"].pk},
        ok_statuses=OK,
        **APP_READ,
    ),
    "sourcing:grant_application_submit": Entry(kwargs=_app, ok_statuses=OK, **APP_WRITE),
    "sourcing:grant_assess": Entry(kwargs=_app, ok_statuses=OK, **GRANTOR_ASSESS),
    "sourcing:grant_decide": Entry(kwargs=_app, ok_statuses=OK, **GRANTOR_DECIDE),
    "sourcing:grant_letter": Entry(kwargs=_app, ok_statuses=OK, **APP_READ),
    "sourcing:grant_letter_pdf": Entry(kwargs=_app, ok_statuses=OK, **APP_READ),
    "sourcing:grant_report": Entry(kwargs=_app, ok_statuses=OK, **APP_WRITE),
    "sourcing:grant_intervention": Entry(kwargs=_app, ok_statuses=OK, **GRANTOR_MANAGE),
    # --- API -----------------------------------------------------------------------------------
    API.format("GET", ""): Entry(ok_statuses=OK, **EVERYONE),
    API.format("POST", ""): Entry(
        data=lambda w: {"title": "API-omgång", "budget": "1000", "closes_at": "2099-01-01T12:00:00+01:00"},
        ok_statuses=frozenset({201}),
        **OFFICERS_EVERYWHERE,
    ),
    API.format("GET", "/{round_id}"): Entry(
        kwargs=lambda w: {"round_id": _objects(w)["round"].pk}, ok_statuses=OK, **EVERYONE
    ),
    API.format("POST", "/{round_id}/publish"): Entry(
        kwargs=lambda w: {"round_id": _objects(w)["round"].pk}, ok_statuses=OK_OR_INVALID, **GRANTOR_MANAGE
    ),
    API.format("GET", "/{round_id}/applications"): Entry(
        kwargs=lambda w: {"round_id": _objects(w)["round"].pk},
        ok_statuses=OK,
        own=READERS,
        partner=READERS,
        unrelated=READERS,
    ),
    API.format("POST", "/{round_id}/applications"): Entry(
        kwargs=lambda w: {"round_id": _objects(w)["round"].pk},
        data=lambda w: {"title": "Ändrad", "budget_lines": []},
        ok_statuses=OK_OR_INVALID,
        **APPLICANTS,
    ),
    API.format("GET", "/{round_id}/ranking"): Entry(
        kwargs=lambda w: {"round_id": _objects(w)["round"].pk}, ok_statuses=OK, **GRANTOR_ASSESS
    ),
    API.format("POST", "/{round_id}/proposal"): Entry(
        kwargs=lambda w: {"round_id": _objects(w)["round"].pk},
        data=lambda w: {"amounts": [{"application_id": _objects(w)["other"].pk, "amount": "1000"}]},
        ok_statuses=OK,
        **GRANTOR_MANAGE,
    ),
    API.format("GET", "/applications"): Entry(
        ok_statuses=OK, own=READERS, partner=READERS, unrelated=READERS
    ),
    API.format("GET", "/applications/{application_id}"): Entry(
        kwargs=lambda w: {"application_id": _objects(w)["app"].pk}, ok_statuses=OK, **APP_READ
    ),
    API.format("POST", "/applications/{application_id}/submit"): Entry(
        kwargs=lambda w: {"application_id": _objects(w)["app"].pk}, ok_statuses=OK_OR_INVALID, **APP_WRITE
    ),
    API.format("GET", "/applications/{application_id}/assessments"): Entry(
        kwargs=lambda w: {"application_id": _objects(w)["app"].pk}, ok_statuses=OK, **GRANTOR_ASSESS
    ),
    API.format("POST", "/applications/{application_id}/assessments"): Entry(
        kwargs=lambda w: {"application_id": _objects(w)["other"].pk},
        data=lambda w: {
            "scores": [
                {"criterion_id": c.pk, "score": "3", "motivation": "Motivering"}
                for c in _objects(w)["round"].criteria.all()
            ]
        },
        ok_statuses=OK,
        own=ASSESSORS,
        partner=NONE,
        unrelated=NONE,
    ),
    API.format("POST", "/applications/{application_id}/decision"): Entry(
        kwargs=lambda w: {"application_id": _objects(w)["other"].pk},
        data=lambda w: {"decision": "rejected", "reason": "Utanför inriktningen"},
        ok_statuses=OK,
        **GRANTOR_DECIDE,
    ),
}
