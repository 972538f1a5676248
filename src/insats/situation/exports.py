"""Exports of a lägesbild: a PDF for the board meeting (WeasyPrint, A4) and an Excel workbook.

The workbook has three sheets: **Nyckeltal** (one row per indicator with every figure of the page),
**Observationer** (the area's and Riket's series, by gender) and **Metod** (how each figure was
computed, the sources, and the demo-data notice when demo data is included).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from insats.platform import spreadsheets
from insats.platform.pdf import html_to_pdf

from .lagesbild import FORECAST_YEARS, LEVEL, MIN_COUNT, Lagesbild
from .methods import computed_by_text


def pdf_from_html(html: str, *, base_url: str | None = None) -> bytes:
    """Render HTML (with inline SVG charts) to PDF bytes."""
    return html_to_pdf(html, base_url=base_url)


FIGURE_COLUMNS = [
    ("code", "Kod"),
    ("title", "Indikator"),
    ("unit", "Enhet"),
    ("polarity", "Riktning"),
    ("year", "År"),
    ("value", "Värde"),
    ("rank", "Rang bland alla kommuner"),
    ("n", "Antal kommuner med värde"),
    ("quartile", "Kvartil (1 = bästa 25 %)"),
    ("percentile", "Percentil (högre = bättre)"),
    ("group", "Jämförelsegrupp"),
    ("group_rank", "Rang i gruppen"),
    ("group_n", "Antal i gruppen med värde"),
    ("group_quartile", "Kvartil i gruppen"),
    ("slope", "Trend per år (Theil–Sen)"),
    ("direction", "Trendens riktning"),
    ("forecast_year", "Prognosår"),
    ("forecast", "Prognos"),
    ("forecast_lower", "Prognosintervall, nedre"),
    ("forecast_upper", "Prognosintervall, övre"),
    ("expected", "Modellberäknat värde"),
    ("residual", "Avvikelse från modellberäknat värde"),
    ("standardised", "Avvikelse, standardiserad"),
    ("r2", "R²"),
    ("deviation_quartile", "Kvartil efter avvikelse"),
    ("women", "Flickor/kvinnor"),
    ("men", "Pojkar/män"),
    ("source", "Källa (värden)"),
    ("derived", "Källa (beräkningar)"),
]


def figure_rows(lb: Lagesbild) -> list[dict]:
    rows = []
    for f in lb.figures:
        row = {
            "code": f.code,
            "title": f.indicator.title_sv,
            "unit": f.indicator.unit,
            "polarity": f.polarity_label,
            "year": f.year,
            "value": None if f.hidden else f.value,
            "source": f.provenance.raw_label,
            "derived": f.provenance.derived_label,
        }
        if f.rank:
            row.update(
                rank=f.rank.rank, n=f.rank.n, quartile=f.rank.quartile, percentile=round(f.rank.percentile, 2)
            )
        if f.peer:
            row.update(
                group=f.peer.group_name,
                group_rank=f.peer.rank,
                group_n=f.peer.n,
                group_quartile=f.peer.quartile,
            )
        if f.trend:
            y, v, lo, hi = f.trend.forecasts[-1]
            row.update(
                slope=f.trend.slope,
                direction=f.trend.direction_label,
                forecast_year=y,
                forecast=v,
                forecast_lower=lo,
                forecast_upper=hi,
            )
        if f.expected:
            e = f.expected
            row.update(expected=e.expected, residual=e.residual, standardised=e.standardised, r2=e.r2)
            if e.deviation_rank:
                row["deviation_quartile"] = e.deviation_rank.quartile
        for g in f.gender:
            if g.gender in ("K", "M"):
                row["women" if g.gender == "K" else "men"] = None if g.hidden else g.value
        rows.append(row)
    return rows


def method_notes(lb: Lagesbild) -> list[tuple[str, str]]:
    notes = [
        (_("Område"), f"{lb.area.name} ({lb.area.code})"),
        (
            _("Rang och kvartil"),
            _(
                "Rang 1 är bästa kommun med hänsyn till indikatorns riktning; lika värden delar bästa rang. "
                "Kvartil = ⌈4 · rang / n⌉, 1 = bästa fjärdedelen, 4 = sämsta. n = kommuner med värde."
            )
            + " "
            + computed_by_text("insats.core.indicators.rank_areas"),
        ),
        (
            _("Jämförelsegrupp"),
            (lb.group.name if lb.group else _("ingen"))
            + ". "
            + _("Kommunen rangordnas tillsammans med gruppens medlemmar (samma beräkning som ovan)."),
        ),
        (
            _("Trend och prognos"),
            _(
                "Theil–Sen-linje (medianen av lutningarna mellan alla par av år) genom kommunens värden; "
                "prognos %(years)s år framåt med %(level)s %% prognosintervall "
                "ŷ ± t·s·√(1 + 1/n + (år − medelår)²/Sxx)."
            )
            % {"years": FORECAST_YEARS, "level": int(LEVEL * 100)}
            + " "
            + computed_by_text("insats.core.indicators.theil_sen", "insats.core.indicators.forecast"),
        ),
        (
            _("Modellberäknat värde"),
            _(
                "OLS-regression över alla kommuner av indikatorn på föräldrarnas utbildningsnivå och andelen "
                "barn i ekonomiskt utsatta familjer (samma år, annars senaste tidigare år). Avvikelse = "
                "observerat − modellberäknat; standardiserad = avvikelse / s."
            )
            + " "
            + computed_by_text("insats.core.indicators.expected_values"),
        ),
        (
            _("Röjandeskydd"),
            _(
                "Värden som bygger på färre än %(n)s barn visas inte och rangordnas inte; "
                "könsuppdelade antal skyddas med primär och sekundär undertryckning."
            )
            % {"n": MIN_COUNT}
            + " "
            + computed_by_text("insats.core.disclosure.suppress"),
        ),
        (_("Källor"), "; ".join(sorted({f.provenance.raw_label for f in lb.figures}))),
        (_("Bearbetning"), "; ".join(sorted({f.provenance.derived_label for f in lb.figures}))),
    ]
    if lb.has_demo:
        notes.insert(
            0,
            (
                _("DEMODATA"),
                _("Underlaget innehåller demodata: syntetiska värden som inte är verklig statistik."),
            ),
        )
    return notes


def workbook_bytes(lb: Lagesbild) -> bytes:
    from openpyxl.styles import Font

    wb = spreadsheets.new_workbook()
    ws = wb.active
    ws.title = "Nyckeltal"
    bold = Font(bold=True)
    header_row = 1
    if lb.has_demo:
        spreadsheets.append(ws, [_("DEMODATA – syntetiska värden, inte verklig statistik")])
        ws["A1"].font = bold
        header_row = 2
    spreadsheets.append(ws, [label for _k, label in FIGURE_COLUMNS])
    for cell in ws[header_row]:
        cell.font = bold
    for row in figure_rows(lb):
        spreadsheets.append(ws, [row.get(k) for k, _l in FIGURE_COLUMNS])
    ws.freeze_panes = ws.cell(row=header_row + 1, column=3)

    obs = wb.create_sheet("Observationer")
    spreadsheets.append(obs, ["Kod", "Indikator", "Område", "År", "Kön", "Värde", "Källa"])
    for cell in obs[1]:
        cell.font = bold
    for f in lb.figures:
        for y, v in f.area_series:
            hidden = f.hidden and y == f.year
            spreadsheets.append(
                obs,
                [
                    f.code,
                    f.indicator.title_sv,
                    lb.area.name,
                    y,
                    "T",
                    None if hidden else v,
                    f.provenance.raw_label,
                ],
            )
        for g in f.gender:
            if g.gender != "T":
                spreadsheets.append(
                    obs,
                    [
                        f.code,
                        f.indicator.title_sv,
                        lb.area.name,
                        f.year,
                        g.gender,
                        None if g.hidden else g.value,
                        f.provenance.raw_label,
                    ],
                )
        for y, v in f.riket_series:
            if v is not None:
                spreadsheets.append(
                    obs, [f.code, f.indicator.title_sv, "Riket", y, "T", v, f.provenance.raw_label]
                )

    method = wb.create_sheet("Metod")
    spreadsheets.append(method, ["Avsnitt", "Beskrivning"])
    for cell in method[1]:
        cell.font = bold
    for title, text in method_notes(lb):
        spreadsheets.append(method, [title, text])
    method.column_dimensions["A"].width = 24
    method.column_dimensions["B"].width = 120
    return spreadsheets.workbook_bytes(wb)
