"""API: the portfolio figures and reviews (genomlysning), mounted at /api/v1/interventions/reviews.

Thin like the views: schemas in, access.py, a service, schemas out. Every figure comes from
:mod:`.figures` (computed by ``insats.core.portfolio``). Errors are problem+json."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from insats.accounts import access
from insats.accounts.models import Organisation, OrganisationKind
from insats.interventions.catalogue.selectors import visible_interventions
from insats.platform.api import ERRORS, WRITE_ERRORS, Date, Pagination, actor_of, field_errors

from . import figures, services
from .models import Review, ReviewPhase

router = Router(tags=["Insatser"])

WORK_PHASES_SHARED = {ReviewPhase.CURRENT.value, ReviewPhase.ASSESSMENT.value, ReviewPhase.DESIRED.value}


# --- schemas ---------------------------------------------------------------------------------------


class ReviewOut(Schema):
    id: int
    organisation_id: int
    title: str
    year: int
    period_start: Date | None
    period_end: Date | None
    owner_name: str
    reviewer_name: str
    phase: str = Field(description="A behovsanalys, B nuläge, C behov, D nyläge, E processhandledning.")
    target_age_from: int
    target_age_to: int
    needs: str
    desired_state: str


class ReviewIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=1990, le=2100)
    period_start: Date | None = None
    period_end: Date | None = None
    owner_name: str = ""
    reviewer_name: str = ""
    target_age_from: int = Field(18, ge=0, le=120)
    target_age_to: int = Field(29, ge=0, le=120)
    needs: str = ""
    desired_state: str = ""
    intervention_ids: list[int] = Field(
        default_factory=list, description="Interventions you may see; default: the portfolio you own or fund."
    )


class ItemOut(Schema):
    id: int
    intervention_id: int
    intervention_name: str
    mission: str
    staffing: str
    methods: str
    goals: str
    accessibility: str
    results: str
    notes: str


class FindingIn(Schema):
    text: str = Field(min_length=1)
    intervention_id: int | None = Field(None, description="Empty: about the interventions together.")


class FindingOut(Schema):
    id: int
    phase: str
    intervention_id: int | None
    text: str


class RecommendationIn(Schema):
    text: str = Field(min_length=1)
    finding_id: int | None = None
    owner_organisation_id: int | None = None
    owner_person: str = ""
    due_on: Date | None = None


class RecommendationOut(Schema):
    id: int
    finding_id: int | None
    text: str
    owner_organisation_id: int | None
    owner_person: str
    due_on: Date | None
    status: str
    status_on: Date | None


class DecisionOut(Schema):
    id: int
    body_id: int
    decided_on: Date
    minutes_reference: str
    text: str
    phase: str


class PhaseIn(Schema):
    phase: str = Field(description="The next or the previous phase (A–E).")
    note: str = ""


class InterventionFigure(Schema):
    intervention_id: int
    name: str
    amount: Decimal = Field(description="What the owner funds in the year (kr), else the annual budget.")
    share_of_total_budget: Decimal | None = Field(description="amount ÷ total budget, four decimals.")
    participants: int
    cost_per_participant: Decimal | None
    fte: Decimal


class MemberFigure(Schema):
    organisation_id: int
    name: str
    area_code: str
    financing_percent: Decimal = Field(description="The member's share of the förbund's financing (%).")
    financing_share: Decimal = Field(description="Its share among the member municipalities (fraction).")
    participants: int
    reach_share: Decimal = Field(description="Its share of the participants from member municipalities.")
    gap_points: Decimal = Field(description="(reach share − financing share) × 100.")
    implied_amount: Decimal = Field(
        description="(reach share − financing share) × the portfolio's amount, kr."
    )
    fte: Decimal
    population: int | None
    fte_per_thousand: Decimal | None


class FiguresOut(Schema):
    organisation_id: int
    year: int
    total_budget: Decimal | None
    portfolio_amount: Decimal
    portfolio_share: Decimal | None
    other_share: Decimal | None
    participants_total: int
    participants_unattributed: int
    interventions: list[InterventionFigure]
    members: list[MemberFigure]
    total_fte: Decimal
    total_population: int | None
    total_fte_per_thousand: Decimal | None


class ReviewDetailOut(ReviewOut):
    items: list[ItemOut]
    findings: list[FindingOut]
    recommendations: list[RecommendationOut]
    decisions: list[DecisionOut]
    figures: FiguresOut


# --- helpers ---------------------------------------------------------------------------------------


def _figures(fig: figures.PortfolioFigures) -> dict:
    return {
        "organisation_id": fig.owner.pk,
        "year": fig.year,
        "total_budget": fig.total_budget,
        "portfolio_amount": fig.portfolio_amount,
        "portfolio_share": fig.portfolio_share,
        "other_share": fig.other_share,
        "participants_total": fig.participants_total,
        "participants_unattributed": fig.participants_unattributed,
        "interventions": [
            {
                "intervention_id": r.intervention.pk,
                "name": r.intervention.name,
                "amount": r.amount,
                "share_of_total_budget": r.share,
                "participants": r.participants,
                "cost_per_participant": r.per_participant,
                "fte": r.fte,
            }
            for r in fig.rows
        ],
        "members": [
            {
                "organisation_id": m.member.pk,
                "name": m.member.name,
                "area_code": m.area.code if m.area else "",
                "financing_percent": m.financing_percent,
                "financing_share": m.financing_share,
                "participants": m.participants,
                "reach_share": m.reach_share,
                "gap_points": m.gap_points,
                "implied_amount": m.implied_amount,
                "fte": m.fte,
                "population": m.population,
                "fte_per_thousand": m.per_thousand,
            }
            for m in fig.members
        ],
        "total_fte": fig.total_fte,
        "total_population": fig.staffing.total_population if fig.staffing else None,
        "total_fte_per_thousand": fig.staffing.total_per_thousand if fig.staffing else None,
    }


def _get(actor, pk: int, ability: str) -> Review:
    review = Review.objects.select_related("organisation").filter(pk=pk).first()
    if review is None or not access.can(actor, "review.view", review):
        raise Http404
    if not access.can(actor, ability, review):
        raise PermissionDenied(ability)
    return review


def _working(actor, pk: int) -> Review:
    review = _get(actor, pk, "review.edit")
    if actor.organisation_id != review.organisation_id and review.phase not in WORK_PHASES_SHARED:
        raise PermissionDenied("review.edit")
    return review


def _detail(review: Review) -> dict:
    data = ReviewOut.from_orm(review).dict()
    data["items"] = [
        {
            "id": i.pk,
            "intervention_id": i.intervention_id,
            "intervention_name": i.intervention.name,
            **{
                f: getattr(i, f)
                for f in ("mission", "staffing", "methods", "goals", "accessibility", "results", "notes")
            },
        }
        for i in review.items.select_related("intervention")
    ]
    data["findings"] = list(review.findings.all())
    data["recommendations"] = list(review.recommendations.all())
    data["decisions"] = list(review.decisions.all())
    data["figures"] = _figures(figures.review_figures(review))
    return data


# --- operations ------------------------------------------------------------------------------------


@router.get(
    "/portfolio/{organisation_id}",
    response={200: FiguresOut, **ERRORS},
    operation_id="interventions_portfolio_figures",
    summary="A samordningsförbund's portfolio: budget shares and reach against financing per member",
)
def portfolio_figures(request, organisation_id: int, year: int | None = Query(None, ge=1990, le=2100)):
    actor = actor_of(request)
    access.check(actor, "intervention.view")
    org = Organisation.objects.filter(pk=organisation_id, kind=OrganisationKind.SAMORDNINGSFORBUND).first()
    if org is None or not access.can(actor, "intervention.view", org):
        raise Http404
    if year is None:
        latest = org.portfolio_budgets.order_by("-year").first()
        import datetime

        year = latest.year if latest else datetime.date.today().year
    interventions = visible_interventions(actor).filter(pk__in=figures.portfolio_interventions(org, year))
    return _figures(figures.compute(org, year, interventions))


@router.get(
    "",
    response={200: list[ReviewOut], **ERRORS},
    operation_id="interventions_reviews_list",
    summary="Reviews (genomlysningar) you may see",
)
@paginate(Pagination)
def reviews_list(request):
    actor = actor_of(request)
    access.check(actor, "review.view")
    return access.scope(actor, Review.objects.all(), "review.view").order_by("-year", "title", "pk")


@router.post(
    "",
    response={201: ReviewOut, **WRITE_ERRORS},
    operation_id="interventions_reviews_create",
    summary="Start a review of a portfolio (admins, analysts)",
)
def reviews_create(request, payload: ReviewIn):
    actor = actor_of(request)
    access.check(actor, "review.create")
    values = payload.dict()
    ids = values.pop("intervention_ids") or list(
        visible_interventions(actor)
        .filter(pk__in=figures.portfolio_interventions(actor.organisation, values["year"]))
        .values_list("pk", flat=True)
    )
    try:
        review = services.review_create(
            actor=actor, organisation=actor.organisation, values=values, interventions=ids
        )
    except ValidationError as exc:
        raise field_errors(exc, rename={"interventions": "intervention_ids"}) from None
    return Status(201, review)


@router.get(
    "/{review_id}",
    response={200: ReviewDetailOut, **ERRORS},
    operation_id="interventions_reviews_detail",
    summary="One review: its interventions, findings, recommendations, decisions and figures",
)
def reviews_detail(request, review_id: int):
    actor = actor_of(request)
    return _detail(_get(actor, review_id, "review.view"))


@router.post(
    "/{review_id}/phase",
    response={200: ReviewOut, **WRITE_ERRORS},
    operation_id="interventions_reviews_phase",
    summary="Move the review one phase forward or back (audited)",
)
def reviews_phase(request, review_id: int, payload: PhaseIn):
    actor = actor_of(request)
    review = _working(actor, review_id)
    if actor.organisation_id != review.organisation_id and payload.phase not in WORK_PHASES_SHARED:
        raise PermissionDenied("review.edit")
    try:
        services.phase_move(actor=actor, review=review, to_phase=payload.phase, note=payload.note)
    except ValidationError as exc:
        raise field_errors(exc) from None
    review.refresh_from_db()
    return review


@router.post(
    "/{review_id}/findings",
    response={201: FindingOut, **WRITE_ERRORS},
    operation_id="interventions_reviews_finding_add",
    summary="Add a finding (about one intervention or all of them)",
)
def reviews_finding_add(request, review_id: int, payload: FindingIn):
    actor = actor_of(request)
    review = _working(actor, review_id)
    try:
        finding = services.finding_add(
            actor=actor, review=review, text=payload.text, intervention=payload.intervention_id
        )
    except ValidationError as exc:
        raise field_errors(exc, rename={"intervention": "intervention_id"}) from None
    return Status(201, finding)


@router.post(
    "/{review_id}/recommendations",
    response={201: RecommendationOut, **WRITE_ERRORS},
    operation_id="interventions_reviews_recommendation_add",
    summary="Add a recommendation or development action with an owner and a due date",
)
def reviews_recommendation_add(request, review_id: int, payload: RecommendationIn):
    actor = actor_of(request)
    review = _working(actor, review_id)
    values = payload.dict()
    finding_id = values.pop("finding_id")
    finding = None
    if finding_id is not None:
        finding = review.findings.filter(pk=finding_id).first()
        if finding is None:
            raise field_errors(ValidationError({"finding_id": "okänd iakttagelse"}))
    values["finding"] = finding
    values["owner_organisation"] = values.pop("owner_organisation_id")
    try:
        rec = services.recommendation_add(actor=actor, review=review, values=values)
    except ValidationError as exc:
        raise field_errors(
            exc, rename={"owner_organisation": "owner_organisation_id", "finding": "finding_id"}
        ) from None
    return Status(201, rec)
