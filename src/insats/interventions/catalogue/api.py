"""API: the intervention catalogue (mounted under /api/v1/interventions by insats.api).

Thin like the pages: schemas in, access.py, the same services (so every write makes a version and an
audit entry), schemas out. Errors are problem+json naming the field, rows dotted
(``staffing.1.profession``). ``PUT`` replaces the whole intervention, rows included.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from ninja.responses import Status

from insats.accounts import access
from insats.accounts.models import GovernanceBody, Organisation
from insats.platform.api import ERRORS, WRITE_ERRORS, Date, Pagination, actor_of, field_errors
from insats.situation.models import Area
from insats.situation.models_plans import Result, TargetGroup
from insats.situation.services_plans import factors_for, visible_indicators

from . import selectors
from . import services as svc
from .models import AgeBand, Intervention, Method

router = Router(tags=["Insatser"])

MAX_ID = 2**63 - 1  # the databases' 64-bit integer keys
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

StatusValue = Literal["planerad", "pagaende", "avslutad"]
IntensityValue = Literal["allmant", "tidig", "riktad", "behandling"]
EvidenceValue = Literal["svenska_studier", "internationellt", "lovande", "otillrackligt", "ej_bedomd"]
DomainValue = Literal["barnets_behov", "foraldrarnas_formaga", "familj_och_miljo"]


# --- schemas ---------------------------------------------------------------------------------------


class StaffingRow(Schema):
    profession: str = Field(min_length=1, max_length=120)
    people: int = Field(ge=0, le=32767)
    fte: Decimal = Field(ge=0, max_digits=6, decimal_places=2, description="Full-time equivalents.")
    employer_id: Id | None = Field(None, description="The employing organisation, if not the owner.")


class FundingRow(Schema):
    funder_id: Id | None = Field(None, description="A funder in Insats …")
    funder_name: str = Field("", max_length=200, description="… or the name of one outside it.")
    year: int = Field(ge=1900, le=2100)
    amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2, description="Kronor.")


class ReachRow(Schema):
    year: int = Field(ge=1900, le=2100)
    area_code: str | None = Field(None, description="SCB code of the municipality, e.g. 0680.")
    gender: Literal["T", "K", "M"] = "T"
    age_band_id: Id | None = None
    participants: int = Field(ge=0, le=2_147_483_647)
    source: Literal["inmatat", "uppfoljning"] = "inmatat"


class InterventionIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    status: StatusValue = "pagaende"
    start: Date | None = None
    end: Date | None = None
    provider_ids: list[Id] = []
    provider_names: str = Field("", max_length=500)
    method_id: Id | None = Field(None, description="A named method of the managed list (or your own).")
    method_name: str = Field("", max_length=200)
    intensity: IntensityValue = Field(description="Seed 003's rows: allmant, tidig, riktad, behandling.")
    age_band_ids: list[Id] = []
    area_codes: list[str] = Field([], description="SCB codes of the municipalities where it is delivered.")
    domains: list[DomainValue] = []
    factor_ids: list[Id] = []
    evidence_level: EvidenceValue = "ej_bedomd"
    evidence_sources: str = ""
    evidence_assessed_on: Date | None = None
    goals: str = ""
    outcome_measures: str = ""
    indicator_ids: list[Id] = []
    result_ids: list[Id] = []
    target_group_ids: list[Id] = []
    capacity_per_year: int | None = Field(None, ge=0, le=2_147_483_647)
    annual_budget: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    budget_year: int | None = Field(None, ge=1900, le=2100)
    governance_body_id: Id | None = None
    contact_name: str = Field("", max_length=200)
    contact_email: str = Field("", max_length=254)
    contact_phone: str = Field("", max_length=40)
    staffing: list[StaffingRow] = []
    funding: list[FundingRow] = []
    reach: list[ReachRow] = []


class InterventionSummary(Schema):
    id: int
    organisation_id: int
    organisation: str
    name: str
    status: str
    intensity: str
    evidence_level: str
    age_band_ids: list[int]
    capacity_per_year: int | None
    annual_budget: Decimal | None
    budget_year: int | None

    @staticmethod
    def resolve_organisation(obj: Intervention) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_age_band_ids(obj: Intervention) -> list[int]:
        return [b.pk for b in obj.age_bands.all()]


class FunderShareOut(Schema):
    funder: str
    amount: Decimal
    share: Decimal = Field(description="Fraction of the budget year's funding (0–1), by the core.")


class InterventionOut(InterventionIn):
    id: int
    organisation_id: int
    organisation: str
    version: int = Field(description="The number of the latest saved version.")
    funder_shares: list[FunderShareOut]
    participants_budget_year: int
    cost_per_participant: Decimal | None = Field(
        description="annual_budget / participants in budget_year (core.portfolio.per_participant)."
    )


class InterventionVersionOut(Schema):
    number: int
    changed_at: datetime.datetime
    changed_by_id: int | None
    summary: str
    data: dict = Field(description="A snapshot of every field and row at that version.")


class DeletedOut(Schema):
    id: int
    name: str
    staffing: int = Field(description="Staffing rows deleted with it.")
    funding: int = Field(description="Funding rows deleted with it.")
    reach: int = Field(description="Reach rows deleted with it.")
    versions: int = Field(description="Saved versions deleted with it.")


class ListFilters(Schema):
    q: str | None = Field(None, description="Text in the name, description or method.")
    status: StatusValue | None = None
    intensity: IntensityValue | None = None
    age_band: Id | None = Field(None, description="An age band id.")
    evidence: EvidenceValue | None = None
    provider: Id | None = Field(None, description="A provider organisation id.")
    owner: Literal["own", "shared", "federation"] | None = Field(
        None, description="own, shared with your organisation, or your förbund's portfolio."
    )


# --- helpers ---------------------------------------------------------------------------------------


def _get(actor, ability: str, pk: int) -> Intervention:
    if not 0 < pk <= MAX_ID:
        raise Http404
    obj = Intervention.objects.select_related("organisation").filter(pk=pk).first()
    if obj is None or not access.can(actor, "intervention.view", obj):
        raise Http404
    if not access.can(actor, ability, obj):
        raise PermissionDenied(ability)
    return obj


def _out(i: Intervention) -> dict:
    i = (
        Intervention.objects.select_related("organisation")
        .prefetch_related(
            "providers", "age_bands", "areas", "factors", "indicators", "results", "target_groups"
        )
        .get(pk=i.pk)
    )
    fig = svc.budget_figures(i)
    data = {name: getattr(i, name) for name in svc.FIELDS if name not in ("method", "governance_body")}
    return data | {
        "id": i.pk,
        "organisation_id": i.organisation_id,
        "organisation": i.organisation.name,
        "method_id": i.method_id,
        "governance_body_id": i.governance_body_id,
        "provider_ids": [o.pk for o in i.providers.all()],
        "age_band_ids": [b.pk for b in i.age_bands.all()],
        "area_codes": [a.code for a in i.areas.all()],
        "factor_ids": [f.pk for f in i.factors.all()],
        "indicator_ids": [x.pk for x in i.indicators.all()],
        "result_ids": [x.pk for x in i.results.all()],
        "target_group_ids": [x.pk for x in i.target_groups.all()],
        "staffing": [
            {"profession": r.profession, "people": r.people, "fte": r.fte, "employer_id": r.employer_id}
            for r in i.staffing.order_by("pk")
        ],
        "funding": [
            {"funder_id": r.funder_id, "funder_name": r.funder_name, "year": r.year, "amount": r.amount}
            for r in i.funding.order_by("pk")
        ],
        "reach": [
            {
                "year": r.year,
                "area_code": r.area.code if r.area_id else None,
                "gender": r.gender,
                "age_band_id": r.age_band_id,
                "participants": r.participants,
                "source": r.source,
            }
            for r in i.reach.select_related("area").order_by("pk")
        ],
        "version": i.versions.order_by("-number").values_list("number", flat=True).first() or 0,
        "funder_shares": [{"funder": f.label, "amount": f.amount, "share": f.share} for f in fig.funders],
        "participants_budget_year": fig.participants,
        "cost_per_participant": fig.per_participant,
    }


class _Bad(Exception):
    def __init__(self, errors: list[dict]):
        self.errors = errors


def _pick(errors: list, loc: tuple, qs, ids: list, *, key: str = "pk") -> list:
    found = {getattr(o, key): o for o in qs.filter(**{f"{key}__in": ids})}
    missing = [v for v in ids if v not in found]
    if missing:
        errors.append(
            {
                "loc": ("body", "payload", *loc),
                "msg": _("Okänd eller inte tillåten: %(ids)s") % {"ids": ", ".join(map(str, missing))},
                "type": "value_error",
            }
        )
    return [found[v] for v in ids if v in found]


def _one(errors: list, loc: tuple, qs, value, *, key: str = "pk"):
    if value is None:
        return None
    picked = _pick(errors, loc, qs, [value], key=key)
    return picked[0] if picked else None


def _resolve(payload: InterventionIn, org: Organisation) -> tuple[dict, dict, dict]:
    """(values, links, rows) for the service; unknown or foreign ids → 422 naming the field."""
    errors: list[dict] = []
    p = payload.dict()
    bands = AgeBand.objects.filter(pk__in=[b.pk for b in selectors.age_bands_for(org.pk)])
    orgs = Organisation.objects.all()
    areas = Area.objects.all()
    values = {name: p[name] for name in svc.FIELDS if name in p and name not in ("method", "governance_body")}
    values["method"] = _one(
        errors,
        ("method_id",),
        Method.objects.filter(Q(organisation__isnull=True) | Q(organisation=org)),
        p["method_id"],
    )
    values["governance_body"] = _one(
        errors,
        ("governance_body_id",),
        GovernanceBody.objects.filter(organisation=org),
        p["governance_body_id"],
    )
    links = {
        "providers": _pick(errors, ("provider_ids",), orgs, p["provider_ids"]),
        "age_bands": _pick(errors, ("age_band_ids",), bands, p["age_band_ids"]),
        "areas": _pick(errors, ("area_codes",), areas, p["area_codes"], key="code"),
        "factors": _pick(errors, ("factor_ids",), factors_for(org), p["factor_ids"]),
        "indicators": _pick(errors, ("indicator_ids",), visible_indicators(org), p["indicator_ids"]),
        "results": _pick(errors, ("result_ids",), Result.objects.filter(organisation=org), p["result_ids"]),
        "target_groups": _pick(
            errors, ("target_group_ids",), TargetGroup.objects.filter(organisation=org), p["target_group_ids"]
        ),
    }
    rows: dict[str, list[dict]] = {"staffing": [], "funding": [], "reach": []}
    for n, r in enumerate(p["staffing"]):
        employer = _one(errors, ("staffing", n, "employer_id"), orgs, r["employer_id"])
        rows["staffing"].append(
            {"profession": r["profession"], "people": r["people"], "fte": r["fte"], "employer": employer}
        )
    for n, r in enumerate(p["funding"]):
        funder = _one(errors, ("funding", n, "funder_id"), orgs, r["funder_id"])
        rows["funding"].append(
            {"funder": funder, "funder_name": r["funder_name"], "year": r["year"], "amount": r["amount"]}
        )
    for n, r in enumerate(p["reach"]):
        rows["reach"].append(
            {
                "year": r["year"],
                "area": _one(errors, ("reach", n, "area_code"), areas, r["area_code"], key="code"),
                "gender": r["gender"],
                "age_band": _one(errors, ("reach", n, "age_band_id"), bands, r["age_band_id"]),
                "participants": r["participants"],
                "source": r["source"],
            }
        )
    if errors:
        raise NinjaValidationError(errors)
    return values, links, rows


FIELD_RENAME = {"method": "method_id", "governance_body": "governance_body_id"}
ROW_RENAME = {
    "employer": "employer_id",
    "funder": "funder_id",
    "area": "area_code",
    "age_band": "age_band_id",
}


def _save(actor, intervention: Intervention, payload: InterventionIn) -> Intervention:
    values, links, rows = _resolve(payload, intervention.organisation)
    try:
        return svc.save_intervention(
            actor=actor, intervention=intervention, values=values, links=links, rows=rows
        )
    except svc.RowsInvalid as exc:
        errors = []
        for name, messages in exc.message_dict.items():
            if name == "__all__":
                continue
            for m in messages:
                errors.append(
                    {
                        "loc": ("body", "payload", FIELD_RENAME.get(name, name)),
                        "msg": m,
                        "type": "value_error",
                    }
                )
        for (kind, index), fields in exc.rows.items():
            for name, messages in fields.items():
                loc = ("body", "payload", kind, index) + (
                    () if name == "__all__" else (ROW_RENAME.get(name, name),)
                )
                errors += [{"loc": loc, "msg": m, "type": "value_error"} for m in messages]
        raise NinjaValidationError(errors) from exc
    except ValidationError as exc:
        raise field_errors(exc, rename=FIELD_RENAME) from exc


# --- operations ------------------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[InterventionSummary], **ERRORS},
    operation_id="interventions_list",
    summary="Interventions you may see (own, shared with you, your förbund's portfolio)",
)
@paginate(Pagination)
def interventions_list(request, filters: Query[ListFilters]):
    actor = actor_of(request)
    access.check(actor, "intervention.view")
    return selectors.filtered(actor, filters.dict()).prefetch_related("age_bands")


@router.get(
    "/{int:intervention_id}",
    response={200: InterventionOut, **ERRORS},
    operation_id="interventions_detail",
    summary="One intervention with staffing, funding, reach and its budget shares",
)
def interventions_detail(request, intervention_id: int):
    actor = actor_of(request)
    return _out(_get(actor, "intervention.view", intervention_id))


@router.post(
    "",
    response={201: InterventionOut, **WRITE_ERRORS},
    operation_id="interventions_create",
    summary="Create an intervention (admins, analysts); writes version 1",
)
def interventions_create(request, payload: InterventionIn):
    actor = actor_of(request)
    access.check(actor, "intervention.edit")
    if actor.organisation is None:
        raise PermissionDenied("intervention.edit")
    saved = _save(actor, Intervention(organisation=actor.organisation), payload)
    return Status(201, _out(saved))


@router.put(
    "/{int:intervention_id}",
    response={200: InterventionOut, **WRITE_ERRORS},
    operation_id="interventions_update",
    summary="Replace an intervention and its rows; writes a new version when something changed",
)
def interventions_update(request, intervention_id: int, payload: InterventionIn):
    actor = actor_of(request)
    intervention = _get(actor, "intervention.edit", intervention_id)
    return _out(_save(actor, intervention, payload))


@router.delete(
    "/{int:intervention_id}",
    response={200: DeletedOut, **ERRORS},
    operation_id="interventions_delete",
    summary="Delete an intervention with its rows and versions (the audit log keeps a snapshot)",
)
def interventions_delete(request, intervention_id: int):
    actor = actor_of(request)
    intervention = _get(actor, "intervention.edit", intervention_id)
    gone = {"id": intervention.pk, "name": intervention.name, **svc.what_goes_with(intervention)}
    svc.delete_intervention(actor=actor, intervention=intervention)
    return gone


@router.get(
    "/{int:intervention_id}/versions",
    response={200: list[InterventionVersionOut], **ERRORS},
    operation_id="interventions_versions",
    summary="The saved versions of an intervention, newest first",
)
@paginate(Pagination)
def interventions_versions(request, intervention_id: int):
    actor = actor_of(request)
    intervention = _get(actor, "intervention.view", intervention_id)
    return intervention.versions.order_by("-number")
