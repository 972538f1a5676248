"""Participant model for rate-card business cases (used by :mod:`insats.core.simulation`).

A rate card pays a price for each participant who achieves an outcome, with a cap per participant
(:class:`~insats.core.payments.RateCardMetric`). Its business case needs *participants*, not
cohort-level measures:

- **enrolment** — how many participants start in each contract period (an expression of the
  uncertain inputs per period, rounded to whole participants, half up; negative counts as 0);
- for each **outcome**: the *probability* that a participant achieves it (an expression, so it may
  be uncertain; values outside 0…1 are clipped to 0…1) and its **timing** — the delay after
  enrolment, in whole periods, as a discrete distribution; an outcome that must be sustained is
  paid ``sustain_periods`` later, as the payments engine says, and the probability is then the
  probability of achieving *and* sustaining it;
- the **per-participant cap** of the contract (``cap_per_participant``), applied cumulatively in
  period order as the payments engine does; the metric's and the contract's caps, carry-forward
  and the payers' split are applied afterwards by the payments engine itself.

Assumptions: given one draw of the uncertain inputs, participants are independent of one another
and each participant's outcomes are independent of each other (an outcome's probability does not
depend on whether the same participant achieved another); achievements that would be paid after the
contract's last period are not paid; each outcome is achieved at most once per participant.

**Method (exact in distribution, cost independent of the number of participants).** A participant's
*pattern* is, for every outcome, either "not achieved" or "achieved with delay d". Participants
with the same pattern and the same enrolment period are paid the same, so a period's payments only
depend on how many participants of each enrolment period have each pattern — a multinomial draw
with the pattern probabilities (product of the outcomes' probabilities). When the per-participant cap
cannot bind (no cap, or the cap is at least the sum of all modelled prices), payments are additive
over outcomes and each outcome is drawn separately (a multinomial over "not achieved" and its
delays); otherwise all outcomes of the metric are drawn jointly over every pattern (at most
:data:`MAX_PATTERNS`). The per-participant cap is applied to each pattern's payment stream (period
by period, cumulatively), so the result has exactly the distribution of simulating every participant.

The *expected* payments (the mean over participants, with the inputs fixed) are the same sums with
each multinomial count replaced by its expectation; they are used for the deterministic result,
the tornado and the break-even search.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from insats.core.distributions import BLOCK
from insats.core.payments_models import RateCardMetric

#: Most patterns (combinations of outcomes and delays) of one metric drawn jointly.
MAX_PATTERNS = 4096
#: Most participants enrolled in one period of one draw (keeps counts exact in int64 and float64).
MAX_ENROLMENT = 10**9
#: The random stream of participants within a block: SeedSequence(seed, spawn_key=(block, 1)); the
#: inputs use spawn_key=(block,), so the two never share random numbers.
STREAM = 1


# --------------------------------------------------------------------------------------------------
# prepared patterns


@dataclass
class _Block:
    """Outcomes drawn jointly: their patterns' payments by offset from enrolment."""

    outcomes: list[int]  # indices into the model's outcomes
    states: np.ndarray  # (K, len(outcomes)) state per outcome: 0 = not achieved, s = delay index s-1
    gross: np.ndarray  # (K, R) öre before the per-participant cap (whole numbers, float64)
    capped: np.ndarray  # (K, R) öre after it
    counts: dict[int, np.ndarray]  # outcome index -> (K, R) paid achievements (for budget effects)


@dataclass
class Prepared:
    metric: RateCardMetric
    model: Any  # simulation.ParticipantModel
    blocks: list[_Block]
    pmfs: list[np.ndarray]


def n_patterns(metric: RateCardMetric, model: Any) -> int:
    """Patterns drawn jointly for the metric (the largest block)."""
    sizes = [1 + len(o.delay_pmf()[0]) for o in model.outcomes]
    if not _cap_can_bind(metric, model):
        return max(sizes)
    return int(np.prod(sizes, dtype=np.float64))


def _cap_can_bind(metric: RateCardMetric, model: Any) -> bool:
    if metric.cap_per_participant is None:
        return False
    prices = {o.id: o.price for o in metric.outcomes}
    return sum((prices[o.outcome] for o in model.outcomes), Decimal(0)) > metric.cap_per_participant


def prepare(metric: RateCardMetric, model: Any, n_periods: int) -> Prepared:
    """The patterns of ``model`` with their payment streams by offset from enrolment, up to
    ``n_periods`` (later payments fall after the contract and are never paid)."""
    by_id = {o.id: o for o in metric.outcomes}
    price = [int(by_id[o.outcome].price * 100) for o in model.outcomes]
    sustain = [by_id[o.outcome].sustain_periods for o in model.outcomes]
    delays = [o.delay_pmf()[0] for o in model.outcomes]
    pmfs = [np.asarray(o.delay_pmf()[1], dtype=float) for o in model.outcomes]
    r = max(1, min(n_periods, 1 + max(max(d) + s for d, s in zip(delays, sustain, strict=True))))
    joint = _cap_can_bind(metric, model)
    groups = [list(range(len(model.outcomes)))] if joint else [[j] for j in range(len(model.outcomes))]
    cap = int(metric.cap_per_participant * 100) if joint and metric.cap_per_participant is not None else None
    blocks = []
    for group in groups:
        combos = itertools.product(*[range(1 + len(delays[j])) for j in group])
        states = np.array(list(combos), dtype=np.int64)
        k = len(states)
        gross = np.zeros((k, r), dtype=np.int64)
        counts = {j: np.zeros((k, r), dtype=np.int64) for j in group if model.outcomes[j].effect}
        for col, j in enumerate(group):
            hit = states[:, col] > 0
            at = np.array([delays[j][s - 1] + sustain[j] if s else 0 for s in states[:, col]], dtype=np.int64)
            rows = np.nonzero(hit & (at < r))[0]
            gross[rows, at[rows]] += price[j]
            if j in counts:
                counts[j][rows, at[rows]] += 1
        if cap is None:
            capped = gross
        else:
            capped = np.diff(np.minimum(np.cumsum(gross, axis=1), cap), axis=1, prepend=0)
        # float64 for the products with the counts (BLAS); integers below 2**53 stay exact
        blocks.append(
            _Block(
                outcomes=group,
                states=states,
                gross=gross.astype(float),
                capped=capped.astype(float),
                counts={j: c.astype(float) for j, c in counts.items()},
            )
        )
    return Prepared(metric=metric, model=model, blocks=blocks, pmfs=pmfs)


def _pattern_probabilities(prep: Prepared, block: _Block, probs: list[np.ndarray], n: int) -> np.ndarray:
    """(n, K) probability of each pattern per draw."""
    out = np.ones((n, len(block.states)))
    for col, j in enumerate(block.outcomes):
        p = probs[j][:, None]
        per_state = np.concatenate([1 - p, p * prep.pmfs[j][None, :]], axis=1)  # (n, 1 + D)
        out *= per_state[:, block.states[:, col]]
    return out


@dataclass
class Paid:
    """One metric's simulated payments, int64 öre per draw and period (shape (n, T)), and the paid
    achievements per budget effect (float, same shape)."""

    gross: np.ndarray
    capped: np.ndarray
    effects: dict[str, np.ndarray]


def payments(
    prep: Prepared,
    enrolment: list[np.ndarray],
    probs: list[np.ndarray],
    n_periods: int,
    rng: np.random.Generator | None,
) -> Paid:
    """Payments for ``n`` draws: ``enrolment[c]`` participants (float, (n,)) enrolled in period c,
    ``probs[j]`` the probability of outcome j per draw; with ``rng`` None the expected payments
    (rounded to the öre per period), else one multinomial draw per enrolment period and block."""
    n = len(probs[0]) if probs else len(enrolment[0])
    gross = np.zeros((n, n_periods))
    capped = np.zeros((n, n_periods))
    effects: dict[str, np.ndarray] = {}
    pattern_p = [_pattern_probabilities(prep, b, probs, n) for b in prep.blocks]
    for c, people in enumerate(enrolment):
        if c >= n_periods:
            break
        whole = np.floor(np.clip(people, 0, MAX_ENROLMENT) + 0.5)
        for block, pp in zip(prep.blocks, pattern_p, strict=True):
            if rng is None:
                counts = whole[:, None] * pp
            else:
                counts = rng.multinomial(whole.astype(np.int64), pp).astype(float)
            width = min(block.gross.shape[1], n_periods - c)
            # integer öre times whole counts: every sum is an integer below 2**53, exact in any
            # order. One matrix-vector product per period (much faster here than one
            # matrix-matrix product, which starts BLAS threads for a tiny matrix).
            for t in range(width):
                gross[:, c + t] += counts @ block.gross[:, t]
                capped[:, c + t] += counts @ block.capped[:, t]
            for j, cnt in block.counts.items():
                name = prep.model.outcomes[j].effect
                assert name is not None
                e = effects.setdefault(name, np.zeros((n, n_periods)))
                for t in range(width):
                    e[:, c + t] += counts @ cnt[:, t]
    if rng is None:
        gross = np.floor(gross + 0.5)
        capped = np.floor(capped + 0.5)
    return Paid(gross=gross.astype(np.int64), capped=capped.astype(np.int64), effects=effects)


def block_rng(seed: int, block: int) -> np.random.Generator:
    """The participants' generator of reproducibility block ``block`` (see :data:`STREAM`)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block, STREAM))))


def simulate_blocks(
    preps: list[Prepared],
    enrolment: list[list[np.ndarray]],
    probs: list[list[np.ndarray]],
    n_periods: int,
    seed: int,
    start: int,
) -> list[Paid]:
    """Draws ``start …`` of a run (``start`` a multiple of :data:`BLOCK`), block by block, each block
    with its own generator, so a draw's participants do not depend on how the run is chunked."""
    if start % BLOCK:
        raise ValueError(f"start must be a multiple of {BLOCK}")
    n = len(enrolment[0][0]) if enrolment and enrolment[0] else 0
    parts: list[list[Paid]] = [[] for _ in preps]
    for b0 in range(0, max(n, 1), BLOCK):
        b1 = min(n, b0 + BLOCK)
        rng = block_rng(seed, (start + b0) // BLOCK)
        for i, prep in enumerate(preps):
            parts[i].append(
                payments(prep, [e[b0:b1] for e in enrolment[i]], [p[b0:b1] for p in probs[i]], n_periods, rng)
            )
    out = []
    for i in range(len(preps)):
        names = set().union(*(set(p.effects) for p in parts[i]))
        out.append(
            Paid(
                gross=np.concatenate([p.gross for p in parts[i]], axis=0),
                capped=np.concatenate([p.capped for p in parts[i]], axis=0),
                effects={k: np.concatenate([p.effects[k] for p in parts[i]], axis=0) for k in names},
            )
        )
    return out
