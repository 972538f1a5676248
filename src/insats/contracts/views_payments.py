"""Payment pages: payments per payer and period (planned vs due, how it was computed), marking a
line invoiced or paid, the invoice basis PDF, an Excel workbook, the fund's ledger, the party
dashboards and the INDIGO export. Every amount shown is a stored core figure or a core figure
computed here from the same rows (never a re-implementation)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from insats.accounts import access
from insats.accounts.access import actor_for, can, get_or_404, require
from insats.audit.reads import export_audited, log_read
from insats.audit.services import log_action
from insats.platform import charts
from insats.platform.formatting import format_number

from . import exports, rule_text
from . import exports_indigo as indigo
from . import services_payments as sp
from . import services_results as sr
from .exports import kr
from .forms_results import PaymentMarkForm
from .models import Contract, ContractStatus, LedgerKind, PartyRole, PaymentLine, PaymentStatus

PAY_VIEW = "contract.payment.view"
PAY_MANAGE = "contract.payment.manage"
LEDGER_VIEW = "contract.ledger.view"
EXPORT = "contract.export"


def _contract(request, pk: int, ability: str) -> Contract:
    return get_or_404(actor_for(request), Contract.objects.select_related("owner"), ability, pk=pk)


def _money_in(currency: str):
    """``kr`` in the contract's currency: ``1 250 000,00 kr``, or ``1 250 000,00 EUR``."""

    def money(value) -> str:
        return kr(value, currency=currency)

    return money


def num(value) -> str:
    """A measured figure without trailing zeros, Swedish decimal comma: 35, 4,5, −2."""
    return format_number(value, trim=True)


def _x(period: str, index: int) -> float:
    return float(period) if period.isdigit() else float(index + 1)


def _ratio(value: float | None, decimals: int = 2) -> str:
    return "–" if value is None else charts.fmt(value, decimals)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{charts.fmt(100 * value, 2)} %"


@require(PAY_VIEW)
def payments(request, pk: int):
    actor = actor_for(request)
    contract = _contract(request, pk, PAY_VIEW)
    kr = _money_in(contract.currency)
    log_read(request, contract, "contract.payments.read")
    lines = list(sp.lines_for(actor, contract))
    may_manage = can(actor, PAY_MANAGE, contract)
    metric_info = {m.code: m for m in contract.metrics.all()}
    order = {p: i for i, p in enumerate(contract.period_ids())}
    history: dict[tuple[int, str], list[dict]] = {}
    checks: dict[tuple[int, str], list[str]] = {}
    for line in sorted(lines, key=lambda ln: order.get(ln.period, len(order))):
        for m in (line.calculation or {}).get("metrics", []):
            key = (line.payer_id, m["metric"])
            info = metric_info.get(m["metric"])
            earlier = history.setdefault(key, [])
            if info is not None:
                checks[(line.pk, m["metric"])] = rule_text.threshold_checks(
                    info.rule or {},
                    info.unit,
                    {**m, "period": m.get("period", line.period)},
                    list(earlier),
                    contract.currency,
                )
            earlier.append({**m, "period": m.get("period", line.period)})
    rows = []
    for line in lines:
        calc = line.calculation or {}
        rows.append(
            {
                "line": line,
                "state": sp.payment_state(line),
                "planned": kr(line.planned),
                "due": kr(line.due),
                "paid": kr(line.paid_amount) if line.paid_amount is not None else "–",
                "difference": (
                    kr(line.due - line.paid_amount)
                    if line.paid_amount is not None and line.paid_amount != line.due
                    else ""
                ),
                "metrics": [
                    {
                        "metric": metric_info[m["metric"]].name
                        if m["metric"] in metric_info
                        else m["metric"],
                        "checks": checks.get((line.pk, m["metric"]), []),
                        "measured": num(m.get("measured")),
                        "counterfactual": num(m.get("counterfactual")),
                        "improvement": num(m.get("improvement")),
                        "units_paid": num(m.get("units_paid")),
                        "settlement": kr(Decimal(m.get("settlement") or 0)),
                        "before_caps": kr(Decimal(m["amount_before_caps"])),
                        "carried_in": kr(Decimal(m.get("carried_in") or 0)),
                        "caps": [
                            {
                                "cap": rule_text.cap_label(c["cap"]),
                                "reduced_by": kr(Decimal(c["reduced_by"])),
                                "carried": c["carried"],
                            }
                            for c in m.get("caps_applied", [])
                        ],
                        "due": kr(Decimal(m["amount_due"])),
                    }
                    for m in calc.get("metrics", [])
                ],
                "cap_order": rule_text.cap_order_text(calc.get("cap_order", [])),
                "may_mark": may_manage and line.due > 0 and line.status != PaymentStatus.PAID,
            }
        )
    totals_by_payer: dict[int, dict] = {}
    for line in lines:
        t = totals_by_payer.setdefault(
            line.payer_id, {"payer": line.payer, "planned": Decimal(0), "due": Decimal(0), "paid": Decimal(0)}
        )
        t["planned"] += line.planned
        t["due"] += line.due
        t["paid"] += line.paid_amount or Decimal(0)
    totals = [
        {"payer": t["payer"], "planned": kr(t["planned"]), "due": kr(t["due"]), "paid": kr(t["paid"])}
        for t in totals_by_payer.values()
    ]
    return render(
        request,
        "contracts/payments.html",
        {
            "contract": contract,
            "rows": rows,
            "totals": totals,
            "grand_due": kr(sum((line.due for line in lines), Decimal(0))),
            "mark_form": PaymentMarkForm(),
            "may_manage": may_manage,
            "nav_active": "contracts",
        },
    )


@require(PAY_MANAGE)
@require_POST
def payment_mark(request, pk: int, lid: int):
    actor = actor_for(request)
    contract = _contract(request, pk, PAY_MANAGE)
    line = get_or_404(actor, PaymentLine.objects.filter(contract=contract), PAY_VIEW, pk=lid)
    form = PaymentMarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Välj fakturerad eller betald."))
        return redirect("contracts:payments", pk=contract.pk)
    try:
        sp.payment_mark(
            actor=actor,
            line=line,
            status=form.cleaned_data["status"],
            paid_amount=form.cleaned_data.get("paid_amount"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.success(request, _("Betalningen för %(period)s är uppdaterad.") % {"period": line.period})
    return redirect("contracts:payments", pk=contract.pk)


@require(PAY_VIEW)
@export_audited("contract.invoice_basis")
def invoice_pdf(request, pk: int, lid: int):
    """The invoice basis of one payer and period (PDF); audited as an export."""
    actor = actor_for(request)
    contract = _contract(request, pk, PAY_VIEW)
    line = get_or_404(
        actor,
        PaymentLine.objects.filter(contract=contract).select_related("payer__organisation"),
        PAY_VIEW,
        pk=lid,
    )
    if not line.calculation:
        raise Http404
    pdf = exports.invoice_pdf(contract, line)
    log_action(
        "contract.invoice_basis.exported",
        actor=actor.user,
        organisation=actor.organisation,
        obj=line,
        changes={"period": line.period, "payer": line.payer.organisation.name, "due": str(line.due)},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"fakturaunderlag-{contract.reference}-{line.period}-{line.payer.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require(PAY_VIEW)
@export_audited("contract.payments")
def payments_xlsx(request, pk: int):
    actor = actor_for(request)
    contract = _contract(request, pk, PAY_VIEW)
    lines = sp.lines_for(actor, contract)
    reports = sr.visible_reports(actor, contract)
    ledger = contract.ledger_entries.all() if can(actor, LEDGER_VIEW, contract) else None
    data = exports.payments_xlsx(contract, lines, reports, ledger)
    log_action(
        "contract.payments.exported",
        actor=actor.user,
        organisation=actor.organisation,
        obj=contract,
        changes={"format": "xlsx", "ledger": ledger is not None},
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="betalningar-{contract.reference}.xlsx"'
    return response


# --------------------------------------------------------------------------- ledger


def ledger_rows(contract: Contract, started: frozenset[int] | None = None) -> list[dict]:
    """Stored ledger entries per period, with the balance check; ``started`` (the period numbers
    begun by today) marks each row as booked or planned."""
    by_period: dict[int, dict] = {}
    kr = _money_in(contract.currency)
    for e in contract.ledger_entries.order_by("period_index", "kind"):
        row = by_period.setdefault(
            e.period_index,
            {"period": e.period, **{k.value: Decimal("0.00") for k in LedgerKind}, "payments_in": None},
        )
        row[e.kind] = e.amount
        row["payments_in"] = (
            Decimal(str(e.source.get("payments_in"))) if "payments_in" in e.source else row["payments_in"]
        )
    rows = []
    for _i, row in sorted(by_period.items()):
        paid_in = row["payments_in"] if row["payments_in"] is not None else Decimal("0.00")
        distributed = (
            row["repayment_principal"] + row["return"] + row["surplus_fund"] + row["surplus_provider"]
        )
        rows.append(
            {
                "period": row["period"],
                "cells": [kr(row[k.value]) for k in LedgerKind],
                "payments_in": kr(paid_in),
                "balances": distributed == paid_in,
                "started": started is None or _i in started,
            }
        )
    return rows


SIGNED_STATUSES = {ContractStatus.SIGNED, ContractStatus.ACTIVE, ContractStatus.CLOSED}


def ledger_started(contract: Contract) -> bool:
    """The fund's ledger starts when the contract is signed: before that nothing is drawn."""
    return contract.status in SIGNED_STATUSES or contract.signed_at is not None


def financing_plan(contract: Contract) -> dict | None:
    """The agreed drawdown schedule as a plan (nothing drawn yet), or None without financing terms."""
    terms = getattr(contract, "financing", None)
    if terms is None:
        return None
    kr = _money_in(contract.currency)
    ids = contract.period_ids()
    amounts = [Decimal(str(a)) for a in (terms.drawdown_schedule or [])]
    rows = [
        {"period": ids[i] if i < len(ids) else f"+{i + 1 - len(ids)}", "amount": kr(a)}
        for i, a in enumerate(amounts)
    ]
    return {"rows": rows, "total": kr(sum(amounts, Decimal(0))), "commitment": kr(terms.commitment)}


@require(LEDGER_VIEW)
def ledger(request, pk: int):
    contract = _contract(request, pk, LEDGER_VIEW)
    kr = _money_in(contract.currency)
    log_read(request, contract, "contract.ledger.read")
    if not ledger_started(contract):
        return render(
            request,
            "contracts/ledger.html",
            {
                "contract": contract,
                "not_started": True,
                "plan": financing_plan(contract),
                "nav_active": "contracts",
            },
        )
    report = None
    error = ""
    try:
        report = sp.ledger_report(contract)
    except Exception as exc:  # noqa: BLE001 - terms not computable yet: say so on the page
        error = str(exc)
    summary = None
    split = None
    if report is not None:
        out = report.output
        split = sp.ledger_split(contract, out)
        summary = {
            "drawn": kr(split.drawn),
            "planned_draws": kr(split.planned_draws),
            "outstanding_today": kr(split.outstanding),
            "payments": kr(out.total_payments),
            "principal": kr(out.total_to_principal),
            "return": kr(out.total_to_return),
            "surplus_fund": kr(out.total_surplus_to_fund),
            "surplus_provider": kr(out.total_surplus_to_provider),
            "receipts": kr(out.fund_receipts),
            "loss": kr(out.loss),
            "outstanding": kr(out.ledger[-1].outstanding_end if out.ledger else Decimal(0)),
            "multiple": _ratio(out.money_multiple, 4),
            "irr": _pct(out.irr_annual),
            "repaid": out.repaid_in_full,
            "balances": out.total_payments
            == out.total_to_principal
            + out.total_to_return
            + out.total_surplus_to_fund
            + out.total_surplus_to_provider,
        }
    rows = ledger_rows(contract, split.started if split is not None else None)
    return render(
        request,
        "contracts/ledger.html",
        {
            "contract": contract,
            "rows": [r for r in rows if r["started"]],
            "planned_rows": [r for r in rows if not r["started"]],
            "kinds": [k.label for k in LedgerKind],
            "summary": summary,
            "error": error,
            "nav_active": "contracts",
        },
    )


# --------------------------------------------------------------------------- dashboards


@require("contract.view")
def dashboard(request, pk: int):
    """One page per party: what the actor's organisation cares about, from the core."""
    actor = actor_for(request)
    contract = _contract(request, pk, "contract.view")
    kr = _money_in(contract.currency)
    roles = access.party_roles(actor, contract)
    labels = dict(PartyRole.choices)
    ctx: dict = {"contract": contract, "roles": [labels[r] for r in sorted(roles)], "nav_active": "contracts"}
    payment = None
    try:
        payment = sp.payment_report(contract)
    except Exception as exc:  # noqa: BLE001
        ctx["error"] = str(exc)
    if payment is not None and can(actor, PAY_VIEW, contract):
        log_read(request, contract, "contract.payments.read", page="dashboard")
        out = payment.output
        periods = [p.period for p in out.periods]
        planned = sp.planned_by_period(contract)
        avoided_plan = sp.costs_avoided_by_period(contract)
        improvement = {p: Decimal(0) for p in periods}
        for m in out.metrics:
            if m.improvement is not None:
                improvement[m.period] += m.improvement
        rows = []
        for i, prow in enumerate(out.periods):
            rows.append(
                {
                    "period": prow.period,
                    "due": kr(prow.amount_due),
                    "planned": kr(planned[i]) if planned and i < len(planned) else "–",
                    "avoided": kr(avoided_plan[i]) if avoided_plan and i < len(avoided_plan) else "–",
                    "improvement": num(improvement[prow.period]),
                }
            )
        series = [
            charts.Series(
                _("Att betala"), [(_x(p.period, i), float(p.amount_due)) for i, p in enumerate(out.periods)]
            )
        ]
        if planned:
            series.append(
                charts.Series(
                    _("Planerat"),
                    [
                        (_x(p, i), float(planned[i]) if i < len(planned) else None)
                        for i, p in enumerate(periods)
                    ],
                    dashed=True,
                )
            )
        if avoided_plan and ("commissioner" in roles or "payer" in roles):
            series.append(
                charts.Series(
                    _("Undvikna kostnader enligt affärscaset"),
                    [
                        (_x(p, i), float(avoided_plan[i]) if i < len(avoided_plan) else None)
                        for i, p in enumerate(periods)
                    ],
                )
            )
        ctx["payments"] = {
            "rows": rows,
            "total": kr(out.totals.amount_due),
            "before_caps": kr(out.totals.amount_before_caps),
            "removed": kr(sum(out.totals.removed_by_cap.values(), Decimal(0))),
            "chart": charts.line_chart(
                series,
                title=_("Utfallsbetalningar per period"),
                desc=_("Belopp att betala per period enligt godkända resultat, jämfört med planen."),
            ),
            "has_costs_avoided": bool(avoided_plan),
        }
    sees_financing = can(actor, LEDGER_VIEW, contract) or "provider" in roles
    if sees_financing and not ledger_started(contract):
        ctx["plan"] = financing_plan(contract)
        ctx["show_plan"] = True
    elif payment is not None and sees_financing:
        try:
            led = sp.ledger_report(contract, payment)
        except Exception:  # noqa: BLE001
            led = None
        if led is not None:
            log_read(request, contract, "contract.ledger.read", page="dashboard")
            out = led.output
            exposure = [
                (
                    _x(
                        contract.period_ids()[r.period - 1]
                        if r.period <= len(contract.period_ids())
                        else str(r.period),
                        r.period - 1,
                    ),
                    float(r.outstanding_end),
                )
                for r in out.ledger
            ]
            split = sp.ledger_split(contract, out)
            ctx["fund"] = {
                "drawn": kr(split.drawn),
                "planned_draws": kr(split.planned_draws),
                "outstanding": kr(split.outstanding),
                "receipts": kr(out.fund_receipts),
                "multiple": _ratio(out.money_multiple, 4),
                "irr": _pct(out.irr_annual),
                "loss": kr(out.loss),
                "chart": charts.line_chart(
                    [charts.Series(_("Utestående kapital"), exposure)],
                    title=_("Fondens exponering"),
                    desc=_(
                        "Kapital som fonden har lånat ut och ännu inte fått tillbaka, vid varje periods slut."
                    ),
                    y_label="kr",
                ),
            }
            ctx["provider"] = {
                "income": kr(out.total_payments),
                "repaid": kr(out.total_to_principal + out.total_to_return + out.total_surplus_to_fund),
                "surplus": kr(out.total_surplus_to_provider),
                "financed": kr(out.total_drawn),
                "unfinanced": kr(out.provider_unfinanced_costs),
                "net": kr(out.provider_net),
            }
            ctx["show_fund"] = can(actor, LEDGER_VIEW, contract)
            ctx["show_provider"] = "provider" in roles or can(actor, LEDGER_VIEW, contract)
    ctx["results_waiting"] = contract.result_reports.filter(status="submitted").count()
    return render(request, "contracts/dashboard.html", ctx)


# --------------------------------------------------------------------------- exports


@require(EXPORT)
def exports_page(request, pk: int):
    actor = actor_for(request)
    contract = _contract(request, pk, EXPORT)
    sections = indigo.confidential_sections(contract)
    may = indigo.readable(actor, contract)
    withheld = [label for part, label in indigo.part_labels().items() if not may[part]]
    return render(
        request,
        "contracts/export.html",
        {
            "contract": contract,
            "sections": sections,
            "withheld": withheld,
            "may_payments": can(actor, PAY_VIEW, contract),
            "nav_active": "contracts",
        },
    )


@require(EXPORT)
@export_audited("contract")
def indigo_export(request, pk: int):
    actor = actor_for(request)
    contract = _contract(request, pk, EXPORT)
    variant = request.GET.get("variant", "full")
    if variant not in ("full", "public"):
        raise Http404
    url = request.build_absolute_uri(reverse("contracts:detail", args=[contract.pk]))
    project = indigo.export_contract(actor=actor, contract=contract, variant=variant, url=url)
    response = HttpResponse(indigo.dumps(project), content_type="application/json; charset=utf-8")
    suffix = "-publik" if variant == "public" else ""
    response["Content-Disposition"] = f'attachment; filename="indigo-{contract.reference}{suffix}.json"'
    return response
