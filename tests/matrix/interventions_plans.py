"""Matrix entries for the social plan (issue 9, item 5). Written from the brief and DESIGN.md's
"Tenancy and trust":

* a social plan belongs to the municipality that writes it: every role of it reads the plan, its
  versions and the PDF; its administrators and analysts write it; only its administrators record
  the adoption by a body (a decision, as for a review's board decision);
* nobody else sees it — a partnership alone shares nothing (the partner and the unrelated
  organisation get 404);
* the list and "new plan" act on the user's own organisation, so the same roles are let in in all
  three columns.
"""

from __future__ import annotations

from insats.accounts.models import Role
from tests.interventions.plans_fixtures import build
from tests.matrix import ADMIN, ALL, NONE, Entry

EDITORS = frozenset({Role.ADMIN.value, Role.ANALYST.value})
EVERYONE = {"own": ALL, "partner": ALL, "unrelated": ALL}
EDITORS_EVERYWHERE = {"own": EDITORS, "partner": EDITORS, "unrelated": EDITORS}
OWN_READ = {"own": ALL, "partner": NONE, "unrelated": NONE}
OWN_EDIT = {"own": EDITORS, "partner": NONE, "unrelated": NONE}
OWN_ADOPT = {"own": ADMIN, "partner": NONE, "unrelated": NONE}
OK = frozenset({200})
CREATED = frozenset({201})
BASE = "/api/v1/interventions/plans"


def _data(w) -> dict:
    d = build(w)
    if "factor" not in d:
        from insats.interventions.plans import services as svc
        from insats.interventions.plans.models import EvaluationItem, SuccessFactor

        row = svc.intervention_add(
            actor=d["actor"], entity=d["entity"], intervention=d["familjen"], role="bedriver"
        )
        factor = svc.row_save(
            actor=d["actor"],
            obj=SuccessFactor(plan=d["plan"]),
            values={"title": "Närvaro", "result": d["result"]},
        )
        item = svc.row_save(
            actor=d["actor"],
            obj=EvaluationItem(plan=d["plan"]),
            values={
                "measure": "Närvaro",
                "responsible": "Analytiker",
                "timing": "Årligen",
                "success_factor": factor,
            },
        )
        d.update(row=row, factor=factor, item=item)
    return d


def _plan(w):
    return {"pk": _data(w)["plan"].pk}


def _with(key, name):
    return lambda w: {"pk": _data(w)["plan"].pk, key: _data(w)[name].pk}


def _delete(kind, name):
    return lambda w: {"pk": _data(w)["plan"].pk, "kind": kind, "row_pk": _data(w)[name].pk}


def _api(w):
    return {"plan_id": _data(w)["plan"].pk}


ENTRIES: dict[str, Entry] = {
    "interventions:plan_list": Entry(**EVERYONE),
    "interventions:plan_create": Entry(**EDITORS_EVERYWHERE),
    "interventions:plan_create#post": Entry(
        method="POST",
        data=lambda w: {"title": "Matrisplan", "period_start": "2026", "period_end": "2030"},
        **EDITORS_EVERYWHERE,
    ),
    "interventions:plan_detail": Entry(kwargs=_plan, **OWN_READ),
    "interventions:plan_pdf": Entry(kwargs=_plan, **OWN_READ),
    "interventions:plan_versions": Entry(kwargs=_plan, **OWN_READ),
    "interventions:plan_version_detail": Entry(
        kwargs=lambda w: {"pk": _data(w)["plan"].pk, "number": 1}, **OWN_READ
    ),
    "interventions:plan_edit": Entry(kwargs=_plan, **OWN_EDIT),
    "interventions:plan_edit#post": Entry(
        kwargs=_plan,
        method="POST",
        data=lambda w: {"title": "Ändrad plan", "period_start": "2026", "period_end": "2030"},
        **OWN_EDIT,
    ),
    "interventions:plan_entity_add": Entry(kwargs=_plan, **OWN_EDIT),
    "interventions:plan_entity_add#post": Entry(
        kwargs=_plan, method="POST", data=lambda w: {"kind": "enhet", "name": "BVC"}, **OWN_EDIT
    ),
    "interventions:plan_entity_edit": Entry(kwargs=_with("entity_pk", "entity"), **OWN_EDIT),
    "interventions:plan_intervention_add": Entry(kwargs=_with("entity_pk", "entity"), **OWN_EDIT),
    "interventions:plan_intervention_add#post": Entry(
        kwargs=_with("entity_pk", "entity"),
        method="POST",
        data=lambda w: {"intervention": _data(w)["komet"].pk, "role": "bedriver"},
        **OWN_EDIT,
    ),
    "interventions:plan_factor_add": Entry(kwargs=_plan, **OWN_EDIT),
    "interventions:plan_factor_edit": Entry(kwargs=_with("factor_pk", "factor"), **OWN_EDIT),
    "interventions:plan_evaluation_add": Entry(kwargs=_plan, **OWN_EDIT),
    "interventions:plan_evaluation_edit": Entry(kwargs=_with("item_pk", "item"), **OWN_EDIT),
    "interventions:plan_row_delete": Entry(kwargs=_delete("faktor", "factor"), **OWN_EDIT),
    "interventions:plan_row_delete#post": Entry(
        kwargs=_delete("entitet", "entity"), method="POST", **OWN_EDIT
    ),
    "interventions:plan_row_delete#intervention": Entry(
        kwargs=_delete("insats", "row"), method="POST", **OWN_EDIT
    ),
    "interventions:plan_adopt": Entry(kwargs=_plan, **OWN_ADOPT),
    "interventions:plan_adopt#post": Entry(
        kwargs=_plan,
        method="POST",
        data=lambda w: {
            "body": _data(w)["body"].pk,
            "adopted_on": "2026-01-15",
            "minutes_reference": "KF § 12",
            "confirm": "on",
        },
        **OWN_ADOPT,
    ),
    # --- API ---
    f"api:GET {BASE}": Entry(ok_statuses=OK, **EVERYONE),
    f"api:POST {BASE}": Entry(
        data=lambda w: {"title": "API-plan", "period_start": 2026, "period_end": 2030},
        ok_statuses=CREATED,
        **EDITORS_EVERYWHERE,
    ),
    f"api:GET {BASE}/{{plan_id}}": Entry(kwargs=_api, ok_statuses=OK, **OWN_READ),
    f"api:PATCH {BASE}/{{plan_id}}": Entry(
        kwargs=_api, data=lambda w: {"vision": "Ny vision"}, ok_statuses=OK, **OWN_EDIT
    ),
    f"api:GET {BASE}/{{plan_id}}/entities": Entry(kwargs=_api, ok_statuses=OK, **OWN_READ),
    f"api:POST {BASE}/{{plan_id}}/entities": Entry(
        kwargs=_api, data=lambda w: {"kind": "enhet", "name": "API-enhet"}, ok_statuses=CREATED, **OWN_EDIT
    ),
    f"api:POST {BASE}/{{plan_id}}/entities/{{entity_id}}/interventions": Entry(
        kwargs=lambda w: {"plan_id": _data(w)["plan"].pk, "entity_id": _data(w)["entity"].pk},
        data=lambda w: {"intervention_id": _data(w)["komet"].pk, "role": "bedriver"},
        ok_statuses=CREATED,
        **OWN_EDIT,
    ),
    f"api:GET {BASE}/{{plan_id}}/success-factors": Entry(kwargs=_api, ok_statuses=OK, **OWN_READ),
    f"api:POST {BASE}/{{plan_id}}/success-factors": Entry(
        kwargs=_api,
        data=lambda w: {"title": "API-faktor", "result_id": _data(w)["bare_result"].pk},
        ok_statuses=CREATED,
        **OWN_EDIT,
    ),
    f"api:GET {BASE}/{{plan_id}}/versions": Entry(kwargs=_api, ok_statuses=OK, **OWN_READ),
    f"api:GET {BASE}/{{plan_id}}/versions/{{number}}": Entry(
        kwargs=lambda w: {"plan_id": _data(w)["plan"].pk, "number": 1}, ok_statuses=OK, **OWN_READ
    ),
    f"api:POST {BASE}/{{plan_id}}/adopt": Entry(
        kwargs=_api,
        data=lambda w: {
            "body_id": _data(w)["body"].pk,
            "adopted_on": "2026-01-15",
            "minutes_reference": "KF § 12",
        },
        ok_statuses=CREATED,
        **OWN_ADOPT,
    ),
}
