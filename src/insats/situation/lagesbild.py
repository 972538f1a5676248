"""The lägesbild of one area: every figure the page, the PDF, the Excel file and the API show.

:func:`build` reads what it needs in two queries (the area's own series, and one cross-section of all
kommuner per indicator) and computes every number with :mod:`insats.core` in vectorised calls:

* ranks, quartiles and percentiles among all kommuner — ``rank_areas`` over an
  ``(kommuner, indicators)`` matrix, one call for all indicators;
* the same among the comparison group ("Liknande kommuner") — ``rank_areas`` on the group's rows;
* trend and forecast with a 95 % prediction interval — ``theil_sen`` over an ``(indicators, years)``
  matrix and ``forecast`` for the next three years;
* the expected value from socio-economic covariates and the deviation from it — ``expected_values``
  (OLS across all kommuner), and the rank of the deviation with ``rank_areas``;
* small counts — ``disclosure.suppress`` on the area's table of counts by gender; a value whose
  count is hidden is not shown, and values of any kommun resting on fewer than
  :data:`MIN_COUNT` children are treated as missing (not ranked, not drawn).

Nothing here formats HTML; the ``*_text`` properties give Swedish number formatting for templates.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from insats.core import indicators as core
from insats.core.disclosure import SuppressionRequest, suppress

from . import cross_sections, numbers, selectors
from .cross_sections import ADJUSTMENTS, MIN_COUNT, SCHOOL_COVARIATES  # noqa: F401  (re-exported)
from .models import (
    DEMO_SOURCE_LABEL,
    KOLADA_PROCESSED_LABEL,
    KOLADA_SOURCE_LABEL,
    Area,
    AreaGroup,
    AreaGroupKind,
    AreaKind,
    Gender,
    GroupObservation,
    Indicator,
    IndicatorSource,
    Observation,
    PeriodType,
    Polarity,
)

FORECAST_YEARS = 3
LEVEL = 0.95
RIKET = "0000"

# MIN_COUNT and ADJUSTMENTS (covariates of the expected values) live in cross_sections.py.


def _num(value: float | None, decimals: int | None = None) -> str:
    return numbers.fmt_num(value, decimals)


def _opt(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


# --------------------------------------------------------------------------------------- figures


@dataclass
class Provenance:
    """Where a figure's inputs come from, and how to label raw and derived figures."""

    sources: frozenset[str]

    @property
    def is_demo(self) -> bool:
        return IndicatorSource.DEMO in self.sources

    @property
    def raw_label(self) -> str:
        labels = []
        if IndicatorSource.KOLADA in self.sources:
            labels.append(KOLADA_SOURCE_LABEL)
        if IndicatorSource.SCB in self.sources:
            labels.append(_("Källa: SCB"))
        if IndicatorSource.OWN in self.sources:
            labels.append(_("Källa: egen uppgift från organisationen"))
        if self.is_demo:
            labels.append(DEMO_SOURCE_LABEL)
        return "; ".join(labels) or "–"

    @property
    def derived_label(self) -> str:
        labels = []
        if IndicatorSource.KOLADA in self.sources:
            labels.append(KOLADA_PROCESSED_LABEL + " " + _("(beräknat av Insats)"))
        if self.sources - {IndicatorSource.KOLADA, IndicatorSource.DEMO}:
            labels.append(_("Insats egen bearbetning av uppgifterna"))
        if self.is_demo:
            labels.append(_("Insats egen beräkning på demodata (inte verklig statistik)"))
        return "; ".join(labels) or "–"


@dataclass
class RankFigure:
    year: int
    rank: int
    n: int
    quartile: int
    percentile: float

    @property
    def percentile_text(self) -> str:
        return _num(self.percentile, 1)


@dataclass
class PeerFigure:
    group_id: int
    group_name: str
    year: int
    rank: int | None
    n: int
    quartile: int | None
    members: list[tuple[str, float | None, bool]]  # (name, value, is_the_area), best first
    decimals: int = 1
    # Insats's own processing: the unweighted mean of the members' values (hidden ones left out).
    mean: float | None = None
    # Kolada's own average for the group (a Kolada group we hold), as Kolada publishes it.
    kolada_mean: float | None = None
    kolada_count: int | None = None

    @property
    def member_rows(self) -> list[tuple[str, str, bool]]:
        return [(name, _num(v, self.decimals), me) for name, v, me in self.members]

    @property
    def mean_text(self) -> str:
        return _num(self.mean, self.decimals)

    @property
    def kolada_mean_text(self) -> str:
        return "" if self.kolada_mean is None else _num(self.kolada_mean, self.decimals)

    @property
    def kolada_label(self) -> str:
        return KOLADA_SOURCE_LABEL


@dataclass
class TrendFigure:
    method: str
    n: int
    first_year: int
    last_year: int
    slope: float
    direction: str  # improving / worsening / flat / unknown
    fitted: list[tuple[int, float]]
    forecasts: list[tuple[int, float, float | None, float | None]]  # year, value, lower, upper
    level: float = LEVEL
    decimals: int = 1

    @property
    def slope_text(self) -> str:
        return _num(self.slope, self.decimals + 1)

    @property
    def direction_label(self) -> str:
        return {
            "improving": _("förbättras"),
            "worsening": _("försämras"),
            "flat": _("oförändrad"),
            "unknown": _("ingen riktning (neutral indikator)"),
        }[self.direction]

    @property
    def forecast_rows(self) -> list[tuple[int, str, str, str]]:
        d = self.decimals
        return [(y, _num(v, d), _num(lo, d), _num(hi, d)) for y, v, lo, hi in self.forecasts]


@dataclass
class ExpectedFigure:
    year: int
    covariates: list[tuple[str, str, int, float | None]]  # code, title, year used, the area's value
    coefficients: list[tuple[str, float]]  # ("intercept"|code, coefficient)
    r2: float
    n: int
    s: float
    observed: float
    expected: float
    residual: float
    standardised: float
    studentised: float
    better_than_expected: bool | None
    deviation_rank: RankFigure | None
    decimals: int = 1

    @property
    def expected_text(self) -> str:
        return _num(self.expected, self.decimals)

    @property
    def residual_text(self) -> str:
        return numbers.fmt_num(self.residual, self.decimals, sign=True)

    @property
    def standardised_text(self) -> str:
        return _num(self.standardised, 2)

    @property
    def studentised_text(self) -> str:
        return _num(self.studentised, 2)

    @property
    def r2_text(self) -> str:
        return _num(self.r2, 2)

    @property
    def s_text(self) -> str:
        return _num(self.s, 2)

    @property
    def coefficient_rows(self) -> list[tuple[str, str]]:
        return [(name, _num(c, 3)) for name, c in self.coefficients]

    @property
    def covariate_rows(self) -> list[tuple[str, str, int, str]]:
        return [(code, title, year, _num(v, 1)) for code, title, year, v in self.covariates]


@dataclass
class GenderRow:
    gender: str
    label: str
    value: float | None
    count: int | None
    hidden: bool
    reason: str = ""
    decimals: int = 1

    @property
    def value_text(self) -> str:
        return _("dold") if self.hidden else _num(self.value, self.decimals)

    @property
    def count_text(self) -> str:
        if self.count is None:
            return "–"
        return _("dold") if self.hidden else _num(self.count, 0)


@dataclass
class IndicatorFigures:
    indicator: Indicator
    decimals: int
    year: int | None
    value: float | None
    count: int | None
    hidden: bool  # small count
    preliminary: bool
    provenance: Provenance
    area_series: list[tuple[int, float | None]]
    riket_series: list[tuple[int, float | None]]
    rank: RankFigure | None = None
    peer: PeerFigure | None = None
    trend: TrendFigure | None = None
    expected: ExpectedFigure | None = None
    gender: list[GenderRow] = field(default_factory=list)
    strip: list[tuple[str, float]] = field(default_factory=list)
    strip_year: int | None = None

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def title(self) -> str:
        """The title in the page's language (the English title where there is one)."""
        if (get_language() or "sv").startswith("en") and self.indicator.title_en:
            return self.indicator.title_en
        return self.indicator.title_sv

    @property
    def higher_is_better(self) -> bool | None:
        return {Polarity.HIGHER_BETTER: True, Polarity.LOWER_BETTER: False}.get(self.indicator.polarity)

    @property
    def value_text(self) -> str:
        if self.hidden:
            return _("dold (färre än %(n)s)") % {"n": MIN_COUNT}
        return _num(self.value, self.decimals)

    @property
    def change_unit(self) -> str:
        """Unit of trends and deviations: percentage points for percentage indicators."""
        return numbers.change_unit(self.indicator.unit)

    @property
    def polarity_label(self) -> str:
        return str(self.indicator.get_polarity_display())

    @property
    def gender_text(self) -> str:
        """ "Flickor/kvinnor: 17,1; Pojkar/män: 16,9" — the split by gender, Totalt left out."""
        return "; ".join(f"{g.label}: {g.value_text}" for g in self.gender if g.gender != "T")

    @property
    def has_counts(self) -> bool:
        return any(g.count is not None for g in self.gender)

    @property
    def series_rows(self) -> list[tuple[int, str, str]]:
        riket = dict(self.riket_series)
        return [(y, _num(v, self.decimals), _num(riket.get(y), self.decimals)) for y, v in self.area_series]


@dataclass
class Lagesbild:
    area: Area
    group: AreaGroup | None
    groups: list[AreaGroup]
    figures: list[IndicatorFigures]
    kommuner: int

    @property
    def has_demo(self) -> bool:
        return any(f.provenance.is_demo for f in self.figures)

    @property
    def sections(self) -> list[tuple[str, list[IndicatorFigures]]]:
        out: dict[str, list[IndicatorFigures]] = {}
        for f in self.figures:
            out.setdefault(f.indicator.operating_area or _("Övriga indikatorer"), []).append(f)
        return list(out.items())


# --------------------------------------------------------------------------------------- helpers


def decimals_for(indicator: Indicator) -> int:
    unit = (indicator.unit or "").lower()
    if unit.startswith("kr"):
        return 0
    return 2 if indicator.code == "DEMO20" else 1


# What the page opens on when nothing is chosen: about a dozen child-and-youth indicators (school
# results, absence, school satisfaction, out-of-home care, reports of concern), never everything.
DEFAULT_CODES = [
    "N15505",
    "N15419",
    "N15428",
    "DEMO10",
    "DEMO11",
    "DEMO12",
    "DEMO13",
    "DEMO14",
    "DEMO15",
    "DEMO20",
    "DEMO23",
    "DEMO25",
]
DEFAULT_SIZE = len(DEFAULT_CODES)
PAGE_SIZE = 20  # indicators per page of a longer selection


def default_codes(organisation) -> list[str]:
    """The curated default that exists in the organisation's catalogue; where none of it does (a
    catalogue of other indicators), the first :data:`DEFAULT_SIZE` indicators in page order."""
    catalogue = selectors.indicators_for(organisation)
    found = set(catalogue.filter(code__in=DEFAULT_CODES).values_list("code", flat=True))
    if found:
        return [c for c in DEFAULT_CODES if c in found]
    return list(
        catalogue.order_by("operating_area", "title_sv", "code").values_list("code", flat=True)[:DEFAULT_SIZE]
    )


def page_of(organisation, codes: list[str], page: int) -> tuple[list[str], int, int]:
    """(codes on ``page``, the page number used, number of pages): a selection in page order
    (operating area, title), :data:`PAGE_SIZE` indicators a page."""
    ordered = list(
        selectors.indicators_for(organisation)
        .filter(code__in=codes)
        .order_by("operating_area", "title_sv", "code")
        .values_list("code", flat=True)
        .distinct()
    )
    pages = max(1, math.ceil(len(ordered) / PAGE_SIZE))
    page = min(max(1, page), pages)
    return ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], page, pages


def default_area(organisation) -> Area | None:
    """The organisation's own area (its kommun- or länskod), else None."""
    code = getattr(organisation, "area_code", "") if organisation is not None else ""
    return selectors.area_by_code(code) if code else None


def groups_for_area(area: Area, organisation) -> list[AreaGroup]:
    """Comparison groups for ``area``: groups named after it ("Liknande kommuner …, Tomelilla …")
    first, then the other groups it is a member of. Only groups the organisation may use."""
    visible = selectors.area_groups_for(organisation)
    pattern = re.compile(rf",\s*{re.escape(area.name)}(\s|,|$|\()")
    named = [g for g in visible.filter(name__contains=area.name) if pattern.search(g.name)]
    members = [g for g in visible.filter(members=area) if g not in named]
    return named + members


def _group_member_ids(group: AreaGroup, area: Area) -> list[int]:
    ids = list(group.members.values_list("id", flat=True))
    return [area.id] + [i for i in ids if i != area.id]


# --------------------------------------------------------------------------------------- build


def build(
    area: Area,
    *,
    organisation=None,
    codes: list[str] | None = None,
    group: AreaGroup | None = None,
) -> Lagesbild:
    """Assemble the lägesbild of ``area`` (a kommun) for the indicators visible to ``organisation``.

    ``codes`` picks indicators (default: every indicator with values for kommuner); ``group`` the
    comparison group (default: the first of :func:`groups_for_area`).
    """
    groups = groups_for_area(area, organisation)
    if group is None and groups:
        group = groups[0]
    inds_qs = selectors.indicators_for(organisation)
    if codes:
        inds_qs = inds_qs.filter(code__in=codes)
    indicators = {i.pk: i for i in inds_qs}
    kommuner = list(Area.objects.filter(kind=AreaKind.KOMMUN).order_by("code").values_list("id", "name"))
    k_index = {aid: i for i, (aid, _n) in enumerate(kommuner)}
    riket = Area.objects.filter(code=RIKET).values_list("id", flat=True).first()

    # Query 1: the area's (and Riket's) series, every gender: O(selected indicators × years).
    own_rows = list(
        Observation.objects.filter(
            period_type=PeriodType.YEAR,
            period_part=0,
            indicator__in=list(indicators),
            area__in=[area.pk] + ([riket] if riket else []),
        ).values_list(
            "indicator_id", "area_id", "period", "gender", "value", "count", "source", "preliminary"
        )
    )
    series: dict[int, dict[str, dict[int, tuple]]] = {}
    riket_series: dict[int, dict[int, float | None]] = {}
    for ind, aid, year, g, value, count, source, prel in own_rows:
        v = None if value is None else float(value)
        if aid == area.pk:
            series.setdefault(ind, {}).setdefault(g, {})[year] = (v, count, source, prel)
        elif g == Gender.TOTAL:
            riket_series.setdefault(ind, {})[year] = v
    # The year shown: the area's latest year with a total value.
    latest = {
        ind: max(y for y, cell in by_g[Gender.TOTAL].items() if cell[0] is not None)
        for ind, by_g in series.items()
        if any(cell[0] is not None for cell in by_g.get(Gender.TOTAL, {}).values())
    }

    shown = sorted(
        (i for i in indicators.values() if i.pk in latest),
        key=lambda i: (i.operating_area, i.title_sv),
    )
    me = k_index.get(area.pk)
    figures = [
        _base_figures(ind, series[ind.pk], riket_series.get(ind.pk, {}), latest[ind.pk]) for ind in shown
    ]
    if me is None or not figures:
        return Lagesbild(area, group, groups, figures, len(kommuner))

    # Query 2: one stored cross-section per shown indicator (recomputed first if stale).
    sections = cross_sections.fresh(indicators, {(f.indicator.pk, f.year) for f in figures})
    k_ids = [aid for aid, _n in kommuner]
    columns = []
    for f in figures:
        data = sections[(f.indicator.pk, f.year)].data
        if data["ids"] == k_ids:
            vec = np.array(data["values"], dtype=float)
        else:  # a kommun added or removed since: align by id
            by_id = dict(zip(data["ids"], data["values"], strict=True))
            vec = np.array([by_id.get(aid) for aid in k_ids], dtype=float)
        if f.hidden:  # a hidden value must not be recoverable from a rank, a dot or a deviation
            vec[me] = np.nan
        columns.append(vec)
        f.provenance = Provenance(frozenset(f.provenance.sources | set(data["sources"])))
        hib = f.higher_is_better
        ix = data["ids"].index(area.pk) if area.pk in data["ids"] else None
        if hib is not None and not f.hidden and ix is not None and data["rank"][ix] is not None:
            f.rank = RankFigure(
                f.year, data["rank"][ix], data["n"], data["quartile"][ix], data["percentile"][ix]
            )
        if data.get("expected") and not f.hidden and ix is not None:
            _expected_figure(f, data["expected"], ix)
    matrix = np.column_stack(columns)

    ranked = [j for j, f in enumerate(figures) if f.higher_is_better is not None]
    if ranked and group is not None:
        # Among the comparison group (a handful of kommuner, from the stored values).
        hib = np.array([figures[j].higher_is_better for j in ranked])
        ids = [k_index[i] for i in _group_member_ids(group, area) if i in k_index]
        g = core.rank_areas(matrix[ids][:, ranked], hib)
        names = [kommuner[i][1] for i in ids]
        for col, j in enumerate(ranked):
            f = figures[j]
            vals = matrix[ids, j]
            order = sorted(range(len(ids)), key=lambda k: (math.isnan(vals[k]), g.rank[k, col], names[k]))
            f.peer = PeerFigure(
                group.pk,
                group.name,
                f.year,
                None if math.isnan(g.rank[0, col]) else int(g.rank[0, col]),
                int(np.sum(~np.isnan(vals))),
                None if math.isnan(g.quartile[0, col]) else int(g.quartile[0, col]),
                [(names[k], _opt(vals[k]), k == 0) for k in order],
                f.decimals,
                mean=core.group_mean(vals),
            )
        _kolada_group_means(group, [figures[j] for j in ranked])
    # Strip: every kommun with a (published) value.
    for j, f in enumerate(figures):
        f.strip = [(kommuner[i][1], float(v)) for i, v in enumerate(matrix[:, j]) if not math.isnan(v)]
        f.strip_year = f.year

    _trends(figures)  # the area's own series: O(selected indicators × years), one vectorised call
    return Lagesbild(area, group, groups, figures, len(kommuner))


def _expected_figure(f: IndicatorFigures, e: dict, me: int) -> None:
    """The stored expected values of the cross-section, at the area's position ``me``."""
    if e["residual"][me] is None:
        return
    hib = f.higher_is_better
    res = float(e["residual"][me])
    dev = e.get("dev_rank")
    dev_rank = None
    if hib is not None and dev and dev["rank"][me] is not None:
        dev_rank = RankFigure(
            f.year, dev["rank"][me], dev["n"][me], dev["quartile"][me], dev["percentile"][me]
        )
    covs = e["covariates"]
    f.expected = ExpectedFigure(
        year=f.year,
        covariates=[(code, title, yr, e["x"][k][me]) for k, (code, title, yr) in enumerate(covs)],
        coefficients=[("intercept", e["coefficients"][0])]
        + [(code, c) for (code, _t, _y), c in zip(covs, e["coefficients"][1:], strict=True)],
        r2=e["r2"],
        n=e["n"],
        s=e["s"],
        observed=float(f.value),
        expected=float(e["expected"][me]),
        residual=res,
        standardised=float(e["standardised"][me]),
        studentised=float(e["studentised"][me]),
        better_than_expected=None if hib is None or res == 0 else ((res > 0) == hib),
        deviation_rank=dev_rank,
        decimals=f.decimals,
    )


def _kolada_group_means(group: AreaGroup, figures: list) -> None:
    """Kolada's own average for a Kolada group (total, the figure's year), where the sync kept one."""
    if group.kind != AreaGroupKind.KOLADA:
        return
    wanted = {(f.indicator.pk, f.year) for f in figures if f.peer is not None}
    if not wanted:
        return
    rows = GroupObservation.objects.filter(
        group=group,
        gender=Gender.TOTAL,
        indicator_id__in={i for i, _y in wanted},
        period__in={y for _i, y in wanted},
        value__isnull=False,
    ).values_list("indicator_id", "period", "value", "count")
    found = {(i, y): (v, c) for i, y, v, c in rows}
    for f in figures:
        hit = found.get((f.indicator.pk, f.year)) if f.peer is not None else None
        if hit:
            f.peer.kolada_mean, f.peer.kolada_count = float(hit[0]), hit[1]


def _base_figures(ind: Indicator, by_gender: dict, riket: dict, year: int) -> IndicatorFigures:
    d = decimals_for(ind)
    total = by_gender.get(Gender.TOTAL, {})
    value, count, source, prel = total[year]
    years = sorted(total)
    sources = {c[2] for c in total.values()}
    f = IndicatorFigures(
        indicator=ind,
        decimals=d,
        year=year,
        value=value,
        count=count,
        hidden=False,
        preliminary=bool(prel),
        provenance=Provenance(frozenset(sources)),
        area_series=[(y, total[y][0]) for y in years],
        riket_series=[(y, riket.get(y)) for y in years],
    )
    # Small counts: the area's table of counts by gender, with margins, through core.disclosure.
    kw = by_gender.get(Gender.WOMEN, {}).get(year)
    mw = by_gender.get(Gender.MEN, {}).get(year)
    if ind.divided_by_gender and kw is not None and mw is not None:
        if kw[1] is not None and mw[1] is not None:
            res = suppress(
                SuppressionRequest(
                    id=ind.code,
                    rows=["area"],
                    columns=["K", "M"],
                    counts=[[kw[1], mw[1]]],
                    min_count=MIN_COUNT,
                )
            )
            hidden = {h.column: h.reason for h in res.hidden}
        else:
            hidden = {}
        f.hidden = "total" in hidden or (count is not None and count < MIN_COUNT)
        f.gender = [
            GenderRow(
                Gender.WOMEN, _("Flickor/kvinnor"), kw[0], kw[1], "K" in hidden, hidden.get("K", ""), d
            ),
            GenderRow(Gender.MEN, _("Pojkar/män"), mw[0], mw[1], "M" in hidden, hidden.get("M", ""), d),
            GenderRow(Gender.TOTAL, _("Totalt"), value, count, f.hidden, hidden.get("total", ""), d),
        ]
    elif count is not None and count < MIN_COUNT:
        f.hidden = True
    if f.hidden:
        f.value = None
    return f


def _trends(figures: list[IndicatorFigures]) -> None:
    """Theil–Sen trend and forecast for every indicator in one vectorised call."""
    years = sorted({y for f in figures for y, _v in f.area_series})
    if len(years) < 2:
        return
    y_ix = {y: i for i, y in enumerate(years)}
    data = np.full((len(figures), len(years)), np.nan)
    for i, f in enumerate(figures):
        for y, v in f.area_series:
            if v is not None:
                data[i, y_ix[y]] = v
    t = core.theil_sen(data, np.array(years, dtype=float))
    last = np.array([f.year for f in figures], dtype=float)
    ahead = last[None, :] + np.arange(1, FORECAST_YEARS + 1)[:, None]  # (steps, indicators)
    value, lower, upper = core.forecast(t, ahead, LEVEL)
    for i, f in enumerate(figures):
        if math.isnan(t.slope[i]) or f.hidden:
            continue
        used = [y for y, v in f.area_series if v is not None]
        slope = float(t.slope[i])
        hib = f.higher_is_better
        if hib is None:
            direction = "unknown"
        elif abs(slope) < 1e-12:
            direction = "flat"
        else:
            direction = "improving" if (slope > 0) == hib else "worsening"
        f.trend = TrendFigure(
            method="theil_sen",
            n=int(t.n[i]),
            first_year=min(used),
            last_year=max(used),
            slope=slope,
            direction=direction,
            fitted=[(y, float(t.intercept[i] + t.slope[i] * y)) for y in used],
            forecasts=[
                (int(ahead[k, i]), float(value[k, i]), _opt(lower[k, i]), _opt(upper[k, i]))
                for k in range(FORECAST_YEARS)
            ],
            decimals=f.decimals,
        )
