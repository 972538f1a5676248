"""The form advisor's rules, path by path (one row per path), and properties over every answer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insats.core.form_advisor import (
    NEXT_STEPS,
    QUESTION_KEYS,
    RULES,
    Answers,
    Form,
    Thresholds,
    recommend,
)

T = Thresholds(
    direct_award=Decimal("700000"),
    direct_award_social=Decimal("8109450"),
    eu_services=Decimal("2389585"),
    eu_social=Decimal("8109450"),
)
Y, N, U = True, False, None
IOP_OK = {
    "idea_based": Y,
    "self_running": N,
    "market": N,
    "need_together": Y,
    "all_contribute": Y,
    "budget_plan": Y,
}
PROC = {"order": Y, "innovation": N, "effect_measurable": N, "outcome_fund": N}

# (id, answers, expected form, expected rule ids, expected missing)
PATHS = [
    ("grant-self-running", {"order": N, "idea_based": Y, "self_running": Y}, Form.GRANT, ("G1",), ()),
    (
        "iop-all-met",
        {"order": N, **IOP_OK},
        Form.IOP,
        ("I1", "I2", "I3", "I4", "I5"),
        (),
    ),
    (
        "iop-unknowns-named",
        {"order": N, "idea_based": Y, "self_running": N},
        Form.IOP,
        ("I1",),
        ("market", "need_together", "all_contribute", "budget_plan"),
    ),
    ("grant-not-together", {"order": N, **IOP_OK, "need_together": N}, Form.GRANT, ("G2",), ()),
    ("grant-not-contributing", {"order": N, **IOP_OK, "all_contribute": N}, Form.GRANT, ("G3",), ()),
    ("grant-no-budget", {"order": N, **IOP_OK, "budget_plan": N}, Form.GRANT, ("G4",), ()),
    (
        "grant-all-iop-conditions-fail",
        {"order": N, **IOP_OK, "need_together": N, "all_contribute": N, "budget_plan": N},
        Form.GRANT,
        ("G2", "G3", "G4"),
        (),
    ),
    (
        "idea-based-but-market-direct",
        {
            "order": N,
            "idea_based": Y,
            "self_running": N,
            "market": Y,
            **{k: v for k, v in PROC.items() if k != "order"},
            "social_service": N,
            "estimated_value": Decimal(100_000),
        },
        Form.DIRECT_AWARD,
        ("M1", "D1"),
        (),
    ),
    (
        "order-innovation",
        {"order": Y, "innovation": Y},
        Form.INNOVATION,
        ("B1", "N1"),
        (),
    ),
    (
        "no-market-not-idea-based",
        {"order": N, "idea_based": N, "market": N},
        Form.INNOVATION,
        ("N2",),
        (),
    ),
    (
        "not-idea-based-innovation",
        {"order": N, "idea_based": N, "innovation": Y},
        Form.INNOVATION,
        ("N1",),
        (),
    ),
    (
        "order-outcomes",
        {"order": Y, "innovation": N, "effect_measurable": Y, "outcome_fund": Y},
        Form.OUTCOMES,
        ("B1", "U1"),
        (),
    ),
    (
        "order-direct-award",
        {**PROC, "social_service": N, "estimated_value": Decimal(699_999)},
        Form.DIRECT_AWARD,
        ("B1", "D1"),
        (),
    ),
    (
        "order-at-limit-is-lou",
        {**PROC, "social_service": N, "estimated_value": Decimal(700_000)},
        Form.LOU,
        ("B1", "L1"),
        (),
    ),
    (
        "order-above-eu",
        {**PROC, "social_service": N, "estimated_value": Decimal(3_000_000)},
        Form.LOU,
        ("B1", "L2"),
        (),
    ),
    (
        "social-service-direct-award",
        {**PROC, "social_service": Y, "estimated_value": Decimal(3_000_000)},
        Form.DIRECT_AWARD,
        ("B1", "D1"),
        (),
    ),
    (
        "social-service-above-eu",
        {**PROC, "social_service": Y, "estimated_value": Decimal(9_000_000)},
        Form.LOU,
        ("B1", "L2"),
        (),
    ),
    (
        "order-value-unknown",
        {**PROC, "social_service": N},
        Form.LOU,
        ("B1", "L0"),
        ("estimated_value",),
    ),
    (
        "nothing-answered",
        {},
        Form.LOU,
        ("L0",),
        (
            "order",
            "idea_based",
            "market",
            "innovation",
            "effect_measurable",
            "outcome_fund",
            "social_service",
            "estimated_value",
        ),
    ),
    (
        "social-unknown-uses-lower-limit",
        {**PROC, "estimated_value": Decimal(800_000)},
        Form.LOU,
        ("B1", "L1"),
        ("social_service",),
    ),
]


@pytest.mark.parametrize(
    ("answers", "form", "rules", "missing"), [p[1:] for p in PATHS], ids=[p[0] for p in PATHS]
)
def test_every_path(answers, form, rules, missing):
    rec = recommend(Answers(**answers), T)
    assert rec.form == form
    assert rec.rule_ids == rules
    assert rec.missing == missing
    assert rec.next_step == NEXT_STEPS[form]
    assert form not in rec.others
    assert all(r.source for r in rec.reasons)


def test_every_rule_is_reached_by_a_path():
    reached = {r for p in PATHS for r in p[3]}
    assert reached == set(RULES)


def test_no_threshold_in_force_names_it_and_stays_on_the_safe_side():
    rec = recommend(Answers(**PROC, social_service=False, estimated_value=Decimal(1)), Thresholds())
    assert rec.form == Form.LOU
    assert rec.rule_ids == ("B1", "L0")
    assert rec.missing == ("direct_award_limit",)


def test_others_exclude_what_the_answers_rule_out():
    rec = recommend(Answers(order=False, **IOP_OK), T)
    assert Form.DIRECT_AWARD not in rec.others  # no market
    assert Form.GRANT in rec.others
    rec = recommend(Answers(**PROC, social_service=False, estimated_value=Decimal(2_000_000)), T)
    assert Form.IOP not in rec.others and Form.GRANT not in rec.others and Form.DIRECT_AWARD not in rec.others


@pytest.mark.parametrize(
    "bad", [{"market": "ja"}, {"estimated_value": Decimal(-1)}, {"estimated_value": Decimal("NaN")}]
)
def test_bad_input_names_the_field(bad):
    with pytest.raises(ValueError) as exc:
        Answers(**bad)
    assert next(iter(bad)) in str(exc.value)


# --------------------------------------------------------------------------- properties

tri = st.sampled_from([True, False, None])
values = st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
answers = st.builds(Answers, **dict.fromkeys(QUESTION_KEYS, tri), estimated_value=values)
amounts = st.one_of(st.none(), st.decimals(min_value=1, max_value=10**8, places=0, allow_nan=False))
thresholds = st.builds(
    Thresholds, direct_award=amounts, direct_award_social=amounts, eu_services=amounts, eu_social=amounts
)


@settings(max_examples=400, deadline=None)
@given(answers, thresholds)
def test_every_combination_gives_one_recommendation_with_cited_rules(a, t):
    rec = recommend(a, t)
    assert isinstance(rec.form, Form)
    assert rec.reasons and all(r.rule in RULES and r.text and r.source for r in rec.reasons)
    assert rec.form not in rec.others
    assert set(rec.missing) <= set(QUESTION_KEYS) | {"estimated_value", "direct_award_limit"}
    assert all(getattr(a, k) is None for k in rec.missing if k in QUESTION_KEYS)


@settings(max_examples=300, deadline=None)
@given(answers, thresholds)
def test_above_the_limit_with_a_market_and_an_order_is_never_direct_award(a, t):
    limit = max(x for x in (t.direct_award, t.direct_award_social, Decimal(0)) if x is not None)
    if a.estimated_value is None or a.estimated_value < limit:
        return
    a = Answers(**{**a.__dict__, "market": True, "order": True})
    assert recommend(a, t).form != Form.DIRECT_AWARD


@settings(max_examples=300, deadline=None)
@given(answers, thresholds)
def test_direct_award_only_below_the_applicable_limit(a, t):
    rec = recommend(a, t)
    if rec.form == Form.DIRECT_AWARD:
        assert a.estimated_value is not None and rec.limit_used is not None
        assert a.estimated_value < rec.limit_used


@settings(max_examples=300, deadline=None)
@given(answers, thresholds)
def test_an_order_is_never_iop_or_grant(a, t):
    a = Answers(**{**a.__dict__, "order": True})
    assert recommend(a, t).form not in (Form.IOP, Form.GRANT)


@settings(max_examples=300, deadline=None)
@given(answers, thresholds)
def test_a_self_running_idea_based_activity_is_a_grant_unless_ordered(a, t):
    a = Answers(**{**a.__dict__, "order": False, "idea_based": True, "self_running": True})
    assert recommend(a, t).form == Form.GRANT
