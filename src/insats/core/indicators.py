"""Indicator statistics for the lägesbild: ranks, peers, trends, expected values, targets.

Two interfaces over the same arithmetic:

* a **batch API** over NumPy arrays of shape ``(areas, indicators, years)`` (``NaN`` = missing):
  :func:`rank_areas`, :func:`peer_positions`, :func:`group_ranks`, :func:`theil_sen`,
  :func:`ols_trend`, :func:`forecast`, :func:`expected_values`, :func:`target_progress`;
* a **JSON interface** (pydantic models :class:`RankInput` / :class:`RankOutput`) used by the CLI
  command ``rank`` through :func:`run`.

Conventions (see ``docs/core/indicators.md``):

* **rank** ``k`` of ``n``: ``1`` is the best area, ``n`` the number of areas with a value; tied
  areas share the best rank of their tie (1, 2, 2, 4 — "competition ranking").
* **quartile** (Kolada's colours): ``1`` = the best 25 % (green in Kolada), ``4`` = the worst
  25 % (red); ``quartile = ceil(4 · rank / n)``. Tomelilla's "lowest quarter" is quartile 4.
* **percentile rank** (0–100, higher = better): the share of areas that are worse, counting
  ties (the area itself included) as half: ``100 · (worse + ½ · tied) / n``. Flipping the
  polarity turns ``p`` into ``100 − p``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, SupportsFloat, TypedDict

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy.special import stdtrit

from insats.core.bounds import BoundedInput
from insats.core.disclosure import SuppressionRequest, SuppressionResult, suppress

__all__ = [
    "RankArrays",
    "TrendArrays",
    "FieldError",
    "rank_areas",
    "peer_positions",
    "group_ranks",
    "theil_sen",
    "ols_trend",
    "forecast",
    "expected_values",
    "target_progress",
    "RankInput",
    "RankOutput",
    "run",
]


class FieldError(ValueError):
    """A ValueError that names the offending input field (the CLI reports ``field``)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


# ---------------------------------------------------------------------------------------------
# Batch API
# ---------------------------------------------------------------------------------------------


@dataclass
class RankArrays:
    """Ranks among areas, same shape as the values (NaN where the value is missing).

    ``rank`` 1 = best; ``n`` = areas with a value; ``tied`` = areas with the same value (the area
    itself included); ``percentile`` 0–100 (higher = better); ``quartile`` 1 = best 25 %.
    """

    rank: np.ndarray
    n: np.ndarray
    tied: np.ndarray
    percentile: np.ndarray
    quartile: np.ndarray


def _polarity(values: np.ndarray, higher_is_better: npt.ArrayLike) -> np.ndarray:
    """Broadcast ``higher_is_better`` to ``values.shape[1:]`` (areas on axis 0)."""
    hib = np.asarray(higher_is_better, dtype=bool)
    if hib.ndim == 1 and values.ndim == 3 and hib.shape[0] == values.shape[1]:
        hib = hib[:, None]
    return np.broadcast_to(hib, values.shape[1:])


def _sort_key(values: npt.ArrayLike, higher_is_better: npt.ArrayLike) -> np.ndarray:
    """A key where smaller is better, NaN kept as NaN."""
    values = np.asarray(values, dtype=float)
    hib = _polarity(values, higher_is_better)
    return np.where(hib, -values, values)


def _ranks_from_key(key: np.ndarray) -> RankArrays:
    # Work with areas on the last (contiguous) axis, then move them back to axis 0.
    k = np.ascontiguousarray(np.moveaxis(key, 0, -1))
    a = k.shape[-1]
    order = np.argsort(k, axis=-1)  # NaN last
    sk = np.take_along_axis(k, order, axis=-1)
    pos = np.broadcast_to(np.arange(a, dtype=np.int32), k.shape)
    same_as_prev = np.zeros(k.shape, dtype=bool)
    same_as_prev[..., 1:] = sk[..., 1:] == sk[..., :-1]
    first = np.maximum.accumulate(np.where(same_as_prev, 0, pos), axis=-1)
    same_as_next = np.zeros(k.shape, dtype=bool)
    same_as_next[..., :-1] = same_as_prev[..., 1:]
    last = np.minimum.accumulate(np.where(same_as_next, a, pos)[..., ::-1], axis=-1)[..., ::-1]
    # one scatter back to the original order: first index and run length packed in one integer
    packed = np.empty(k.shape, dtype=np.int64)
    np.put_along_axis(packed, order, first.astype(np.int64) * (a + 1) + (last - first), axis=-1)
    rank = (packed // (a + 1) + 1).astype(float)
    tied = (packed % (a + 1) + 1).astype(float)
    valid = ~np.isnan(k)
    n = np.broadcast_to(valid.sum(axis=-1, keepdims=True).astype(float), k.shape)
    rank[~valid] = np.nan
    tied[~valid] = np.nan
    n = np.where(valid, n, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        percentile = 100.0 * (n - rank + 1.0 - 0.5 * tied) / n
        quartile = np.ceil(4.0 * rank / n)

    def back(x: np.ndarray) -> np.ndarray:
        return np.moveaxis(x, -1, 0)

    return RankArrays(
        rank=back(rank), n=back(n), tied=back(tied), percentile=back(percentile), quartile=back(quartile)
    )


def rank_areas(values: npt.ArrayLike, higher_is_better: npt.ArrayLike = True) -> RankArrays:
    """Rank areas (axis 0) against each other, separately for every other index.

    ``values``: shape ``(areas, ...)``, typically ``(areas, indicators, years)``; NaN = missing
    (not ranked, not counted in ``n``). ``higher_is_better``: a bool, or an array broadcastable to
    ``values.shape[1:]`` — a 1-D array of length ``indicators`` is accepted for 3-D values.
    """
    return _ranks_from_key(_sort_key(values, higher_is_better))


def group_ranks(values: npt.ArrayLike, higher_is_better: npt.ArrayLike, groups: npt.ArrayLike) -> RankArrays:
    """Ranks within fixed groups of areas (e.g. Kolada's municipal groups).

    ``groups``: one label per area; an area is ranked only against areas with the same label.
    """
    key = _sort_key(values, higher_is_better)
    groups = np.asarray(groups)
    if groups.shape != (key.shape[0],):
        raise ValueError("groups must have one label per area")
    out = RankArrays(*(np.full(key.shape, np.nan) for _ in range(5)))
    for g in np.unique(groups):
        members = np.flatnonzero(groups == g)
        part = _ranks_from_key(key[members])
        for name in ("rank", "n", "tied", "percentile", "quartile"):
            getattr(out, name)[members] = getattr(part, name)
    return out


def peer_positions(
    values: npt.ArrayLike, higher_is_better: npt.ArrayLike, peers: npt.ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Position of every area among its own peers (e.g. Kolada's "liknande kommuner").

    ``peers``: integer array ``(areas, m)`` of peer area indices, padded with ``-1`` (a repeated
    index counts once); the area itself is always part of its comparison group (a
    self-reference in the list is ignored).
    Returns ``(rank, n)``: rank ``k`` (1 = best, ties share the best rank) among the ``n`` areas
    of the group that have a value; NaN where the area's own value is missing.
    """
    key = _sort_key(values, higher_is_better)
    peers = np.asarray(peers, dtype=np.int64)
    a = key.shape[0]
    if peers.ndim != 2 or peers.shape[0] != a:
        raise ValueError("peers must have shape (areas, m)")
    if (peers >= a).any() or (peers < -1).any():
        raise ValueError("peers holds an index outside the areas")
    # a peer listed twice counts once
    peers = np.sort(peers, axis=1)
    peers[:, 1:] = np.where(peers[:, 1:] == peers[:, :-1], -1, peers[:, 1:])
    better = np.zeros(key.shape, dtype=np.int32)
    count = np.zeros(key.shape, dtype=np.int32)
    self_idx = np.arange(a)
    for k in range(peers.shape[1]):
        col = peers[:, k]
        use = (col >= 0) & (col != self_idx)
        other = key[np.where(use, col, 0)]
        use_b = use.reshape((a,) + (1,) * (key.ndim - 1))
        valid = use_b & ~np.isnan(other)
        better += valid & (other < key)
        count += valid
    own = ~np.isnan(key)
    rank = np.where(own, better + 1.0, np.nan)
    n = np.where(own, count + 1.0, np.nan)
    return rank, n


def group_mean(values: npt.ArrayLike) -> float | None:
    """The unweighted mean of a group's values that are present (NaN: missing or hidden); None when
    none is. Kolada's group averages follow the same rule (an unweighted mean of the members), but
    a mean Insats computes is its own processing, labelled as such."""
    arr = np.asarray(values, dtype=float)
    present = arr[~np.isnan(arr)]
    return float(present.mean()) if present.size else None


@dataclass
class TrendArrays:
    """A straight-line trend per series: ``value ≈ intercept + slope · year``.

    ``n`` observed points, ``x_mean`` and ``sxx`` of their years, ``s`` the residual standard
    deviation (``n − 2`` degrees of freedom); all NaN where fewer than 2 (``s``: 3) points exist.
    """

    slope: np.ndarray
    intercept: np.ndarray
    n: np.ndarray
    x_mean: np.ndarray
    sxx: np.ndarray
    s: np.ndarray
    method: str


def _nan_median_sorted(a: np.ndarray) -> np.ndarray:
    """Median along the last axis ignoring NaN, by sorting (NaN go last)."""
    s = np.sort(a, axis=-1)
    c = (~np.isnan(s)).sum(axis=-1)
    lo = np.clip((c - 1) // 2, 0, None)
    hi = np.clip(c // 2, 0, None)
    m = 0.5 * (
        np.take_along_axis(s, lo[..., None], axis=-1)[..., 0]
        + np.take_along_axis(s, hi[..., None], axis=-1)[..., 0]
    )
    return np.where(c > 0, m, np.nan)


def _residual_stats(
    y: np.ndarray, x: np.ndarray, slope: np.ndarray, intercept: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    valid = ~np.isnan(y)
    n = valid.sum(axis=-1).astype(float)
    xb = np.broadcast_to(x, y.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        x_mean = np.where(valid, xb, 0.0).sum(axis=-1) / n
        sxx = (np.where(valid, xb - x_mean[..., None], 0.0) ** 2).sum(axis=-1)
        resid = y - (intercept[..., None] + slope[..., None] * xb)
        rss = np.nansum(resid**2, axis=-1)
        s = np.where(n > 2, np.sqrt(rss / (n - 2)), np.nan)
    return n, x_mean, sxx, s


def theil_sen(values: npt.ArrayLike, years: npt.ArrayLike, chunk: int = 4000) -> TrendArrays:
    """Theil–Sen trend along the last axis (the median of all pairwise slopes).

    ``values``: ``(..., years)``, NaN = missing; ``years``: the x values, shape ``(years,)``.
    The intercept is Sen's: the median of ``value − slope · year``. Robust to one odd year.
    """
    y = np.asarray(values, dtype=float)
    x = np.asarray(years, dtype=float)
    if x.shape != (y.shape[-1],):
        raise ValueError("years must have one entry per position on the last axis")
    lead = y.shape[:-1]
    flat = y.reshape(-1, y.shape[-1])
    iu, ju = np.triu_indices(x.size, 1)
    dx = x[ju] - x[iu]
    if (dx == 0).any():
        raise ValueError("years must be distinct")
    slope: np.ndarray = np.empty(flat.shape[0])
    intercept: np.ndarray = np.empty(flat.shape[0])
    for start in range(0, flat.shape[0], chunk):
        b = flat[start : start + chunk]
        sl = _nan_median_sorted((b[:, ju] - b[:, iu]) / dx)
        slope[start : start + chunk] = sl
        intercept[start : start + chunk] = _nan_median_sorted(b - sl[:, None] * x)
    slope = slope.reshape(lead)
    intercept = intercept.reshape(lead)
    n, x_mean, sxx, s = _residual_stats(y, x, slope, intercept)
    few = n < 2
    slope = np.where(few, np.nan, slope)
    intercept = np.where(few, np.nan, intercept)
    return TrendArrays(slope, intercept, n, x_mean, sxx, s, "theil_sen")


def ols_trend(values: npt.ArrayLike, years: npt.ArrayLike) -> TrendArrays:
    """Ordinary least-squares straight line along the last axis, ignoring NaN."""
    y = np.asarray(values, dtype=float)
    x = np.asarray(years, dtype=float)
    if x.shape != (y.shape[-1],):
        raise ValueError("years must have one entry per position on the last axis")
    valid = ~np.isnan(y)
    n = valid.sum(axis=-1).astype(float)
    xb = np.broadcast_to(x, y.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        x_mean = np.where(valid, xb, 0.0).sum(axis=-1) / n
        y_mean = np.where(valid, y, 0.0).sum(axis=-1) / n
        dxv = np.where(valid, xb - x_mean[..., None], 0.0)
        sxx = (dxv**2).sum(axis=-1)
        sxy = (dxv * np.where(valid, y - y_mean[..., None], 0.0)).sum(axis=-1)
        slope = np.where((n >= 2) & (sxx > 0), sxy / sxx, np.nan)
        intercept = y_mean - slope * x_mean
    n, x_mean, sxx, s = _residual_stats(y, x, slope, intercept)
    return TrendArrays(slope, intercept, n, x_mean, sxx, s, "ols")


def forecast(
    trend: TrendArrays, year: npt.ArrayLike, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Forecast at ``year`` with a prediction interval: ``(value, lower, upper)``.

    The interval is the classical OLS prediction interval
    ``ŷ ± t(1−α/2; n−2) · s · √(1 + 1/n + (year − x̄)² / Sxx)``; for a Theil–Sen trend the same
    formula is applied to the Theil–Sen residuals (an approximation; it is NaN with fewer than 3
    points).
    """
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1")
    year = np.asarray(year, dtype=float)
    value = trend.intercept + trend.slope * year
    with np.errstate(invalid="ignore", divide="ignore"):
        df = trend.n - 2
        t = np.where(df >= 1, stdtrit(np.where(df >= 1, df, 1), 0.5 + level / 2), np.nan)
        half = t * trend.s * np.sqrt(1 + 1 / trend.n + (year - trend.x_mean) ** 2 / trend.sxx)
    return value, value - half, value + half


class ExpectedValues(TypedDict):
    """What :func:`expected_values` returns (a plain dict at run time)."""

    expected: np.ndarray
    residual: np.ndarray
    standardised: np.ndarray
    studentised: np.ndarray
    coefficients: np.ndarray
    r2: float
    n: int
    s: float


def expected_values(y: npt.ArrayLike, covariates: npt.ArrayLike) -> ExpectedValues:
    """Expected value of ``y`` from covariates by OLS across areas, and the deviation from it.

    ``y``: ``(areas,)``; ``covariates``: ``(areas, k)``. Areas with any NaN are left out of the fit
    and get NaN results. Returns arrays ``expected``, ``residual`` (observed − expected),
    ``standardised`` (residual / s, with ``s² = RSS / (n − k − 1)``), ``studentised``
    (residual / (s · √(1 − h)), h = leverage), and scalars ``coefficients`` (intercept first),
    ``r2``, ``n``, ``s``.
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(covariates, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.shape[0] != y.shape[0]:
        raise ValueError("covariates must have one row per area")
    k = x.shape[1]
    ok = ~np.isnan(y) & ~np.isnan(x).any(axis=1)
    n = int(ok.sum())
    if n <= k + 1:
        raise ValueError(f"need more than {k + 1} areas with complete data, got {n}")
    design = np.column_stack([np.ones(n), x[ok]])
    coef, *_ = np.linalg.lstsq(design, y[ok], rcond=None)
    fitted = design @ coef
    resid = y[ok] - fitted
    rss = float(resid @ resid)
    tss = float(((y[ok] - y[ok].mean()) ** 2).sum())
    s = math.sqrt(rss / (n - k - 1))
    hat = np.einsum("ij,ij->i", design @ np.linalg.pinv(design.T @ design), design)
    expected, residual, standardised, studentised = (np.full(y.shape, np.nan) for _ in range(4))
    expected[ok] = fitted
    residual[ok] = resid
    with np.errstate(invalid="ignore", divide="ignore"):
        standardised[ok] = resid / s if s > 0 else np.nan
        studentised[ok] = resid / (s * np.sqrt(1 - hat)) if s > 0 else np.nan
    return {
        "expected": expected,
        "residual": residual,
        "standardised": standardised,
        "studentised": studentised,
        "coefficients": coef,
        "r2": 1 - rss / tss if tss > 0 else float("nan"),
        "n": n,
        "s": s,
    }


def target_progress(
    baseline: npt.ArrayLike,
    target: npt.ArrayLike,
    current: npt.ArrayLike,
    baseline_year: npt.ArrayLike,
    target_year: npt.ArrayLike,
    current_year: npt.ArrayLike,
) -> dict[str, np.ndarray]:
    """Progress from a baseline towards a target value, against a straight path (arrays broadcast).

    ``achieved`` = (current − baseline) / (target − baseline), the share of the way covered;
    ``elapsed`` = (current_year − baseline_year) / (target_year − baseline_year);
    ``path_value`` = the value the straight path expects in ``current_year``;
    ``on_track`` = achieved ≥ elapsed (the direction is taken from the target, so it works for
    both "more is better" and "less is better" targets).
    """
    b, t, c = (np.asarray(v, dtype=float) for v in (baseline, target, current))
    by, ty, cy = (np.asarray(v, dtype=float) for v in (baseline_year, target_year, current_year))
    with np.errstate(invalid="ignore", divide="ignore"):
        achieved = (c - b) / (t - b)
        elapsed = (cy - by) / (ty - by)
        path_value = b + (t - b) * elapsed
        on_track = np.where(np.isnan(achieved) | np.isnan(elapsed), False, achieved >= elapsed - 1e-12)
    return {"achieved": achieved, "elapsed": elapsed, "path_value": path_value, "on_track": on_track}


# ---------------------------------------------------------------------------------------------
# JSON interface
# ---------------------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Area(_Model):
    id: str = Field(description="Area code, e.g. the municipality code '1270' (Tomelilla).")
    name: str | None = Field(None, description="Display name, e.g. 'Tomelilla'.")


class IndicatorSpec(_Model):
    id: str = Field(description="Indicator id, e.g. a Kolada KPI id such as 'N15505'.")
    name: str | None = Field(None, description="Display name.")
    unit: str | None = Field(None, description="Unit, e.g. 'procent' or 'meritpoäng'.")
    higher_is_better: bool | None = Field(
        None,
        description="Polarity: true if a higher value is better, false if lower is better; null for "
        "covariates that are never ranked (ranks, peers and targets need it).",
    )


class Observation(_Model):
    area: str = Field(description="Area id (must be listed in `areas`).")
    indicator: str = Field(description="Indicator id (must be listed in `indicators`).")
    year: int = Field(description="Year of the observation.")
    value: float | None = Field(description="Observed value; null = missing.")


class RankRequest(_Model):
    indicator: str = Field(description="Indicator to rank the areas on.")
    year: int = Field(description="Year to rank.")
    areas: list[str] | None = Field(None, description="Areas to report (default: all); all are ranked.")


class PeerRequest(_Model):
    indicator: str = Field(description="Indicator.")
    year: int = Field(description="Year.")
    area: str = Field(description="The area whose position is wanted.")
    peers: list[str] = Field(description="Its comparison group, e.g. Kolada's 'liknande kommuner'.")


class TrendRequest(_Model):
    indicator: str = Field(description="Indicator.")
    area: str = Field(description="Area.")
    method: Literal["theil_sen", "ols"] = Field("theil_sen", description="Trend method.")
    from_year: int | None = Field(None, description="First year used (default: first observed).")
    to_year: int | None = Field(None, description="Last year used (default: last observed).")
    forecast_years: list[int] = Field(default_factory=list, description="Years to forecast.")
    level: float = Field(0.95, gt=0, lt=1, description="Coverage of the prediction interval.")


class ExpectedRequest(_Model):
    indicator: str = Field(description="Outcome indicator, e.g. merit value in year 9.")
    year: int = Field(description="Year of the outcome and the covariates.")
    covariates: list[str] = Field(
        min_length=1, description="Indicator ids used as explanatory variables (same year)."
    )
    areas: list[str] | None = Field(None, description="Areas to report (default: all).")


class TargetRequest(_Model):
    indicator: str = Field(description="Indicator.")
    area: str = Field(description="Area.")
    baseline_year: int = Field(description="Year of the baseline value.")
    target_year: int = Field(description="Year by which the target should be reached.")
    current_year: int | None = Field(None, description="Year to assess (default: latest observed).")
    change_relative: float | None = Field(
        None, description="Target as a relative change from the baseline, e.g. -0.20 for −20 %."
    )
    change_absolute: float | None = Field(
        None, description="Target as a change in the indicator's unit, e.g. -3.0 percentage points."
    )
    target_value: float | None = Field(None, description="Target as a value.")

    @model_validator(mode="after")
    def _one_target(self) -> TargetRequest:
        given = [v for v in (self.change_relative, self.change_absolute, self.target_value) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of change_relative, change_absolute, target_value")
        if self.target_year <= self.baseline_year:
            raise ValueError("target_year must be after baseline_year")
        return self


class RankInput(BoundedInput, _Model):
    """Observations in long form plus the analyses wanted; every analysis list may be empty."""

    areas: list[Area] = Field(default_factory=list, description="Areas (default: those observed).")
    indicators: list[IndicatorSpec] = Field(default_factory=list, description="Indicators and polarity.")
    observations: list[Observation] = Field(default_factory=list, description="Values, long form.")
    ranks: list[RankRequest] = Field(default_factory=list, description="Ranks among all areas.")
    peers: list[PeerRequest] = Field(default_factory=list, description="Positions in peer groups.")
    trends: list[TrendRequest] = Field(default_factory=list, description="Trends and forecasts.")
    expected: list[ExpectedRequest] = Field(
        default_factory=list, description="Expected values from covariates and deviations."
    )
    targets: list[TargetRequest] = Field(default_factory=list, description="Progress towards targets.")
    suppression: list[SuppressionRequest] = Field(
        default_factory=list, description="Tables of counts to suppress for publication."
    )


class AreaRank(_Model):
    area: str = Field(description="Area id.")
    value: float | None = Field(description="The value ranked (null = missing, not ranked).")
    rank: int | None = Field(description="Rank k (1 = best; ties share the best rank).")
    n: int = Field(description="Number of areas with a value.")
    percentile: float | None = Field(description="Percentile rank 0–100, higher = better.")
    quartile: int | None = Field(description="Quartile, 1 = best 25 % (Kolada green), 4 = worst 25 %.")


class RankResult(_Model):
    indicator: str = Field(description="Indicator.")
    year: int = Field(description="Year.")
    higher_is_better: bool = Field(description="Polarity used.")
    areas: list[AreaRank] = Field(description="One entry per reported area.")


class PeerResult(_Model):
    indicator: str = Field(description="Indicator.")
    year: int = Field(description="Year.")
    area: str = Field(description="Area.")
    value: float | None = Field(description="The area's value.")
    rank: int | None = Field(description="Rank k among the group (1 = best).")
    n: int = Field(description="Areas in the group with a value (the area itself included).")
    group: list[str] = Field(description="The group, best first (areas without a value last).")


class ForecastPoint(_Model):
    year: int = Field(description="Forecast year.")
    value: float | None = Field(description="Forecast on the trend line.")
    lower: float | None = Field(description="Lower bound of the prediction interval.")
    upper: float | None = Field(description="Upper bound of the prediction interval.")


class TrendResult(_Model):
    indicator: str = Field(description="Indicator.")
    area: str = Field(description="Area.")
    method: str = Field(description="'theil_sen' or 'ols'.")
    n: int = Field(description="Observed points used.")
    slope: float | None = Field(description="Change per year.")
    intercept: float | None = Field(description="Value of the line at year 0 (use `fitted` instead).")
    fitted: dict[int, float | None] = Field(description="The trend line at each year used.")
    direction: Literal["improving", "worsening", "flat", "unknown"] = Field(
        description="Direction of the slope in the light of the polarity (unknown without polarity)."
    )
    level: float = Field(description="Coverage of the prediction intervals.")
    forecasts: list[ForecastPoint] = Field(description="Forecasts with prediction intervals (the baseline).")


class ExpectedArea(_Model):
    area: str = Field(description="Area.")
    observed: float | None = Field(description="Observed value.")
    expected: float | None = Field(description="Modellberäknat värde: expected from the covariates.")
    residual: float | None = Field(description="Avvikelse: observed − expected.")
    standardised: float | None = Field(description="Residual / s (s = residual standard deviation).")
    studentised: float | None = Field(description="Residual / (s·√(1 − leverage)).")
    better_than_expected: bool | None = Field(description="Residual on the good side (by polarity).")


class ExpectedResult(_Model):
    indicator: str = Field(description="Outcome indicator.")
    year: int = Field(description="Year.")
    covariates: list[str] = Field(description="Explanatory indicators.")
    coefficients: dict[str, float] = Field(description="'intercept' and one coefficient per covariate.")
    r2: float | None = Field(description="Share of the variation between areas the covariates explain.")
    n: int = Field(description="Areas with complete data used in the fit.")
    s: float = Field(description="Residual standard deviation.")
    areas: list[ExpectedArea] = Field(description="One entry per reported area.")


class TargetResult(_Model):
    indicator: str = Field(description="Indicator.")
    area: str = Field(description="Area.")
    baseline_year: int = Field(description="Baseline year.")
    baseline: float = Field(description="Baseline value.")
    target_year: int = Field(description="Target year.")
    target: float = Field(description="Target value.")
    current_year: int = Field(description="Year assessed.")
    current: float = Field(description="Value in the year assessed.")
    achieved_share: float = Field(description="Share of the way from baseline to target covered.")
    elapsed_share: float = Field(description="Share of the time from baseline to target year passed.")
    path_value: float = Field(description="Value a straight path would have reached by now.")
    on_track: bool = Field(description="achieved_share ≥ elapsed_share.")
    projected: float | None = Field(
        None, description="Theil–Sen projection of the observed series to the target year."
    )


class RankOutput(_Model):
    ranks: list[RankResult] = Field(description="Results of `ranks`, in request order.")
    peers: list[PeerResult] = Field(description="Results of `peers`.")
    trends: list[TrendResult] = Field(description="Results of `trends`.")
    expected: list[ExpectedResult] = Field(description="Results of `expected`.")
    targets: list[TargetResult] = Field(description="Results of `targets`.")
    suppression: list[SuppressionResult] = Field(description="Results of `suppression`.")


def _f(v: SupportsFloat) -> float | None:
    v = float(v)
    return None if math.isnan(v) else v


class _Cube:
    """Observations as an (areas, indicators, years) array with id lookups."""

    def __init__(self, inp: RankInput):
        area_ids = [a.id for a in inp.areas]
        for i, aid in enumerate(area_ids):
            if aid in area_ids[:i]:
                raise FieldError(f"areas.{i}.id", f"duplicate area {aid!r}")
        ind_ids = [s.id for s in inp.indicators]
        for i, iid in enumerate(ind_ids):
            if iid in ind_ids[:i]:
                raise FieldError(f"indicators.{i}.id", f"duplicate indicator {iid!r}")
        for o in inp.observations:
            if not inp.areas and o.area not in area_ids:
                area_ids.append(o.area)
            if not inp.indicators and o.indicator not in ind_ids:
                ind_ids.append(o.indicator)
        years = sorted({o.year for o in inp.observations})
        self.area_ids, self.ind_ids, self.years = area_ids, ind_ids, years
        self.a_ix = {a: i for i, a in enumerate(area_ids)}
        self.i_ix = {a: i for i, a in enumerate(ind_ids)}
        self.y_ix = {y: i for i, y in enumerate(years)}
        self.specs = {s.id: s for s in inp.indicators}
        self.data = np.full((len(area_ids), len(ind_ids), len(years)), np.nan)
        seen = set()
        for k, o in enumerate(inp.observations):
            if o.area not in self.a_ix:
                raise FieldError(f"observations.{k}.area", f"unknown area {o.area!r}")
            if o.indicator not in self.i_ix:
                raise FieldError(f"observations.{k}.indicator", f"unknown indicator {o.indicator!r}")
            cell = (o.area, o.indicator, o.year)
            if cell in seen:
                raise FieldError(f"observations.{k}", f"second value for {cell}")
            seen.add(cell)
            if o.value is not None:
                if not math.isfinite(o.value):
                    raise FieldError(f"observations.{k}.value", "must be a finite number or null")
                self.data[self.a_ix[o.area], self.i_ix[o.indicator], self.y_ix[o.year]] = o.value

    def area(self, aid: str, field: str) -> int:
        if aid not in self.a_ix:
            raise FieldError(field, f"unknown area {aid!r}")
        return self.a_ix[aid]

    def indicator(self, iid: str, field: str) -> int:
        if iid not in self.i_ix:
            raise FieldError(field, f"unknown indicator {iid!r}")
        return self.i_ix[iid]

    def polarity(self, iid: str, field: str) -> bool:
        spec = self.specs.get(iid)
        if spec is None or spec.higher_is_better is None:
            raise FieldError(field, f"indicator {iid!r} needs higher_is_better (true/false) in `indicators`")
        return spec.higher_is_better

    def column(self, iid: str, year: int, field: str) -> np.ndarray:
        """Values of ``iid`` in ``year`` for every area; ``field`` names the indicator in errors."""
        i = self.indicator(iid, field)
        if year not in self.y_ix:
            return np.full(len(self.area_ids), np.nan)
        return self.data[:, i, self.y_ix[year]]


def _do_rank(cube: _Cube, k: int, req: RankRequest) -> RankResult:
    f = f"ranks.{k}"
    hib = cube.polarity(req.indicator, f"{f}.indicator")
    col = cube.column(req.indicator, req.year, f"{f}.indicator")
    r = rank_areas(col, hib)
    report = req.areas if req.areas is not None else cube.area_ids
    rows = []
    for j, aid in enumerate(report):
        a = cube.area(aid, f"{f}.areas.{j}")
        ok = not math.isnan(col[a])
        rows.append(
            AreaRank(
                area=aid,
                value=_f(col[a]),
                rank=int(r.rank[a]) if ok else None,
                n=int(np.sum(~np.isnan(col))),
                percentile=_f(r.percentile[a]),
                quartile=int(r.quartile[a]) if ok else None,
            )
        )
    return RankResult(indicator=req.indicator, year=req.year, higher_is_better=hib, areas=rows)


def _do_peer(cube: _Cube, k: int, req: PeerRequest) -> PeerResult:
    f = f"peers.{k}"
    hib = cube.polarity(req.indicator, f"{f}.indicator")
    col = cube.column(req.indicator, req.year, f"{f}.indicator")
    me = cube.area(req.area, f"{f}.area")
    idx = [me] + [cube.area(p, f"{f}.peers.{j}") for j, p in enumerate(req.peers) if p != req.area]
    idx = list(dict.fromkeys(idx))
    sub = col[idx]
    r = rank_areas(sub, hib)
    order = sorted(range(len(idx)), key=lambda i: (math.isnan(sub[i]), r.rank[i], cube.area_ids[idx[i]]))
    return PeerResult(
        indicator=req.indicator,
        year=req.year,
        area=req.area,
        value=_f(sub[0]),
        rank=None if math.isnan(sub[0]) else int(r.rank[0]),
        n=int(np.sum(~np.isnan(sub))),
        group=[cube.area_ids[idx[i]] for i in order],
    )


def _do_trend(cube: _Cube, k: int, req: TrendRequest) -> TrendResult:
    f = f"trends.{k}"
    i = cube.indicator(req.indicator, f"{f}.indicator")
    a = cube.area(req.area, f"{f}.area")
    years = np.array(cube.years, dtype=float)
    y = cube.data[a, i, :].copy()
    if req.from_year is not None:
        y[years < req.from_year] = np.nan
    if req.to_year is not None:
        y[years > req.to_year] = np.nan
    used = ~np.isnan(y)
    if used.sum() < 2:
        raise FieldError(
            f, f"needs at least 2 observed years for {req.area!r}/{req.indicator!r}, has {used.sum()}"
        )
    t = theil_sen(y, years) if req.method == "theil_sen" else ols_trend(y, years)
    spec = cube.specs.get(req.indicator)
    slope = float(t.slope)
    direction: Literal["improving", "worsening", "flat", "unknown"]
    if spec is None or spec.higher_is_better is None:
        direction = "unknown"
    elif abs(slope) < 1e-12:
        direction = "flat"
    else:
        direction = "improving" if (slope > 0) == spec.higher_is_better else "worsening"
    points = []
    for fy in req.forecast_years:
        v, lo, hi = forecast(t, fy, req.level)
        points.append(ForecastPoint(year=fy, value=_f(v), lower=_f(lo), upper=_f(hi)))
    fitted = {int(yr): _f(t.intercept + t.slope * yr) for yr in years[used]}
    return TrendResult(
        indicator=req.indicator,
        area=req.area,
        method=req.method,
        n=int(t.n),
        slope=_f(t.slope),
        intercept=_f(t.intercept),
        fitted=fitted,
        direction=direction,
        level=req.level,
        forecasts=points,
    )


def _do_expected(cube: _Cube, k: int, req: ExpectedRequest) -> ExpectedResult:
    f = f"expected.{k}"
    y = cube.column(req.indicator, req.year, f"{f}.indicator")
    xs = np.column_stack(
        [cube.column(c, req.year, f"{f}.covariates.{j}") for j, c in enumerate(req.covariates)]
    )
    try:
        e = expected_values(y, xs)
    except ValueError as exc:
        raise FieldError(f, str(exc))
    spec = cube.specs.get(req.indicator)
    hib = None if spec is None else spec.higher_is_better
    report = req.areas if req.areas is not None else cube.area_ids
    rows = []
    for j, aid in enumerate(report):
        a = cube.area(aid, f"{f}.areas.{j}")
        res = _f(e["residual"][a])
        rows.append(
            ExpectedArea(
                area=aid,
                observed=_f(y[a]),
                expected=_f(e["expected"][a]),
                residual=res,
                standardised=_f(e["standardised"][a]),
                studentised=_f(e["studentised"][a]),
                better_than_expected=None
                if (res is None or hib is None)
                else ((res > 0) == hib and res != 0),
            )
        )
    coefs = {"intercept": float(e["coefficients"][0])}
    coefs.update({c: float(v) for c, v in zip(req.covariates, e["coefficients"][1:], strict=True)})
    return ExpectedResult(
        indicator=req.indicator,
        year=req.year,
        covariates=req.covariates,
        coefficients=coefs,
        r2=_f(e["r2"]),
        n=e["n"],
        s=e["s"],
        areas=rows,
    )


def _do_target(cube: _Cube, k: int, req: TargetRequest) -> TargetResult:
    f = f"targets.{k}"
    i = cube.indicator(req.indicator, f"{f}.indicator")
    a = cube.area(req.area, f"{f}.area")
    series = cube.data[a, i, :]
    by = cube.y_ix.get(req.baseline_year)
    if by is None or math.isnan(series[by]):
        raise FieldError(
            f"{f}.baseline_year", f"no value for {req.area!r}/{req.indicator!r} in {req.baseline_year}"
        )
    baseline = float(series[by])
    if req.current_year is None:
        observed = [y for y in cube.years if not math.isnan(series[cube.y_ix[y]]) and y > req.baseline_year]
        if not observed:
            raise FieldError(f"{f}.current_year", "no observed year after the baseline")
        cy = observed[-1]
    else:
        cy = req.current_year
        if cy not in cube.y_ix or math.isnan(series[cube.y_ix[cy]]):
            raise FieldError(f"{f}.current_year", f"no value in {cy}")
    current = float(series[cube.y_ix[cy]])
    if req.change_relative is not None:
        target = baseline * (1 + req.change_relative)
    elif req.change_absolute is not None:
        target = baseline + req.change_absolute
    else:
        assert req.target_value is not None  # TargetRequest._one_target: exactly one form is given
        target = float(req.target_value)
    if target == baseline:
        raise FieldError(f, "the target equals the baseline; progress is undefined")
    p = target_progress(baseline, target, current, req.baseline_year, req.target_year, cy)
    years = np.array(cube.years, dtype=float)
    window = series.copy()
    window[years < req.baseline_year] = np.nan
    projected = None
    if np.sum(~np.isnan(window)) >= 2:
        projected = _f(forecast(theil_sen(window, years), req.target_year)[0])
    return TargetResult(
        indicator=req.indicator,
        area=req.area,
        baseline_year=req.baseline_year,
        baseline=baseline,
        target_year=req.target_year,
        target=target,
        current_year=cy,
        current=current,
        achieved_share=float(p["achieved"]),
        elapsed_share=float(p["elapsed"]),
        path_value=float(p["path_value"]),
        on_track=bool(p["on_track"]),
        projected=projected,
    )


def analyse(inp: RankInput) -> RankOutput:
    """Run every analysis requested in ``inp``."""
    cube = _Cube(inp)
    return RankOutput(
        ranks=[_do_rank(cube, k, r) for k, r in enumerate(inp.ranks)],
        peers=[_do_peer(cube, k, r) for k, r in enumerate(inp.peers)],
        trends=[_do_trend(cube, k, r) for k, r in enumerate(inp.trends)],
        expected=[_do_expected(cube, k, r) for k, r in enumerate(inp.expected)],
        targets=[_do_target(cube, k, r) for k, r in enumerate(inp.targets)],
        suppression=[suppress(s) for s in inp.suppression],
    )


def run(data: dict[str, Any]) -> dict[str, Any]:
    """CLI entry point of ``python -m insats.core rank``: JSON in, JSON out."""
    return analyse(RankInput.model_validate(data)).model_dump(mode="json")


# The CLI's input and output models (docs/core.md publishes their JSON Schemas).
Input = RankInput
Output = RankOutput
