"""The outcome-payment engine: what an outcomes contract pays, period by period, payer by payer.

A :class:`Contract` is a list of outcome metrics (each a measure, a counterfactual and a price
rule), payers with shares, caps and a schedule of periods. :class:`Results` are the reported
figures. Two engines compute the same thing:

* :func:`calculate` — exact, ``Decimal`` to the öre, with a full report (:class:`Output`);
* :func:`calculate_draws` — vectorised with NumPy over Monte Carlo draws (:class:`Draws` in,
  :class:`DrawTotals` out), for ``insats.core.simulation`` and ``insats.core.financing``.

Metric kinds (``kind`` in JSON):

``rate_card``    price per participant achieving a binary outcome (optionally sustained N periods),
                 several outcomes with their own prices, a cap per participant;
``improvement``  price × units of improvement over a counterfactual (historical baseline, comparison
                 group, or fixed target), marginal tiers, lump sums at steps, thresholds per
                 observation (cohort × period, inclusive or strict) and over the whole contract with a
                 final settlement; the measure may be a ratio or a rate weighted by cohort size;
``blended``      as ``improvement``, the effect being a weighted mix of several evaluations;
``savings``      measured savings paid at a share up to a cap, plus a further tranche above a savings
                 level when a second outcome condition holds (per period or over the whole contract),
                 itself capped;
``condition``    measured, never paid; used as the condition of a savings bonus.

Caps apply in this order (see :data:`CAP_ORDER` and ``docs/core/payments.md``): rule caps
(per participant, per savings tranche) → metric per period (carry-forward) → metric total →
contract per period (carry-forward) → contract total → payer. Money is rounded to the öre once per
observation (``money.round_ore``) and split between payers with ``money.allocate``.

``python -m insats.core payments FILE`` calls :func:`run`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from insats.core.payments_exact import CAP_ORDER, calculate, check_results, parse_input
from insats.core.payments_models import (
    BlendedMetric,
    CapApplied,
    Cohort,
    Condition,
    ConditionMetric,
    Contract,
    ContractCaps,
    Counterfactual,
    Evaluation,
    ImprovementMetric,
    Input,
    Measure,
    MetricPeriodRow,
    Observation,
    ObservationRow,
    Output,
    ParticipantRecords,
    Payer,
    PayerPeriodRow,
    Period,
    PeriodRow,
    RateCardMetric,
    RateCardOutcome,
    Results,
    SavingsBonus,
    SavingsMetric,
    Step,
    Steps,
    Threshold,
    Tier,
    Totals,
)
from insats.core.payments_vector import (
    Draws,
    DrawsError,
    DrawTotals,
    calculate_draws,
    draws_from_results,
    rate_card_ore,
)

__all__ = [
    "CAP_ORDER",
    "BlendedMetric",
    "CapApplied",
    "Cohort",
    "Condition",
    "ConditionMetric",
    "Contract",
    "ContractCaps",
    "Counterfactual",
    "DrawTotals",
    "Draws",
    "DrawsError",
    "Evaluation",
    "ImprovementMetric",
    "Input",
    "Measure",
    "MetricPeriodRow",
    "Observation",
    "ObservationRow",
    "Output",
    "ParticipantRecords",
    "Payer",
    "PayerPeriodRow",
    "Period",
    "PeriodRow",
    "RateCardMetric",
    "RateCardOutcome",
    "Results",
    "SavingsBonus",
    "SavingsMetric",
    "Step",
    "Steps",
    "Threshold",
    "Tier",
    "Totals",
    "calculate",
    "calculate_draws",
    "max_payable",
    "check_results",
    "draws_from_results",
    "parse_input",
    "rate_card_ore",
    "run",
]


def run(data: dict[str, Any]) -> dict[str, Any]:
    """CLI entry: ``{"contract": ..., "results": ...}`` -> the :class:`Output` as JSON-ready dict.

    Raises pydantic ``ValidationError`` (with the offending field's location) for bad input.
    Amounts in the output are strings with two decimals (e.g. ``"1250000.00"``).
    """
    inp = parse_input(data)
    return calculate(inp.contract, inp.results).model_dump(mode="json")


def _cap_over_periods(cap: Any, period_ids: list[str]) -> Decimal | None:
    """A per-period cap summed over the periods (None: some period is not capped)."""
    if cap is None:
        return None
    if isinstance(cap, dict):
        if any(p not in cap for p in period_ids):
            return None
        return sum((Decimal(cap[p]) for p in period_ids), Decimal(0))
    return Decimal(cap) * len(period_ids)


def max_payable(contract: Contract) -> Decimal | None:
    """The most ``contract`` can ever pay under its caps, whatever the results (None: unbounded).

    The smallest of: the contract's total cap; its per-period cap over every period; the sum over
    the paid metrics of each one's cap (total, or per period over every period) when every paid
    metric has one; the sum of the payers' caps when every payer has one. An upper bound: rule caps
    inside a metric (per participant, per tranche) are not counted, so the true maximum may be lower.
    """
    ids = [p.id for p in contract.periods]
    bounds: list[Decimal] = []
    if contract.caps.total is not None:
        bounds.append(Decimal(contract.caps.total))
    per_period = _cap_over_periods(contract.caps.per_period, ids)
    if per_period is not None:
        bounds.append(per_period)
    metric_bounds: list[Decimal] = []
    for metric in contract.metrics:
        if metric.kind == "condition":
            continue
        own = [b for b in (metric.cap_total, _cap_over_periods(metric.cap_per_period, ids)) if b is not None]
        if not own:
            break  # a paid metric without a cap of its own: the metrics together are unbounded
        metric_bounds.append(min(Decimal(b) for b in own))
    else:
        bounds.append(sum(metric_bounds, Decimal(0)))
    payer_caps = [p.cap for p in contract.payers if p.cap is not None]
    if len(payer_caps) == len(contract.payers):
        bounds.append(sum((Decimal(c) for c in payer_caps), Decimal(0)))
    return min(bounds) if bounds else None
