"""Exports of a contract's payments: the invoice basis (fakturaunderlag) per payer and period as PDF
(WeasyPrint, A4) and an Excel workbook of payments, results and the fund's ledger.

Amounts are the stored payment lines — exactly the core's ``amount_due`` — written as text with two
decimals (PDF) or as numbers with the format ``#,##0.00`` (Excel: shown with the reader's
locale); nothing is recomputed here.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.platform import spreadsheets
from insats.platform.formatting import format_money, format_number

from . import rule_text
from . import services_payments as sp
from .models import Contract, PaymentLine


def kr(value: Decimal | None, unit: bool = True, currency: str | None = None) -> str:
    """``1 750 000,00 kr``: exact, two decimals (:func:`insats.platform.formatting.format_money`),
    in the contract's ``currency`` (``1 750 000,00 EUR``)."""
    return format_money(value, unit=unit, currency=currency)


_kr = kr


def _num(value) -> str:
    return format_number(value, trim=True)


def local_time(value) -> str:
    """A moment as local time (settings.TIME_ZONE, Europe/Stockholm): ``2026-11-26 17:48``.

    Accepts an aware datetime or an ISO 8601 string (as stored in a calculation); '' when absent."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def invoice_context(contract: Contract, line: PaymentLine, today: datetime.date | None = None) -> dict:
    calc = line.calculation or {}

    def kr(value: Decimal | None) -> str:
        return _kr(value, currency=contract.currency)

    metrics = []
    for m in calc.get("metrics", []):
        metrics.append(
            {
                "metric": m["metric"],
                "name": next((x.name for x in contract.metrics.all() if x.code == m["metric"]), m["metric"]),
                "measured": _num(m.get("measured")),
                "counterfactual": _num(m.get("counterfactual")),
                "improvement": _num(m.get("improvement")),
                "units_paid": _num(m.get("units_paid")),
                "settlement": kr(Decimal(m.get("settlement") or 0)),
                "before_caps": kr(Decimal(m["amount_before_caps"])),
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
        )
    payer = calc.get("payer") or {}
    provider = contract.parties.filter(role="provider").select_related("organisation").first()
    return {
        "contract": contract,
        "line": line,
        "payer": line.payer,
        "provider": provider,
        "due": kr(line.due),
        "state": sp.payment_state_text(sp.payment_state(line, today)),  # as the payments page
        "period_total": kr(Decimal((calc.get("period") or {}).get("amount_due") or 0)),
        "share": line.payer.payer_share,
        "share_of_total": kr(Decimal(payer.get("share_of_total") or 0)),
        "cap_reduced_by": kr(Decimal(payer.get("cap_reduced_by") or 0)),
        "cumulative": kr(Decimal(payer.get("cumulative_due") or 0)),
        "metrics": metrics,
        "cap_order": rule_text.cap_order_text(calc.get("cap_order", [])),
        "computed_at": local_time(calc.get("computed_at")),
        "printed_at": local_time(timezone.now()),
    }


def invoice_html(contract: Contract, line: PaymentLine, today: datetime.date | None = None) -> str:
    return render_to_string("contracts/invoice_pdf.html", invoice_context(contract, line, today))


def invoice_pdf(contract: Contract, line: PaymentLine, today: datetime.date | None = None) -> bytes:
    from insats.platform.pdf import html_to_pdf

    return html_to_pdf(invoice_html(contract, line, today))


def _period(period: str) -> int | str:
    """A year period as a number (2027), other periods as text (2027-H1, 2027-Q3)."""
    return int(period) if period.isdigit() else period


def payments_xlsx(
    contract: Contract, lines, reports, ledger_entries, today: datetime.date | None = None
) -> bytes:
    """Workbook: Betalningar (one row per period and payer), Resultat, Fondbokföring, Metod. A
    payment's status is its state on ``today`` (``services_payments.payment_state``, as the page)."""
    today = today or timezone.localdate()
    wb = spreadsheets.new_workbook()
    ws = wb.active
    ws.title = _("Betalningar")[:31]
    money = "#,##0.00"  # Excel shows the reader's own thousands separator and decimal sign

    def unit(header: str) -> str:  # "(kr)" names the contract's currency when it is not SEK
        return header if contract.currency == "SEK" else header.replace("(kr)", f"({contract.currency})")

    spreadsheets.append(
        ws,
        [
            _("Period"),
            _("Betalare"),
            unit(_("Planerat (kr)")),
            unit(_("Att betala (kr)")),
            _("Status"),
            unit(_("Betalt (kr)")),
        ],
    )
    for line in lines:
        spreadsheets.append(
            ws,
            [
                _period(line.period),
                line.payer.organisation.name,
                line.planned,
                line.due,
                sp.payment_state_text(sp.payment_state(line, today)),
                line.paid_amount,
            ],
        )
        for col in (3, 4, 6):
            ws.cell(row=ws.max_row, column=col).number_format = money
    rs = wb.create_sheet(_("Resultat")[:31])
    spreadsheets.append(
        rs, [_("Period"), _("Utfallsmått"), _("Kohort"), _("Uppmätt"), _("Jämförelse"), _("Status")]
    )
    for r in reports:
        spreadsheets.append(
            rs,
            [
                _period(r.period),
                r.metric.name,
                r.cohort.name if r.cohort_id else _("Totalt"),
                r.value,
                r.counterfactual_value,
                r.get_status_display(),
            ],
        )
    if ledger_entries is not None:
        ls = wb.create_sheet(_("Fondbokföring")[:31])
        spreadsheets.append(ls, [_("Period"), _("Slag"), unit(_("Belopp (kr)"))])
        for e in ledger_entries:
            spreadsheets.append(ls, [_period(e.period), e.get_kind_display(), e.amount])
            ls.cell(row=ls.max_row, column=3).number_format = money
    ms = wb.create_sheet(_("Metod")[:31])
    for text in (
        _("Belopp att betala är beräknade av insats.core.payments.calculate över alla godkända resultat."),
        _(
            "Fondens bokföring är beräknad av insats.core.financing.waterfall "
            "över periodernas belopp att betala."
        ),
        _("Belopp är exakta till öret; delningen mellan betalare följer störst-rest-metoden."),
        _("Utskrivet %(when)s.") % {"when": local_time(timezone.now())},
    ):
        spreadsheets.append(ms, [text])
    return spreadsheets.workbook_bytes(wb)
