"""The portfolio as Excel and the review's board report as PDF (insats.platform.spreadsheets/pdf).
Every figure comes from :mod:`.figures`; numbers are formatted by insats.platform.formatting."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.platform import spreadsheets

from . import figures
from .models import PHASE_HELP, ReviewPhase


def portfolio_xlsx(fig: figures.PortfolioFigures) -> bytes:
    wb = spreadsheets.new_workbook()
    ws = wb.active
    ws.title = _("Insatser")
    spreadsheets.append(ws, [_("Portfölj"), fig.owner.name, _("År"), fig.year])
    spreadsheets.append(ws, [_("Total budget (kr)"), fig.total_budget, fig.budget_note])
    spreadsheets.append(ws, [])
    spreadsheets.append(
        ws,
        [
            _("Insats"),
            _("Belopp (kr)"),
            _("Andel av total budget"),
            _("Deltagare"),
            _("Kostnad per deltagare (kr)"),
            _("Årsarbetskrafter"),
        ],
    )
    for r in fig.rows:
        spreadsheets.append(
            ws, [r.intervention.name, r.amount, r.share, r.participants, r.per_participant, r.fte]
        )
    spreadsheets.append(
        ws, [_("Portföljen"), fig.portfolio_amount, fig.portfolio_share, fig.participants_total]
    )
    spreadsheets.append(ws, [_("Övrigt i budgeten"), None, fig.other_share])
    ws2 = wb.create_sheet(_("Medlemmar"))
    spreadsheets.append(
        ws2,
        [
            _("Medlem"),
            _("Andel av förbundets finansiering (%)"),
            _("Andel av kommunernas finansiering"),
            _("Deltagare"),
            _("Andel av deltagarna"),
            _("Skillnad (procentenheter)"),
            _("Skillnad (kr)"),
        ],
    )
    for m in fig.members:
        spreadsheets.append(
            ws2,
            [
                m.member.name,
                m.financing_percent,
                m.financing_share,
                m.participants,
                m.reach_share,
                m.gap_points,
                m.implied_amount,
            ],
        )
    spreadsheets.append(ws2, [])
    spreadsheets.append(ws2, [_("Deltagare utan kommun"), fig.participants_unattributed])
    for fm in fig.other_members:
        spreadsheets.append(ws2, [fm.member.name, fm.financing_share, _("finansierar hela området")])
    return spreadsheets.workbook_bytes(wb)


def gap_chart(fig: figures.PortfolioFigures):
    from insats.platform.charts import hbar_chart

    rows = [(m.member.name, 0.0, float(m.gap_points)) for m in fig.members]
    return hbar_chart(
        rows,
        title=_("Andel av deltagarna minus andel av finansieringen, procentenheter"),
        desc=_(
            "Staplar åt vänster: kommunen finansierar en större andel än den andel av deltagarna som bor "
            "där. Värdena finns i tabellen."
        ),
    )


def review_context(review) -> dict:
    fig = figures.review_figures(review)
    return {
        "review": review,
        "fig": fig,
        "chart": gap_chart(fig) if fig.members else None,
        "phase_help": PHASE_HELP[ReviewPhase(review.phase)],
        "items": review.items.select_related("intervention"),
        "findings": review.findings.select_related("intervention"),
        "recommendations": review.recommendations.select_related("owner_organisation"),
        "decisions": review.decisions.select_related("body"),
        "generated": timezone.localtime(),
    }


def review_pdf_html(review) -> str:
    return render_to_string("interventions/review_pdf.html", review_context(review))


def review_pdf(review) -> bytes:
    from insats.platform.pdf import html_to_pdf

    return html_to_pdf(review_pdf_html(review))
