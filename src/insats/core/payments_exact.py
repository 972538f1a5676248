"""Exact (Decimal) outcome-payment engine. Import from :mod:`insats.core.payments`."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from insats.core.money import ORE, allocate, round_ore
from insats.core.payments_models import (
    AnyMetric,
    BlendedMetric,
    CapApplied,
    Condition,
    ConditionMetric,
    Contract,
    ImprovementMetric,
    Input,
    MetricPeriodRow,
    ObservationRow,
    Output,
    ParticipantRecords,
    PayerPeriodRow,
    PeriodRow,
    RateCardMetric,
    Results,
    SavingsMetric,
    Steps,
    Threshold,
    Totals,
    fail,
)
from insats.core.payments_vector import rate_card_ore

ZERO = Decimal("0.00")

CAP_ORDER: list[str] = [
    "participant",  # rate card: most paid per participant over the contract (hard)
    "tranche",  # savings: first tranche's cap over the contract (hard)
    "bonus_tranche",  # savings: bonus tranche's cap over the contract (hard)
    "metric_period",  # metric's cap per period (carried forward if carry_forward)
    "metric_total",  # metric's cap over the contract (hard)
    "contract_period",  # all metrics' cap per period, metrics in priority order (carried if carry_forward)
    "contract_total",  # all metrics' cap over the contract, metrics in priority order (hard)
    "payer",  # each payer's cap over the contract, applied to its allocated part (hard)
]
"""The order in which caps apply. 'Hard' caps remove money for good."""


# ---------------------------------------------------------------------------------------------
# Preparing results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedObservation:
    """An observation with its counterfactual looked up and its improvement computed."""

    index: int
    cohort: str | None
    measured: Decimal | None
    counterfactual: Decimal | None
    improvement: Decimal


@dataclass
class Prepared:
    """Results arranged per metric and period, checked against the contract."""

    observations: dict[tuple[str, int], list[ResolvedObservation]]
    rate_cards: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # gross, capped, count (öre/int)


def _improvement(direction: str, measured: Decimal, cf: Decimal) -> Decimal:
    return cf - measured if direction == "decrease" else measured - cf


def _needs_cf(metric: AnyMetric) -> bool:
    for t in (
        getattr(metric, "threshold", None),
        getattr(metric, "contract_threshold", None),
        getattr(metric, "steps", None),
    ):
        if t is not None and t.kind == "relative":
            return True
    return False


def measure_denominator(
    contract: Contract, metric: AnyMetric, cohort: str | None, denominator: Decimal | None
) -> tuple[Decimal | None, str | None]:
    """The denominator of an observation of a metric with a measure, or ``(None, error message)``."""
    measure = getattr(metric, "measure", None)
    if measure is None:
        if denominator is not None:
            return None, "only metrics with a ratio or rate measure take a denominator"
        return None, None
    if denominator is not None:
        return denominator, None
    if measure.kind == "ratio":
        return None, "a ratio measure needs the denominator"
    size = next((c.size for c in contract.cohorts if c.id == cohort), None)
    if not size:
        return None, "a rate measure needs the denominator, or the cohort's size in the contract"
    return Decimal(size), None


def prepare(contract: Contract, results: Results, prefix: str = "results") -> Prepared:
    """Check ``results`` against ``contract`` and arrange them; errors name the field."""
    periods = {p: i for i, p in enumerate(contract.period_ids)}
    cohort_order = {c.id: i + 1 for i, c in enumerate(contract.cohorts)}
    cohort_order_none = 0
    metrics = {m.id: m for m in contract.metrics}
    seen: dict[tuple[str, str, str | None], int] = {}
    rows: dict[tuple[str, int], list[tuple[int, ResolvedObservation]]] = {}
    for i, obs in enumerate(results.observations):
        where = f"{prefix}.observations.{i}"
        metric = metrics.get(obs.metric)
        if metric is None:
            raise fail(f"{where}.metric", f"unknown metric '{obs.metric}'", obs.metric)
        if obs.period not in periods:
            raise fail(f"{where}.period", f"unknown period '{obs.period}'", obs.period)
        if obs.cohort is not None and obs.cohort not in cohort_order:
            raise fail(f"{where}.cohort", f"unknown cohort '{obs.cohort}'", obs.cohort)
        key = (obs.metric, obs.period, obs.cohort)
        if key in seen:
            raise fail(
                f"{where}.cohort", f"duplicate of observation {seen[key]} (same metric, period, cohort)"
            )
        seen[key] = i
        if isinstance(metric, RateCardMetric):
            raise fail(f"{where}.metric", "a rate-card metric is reported in 'participants', not here")
        if isinstance(metric, BlendedMetric):
            if obs.denominator is not None:
                raise fail(
                    f"{where}.denominator", "only metrics with a ratio or rate measure take a denominator"
                )
            est = obs.estimates or {}
            ids = [e.id for e in metric.evaluations]
            for e in est:
                if e not in ids:
                    raise fail(f"{where}.estimates", f"unknown evaluation '{e}'", e)
            missing = [e for e in ids if e not in est]
            if missing:
                raise fail(f"{where}.estimates", f"missing estimate for evaluation '{missing[0]}'")
            cf = obs.counterfactual
            if cf is None and _needs_cf(metric):
                raise fail(f"{where}.counterfactual", "a relative threshold needs the counterfactual level")
            imp = sum((e.weight * est[e.id] for e in metric.evaluations), Decimal(0))
            resolved = ResolvedObservation(i, obs.cohort, obs.value, cf, imp)
        else:
            if obs.estimates is not None:
                raise fail(f"{where}.estimates", "only blended metrics take estimates")
            if obs.value is None:
                raise fail(f"{where}.value", "the measured value is required")
            den, problem = measure_denominator(contract, metric, obs.cohort, obs.denominator)
            if problem is not None:
                raise fail(f"{where}.denominator", problem)
            cfspec = metric.counterfactual
            if cfspec.kind == "comparison":
                if obs.counterfactual is None:
                    raise fail(f"{where}.counterfactual", "the comparison group's value is required")
                cf = obs.counterfactual
            else:
                if obs.counterfactual is not None:
                    raise fail(
                        f"{where}.counterfactual",
                        f"the contract fixes the {cfspec.kind}; do not report a counterfactual",
                    )
                cf = cfspec.level(obs.period, obs.cohort)
                if cf is None:
                    raise fail(
                        f"{where}.cohort",
                        f"the contract's {cfspec.kind} has no level for period '{obs.period}' "
                        f"and cohort '{obs.cohort}'",
                    )
            direction = "decrease" if isinstance(metric, SavingsMetric) else metric.direction
            measured = obs.value
            if den is not None and not isinstance(metric, SavingsMetric):  # savings have no measure
                measured, cf = in_units(metric.measure, obs.value, cf, den)
            resolved = ResolvedObservation(i, obs.cohort, measured, cf, _improvement(direction, measured, cf))
        order = cohort_order_none if obs.cohort is None else cohort_order[obs.cohort]
        rows.setdefault((obs.metric, periods[obs.period]), []).append((order, resolved))
    observations = {k: [r for _, r in sorted(v, key=lambda t: t[0])] for k, v in rows.items()}

    rate_cards: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for j, rec in enumerate(results.participants):
        where = f"{prefix}.participants.{j}"
        metric = metrics.get(rec.metric)
        if metric is None:
            raise fail(f"{where}.metric", f"unknown metric '{rec.metric}'", rec.metric)
        if not isinstance(metric, RateCardMetric):
            raise fail(f"{where}.metric", f"metric '{rec.metric}' is not a rate card")
        if rec.metric in rate_cards:
            raise fail(f"{where}.metric", f"metric '{rec.metric}' is given twice; put all its rows in one")
        arrays = participant_arrays(metric, contract, rec, where)
        rate_cards[rec.metric] = rate_card_ore(metric, len(periods), *arrays)
    return Prepared(observations, rate_cards)


def participant_arrays(
    metric: RateCardMetric, contract: Contract, rec: ParticipantRecords, where: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Columns of participant records as int arrays (participant, outcome, achieved, sustained_through)."""
    periods = {p: i for i, p in enumerate(contract.period_ids)}
    outcomes = {o.id: i for i, o in enumerate(metric.outcomes)}
    _, participant = np.unique(np.asarray(rec.participant, dtype=object).astype(str), return_inverse=True)
    try:
        outcome = np.fromiter((outcomes[o] for o in rec.outcome), dtype=np.int64, count=len(rec.outcome))
    except KeyError as exc:
        row = rec.outcome.index(exc.args[0])
        raise fail(f"{where}.outcome.{row}", f"unknown outcome '{exc.args[0]}'", exc.args[0])
    try:
        achieved = np.fromiter((periods[p] for p in rec.achieved), dtype=np.int64, count=len(rec.achieved))
    except KeyError as exc:
        row = rec.achieved.index(exc.args[0])
        raise fail(f"{where}.achieved.{row}", f"unknown period '{exc.args[0]}'", exc.args[0])
    through = np.full(len(rec.achieved), -1, dtype=np.int64)
    if rec.sustained_through is not None:
        for row, p in enumerate(rec.sustained_through):
            if p is None:
                continue
            if p not in periods:
                raise fail(f"{where}.sustained_through.{row}", f"unknown period '{p}'", p)
            through[row] = periods[p]
        bad = np.flatnonzero((through >= 0) & (through < achieved))
        if bad.size:
            raise fail(f"{where}.sustained_through.{int(bad[0])}", "is before the period achieved")
    participant = participant.astype(np.int64)
    single = np.array([not o.repeatable for o in metric.outcomes], dtype=bool)
    if single.any() and outcome.size:
        rows = np.flatnonzero(single[outcome])
        pair = participant[rows] * len(metric.outcomes) + outcome[rows]
        _, first, counts = np.unique(pair, return_index=True, return_counts=True)
        if (counts > 1).any():
            dup_pair = np.unique(pair, return_counts=True)
            dup_value = dup_pair[0][dup_pair[1] > 1][0]
            row = int(rows[np.flatnonzero(pair == dup_value)[1]])
            raise fail(
                f"{where}.outcome.{row}",
                f"participant '{rec.participant[row]}' has outcome '{rec.outcome[row]}' twice and it is not "
                "repeatable",
            )
    return participant, outcome, achieved, through


def in_units(measure: Any, value: Decimal, cf: Decimal, denominator: Decimal) -> tuple[Decimal, Decimal]:
    """A ratio or rate observation in units of the numerator: ``(measured, counterfactual)``.

    The counterfactual is a rate per ``measure.per`` of the denominator, so it stands for
    ``cf × denominator / per`` units; a ratio reports the numerator itself, a rate
    ``value × denominator / per``.
    """
    cf_units = cf * denominator / measure.per
    measured = value if measure.kind == "ratio" else value * denominator / measure.per
    return measured, cf_units


def check_results(contract: Contract, results: Results, prefix: str = "results") -> None:
    """Cross-check results against the contract; raise a ValidationError naming the field.

    Unknown metric/period/cohort/outcome/evaluation ids, missing measured or comparison values,
    duplicate observations, rate-card records for non-rate-card metrics, repeated non-repeatable
    outcomes.
    """
    prepare(contract, results, prefix)


def parse_input(data: dict[str, Any]) -> Input:
    """Validate ``{"contract": ..., "results": ...}`` into an :class:`Input` (raises ValidationError)."""
    return Input.model_validate(data)


# ---------------------------------------------------------------------------------------------
# Price rules
# ---------------------------------------------------------------------------------------------


def threshold_level(threshold: Threshold, cf: Decimal | None) -> Decimal | None:
    """The improvement (in units) a threshold requires; None if it cannot be met (relative, cf <= 0)."""
    if threshold.kind == "absolute":
        return threshold.value
    if cf is None or cf <= 0:
        return None
    return threshold.value * cf


def reaches(improvement: Decimal, level: Decimal | None, inclusive: bool) -> bool:
    """Whether ``improvement`` reaches ``level`` (>= when inclusive, > when strict); None never."""
    if level is None:
        return False
    return improvement >= level if inclusive else improvement > level


def payable_units(
    threshold: Threshold | None, improvement: Decimal, cf: Decimal | None
) -> tuple[Decimal, bool | None]:
    """Units paid for and whether the threshold was met (None if there is none)."""
    if threshold is None:
        return max(improvement, Decimal(0)), None
    level = threshold_level(threshold, cf)
    if level is None or not reaches(improvement, level, threshold.inclusive):
        return Decimal(0), False
    if threshold.pays == "above_threshold":
        return max(improvement - level, Decimal(0)), True
    return max(improvement, Decimal(0)), True


def step_amount(steps: Steps, improvement: Decimal, cf: Decimal | None) -> Decimal:
    """The lump sum of the highest step ``improvement`` reaches (0 if none)."""
    amount = ZERO
    for step in steps.levels:
        level = step.at if steps.kind == "absolute" else (None if cf is None or cf <= 0 else step.at * cf)
        if not reaches(improvement, level, steps.inclusive):
            break
        amount = step.amount
    return amount


def price_units(metric: ImprovementMetric | BlendedMetric, units: Decimal) -> Decimal:
    """Price × units (or the marginal tiers), rounded to öre; 0 with steps alone."""
    if metric.tiers is None:
        if metric.price is None:
            return ZERO
        return round_ore(metric.price * units)
    total, lower = Decimal(0), Decimal(0)
    for tier in metric.tiers:
        upper = tier.up_to
        band = units - lower if upper is None else min(units, upper) - lower
        if band <= 0:
            break
        total += tier.price * band
        if upper is None:
            break
        lower = upper
    return round_ore(total)


def _counterfactual_total(obs: list[ResolvedObservation]) -> Decimal | None:
    """Sum of the observations' counterfactuals (from 0, in order), or None when any is missing."""
    total = Decimal(0)
    for o in obs:
        if o.counterfactual is None:
            return None
        total += o.counterfactual
    return total


def condition_met(
    contract: Contract,
    prepared: Prepared,
    condition: Condition,
    period: int,
    *,
    from_period: int | None = None,
) -> bool:
    """Whether ``condition`` holds in ``period``: the metric's summed improvement reaches the threshold.

    With ``from_period``, over all periods from it to ``period`` (the whole-contract check).
    """
    first = period if from_period is None else from_period
    obs = [o for p in range(first, period + 1) for o in prepared.observations.get((condition.metric, p), [])]
    if not obs:
        return False
    imp = sum((o.improvement for o in obs), Decimal(0))
    cf = _counterfactual_total(obs)
    _, met = payable_units(condition.threshold, imp, cf)
    return bool(met)


# ---------------------------------------------------------------------------------------------
# The engine
# ---------------------------------------------------------------------------------------------


def period_cap(cap: Any, period: str) -> Decimal | None:
    """A per-period cap (one amount or a mapping) for ``period``; None = no cap."""
    if cap is None:
        return None
    if isinstance(cap, dict):
        return cap.get(period)
    return cap


@dataclass
class _Gross:
    before: Decimal = ZERO  # what the rule gives before rule caps
    after: Decimal = ZERO  # after rule caps
    caps: list[CapApplied] = field(default_factory=list)
    measured: Decimal | None = None
    counterfactual: Decimal | None = None
    improvement: Decimal | None = None
    units: Decimal = Decimal(0)
    settlement: Decimal = ZERO
    observations: list[ObservationRow] = field(default_factory=list)


def _sum_or_none(values: list[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def _gross_amounts(contract: Contract, prepared: Prepared) -> dict[str, list[_Gross]]:
    """Per metric, per period: the price rule's amount and the rule-level caps."""
    n = len(contract.periods)
    out: dict[str, list[_Gross]] = {}
    for metric in contract.metrics:
        rows = [_Gross() for _ in range(n)]
        out[metric.id] = rows
        if isinstance(metric, RateCardMetric):
            gross, capped, count = prepared.rate_cards.get(
                metric.id, (np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64))
            )
            for p in range(n):
                g = rows[p]
                g.before, g.after = Decimal(int(gross[p])) * ORE, Decimal(int(capped[p])) * ORE
                g.measured = g.units = Decimal(int(count[p]))
                if g.before > g.after:
                    g.caps.append(CapApplied(cap="participant", reduced_by=g.before - g.after))
            continue
        for p in range(n):
            obs = prepared.observations.get((metric.id, p), [])
            g = rows[p]
            g.measured = _sum_or_none([o.measured for o in obs])
            g.counterfactual = _sum_or_none([o.counterfactual for o in obs])
            g.improvement = sum((o.improvement for o in obs), Decimal(0)) if obs else None
        if isinstance(metric, ConditionMetric):
            for p in range(n):
                for o in prepared.observations.get((metric.id, p), []):
                    rows[p].observations.append(
                        ObservationRow(
                            cohort=o.cohort,
                            measured=o.measured,
                            counterfactual=o.counterfactual,
                            improvement=o.improvement,
                            threshold_met=None,
                            units_paid=ZERO,
                            amount=ZERO,
                        )
                    )
        elif isinstance(metric, SavingsMetric):
            _savings(contract, prepared, metric, rows)
        else:
            _priced(contract, prepared, metric, rows)
    return out


def _priced(
    contract: Contract, prepared: Prepared, metric: ImprovementMetric | BlendedMetric, rows: list[_Gross]
) -> None:
    n = len(rows)
    for p in range(n):
        g = rows[p]
        for o in prepared.observations.get((metric.id, p), []):
            units, met = payable_units(metric.threshold, o.improvement, o.counterfactual)
            amount = price_units(metric, units) if units > 0 else ZERO
            if metric.steps is not None:
                if met is not False:
                    lump = step_amount(metric.steps, o.improvement, o.counterfactual)
                    amount += lump
                    if met is None:
                        met = lump > 0
                if metric.price is None and metric.tiers is None:
                    units = Decimal(0)
            g.units += units
            g.before += amount
            g.observations.append(
                ObservationRow(
                    cohort=o.cohort,
                    measured=o.measured,
                    counterfactual=o.counterfactual,
                    improvement=o.improvement,
                    threshold_met=met,
                    units_paid=units,
                    amount=amount,
                )
            )
    if metric.contract_threshold is not None:
        s = n - 1 if metric.settlement_period is None else contract.period_ids.index(metric.settlement_period)
        obs = [o for p in range(s + 1) for o in prepared.observations.get((metric.id, p), [])]
        if obs:
            imp = sum((o.improvement for o in obs), Decimal(0))
            cf = _counterfactual_total(obs)
            units, met = payable_units(metric.contract_threshold, imp, cf)
            if met:
                entitlement = price_units(metric, units) if units > 0 else ZERO
                already = sum((rows[p].before for p in range(s + 1)), Decimal(0))
                settlement = max(entitlement - already, ZERO)
                rows[s].settlement = settlement
                rows[s].before += settlement
    for g in rows:
        g.after = g.before


def _savings(contract: Contract, prepared: Prepared, metric: SavingsMetric, rows: list[_Gross]) -> None:
    paid1 = paid2 = ZERO
    bonus = metric.bonus
    per_period = bonus is not None and bonus.over == "period"
    last = len(rows) - 1
    for p, g in enumerate(rows):
        t1 = t2 = ZERO
        met = True
        if per_period and bonus is not None and bonus.condition is not None:
            met = condition_met(contract, prepared, bonus.condition, p)
        if bonus is not None and not per_period and p == last:
            t2 = g.settlement = _contract_bonus(contract, prepared, metric, last)
        for o in prepared.observations.get((metric.id, p), []):
            saving = max(o.improvement, ZERO)
            a1 = round_ore(metric.share * saving)
            a2 = ZERO
            if per_period and bonus is not None and met:
                a2 = round_ore(bonus.share * max(saving - bonus.above, ZERO))
            t1 += a1
            t2 += a2
            g.units += saving
            g.observations.append(
                ObservationRow(
                    cohort=o.cohort,
                    measured=o.measured,
                    counterfactual=o.counterfactual,
                    improvement=o.improvement,
                    threshold_met=met if per_period else None,
                    units_paid=saving,
                    amount=a1 + a2,
                )
            )
        g.before = t1 + t2
        c1 = t1 if metric.cap is None else min(t1, metric.cap - paid1)
        if c1 < t1:
            g.caps.append(CapApplied(cap="tranche", reduced_by=t1 - c1))
        c2 = t2
        if bonus is not None and bonus.cap is not None:
            c2 = min(t2, bonus.cap - paid2)
            if c2 < t2:
                g.caps.append(CapApplied(cap="bonus_tranche", reduced_by=t2 - c2))
        paid1 += c1
        paid2 += c2
        g.after = c1 + c2


def _contract_bonus(contract: Contract, prepared: Prepared, metric: SavingsMetric, last: int) -> Decimal:
    """A savings bonus over the whole contract: ``share × (Σ savings − above)`` if the condition holds
    over the whole contract (summed improvement of the condition metric against its summed
    counterfactual), paid in the last period; before the bonus cap."""
    bonus = metric.bonus
    assert bonus is not None
    obs = [o for p in range(last + 1) for o in prepared.observations.get((metric.id, p), [])]
    if not obs:
        return ZERO
    if bonus.condition is not None and not condition_met(
        contract, prepared, bonus.condition, last, from_period=0
    ):
        return ZERO
    savings = sum((o.improvement for o in obs), Decimal(0))
    return round_ore(bonus.share * max(savings - bonus.above, ZERO))


def calculate(contract: Contract, results: Results) -> Output:
    """Compute every payment of ``contract`` given ``results`` — exact, Decimal, to the öre.

    Per period, per metric: the price rule gives an amount per observation (rounded to öre), rule
    caps apply, then the carried-in amount is added and the caps in :data:`CAP_ORDER` apply; the
    period total is split between payers with ``money.allocate`` and payer caps apply. The report
    lists every cap that bound and by how much.
    """
    prepared = prepare(contract, results)
    gross = _gross_amounts(contract, prepared)
    metrics = contract.metrics
    carry = {m.id: ZERO for m in metrics}
    paid_metric = {m.id: ZERO for m in metrics}
    paid_payer = {p.id: ZERO for p in contract.payers}
    paid_total = ZERO
    removed: dict[str, Decimal] = dict.fromkeys(CAP_ORDER, ZERO)
    metric_rows: dict[str, list[MetricPeriodRow]] = {m.id: [] for m in metrics}
    period_rows: list[PeriodRow] = []
    shares = [p.share for p in contract.payers]

    for p, period in enumerate(contract.period_ids):
        caps: dict[str, list[CapApplied]] = {}
        amount: dict[str, Decimal] = {}
        carried_in: dict[str, Decimal] = {}
        for m in metrics:
            g = gross[m.id][p]
            caps[m.id] = list(g.caps)
            for c in g.caps:
                removed[c.cap] += c.reduced_by
            carried_in[m.id] = carry[m.id]
            offered = g.after + carry[m.id]
            carry[m.id] = ZERO
            cap = period_cap(m.cap_per_period, period)
            if cap is not None and offered > cap:
                _reduce(
                    caps[m.id], removed, carry, m.id, "metric_period", offered - cap, contract.carry_forward
                )
                offered = cap
            if m.cap_total is not None and offered > m.cap_total - paid_metric[m.id]:
                room = m.cap_total - paid_metric[m.id]
                _reduce(caps[m.id], removed, carry, m.id, "metric_total", offered - room, False)
                offered = room
            amount[m.id] = offered
        room_p = period_cap(contract.caps.per_period, period)
        if room_p is not None:
            for m in metrics:
                take = min(amount[m.id], room_p)
                if take < amount[m.id]:
                    _reduce(
                        caps[m.id],
                        removed,
                        carry,
                        m.id,
                        "contract_period",
                        amount[m.id] - take,
                        contract.carry_forward,
                    )
                    amount[m.id] = take
                room_p -= take
        if contract.caps.total is not None:
            room_t = contract.caps.total - paid_total
            for m in metrics:
                take = min(amount[m.id], room_t)
                if take < amount[m.id]:
                    _reduce(caps[m.id], removed, carry, m.id, "contract_total", amount[m.id] - take, False)
                    amount[m.id] = take
                room_t -= take
        period_total = sum(amount.values(), ZERO)
        parts = allocate(period_total, shares)
        payer_rows: list[PayerPeriodRow] = []
        payer_cut = ZERO
        for payer, part in zip(contract.payers, parts, strict=True):
            due = part
            if payer.cap is not None:
                due = min(part, payer.cap - paid_payer[payer.id])
            payer_cut += part - due
            paid_payer[payer.id] += due
            payer_rows.append(
                PayerPeriodRow(
                    payer=payer.id,
                    period=period,
                    share_of_total=part,
                    cap_reduced_by=part - due,
                    amount_due=due,
                    cumulative_due=paid_payer[payer.id],
                )
            )
        for m in reversed(metrics):
            if payer_cut <= 0:
                break
            cut = min(payer_cut, amount[m.id])
            if cut > 0:
                _reduce(caps[m.id], removed, carry, m.id, "payer", cut, False)
                amount[m.id] -= cut
                payer_cut -= cut
        bound = False
        before_total = ZERO
        for m in metrics:
            g = gross[m.id][p]
            paid_metric[m.id] += amount[m.id]
            paid_total += amount[m.id]
            before_total += g.before
            bound = bound or bool(caps[m.id])
            metric_rows[m.id].append(
                MetricPeriodRow(
                    metric=m.id,
                    period=period,
                    measured=g.measured,
                    counterfactual=g.counterfactual,
                    improvement=g.improvement,
                    units_paid=g.units,
                    settlement=g.settlement,
                    amount_before_caps=g.before,
                    carried_in=carried_in[m.id],
                    caps_applied=caps[m.id],
                    amount_due=amount[m.id],
                    carried_out=carry[m.id],
                    cumulative_due=paid_metric[m.id],
                    observations=g.observations,
                )
            )
        period_rows.append(
            PeriodRow(
                period=period,
                amount_before_caps=before_total,
                amount_due=sum(amount.values(), ZERO),
                carried_out=sum(carry.values(), ZERO),
                cumulative_due=paid_total,
                some_cap_bound=bound,
                payers=payer_rows,
            )
        )

    totals = Totals(
        amount_before_caps=sum((r.amount_before_caps for r in period_rows), ZERO),
        amount_due=paid_total,
        carried_remaining=sum(carry.values(), ZERO),
        removed_by_cap={k: v for k, v in removed.items() if v > 0},
        by_payer=dict(paid_payer),
        by_metric=dict(paid_metric),
    )
    return Output(
        contract=contract.id,
        currency=contract.currency,
        cap_order=list(CAP_ORDER),
        metrics=[row for m in metrics for row in metric_rows[m.id]],
        periods=period_rows,
        totals=totals,
    )


def _reduce(
    caps: list[CapApplied],
    removed: dict[str, Decimal],
    carry: dict[str, Decimal],
    metric: str,
    cap: str,
    by: Decimal,
    carried: bool,
) -> None:
    caps.append(CapApplied(cap=cap, reduced_by=by, carried=carried))
    if carried:
        carry[metric] += by
    else:
        removed[cap] += by
