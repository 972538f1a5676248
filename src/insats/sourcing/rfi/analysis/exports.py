"""The analysis as Excel (through insats.platform.spreadsheets) and PDF (insats.platform.pdf).

Both are the buyer's own working material: they contain answers whose senders asked for secrecy,
and say so at the top. What is handed out to others goes through a secrecy assessment."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.platform import spreadsheets

from .selectors import Analysis


def warning() -> str:
    return _(
        "Internt arbetsmaterial. Innehåller svar som avsändaren begärt sekretess för; lämnas ut endast "
        "efter sekretessprövning (maskerad kopia)."
    )


def filter_line(analysis: Analysis) -> str:
    if not analysis.active_filters:
        return _("Alla inskickade svar.")
    return _("Urval: %(f)s.") % {"f": "; ".join(f"{q} = {v}" for q, v in analysis.active_filters)}


def analysis_xlsx(analysis: Analysis) -> bytes:
    wb = spreadsheets.new_workbook()
    ws = wb.active
    ws.title = _("Svar")[:31]
    spreadsheets.append(ws, [analysis.rfi.title])
    spreadsheets.append(ws, [warning()])
    spreadsheets.append(ws, [filter_line(analysis)])
    spreadsheets.append(ws, [])
    spreadsheets.append(
        ws,
        [
            _("Fråga"),
            _("Svarande"),
            _("Svar"),
            _("Svar på följdfrågan"),
            _("Begär sekretess"),
            _("Skäl för sekretess"),
        ],
    )
    for table in analysis.tables:
        for row in table.rows:
            spreadsheets.append(
                ws,
                [
                    table.text,
                    row.respondent,
                    row.answer,
                    row.follow_up,
                    _("Ja") if row.secrecy_requested else _("Nej"),
                    row.secrecy_reason,
                ],
            )
    ws2 = wb.create_sheet(_("Kompetenser och resurser")[:31])
    spreadsheets.append(ws2, [_("Svarande"), _("Kompetenser som erbjuds"), _("Resurser som erbjuds")])
    for o in analysis.offered:
        spreadsheets.append(ws2, [o.respondent, o.competences, o.resources])
    return spreadsheets.workbook_bytes(wb)


def analysis_pdf_html(analysis: Analysis) -> str:
    return render_to_string(
        "sourcing/rfi/analysis/pdf.html",
        {
            "analysis": analysis,
            "warning": warning(),
            "filter_line": filter_line(analysis),
            "generated": timezone.localtime(),
        },
    )


def analysis_pdf(analysis: Analysis) -> bytes:
    from insats.platform.pdf import html_to_pdf

    return html_to_pdf(analysis_pdf_html(analysis))
