"""A result with its indicators, targets, turn-the-curve record and action plan: chart, PDF and Excel.

The chart is server-rendered SVG (``insats.platform.charts``): the observed curve (the baseline), the
Theil–Sen trend and forecast with its 95 % prediction band, and one straight target path per
target. Every number comes from :func:`services_plans.result_figures` (the core computes them).
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.platform import spreadsheets
from insats.platform.charts import Band, Series, line_chart

from .labels import unit_label
from .models_plans import Result
from .services_plans import IndicatorFigures, finite, result_figures

TARGET_COLOR = "#38761d"


def indicator_chart(fig: IndicatorFigures):
    ri = fig.ri
    observed = [(float(y), v) for y, v in fig.series]
    series = [Series(_("Utfall"), observed)]
    band = None
    if fig.trend and fig.trend.forecasts:
        fc = [(float(p.year), p.value) for p in fig.trend.forecasts if finite(p.value)]
        series.append(Series(_("Trend och prognos"), fc, dashed=True))
        pts = [
            (float(p.year), p.lower, p.upper)
            for p in fig.trend.forecasts
            if finite(p.lower) and finite(p.upper)
        ]
        if pts:
            band = Band(_("Prognosintervall 95 %"), pts)
    for tf in fig.targets:
        if finite(tf.baseline) and finite(tf.value):
            series.append(
                Series(
                    _("Målbana %(year)s") % {"year": tf.target.year},
                    [(float(tf.target.baseline_year), tf.baseline), (float(tf.target.year), tf.value)],
                    dashed=True,
                    color=TARGET_COLOR,
                )
            )
    title = f"{ri.indicator.title_sv} – {ri.area.name}"
    desc = _(
        "Utfall per år, trend och prognos med 95 procents prognosintervall och målbana. "
        "Värdena finns i tabellen under diagrammet."
    )
    return line_chart(series, title=title, desc=desc, band=band, y_label=unit_label(ri.indicator.unit))


def _context(result: Result, figures: list[IndicatorFigures]) -> dict:
    return {
        "result": result,
        "figures": [{"fig": f, "chart": indicator_chart(f)} for f in figures],
        "actions": result.actions.select_related("owner_organisation"),
        "generated": timezone.localtime(),
    }


def result_pdf_html(result: Result, figures: list[IndicatorFigures] | None = None) -> str:
    figures = result_figures(result) if figures is None else figures
    return render_to_string("situation/result_pdf.html", _context(result, figures))


def result_pdf(result: Result) -> bytes:
    from insats.platform.pdf import html_to_pdf

    return html_to_pdf(result_pdf_html(result))


def result_xlsx(result: Result, figures: list[IndicatorFigures] | None = None) -> bytes:
    from openpyxl.styles import Font

    figures = result_figures(result) if figures is None else figures
    wb = spreadsheets.new_workbook()
    ws = wb.active
    ws.title = _("Resultat")[:31]
    bold = Font(bold=True)
    spreadsheets.append(ws, [_("Resultat"), result.title])
    spreadsheets.append(ws, [_("Målområde"), result.goal_area])
    spreadsheets.append(ws, [_("Målgrupp"), str(result.target_group or "")])
    spreadsheets.append(ws, [_("Organisation"), result.organisation.name])
    spreadsheets.append(ws, [_("Beskrivning"), result.description])
    spreadsheets.append(ws, [_("Skapad"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    for row in ws.iter_rows(min_col=1, max_col=1):
        row[0].font = bold

    data = wb.create_sheet(_("Indikatorer")[:31])
    spreadsheets.append(
        data,
        [
            _("Indikator"),
            _("Kod"),
            _("Område"),
            _("Kön"),
            _("År"),
            _("Utfall"),
            _("Prognos"),
            _("Prognos, nedre"),
            _("Prognos, övre"),
        ],
    )
    for f in figures:
        fc = {p.year: p for p in f.forecasts}
        years = sorted({y for y, _v in f.series} | set(fc))
        values = dict(f.series)
        for y in years:
            p = fc.get(y)
            spreadsheets.append(
                data,
                [
                    f.ri.indicator.title_sv,
                    f.ri.indicator.code,
                    f.ri.area.name,
                    f.ri.gender,
                    y,
                    values.get(y),
                    p.value if p else None,
                    p.lower if p else None,
                    p.upper if p else None,
                ],
            )

    targets = wb.create_sheet(_("Mål")[:31])
    spreadsheets.append(
        targets,
        [
            _("Indikator"),
            _("Område"),
            _("Basår"),
            _("Basvärde"),
            _("Målår"),
            _("Typ av mål"),
            _("Mått"),
            _("Målvärde"),
            _("Senaste år"),
            _("Senaste värde"),
            _("Andel av vägen"),
            _("Andel av tiden"),
            _("Enligt målbanan"),
            _("I fas"),
            _("Prognos för målåret"),
            _("Kommentar"),
        ],
    )
    for f in figures:
        for tf in f.targets:
            t = tf.target
            spreadsheets.append(
                targets,
                [
                    f.ri.indicator.title_sv,
                    f.ri.area.name,
                    t.baseline_year,
                    tf.baseline,
                    t.year,
                    t.get_kind_display(),
                    float(t.amount),
                    tf.value,
                    tf.current_year,
                    tf.current,
                    tf.achieved,
                    tf.elapsed,
                    tf.path_value,
                    None if tf.on_track is None else (_("ja") if tf.on_track else _("nej")),
                    tf.projected,
                    tf.problem or t.note,
                ],
            )

    ttc = wb.create_sheet(_("Vända kurvan")[:31])
    spreadsheets.append(
        ttc,
        [
            _("Indikator"),
            _("Område"),
            _("Berättelsen bakom kurvan"),
            _("Partner som kan bidra"),
            _("Vad fungerar"),
        ],
    )
    for f in figures:
        spreadsheets.append(
            ttc, [f.ri.indicator.title_sv, f.ri.area.name, f.ri.story, f.ri.partners, f.ri.what_works]
        )

    plan = wb.create_sheet(_("Aktivitetsplan")[:31])
    spreadsheets.append(
        plan,
        [
            _("Aktivitet"),
            _("Ansvarig organisation"),
            _("Ansvarig person"),
            _("Start"),
            _("Slut"),
            _("Status"),
        ],
    )
    for a in result.actions.select_related("owner_organisation"):
        spreadsheets.append(
            plan, [a.action, a.owner_organisation.name, a.responsible, a.start, a.end, a.get_status_display()]
        )
    for sheet in wb.worksheets[1:]:
        for cell in sheet[1]:
            cell.font = bold
    return spreadsheets.workbook_bytes(wb)
