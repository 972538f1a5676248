"""Vectorised outcome-payment engine for Monte Carlo draws (NumPy, no loops over draws).

Import from :mod:`insats.core.payments`. Semantics are those of
:func:`insats.core.payments.calculate`; amounts are computed in integer öre (int64) once the
per-observation amount is rounded, so caps, carry-forward and payer splits are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from insats.core.payments_models import Contract, RateCardMetric, Results

Key = tuple[str, str, "str | None"]


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
      per-participant cap (takes precedence over ``outcome_counts`` for that metric and period).
    """

    n_draws: int
    values: dict[Key, np.ndarray] = field(default_factory=dict)
    counterfactuals: dict[Key, np.ndarray] = field(default_factory=dict)
    estimates: dict[tuple[str, str, str | None, str], np.ndarray] = field(default_factory=dict)
    outcome_counts: dict[tuple[str, str, str], np.ndarray] = field(default_factory=dict)
    rate_card_amounts: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)


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
        return self.cap_bound.any(axis=1)


def calculate_draws(contract: Contract, draws: Draws) -> DrawTotals:
    """Compute the payments of ``contract`` for every draw at once.

    Same rules as :func:`insats.core.payments.calculate` (tiers, thresholds, settlement, tranche
    caps, metric/contract/payer caps, carry-forward, payer split by largest remainder). Loops run
    over periods, metrics and observations, never over draws. Threshold comparisons use a relative
    tolerance of 1e-9 and half-öre rounding a relative nudge of 1e-12 so that float inputs equal to
    short decimals behave as the exact engine does.
    """
    raise NotImplementedError


def draws_from_results(contract: Contract, results: Results, n_draws: int = 1) -> Draws:
    """The observed results as a :class:`Draws` of ``n_draws`` identical draws.

    Rate cards are given as ``rate_card_amounts`` (after per-participant caps), so that
    ``calculate_draws(contract, draws_from_results(contract, results))`` equals
    ``calculate(contract, results)`` to the öre.
    """
    raise NotImplementedError


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
