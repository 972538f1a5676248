"""API: market dialogues (RFI), mounted at /api/v1/sourcing/rfis.

Thin like the views: schemas in, access.py, a service, schemas out. The buyer sees every submitted
(and withdrawn) response to its RFI, never a respondent's draft; a respondent sees only its own."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from insats.accounts import access
from insats.platform.api import ERRORS, WRITE_ERRORS, Pagination, actor_of, field_errors
from insats.situation.models_plans import Result, TargetGroup

from . import selectors, services
from .models import QuestionKind, Rfi, RfiQuestion, RfiResponse

router = Router(tags=["Samverkan"])


# --- schemas ---------------------------------------------------------------------------------------


class FigureOut(Schema):
    indicator_code: str
    title: str
    area: str
    period: int
    value_text: str = Field(description="The current value in the lägesbild, formatted, or '–'.")
    unit: str
    source: str


class RfiOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str
    title: str
    background: str
    purpose: str
    challenge: str
    target_group_id: int | None
    result_ids: list[int]
    compensation: str
    secrecy_info: str
    deadline: datetime.datetime | None
    contact_name: str
    contact_email: str
    is_public: bool
    status: str = Field(description="draft, published, closed or cancelled.")
    published_at: datetime.datetime | None
    figures: list[FigureOut]


class RfiIn(Schema):
    title: str = Field(min_length=1, max_length=300)
    background: str = ""
    purpose: str = ""
    challenge: str = ""
    target_group_id: int | None = None
    result_ids: list[int] = Field(default_factory=list)
    compensation: str = ""
    secrecy_info: str = Field("", description="Empty: the default text about OSL 31:16 and 19:3.")
    deadline: datetime.datetime | None = None
    contact_name: str = ""
    contact_email: str = ""
    is_public: bool = False


class QuestionOut(Schema):
    id: int
    order: int
    text: str
    help_text: str
    kind: str = Field(description="text, choice, scale or yesno.")
    choices: list[str]
    scale_min: int | None
    scale_max: int | None
    follow_up: str
    required: bool
    key: str


class QuestionIn(Schema):
    text: str = Field(min_length=1)
    help_text: str = ""
    kind: QuestionKind = QuestionKind.TEXT
    choices: list[str] = Field(default_factory=list)
    scale_min: int | None = None
    scale_max: int | None = None
    follow_up: str = ""
    required: bool = False
    key: str = ""


class AnswerIO(Schema):
    question_id: int
    text: str = ""
    choice: str = ""
    scale_value: int | None = None
    yes: bool | None = None
    follow_up_text: str = ""
    secrecy_requested: bool = False
    secrecy_reason: str = ""


class ResponseOut(Schema):
    id: int
    rfi_id: int
    organisation_id: int
    organisation_name: str
    status: str = Field(description="draft (only its writer sees it), submitted or withdrawn.")
    competences: str
    resources: str
    submitted_at: datetime.datetime | None
    receipt_sha256: str
    answers: list[AnswerIO] = Field(description="Empty for the buyer when the response is withdrawn.")


class ResponseIn(Schema):
    competences: str = ""
    resources: str = ""
    answers: list[AnswerIO] = Field(default_factory=list)


# --- helpers ---------------------------------------------------------------------------------------


def _rfi_out(rfi: Rfi) -> dict:
    return {
        **{
            f: getattr(rfi, f)
            for f in (
                "id",
                "organisation_id",
                "title",
                "background",
                "purpose",
                "challenge",
                "target_group_id",
                "compensation",
                "secrecy_info",
                "deadline",
                "contact_name",
                "contact_email",
                "is_public",
                "status",
                "published_at",
            )
        },
        "organisation_name": rfi.organisation.name,
        "result_ids": sorted(rfi.results.values_list("pk", flat=True)),
        "figures": [
            {
                "indicator_code": r.figure.indicator.code,
                "title": r.title,
                "area": r.area_name,
                "period": r.period,
                "value_text": r.value_text,
                "unit": r.unit,
                "source": r.source_line,
            }
            for r in selectors.figure_rows(rfi)
        ],
    }


def _response_out(actor, response: RfiResponse) -> dict:
    readable = selectors.may_read_content(actor, response)
    answers = []
    if readable:
        answers = [
            {"question_id": a.question_id, **{f: getattr(a, f) for f in services.ANSWER_FIELDS}}
            for a in response.answers.all()
        ]
    return {
        "id": response.pk,
        "rfi_id": response.rfi_id,
        "organisation_id": response.organisation_id,
        "organisation_name": response.organisation.name,
        "status": response.status,
        "competences": response.competences if readable else "",
        "resources": response.resources if readable else "",
        "submitted_at": response.submitted_at,
        "receipt_sha256": response.receipt_sha256,
        "answers": answers,
    }


def _get(actor, pk: int, ability: str) -> Rfi:
    rfi = Rfi.objects.select_related("organisation").filter(pk=pk).first()
    if rfi is None or not access.can(actor, "rfi.view", rfi):
        raise Http404
    if not access.can(actor, ability, rfi):
        raise PermissionDenied(ability)
    return rfi


def _respondable(actor, pk: int) -> Rfi:
    rfi = _get(actor, pk, "rfi.respond")
    if rfi.organisation_id == actor.organisation_id:
        raise PermissionDenied("rfi.respond")
    return rfi


def _response(actor, pk: int, ability: str) -> RfiResponse:
    response = RfiResponse.objects.select_related("rfi", "organisation").filter(pk=pk).first()
    if response is None or not selectors.may_read_response(actor, response):
        raise Http404
    if not access.can(actor, ability, response):
        raise PermissionDenied(ability)
    return response


def _answers(rfi: Rfi, payload: ResponseIn) -> dict[int, dict]:
    ids = set(rfi.questions.values_list("pk", flat=True))
    out = {}
    for i, a in enumerate(payload.answers):
        if a.question_id not in ids:
            raise field_errors(
                ValidationError({f"answers[{i}].question_id": "Frågan hör inte till dialogen."})
            ) from None
        data = a.dict()
        out[data.pop("question_id")] = data
    return out


def _own_plans(actor, model, ids):
    qs = access.scope(actor, model.objects.filter(pk__in=ids), "plan.view").filter(
        organisation_id=actor.organisation_id
    )
    return list(qs)


def _values(actor, payload: RfiIn) -> tuple[dict, list]:
    values = payload.dict()
    tg_id = values.pop("target_group_id")
    result_ids = values.pop("result_ids")
    values["target_group"] = None
    if tg_id is not None:
        found = _own_plans(actor, TargetGroup, [tg_id])
        if not found:
            raise field_errors(ValidationError({"target_group_id": "Okänd målgrupp."})) from None
        values["target_group"] = found[0]
    results = _own_plans(actor, Result, result_ids)
    if len(results) != len(set(result_ids)):
        raise field_errors(ValidationError({"result_ids": "Okänt resultat."})) from None
    return values, results


# --- RFIs ------------------------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[RfiOut], **ERRORS},
    operation_id="sourcing_rfis_list",
    summary="RFIs you may see: your own, those sent to you, and open ones",
)
@paginate(Pagination)
def rfis_list(request):
    actor = actor_of(request)
    access.check(actor, "rfi.view")
    rfis = access.scope(actor, Rfi.objects.select_related("organisation"), "rfi.view").order_by(
        "-created_at", "pk"
    )
    return [_rfi_out(r) for r in rfis]


@router.post(
    "",
    response={201: RfiOut, **WRITE_ERRORS},
    operation_id="sourcing_rfis_create",
    summary="Draft an RFI (administrators, procurement, analysts)",
)
def rfis_create(request, payload: RfiIn):
    actor = actor_of(request)
    access.check(actor, "rfi.edit")
    values, results = _values(actor, payload)
    try:
        rfi = services.rfi_create(
            actor=actor, organisation=actor.organisation, values=values, results=results
        )
    except ValidationError as exc:
        raise field_errors(exc, rename={"target_group": "target_group_id"}) from None
    return Status(201, _rfi_out(rfi))


@router.get(
    "/{rfi_id}",
    response={200: RfiOut, **ERRORS},
    operation_id="sourcing_rfis_detail",
    summary="One RFI with its figures from the lägesbild (current values)",
)
def rfis_detail(request, rfi_id: int):
    actor = actor_of(request)
    return _rfi_out(_get(actor, rfi_id, "rfi.view"))


@router.post(
    "/{rfi_id}/publish",
    response={200: RfiOut, **WRITE_ERRORS},
    operation_id="sourcing_rfis_publish",
    summary="Publish a draft RFI (a title, at least one question, a deadline in the future)",
)
def rfis_publish(request, rfi_id: int):
    actor = actor_of(request)
    rfi = _get(actor, rfi_id, "rfi.edit")
    try:
        rfi = services.rfi_publish(actor=actor, rfi=rfi)
    except ValidationError as exc:
        raise field_errors(exc) from None
    return _rfi_out(rfi)


@router.get(
    "/{rfi_id}/questions",
    response={200: list[QuestionOut], **ERRORS},
    operation_id="sourcing_rfis_questions",
    summary="An RFI's questions, in order",
)
def rfis_questions(request, rfi_id: int):
    actor = actor_of(request)
    return list(_get(actor, rfi_id, "rfi.view").questions.all())


@router.post(
    "/{rfi_id}/questions",
    response={201: QuestionOut, **WRITE_ERRORS},
    operation_id="sourcing_rfis_question_add",
    summary="Add a question to a draft RFI",
)
def rfis_question_add(request, rfi_id: int, payload: QuestionIn):
    actor = actor_of(request)
    rfi = _get(actor, rfi_id, "rfi.edit")
    try:
        q: RfiQuestion = services.question_add(actor=actor, rfi=rfi, values=payload.dict())
    except ValidationError as exc:
        raise field_errors(exc) from None
    return Status(201, q)


# --- responses -------------------------------------------------------------------------------------


@router.get(
    "/{rfi_id}/responses",
    response={200: list[ResponseOut], **ERRORS},
    operation_id="sourcing_rfis_responses",
    summary="Responses: the buyer sees the submitted and withdrawn ones, a respondent only its own",
)
def rfis_responses(request, rfi_id: int):
    actor = actor_of(request)
    access.check(actor, "rfi.response.view")
    rfi = _get(actor, rfi_id, "rfi.view")
    return [_response_out(actor, r) for r in selectors.responses_for(actor, rfi).prefetch_related("answers")]


@router.put(
    "/{rfi_id}/responses/own",
    response={200: ResponseOut, **WRITE_ERRORS},
    operation_id="sourcing_rfis_response_save",
    summary="Create or change your organisation's response (a draft until submitted)",
)
def rfis_response_save(request, rfi_id: int, payload: ResponseIn):
    actor = actor_of(request)
    rfi = _respondable(actor, rfi_id)
    existing = services.response_for(rfi=rfi, organisation=actor.organisation)
    if existing is not None and not access.can(actor, "rfi.response.edit", existing):
        raise PermissionDenied("rfi.response.edit")
    answers = _answers(rfi, payload)
    try:
        response = services.response_save(
            actor=actor,
            rfi=rfi,
            organisation=actor.organisation,
            values={"competences": payload.competences, "resources": payload.resources},
            answers=answers,
        )
    except ValidationError as exc:
        raise field_errors(exc) from None
    return _response_out(actor, response)


@router.get(
    "/responses/{response_id}",
    response={200: ResponseOut, **ERRORS},
    operation_id="sourcing_rfis_response_detail",
    summary="One response: its writer, or the buyer once it is submitted",
)
def rfis_response_detail(request, response_id: int):
    actor = actor_of(request)
    return _response_out(actor, _response(actor, response_id, "rfi.response.view"))


@router.post(
    "/responses/{response_id}/submit",
    response={200: ResponseOut, **WRITE_ERRORS},
    operation_id="sourcing_rfis_response_submit",
    summary="Submit your response before the deadline; the receipt is its SHA-256",
)
def rfis_response_submit(request, response_id: int):
    actor = actor_of(request)
    response = _response(actor, response_id, "rfi.response.edit")
    try:
        response = services.response_submit(actor=actor, response=response)
    except ValidationError as exc:
        raise field_errors(exc) from None
    return _response_out(actor, response)
