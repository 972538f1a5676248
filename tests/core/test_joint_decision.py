"""Changes by joint decision (insats.core.joint_decision), shared by contracts and IOP."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insats.core import joint_decision as jd

PARTIES = [1, 2, 3]


@pytest.mark.parametrize(
    ("decisions", "state", "pending"),
    [
        ({}, jd.OPEN, [1, 2, 3]),
        ({1: jd.APPROVE}, jd.OPEN, [2, 3]),
        ({1: jd.APPROVE, 2: jd.APPROVE}, jd.OPEN, [3]),
        ({1: jd.APPROVE, 2: jd.APPROVE, 3: jd.APPROVE}, jd.APPROVED, []),
        ({1: jd.APPROVE, 2: jd.REJECT}, jd.REJECTED, [3]),
    ],
)
def test_outcome(decisions, state, pending):
    assert jd.outcome(PARTIES, decisions) == state
    assert jd.pending(PARTIES, decisions) == pending


@pytest.mark.parametrize(
    ("status", "party", "decisions", "decision", "reason", "error"),
    [
        (jd.OPEN, 2, {1: jd.APPROVE}, jd.APPROVE, "", None),
        (jd.OPEN, 2, {1: jd.APPROVE}, jd.REJECT, "Nej", None),
        (jd.OPEN, 2, {1: jd.APPROVE}, jd.REJECT, "  ", "reason"),
        (jd.OPEN, 1, {1: jd.APPROVE}, jd.APPROVE, "", "already"),
        (jd.OPEN, 9, {}, jd.APPROVE, "", "not_party"),
        (jd.OPEN, None, {}, jd.APPROVE, "", "not_party"),
        (jd.OPEN, 2, {}, "maybe", "", "bad_decision"),
        (jd.APPROVED, 2, {}, jd.APPROVE, "", "closed"),
        (jd.WITHDRAWN, 2, {}, jd.APPROVE, "", "closed"),
    ],
)
def test_decide_error(status, party, decisions, decision, reason, error):
    assert jd.decide_error(status, party, PARTIES, decisions, decision, reason) == error


@given(st.lists(st.sampled_from([jd.APPROVE, jd.REJECT]), min_size=0, max_size=5))
def test_approved_only_when_every_party_approved(votes):
    parties = list(range(5))
    decisions = dict(enumerate(votes))
    state = jd.outcome(parties, decisions)
    assert (state == jd.APPROVED) == (len(votes) == 5 and all(v == jd.APPROVE for v in votes))
    assert (state == jd.REJECTED) == (jd.REJECT in votes)


def test_next_version():
    assert jd.next_version([]) == 1
    assert jd.next_version([1, 3, 2]) == 4


json_leaf = st.one_of(st.none(), st.integers(), st.text(max_size=3))
json = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(st.dictionaries(st.text(min_size=1, max_size=3), json, max_size=4))
def test_diff_of_equal_is_empty(doc):
    assert jd.diff(doc, doc) == []


def test_diff_names_each_changed_leaf():
    old = {"a": {"b": 1, "c": "x"}, "l": [{"v": 1}]}
    new = {"a": {"b": 2, "c": "x"}, "l": [{"v": 1}, {"v": 2}], "n": True}
    assert jd.diff(old, new) == [("a.b", 1, 2), ("l.1.v", None, 2), ("n", None, True)]
