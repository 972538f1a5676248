"""The genomlysning's figures (seed 001): budget shares of the förbund's total budget, reach per
member municipality against its financing share, staffing per 1,000 inhabitants of the target age.

Hand examples first (worked out in docs/insatser.md, "Portföljen och genomlysningen"), then the
invariants as hypothesis properties."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insats.core.portfolio import budget_shares, reach_against_financing, staffing_per_thousand

# --- hand examples ------------------------------------------------------------------------------


def test_budget_shares_of_the_forbunds_total_budget_seed_001():
    # NOVA 3.6, Enter 3.2, FIA 1.4 MSEK of 11.4 MSEK:
    # 3.6/11.4 = 0.315789… → 0.3158; 3.2/11.4 = 0.280701… → 0.2807; 1.4/11.4 = 0.122807… → 0.1228;
    # the rest 3.2/11.4 = 0.2807. Portfolio 8.2/11.4 = 71.93 % (> 70 %, as the seed says).
    b = budget_shares({"NOVA": D(3_600_000), "Enter": D(3_200_000), "FIA": D(1_400_000)}, D(11_400_000))
    assert b.shares == {"NOVA": D("0.3158"), "Enter": D("0.2807"), "FIA": D("0.1228")}
    assert b.other == D("0.2807")
    assert b.portfolio == D("0.7193")
    assert b.portfolio_amount == D(8_200_000)


def test_budget_shares_refuse_a_portfolio_dearer_than_the_budget():
    with pytest.raises(ValueError):
        budget_shares({"NOVA": D(12_000_000)}, D(11_400_000))
    with pytest.raises(ValueError):
        budget_shares({"NOVA": D(-1)}, D(100))


def test_reach_against_financing_hand_example():
    # The municipalities' financing: Jönköping 20 %, Habo 2 %, Vaggeryd 2 %, Mullsjö 1 % of the
    # förbund (25 % in all) → among the municipalities 80 / 8 / 8 / 4 %.
    # Participants 170 / 12 / 16 / 2 of 200 → 85 / 6 / 8 / 1 %.
    # Gaps: +5, −2, 0, −3 points; of a portfolio of 8 200 000 kr: +410 000, −164 000, 0, −246 000 kr.
    r = reach_against_financing(
        {"Jönköping": D(20), "Habo": D(2), "Vaggeryd": D(2), "Mullsjö": D(1)},
        {"Jönköping": 170, "Habo": 12, "Vaggeryd": 16, "Mullsjö": 2},
        D(8_200_000),
    )
    m = r["Mullsjö"]
    assert (m.financing_share, m.reach_share, m.gap_points, m.implied_amount) == (
        D("0.0400"),
        D("0.0100"),
        D("-3.00"),
        D("-246000.00"),
    )
    assert r["Jönköping"].gap_points == D("5.00") and r["Jönköping"].implied_amount == D("410000.00")
    assert r["Habo"].implied_amount == D("-164000.00")
    assert r["Vaggeryd"].gap_points == 0


def test_reach_against_financing_without_participants_and_with_unknown_members():
    r = reach_against_financing({"a": D(3), "b": D(1)}, {}, D(1000))
    assert (
        r["a"].reach_share == 0 and r["a"].gap_points == D("-75.00") and r["a"].implied_amount == D("-750.00")
    )
    with pytest.raises(ValueError):
        reach_against_financing({"a": D(1)}, {"z": 3}, D(1000))
    with pytest.raises(ValueError):
        reach_against_financing({"a": D(1)}, {"a": -1}, D(1000))


def test_staffing_per_thousand_hand_example():
    # NOVA: 2 FTE in Jönköping among 14 800 inhabitants 18–29 → 0.135… → 0.14 per 1 000;
    # 1 FTE in Mullsjö among 720 → 1.388… → 1.39. Total 3 FTE (+ 2 in the office) over 15 520 → 0.32.
    s = staffing_per_thousand(
        {"Jönköping": D(2), "Mullsjö": D(1), "__other__": D(2)}, {"Jönköping": 14800, "Mullsjö": 720}
    )
    assert s.per_member == {"Jönköping": D("0.14"), "Mullsjö": D("1.39")}
    assert s.total_fte == D(5) and s.total_population == 15520
    assert s.total_per_thousand == D("0.32")
    assert staffing_per_thousand({"a": D(1)}, {"a": 0}).per_member == {"a": None}


# --- properties ---------------------------------------------------------------------------------

MEMBERS = st.dictionaries(
    st.sampled_from(["Habo", "Jönköping", "Mullsjö", "Vaggeryd", "Tranås", "Eksjö"]),
    st.tuples(st.integers(min_value=1, max_value=10_000), st.integers(min_value=0, max_value=5_000)),
    min_size=1,
)


def _split(members):
    return {k: D(f) for k, (f, _) in members.items()}, {k: p for k, (_, p) in members.items()}


@settings(max_examples=150, deadline=None)
@given(MEMBERS, st.integers(min_value=0, max_value=10**9))
def test_shares_sum_to_one_and_gaps_to_zero(members, budget):
    fin, reach = _split(members)
    r = reach_against_financing(fin, reach, D(budget))
    assert sum(c.financing_share for c in r.values()) == 1
    if sum(reach.values()):
        assert sum(c.reach_share for c in r.values()) == 1
        assert sum(c.gap_points for c in r.values()) == 0
        # the kronor balance up to the öre rounding of each member
        assert abs(sum(c.implied_amount for c in r.values())) <= D("0.01") * len(r)


@settings(max_examples=150, deadline=None)
@given(MEMBERS, st.randoms())
def test_order_of_members_does_not_matter(members, rnd):
    fin, reach = _split(members)
    keys = list(fin)
    rnd.shuffle(keys)
    a = reach_against_financing(fin, reach, D(1_000_000))
    b = reach_against_financing(
        {k: fin[k] for k in keys}, {k: reach[k] for k in reversed(keys)}, D(1_000_000)
    )
    assert a == b


@settings(max_examples=150, deadline=None)
@given(MEMBERS, st.integers(min_value=2, max_value=1000))
def test_scaling_all_reach_leaves_the_comparison_unchanged(members, factor):
    fin, reach = _split(members)
    a = reach_against_financing(fin, reach, D(5_000_000))
    b = reach_against_financing(fin, {k: v * factor for k, v in reach.items()}, D(5_000_000))
    for k in a:
        assert (a[k].reach_share, a[k].gap_points, a[k].implied_amount) == (
            b[k].reach_share,
            b[k].gap_points,
            b[k].implied_amount,
        )


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.text(min_size=1, max_size=5), st.integers(min_value=0, max_value=10**8), max_size=6),
    st.integers(min_value=0, max_value=10**8),
)
def test_budget_shares_and_the_rest_sum_to_one(amounts, extra):
    total = sum(amounts.values()) + extra
    b = budget_shares({k: D(v) for k, v in amounts.items()}, D(total))
    if total:
        assert b.portfolio + b.other == 1
    assert all(s >= 0 for s in b.shares.values()) and b.other >= 0
