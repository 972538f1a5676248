"""insats.core.portfolio: shares sum to one whatever the order, cost per participant, per 1,000."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insats.core.portfolio import per_participant, per_thousand, shares

amounts = st.dictionaries(
    st.text(min_size=1, max_size=5),
    st.decimals(min_value=0, max_value=10**9, places=2),
    min_size=1,
    max_size=12,
)


def test_seed_001_budget_shares_by_hand():
    # NOVA 4.2, Enter 2.9, FIA 1.0 of an 11.4 MSEK budget (the rest: other activities 3.3).
    got = shares({"NOVA": 4_200_000, "Enter": 2_900_000, "FIA": 1_000_000, "Övrigt": 3_300_000})
    assert got == {
        "NOVA": Decimal("0.3684"),  # 4.2 / 11.4 = 0.368421…
        "Enter": Decimal("0.2544"),  # 0.254386…
        "FIA": Decimal("0.0877"),  # 0.087719…
        "Övrigt": Decimal("0.2895"),  # 0.289473… (gets the unit left over: largest remainder)
    }
    assert sum(got.values()) == 1


@given(amounts)
def test_shares_sum_to_one_and_never_negative(values):
    got = shares(values)
    assert set(got) == set(values)
    assert all(v >= 0 for v in got.values())
    total = sum(values.values())
    assert sum(got.values()) == (1 if total > 0 else 0)


@given(amounts, st.randoms())
def test_shares_do_not_depend_on_order(values, rnd):
    items = list(values.items())
    rnd.shuffle(items)
    assert shares(dict(items)) == shares(values)


def test_shares_refuse_negative_amounts():
    with pytest.raises(ValueError):
        shares({"a": Decimal(-1)})


def test_per_participant_and_per_thousand():
    assert per_participant(Decimal("1000000"), 3) == Decimal("333333.33")
    assert per_participant(100, 0) is None
    assert per_thousand(7, 21_500) == Decimal("0.33")  # 7 staff for 21,500 young people
    assert per_thousand(Decimal("2.5"), 0) is None
