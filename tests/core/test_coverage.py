"""insats.core.coverage: a map worked out by hand (the example of docs/core/coverage.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from insats.core.coverage import (
    COVERED,
    FACTOR_ADDRESSED,
    FACTOR_GAP,
    FACTOR_NOT_NAMED,
    NO_CAPACITY,
    NO_NEED,
    OUTSIDE,
    Band,
    FactorNeed,
    Need,
    NeedShare,
    Supply,
    compute,
    level,
    spread,
)

INTENSITIES = ("allmant", "tidig", "riktad", "behandling")
BANDS = (
    Band("0-2", 0, 2),
    Band("3-6", 3, 6),
    Band("7-13", 7, 13),
    Band("14-18", 14, 18),
    Band("18-29", 18, 29),
)


def example():
    supplies = [
        # 70 places over ages 0–6 (7 years, 10 a year): 30 in 0–2, 40 in 3–6.
        Supply(
            "A",
            "allmant",
            ("0-2", "3-6"),
            capacity=70,
            reach_unbanded=35,
            budget=Decimal("70000"),
            evidence_rank=2,
            factors=("F3",),
        ),
        Supply(
            "B", "tidig", ("7-13",), capacity=40, reach_by_band={"7-13": 25}, evidence_rank=0, factors=("F2",)
        ),
        # 100 places over 14–29 (16 years; 18 is in both bands): 4.5/16 and 11.5/16 → 28.125 and
        # 71.875 → 28 and 71, the unit left goes to the larger remainder (.875): 28 and 72.
        Supply("C", "riktad", ("14-18", "18-29"), capacity=100),
    ]
    needs = [
        Need("G1", "riktad", 7, 13, 140),  # Helsingborg: 7–13, 140 children, no targeted place
        Need("G2", "tidig", 6, 10, 50),  # 10 a year: 10 in 3–6 (age 6), 40 in 7–13
        # 16–31, 32 children, 2 a year: 14–18 gets 16, 17 and half of 18 (5), 18–29 half of 18 and
        # 19–29 (23), ages 30 and 31 are outside every band (4).
        Need("G3", "riktad", 16, 31, 32),
    ]
    factors = [FactorNeed("F1", "barnets_behov", 2), FactorNeed("F2", "foraldrarnas_formaga", 1)]
    return compute(INTENSITIES, BANDS, supplies, needs, factors)


def test_cells_by_hand():
    cov = example()
    a02 = cov.cell("allmant", "0-2")
    assert (a02.capacity, a02.reach, a02.need, a02.status) == (30, 15, None, NO_NEED)
    assert a02.coverage is None and a02.gap is None
    assert a02.budget == Decimal("30000") and a02.cost_per_place == Decimal("1000.00")
    assert a02.best_evidence == 2
    a36 = cov.cell("allmant", "3-6")
    assert (a36.capacity, a36.reach, a36.budget) == (40, 20, Decimal("40000"))

    t713 = cov.cell("tidig", "7-13")
    assert (t713.capacity, t713.reach, t713.need, t713.gap, t713.status) == (40, 25, 40, 0, COVERED)
    assert t713.coverage == Decimal("1.0000")
    t36 = cov.cell("tidig", "3-6")
    assert (t36.capacity, t36.need, t36.gap, t36.status, t36.coverage) == (0, 10, 10, NO_CAPACITY, Decimal(0))

    r713 = cov.cell("riktad", "7-13")
    assert (r713.capacity, r713.need, r713.gap, r713.status) == (0, 140, 140, NO_CAPACITY)
    assert r713.needs == (NeedShare("G1", 140),)
    assert r713.supplies == ()

    r1418 = cov.cell("riktad", "14-18")
    assert (r1418.capacity, r1418.need, r1418.gap, r1418.coverage) == (28, 5, 0, Decimal("5.6000"))
    r1829 = cov.cell("riktad", "18-29")
    assert (r1829.capacity, r1829.need, r1829.coverage) == (72, 23, Decimal("3.1304"))  # 72/23 = 3.13043…
    assert cov.need_outside == (NeedShare("G3", 4),)

    assert cov.capacity_total == 210
    assert cov.need_total == 140 + 50 + 5 + 23
    assert cov.gap_total == 140 + 10


def test_factors_by_hand():
    got = {f.key: (f.status, f.addressed_by, f.named_in) for f in example().factors}
    assert got == {
        "F1": (FACTOR_GAP, (), 2),
        "F2": (FACTOR_ADDRESSED, ("B",), 1),
        "F3": (FACTOR_NOT_NAMED, ("A",), 0),
    }


def test_unknown_capacity_counts_as_zero_and_is_named():
    cov = compute(INTENSITIES, BANDS, [Supply("X", "riktad", ("7-13",))], [Need("G", "riktad", 7, 13, 14)])
    cell = cov.cell("riktad", "7-13")
    assert (cell.capacity, cell.status, cell.unknown_capacity) == (0, NO_CAPACITY, ("X",))


def test_unplaced_supplies():
    cov = compute(
        INTENSITIES, BANDS, [Supply("X", "riktad", ()), Supply("Y", "okand", ("7-13",), capacity=5)], []
    )
    assert cov.unplaced == ("X", "Y") and cov.capacity_total == 0


def test_spread_rounds_by_largest_remainder_ties_to_the_younger_band():
    # 3 children over ages 0–5 split across 0–2 and 3–6: 1.5 each → tie → the younger band.
    assert spread(3, range(0, 6), BANDS) == {"0-2": 2, "3-6": 1}
    assert spread(4, range(30, 32), BANDS) == {OUTSIDE: 4}


def test_levels():
    assert [level(v, 90) for v in (0, 30, 31, 60, 61, 90)] == [0, 1, 2, 2, 3, 3]
    assert level(5, 0) == 0 and level(None, 10) == 0


@pytest.mark.parametrize(
    "bad",
    [
        lambda: Band("x", 5, 4),
        lambda: Need("n", "riktad", 3, 2, 1),
        lambda: Need("n", "riktad", 1, 2, -1),
        lambda: Supply("s", "riktad", ("x",), capacity=-1),
        lambda: compute(INTENSITIES, [Band("a", 0, 1), Band("a", 2, 3)], [], []),
    ],
)
def test_bad_input_is_refused(bad):
    with pytest.raises(ValueError):
        bad()
