"""The map as Excel and as a PDF for the board (landscape): the matrix, the gaps with reasons, the
factors and the inputs (interventions and target groups) behind every figure."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.core import coverage as core
from insats.interventions.catalogue.models import Intensity
from insats.platform import spreadsheets

from .selectors import MapData, bbic_label


def status_labels() -> dict[str, str]:
    return {
        core.COVERED: _("Täckt"),
        core.PARTIAL: _("Delvis täckt"),
        core.NO_CAPACITY: _("Inga platser"),
        core.NO_NEED: _("Inget placerat behov"),
        core.FACTOR_GAP: _("Lucka"),
        core.FACTOR_ADDRESSED: _("Insatser finns"),
        core.FACTOR_NOT_NAMED: _("Nämns inte i orsaksanalyserna"),
    }


def map_xlsx(data: MapData, organisation) -> bytes:
    from openpyxl.styles import Font

    labels = status_labels()
    bold = Font(bold=True)
    wb = spreadsheets.new_workbook()
    ws = wb.active
    ws.title = _("Karta")[:31]
    spreadsheets.append(ws, [_("Karta: åldersgrupp × intensitet"), organisation.name if organisation else ""])
    spreadsheets.append(ws, [_("Skapad"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    spreadsheets.append(ws, [])
    spreadsheets.append(ws, [_("Intensitet"), *[b.label for b in data.bands]])
    for row in data.rows:
        spreadsheets.append(
            ws,
            [
                row.label,
                *[
                    _("%(capacity)s platser / behov %(need)s")
                    % {"capacity": c.cell.capacity, "need": "–" if c.cell.need is None else c.cell.need}
                    for c in row.cells
                ],
            ],
        )
    for cell in ws[4]:
        cell.font = bold

    cells = wb.create_sheet(_("Celler")[:31])
    spreadsheets.append(
        cells,
        [
            _("Intensitet"),
            _("Åldersgrupp"),
            _("Platser"),
            _("Räckvidd"),
            _("Behov"),
            _("Täckning"),
            _("Lucka"),
            _("Status"),
            _("Skäl"),
            _("Insatser (platser)"),
            _("Målgrupper (behov)"),
        ],
    )
    for row in data.rows:
        for c in row.cells:
            spreadsheets.append(
                cells,
                [
                    row.label,
                    c.band.label,
                    c.cell.capacity,
                    c.cell.reach,
                    c.cell.need,
                    float(c.cell.coverage) if c.cell.coverage is not None else None,
                    c.cell.gap,
                    labels[c.cell.status],
                    c.reason,
                    "; ".join(f"{s.intervention.name} ({s.share.capacity})" for s in c.supplies),
                    "; ".join(f"{n.group.name} ({n.amount})" for n in c.needs),
                ],
            )

    gaps = wb.create_sheet(_("Luckor")[:31])
    spreadsheets.append(gaps, [_("Skäl"), _("Behov"), _("Platser"), _("Lucka")])
    for c in data.gaps:
        spreadsheets.append(gaps, [c.reason, c.cell.need, c.cell.capacity, c.cell.gap])
    for f in data.factor_gaps:
        spreadsheets.append(gaps, [f.reason, None, None, None])

    factors = wb.create_sheet(_("Faktorer")[:31])
    spreadsheets.append(
        factors, [_("Faktor"), _("BBIC-sida"), _("Nämns i orsaksanalyser"), _("Insatser"), _("Status")]
    )
    for f in data.factors:
        spreadsheets.append(
            factors,
            [
                f.factor.name_sv,
                bbic_label(f.factor.bbic_side),
                f.result.named_in,
                "; ".join(i.name for i in f.interventions),
                labels[f.result.status],
            ],
        )

    items = wb.create_sheet(_("Indata insatser")[:31])
    spreadsheets.append(
        items,
        [
            _("Insats"),
            _("Ägare"),
            _("Intensitet"),
            _("Åldersgrupper"),
            _("Platser per år"),
            _("Årsbudget (kr)"),
            _("Evidens"),
        ],
    )
    for i in data.interventions:
        spreadsheets.append(
            items,
            [
                i.name,
                i.organisation.name,
                i.get_intensity_display(),
                ", ".join(b.label for b in i.map_bands),
                i.capacity_per_year,
                i.annual_budget,
                i.get_evidence_level_display(),
            ],
        )

    groups = wb.create_sheet(_("Indata målgrupper")[:31])
    spreadsheets.append(
        groups,
        [_("Målgrupp"), _("Ålder från"), _("Ålder till"), _("Uppskattat antal"), _("Källa"), _("Intensitet")],
    )
    intensity = dict(_intensity_choices())
    for g, placed in data.groups:
        spreadsheets.append(
            groups,
            [
                g.name,
                g.age_from,
                g.age_to,
                g.estimated_size,
                g.size_source,
                intensity.get(placed, _("Inte placerad")),
            ],
        )
    return spreadsheets.workbook_bytes(wb)


def _intensity_choices():
    return [(k, str(v)) for k, v in Intensity.choices]


def map_pdf_html(data: MapData, organisation) -> str:
    return render_to_string(
        "interventions/map_pdf.html",
        {
            "map": data,
            "organisation": organisation,
            "labels": status_labels(),
            "intensity": dict(_intensity_choices()),
            "generated": timezone.localtime(),
        },
    )


def map_pdf(data: MapData, organisation) -> bytes:
    from insats.platform.pdf import html_to_pdf

    return html_to_pdf(map_pdf_html(data, organisation))
