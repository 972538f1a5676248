"""API: the form advisor's assessments and decisions, mounted at /api/v1/sourcing/decisions.

Thin like the views: schemas in, access.py, a service (the recommendation is the core's), schemas
out. Errors are problem+json (``insats.platform.api``)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from insats.accounts import access
from insats.core import form_advisor as core
from insats.platform.api import ERRORS, WRITE_ERRORS, Pagination, actor_of, field_errors
from insats.situation.models_plans import Result, TargetGroup

from . import services
from .models import FormDecision

router = Router(tags=["Samverkan"])


class AnswersIn(Schema):
    """Each question true (ja), false (nej) or null (vet ej); see docs/samverkan-formval.md."""

    order: bool | None = Field(None, description="A beställning of a defined service.")
    market: bool | None = Field(None, description="There is a market: the service can be bought.")
    idea_based: bool | None = Field(None, description="An idéburet initiative.")
    self_running: bool | None = Field(None, description="The organisation's own, self-running activity.")
    need_together: bool | None = Field(None, description="The need was identified together.")
    all_contribute: bool | None = Field(None, description="Every party can contribute resources.")
    budget_plan: bool | None = Field(None, description="A long-term budget plan exists.")
    innovation: bool | None = Field(None, description="A new solution is needed (no solution, R&D).")
    effect_measurable: bool | None = Field(None, description="The effect is measurable.")
    outcome_fund: bool | None = Field(None, description="An outcome fund or funder is interested.")
    social_service: bool | None = Field(
        None, description="A social or other specific service (LOU bilaga 2)."
    )


class FormDecisionIn(Schema):
    title: str = Field("", max_length=200, description="Empty: the result's or target group's name.")
    need_description: str = ""
    target_group_id: int | None = Field(None, description="A target group of your organisation's lägesbild.")
    result_id: int | None = Field(None, description="A result of your organisation's lägesbild.")
    answers: AnswersIn = Field(default_factory=AnswersIn)
    estimated_value: Decimal | None = Field(
        None, ge=0, lt=Decimal("1e12"), description="SEK, the whole term."
    )


class DecideIn(Schema):
    chosen: str = Field(description="One of the six forms (see recommended).")
    departure_reason: str = Field("", description="Required when chosen differs from recommended.")


class ReasonOut(Schema):
    rule: str
    text: str
    source: str


class FormDecisionOut(Schema):
    id: int
    organisation_id: int
    title: str
    need_description: str
    target_group_id: int | None
    result_id: int | None
    answers: dict[str, bool | None]
    estimated_value: Decimal | None
    recommended: str
    reasons: list[ReasonOut]
    others: list[str]
    missing: list[str]
    next_step: str
    assessed_on: datetime.date | None
    chosen: str
    departure_reason: str
    decided_at: datetime.datetime | None
    supersedes_id: int | None
    created_at: datetime.datetime


def _out(d: FormDecision) -> dict:
    a = d.assessment or {}
    return {
        "id": d.pk,
        "organisation_id": d.organisation_id,
        "title": d.title,
        "need_description": d.need_description,
        "target_group_id": d.target_group_id,
        "result_id": d.result_id,
        "answers": {k: {"ja": True, "nej": False}.get(d.answers.get(k, "")) for k in core.QUESTION_KEYS},
        "estimated_value": d.estimated_value,
        "recommended": d.recommended,
        "reasons": d.reasons,
        "others": a.get("others", []),
        "missing": a.get("missing", []),
        "next_step": a.get("next_step", ""),
        "assessed_on": a.get("on"),
        "chosen": d.chosen,
        "departure_reason": d.departure_reason,
        "decided_at": d.decided_at,
        "supersedes_id": d.supersedes_id,
        "created_at": d.created_at,
    }


def _get(actor, pk: int, ability: str) -> FormDecision:
    return access.get_or_404(actor, FormDecision.objects.all(), ability, pk=pk)


def _plan_object(actor, model, pk, field: str):
    if pk is None:
        return None
    qs = access.scope(actor, model.objects.filter(organisation=actor.organisation), "plan.view")
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise ValidationError(
            {field: _("Välj en målgrupp eller ett resultat i din organisations lägesbild.")}
        )
    return obj


@router.get(
    "",
    response={200: list[FormDecisionOut], **ERRORS},
    operation_id="sourcing_decisions_list",
    summary="Form assessments and decisions of your organisation",
)
@paginate(Pagination)
def decisions_list(request):
    actor = actor_of(request)
    access.check(actor, "formdecision.view")
    qs = access.scope(actor, FormDecision.objects.all(), "formdecision.view").order_by("-created_at", "-pk")
    return [_out(d) for d in qs]


@router.post(
    "",
    response={201: FormDecisionOut, **WRITE_ERRORS},
    operation_id="sourcing_decisions_create",
    summary="Walk the form advisor for a need: the answers in, the recommendation with its reasons out",
)
def decisions_create(request, payload: FormDecisionIn):
    actor = actor_of(request)
    access.check(actor, "formdecision.edit")
    try:
        decision = services.decision_create(
            actor=actor,
            organisation=actor.organisation,
            title=payload.title,
            need_description=payload.need_description,
            target_group=_plan_object(actor, TargetGroup, payload.target_group_id, "target_group_id"),
            result=_plan_object(actor, Result, payload.result_id, "result_id"),
            answers={**payload.answers.dict(), "estimated_value": payload.estimated_value},
        )
    except ValidationError as exc:
        raise field_errors(exc, rename={"target_group": "target_group_id", "result": "result_id"}) from None
    return Status(201, _out(decision))


@router.get(
    "/{decision_id}",
    response={200: FormDecisionOut, **ERRORS},
    operation_id="sourcing_decisions_detail",
    summary="One assessment: answers, recommendation, reasons with their rules, the decision",
)
def decisions_detail(request, decision_id: int):
    actor = actor_of(request)
    return _out(_get(actor, decision_id, "formdecision.view"))


@router.post(
    "/{decision_id}/decide",
    response={200: FormDecisionOut, **WRITE_ERRORS},
    operation_id="sourcing_decisions_decide",
    summary="Record the chosen form (a departure from the recommendation needs its reason)",
)
def decisions_decide(request, decision_id: int, payload: DecideIn):
    actor = actor_of(request)
    decision = _get(actor, decision_id, "formdecision.edit")
    try:
        decision = services.decision_decide(
            actor=actor, decision=decision, chosen=payload.chosen, departure_reason=payload.departure_reason
        )
    except ValidationError as exc:
        raise field_errors(exc) from None
    return _out(decision)
