"""API operations for target groups, results with indicators, targets and progress, and action plans.

Mounted at ``/api/v1/plans``. Thin like the views: schemas in, access.py, a service, schemas out.
Progress figures come from :func:`services_plans.result_figures` (computed by the core).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from insats.accounts import access
from insats.accounts.models import Organisation
from insats.platform.api import ERRORS, WRITE_ERRORS, Date, Pagination, actor_of, field_errors

from . import services_plans as svc
from .models import Area
from .models_plans import ActionItem, ActionStatus, Result, ResultIndicator, TargetGroup, TargetKind

router = Router(tags=["plans"])


# --- schemas ---------------------------------------------------------------------------------------


class TargetGroupOut(Schema):
    id: int
    organisation_id: int
    name: str
    age_from: int
    age_to: int
    criteria: str
    area_code: str | None = Field(description="SCB code of the area, e.g. 1270 (Tomelilla).")
    estimated_size: int | None
    size_source: str = Field(description="Where the estimated size comes from.")
    description: str

    @staticmethod
    def resolve_area_code(obj: TargetGroup) -> str | None:
        return obj.area.code if obj.area_id else None


class TargetGroupIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    age_from: int = Field(ge=0, le=120)
    age_to: int = Field(ge=0, le=120)
    criteria: str = Field(min_length=1)
    area_code: str | None = Field(None, description="SCB code of the area (1270, 12 or 0000).")
    estimated_size: int | None = Field(None, ge=0)
    size_source: str = ""
    description: str = ""


class TargetOut(Schema):
    id: int
    baseline_year: int
    year: int
    kind: str = Field(description="relative (per cent), absolute (in the indicator's unit) or value.")
    amount: Decimal
    note: str
    target_value: float | None = Field(description="The value to reach (from the baseline, by the core).")
    baseline_value: float | None
    current_year: int | None
    current_value: float | None
    achieved_share: float | None = Field(description="(current − baseline) / (target − baseline).")
    elapsed_share: float | None = Field(
        description="(current year − baseline year) / (target year − baseline year)."
    )
    path_value: float | None = Field(
        description="Where a straight path from baseline to target would be now."
    )
    on_track: bool | None = Field(description="achieved_share ≥ elapsed_share; null without data.")
    projected: float | None = Field(description="Theil–Sen projection to the target year.")
    problem: str = Field(description="Why a figure is missing, if one is.")


class ForecastOut(Schema):
    year: int
    value: float | None
    lower: float | None
    upper: float | None


class ResultIndicatorOut(Schema):
    id: int
    indicator_code: str
    indicator_title: str
    area_code: str
    gender: str
    series: list[tuple[int, float | None]] = Field(description="[year, value] pairs: the baseline curve.")
    forecast: list[ForecastOut] = Field(description="Theil–Sen trend forecast with 95 % prediction interval.")
    story: str = Field(description="Turn the curve: the story behind the curve.")
    partners: str
    what_works: str
    targets: list[TargetOut]


class ActionOut(Schema):
    id: int
    action: str
    owner_organisation_id: int
    owner_organisation: str
    responsible: str
    start: datetime.date
    end: datetime.date
    status: str

    @staticmethod
    def resolve_owner_organisation(obj: ActionItem) -> str:
        return obj.owner_organisation.name


class PlanResultOut(Schema):
    id: int
    organisation_id: int
    title: str
    goal_area: str
    target_group_id: int | None
    description: str


class PlanResultDetailOut(PlanResultOut):
    indicators: list[ResultIndicatorOut]
    actions: list[ActionOut]


class PlanResultIn(Schema):
    title: str = Field(min_length=1, max_length=300)
    goal_area: str = ""
    target_group_id: int | None = None
    description: str = ""


class TargetIn(Schema):
    result_indicator_id: int
    baseline_year: int = Field(ge=1900, le=2100)
    year: int = Field(ge=1900, le=2100)
    kind: Literal["relative", "absolute", "value"] = Field(description="relative: amount in per cent (−20).")
    amount: Decimal
    note: str = ""


class ActionIn(Schema):
    action: str = Field(min_length=1, max_length=500)
    owner_organisation_id: int | None = Field(None, description="Default: your organisation.")
    responsible: str = Field(min_length=1, max_length=200)
    start: Date
    end: Date
    status: Literal["planned", "ongoing", "done", "paused", "cancelled"] = "planned"


# --- helpers ---------------------------------------------------------------------------------------


def _get(actor, queryset, ability: str, pk: int):
    obj = queryset.filter(pk=pk).first()
    if obj is None or not access.can(actor, "plan.view", obj):
        raise Http404
    if not access.can(actor, ability, obj):
        raise PermissionDenied(ability)
    return obj


def _org(actor) -> Organisation:
    access.check(actor, "plan.edit")
    return actor.organisation


def _detail(result: Result) -> dict:
    figures = svc.result_figures(result)
    indicators = []
    for f in figures:
        ri: ResultIndicator = f.ri
        indicators.append(
            {
                "id": ri.pk,
                "indicator_code": ri.indicator.code,
                "indicator_title": ri.indicator.title_sv,
                "area_code": ri.area.code,
                "gender": ri.gender,
                "series": f.series,
                "forecast": [p.model_dump() for p in f.forecasts],
                "story": ri.story,
                "partners": ri.partners,
                "what_works": ri.what_works,
                "targets": [
                    {
                        "id": t.target.pk,
                        "baseline_year": t.target.baseline_year,
                        "year": t.target.year,
                        "kind": t.target.kind,
                        "amount": t.target.amount,
                        "note": t.target.note,
                        "target_value": t.value,
                        "baseline_value": t.baseline,
                        "current_year": t.current_year,
                        "current_value": t.current,
                        "achieved_share": t.achieved,
                        "elapsed_share": t.elapsed,
                        "path_value": t.path_value,
                        "on_track": t.on_track,
                        "projected": t.projected,
                        "problem": t.problem,
                    }
                    for t in f.targets
                ],
            }
        )
    return {
        "id": result.pk,
        "organisation_id": result.organisation_id,
        "title": result.title,
        "goal_area": result.goal_area,
        "target_group_id": result.target_group_id,
        "description": result.description,
        "indicators": indicators,
        "actions": list(result.actions.select_related("owner_organisation")),
    }


# --- target groups -----------------------------------------------------------------------------------


@router.get(
    "/target-groups",
    response={200: list[TargetGroupOut], **ERRORS},
    operation_id="target_groups_list",
    summary="Target groups of your organisation",
)
@paginate(Pagination)
def target_groups_list(request):
    actor = actor_of(request)
    access.check(actor, "plan.view")
    return access.scope(actor, TargetGroup.objects.select_related("area"), "plan.view").order_by("name", "pk")


@router.get(
    "/target-groups/{group_id}",
    response={200: TargetGroupOut, **ERRORS},
    operation_id="target_groups_detail",
    summary="One target group",
)
def target_groups_detail(request, group_id: int):
    actor = actor_of(request)
    return _get(actor, TargetGroup.objects.select_related("area"), "plan.view", group_id)


@router.post(
    "/target-groups",
    response={201: TargetGroupOut, **WRITE_ERRORS},
    operation_id="target_groups_create",
    summary="Create a target group (admins, analysts)",
)
def target_groups_create(request, payload: TargetGroupIn):
    actor = actor_of(request)
    org = _org(actor)
    values = payload.dict()
    code = values.pop("area_code")
    area = None
    if code:
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise field_errors(ValidationError({"area_code": f"okänt område {code}"}))
    try:
        group = svc.save(actor=actor, obj=TargetGroup(organisation=org), values=values | {"area": area})
    except ValidationError as exc:
        raise field_errors(exc, rename={"area": "area_code"})
    return Status(201, group)


# --- results -------------------------------------------------------------------------------------------


@router.get(
    "/results",
    response={200: list[PlanResultOut], **ERRORS},
    operation_id="results_list",
    summary="Results of your organisation",
)
@paginate(Pagination)
def results_list(request):
    actor = actor_of(request)
    access.check(actor, "plan.view")
    return access.scope(actor, Result.objects.all(), "plan.view").order_by("title", "pk")


@router.get(
    "/results/{result_id}",
    response={200: PlanResultDetailOut, **ERRORS},
    operation_id="results_detail",
    summary="One result: indicators, baseline, forecast, targets with progress, action plan",
)
def results_detail(request, result_id: int):
    actor = actor_of(request)
    return _detail(_get(actor, Result.objects.all(), "plan.view", result_id))


@router.post(
    "/results",
    response={201: PlanResultOut, **WRITE_ERRORS},
    operation_id="results_create",
    summary="Create a result (admins, analysts)",
)
def results_create(request, payload: PlanResultIn):
    actor = actor_of(request)
    org = _org(actor)
    values = payload.dict()
    tg_id = values.pop("target_group_id")
    group = None
    if tg_id is not None:
        group = TargetGroup.objects.filter(pk=tg_id, organisation=org).first()
        if group is None:
            raise field_errors(ValidationError({"target_group_id": "okänd målgrupp"}))
    try:
        result = svc.save(actor=actor, obj=Result(organisation=org), values=values | {"target_group": group})
    except ValidationError as exc:
        raise field_errors(exc, rename={"target_group": "target_group_id"})
    return Status(201, result)


@router.post(
    "/results/{result_id}/targets",
    response={201: TargetOut, **WRITE_ERRORS},
    operation_id="results_targets_create",
    summary="Set a target for one of the result's indicators",
)
def results_targets_create(request, result_id: int, payload: TargetIn):
    actor = actor_of(request)
    result = _get(actor, Result.objects.all(), "plan.edit", result_id)
    ri = result.indicators.filter(pk=payload.result_indicator_id).first()
    if ri is None:
        raise field_errors(ValidationError({"result_indicator_id": "indikatorn hör inte till resultatet"}))
    values = payload.dict()
    values.pop("result_indicator_id")
    values["kind"] = TargetKind(values["kind"])
    try:
        target = svc.target_add(actor=actor, ri=ri, **values)
    except ValidationError as exc:
        raise field_errors(exc)
    detail = _detail(result)
    out = next(t for i in detail["indicators"] for t in i["targets"] if t["id"] == target.pk)
    return Status(201, out)


@router.get(
    "/results/{result_id}/actions",
    response={200: list[ActionOut], **ERRORS},
    operation_id="results_actions_list",
    summary="The result's action plan",
)
@paginate(Pagination)
def results_actions_list(request, result_id: int):
    actor = actor_of(request)
    result = _get(actor, Result.objects.all(), "plan.view", result_id)
    return list(result.actions.select_related("owner_organisation"))


@router.post(
    "/results/{result_id}/actions",
    response={201: ActionOut, **WRITE_ERRORS},
    operation_id="results_actions_create",
    summary="Add an action to the result's action plan",
)
def results_actions_create(request, result_id: int, payload: ActionIn):
    actor = actor_of(request)
    result = _get(actor, Result.objects.all(), "plan.edit", result_id)
    values = payload.dict()
    owner_id = values.pop("owner_organisation_id") or result.organisation_id
    owner = Organisation.objects.filter(pk=owner_id).first()
    if owner is None:
        raise field_errors(ValidationError({"owner_organisation_id": "okänd organisation"}))
    values["status"] = ActionStatus(values["status"])
    try:
        item = svc.save(
            actor=actor,
            obj=ActionItem(result=result, position=result.actions.count()),
            values=values | {"owner_organisation": owner},
        )
    except ValidationError as exc:
        raise field_errors(exc, rename={"owner_organisation": "owner_organisation_id"})
    return Status(201, item)
