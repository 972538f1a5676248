"""Rate cards in integer öre against a plain Decimal reference, participant by participant."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from insats.core.payments import RateCardMetric, rate_card_ore


def reference(metric: RateCardMetric, n_periods, rows):
    """Per participant: payable achievements in period order, each capped by what is left."""
    per_participant: dict[int, list[tuple[int, Decimal]]] = {}
    gross = [Decimal(0)] * n_periods
    count = [0] * n_periods
    for participant, outcome, achieved, through in rows:
        o = metric.outcomes[outcome]
        at = achieved + o.sustain_periods
        if at >= n_periods:
            continue
        if o.sustain_periods > 0 and through < at:
            continue
        gross[at] += o.price
        count[at] += 1
        per_participant.setdefault(participant, []).append((at, o.price))
    capped = [Decimal(0)] * n_periods
    totals = {}
    for participant, items in per_participant.items():
        paid = Decimal(0)
        for at, price in sorted(items):
            amount = price
            if metric.cap_per_participant is not None:
                amount = min(price, metric.cap_per_participant - paid)
            paid += amount
            capped[at] += amount
        totals[participant] = paid
    return gross, capped, count, totals


metrics = st.builds(
    lambda outcomes, cap: RateCardMetric(
        id="rc",
        outcomes=[
            {"id": f"o{i}", "price": Decimal(p) / 100, "sustain_periods": s, "repeatable": True}
            for i, (p, s) in enumerate(outcomes)
        ],
        cap_per_participant=None if cap is None else Decimal(cap) / 100,
    ),
    st.lists(st.tuples(st.integers(1, 5_000_000), st.integers(0, 3)), min_size=1, max_size=4),
    st.none() | st.integers(0, 8_000_000),
)


@settings(max_examples=150, deadline=None)
@given(metrics, st.integers(1, 6), st.data())
def test_rate_card_matches_reference(metric, n_periods, data):
    n_out = len(metric.outcomes)
    rows = data.draw(
        st.lists(
            st.tuples(
                st.integers(0, 6),
                st.integers(0, n_out - 1),
                st.integers(0, n_periods - 1),
                st.integers(-1, n_periods - 1),
            ),
            max_size=40,
        )
    )
    rows = [(p, o, a, t if t >= a else -1) for p, o, a, t in rows]
    arrays = [np.array([r[i] for r in rows], dtype=np.int64) for i in range(4)]
    # dense participant index, as participant_arrays gives
    _, arrays[0] = np.unique(arrays[0], return_inverse=True) if rows else (None, arrays[0])
    dense = {p: int(i) for p, i in zip([r[0] for r in rows], arrays[0], strict=True)}
    gross, capped, count = rate_card_ore(metric, n_periods, *arrays)
    ref_gross, ref_capped, ref_count, totals = reference(
        metric, n_periods, [(dense[p], o, a, t) for p, o, a, t in rows]
    )
    assert [Decimal(int(x)) / 100 for x in gross] == ref_gross
    assert [Decimal(int(x)) / 100 for x in capped] == ref_capped
    assert list(count) == ref_count
    if metric.cap_per_participant is not None:
        assert all(t <= metric.cap_per_participant for t in totals.values())


def test_hand_example_sustain_and_cap():
    metric = RateCardMetric(
        id="rc",
        outcomes=[{"id": "a", "price": "100"}, {"id": "b", "price": "70", "sustain_periods": 1}],
        cap_per_participant="150",
    )
    # p0: a in 0 (100), b in 0 sustained to 1 -> 70 in 1, capped to 50
    # p1: b in 1 not sustained (unknown) -> nothing; a in 2 -> 100
    # p2: b in 2 would be paid in 3, past the end -> nothing
    gross, capped, count = rate_card_ore(
        metric,
        3,
        np.array([0, 0, 1, 1, 2]),
        np.array([0, 1, 1, 0, 1]),
        np.array([0, 0, 1, 2, 2]),
        np.array([-1, 1, -1, -1, 2]),
    )
    assert gross.tolist() == [10000, 7000, 10000]
    assert capped.tolist() == [10000, 5000, 10000]
    assert count.tolist() == [1, 1, 1]
