"""API for IOP agreements (``/sourcing/iop``): thin — access decides (an agreement is seen by its
drafter and every member of every party; others get 404), the services work."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from insats.accounts import access
from insats.accounts.models import Organisation
from insats.platform.api import ERRORS, WRITE_ERRORS, Date, Pagination, actor_of, field_errors
from insats.situation.models import Result

from . import services
from .models import IopAgreement, IopChangeProposal

router = Router(tags=["Samverkan"])


class IopPartyOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    role: str = Field(description="offentlig or ideburen.")
    signed_at: datetime.datetime | None

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.organisation.name


class ContributionOut(Schema):
    id: int
    party_id: int
    kind: str = Field(description="money, staff, volunteer, premises or administration.")
    year: int
    quantity: Decimal
    unit: str
    value: Decimal | None = Field(description="Valued in SEK where possible.")
    description: str


class AgreementOut(Schema):
    id: int
    title: str
    organisation_id: int = Field(description="The public body that drafted the agreement.")
    status: str = Field(description="draft or signed.")
    version: int = Field(description="The agreed version; 0 before every party has signed.")
    term_start: datetime.date
    term_end: datetime.date


class AgreementDetailOut(AgreementOut):
    goal: str
    result_id: int | None
    decision_id: int | None
    checklist: dict[str, bool]
    checklist_reasons: dict[str, str]
    parties: list[IopPartyOut]
    contributions: list[ContributionOut]
    budget: dict[str, Any] = Field(description="Valued contributions per year (SEK) and the total.")
    follow_ups: list[dict[str, str]]
    check_ins: list[dict[str, str]]

    @staticmethod
    def resolve_parties(obj: IopAgreement):
        return list(obj.parties.select_related("organisation"))

    @staticmethod
    def resolve_contributions(obj: IopAgreement):
        return list(obj.contributions.all())

    @staticmethod
    def resolve_budget(obj: IopAgreement) -> dict:
        plan = services.budget(obj)
        return {"by_year": {str(y): str(v) for y, v in plan.by_year.items()}, "total": str(plan.total)}

    @staticmethod
    def resolve_follow_ups(obj: IopAgreement) -> list[dict]:
        return [
            {"measure": f.measure, "responsible": f.responsible, "timing": f.timing}
            for f in obj.follow_ups.all()
        ]

    @staticmethod
    def resolve_check_ins(obj: IopAgreement) -> list[dict]:
        return [
            {"date": c.date.isoformat(), "notes": c.notes, "adjustments": c.adjustments}
            for c in obj.check_ins.all()
        ]


class AgreementIn(Schema):
    title: str
    goal: str
    term_start: Date
    term_end: Date
    checklist: dict[str, bool] = Field(description="The six IOP questions (see insats.core.iop.QUESTIONS).")
    checklist_reasons: dict[str, str] = {}
    result_id: int | None = None
    decision_id: int | None = None


class PartyIn(Schema):
    organisation_id: int


class ContributionIn(Schema):
    organisation_id: int = Field(description="The contributing party's organisation.")
    kind: str
    year: int
    quantity: Decimal
    unit: str
    value: Decimal | None = None
    description: str = ""


class CheckInIn(Schema):
    date: Date
    notes: str
    adjustments: str = ""


class ChangeIn(Schema):
    description: str
    payload: dict[str, Any] = Field(
        description="goal, term_end, contributions and/or follow_ups (see the model)."
    )


class IopDecisionIn(Schema):
    decision: str = Field(description="approve or reject.")
    reason: str = ""


class ProposalOut(Schema):
    id: int
    description: str
    payload: dict[str, Any]
    status: str = Field(description="open, approved, rejected or withdrawn.")
    resulting_version_id: int | None


def _agreement(request, pk: int, ability: str = "iop.view") -> IopAgreement:
    return access.get_or_404(actor_of(request), IopAgreement.objects.all(), ability, pk=pk)


@router.get(
    "/agreements",
    response={200: list[AgreementOut], **ERRORS},
    operation_id="sourcing_iop_list",
    summary="IOP agreements your organisation drafted or is a party of",
)
@paginate(Pagination)
def agreements_list(request):
    actor = actor_of(request)
    access.check(actor, "iop.view")
    return access.scope(actor, IopAgreement.objects.all(), "iop.view").order_by("-created_at", "-pk")


@router.get(
    "/agreements/{pk}",
    response={200: AgreementDetailOut, **ERRORS},
    operation_id="sourcing_iop_detail",
    summary="One IOP agreement with parties, contributions, budget plan, follow-up and check-ins",
)
def agreements_detail(request, pk: int):
    return _agreement(request, pk)


@router.post(
    "/agreements",
    response={201: AgreementDetailOut, **WRITE_ERRORS},
    operation_id="sourcing_iop_create",
    summary="Create a draft IOP agreement; the checklist must pass",
)
def agreements_create(request, payload: AgreementIn):
    actor = actor_of(request)
    access.check(actor, "iop.create")
    org = actor.organisation
    result = (
        Result.objects.filter(pk=payload.result_id, organisation=org).first() if payload.result_id else None
    )
    if payload.result_id and result is None:
        raise field_errors(ValidationError({"result_id": _("Okänt resultat.")}))
    decision = None
    if payload.decision_id:
        from insats.sourcing.advisor.models import FormDecision

        decision = FormDecision.objects.filter(pk=payload.decision_id, organisation=org).first()
        if decision is None:
            raise field_errors(ValidationError({"decision_id": _("Okänt val av samverkansform.")}))
    try:
        agreement = services.agreement_create(
            actor=actor,
            organisation=org,
            title=payload.title,
            goal=payload.goal,
            term_start=payload.term_start,
            term_end=payload.term_end,
            answers=payload.checklist,
            reasons=payload.checklist_reasons,
            result=result,
            decision=decision,
        )
    except ValidationError as exc:
        raise field_errors(exc) from None
    return Status(201, agreement)


@router.post(
    "/agreements/{pk}/parties",
    response={201: IopPartyOut, **WRITE_ERRORS},
    operation_id="sourcing_iop_party_add",
    summary="Add an idéburen party (while drafting)",
)
def parties_add(request, pk: int, payload: PartyIn):
    agreement = _agreement(request, pk, "iop.edit")
    organisation = Organisation.objects.filter(pk=payload.organisation_id).first()
    if organisation is None:
        raise field_errors(ValidationError({"organisation_id": _("Okänd organisation.")}))
    try:
        party = services.party_add(actor=actor_of(request), agreement=agreement, organisation=organisation)
    except ValidationError as exc:
        raise field_errors(exc) from None
    return Status(201, party)


@router.post(
    "/agreements/{pk}/contributions",
    response={201: ContributionOut, **WRITE_ERRORS},
    operation_id="sourcing_iop_contribution_add",
    summary="Add a party's contribution for one year (while drafting)",
)
def contributions_add(request, pk: int, payload: ContributionIn):
    agreement = _agreement(request, pk, "iop.edit")
    party = agreement.parties.filter(organisation_id=payload.organisation_id).first()
    if party is None:
        raise field_errors(ValidationError({"organisation_id": _("Organisationen är inte part i avtalet.")}))
    data = payload.model_dump(exclude={"organisation_id"})
    try:
        row = services.contribution_add(actor=actor_of(request), agreement=agreement, party=party, **data)
    except ValidationError as exc:
        raise field_errors(exc) from None
    return Status(201, row)


@router.post(
    "/agreements/{pk}/sign",
    response={200: AgreementDetailOut, **WRITE_ERRORS},
    operation_id="sourcing_iop_sign",
    summary="Sign for your organisation's party (administrators); the last signature freezes version 1",
)
def agreements_sign(request, pk: int):
    agreement = _agreement(request, pk, "iop.sign")
    try:
        services.sign(actor=actor_of(request), agreement=agreement)
    except ValidationError as exc:
        raise field_errors(exc) from None
    agreement.refresh_from_db()
    return agreement


@router.post(
    "/agreements/{pk}/check-ins",
    response={201: dict[str, str], **WRITE_ERRORS},
    operation_id="sourcing_iop_check_in_add",
    summary="Log an avstämning (date, notes, agreed adjustments)",
)
def check_ins_add(request, pk: int, payload: CheckInIn):
    agreement = _agreement(request, pk, "iop.edit")
    try:
        row = services.check_in_add(actor=actor_of(request), agreement=agreement, **payload.model_dump())
    except ValidationError as exc:
        raise field_errors(exc) from None
    return Status(201, {"id": str(row.pk), "date": row.date.isoformat()})


@router.post(
    "/agreements/{pk}/changes",
    response={201: ProposalOut, **WRITE_ERRORS},
    operation_id="sourcing_iop_change_propose",
    summary="Propose a change of a signed agreement; it applies when every party has approved",
)
def changes_propose(request, pk: int, payload: ChangeIn):
    agreement = _agreement(request, pk, "iop.change.propose")
    try:
        proposal = services.change_propose(
            actor=actor_of(request),
            agreement=agreement,
            description=payload.description,
            payload=payload.payload,
        )
    except ValidationError as exc:
        raise field_errors(exc) from None
    return Status(201, proposal)


@router.post(
    "/agreements/{pk}/changes/{proposal_id}/decide",
    response={200: ProposalOut, **WRITE_ERRORS},
    operation_id="sourcing_iop_change_decide",
    summary="Approve or reject a proposed change for your organisation's party",
)
def changes_decide(request, pk: int, proposal_id: int, payload: IopDecisionIn):
    agreement = _agreement(request, pk, "iop.change.decide")
    proposal = IopChangeProposal.objects.filter(agreement=agreement, pk=proposal_id).first()
    if proposal is None:
        raise Http404
    party = services.party_of(actor_of(request), agreement)
    if party is None or proposal.approvals.filter(party=party).exists():
        raise PermissionDenied("iop.change.decide")
    try:
        return services.change_decide(actor=actor_of(request), proposal=proposal, **payload.model_dump())
    except ValidationError as exc:
        raise field_errors(exc) from None
