"""Matrix entries for planning (target groups, results, targets, action plans, cause analyses) and
the own data import. Written from the brief and DESIGN.md's "Tenancy and trust":

* target groups, results, targets and action plans belong to the organisation that made them:
  every role of it reads them, its administrators and analysts change them; nobody else sees them
  (a partnership alone shares nothing — sharing is explicit);
* a cause analysis is edited together with the organisations the owner invites (a Share with
  purpose "orsaksanalys"): here the owner (Tomelilla) has invited the partner (RISE), so every role
  of RISE reads it and RISE's administrators and analysts edit its tree; the unrelated organisation
  gets 404. Only the owner changes the analysis's frame (title, links) and who is invited;
* the list of risk and protective factors is readable by everyone; administrators add their own;
* the import belongs to the organisation's administrators and analysts; an upload is visible only
  to its own organisation.

"List" and "create" pages act on the user's own organisation, so the same roles are allowed in
all three columns. Objects are made once per world by :func:`ensure`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from insats.accounts.access import Actor
from insats.accounts.models import Role
from insats.situation import services_import, services_plans
from insats.situation.models import Area
from insats.situation.models_plans import (
    ActionItem,
    BbicSide,
    CauseAnalysis,
    Level,
    Result,
    Target,
    TargetGroup,
)
from insats.situation.services import load_areas
from tests.matrix import ADMIN, ALL, NONE, Entry

EDITORS = frozenset({Role.ADMIN.value, Role.ANALYST.value})
EVERYONE = {"own": ALL, "partner": ALL, "unrelated": ALL}
EDITORS_EVERYWHERE = {"own": EDITORS, "partner": EDITORS, "unrelated": EDITORS}
OWN_READ = {"own": ALL, "partner": NONE, "unrelated": NONE}
OWN_EDIT = {"own": EDITORS, "partner": NONE, "unrelated": NONE}
SHARED_READ = {"own": ALL, "partner": ALL, "unrelated": NONE}
OK = frozenset({200})
CREATED = frozenset({201})
SHARED_EDIT = {"own": EDITORS, "partner": EDITORS, "unrelated": NONE}


def ensure(w, key: str, factory):
    cache = w.__dict__.setdefault("_matrix_objects", {})
    if key not in cache:
        cache[key] = factory(w)
    return cache[key]


def _actor(w, org="owner", role="analyst"):
    return Actor(user=w.user(org, role), membership=w.membership(org, role))


def _plan(w) -> dict:
    def build(w):
        actor = _actor(w)
        org = w.orgs["owner"]
        if not Area.objects.filter(code="1270").exists():
            load_areas()  # after a transactional test's flush (browser tests) the areas are gone
        tomelilla = Area.objects.get(code="1270")
        group = services_plans.save(
            actor=actor,
            obj=TargetGroup(organisation=org),
            values={
                "name": "Barn 6–10 år i riskzonen",
                "age_from": 6,
                "age_to": 10,
                "criteria": "Identifierade av skola",
                "area": tomelilla,
            },
        )
        ind = services_import.indicator_create(actor=actor, organisation=org, code="MX1", title_sv="Frånvaro")
        result = services_plans.save(
            actor=actor,
            obj=Result(organisation=org),
            values={"title": "Ökad skolnärvaro", "target_group": group},
        )
        ri = services_plans.result_indicator_add(actor=actor, result=result, indicator=ind, area=tomelilla)
        target = services_plans.target_add(
            actor=actor, ri=ri, baseline_year=2023, year=2024, kind="relative", amount=Decimal("-20")
        )
        action = services_plans.save(
            actor=actor,
            obj=ActionItem(result=result),
            values={
                "action": "Närvaroteam",
                "owner_organisation": org,
                "responsible": "Rektor",
                "start": datetime.date(2024, 1, 1),
                "end": datetime.date(2024, 12, 31),
            },
        )
        analysis = services_plans.save(
            actor=actor,
            obj=CauseAnalysis(organisation=org),
            values={"title": "Varför hög frånvaro?", "result": result},
        )
        node = services_plans.node_add(
            actor=actor,
            analysis=analysis,
            text="Svag anknytning till skolan",
            level=Level.SCHOOL,
            bbic_side=BbicSide.CHILD_NEEDS,
        )
        gone = services_plans.node_add(
            actor=actor,
            analysis=analysis,
            text="Borttagen orsak",
            level=Level.FAMILY,
            bbic_side=BbicSide.PARENTAL_CAPACITY,
        )
        services_plans.node_delete(actor=actor, node=gone)
        share = services_plans.cause_share(actor=actor, analysis=analysis, organisation=w.orgs["partner"])
        upload = services_import.upload_create(
            actor=actor,
            organisation=org,
            filename="franvaro.csv",
            content=b"omrade;indikator;period;kon;varde\n1270;MX1;2024;T;12,5\n",
        )
        failed = services_import.upload_create(
            actor=actor,
            organisation=org,
            filename="fel.csv",
            content=b"omrade;indikator;period;kon;varde\n9999;MX1;2024;T;x\n",
        )
        services_import.import_run(
            actor=actor,
            imp=failed,
            columns={
                "area": "omrade",
                "indicator": "indikator",
                "period": "period",
                "gender": "kon",
                "value": "varde",
            },
            constants={},
        )
        return {
            "group": group,
            "result": result,
            "ri": ri,
            "target": target,
            "action": action,
            "analysis": analysis,
            "node": node,
            "gone": gone,
            "share": share,
            "upload": upload,
            "failed": failed,
        }

    return ensure(w, "situation_plans", build)


def _pk(name):
    return lambda w: {"pk": _plan(w)[name].pk}


def _ri(w):
    return {"ri_pk": _plan(w)["ri"].pk}


def _result(w):
    return {"result_id": _plan(w)["result"].pk}


def _node(name):
    return lambda w: {"pk": _plan(w)["analysis"].pk, "node_pk": _plan(w)[name].pk}


ENTRIES: dict[str, Entry] = {
    # --- overview and lists (each organisation sees its own) ---
    "situation:plan_home": Entry(**EVERYONE),
    "situation:targetgroup_list": Entry(**EVERYONE),
    "situation:result_list": Entry(**EVERYONE),
    "situation:cause_list": Entry(**EVERYONE),
    "situation:factor_list": Entry(**EVERYONE),
    "situation:factor_list#post": Entry(
        method="POST",
        data=lambda w: {
            "name_sv": "Matrisfaktor",
            "kind": "risk",
            "level": "individ",
            "bbic_side": "barnets_behov",
        },
        own=ADMIN,
        partner=ADMIN,
        unrelated=ADMIN,
        note="each organisation's administrators add their own factor",
    ),
    # --- create pages (the user's own organisation) ---
    "situation:targetgroup_create": Entry(**EDITORS_EVERYWHERE),
    "situation:result_create": Entry(**EDITORS_EVERYWHERE),
    "situation:cause_create": Entry(**EDITORS_EVERYWHERE),
    # --- target groups ---
    "situation:targetgroup_detail": Entry(kwargs=_pk("group"), **OWN_READ),
    "situation:targetgroup_edit": Entry(kwargs=_pk("group"), **OWN_EDIT),
    # --- results, targets, turn-the-curve, action plans ---
    "situation:result_detail": Entry(kwargs=_pk("result"), **OWN_READ),
    "situation:result_pdf": Entry(kwargs=_pk("result"), **OWN_READ),
    "situation:result_xlsx": Entry(kwargs=_pk("result"), **OWN_READ),
    "situation:result_edit": Entry(kwargs=_pk("result"), **OWN_EDIT),
    "situation:result_indicator_add": Entry(kwargs=_pk("result"), **OWN_EDIT),
    "situation:action_add": Entry(kwargs=_pk("result"), **OWN_EDIT),
    "situation:result_indicator_edit": Entry(kwargs=_ri, **OWN_EDIT),
    "situation:target_add": Entry(kwargs=_ri, **OWN_EDIT),
    "situation:target_delete": Entry(kwargs=_pk("target"), method="POST", **OWN_EDIT),
    "situation:action_edit": Entry(kwargs=_pk("action"), **OWN_EDIT),
    "situation:action_delete": Entry(kwargs=_pk("action"), method="POST", **OWN_EDIT),
    # --- cause analyses (shared with the partner for "orsaksanalys") ---
    "situation:cause_detail": Entry(kwargs=_pk("analysis"), **SHARED_READ),
    "situation:cause_edit": Entry(kwargs=_pk("analysis"), **OWN_EDIT, note="the frame is the owner's"),
    "situation:cause_share": Entry(kwargs=_pk("analysis"), **OWN_EDIT),
    "situation:cause_unshare": Entry(
        kwargs=lambda w: {"pk": _plan(w)["analysis"].pk, "share_pk": _plan(w)["share"].pk},
        method="POST",
        **OWN_EDIT,
    ),
    "situation:cause_node_add": Entry(kwargs=_pk("analysis"), **SHARED_EDIT),
    "situation:cause_node_add#post": Entry(
        kwargs=_pk("analysis"),
        method="POST",
        data=lambda w: {
            "text": "Ny orsak",
            "level": "familj",
            "bbic_side": "foraldrarnas_formaga",
            "parent": _plan(w)["node"].pk,
        },
        **SHARED_EDIT,
    ),
    "situation:cause_node_edit": Entry(kwargs=_node("node"), **SHARED_EDIT),
    "situation:cause_node_move": Entry(
        kwargs=_node("node"), method="POST", data=lambda w: {"direction": "down"}, **SHARED_EDIT
    ),
    "situation:cause_node_delete": Entry(kwargs=_node("node"), **SHARED_EDIT),
    "situation:cause_node_delete#post": Entry(kwargs=_node("node"), method="POST", **SHARED_EDIT),
    "situation:cause_node_restore": Entry(kwargs=_node("gone"), method="POST", **SHARED_EDIT),
    # --- own data import ---
    "situation:import_start": Entry(**EDITORS_EVERYWHERE),
    "situation:import_template": Entry(kwargs=lambda w: {"fmt": "csv"}, **EDITORS_EVERYWHERE),
    "situation:import_template#xlsx": Entry(kwargs=lambda w: {"fmt": "xlsx"}, **EDITORS_EVERYWHERE),
    "situation:indicator_create": Entry(**EDITORS_EVERYWHERE),
    "situation:import_map": Entry(kwargs=_pk("upload"), **OWN_EDIT),
    "situation:import_map#failed": Entry(kwargs=_pk("failed"), **OWN_EDIT, note="the error report"),
    "situation:import_errors_csv": Entry(kwargs=_pk("failed"), **OWN_EDIT),
    # --- API (/api/v1/plans): lists and creation act on the token's own organisation ---
    "api:GET /api/v1/plans/target-groups": Entry(ok_statuses=OK, **EVERYONE),
    "api:POST /api/v1/plans/target-groups": Entry(
        data=lambda w: {
            "name": "API-målgrupp",
            "age_from": 6,
            "age_to": 10,
            "criteria": "Risk",
            "area_code": "1270",
        },
        ok_statuses=CREATED,
        **EDITORS_EVERYWHERE,
    ),
    "api:GET /api/v1/plans/target-groups/{group_id}": Entry(
        kwargs=lambda w: {"group_id": _plan(w)["group"].pk}, ok_statuses=OK, **OWN_READ
    ),
    "api:GET /api/v1/plans/results": Entry(ok_statuses=OK, **EVERYONE),
    "api:POST /api/v1/plans/results": Entry(
        data=lambda w: {"title": "API-resultat"}, ok_statuses=CREATED, **EDITORS_EVERYWHERE
    ),
    "api:GET /api/v1/plans/results/{result_id}": Entry(kwargs=_result, ok_statuses=OK, **OWN_READ),
    "api:POST /api/v1/plans/results/{result_id}/targets": Entry(
        kwargs=_result,
        data=lambda w: {
            "result_indicator_id": _plan(w)["ri"].pk,
            "baseline_year": 2023,
            "year": 2026,
            "kind": "relative",
            "amount": "-20",
        },
        ok_statuses=CREATED,
        **OWN_EDIT,
    ),
    "api:GET /api/v1/plans/results/{result_id}/actions": Entry(kwargs=_result, ok_statuses=OK, **OWN_READ),
    "api:POST /api/v1/plans/results/{result_id}/actions": Entry(
        kwargs=_result,
        data=lambda w: {
            "action": "Läxhjälp",
            "responsible": "Samordnare",
            "start": "2025-01-01",
            "end": "2025-06-30",
        },
        ok_statuses=CREATED,
        **OWN_EDIT,
    ),
}

__all__ = ["ENTRIES", "Target"]
