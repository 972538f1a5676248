"""API operations for outcomes contracts and their outcome metrics (C1).

Thin, like the views: the schemas parse input, :mod:`insats.accounts.access` decides (a contract is
seen by every member of every party and by nobody else: 404), a service does the work, and an
explicit output schema answers. Results, payments, the ledger and the export are in
``api_results.py``.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from insats.accounts import access
from insats.audit.reads import log_read
from insats.platform.api import ERRORS, WRITE_ERRORS, Date, Pagination, actor_of, field_errors

from . import services
from .models import Contract, ContractParty, OutcomeMetric, PeriodType

router = Router(tags=["contracts"])


# --- schemas -------------------------------------------------------------------------------------------


class PartyOut(Schema):
    id: int
    organisation_id: int
    organisation: str = Field(description="The organisation's name.")
    role: str = Field(description="commissioner, payer, provider, fund, validator or intermediary.")
    payer_share: Decimal | None = Field(description="Share of every outcome payment, per cent (payers).")
    signed_at: datetime.datetime | None

    @staticmethod
    def resolve_organisation(obj: ContractParty) -> str:
        return obj.organisation.name


class ContractOut(Schema):
    id: int
    title: str
    reference: str = Field(description="Short id used in exports.")
    status: str = Field(description="draft, negotiation, signed, active, closed or cancelled.")
    status_label: str
    owner_id: int = Field(description="The commissioner that drafted the contract.")
    term_start: datetime.date
    term_end: datetime.date
    period_type: str = Field(description="year, half, quarter or month.")
    version: int = Field(description="Version of the agreed terms; 0 before signing.")

    @staticmethod
    def resolve_status_label(obj: Contract) -> str:
        return str(obj.get_status_display())


class ContractDetailOut(ContractOut):
    summary: str
    intervention: str
    target_population: str
    policy_sector: str = Field(
        description="INDIGO's policy sector (used in the INDIGO export); '' = not chosen."
    )
    currency: str = Field(description="ISO 4217 code of every amount of the contract, e.g. SEK.")
    key_dates: list[dict[str, Any]]
    payment_terms: dict[str, Any] = Field(description="Contract-level caps and carry-forward (core JSON).")
    periods: list[str] = Field(description="Period ids of the payment schedule.")
    parties: list[PartyOut]

    @staticmethod
    def resolve_periods(obj: Contract) -> list[str]:
        return obj.period_ids()

    @staticmethod
    def resolve_parties(obj: Contract) -> list[ContractParty]:
        return list(obj.parties.select_related("organisation"))


class ContractIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    reference: str = Field(min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")
    summary: str = ""
    intervention: str = ""
    target_population: str = ""
    policy_sector: str = Field(
        "", description="INDIGO's policy sector, e.g. 'Child and family welfare'; '' = not chosen."
    )
    currency: str = Field(
        "SEK", description="ISO 4217 code of every amount (two-decimal currencies only), default SEK."
    )
    term_start: Date
    term_end: Date
    period_type: str = Field("year", description="year, half, quarter or month.")


class ContractFilters(Schema):
    status: str | None = Field(None, description="Only contracts in this status.")


class MetricOut(Schema):
    id: int
    code: str = Field(description="The metric's id in the payment engine.")
    name: str
    kind: str = Field(description="rate_card, improvement, blended, savings or condition.")
    order: int
    definition: str
    unit: str
    data_source: str
    validation_method: str
    counterfactual_description: str
    measurement_periods: list[str]
    rule: dict[str, Any] = Field(description="The metric in the payment engine's JSON form.")

    @staticmethod
    def resolve_rule(obj: OutcomeMetric) -> dict:
        return obj.core_json()


# --- operations ---------------------------------------------------------------------------------------------


def _contract(request, pk: int, ability: str = "contract.view") -> Contract:
    return access.get_or_404(actor_of(request), Contract.objects.all(), ability, pk=pk)


@router.get(
    "/contracts",
    response={200: list[ContractOut], **ERRORS},
    operation_id="contracts_list",
    summary="Outcomes contracts your organisation is a party of",
)
@paginate(Pagination)
def contracts_list(request, filters: Query[ContractFilters]):
    actor = actor_of(request)
    access.check(actor, "contract.view")
    qs = access.scope(actor, Contract.objects.all(), "contract.view").order_by("-created_at", "-pk")
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


@router.get(
    "/contracts/{pk}",
    response={200: ContractDetailOut, **ERRORS},
    operation_id="contracts_detail",
    summary="One contract with its parties",
)
def contracts_detail(request, pk: int):
    return _contract(request, pk)


@router.post(
    "/contracts",
    response={201: ContractDetailOut, **WRITE_ERRORS},
    operation_id="contracts_create",
    summary="Draft a contract (administrators and contract managers); your organisation is its commissioner",
)
def contracts_create(request, payload: ContractIn):
    actor = actor_of(request)
    access.check(actor, "contract.create")
    if payload.period_type not in PeriodType.values:
        raise field_errors(ValidationError({"period_type": _("Välj år, halvår, kvartal eller månad.")}))
    try:
        contract = services.contract_create(actor=actor, owner=actor.organisation, **payload.model_dump())
    except ValidationError as exc:
        raise field_errors(exc) from None
    return Status(201, contract)


@router.get(
    "/contracts/{pk}/metrics",
    response={200: list[MetricOut], **ERRORS},
    operation_id="contracts_metrics_list",
    summary="The contract's outcome metrics and price rules, in priority order",
)
@paginate(Pagination)
def metrics_list(request, pk: int):
    contract = _contract(request, pk)
    log_read(request, contract, "contract.metrics.read")
    return list(contract.metrics.all())


@router.get(
    "/contracts/{pk}/metrics/{metric_id}",
    response={200: MetricOut, **ERRORS},
    operation_id="contracts_metrics_detail",
    summary="One outcome metric",
)
def metrics_detail(request, pk: int, metric_id: int):
    contract = _contract(request, pk)
    metric = access.get_or_404(actor_of(request), contract.metrics.all(), "contract.view", pk=metric_id)
    log_read(request, contract, "contract.metrics.read", metric=metric.code)
    return metric
