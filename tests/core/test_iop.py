"""The IOP checklist, term and budget plan (insats.core.iop): table-driven and properties."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insats.core import iop

PASSING = {
    "ideburet_initiative": True,
    "need_identified_together": True,
    "every_party_contributes": True,
    "long_term_budget_plan": True,
    "self_running": False,
    "service_for_sale": False,
}


@pytest.mark.parametrize(
    ("change", "passed", "failing", "instead"),
    [
        ({}, True, None, ""),
        ({"ideburet_initiative": False}, False, "ideburet_initiative", "not_iop"),
        ({"need_identified_together": False}, False, "need_identified_together", "not_iop"),
        ({"every_party_contributes": False}, False, "every_party_contributes", "not_iop"),
        ({"long_term_budget_plan": False}, False, "long_term_budget_plan", "wait_or_grant"),
        ({"self_running": True}, False, "self_running", "grant"),
        ({"service_for_sale": True}, False, "service_for_sale", "procurement"),
        ({"service_for_sale": None}, False, "service_for_sale", ""),
    ],
)
def test_checklist_table(change, passed, failing, instead):
    result = iop.checklist({**PASSING, **change})
    assert result.passed is passed
    if failing:
        assert [r.question for r in result.failed] == [failing]
        assert result.failed[0].instead == instead
        assert result.failed[0].outcome == ("unanswered" if change[failing] is None else "fails")


def test_checklist_empty_fails_every_question():
    result = iop.checklist({})
    assert not result.passed
    assert {r.outcome for r in result.reasons} == {"unanswered"}
    assert len(result.reasons) == len(iop.QUESTIONS)


@given(st.dictionaries(st.sampled_from(iop.QUESTION_KEYS), st.one_of(st.none(), st.booleans())))
def test_checklist_passes_exactly_when_every_answer_is_as_needed(answers):
    needed = {q: need for q, need, _ in iop.QUESTIONS}
    expected = all(answers.get(q) is not None and answers[q] == needed[q] for q in needed)
    assert iop.checklist(answers).passed is expected


@pytest.mark.parametrize(
    ("start", "end", "error", "note", "years"),
    [
        ("2025-01-01", "2027-12-31", None, None, "3.0"),
        ("2025-01-01", "2029-12-31", None, None, "5.0"),
        ("2025-01-01", "2025-12-31", None, "atypical", "1.0"),
        ("2025-01-01", "2032-12-31", None, "atypical", "8.0"),
        ("2025-01-01", "2035-12-31", "too_long", None, "11.0"),
        ("2025-01-01", "2025-01-01", "order", None, None),
        ("2025-06-01", "2025-01-01", "order", None, None),
    ],
)
def test_term(start, end, error, note, years):
    s, e = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    assert iop.term_check(s, e) == (error, note)
    if years:
        assert iop.term_years(s, e) == Decimal(years)


def test_budget_plan_sums_per_party_and_year():
    rows = [
        iop.Contribution("kommun", "money", 2025, Decimal("400000")),
        iop.Contribution("kommun", "premises", 2025, Decimal("60000.005")),
        iop.Contribution("forening", "volunteer", 2025, Decimal("120000")),
        iop.Contribution("forening", "volunteer", 2026, None),
    ]
    plan = iop.budget_plan(rows, [2025, 2026, 2027], ["kommun", "forening", "annan"])
    assert plan.years == (2025, 2026, 2027)
    assert plan.by_year == {2025: Decimal("580000.01"), 2026: Decimal("0.00"), 2027: Decimal("0.00")}
    assert plan.by_party["kommun"] == Decimal("460000.01")
    assert plan.total == Decimal("580000.01")
    assert plan.unvalued == 1
    assert plan.missing == ("annan",)
    assert plan.share("forening") == Decimal("20.7")


money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(2024, 2030), st.one_of(st.none(), money)),
        max_size=30,
    )
)
def test_budget_totals_agree(rows):
    contributions = [iop.Contribution(p, "money", y, v) for p, y, v in rows]
    plan = iop.budget_plan(contributions, range(2025, 2029), ["a", "b", "c"])
    assert plan.total == sum(plan.by_year.values(), Decimal(0))
    assert plan.total == sum(plan.by_party.values(), Decimal(0))
    assert plan.total == sum(plan.by_party_year.values(), Decimal(0))
    assert plan.unvalued == sum(1 for _p, _y, v in rows if v is None)
    # Independent of the order of the contributions.
    assert (
        iop.budget_plan(reversed(contributions), range(2025, 2029), ["a", "b", "c"]).by_year == plan.by_year
    )
