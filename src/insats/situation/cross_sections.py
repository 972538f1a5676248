"""Cross-sections: what every viewer of one (indicator, year, gender) shares, computed once.

A lägesbild shows, for each indicator, where the area stands among all 290 kommuner. Those ranks,
quartiles and percentiles — and for the adjusted school indicators the expected values from the
socio-economic covariates (OLS across all kommuner) and the rank of the deviation — are the same
for every kommun that looks. They are computed here with :mod:`insats.core` and stored in
:class:`~insats.situation.models.CrossSection`, so a page reads one row per selected indicator
instead of 290 observations per indicator.

Freshness: a database trigger (migration ``0009_cross_sections``) raises ``obs_version`` of the
matching cross-section on every insert, update and delete of observations, whatever writes them.
:func:`fresh` recomputes, before returning, every requested cross-section that is missing or whose
``computed_version`` differs from its ``obs_version`` (or from a covariate's, for expected values);
a stale figure is never served. :func:`refresh_stale` (a background job after imports, Kolada syncs
and demo builds: :func:`insats.situation.tasks.start_cross_section_refresh`) keeps them warm.

The data of one cross-section (JSON), kommuner ordered by code:
``ids`` (area ids), ``values`` (null = missing, or resting on fewer than :data:`MIN_COUNT`),
``rank``/``quartile``/``percentile`` (null for neutral indicators and missing values), ``n``,
``sources`` and, for adjusted indicators, ``expected`` (see :func:`_expected`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from insats.core import indicators as core

from .models import (
    AreaKind,
    CrossSection,
    Gender,
    Indicator,
    Observation,
    PeriodType,
    Polarity,
)

MIN_COUNT = 5

# Outcome → covariates for the "modellberäknat värde" (by indicator code). School results are
# adjusted for the parents' education and the share of children in economically vulnerable
# families, as in SALSA and Kolada's "modellberäknat värde" (docs/lagesbild.md).
SCHOOL_COVARIATES = ["DEMO01", "DEMO02"]
ADJUSTMENTS: dict[str, list[str]] = dict.fromkeys(
    ("N15505", "N15428", "N15419", "DEMO10", "DEMO11", "DEMO12", "DEMO13"), SCHOOL_COVARIATES
)

Key = tuple[int, int, str]  # (indicator id, year, gender)


def _hib(indicator: Indicator) -> bool | None:
    return {Polarity.HIGHER_BETTER: True, Polarity.LOWER_BETTER: False}.get(indicator.polarity)


def _list(a: np.ndarray, digits: int | None = None) -> list:
    if digits is None:
        return [None if math.isnan(v) else float(v) for v in a.tolist()]
    return [None if math.isnan(v) else round(float(v), digits) for v in a.tolist()]


def _ints(a: np.ndarray) -> list:
    return [None if math.isnan(v) else int(v) for v in a.tolist()]


def kommun_ids() -> list[int]:
    from .models import Area

    return list(Area.objects.filter(kind=AreaKind.KOMMUN).order_by("code").values_list("id", flat=True))


def _matrices(
    indicator_id: int, kommuner: list[int], years: Iterable[int] | None, genders: Iterable[str]
) -> tuple[dict[tuple[int, str], np.ndarray], dict[tuple[int, str], set[str]]]:
    """All kommuner's values of one indicator: {(year, gender): vector}, one query (index
    ``obs_indicator_period``: indicator, period, gender, area)."""
    k_index = {aid: i for i, aid in enumerate(kommuner)}
    qs = Observation.objects.filter(
        indicator_id=indicator_id,
        period_type=PeriodType.YEAR,
        period_part=0,
        area_id__in=kommuner,
    )
    genders = list(genders)
    if len(genders) == 1:
        qs = qs.filter(gender=genders[0])
    if years is not None:
        qs = qs.filter(period__in=sorted(set(years)))
    vectors: dict[tuple[int, str], np.ndarray] = {}
    sources: dict[tuple[int, str], set[str]] = {}
    for aid, year, g, value, count, source in qs.values_list(
        "area_id", "period", "gender", "value", "count", "source"
    ):
        if g not in genders:
            continue
        key = (year, g)
        if key not in vectors:
            vectors[key] = np.full(len(kommuner), np.nan)
            sources[key] = set()
        if value is None or (count is not None and count < MIN_COUNT):
            continue  # a value resting on fewer than MIN_COUNT children is treated as missing
        vectors[key][k_index[aid]] = float(value)
        sources[key].add(source)
    return vectors, sources


def _ranks(vec: np.ndarray, hib: bool | None) -> dict:
    if hib is None:
        none = [None] * len(vec)
        return {"rank": none, "quartile": none, "percentile": none, "n": int(np.sum(~np.isnan(vec)))}
    r = core.rank_areas(vec[:, None], hib)
    return {
        "rank": _ints(r.rank[:, 0]),
        "quartile": _ints(r.quartile[:, 0]),
        "percentile": _list(r.percentile[:, 0]),
        "n": int(np.sum(~np.isnan(vec))),
    }


def _expected(y: np.ndarray, covs: list[tuple[Indicator, int, np.ndarray]], hib: bool | None) -> dict | None:
    """Expected values of y from the covariates (OLS across all kommuner) and the deviation's rank."""
    x = np.column_stack([v for _c, _y, v in covs])
    try:
        e = core.expected_values(y, x)
    except ValueError:
        return None
    out = {
        "covariates": [[c.code, c.title_sv, yr] for c, yr, _v in covs],
        "x": [_list(x[:, k]) for k in range(x.shape[1])],
        "coefficients": [float(c) for c in e["coefficients"]],
        "r2": float(e["r2"]),
        "n": int(e["n"]),
        "s": float(e["s"]),
        "expected": _list(e["expected"]),
        "residual": _list(e["residual"]),
        "standardised": _list(e["standardised"]),
        "studentised": _list(e["studentised"]),
        "dev_rank": None,
    }
    if hib is not None:
        r = core.rank_areas(e["residual"], hib)
        out["dev_rank"] = {
            "rank": _ints(r.rank),
            "n": _ints(r.n),
            "quartile": _ints(r.quartile),
            "percentile": _list(r.percentile),
        }
    return out


def _covariates(indicator: Indicator) -> list[Indicator]:
    codes = ADJUSTMENTS.get(indicator.code, [])
    if not codes:
        return []
    found = {i.code: i for i in Indicator.objects.filter(organisation__isnull=True, code__in=codes)}
    return [found[c] for c in codes if c in found]


def _covariate_years(cov: Indicator, kommuner: list[int]) -> dict[int, np.ndarray]:
    vectors, _s = _matrices(cov.pk, kommuner, None, [Gender.TOTAL])
    return {y: v for (y, _g), v in vectors.items() if not np.all(np.isnan(v))}


def _figures(indicator, kommuner, years, genders, covs, cov_data, dep_versions) -> dict:
    """{(year, gender): data} of one indicator, from one read of its kommun observations."""
    vectors, sources = _matrices(indicator.pk, kommuner, years, genders)
    hib = _hib(indicator)
    out = {}
    for year in years:
        for g in genders:
            vec = vectors.get((year, g), np.full(len(kommuner), np.nan))
            data = {
                "ids": kommuner,
                "values": _list(vec),
                "sources": sorted(sources.get((year, g), set())),
                **_ranks(vec, hib),
                "expected": None,
                "deps": [],
            }
            if covs and g == Gender.TOTAL:
                used = []
                for c in covs:
                    ys = [yr for yr in cov_data[c.pk] if yr <= year]
                    if not ys:
                        used = []
                        break
                    used.append((c, max(ys), cov_data[c.pk][max(ys)]))
                if used:
                    data["expected"] = _expected(vec, used, hib)
                    data["deps"] = [[c.pk, yr, dep_versions.get((c.pk, yr), 0)] for c, yr, _v in used]
            out[(year, g)] = data
    return out


def _years(indicator_id: int) -> list[int]:
    return sorted(
        set(
            Observation.objects.filter(
                indicator_id=indicator_id, period_type=PeriodType.YEAR, period_part=0
            ).values_list("period", flat=True)
        )
    )


def compute(
    indicator: Indicator, years: Iterable[int] | None = None, genders: Iterable[str] = Gender.values
) -> int:
    """(Re)compute and store the cross-sections of ``indicator`` (all years or ``years``).

    Reads the versions first and writes only if they are unchanged, so a change that lands while
    this runs leaves the row stale (to be recomputed), never marked fresh with old figures."""
    kommuner = kommun_ids()
    genders = list(genders)
    years = _years(indicator.pk) if years is None else sorted(set(years))
    covs = _covariates(indicator)
    # Every row exists first (so the trigger has something to raise); versions are read before values.
    _ensure_rows(indicator.pk, years, genders)
    cov_data: dict[int, dict[int, np.ndarray]] = {}
    dep_versions: dict[tuple[int, int], int] = {}
    if covs:
        for c in covs:
            _ensure_rows(c.pk, _years(c.pk), [Gender.TOTAL])
        dep_versions = {
            (i, y): v
            for i, y, v in CrossSection.objects.filter(
                indicator__in=[c.pk for c in covs], gender=Gender.TOTAL
            ).values_list("indicator_id", "period", "obs_version")
        }
        cov_data = {c.pk: _covariate_years(c, kommuner) for c in covs}
    versions = {
        (y, g): (pk, v)
        for pk, y, g, v in CrossSection.objects.filter(
            indicator=indicator, period__in=years, gender__in=genders
        ).values_list("pk", "period", "gender", "obs_version")
    }
    figures = _figures(indicator, kommuner, years, genders, covs, cov_data, dep_versions)
    now = timezone.now()
    written = 0
    for key, data in figures.items():
        pk, version = versions[key]
        written += CrossSection.objects.filter(pk=pk, obs_version=version).update(
            data=data, computed_version=version, computed_at=now
        )
    return written


def load_all(on_progress=None) -> int:
    """Every cross-section of every indicator, written in bulk: for a bulk loader that has just
    filled an empty database (bench/national.py) and writes nothing else meanwhile."""
    kommuner = kommun_ids()
    ids = sorted(set(Observation.objects.values_list("indicator_id", flat=True).distinct()))
    inds = {i.pk: i for i in Indicator.objects.filter(pk__in=ids)}
    CrossSection.objects.filter(indicator_id__in=ids).delete()
    cov_cache: dict[int, dict[int, np.ndarray]] = {}
    written = 0
    for k, ind_id in enumerate(ids):
        ind = inds[ind_id]
        covs = _covariates(ind)
        for c in covs:
            if c.pk not in cov_cache:
                cov_cache[c.pk] = _covariate_years(c, kommuner)
        figures = _figures(ind, kommuner, _years(ind_id), list(Gender.values), covs, cov_cache, {})
        now = timezone.now()
        figures = {
            (y, g): d
            for (y, g), d in figures.items()
            if g == Gender.TOTAL or any(v is not None for v in d["values"])
        }
        CrossSection.objects.bulk_create(
            [
                CrossSection(
                    indicator_id=ind_id,
                    period=y,
                    gender=g,
                    obs_version=0,
                    computed_version=0,
                    computed_at=now,
                    data=data,
                )
                for (y, g), data in figures.items()
            ],
            batch_size=500,
        )
        written += len(figures)
        if on_progress is not None:
            on_progress(k + 1, len(ids))
    return written


def _ensure_rows(indicator_id: int, years: Iterable[int], genders: Iterable[str]) -> None:
    CrossSection.objects.bulk_create(
        [CrossSection(indicator_id=indicator_id, period=y, gender=g) for y in years for g in genders],
        ignore_conflicts=True,
    )


def is_fresh(cs: CrossSection, versions: dict[tuple[int, int], int]) -> bool:
    """Fresh: computed from the current observations, and (expected values) from the current
    covariate values. ``versions``: current ``obs_version`` of the (indicator, year) covariates."""
    if not cs.is_fresh:
        return False
    return all(versions.get((i, y)) == v for i, y, v in (cs.data or {}).get("deps", []))


def fresh(indicators: dict[int, Indicator], pairs: set[tuple[int, int]], gender: str = Gender.TOTAL):
    """{(indicator id, year): CrossSection} for ``pairs``, every one fresh: missing or stale ones are
    recomputed first. Reads O(pairs) rows; two queries when nothing is stale."""
    if not pairs:
        return {}
    ids = {i for i, _y in pairs}
    years = {y for _i, y in pairs}
    found = {
        (cs.indicator_id, cs.period): cs
        for cs in CrossSection.objects.filter(indicator_id__in=ids, period__in=years, gender=gender)
        if (cs.indicator_id, cs.period) in pairs
    }
    deps = {(i, y) for cs in found.values() for i, y, _v in (cs.data or {}).get("deps", [])}
    versions = {}
    if deps:
        versions = {
            (i, y): v
            for i, y, v in CrossSection.objects.filter(
                indicator_id__in={i for i, _y in deps}, period__in={y for _i, y in deps}, gender=Gender.TOTAL
            ).values_list("indicator_id", "period", "obs_version")
        }
    stale: dict[int, set[int]] = {}
    for p in pairs:
        cs = found.get(p)
        if cs is None or not is_fresh(cs, versions):
            stale.setdefault(p[0], set()).add(p[1])
    if stale:
        for ind_id, ys in stale.items():
            compute(indicators[ind_id], ys, [gender])
        for cs in CrossSection.objects.filter(
            indicator_id__in=list(stale), period__in={y for ys in stale.values() for y in ys}, gender=gender
        ):
            if (cs.indicator_id, cs.period) in pairs:
                found[(cs.indicator_id, cs.period)] = cs
    return found


def stale_queryset():
    return CrossSection.objects.exclude(computed_version=F("obs_version"))


def refresh_stale(on_progress=None) -> int:
    """Recompute every stale cross-section and create missing ones for indicators with
    observations. Returns the number of cross-sections written."""
    have = set(CrossSection.objects.values_list("indicator_id", flat=True).distinct())
    with_obs = set(Observation.objects.values_list("indicator_id", flat=True).distinct())
    stale_ids = set(stale_queryset().values_list("indicator_id", flat=True).distinct())
    # an outcome whose covariate changed is stale too
    todo = sorted((with_obs - have) | stale_ids)
    cov_changed = {i.code for i in Indicator.objects.filter(pk__in=stale_ids)}
    if cov_changed & set(SCHOOL_COVARIATES):
        todo = sorted(
            set(todo) | set(Indicator.objects.filter(code__in=list(ADJUSTMENTS)).values_list("pk", flat=True))
        )
    return _compute_all(todo, on_progress)


def refresh_all(on_progress=None) -> int:
    """Compute every cross-section of every indicator with observations (after a bulk load)."""
    ids = sorted(set(Observation.objects.values_list("indicator_id", flat=True).distinct()))
    return _compute_all(ids, on_progress)


def _compute_all(ids: list[int], on_progress=None) -> int:
    inds = {i.pk: i for i in Indicator.objects.filter(pk__in=ids)}
    # covariates first, so the outcomes' dependencies exist
    order = sorted(ids, key=lambda i: (inds[i].code not in SCHOOL_COVARIATES, inds[i].code))
    written = 0
    for k, ind_id in enumerate(order):
        with transaction.atomic():
            written += compute(inds[ind_id])
        if on_progress is not None:
            on_progress(k + 1, len(order))
    return written


# --------------------------------------------------------------------------------- the trigger

PG_TRIGGER = """
CREATE OR REPLACE FUNCTION situation_cross_section_stale() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE situation_crosssection cs SET obs_version = cs.obs_version + 1
        FROM (SELECT DISTINCT indicator_id, period, gender FROM new_rows
              WHERE period_type = 'year' AND period_part = 0) n
        WHERE cs.indicator_id = n.indicator_id AND cs.period = n.period AND cs.gender = n.gender;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE situation_crosssection cs SET obs_version = cs.obs_version + 1
        FROM (SELECT DISTINCT indicator_id, period, gender FROM old_rows
              WHERE period_type = 'year' AND period_part = 0) o
        WHERE cs.indicator_id = o.indicator_id AND cs.period = o.period AND cs.gender = o.gender;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER situation_observation_cs_insert AFTER INSERT ON situation_observation
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION situation_cross_section_stale();
CREATE TRIGGER situation_observation_cs_update AFTER UPDATE ON situation_observation
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION situation_cross_section_stale();
CREATE TRIGGER situation_observation_cs_delete AFTER DELETE ON situation_observation
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION situation_cross_section_stale();
"""
PG_TRIGGER_DROP = """
DROP TRIGGER IF EXISTS situation_observation_cs_insert ON situation_observation;
DROP TRIGGER IF EXISTS situation_observation_cs_update ON situation_observation;
DROP TRIGGER IF EXISTS situation_observation_cs_delete ON situation_observation;
DROP FUNCTION IF EXISTS situation_cross_section_stale();
"""


def _sqlite_bump(alias: str) -> str:  # alias is NEW or OLD, never input
    return (
        "UPDATE situation_crosssection SET obs_version = obs_version + 1 "  # noqa: S608
        f"WHERE indicator_id = {alias}.indicator_id AND period = {alias}.period AND gender = {alias}.gender "
        f"AND {alias}.period_type = 'year' AND {alias}.period_part = 0;"
    )


SQLITE_TRIGGERS = [
    "CREATE TRIGGER situation_observation_cs_insert AFTER INSERT ON situation_observation "
    f"BEGIN {_sqlite_bump('NEW')} END",
    "CREATE TRIGGER situation_observation_cs_update AFTER UPDATE ON situation_observation "
    f"BEGIN {_sqlite_bump('OLD')} {_sqlite_bump('NEW')} END",
    "CREATE TRIGGER situation_observation_cs_delete AFTER DELETE ON situation_observation "
    f"BEGIN {_sqlite_bump('OLD')} END",
]
SQLITE_TRIGGERS_DROP = [
    "DROP TRIGGER IF EXISTS situation_observation_cs_insert",
    "DROP TRIGGER IF EXISTS situation_observation_cs_update",
    "DROP TRIGGER IF EXISTS situation_observation_cs_delete",
]


def install_triggers(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_TRIGGER)
    elif vendor == "sqlite":
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql)


def remove_triggers(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_TRIGGER_DROP)
    elif vendor == "sqlite":
        for sql in SQLITE_TRIGGERS_DROP:
            schema_editor.execute(sql)
