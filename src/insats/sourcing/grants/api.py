"""API: grant rounds (föreningsbidrag), mounted at /api/v1/sourcing/grants.

Thin like the views: schemas in, access.py, a service, schemas out. An applicant sees its own
applications; the grantor sees what was sent to it, its assessments and decisions. Problem+json errors.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from insats.accounts import access
from insats.platform.api import ERRORS, WRITE_ERRORS, Date, Pagination, actor_of, field_errors

from . import selectors, services
from .models import ApplicationStatus, GrantApplication, GrantAssessment, GrantRound

router = Router(tags=["Samverkan"])


# --- schemas ---------------------------------------------------------------------------------------


class CriterionIO(Schema):
    name: str = Field(min_length=1, max_length=100)
    question: str = ""
    weight: Decimal | None = Field(None, gt=0, description="Empty: weight 1.")
    scale_min: int = 1
    scale_max: int = 5


class CriterionOut(CriterionIO):
    id: int


class RoundIn(Schema):
    title: str = Field(min_length=1, max_length=300)
    purpose: str = ""
    priorities: list[str] | None = Field(None, description="Default: seed 002's two priorities.")
    budget: Decimal = Field(ge=0)
    opens_at: datetime.datetime | None = None
    closes_at: datetime.datetime = Field(description="The deadline (server time decides).")
    decision_date: Date | None = None
    report_due: Date | None = None
    required_attachments: list[str] = Field(default_factory=list)
    is_public: bool = False
    contact_email: str = ""
    criteria: list[CriterionIO] | None = Field(
        None, description="Default: Effekt, Värde, Komplement, Samverkan, Ekonomi (scale 1–5, weight 1)."
    )


class RoundOut(Schema):
    id: int
    organisation_id: int
    title: str
    purpose: str
    priorities: list[str]
    budget: Decimal
    opens_at: datetime.datetime | None
    closes_at: datetime.datetime
    decision_date: Date | None
    report_due: Date | None
    required_attachments: list[str]
    status: str
    is_public: bool
    form_decision_id: int | None
    rfi_id: int | None


class RoundDetailOut(RoundOut):
    criteria: list[CriterionOut]


class BudgetLineIO(Schema):
    item: str = Field(min_length=1, max_length=200)
    cost: Decimal = Field(ge=0)
    other_financing: Decimal = Field(Decimal(0), ge=0)
    financier: str = ""


class ApplicationIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    activities: str = ""
    target_group: str = ""
    expected_reach: int | None = Field(None, ge=0)
    partners: str = ""
    budget_lines: list[BudgetLineIO] = Field(default_factory=list)


class ApplicationOut(Schema):
    id: int
    round_id: int
    organisation_id: int
    title: str
    activities: str
    target_group: str
    expected_reach: int | None
    partners: str
    status: str
    submitted_at: datetime.datetime | None
    budget_lines: list[BudgetLineIO]
    total_cost: Decimal
    other_financing: Decimal
    requested: Decimal = Field(description="Σ cost − Σ other financing (insats.core.grants).")
    decision: str
    amount_granted: Decimal | None
    conditions: str
    rejection_reason: str
    decided_at: datetime.datetime | None
    report_due: Date | None
    report_overdue: bool
    report_submitted_at: datetime.datetime | None


class ScoreIn(Schema):
    criterion_id: int
    score: Decimal
    motivation: str = Field(description="Required.")


class GrantAssessmentIn(Schema):
    scores: list[ScoreIn] = Field(min_length=1)


class GrantAssessmentOut(Schema):
    id: int
    application_id: int
    criterion_id: int
    assessor_id: int
    score: Decimal
    motivation: str


class RankOut(Schema):
    application_id: int
    organisation_id: int
    title: str
    requested: Decimal
    assessors: int
    points: Decimal | None = Field(
        description="Weighted, normalised mean of the assessors (insats.core.scoring)."
    )
    max_points: Decimal | None
    rank: int | None
    proposed_amount: Decimal | None
    decision: str
    amount_granted: Decimal | None


class RankingOut(Schema):
    budget: Decimal
    proposed_total: Decimal
    remaining: Decimal
    applications: list[RankOut]


class ProposalItem(Schema):
    application_id: int
    amount: Decimal | None = Field(None, ge=0)


class ProposalIn(Schema):
    amounts: list[ProposalItem]


class ConfirmIn(Schema):
    confirm: bool = Field(True, description="Must be true: the step cannot be undone.")


def _confirmed(payload: ConfirmIn) -> None:
    if not payload.confirm:
        raise field_errors(ValidationError({"confirm": _("Bekräfta steget.")}))


class GrantDecisionIn(Schema):
    decision: str = Field(description="granted or rejected.")
    amount: Decimal | None = Field(None, description="Granted amount (kr), for granted.")
    conditions: str = ""
    reason: str = Field("", description="Required when rejected.")


# --- helpers ---------------------------------------------------------------------------------------


def _round(actor, pk: int, ability: str) -> GrantRound:
    rnd = GrantRound.objects.select_related("organisation").filter(pk=pk).first()
    if rnd is None or not access.can(actor, "grant.view", rnd):
        raise Http404
    access.check(actor, ability, rnd)
    return rnd


def _application(actor, pk: int, ability: str) -> GrantApplication:
    app = GrantApplication.objects.select_related("round", "organisation").filter(pk=pk).first()
    if app is None or not access.can(actor, "grant.application.view", app):
        raise Http404
    access.check(actor, ability, app if ability.startswith("grant.application.") else app.round)
    return app


def _round_out(rnd: GrantRound, detail: bool = False) -> dict:
    data = RoundOut.from_orm(rnd).dict()
    if detail:
        data["criteria"] = list(rnd.criteria.all())
    return data


def _app_out(app: GrantApplication) -> dict:
    t = services.totals(app)
    return {
        **{
            f: getattr(app, f)
            for f in ApplicationOut.model_fields
            if hasattr(app, f) and f not in ("budget_lines",)
        },
        "round_id": app.round_id,
        "organisation_id": app.organisation_id,
        "budget_lines": list(app.budget_lines.all()),
        "total_cost": t.cost,
        "other_financing": t.other_financing,
        "requested": t.requested,
        "report_due": app.round.report_due,
        "report_overdue": app.report_overdue,
    }


# --- applications ----------------------------------------------------------------------------------


@router.get(
    "/applications",
    response={200: list[ApplicationOut], **ERRORS},
    operation_id="sourcing_grants_applications_list",
    summary="Applications you may read: your organisation's own and those sent to it",
)
@paginate(Pagination)
def applications_list(request):
    actor = actor_of(request)
    access.check(actor, "grant.application.view")
    qs = selectors.visible_applications(actor).exclude(
        status=ApplicationStatus.DRAFT, round__organisation_id=actor.organisation_id
    )
    return [_app_out(a) for a in qs.order_by("round_id", "organisation__name", "pk")]


@router.get(
    "/applications/{application_id}",
    response={200: ApplicationOut, **ERRORS},
    operation_id="sourcing_grants_applications_detail",
    summary="One application (the applicant's own, or received by the grantor)",
)
def applications_detail(request, application_id: int):
    return _app_out(_application(actor_of(request), application_id, "grant.application.view"))


@router.post(
    "/applications/{application_id}/submit",
    response={200: ApplicationOut, **WRITE_ERRORS},
    operation_id="sourcing_grants_applications_submit",
    summary="Submit one's own application before the deadline (receipt by e-mail)",
)
def applications_submit(request, application_id: int, payload: ConfirmIn):
    actor = actor_of(request)
    app = _application(actor, application_id, "grant.application.edit")
    _confirmed(payload)
    try:
        app = services.application_submit(actor=actor, application=app)
    except ValidationError as exc:
        raise field_errors(exc) from None
    return _app_out(app)


@router.get(
    "/applications/{application_id}/assessments",
    response={200: list[GrantAssessmentOut], **ERRORS},
    operation_id="sourcing_grants_assessments_list",
    summary="Every assessor's scores and motivations (the grantor only)",
)
def assessments_list(request, application_id: int):
    actor = actor_of(request)
    app = _application(actor, application_id, "grant.assess")
    return list(GrantAssessment.objects.filter(application=app))


@router.post(
    "/applications/{application_id}/assessments",
    response={200: list[GrantAssessmentOut], **WRITE_ERRORS},
    operation_id="sourcing_grants_assessments_save",
    summary="Save your own scores with motivations (all or nothing)",
)
def assessments_save(request, application_id: int, payload: GrantAssessmentIn):
    actor = actor_of(request)
    app = _application(actor, application_id, "grant.assess")
    try:
        saved = services.assessment_save(
            actor=actor,
            application=app,
            scores={s.criterion_id: (s.score, s.motivation) for s in payload.scores},
        )
    except ValidationError as exc:
        raise field_errors(exc) from None
    return saved


@router.post(
    "/applications/{application_id}/decision",
    response={200: ApplicationOut, **WRITE_ERRORS},
    operation_id="sourcing_grants_decision",
    summary="Record the nämnd's decision on one application and send the letter",
)
def decision_record(request, application_id: int, payload: GrantDecisionIn):
    actor = actor_of(request)
    app = _application(actor, application_id, "grant.decide")
    try:
        app = services.decision_record(
            actor=actor,
            application=app,
            decision=payload.decision,
            amount=payload.amount,
            conditions=payload.conditions,
            reason=payload.reason,
        )
    except ValidationError as exc:
        raise field_errors(exc) from None
    return _app_out(app)


# --- rounds ----------------------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[RoundOut], **ERRORS},
    operation_id="sourcing_grants_rounds_list",
    summary="Grant rounds you may see: your own, those you are invited to and open ones",
)
@paginate(Pagination)
def rounds_list(request):
    actor = actor_of(request)
    access.check(actor, "grant.view")
    return selectors.visible_rounds(actor).order_by("-created_at", "pk")


@router.post(
    "",
    response={201: RoundDetailOut, **WRITE_ERRORS},
    operation_id="sourcing_grants_rounds_create",
    summary="Set up a draft round (seed 002's five criteria unless others are given)",
)
def rounds_create(request, payload: RoundIn):
    actor = actor_of(request)
    access.check(actor, "grant.manage")
    values = payload.dict()
    criteria = values.pop("criteria")
    if values["priorities"] is None:
        values.pop("priorities")
    try:
        rnd = services.round_create(
            actor=actor, organisation=actor.organisation, values=values, criteria=criteria
        )
    except ValidationError as exc:
        raise field_errors(exc) from None
    return Status(201, _round_out(rnd, detail=True))


@router.get(
    "/{round_id}",
    response={200: RoundDetailOut, **ERRORS},
    operation_id="sourcing_grants_rounds_detail",
    summary="One round with its criteria",
)
def rounds_detail(request, round_id: int):
    return _round_out(_round(actor_of(request), round_id, "grant.view"), detail=True)


@router.post(
    "/{round_id}/publish",
    response={200: RoundDetailOut, **WRITE_ERRORS},
    operation_id="sourcing_grants_rounds_publish",
    summary="Publish a draft round (open for applications until the deadline)",
)
def rounds_publish(request, round_id: int, payload: ConfirmIn):
    actor = actor_of(request)
    rnd = _round(actor, round_id, "grant.manage")
    _confirmed(payload)
    try:
        rnd = services.round_publish(actor=actor, rnd=rnd)
    except ValidationError as exc:
        raise field_errors(exc) from None
    return _round_out(rnd, detail=True)


@router.get(
    "/{round_id}/applications",
    response={200: list[ApplicationOut], **ERRORS},
    operation_id="sourcing_grants_round_applications",
    summary="The round's applications: all received (the grantor) or your own (an applicant)",
)
def round_applications(request, round_id: int):
    actor = actor_of(request)
    rnd = _round(actor, round_id, "grant.view")
    access.check(actor, "grant.application.view")
    if actor.organisation_id == rnd.organisation_id:
        qs = selectors.received(actor, rnd)
    else:
        qs = selectors.visible_applications(actor).filter(round=rnd, organisation_id=actor.organisation_id)
    return [_app_out(a) for a in qs]


@router.post(
    "/{round_id}/applications",
    response={200: ApplicationOut, **WRITE_ERRORS},
    operation_id="sourcing_grants_apply",
    summary="Create or change your organisation's draft application and its budget",
)
def apply(request, round_id: int, payload: ApplicationIn):
    actor = actor_of(request)
    rnd = _round(actor, round_id, "grant.apply")
    if rnd.organisation_id == actor.organisation_id:
        raise PermissionDenied("grant.apply")
    existing = GrantApplication.objects.filter(round=rnd, organisation_id=actor.organisation_id).first()
    if existing is not None:
        access.check(actor, "grant.application.edit", existing)
    values = payload.dict()
    lines = values.pop("budget_lines")
    try:
        app = services.application_save(
            actor=actor,
            rnd=rnd,
            organisation=actor.organisation,
            values=values,
            lines=lines,
            application=existing,
        )
    except ValidationError as exc:
        raise field_errors(exc) from None
    return _app_out(app)


@router.get(
    "/{round_id}/ranking",
    response={200: RankingOut, **ERRORS},
    operation_id="sourcing_grants_ranking",
    summary="The applications ranked by the combined scores, with the proposed amounts and the budget left",
)
def ranking(request, round_id: int):
    actor = actor_of(request)
    rnd = _round(actor, round_id, "grant.assess")
    state = services.budget_state(rnd)
    return {
        "budget": state.budget,
        "proposed_total": state.total,
        "remaining": state.remaining,
        "applications": [
            {
                "application_id": r.application.pk,
                "organisation_id": r.application.organisation_id,
                "title": r.application.title,
                "requested": r.requested,
                "assessors": r.assessors,
                "points": r.points,
                "max_points": r.max_points,
                "rank": r.rank,
                "proposed_amount": r.application.proposed_amount,
                "decision": r.application.decision,
                "amount_granted": r.application.amount_granted,
            }
            for r in services.ranking(rnd)
        ],
    }


@router.post(
    "/{round_id}/proposal",
    response={200: RankingOut, **WRITE_ERRORS},
    operation_id="sourcing_grants_proposal",
    summary="Set the proposed amounts for the nämnd (the total may not exceed the budget)",
)
def proposal(request, round_id: int, payload: ProposalIn):
    actor = actor_of(request)
    rnd = _round(actor, round_id, "grant.manage")
    try:
        services.proposal_set(
            actor=actor, rnd=rnd, amounts={i.application_id: i.amount for i in payload.amounts}
        )
    except ValidationError as exc:
        raise field_errors(exc) from None
    return ranking(request, round_id)
