"""API: secrecy assessments (sekretessprövning) at /api/v1/sourcing/secrecy.

List, get, create with a decision per part, decide, and the redacted copy as JSON (each secret part's
text replaced by the provision's placeholder). Thin: schemas, access.py, a service."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from insats.accounts import access
from insats.audit.reads import log_read
from insats.platform.api import ERRORS, WRITE_ERRORS, Date, Pagination, actor_of, field_errors

from . import registry, services
from .models import SecrecyAssessment
from .provisions import PROVISIONS

router = Router(tags=["Samverkan"])

GROUNDS = ", ".join(f"{p.key} ({p.citation})" for p in PROVISIONS)


class PartIn(Schema):
    key: str = Field(description="The part's key in the document, e.g. answer-17 (see the document's parts).")
    secret: bool = False
    legal_ground: str = Field("", description=f"Required when secret: {GROUNDS}.")
    motivation: str = Field("", description="Required when secret.")


class SecrecyAssessmentIn(Schema):
    kind: str = Field(description="The kind of document: " + ", ".join(registry.KINDS) + ".")
    document_id: int
    requester_name: str = Field("", max_length=200, description="As the requester gave it; may be empty.")
    requester_organisation: str = Field("", max_length=200)
    received_on: Date
    parts: list[PartIn] = Field(description="One entry per part of the document, every part.")
    decide: bool = Field(False, description="Decide at once (a decided assessment is never changed).")


class PartOut(Schema):
    key: str
    label: str
    requested: bool
    secret: bool
    legal_ground: str
    motivation: str


class SecrecyAssessmentOut(Schema):
    id: int
    organisation_id: int
    kind: str
    document_id: str
    document_title: str
    requester_name: str
    requester_organisation: str
    received_on: Date
    status: str = Field(description="draft or decided.")
    decision: str = Field(description="disclose, partial or withhold; empty while a draft.")
    decided_on: Date | None
    decided_by: str


class AssessmentDetailOut(SecrecyAssessmentOut):
    parts: list[PartOut]
    handouts: list[dict]


class CopyPartOut(Schema):
    key: str
    label: str
    text: str = Field(description="The part's text, or the placeholder naming the OSL provision.")
    masked: bool


class CopyOut(Schema):
    assessment_id: int
    document_title: str
    decision: str
    parts: list[CopyPartOut]


def _out(a: SecrecyAssessment) -> dict:
    return {
        "id": a.pk,
        "organisation_id": a.organisation_id,
        "kind": a.document_kind,
        "document_id": a.object_id,
        "document_title": a.document_title,
        "requester_name": a.requester_name,
        "requester_organisation": a.requester_organisation,
        "received_on": a.received_on,
        "status": a.status,
        "decision": a.decision,
        "decided_on": a.decided_on,
        "decided_by": a.decided_by_name,
    }


def _detail(a: SecrecyAssessment) -> dict:
    return {
        **_out(a),
        "parts": [
            {
                "key": p.key,
                "label": p.label,
                "requested": p.requested,
                "secret": p.secret,
                "legal_ground": p.legal_ground,
                "motivation": p.motivation,
            }
            for p in a.parts.all()
        ],
        "handouts": [
            {
                "id": h.pk,
                "handed_out_at": h.handed_out_at.isoformat(),
                "recipient": h.recipient,
                "format": h.format,
                "sha256": h.sha256,
            }
            for h in a.handouts.all()
        ],
    }


def _get(actor, pk: int, ability: str) -> SecrecyAssessment:
    a = SecrecyAssessment.objects.select_related("organisation").filter(pk=pk).first()
    if a is None or not access.can(actor, "secrecy.view", a):
        raise Http404
    if not access.can(actor, ability, a):
        raise PermissionDenied(ability)
    return a


_PART_FIELD = re.compile(r"^part-(?P<key>.+)-(?P<field>secret|legal_ground|motivation)$")


def _api_errors(exc: ValidationError):
    if not hasattr(exc, "error_dict"):
        return field_errors(exc)
    renamed = {}
    for name, errs in exc.message_dict.items():
        m = _PART_FIELD.match(name)
        renamed[f"parts.{m['key']}.{m['field']}" if m else name] = errs
    return field_errors(ValidationError(renamed))


@router.get(
    "",
    response={200: list[SecrecyAssessmentOut], **ERRORS},
    operation_id="sourcing_secrecy_list",
    summary="Secrecy assessments of documents your organisation holds",
)
@paginate(Pagination)
def secrecy_list(request):
    actor = actor_of(request)
    access.check(actor, "secrecy.view")
    qs = access.scope(actor, SecrecyAssessment.objects.all(), "secrecy.view").order_by("-received_on", "-pk")
    return [_out(a) for a in qs]


@router.post(
    "",
    response={201: AssessmentDetailOut, **WRITE_ERRORS},
    operation_id="sourcing_secrecy_create",
    summary="Record a secrecy assessment of a document, one decision per part (the registrar)",
)
def secrecy_create(request, payload: SecrecyAssessmentIn):
    actor = actor_of(request)
    access.check(actor, "secrecy.assess")
    kind = registry.get(payload.kind)
    if kind is None:
        raise field_errors(ValidationError({"kind": _("Okänd typ av handling.")}))
    document = access.get_or_404(actor, kind.queryset(), kind.view_ability, pk=payload.document_id)
    holder = kind.holder_id(document)
    if holder != actor.organisation_id:
        raise Http404
    access.check(actor, "secrecy.assess", SecrecyAssessment(organisation_id=holder))
    try:
        a = services.assessment_create(
            actor=actor,
            kind_key=kind.key,
            document=document,
            requester_name=payload.requester_name,
            requester_organisation=payload.requester_organisation,
            received_on=payload.received_on,
            parts=[services.PartInput(**p.dict()) for p in payload.parts],
            decide=payload.decide,
        )
    except ValidationError as exc:
        raise _api_errors(exc) from None
    return Status(201, _detail(a))


@router.get(
    "/{assessment_id}",
    response={200: AssessmentDetailOut, **ERRORS},
    operation_id="sourcing_secrecy_detail",
    summary="One assessment: its parts, decision and hand-outs",
)
def secrecy_detail(request, assessment_id: int):
    return _detail(_get(actor_of(request), assessment_id, "secrecy.view"))


@router.post(
    "/{assessment_id}/decide",
    response={200: AssessmentDetailOut, **WRITE_ERRORS},
    operation_id="sourcing_secrecy_decide",
    summary="Decide a draft assessment (it can never be changed afterwards)",
)
def secrecy_decide(request, assessment_id: int):
    actor = actor_of(request)
    a = _get(actor, assessment_id, "secrecy.assess")
    try:
        a = services.assessment_decide(actor=actor, assessment=a)
    except ValidationError as exc:
        raise _api_errors(exc) from None
    return _detail(a)


@router.get(
    "/{assessment_id}/copy",
    response={200: CopyOut, **WRITE_ERRORS},
    operation_id="sourcing_secrecy_copy",
    summary="The redacted copy as JSON: every secret part's text replaced by its OSL placeholder",
)
def secrecy_copy(request, assessment_id: int):
    actor = actor_of(request)
    a = _get(actor, assessment_id, "secrecy.view")
    if not a.is_decided:
        raise field_errors(ValidationError(_("Prövningen är inte beslutad.")))
    try:
        parts = services.redacted_parts(a)
    except ValidationError as exc:
        raise _api_errors(exc) from None
    log_read(request, a, "sourcing.secrecy.copy.exported", format="json")
    return {
        "assessment_id": a.pk,
        "document_title": a.document_title,
        "decision": a.decision,
        "parts": [{"key": p.key, "label": p.label, "text": p.text, "masked": p.masked} for p in parts],
    }
