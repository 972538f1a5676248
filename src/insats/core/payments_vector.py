"""Vectorised outcome-payment engine for Monte Carlo draws (NumPy, no loops over draws).

Import from :mod:`insats.core.payments`. Semantics are those of
:func:`insats.core.payments.calculate`; amounts are computed in integer öre (int64) once the
per-observation amount is rounded, so caps, carry-forward and payer splits are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np

from insats.core.payments_models import (
    AnyMetric,
    BlendedMetric,
    Condition,
    ConditionMetric,
    Contract,
    ImprovementMetric,
    RateCardMetric,
    Results,
    SavingsMetric,
    Steps,
    Threshold,
)

Key = tuple[str, str, str | None]


@dataclass
class Draws:
    """Simulated measurements, one NumPy array of shape ``(n_draws,)`` per figure.

    Keys are ``(metric_id, period_id, cohort_id_or_None)`` — the same keys as an
    :class:`~insats.core.payments.Observation`. A figure that is absent counts as "no observation"
    (nothing paid for it), exactly as an absent observation in :class:`Results`.

    - ``values``: measured value (improvement, savings and condition metrics);
    - ``counterfactuals``: counterfactual value; required for kind 'comparison' (and for a blended
      metric with a relative threshold); for 'baseline'/'target' it *replaces* the contract's
      fixed level (to simulate uncertainty about the baseline);
    - ``estimates``: blended metrics, keyed ``(metric_id, period_id, cohort_id_or_None, evaluation_id)``;
    - ``outcome_counts``: rate cards, keyed ``(metric_id, period_id, outcome_id)``: number of
      achievements *payable* in that period (sustain rule already applied); priced without
      per-participant caps;
    - ``rate_card_amounts``: rate cards, keyed ``(metric_id, period_id)``: amount in SEK after the
      per-participant cap (takes precedence over ``outcome_counts`` for that metric and period);
    - ``rate_card_gross``: optional, same keys, the amount *before* the per-participant cap (only
      used to report the cap as bound and in ``before_caps``);
    - ``denominators``: metrics with a ratio or rate ``measure``: the denominator per observation
      (required for a ratio; a rate defaults to the cohort's size in the contract).
    """

    n_draws: int
    values: dict[Key, np.ndarray] = field(default_factory=dict)
    counterfactuals: dict[Key, np.ndarray] = field(default_factory=dict)
    estimates: dict[tuple[str, str, str | None, str], np.ndarray] = field(default_factory=dict)
    outcome_counts: dict[tuple[str, str, str], np.ndarray] = field(default_factory=dict)
    rate_card_amounts: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    rate_card_gross: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    denominators: dict[Key, np.ndarray] = field(default_factory=dict)


@dataclass
class DrawTotals:
    """What :func:`calculate_draws` returns: float64 SEK (whole öre), shape ``(n_draws, n_periods)``.

    - ``by_metric[metric_id]``: amount due per metric and period;
    - ``total``: amount due per period (sum over metrics = sum over payers, exactly);
    - ``by_payer[payer_id]``: amount due per payer and period;
    - ``before_caps``: amount before any cap per period (sum over metrics);
    - ``carried_remaining``: shape ``(n_draws,)``, carried forward and never paid;
    - ``cap_bound``: bool ``(n_draws, n_periods)``, some cap reduced or carried an amount;
    - ``any_cap_bound``: bool ``(n_draws,)``, some cap bound in some period.
    """

    periods: list[str]
    by_metric: dict[str, np.ndarray]
    total: np.ndarray
    by_payer: dict[str, np.ndarray]
    before_caps: np.ndarray
    carried_remaining: np.ndarray
    cap_bound: np.ndarray

    @property
    def any_cap_bound(self) -> np.ndarray:
        # asarray: a no-op on the array that .any(axis=1) returns, typed as an array
        return np.asarray(self.cap_bound.any(axis=1))


def rate_card_ore(
    metric: RateCardMetric,
    n_periods: int,
    participant: np.ndarray,
    outcome: np.ndarray,
    achieved: np.ndarray,
    sustained_through: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rate-card amounts in integer öre from participant-level rows (exact, int64).

    Arguments are int arrays of equal length (one row per achievement): ``participant`` a dense
    participant index (0..P-1), ``outcome`` the index into ``metric.outcomes``, ``achieved`` the
    period index, ``sustained_through`` the last period index still true (-1 = unknown; None = all
    unknown). A row is payable in period ``achieved + sustain_periods`` if that period exists and
    ``sustained_through`` reaches it. The per-participant cap is applied cumulatively in period order.

    Returns ``(gross_ore, capped_ore, count)``, each int64 of shape ``(n_periods,)``: amount before
    the participant cap, after it, and the number of payable achievements.
    """
    participant = np.asarray(participant, dtype=np.int64)
    outcome = np.asarray(outcome, dtype=np.int64)
    achieved = np.asarray(achieved, dtype=np.int64)
    prices = np.array([int(o.price * 100) for o in metric.outcomes], dtype=np.int64)
    sustain = np.array([o.sustain_periods for o in metric.outcomes], dtype=np.int64)
    pay_at = achieved + sustain[outcome]
    ok = pay_at < n_periods
    if sustain.any():
        if sustained_through is None:
            through = np.full(achieved.shape, -1, dtype=np.int64)
        else:
            through = np.asarray(sustained_through, dtype=np.int64)
        ok &= (sustain[outcome] == 0) | (through >= pay_at)
    pay_at = pay_at[ok]
    amount = prices[outcome[ok]]
    # bincount sums in float64: exact for integer öre below 2**53 (90 000 billion SEK)
    gross = np.bincount(pay_at, weights=amount, minlength=n_periods).astype(np.int64)
    count = np.bincount(pay_at, minlength=n_periods).astype(np.int64)
    if metric.cap_per_participant is None or pay_at.size == 0:
        return gross, gross.copy(), count
    cap = int(metric.cap_per_participant * 100)
    part = participant[ok]
    n_part = int(part.max()) + 1
    cells = np.bincount(part * n_periods + pay_at, weights=amount, minlength=n_part * n_periods)
    cum = np.cumsum(cells.astype(np.int64).reshape(n_part, n_periods), axis=1)
    np.minimum(cum, cap, out=cum)
    capped = np.diff(cum.sum(axis=0), prepend=0)
    return gross, capped, count


class DrawsError(ValueError):
    """Bad draws; ``field`` names the offending key (the CLI reports it)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


_NUDGE = 1e-12  # relative nudge so that x.4999999999 (float error) rounds like x.5
_TOL = 1e-9  # relative tolerance of threshold comparisons


def round_ore_array(ore: np.ndarray) -> np.ndarray:
    """Round float öre to int64 öre, half away from zero (as ``money.round_ore``)."""
    mag = np.floor(np.abs(ore) * (1 + _NUDGE) + 0.5)
    return (np.sign(ore) * mag).astype(np.int64)


def _round_nonneg(ore: np.ndarray) -> np.ndarray:
    """:func:`round_ore_array` for amounts known to be >= 0 (fewer passes over the data)."""
    x = ore * (1 + _NUDGE)
    x += 0.5
    np.floor(x, out=x)
    return x.astype(np.int64)


def _arr(x: Any, n: int, where: str) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 0:
        return np.full(n, float(a))
    if a.shape != (n,):
        raise DrawsError(where, f"shape {a.shape}, expected ({n},)")
    return a


@dataclass
class _ObsDraws:
    cohort: str | None
    improvement: np.ndarray
    counterfactual: float | np.ndarray | None  # a float when fixed in the contract


def _sum(values: list[Any]) -> Any:
    total: Any = 0.0
    for v in values:
        total = total + v
    return total


def _reaches(imp: np.ndarray, level: Any, inclusive: bool) -> np.ndarray:
    """``imp >= level`` (inclusive) or ``imp > level`` (strict), with the relative tolerance."""
    tol = _TOL * np.maximum(1.0, np.abs(level))
    return imp >= level - tol if inclusive else imp > level + tol


def _level_met(
    kind: str, value: float, inclusive: bool, imp: np.ndarray, cf: float | np.ndarray | None
) -> tuple[np.ndarray, Any]:
    """Whether ``imp`` reaches a threshold or step at ``value`` (absolute, or relative to ``cf``),
    and the level in units (0 where it cannot be met)."""
    if kind == "absolute":
        return _reaches(imp, value, inclusive), value
    if cf is None:
        return np.zeros(imp.shape, dtype=bool), 0.0
    if isinstance(cf, float):
        if cf <= 0:
            return np.zeros(imp.shape, dtype=bool), 0.0
        level = value * cf
        return _reaches(imp, level, inclusive), level
    positive = cf > 0
    safe = np.where(positive, value * cf, 0.0)
    return positive & _reaches(imp, safe, inclusive), safe


@overload
def _payable(threshold: None, imp: np.ndarray, cf: float | np.ndarray | None) -> tuple[np.ndarray, None]: ...
@overload
def _payable(
    threshold: Threshold, imp: np.ndarray, cf: float | np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]: ...
@overload
def _payable(
    threshold: Threshold | None, imp: np.ndarray, cf: float | np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None]: ...
def _payable(
    threshold: Threshold | None, imp: np.ndarray, cf: float | np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Units paid for and whether the threshold was met (None without a threshold)."""
    if threshold is None:
        return np.maximum(imp, 0.0), None
    met, level = _level_met(threshold.kind, float(threshold.value), threshold.inclusive, imp, cf)
    units = np.maximum(imp - level if threshold.pays == "above_threshold" else imp, 0.0)
    units *= met
    return units, met


def _steps_ore(steps: Steps, imp: np.ndarray, cf: float | np.ndarray | None) -> np.ndarray:
    """The lump sum of the highest step reached, int64 öre (amounts never decrease with the step)."""
    total = np.zeros(imp.shape, dtype=np.int64)
    previous = 0
    for step in steps.levels:
        amount = int(step.amount * 100)
        met, _ = _level_met(steps.kind, float(step.at), steps.inclusive, imp, cf)
        total += (amount - previous) * met
        previous = amount
    return total


def _price_ore(metric: ImprovementMetric | BlendedMetric, units: np.ndarray) -> np.ndarray:
    if metric.tiers is None:
        if metric.price is None:  # steps alone
            return np.zeros(units.shape, dtype=np.int64)
        return _round_nonneg(float(metric.price * 100) * units)
    total = np.zeros_like(units)
    lower = 0.0
    for tier in metric.tiers:
        price = float(tier.price * 100)
        if tier.up_to is None:
            total += price * np.maximum(units - lower, 0.0)
            break
        upper = float(tier.up_to)
        total += price * np.clip(units - lower, 0.0, upper - lower)
        lower = upper
    return _round_nonneg(total)


class _Gathered:
    """Draws arranged per (metric id, period index) as lists of observations in cohort order."""

    def __init__(self, contract: Contract, draws: Draws) -> None:
        n = draws.n_draws
        self.n = n
        periods = {p: i for i, p in enumerate(contract.period_ids)}
        cohort_rank = {c.id: i + 1 for i, c in enumerate(contract.cohorts)}
        metrics = {m.id: m for m in contract.metrics}
        self.obs: dict[tuple[str, int], list[_ObsDraws]] = {}

        def check_key(metric_id: str, period: str, cohort: str | None, where: str) -> AnyMetric:
            metric = metrics.get(metric_id)
            if metric is None:
                raise DrawsError(where, f"unknown metric '{metric_id}'")
            if period not in periods:
                raise DrawsError(where, f"unknown period '{period}'")
            if cohort is not None and cohort not in cohort_rank:
                raise DrawsError(where, f"unknown cohort '{cohort}'")
            return metric

        for key in draws.counterfactuals:
            metric = check_key(*key, where=f"counterfactuals{list(key)}")
            if isinstance(metric, BlendedMetric):
                if not any(k[:3] == key for k in draws.estimates):
                    raise DrawsError(f"counterfactuals{list(key)}", "no estimates for this observation")
            elif key not in draws.values:
                raise DrawsError(f"counterfactuals{list(key)}", "no measured value for this observation")
        found: dict[tuple[str, int], list[tuple[int, _ObsDraws]]] = {}
        for key, value in draws.values.items():
            where = f"values{list(key)}"
            metric = check_key(*key, where=where)
            if isinstance(metric, RateCardMetric | BlendedMetric):
                wanted = "outcome_counts" if isinstance(metric, RateCardMetric) else "estimates"
                raise DrawsError(where, f"metric '{metric.id}' takes {wanted}")
            measured = _arr(value, n, where)
            cfspec = metric.counterfactual
            cf: float | np.ndarray | None
            if key in draws.counterfactuals:
                cf = _arr(draws.counterfactuals[key], n, f"counterfactuals{list(key)}")
            elif cfspec.kind == "comparison":
                raise DrawsError(f"counterfactuals{list(key)}", "the comparison group's value is required")
            else:
                level = cfspec.level(key[1], key[2])
                if level is None:
                    raise DrawsError(where, f"the contract's {cfspec.kind} has no level for this observation")
                cf = float(level)
            direction = "decrease" if isinstance(metric, SavingsMetric) else metric.direction
            measure = getattr(metric, "measure", None)
            if measure is not None:
                if key in draws.denominators:
                    den: Any = _arr(draws.denominators[key], n, f"denominators{list(key)}")
                else:
                    size = next((c.size for c in contract.cohorts if c.id == key[2]), None)
                    if measure.kind == "ratio" or not size:
                        raise DrawsError(f"denominators{list(key)}", "the denominator is required")
                    den = float(size)
                per = float(measure.per)
                cf = cf * den / per
                if measure.kind == "rate":
                    measured = measured * den / per
            elif key in draws.denominators:
                raise DrawsError(
                    f"denominators{list(key)}", f"metric '{metric.id}' has no ratio or rate measure"
                )
            imp = cf - measured if direction == "decrease" else measured - cf
            rank = 0 if key[2] is None else cohort_rank[key[2]]
            found.setdefault((key[0], periods[key[1]]), []).append((rank, _ObsDraws(key[2], imp, cf)))
        blended: dict[tuple[str, str, str | None], dict[str, np.ndarray]] = {}
        for ekey, value in draws.estimates.items():
            where = f"estimates{list(ekey)}"
            metric = check_key(*ekey[:3], where=where)
            if not isinstance(metric, BlendedMetric):
                raise DrawsError(where, f"metric '{metric.id}' is not blended")
            if ekey[3] not in {e.id for e in metric.evaluations}:
                raise DrawsError(where, f"unknown evaluation '{ekey[3]}'")
            blended.setdefault(ekey[:3], {})[ekey[3]] = _arr(value, n, where)
        for key, est in blended.items():
            metric = metrics[key[0]]
            assert isinstance(metric, BlendedMetric)  # only blended metrics got estimates (above)
            imp = np.zeros(n)
            for e in metric.evaluations:
                if e.id not in est:
                    raise DrawsError(f"estimates{[*key, e.id]}", "missing estimate for this evaluation")
                imp = imp + float(e.weight) * est[e.id]
            cf = None
            if key in draws.counterfactuals:
                cf = _arr(draws.counterfactuals[key], n, f"counterfactuals{list(key)}")
            elif any(
                t is not None and t.kind == "relative"
                for t in (metric.threshold, metric.contract_threshold, metric.steps)
            ):
                raise DrawsError(
                    f"counterfactuals{list(key)}", "a relative threshold needs the counterfactual level"
                )
            rank = 0 if key[2] is None else cohort_rank[key[2]]
            found.setdefault((key[0], periods[key[1]]), []).append((rank, _ObsDraws(key[2], imp, cf)))
        for k, v in found.items():
            self.obs[k] = [o for _, o in sorted(v, key=lambda t: t[0])]

        self.counts: dict[tuple[str, int], dict[int, np.ndarray]] = {}
        for okey, value in draws.outcome_counts.items():
            where = f"outcome_counts{list(okey)}"
            metric = check_key(okey[0], okey[1], None, where=where)
            if not isinstance(metric, RateCardMetric):
                raise DrawsError(where, f"metric '{metric.id}' is not a rate card")
            ids = [o.id for o in metric.outcomes]
            if okey[2] not in ids:
                raise DrawsError(where, f"unknown outcome '{okey[2]}'")
            self.counts.setdefault((okey[0], periods[okey[1]]), {})[ids.index(okey[2])] = _arr(
                value, n, where
            )
        self.amounts: dict[tuple[str, int], np.ndarray] = {}
        for akey, value in draws.rate_card_amounts.items():
            where = f"rate_card_amounts{list(akey)}"
            metric = check_key(akey[0], akey[1], None, where=where)
            if not isinstance(metric, RateCardMetric):
                raise DrawsError(where, f"metric '{metric.id}' is not a rate card")
            self.amounts[(akey[0], periods[akey[1]])] = round_ore_array(_arr(value, n, where) * 100)
        self.gross: dict[tuple[str, int], np.ndarray] = {}
        for akey, value in draws.rate_card_gross.items():
            where = f"rate_card_gross{list(akey)}"
            if akey not in draws.rate_card_amounts:
                raise DrawsError(where, "give rate_card_amounts for the same metric and period")
            self.gross[(akey[0], periods[akey[1]])] = round_ore_array(_arr(value, n, where) * 100)


def _condition_met(g: _Gathered, condition: Condition, period: int, first: int | None = None) -> np.ndarray:
    start = period if first is None else first
    obs = [o for p in range(start, period + 1) for o in g.obs.get((condition.metric, p), [])]
    if not obs:
        return np.zeros(g.n, dtype=bool)
    imp = _sum([o.improvement for o in obs])
    cf = None if any(o.counterfactual is None for o in obs) else _sum([o.counterfactual for o in obs])
    _, met = _payable(condition.threshold, imp, cf)
    return met


def _contract_bonus_ore(g: _Gathered, metric: SavingsMetric, last: int) -> np.ndarray:
    """A savings bonus over the whole contract in int64 öre (see ``payments_exact._contract_bonus``)."""
    bonus = metric.bonus
    assert bonus is not None
    obs = [o for p in range(last + 1) for o in g.obs.get((metric.id, p), [])]
    if not obs:
        return np.zeros(g.n, dtype=np.int64)
    savings_ore = _sum([o.improvement for o in obs]) * 100.0
    extra = _round_nonneg(float(bonus.share) * np.maximum(savings_ore - float(bonus.above * 100), 0.0))
    if bonus.condition is not None:
        extra *= _condition_met(g, bonus.condition, last, 0)
    return extra


Columns = list[np.ndarray]  # one int64 array of shape (n,) per period


def _gross_draws(contract: Contract, g: _Gathered) -> tuple[dict[str, Columns], dict[str, Columns]]:
    """Per metric and period: (before rule caps, after rule caps), int64 öre of shape (n,)."""
    n, t_n = g.n, len(contract.periods)
    zero = np.zeros(n, dtype=np.int64)  # shared, never written to
    before: dict[str, Columns] = {}
    after: dict[str, Columns] = {}
    for metric in contract.metrics:
        b: Columns = [zero] * t_n
        a: Columns = [zero] * t_n
        before[metric.id], after[metric.id] = b, a
        if isinstance(metric, RateCardMetric):
            prices = [int(o.price * 100) for o in metric.outcomes]
            for p in range(t_n):
                if (metric.id, p) in g.amounts:
                    a[p] = g.amounts[(metric.id, p)]
                    b[p] = g.gross.get((metric.id, p), a[p])
                elif (metric.id, p) in g.counts:
                    total = np.zeros(n)
                    for i, counts in g.counts[(metric.id, p)].items():
                        total += prices[i] * counts
                    b[p] = a[p] = _round_nonneg(total)
        elif isinstance(metric, ConditionMetric):
            continue
        elif isinstance(metric, SavingsMetric):
            paid1 = zero
            paid2 = zero
            bonus = metric.bonus
            share = float(metric.share)
            per_period = bonus is not None and bonus.over == "period"
            for p in range(t_n):
                obs = g.obs.get((metric.id, p), [])
                t1 = zero
                t2 = zero
                if bonus is not None and not per_period and p == t_n - 1:
                    t2 = _contract_bonus_ore(g, metric, t_n - 1)
                if not obs and t2 is zero:
                    continue
                met = None
                if per_period and bonus is not None and bonus.condition is not None:
                    met = _condition_met(g, bonus.condition, p)
                for o in obs:
                    saving_ore = np.maximum(o.improvement, 0.0)
                    saving_ore *= 100
                    t1 = t1 + _round_nonneg(share * saving_ore)
                    if per_period and bonus is not None:
                        extra = _round_nonneg(
                            float(bonus.share) * np.maximum(saving_ore - float(bonus.above * 100), 0.0)
                        )
                        if met is not None:
                            extra *= met
                        t2 = t2 + extra
                b[p] = t1 + t2
                if metric.cap is not None:
                    t1 = np.minimum(t1, int(metric.cap * 100) - paid1)
                if bonus is not None and bonus.cap is not None:
                    t2 = np.minimum(t2, int(bonus.cap * 100) - paid2)
                paid1 = paid1 + t1
                paid2 = paid2 + t2
                a[p] = t1 + t2
        else:
            assert isinstance(metric, ImprovementMetric | BlendedMetric)
            for p in range(t_n):
                for o in g.obs.get((metric.id, p), []):
                    units, met = _payable(metric.threshold, o.improvement, o.counterfactual)
                    b[p] = b[p] + _price_ore(metric, units)
                    if metric.steps is not None:
                        lump = _steps_ore(metric.steps, o.improvement, o.counterfactual)
                        if met is not None:
                            lump *= met
                        b[p] = b[p] + lump
            if metric.contract_threshold is not None:
                s = t_n - 1
                if metric.settlement_period is not None:
                    s = contract.period_ids.index(metric.settlement_period)
                obs = [o for p in range(s + 1) for o in g.obs.get((metric.id, p), [])]
                if obs:
                    imp = _sum([o.improvement for o in obs])
                    cf = None
                    if all(o.counterfactual is not None for o in obs):
                        cf = _sum([o.counterfactual for o in obs])
                    units, met = _payable(metric.contract_threshold, imp, cf)
                    entitlement = _price_ore(metric, units)
                    already = _sum(b[: s + 1])
                    settlement = np.maximum(entitlement - already, 0)
                    settlement *= met
                    b[s] = b[s] + settlement
            after[metric.id] = b
    return before, after


def _divmod(total: np.ndarray, num: int, denom: int) -> tuple[np.ndarray, np.ndarray]:
    """``divmod(total * num, denom)`` exactly, without slow integer division.

    A float estimate of the quotient (off by at most one) corrected in integers; exact while
    ``total * num`` fits in int64, i.e. period totals below 9.2e12 öre (92 billion SEK).
    """
    q = np.floor(total * (num / denom)).astype(np.int64)
    r = total * num - q * denom
    low = r < 0
    q -= low
    r += low * denom
    high = r >= denom
    q += high
    r -= high * denom
    return q, r


def _allocate_ore(total: np.ndarray, shares: list[Any]) -> Columns:
    """``money.allocate`` for every draw at once, in int64 öre: one array per payer.

    Largest remainder; ties go to the earlier payer. Exact for totals below 9.2e12 öre.
    """
    nums = [int(s * 1_000_000) for s in shares]
    denom = sum(nums)
    if len(nums) == 1:
        return [total]
    parts, rems = [], []
    for num in nums:
        q, r = _divmod(total, num, denom)
        parts.append(q)
        rems.append(r)
    left = total - _sum(parts)
    for i, ri in enumerate(rems):
        rank = np.zeros(total.shape, dtype=np.int64)
        for j, rj in enumerate(rems):
            if j < i:
                rank += rj >= ri
            elif j > i:
                rank += rj > ri
        parts[i] = parts[i] + (rank < left)
    return parts


#: draws computed together by :func:`calculate_draws` (as the Monte Carlo's chunks): the working
#: arrays of one chunk stay a few tens of MiB whatever the number of draws
CHUNK = 65_536


def _slice_draws(draws: Draws, start: int, stop: int) -> Draws:
    """Draws ``start … stop − 1`` (views, no copies); a figure given as a scalar stays one."""

    def cut(d: dict[Any, np.ndarray]) -> dict[Any, np.ndarray]:
        return {k: (v[start:stop] if np.ndim(v) else v) for k, v in d.items()}

    return Draws(
        n_draws=stop - start,
        values=cut(draws.values),
        counterfactuals=cut(draws.counterfactuals),
        estimates=cut(draws.estimates),
        outcome_counts=cut(draws.outcome_counts),
        rate_card_amounts=cut(draws.rate_card_amounts),
        rate_card_gross=cut(draws.rate_card_gross),
        denominators=cut(draws.denominators),
    )


def calculate_draws(contract: Contract, draws: Draws, chunk_size: int = CHUNK) -> DrawTotals:
    """Compute the payments of ``contract`` for every draw, ``chunk_size`` draws at a time (every
    draw is computed on its own numbers, so the result does not depend on the chunk size; only the
    result arrays grow with the number of draws, not the working ones).

    Same rules as :func:`insats.core.payments.calculate` (tiers, thresholds, settlement, tranche
    caps, metric/contract/payer caps, carry-forward, payer split by largest remainder). Loops run
    over periods, metrics and observations, never over draws. Threshold comparisons use a relative
    tolerance of 1e-9 and half-öre rounding a relative nudge of 1e-12 so that float inputs equal to
    short decimals behave as the exact engine does. Raises :class:`DrawsError` (a ValueError naming
    the key) for unknown ids or wrong shapes.
    """
    n = draws.n_draws
    if n <= chunk_size:
        return _calculate_chunk(contract, draws)
    out: DrawTotals | None = None
    for a in range(0, n, chunk_size):
        b = min(n, a + chunk_size)
        part = _calculate_chunk(contract, _slice_draws(draws, a, b))
        if out is None:  # the result arrays, filled chunk by chunk (no concatenation: no copies)

            def grow(x: np.ndarray) -> np.ndarray:
                return np.empty((n, *x.shape[1:]), dtype=x.dtype)

            out = DrawTotals(
                periods=part.periods,
                by_metric={k: grow(v) for k, v in part.by_metric.items()},
                total=grow(part.total),
                by_payer={k: grow(v) for k, v in part.by_payer.items()},
                before_caps=grow(part.before_caps),
                carried_remaining=np.empty(n),
                cap_bound=grow(part.cap_bound),
            )
        for k, v in part.by_metric.items():
            out.by_metric[k][a:b] = v
        for k, v in part.by_payer.items():
            out.by_payer[k][a:b] = v
        out.total[a:b] = part.total
        out.before_caps[a:b] = part.before_caps
        out.carried_remaining[a:b] = part.carried_remaining
        out.cap_bound[a:b] = part.cap_bound
    assert out is not None
    return out


def _calculate_chunk(contract: Contract, draws: Draws) -> DrawTotals:
    """:func:`calculate_draws` for one chunk, all its draws at once."""
    n = draws.n_draws
    g = _Gathered(contract, draws)
    before, after = _gross_draws(contract, g)
    metrics = contract.metrics
    periods = contract.period_ids
    zero = np.zeros(n, dtype=np.int64)
    carry = {m.id: zero for m in metrics}
    paid_m = {m.id: zero for m in metrics}
    payers = contract.payers
    paid_payer = [zero] * len(payers)
    paid_total = zero
    due: dict[str, Columns] = {m.id: [] for m in metrics}
    due_payer: list[Columns] = [[] for _ in payers]
    bound_cols: list[np.ndarray] = []
    before_cols: Columns = []
    cf_on = contract.carry_forward
    shares = [p.share for p in payers]
    for p, period in enumerate(periods):
        bound = np.zeros(n, dtype=bool)
        amount: dict[str, np.ndarray] = {}
        for m in metrics:
            if after[m.id][p] is not before[m.id][p]:
                bound |= before[m.id][p] > after[m.id][p]
            offered = after[m.id][p] + carry[m.id]
            carry[m.id] = zero
            cap = _period_cap(m.cap_per_period, period)
            if cap is not None:
                cut = np.maximum(offered - cap, 0)
                offered = offered - cut
                bound |= cut > 0
                if cf_on:
                    carry[m.id] = cut
            if m.cap_total is not None:
                cut = np.maximum(offered - (int(m.cap_total * 100) - paid_m[m.id]), 0)
                offered = offered - cut
                bound |= cut > 0
            amount[m.id] = offered
        cap = _period_cap(contract.caps.per_period, period)
        if cap is not None:
            room: Any = cap
            for m in metrics:
                take = np.minimum(amount[m.id], room)
                cut = amount[m.id] - take
                bound |= cut > 0
                if cf_on:
                    carry[m.id] = carry[m.id] + cut
                amount[m.id] = take
                room = room - take
        if contract.caps.total is not None:
            room = int(contract.caps.total * 100) - paid_total
            for m in metrics:
                take = np.minimum(amount[m.id], room)
                bound |= take < amount[m.id]
                amount[m.id] = take
                room = room - take
        total = _sum([amount[m.id] for m in metrics])
        if not isinstance(total, np.ndarray):
            total = zero
        parts = _allocate_ore(total, shares)
        cut = zero
        for k, payer in enumerate(payers):
            pay = parts[k]
            if payer.cap is not None:
                pay = np.minimum(pay, int(payer.cap * 100) - paid_payer[k])
                cut = cut + (parts[k] - pay)
            paid_payer[k] = paid_payer[k] + pay
            due_payer[k].append(pay)
        if any(payer.cap is not None for payer in payers):
            bound |= cut > 0
            for m in reversed(metrics):
                take = np.minimum(cut, amount[m.id])
                amount[m.id] = amount[m.id] - take
                cut = cut - take
        for m in metrics:
            due[m.id].append(amount[m.id])
            paid_m[m.id] = paid_m[m.id] + amount[m.id]
            paid_total = paid_total + amount[m.id]
        bound_cols.append(bound)
        before_cols.append(_sum([before[m.id][p] for m in metrics]))

    def sek(cols: Columns) -> np.ndarray:
        return np.column_stack([np.broadcast_to(c, (n,)) for c in cols]) / 100.0

    by_metric = {m.id: sek(due[m.id]) for m in metrics}
    return DrawTotals(
        periods=list(periods),
        by_metric=by_metric,
        total=sek([_sum([due[m.id][p] for m in metrics]) for p in range(len(periods))]),
        by_payer={payer.id: sek(due_payer[k]) for k, payer in enumerate(payers)},
        before_caps=sek(before_cols),
        carried_remaining=_sum([carry[m.id] for m in metrics]) / 100.0,
        cap_bound=np.column_stack(bound_cols),
    )


def _period_cap(cap: Any, period: str) -> int | None:
    if cap is None:
        return None
    if isinstance(cap, dict):
        value = cap.get(period)
        return None if value is None else int(value * 100)
    return int(cap * 100)


def draws_from_results(contract: Contract, results: Results, n_draws: int = 1) -> Draws:
    """The observed results as a :class:`Draws` of ``n_draws`` identical draws.

    Rate cards are given as ``rate_card_amounts`` (after per-participant caps), so that
    ``calculate_draws(contract, draws_from_results(contract, results))`` equals
    ``calculate(contract, results)`` to the öre.
    """
    from insats.core.payments_exact import prepare

    prepared = prepare(contract, results)
    draws = Draws(n_draws=n_draws)
    periods = contract.period_ids
    for obs in results.observations:
        key = (obs.metric, obs.period, obs.cohort)
        metric = contract.metric(obs.metric)
        if isinstance(metric, BlendedMetric):
            for e, v in (obs.estimates or {}).items():
                draws.estimates[(*key, e)] = np.full(n_draws, float(v))
            if obs.counterfactual is not None:
                draws.counterfactuals[key] = np.full(n_draws, float(obs.counterfactual))
        else:
            assert obs.value is not None
            draws.values[key] = np.full(n_draws, float(obs.value))
            if obs.counterfactual is not None:
                draws.counterfactuals[key] = np.full(n_draws, float(obs.counterfactual))
            if obs.denominator is not None:
                draws.denominators[key] = np.full(n_draws, float(obs.denominator))
    for metric_id, (gross, capped, _) in prepared.rate_cards.items():
        for p, period in enumerate(periods):
            draws.rate_card_amounts[(metric_id, period)] = np.full(n_draws, int(capped[p]) / 100.0)
            draws.rate_card_gross[(metric_id, period)] = np.full(n_draws, int(gross[p]) / 100.0)
    return draws
