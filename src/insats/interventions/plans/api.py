"""API: the social plan (mounted at /api/v1/interventions/plans).

Thin like the views: schemas in, access.py, ``services``, schemas out. Every write saves a new
version of the plan; adoption is recorded by an administrator (``socialplan.adopt``).
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
from insats.accounts.models import GovernanceBody, Organisation
from insats.interventions.catalogue.models import Intervention
from insats.platform.api import ERRORS, WRITE_ERRORS, Date, Pagination, actor_of, field_errors
from insats.situation.models import Indicator
from insats.situation.models_plans import Result

from . import selectors
from . import services as svc
from .models import PlanEntity, SocialPlan, SuccessFactor

router = Router(tags=["Insatser"])


# --- schemas ---------------------------------------------------------------------------------------


class PlanOut(Schema):
    id: int
    organisation_id: int
    title: str
    period_start: int
    period_end: int
    vision: str
    goals: str
    status: str = Field(description="utkast (draft) or antagen (adopted).")


class PlanIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    period_start: int = Field(ge=2000, le=2100)
    period_end: int = Field(ge=2000, le=2100)
    vision: str = ""
    goals: str = ""


class PlanPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    period_start: int | None = Field(None, ge=2000, le=2100)
    period_end: int | None = Field(None, ge=2000, le=2100)
    vision: str | None = None
    goals: str | None = None


class EntityInterventionOut(Schema):
    id: int
    intervention_id: int
    intervention: str
    role: str = Field(description="bedriver (runs) or ska_starta (will start).")
    start_year: int | None

    @staticmethod
    def resolve_intervention(obj) -> str:
        return obj.intervention.name


class EntityOut(Schema):
    id: int
    kind: str = Field(description="forvaltning, namnd, enhet or partner.")
    name: str
    organisation_id: int | None
    governance_body_id: int | None
    vision: str
    goals: str
    responsibilities: str
    process: str
    competence: str
    tools: str
    resources: str
    interventions: list[EntityInterventionOut]

    @staticmethod
    def resolve_interventions(obj) -> list:
        return list(obj.interventions.select_related("intervention"))


class EntityIn(Schema):
    kind: Literal["forvaltning", "namnd", "enhet", "partner"]
    name: str = Field(min_length=1, max_length=200)
    organisation_id: int | None = None
    governance_body_id: int | None = Field(None, description="A body of the plan's organisation.")
    vision: str = ""
    goals: str = ""
    responsibilities: str = ""
    process: str = ""
    competence: str = ""
    tools: str = ""
    resources: str = ""


class EntityInterventionIn(Schema):
    intervention_id: int = Field(description="An intervention of the catalogue you can see.")
    role: Literal["bedriver", "ska_starta"] = "bedriver"
    start_year: int | None = Field(None, ge=2000, le=2100, description="Required for ska_starta.")


class TargetLineOut(Schema):
    source: str = Field(description="lagesbild: the result's own target; own: the factor's.")
    indicator: str
    area: str
    baseline_year: int | None
    year: int | None
    text: str
    baseline: float | None = Field(
        description="Baseline value (for a lägesbild target: computed by the core)."
    )
    value: float | None = Field(description="The value to reach.")
    problem: str


class SuccessFactorOut(Schema):
    id: int
    title: str
    description: str
    entity_id: int | None
    result_id: int | None
    indicator_id: int | None
    baseline_value: Decimal | None
    baseline_year: int | None
    target_value: Decimal | None
    target_year: int | None
    targets: list[TargetLineOut]

    @staticmethod
    def resolve_targets(obj) -> list:
        return selectors.factor_targets(obj)


class SuccessFactorIn(Schema):
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    entity_id: int | None = None
    result_id: int | None = Field(None, description="A result of the lägesbild (your organisation's).")
    indicator_id: int | None = None
    baseline_value: Decimal | None = None
    baseline_year: int | None = Field(None, ge=1900, le=2100)
    target_value: Decimal | None = Field(None, description="Only when the result has no target of its own.")
    target_year: int | None = Field(None, ge=1900, le=2100)


class EvaluationOut(Schema):
    id: int
    measure: str
    method: str
    responsible: str
    timing: str
    success_factor_id: int | None
    target_note: str


class PlanVersionOut(Schema):
    number: int
    summary: str
    changed_at: datetime.datetime
    changed_by: str | None
    adopted_by_id: int | None
    adopted_by: str | None
    adopted_on: datetime.date | None
    minutes_reference: str

    @staticmethod
    def resolve_changed_by(obj) -> str | None:
        return obj.changed_by.email if obj.changed_by_id else None

    @staticmethod
    def resolve_adopted_by(obj) -> str | None:
        return obj.adopted_by.name if obj.adopted_by_id else None


class VersionDetailOut(PlanVersionOut):
    data: dict = Field(description="The plan as saved: names and texts, readable on its own.")


class PlanDetailOut(PlanOut):
    entities: list[EntityOut]
    success_factors: list[SuccessFactorOut]
    evaluation: list[EvaluationOut]
    current_version: int | None
    adopted_version: PlanVersionOut | None


class AdoptIn(Schema):
    body_id: int = Field(description="The governance body (of the plan's organisation) that adopted it.")
    adopted_on: Date
    minutes_reference: str = Field(min_length=1, max_length=200)


# --- helpers ---------------------------------------------------------------------------------------


def _plan(actor, plan_id: int, ability: str) -> SocialPlan:
    plan = SocialPlan.objects.filter(pk=plan_id).first()
    if plan is None or not access.can(actor, "socialplan.view", plan):
        raise Http404
    if not access.can(actor, ability, plan):
        raise PermissionDenied(ability)
    return plan


def _detail(plan: SocialPlan) -> dict:
    current = svc.current_version(plan)
    return {
        **{f: getattr(plan, f) for f in ["id", "organisation_id", *svc.PLAN_FIELDS, "status"]},
        "entities": list(plan.entities.all()),
        "success_factors": list(plan.success_factors.all()),
        "evaluation": list(plan.evaluation_items.all()),
        "current_version": current.number if current else None,
        "adopted_version": svc.adopted_version(plan),
    }


def _pick(model, pk, field: str, **filters):
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk, **filters).first()
    if obj is None:
        raise field_errors(ValidationError({field: f"okänt id {pk}"}))
    return obj


# --- plans -----------------------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[PlanOut], **ERRORS},
    operation_id="social_plans_list",
    summary="Social plans you can see",
)
@paginate(Pagination)
def plans_list(request):
    actor = actor_of(request)
    access.check(actor, "socialplan.view")
    return access.scope(actor, SocialPlan.objects.all(), "socialplan.view").order_by("-period_start", "pk")


@router.post(
    "",
    response={201: PlanOut, **WRITE_ERRORS},
    operation_id="social_plans_create",
    summary="Create a social plan for your organisation (admins, analysts)",
)
def plans_create(request, payload: PlanIn):
    actor = actor_of(request)
    access.check(actor, "socialplan.edit")
    try:
        plan = svc.plan_create(actor=actor, organisation=actor.organisation, values=payload.dict())
    except ValidationError as exc:
        raise field_errors(exc)
    return Status(201, plan)


@router.get(
    "/{plan_id}",
    response={200: PlanDetailOut, **ERRORS},
    operation_id="social_plans_detail",
    summary="One social plan: entities with their interventions, success factors with targets, evaluation",
)
def plans_detail(request, plan_id: int):
    actor = actor_of(request)
    return _detail(_plan(actor, plan_id, "socialplan.view"))


@router.patch(
    "/{plan_id}",
    response={200: PlanOut, **WRITE_ERRORS},
    operation_id="social_plans_update",
    summary="Change the plan's title, period, vision or goals (a new version; after adoption a new draft)",
)
def plans_update(request, plan_id: int, payload: PlanPatch):
    actor = actor_of(request)
    plan = _plan(actor, plan_id, "socialplan.edit")
    values = payload.dict(exclude_unset=True)
    try:
        return svc.plan_update(actor=actor, plan=plan, values=values)
    except ValidationError as exc:
        raise field_errors(exc)


# --- entities --------------------------------------------------------------------------------------


@router.get(
    "/{plan_id}/entities",
    response={200: list[EntityOut], **ERRORS},
    operation_id="social_plans_entities_list",
    summary="The plan's entities (förvaltning, nämnd, enhet, partner)",
)
def entities_list(request, plan_id: int):
    actor = actor_of(request)
    return list(_plan(actor, plan_id, "socialplan.view").entities.all())


@router.post(
    "/{plan_id}/entities",
    response={201: EntityOut, **WRITE_ERRORS},
    operation_id="social_plans_entities_create",
    summary="Add an entity with its vision, goals, responsibilities, process, competence, tools, resources",
)
def entities_create(request, plan_id: int, payload: EntityIn):
    actor = actor_of(request)
    plan = _plan(actor, plan_id, "socialplan.edit")
    values = payload.dict()
    values["organisation"] = _pick(Organisation, values.pop("organisation_id"), "organisation_id")
    values["governance_body"] = _pick(
        GovernanceBody, values.pop("governance_body_id"), "governance_body_id", organisation=plan.organisation
    )
    try:
        entity = svc.row_save(actor=actor, obj=PlanEntity(plan=plan), values=values)
    except ValidationError as exc:
        raise field_errors(
            exc, rename={"organisation": "organisation_id", "governance_body": "governance_body_id"}
        )
    return Status(201, entity)


@router.post(
    "/{plan_id}/entities/{entity_id}/interventions",
    response={201: EntityInterventionOut, **WRITE_ERRORS},
    operation_id="social_plans_entity_interventions_create",
    summary="Link an intervention of the catalogue that the entity runs or will start",
)
def entity_interventions_create(request, plan_id: int, entity_id: int, payload: EntityInterventionIn):
    actor = actor_of(request)
    plan = _plan(actor, plan_id, "socialplan.edit")
    entity = plan.entities.filter(pk=entity_id).first()
    if entity is None:
        raise Http404
    intervention = Intervention.objects.filter(pk=payload.intervention_id).first()
    try:
        row = svc.intervention_add(
            actor=actor,
            entity=entity,
            intervention=intervention,
            role=payload.role,
            start_year=payload.start_year,
        )
    except ValidationError as exc:
        raise field_errors(exc, rename={"intervention": "intervention_id"})
    return Status(201, row)


# --- success factors -------------------------------------------------------------------------------


@router.get(
    "/{plan_id}/success-factors",
    response={200: list[SuccessFactorOut], **ERRORS},
    operation_id="social_plans_success_factors_list",
    summary="Measurable success factors with their targets (the lägesbild's where a result has them)",
)
def success_factors_list(request, plan_id: int):
    actor = actor_of(request)
    return list(_plan(actor, plan_id, "socialplan.view").success_factors.all())


@router.post(
    "/{plan_id}/success-factors",
    response={201: SuccessFactorOut, **WRITE_ERRORS},
    operation_id="social_plans_success_factors_create",
    summary="Add a success factor linked to a lägesbild result and/or indicator",
)
def success_factors_create(request, plan_id: int, payload: SuccessFactorIn):
    actor = actor_of(request)
    plan = _plan(actor, plan_id, "socialplan.edit")
    values = payload.dict()
    values["entity"] = _pick(PlanEntity, values.pop("entity_id"), "entity_id", plan=plan)
    values["result"] = _pick(Result, values.pop("result_id"), "result_id", organisation=plan.organisation)
    values["indicator"] = _pick(Indicator, values.pop("indicator_id"), "indicator_id")
    try:
        factor = svc.row_save(actor=actor, obj=SuccessFactor(plan=plan), values=values)
    except ValidationError as exc:
        raise field_errors(
            exc, rename={"entity": "entity_id", "result": "result_id", "indicator": "indicator_id"}
        )
    return Status(201, factor)


# --- versions and adoption -------------------------------------------------------------------------


@router.get(
    "/{plan_id}/versions",
    response={200: list[PlanVersionOut], **ERRORS},
    operation_id="social_plans_versions_list",
    summary="Every saved version, newest first, with who, when and adoption",
)
def versions_list(request, plan_id: int):
    actor = actor_of(request)
    plan = _plan(actor, plan_id, "socialplan.view")
    return list(plan.versions.select_related("changed_by", "adopted_by"))


@router.get(
    "/{plan_id}/versions/{number}",
    response={200: VersionDetailOut, **ERRORS},
    operation_id="social_plans_versions_detail",
    summary="One version with its snapshot",
)
def versions_detail(request, plan_id: int, number: int):
    actor = actor_of(request)
    plan = _plan(actor, plan_id, "socialplan.view")
    version = plan.versions.filter(number=number).first()
    if version is None:
        raise Http404
    return version


@router.post(
    "/{plan_id}/adopt",
    response={201: PlanVersionOut, **WRITE_ERRORS},
    operation_id="social_plans_adopt",
    summary="Record the adoption of the plan as it stands by a governance body (admins)",
)
def plans_adopt(request, plan_id: int, payload: AdoptIn):
    actor = actor_of(request)
    plan = _plan(actor, plan_id, "socialplan.adopt")
    body = GovernanceBody.objects.filter(pk=payload.body_id).first()
    try:
        version = svc.adopt(
            actor=actor,
            plan=plan,
            body=body,
            adopted_on=payload.adopted_on,
            minutes_reference=payload.minutes_reference,
        )
    except ValidationError as exc:
        raise field_errors(exc, rename={"body": "body_id"})
    return Status(201, version)
