"""The lägesbild page and its exports (PDF for the board, Excel for the analyst).

Thin: parse the query (area, comparison group, indicators), ask access.py, call
:func:`insats.situation.lagesbild.build`, draw the charts (``insats.platform.charts``) and render.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from insats.accounts import access
from insats.accounts.access import actor_for, require
from insats.audit.reads import export_audited
from insats.audit.services import log_action
from insats.platform import charts

from . import exports, lagesbild, selectors
from .labels import unit_label
from .models import AreaKind


def _parse(request, paged: bool = False):
    """(area, group, codes, lb) from the query string; 404 for an unknown area or group.

    No indicators chosen: the curated default (:func:`lagesbild.default_codes`), never everything.
    ``paged`` (the page): only the indicators of page ``?page=`` are built; ``request.lb_pages`` is
    set to (page, pages). The exports take the whole selection."""
    actor = actor_for(request)
    org = actor.organisation
    code = (request.GET.get("area") or "").strip()
    if code:
        area = selectors.area_by_code(code)
        if area is None or area.kind != AreaKind.KOMMUN:
            raise Http404
    else:
        area = lagesbild.default_area(org)
        if area is not None and area.kind != AreaKind.KOMMUN:
            area = None
    if area is None:
        return None, None, [], None
    group = None
    group_param = (request.GET.get("group") or "").strip()
    if group_param:
        if not group_param.isdigit():
            raise Http404
        group = selectors.area_groups_for(org).filter(pk=int(group_param)).first()
        if group is None:
            raise Http404
    codes = [c for c in request.GET.getlist("ind") if c]
    wanted = codes or lagesbild.default_codes(org)
    if paged:
        page = request.GET.get("page", "1")
        wanted, page, pages = lagesbild.page_of(org, wanted, int(page) if page.isdigit() else 1)
        request.lb_pages = (page, pages)
    lb = lagesbild.build(area, organisation=org, codes=wanted or ["-"], group=group)
    return area, group, codes, lb


def chart_pair(lb: lagesbild.Lagesbild, f: lagesbild.IndicatorFigures) -> dict:
    """The trend chart (observed, Riket, trend line, forecast band) and the strip chart of one indicator."""
    name = lb.area.name
    title = f.title
    series = [charts.Series(name, [(y, v) for y, v in f.area_series])]
    if any(v is not None for _y, v in f.riket_series):
        series.append(charts.Series(_("Riket"), [(y, v) for y, v in f.riket_series], color=charts.MUTED))
    band = None
    desc = _("%(area)s %(first)s–%(last)s.") % {
        "area": name,
        "first": f.area_series[0][0],
        "last": f.area_series[-1][0],
    }
    if f.trend is not None:
        t = f.trend
        fitted_last = t.fitted[-1]
        series.append(
            charts.Series(
                _("Trend och prognos"), [*t.fitted, *[(y, v) for y, v, _lo, _hi in t.forecasts]], dashed=True
            )
        )
        band_points = [(y, lo, hi) for y, _v, lo, hi in t.forecasts if lo is not None and hi is not None]
        if band_points:
            band = charts.Band(
                _("Prognosintervall %(level)s %%") % {"level": int(t.level * 100)},
                [(fitted_last[0], fitted_last[1], fitted_last[1]), *band_points],
            )
        desc += " " + _(
            "Trenden %(dir)s, %(slope)s %(unit)s per år; prognos %(year)s: %(value)s (%(lo)s–%(hi)s)."
        ) % {
            "dir": t.direction_label,
            "slope": t.slope_text,
            "unit": f.change_unit,
            "year": t.forecast_rows[-1][0],
            "value": t.forecast_rows[-1][1],
            "lo": t.forecast_rows[-1][2],
            "hi": t.forecast_rows[-1][3],
        }
    line = charts.line_chart(
        series,
        title=_("%(title)s – %(area)s över tid") % {"title": title, "area": name},
        desc=desc,
        band=band,
        y_label=unit_label(f.indicator.unit),
        height=260,
    )
    strip = None
    if f.strip:
        rank_desc = (
            _("%(area)s har rang %(rank)s av %(n)s (kvartil %(q)s).")
            % {"area": name, "rank": f.rank.rank, "n": f.rank.n, "q": f.rank.quartile}
            if f.rank
            else ""
        )
        strip = charts.strip_chart(
            f.strip,
            highlight=name,
            title=_("%(title)s %(year)s – alla kommuner") % {"title": title, "year": f.strip_year},
            desc=_("Varje punkt är en kommun (%(n)s st).") % {"n": len(f.strip)} + " " + rank_desc,
            higher_is_better=f.higher_is_better,
        )
    return {"line": line, "strip": strip}


def _context(request, area, group, codes, lb) -> dict:
    actor = actor_for(request)
    org = actor.organisation
    ctx = {
        # the empty page points to the Kolada sync page when the reader may start one
        "may_sync_kolada": org is not None and access.can(actor, "situation.kolada_sync"),
        "nav_active": "situation",
        "area": area,
        "lb": lb,
        "kommuner": selectors.kommuner().order_by("name"),
        "all_indicators": selectors.indicators_for(org).order_by("operating_area", "code"),
        "selected_codes": codes,
        "query": request.GET.urlencode(),
        "checked_codes": codes or lagesbild.default_codes(org),
    }
    page, pages = getattr(request, "lb_pages", (1, 1))
    if pages > 1:
        params = request.GET.copy()
        params.pop("page", None)
        base = params.urlencode()
        ctx["pagination"] = {
            "page": page,
            "pages": pages,
            "prev": f"?{base}&page={page - 1}" if page > 1 else "",
            "next": f"?{base}&page={page + 1}" if page < pages else "",
        }
    if lb is not None:
        drawn = {id(f): chart_pair(lb, f) for f in lb.figures}
        ctx["sections"] = [(name, [(f, drawn[id(f)]) for f in figs]) for name, figs in lb.sections]
    return ctx


@require("situation.view")
def home(request):
    area, group, codes, lb = _parse(request, paged=True)
    return render(request, "situation/lagesbild.html", _context(request, area, group, codes, lb))


def _export_log(request, area, fmt: str, lb) -> None:
    actor = actor_for(request)
    log_action(
        "situation.exported",
        organisation=actor.organisation,
        obj=area,
        changes={
            "format": fmt,
            "indicators": [f.code for f in lb.figures],
            "group": lb.group.pk if lb.group else None,
        },
    )


def _filename(area, ext: str) -> str:
    return f"lagesbild-{slugify(area.name)}.{ext}"


@require("situation.export")
@export_audited("situation")
def export_pdf(request):
    area, group, codes, lb = _parse(request)
    if lb is None:
        raise Http404
    ctx = _context(request, area, group, codes, lb)
    ctx["method_notes"] = exports.method_notes(lb)
    html = render_to_string("situation/lagesbild_pdf.html", ctx, request=request)
    pdf = exports.pdf_from_html(html, base_url=request.build_absolute_uri("/"))
    _export_log(request, area, "pdf", lb)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(area, "pdf")}"'
    return response


@require("situation.export")
@export_audited("situation")
def export_xlsx(request):
    area, group, codes, lb = _parse(request)
    if lb is None:
        raise Http404
    data = exports.workbook_bytes(lb)
    _export_log(request, area, "xlsx", lb)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(area, "xlsx")}"'
    return response
