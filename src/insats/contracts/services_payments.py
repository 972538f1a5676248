"""Payments per payer and the fund's ledger, both computed by the core (issue 5, part 5).

* :func:`payment_report` — the core's payment calculation (``insats.core.payments.calculate``)
  over every **approved** result, with the contract from ``core_inputs.build_payment_contract``.
* :func:`payments_recalculate` — runs it and stores one :class:`PaymentLine` per period and payer:
  ``due`` is exactly the core's ``amount_due`` for that payer and period; ``planned`` comes from the
  contract's latest business-case scenario (its deterministic payments per period, split between
  the payers by share with ``money.allocate``); ``calculation`` keeps the core's rows for that
  period (metric rows with caps, the payer split, the cap order) for the "how it was computed"
  disclosure. Lines already invoiced or paid keep their status; if the recalculated amount differs
  from what was invoiced, the page shows the difference.
* :func:`ledger_recalculate` — ``insats.core.financing.waterfall(build_financing_terms(contract),
  payments by period)`` where the payments are the core's period totals due; one
  :class:`LedgerEntry` per period and kind (draw, repayment of principal, return, surplus to fund,
  surplus to provider) and the loss after the last period. In every period
  ``payments in = principal + return + surplus to fund + surplus to provider``.
* :func:`payment_mark` — record that a line was invoiced or paid.

Every change is audited.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.accounts import access
from insats.audit.services import log_action
from insats.core import financing as fin
from insats.core import payments as pay
from insats.core.money import allocate, round_ore

from . import core_inputs
from .models import (
    Contract,
    LedgerEntry,
    LedgerKind,
    MetricKind,
    PaymentLine,
    PaymentStatus,
    ResultReport,
    ResultStatus,
)

ZERO = Decimal("0.00")
LEDGER_FIELDS = (
    (LedgerKind.DRAW, "drawn"),
    (LedgerKind.REPAYMENT_PRINCIPAL, "to_principal"),
    (LedgerKind.RETURN, "to_return"),
    (LedgerKind.SURPLUS_FUND, "surplus_to_fund"),
    (LedgerKind.SURPLUS_PROVIDER, "surplus_to_provider"),
)


def _user(actor):
    return actor.user if actor is not None and actor.is_authenticated else None


# --------------------------------------------------------------------------- the core's figures


def approved_results(contract: Contract) -> pay.Results:
    """Every approved result of the contract in the core's form."""
    observations, participants = [], []
    reports = (
        ResultReport.objects.filter(contract=contract, status=ResultStatus.APPROVED)
        .select_related("metric", "cohort")
        .order_by("period", "metric__order", "pk")
    )
    for r in reports:
        if r.metric.kind == MetricKind.RATE_CARD:
            participants.append({"metric": r.metric.code, **(r.participants or {})})
            continue
        observations.append(
            {
                "metric": r.metric.code,
                "period": r.period,
                "cohort": r.cohort.code if r.cohort_id else None,
                "value": None if r.value is None else str(r.value),
                "counterfactual": None if r.counterfactual_value is None else str(r.counterfactual_value),
                "estimates": r.estimates,
                **({} if r.denominator is None else {"denominator": str(r.denominator)}),
            }
        )
    return pay.Results.model_validate(
        {"observations": observations, "participants": _merge_participants(participants)}
    )


def _merge_participants(rows: list[dict]) -> list[dict]:
    """Rate-card reports of one metric (one per period) as one column block per metric."""
    merged: dict[str, dict] = {}
    for row in rows:
        block = merged.setdefault(
            row["metric"],
            {
                "metric": row["metric"],
                "participant": [],
                "outcome": [],
                "achieved": [],
                "sustained_through": [],
            },
        )
        n = len(row.get("participant") or [])
        block["participant"] += row.get("participant") or []
        block["outcome"] += row.get("outcome") or []
        block["achieved"] += row.get("achieved") or []
        block["sustained_through"] += row.get("sustained_through") or [None] * n
    return list(merged.values())


@dataclass
class PaymentReport:
    contract: pay.Contract
    results: pay.Results
    output: pay.Output


def payment_report(contract: Contract) -> PaymentReport:
    """The core's payment report over all approved results."""
    core_contract = core_inputs.build_payment_contract(contract)
    results = approved_results(contract)
    pay.check_results(core_contract, results)
    return PaymentReport(core_contract, results, pay.calculate(core_contract, results))


def period_totals(output: pay.Output) -> list[Decimal]:
    """The core's total due per period, in schedule order."""
    return [row.amount_due for row in output.periods]


@dataclass
class LedgerReport:
    terms: fin.FinancingTerms
    payments: list[Decimal]
    output: fin.Output


def ledger_report(contract: Contract, payment: PaymentReport | None = None) -> LedgerReport | None:
    """The fund's waterfall over the core's payments due per period (None without financing)."""
    terms = core_inputs.build_financing_terms(contract)
    if terms is None:
        return None
    payment = payment or payment_report(contract)
    payments = period_totals(payment.output)
    return LedgerReport(terms, payments, fin.waterfall(terms, payments))


def planned_by_period(contract: Contract) -> list[Decimal] | None:
    """Planned payments per period from the latest business-case scenario that has a result."""
    for scenario in contract.scenarios.order_by("-created_at", "-pk"):
        det = (scenario.result or {}).get("deterministic") or {}
        values = det.get("payments_by_period")
        if values:
            return [round_ore(Decimal(str(v))) for v in values]
    return None


def costs_avoided_by_period(contract: Contract) -> list[Decimal] | None:
    """The business case's expected costs avoided per period (for the commissioner's dashboard)."""
    for scenario in contract.scenarios.order_by("-created_at", "-pk"):
        det = (scenario.result or {}).get("deterministic") or {}
        rows = (det.get("budget") or {}).get("rows")
        if rows:
            return [round_ore(Decimal(str(r["costs_avoided"]))) for r in rows]
    return None


# --------------------------------------------------------------------------- storing payments


def _calculation(output: pay.Output, period: str, payer_id: str, computed_at: str, reason: str) -> dict:
    prow = next(p for p in output.periods if p.period == period)
    payer_row = next(p for p in prow.payers if p.payer == payer_id)
    return {
        "engine": "insats.core.payments.calculate",
        "computed_at": computed_at,
        "reason": reason,
        "cap_order": list(output.cap_order),
        "period": prow.model_dump(mode="json", exclude={"payers"}),
        "payer": payer_row.model_dump(mode="json"),
        "metrics": [m.model_dump(mode="json") for m in output.metrics if m.period == period],
    }


@transaction.atomic
def payments_recalculate(*, actor, contract: Contract, reason: str = "") -> PaymentReport:
    """Recompute every payment line (and the ledger) from the approved results; audited."""
    Contract.objects.select_for_update().filter(pk=contract.pk).first()
    report = payment_report(contract)
    payers = core_inputs.payer_parties(contract)
    shares = [p.payer_share for p in payers.values()]
    planned = planned_by_period(contract)
    period_ids = [p.id for p in report.contract.periods]
    existing = {
        (line.period, line.payer_id): line for line in contract.payment_lines.filter(metric__isnull=True)
    }
    now = timezone.now()
    changed = []
    for t, prow in enumerate(report.output.periods):
        planned_split = (
            allocate(planned[t], shares)
            if planned is not None and t < len(planned) and shares
            else [ZERO] * len(payers)
        )
        for (pid, party), plan in zip(payers.items(), planned_split, strict=True):
            payer_row = next(p for p in prow.payers if p.payer == pid)
            line = existing.pop((prow.period, party.pk), None)
            before = None if line is None else (line.due, line.planned, line.status)
            if line is None:
                line = PaymentLine(contract=contract, period=prow.period, payer=party)
            line.due = payer_row.amount_due
            line.planned = plan
            if line.status in (PaymentStatus.PLANNED, PaymentStatus.DUE):
                line.status = PaymentStatus.DUE if line.due > 0 else PaymentStatus.PLANNED
            line.calculation = _calculation(report.output, prow.period, pid, now.isoformat(), reason)
            line.save()
            if before != (line.due, line.planned, line.status):
                changed.append(
                    {"period": line.period, "payer": party.organisation.name, "due": str(line.due)}
                )
    stale = [line for line in existing.values() if line.status in (PaymentStatus.PLANNED, PaymentStatus.DUE)]
    for line in stale:
        line.delete()
    log_action(
        "contract.payments.calculated",
        actor=_user(actor),
        organisation=actor.organisation if actor is not None else None,
        obj=contract,
        changes={
            "reason": reason,
            "periods": period_ids,
            "total_due": str(report.output.totals.amount_due),
            "changed": changed,
        },
    )
    ledger_recalculate(actor=actor, contract=contract, payment=report)
    return report


@transaction.atomic
def ledger_recalculate(
    *, actor, contract: Contract, payment: PaymentReport | None = None
) -> LedgerReport | None:
    """Rewrite the fund's ledger from the core's waterfall; audited. None without financing."""
    ledger = ledger_report(contract, payment)
    contract.ledger_entries.all().delete()
    if ledger is None:
        return None
    period_ids = contract.period_ids()
    entries = []
    for row in ledger.output.ledger:
        label = (
            period_ids[row.period - 1]
            if row.period - 1 < len(period_ids)
            else f"+{row.period - len(period_ids)}"
        )
        source = row.model_dump(mode="json")
        for kind, attr in LEDGER_FIELDS:
            amount = getattr(row, attr)
            if amount:
                entries.append(
                    LedgerEntry(
                        contract=contract,
                        period=label,
                        period_index=row.period,
                        kind=kind,
                        amount=amount,
                        source=source,
                    )
                )
    last = ledger.output.ledger[-1] if ledger.output.ledger else None
    if last is not None and ledger.output.loss > 0 and _all_periods_settled(contract):
        entries.append(
            LedgerEntry(
                contract=contract,
                period=period_ids[-1],
                period_index=last.period,
                kind=LedgerKind.LOSS,
                amount=ledger.output.loss,
                source={"loss": str(ledger.output.loss)},
            )
        )
    LedgerEntry.objects.bulk_create(entries)
    log_action(
        "contract.ledger.calculated",
        actor=_user(actor),
        organisation=actor.organisation if actor is not None else None,
        obj=contract,
        changes={
            "engine": "insats.core.financing.waterfall",
            "payments": [str(p) for p in ledger.payments],
            "total_drawn": str(ledger.output.total_drawn),
            "fund_receipts": str(ledger.output.fund_receipts),
            "loss": str(ledger.output.loss),
            "entries": len(entries),
        },
    )
    return ledger


def _all_periods_settled(contract: Contract) -> bool:
    """The loss is final once the last period has an approved result (or the contract is closed)."""
    from .models import ContractStatus

    if contract.status == ContractStatus.CLOSED:
        return True
    last = contract.period_ids()[-1]
    return ResultReport.objects.filter(contract=contract, period=last, status=ResultStatus.APPROVED).exists()


# --------------------------------------------------------------------------- statuses from dates


@dataclass(frozen=True)
class PaymentState:
    """What a payment line's status is on a given day (issue 8, item 3).

    ``code``: ``planned`` (the period has not ended, or nothing is due), ``falling_due`` (ended,
    due by ``due_date``), ``overdue`` (``due_date`` has passed unpaid) or ``paid``."""

    code: str
    label: str
    due_date: datetime.date | None
    invoiced: bool


def payment_state(line: PaymentLine, today: datetime.date | None = None) -> PaymentState:
    """The one place a payment's status is derived from the dates; pass ``today`` in tests."""
    today = today or timezone.localdate()
    contract = line.contract
    due_date = contract.payment_due_date(line.period)
    invoiced = line.status == PaymentStatus.INVOICED
    if line.status == PaymentStatus.PAID:
        return PaymentState("paid", _("Betald"), due_date, False)
    if line.due <= 0 or not contract.period_ended(line.period, today) or due_date is None:
        return PaymentState("planned", _("Planerad"), due_date, invoiced)
    if today <= due_date:
        return PaymentState(
            "falling_due", _("Förfaller %(date)s") % {"date": due_date.isoformat()}, due_date, invoiced
        )
    return PaymentState(
        "overdue", _("Förfallen sedan %(date)s") % {"date": due_date.isoformat()}, due_date, invoiced
    )


def payment_state_text(state: PaymentState) -> str:
    """The state as one text, for exports (the page shows the same as two badges): ``Förfaller
    2027-01-30 · Fakturerad``."""
    return f"{state.label} · {_('Fakturerad')}" if state.invoiced else state.label


@dataclass(frozen=True)
class LedgerSplit:
    """The fund's ledger on a given day: what has happened and what is still a plan."""

    started: frozenset[int]  # the core's period numbers (1-based) that have begun by ``today``
    drawn: Decimal  # the sums below: insats.core.financing.split_ledger
    planned_draws: Decimal
    outstanding: Decimal


def ledger_split(contract: Contract, output: fin.Output, today: datetime.date | None = None) -> LedgerSplit:
    """Split the core's waterfall at ``today``: a period's draw has happened once the period has
    begun; later periods are the plan. Which periods have begun is decided here (the calendar);
    the sums come from the core."""
    today = today or timezone.localdate()
    ids = contract.period_ids()
    started = set()
    for row in output.ledger:
        if row.period - 1 < len(ids):
            if contract.period_started(ids[row.period - 1], today):
                started.add(row.period)
        elif contract.term_end < today:  # settlement periods after the term
            started.add(row.period)
    split = fin.split_ledger(output, started)
    return LedgerSplit(frozenset(started), split.drawn, split.planned_draws, split.outstanding)


# --------------------------------------------------------------------------- invoiced and paid


@transaction.atomic
def payment_mark(*, actor, line: PaymentLine, status: str, paid_amount: Decimal | None = None) -> PaymentLine:
    """Mark a line invoiced or paid (paid amount defaults to the amount due); audited."""
    access.check(actor, "contract.payment.manage", line.contract)
    line = PaymentLine.objects.select_for_update().get(pk=line.pk)
    if status not in (PaymentStatus.INVOICED, PaymentStatus.PAID):
        raise ValidationError({"status": [_("Välj fakturerad eller betald.")]})
    if line.due <= 0:
        raise ValidationError({"status": [_("Det finns inget att betala för perioden.")]})
    if line.status == PaymentStatus.PAID:
        raise ValidationError({"status": [_("Betalningen är redan registrerad som betald.")]})
    if status == PaymentStatus.INVOICED and line.status == PaymentStatus.INVOICED:
        raise ValidationError({"status": [_("Betalningen är redan fakturerad.")]})
    now = timezone.now()
    before = line.status
    if status == PaymentStatus.INVOICED:
        line.invoiced_at = now
    else:
        amount = line.due if paid_amount is None else round_ore(paid_amount)
        if amount <= 0:
            raise ValidationError({"paid_amount": [_("Ange ett belopp större än noll.")]})
        line.paid_amount = amount
        line.paid_at = now
        line.invoiced_at = line.invoiced_at or now
    line.status = status
    line.save()
    log_action(
        f"contract.payment.{status}",
        actor=_user(actor),
        organisation=actor.organisation,
        obj=line,
        changes={
            "period": line.period,
            "payer": line.payer.organisation.name,
            "due": str(line.due),
            "paid_amount": None if line.paid_amount is None else str(line.paid_amount),
            "status": [before, status],
        },
    )
    return line


def lines_for(actor, contract: Contract):
    """Payment lines the actor may see (every line for a payment-viewing party)."""
    if not access.can(actor, "contract.payment.view", contract):
        return PaymentLine.objects.none()
    return contract.payment_lines.select_related("payer__organisation", "metric").order_by(
        "period", "payer_id"
    )
