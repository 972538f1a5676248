"""API operations for results, payments, the fund's ledger and the INDIGO export
(``/api/v1/contracts/{id}/…``). The same services as the pages; the same access rules.

* ``GET  /contracts/{id}/results`` — reported results (every party);
* ``POST /contracts/{id}/results`` — report (and submit) a figure: the provider or the validator;
* ``POST /contracts/{id}/results/{rid}/approve`` and ``…/return`` — the validator's evaluators;
  approval recomputes the payments and the ledger with the core;
* ``GET  /contracts/{id}/payments`` — payment lines per period and payer (amounts as strings with
  two decimals, exactly the core's);
* ``POST /contracts/{id}/payments/{lid}/mark`` — invoiced or paid;
* ``GET  /contracts/{id}/ledger`` — the fund's ledger and its totals (IRR, multiple);
* ``GET  /contracts/{id}/export/indigo`` — the INDIGO 4.x package: project (or pipeline) record and
  organisation records, only what the reader may see (``?variant=public``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from insats.accounts import access
from insats.audit.reads import export_failures, log_read
from insats.platform.api import ERRORS, WRITE_ERRORS, ErrorOut, Pagination, actor_of, field_errors

from . import exports_indigo as indigo
from . import services_payments as sp
from . import services_results as sr
from .models import Contract, PaymentLine, ResultReport

router = Router(tags=["contracts: results and payments"])


class ResultOut(Schema):
    id: int
    metric: str = Field(description="Metric code.")
    period: str
    cohort: str | None = Field(description="Cohort code; null = the whole target group.")
    value: str | None = Field(description="Measured value (decimal string).")
    counterfactual_value: str | None = Field(description="Comparison-group value, where reported.")
    denominator: str | None = Field(
        None, description="Ratio and rate metrics: the denominator, where reported."
    )
    status: str = Field(description="draft, submitted, approved or returned.")
    comments: str
    source: str = Field(description="form, import or api.")
    submitted_at: datetime | None
    validated_at: datetime | None


class ResultIn(Schema):
    metric: str = Field(description="Metric code, e.g. 'placeringar'.")
    period: str = Field(description="Period id, e.g. '2026' or '2026-Q1'.")
    cohort: str | None = Field(None, description="Cohort code; omit for the whole target group.")
    value: Decimal | None = Field(None, description="Measured value.")
    counterfactual_value: Decimal | None = Field(
        None, description="Comparison group's value (comparison only)."
    )
    estimates: dict[str, Decimal] | None = Field(
        None, description="Blended metrics: estimate per evaluation id."
    )
    denominator: Decimal | None = Field(
        None, description="Ratio metrics (required) and rate metrics (optional): the denominator."
    )
    participants: dict[str, list[Any]] | None = Field(
        None, description="Rate cards: {participant, outcome, achieved, sustained_through} columns."
    )
    submit: bool = Field(True, description="False: save as a draft.")


class CommentIn(Schema):
    comments: str = Field("", max_length=5000, description="Required when returning.")


class PaymentOut(Schema):
    id: int
    period: str
    payer: str = Field(description="The paying organisation's name.")
    payer_party: int = Field(description="The payer's party id.")
    planned: str = Field(description="Planned amount, SEK (two decimals).")
    due: str = Field(description="Amount due, SEK (two decimals): the core's amount_due.")
    status: str = Field(description="Recorded workflow status: planned, due, invoiced or paid.")
    state: str = Field(
        description="Status on today's date: planned (period not ended or nothing due), falling_due, "
        "overdue (past due_date, unpaid) or paid."
    )
    due_date: date | None = Field(description="The day the payment falls due: period end + payment days.")
    invoiced: bool = Field(description="Invoiced and not yet paid.")
    paid_amount: str | None
    paid_at: datetime | None
    calculation: dict = Field(
        description="The core's rows for the period: metrics with caps, the payer split."
    )


class MarkIn(Schema):
    status: Literal["invoiced", "paid"]
    paid_amount: Decimal | None = Field(None, description="Defaults to the amount due.")


class LedgerRowOut(Schema):
    period: str
    kind: str = Field(description="draw, repayment_principal, return, surplus_fund, surplus_provider, loss.")
    amount: str


class LedgerOut(Schema):
    entries: list[LedgerRowOut]
    total_drawn: str = Field(description="All drawdowns of the schedule, begun periods and planned ones.")
    drawn_to_date: str = Field(description="Drawn in the periods that have begun by today.")
    planned_draws: str = Field(description="Drawdowns of periods not yet begun (a plan).")
    total_payments: str
    fund_receipts: str
    loss: str
    money_multiple: float | None
    irr_annual: float | None
    balances: bool = Field(description="Payments in = principal + return + surplus, to the öre.")


class ExportQuery(Schema):
    variant: Literal["full", "public"] = Field(
        "full", description="public: everything a party marked confidential withheld."
    )


def _contract(request, pk: int, ability: str) -> Contract:
    return access.get_or_404(actor_of(request), Contract.objects.all(), ability, pk=pk)


def _result_out(r: ResultReport) -> dict:
    return {
        "id": r.pk,
        "metric": r.metric.code,
        "period": r.period,
        "cohort": r.cohort.code if r.cohort_id else None,
        "value": None if r.value is None else format(r.value.normalize(), "f"),
        "counterfactual_value": None
        if r.counterfactual_value is None
        else format(r.counterfactual_value.normalize(), "f"),
        "denominator": None if r.denominator is None else format(r.denominator.normalize(), "f"),
        "status": r.status,
        "comments": r.comments,
        "source": r.source,
        "submitted_at": r.submitted_at,
        "validated_at": r.validated_at,
    }


@router.get(
    "/contracts/{pk}/results",
    response={200: list[ResultOut], **ERRORS},
    operation_id="contracts_results_list",
    summary="Reported results of a contract",
)
@paginate(Pagination)
def results_list(request, pk: int):
    actor = actor_of(request)
    contract = _contract(request, pk, "contract.result.view")
    return [_result_out(r) for r in sr.visible_reports(actor, contract)]


@router.post(
    "/contracts/{pk}/results",
    response={201: ResultOut, 409: ErrorOut, **WRITE_ERRORS},
    operation_id="contracts_results_submit",
    summary="Report (submit) a result",
)
def results_submit(request, pk: int, payload: ResultIn):
    actor = actor_of(request)
    contract = _contract(request, pk, "contract.result.report")
    metric = contract.metrics.filter(code=payload.metric).first()
    if metric is None:
        raise field_errors(ValidationError({"metric": [f"unknown metric '{payload.metric}'"]}))
    cohort = None
    if payload.cohort:
        cohort = contract.cohorts.filter(code=payload.cohort).first()
        if cohort is None:
            raise field_errors(ValidationError({"cohort": [f"unknown cohort '{payload.cohort}'"]}))
    try:
        report = sr.result_report(
            actor=actor,
            contract=contract,
            metric=metric,
            period=payload.period,
            cohort=cohort,
            value=payload.value,
            counterfactual_value=payload.counterfactual_value,
            denominator=payload.denominator,
            estimates={k: str(v) for k, v in payload.estimates.items()} if payload.estimates else None,
            participants=payload.participants,
            submit=payload.submit,
            source="api",
        )
    except sr.ResultConflict as exc:
        raise HttpError(409, " ".join(m for ms in exc.message_dict.values() for m in ms)) from None
    except ValidationError as exc:
        raise field_errors(exc) from None
    return Status(201, _result_out(report))


def _report(request, pk: int, rid: int, ability: str) -> ResultReport:
    contract = _contract(request, pk, ability)
    report = ResultReport.objects.filter(contract=contract, pk=rid).select_related("metric", "cohort").first()
    if report is None:
        raise Http404
    return report


@router.post(
    "/contracts/{pk}/results/{rid}/approve",
    response={200: ResultOut, 409: ErrorOut, **WRITE_ERRORS},
    operation_id="contracts_results_approve",
    summary="Approve a submitted result (validator)",
)
def results_approve(request, pk: int, rid: int, payload: CommentIn):
    report = _report(request, pk, rid, "contract.result.validate")
    try:
        report = sr.result_approve(actor=actor_of(request), report=report, comments=payload.comments)
    except ValidationError as exc:
        raise HttpError(409, " ".join(m for ms in exc.message_dict.values() for m in ms)) from None
    return _result_out(report)


@router.post(
    "/contracts/{pk}/results/{rid}/return",
    response={200: ResultOut, 409: ErrorOut, **WRITE_ERRORS},
    operation_id="contracts_results_return",
    summary="Return a submitted result with comments (validator)",
)
def results_return(request, pk: int, rid: int, payload: CommentIn):
    report = _report(request, pk, rid, "contract.result.validate")
    if not payload.comments.strip():
        raise field_errors(ValidationError({"comments": ["Skriv vad som behöver rättas."]}))
    try:
        report = sr.result_return(actor=actor_of(request), report=report, comments=payload.comments)
    except ValidationError as exc:
        raise HttpError(409, " ".join(m for ms in exc.message_dict.values() for m in ms)) from None
    return _result_out(report)


def _payment_out(line: PaymentLine) -> dict:
    state = sp.payment_state(line)
    return {
        "id": line.pk,
        "period": line.period,
        "payer": line.payer.organisation.name,
        "payer_party": line.payer_id,
        "planned": f"{line.planned:.2f}",
        "due": f"{line.due:.2f}",
        "status": line.status,
        "state": state.code,
        "due_date": state.due_date,
        "invoiced": state.invoiced,
        "paid_amount": None if line.paid_amount is None else f"{line.paid_amount:.2f}",
        "paid_at": line.paid_at,
        "calculation": line.calculation or {},
    }


@router.get(
    "/contracts/{pk}/payments",
    response={200: list[PaymentOut], **ERRORS},
    operation_id="contracts_payments_list",
    summary="Payments per period and payer",
)
@paginate(Pagination)
def payments_list(request, pk: int):
    actor = actor_of(request)
    contract = _contract(request, pk, "contract.payment.view")
    log_read(request, contract, "contract.payments.read")
    return [_payment_out(line) for line in sp.lines_for(actor, contract)]


@router.post(
    "/contracts/{pk}/payments/{lid}/mark",
    response={200: PaymentOut, **WRITE_ERRORS},
    operation_id="contracts_payments_mark",
    summary="Mark a payment invoiced or paid",
)
def payments_mark(request, pk: int, lid: int, payload: MarkIn):
    contract = _contract(request, pk, "contract.payment.manage")
    line = PaymentLine.objects.filter(contract=contract, pk=lid).select_related("payer__organisation").first()
    if line is None:
        raise Http404
    try:
        line = sp.payment_mark(
            actor=actor_of(request), line=line, status=payload.status, paid_amount=payload.paid_amount
        )
    except ValidationError as exc:
        raise field_errors(exc) from None
    return _payment_out(line)


@router.get(
    "/contracts/{pk}/ledger",
    response={200: LedgerOut, **ERRORS},
    operation_id="contracts_ledger",
    summary="The fund's ledger",
)
def ledger(request, pk: int):
    contract = _contract(request, pk, "contract.ledger.view")
    report = sp.ledger_report(contract)
    if report is None:
        raise Http404
    log_read(request, contract, "contract.ledger.read")
    out = report.output
    split = sp.ledger_split(contract, out)
    return {
        "entries": [
            {"period": e.period, "kind": e.kind, "amount": f"{e.amount:.2f}"}
            for e in contract.ledger_entries.order_by("period_index", "kind")
        ],
        "total_drawn": f"{out.total_drawn:.2f}",
        "drawn_to_date": f"{split.drawn:.2f}",
        "planned_draws": f"{split.planned_draws:.2f}",
        "total_payments": f"{out.total_payments:.2f}",
        "fund_receipts": f"{out.fund_receipts:.2f}",
        "loss": f"{out.loss:.2f}",
        "money_multiple": out.money_multiple,
        "irr_annual": out.irr_annual,
        "balances": out.total_payments
        == out.total_to_principal
        + out.total_to_return
        + out.total_surplus_to_fund
        + out.total_surplus_to_provider,
    }


@router.get(
    "/contracts/{pk}/export/indigo",
    response={200: dict, **ERRORS},
    operation_id="contracts_export_indigo",
    summary="The contract as an INDIGO 4.x package (project or pipeline record, organisation records)",
)
def export_indigo(request, pk: int, query: Query[ExportQuery]):
    actor = actor_of(request)
    contract = _contract(request, pk, "contract.export")
    with export_failures(request, "contract", pk=pk):
        return indigo.export_contract(actor=actor, contract=contract, variant=query.variant)
