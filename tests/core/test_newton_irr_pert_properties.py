"""Properties of the Monte Carlo's faster parts (issue 13, item 7): the IRR by Newton steps agrees
with plain bisection wherever both converge, and PERT inputs drawn by the beta generator stay in
their range with the PERT mean and keep draws independent of chunking."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from insats.core import distributions as dist
from insats.core import financing as fin


def bisection_irr(flows: list[float]) -> float | None:
    """200 bisection steps on the NPV between −99 % and +10 000 % (the reference, slow and sure)."""

    def npv(r: float) -> float:
        return sum(f / (1 + r) ** k for k, f in enumerate(flows))

    lo, hi = -0.99, 100.0
    if npv(lo) * npv(hi) > 0:
        return None
    for _ in range(200):
        mid = (lo + hi) / 2
        if (npv(mid) > 0) == (npv(lo) > 0):
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


money = st.floats(min_value=1_000, max_value=5_000_000, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    out=st.lists(money, min_size=1, max_size=4),
    back=st.lists(money, min_size=1, max_size=8),
    gap=st.integers(min_value=0, max_value=3),
)
def test_newton_irr_agrees_with_bisection(out, back, gap):
    """Investments, maybe some empty periods, then returns: one sign change, one IRR."""
    flows = [-x for x in out] + [0.0] * gap + back
    ref = bisection_irr(flows)
    got = fin.irr(flows)
    if ref is None:
        assert got is None or not (-0.99 < got < 100.0)
    else:
        assert got is not None
        assert math.isclose(got, ref, rel_tol=1e-9, abs_tol=1e-11)


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.lists(money, min_size=1, max_size=3), st.lists(money, min_size=1, max_size=6)),
        min_size=2,
        max_size=30,
    )
)
def test_newton_rows_do_not_depend_on_each_other(rows):
    width = max(len(a) + len(b) for a, b in rows)
    flows = np.zeros((len(rows), width))
    for i, (a, b) in enumerate(rows):
        flows[i, : len(a)] = [-x for x in a]
        flows[i, len(a) : len(a) + len(b)] = b
    together = fin.irr_many(flows)
    alone = np.array([fin.irr_many(flows[i : i + 1])[0] for i in range(len(rows))])
    np.testing.assert_array_equal(together, alone)


def test_newton_converges_where_it_should_and_falls_back_where_it_cannot():
    flows = np.array([[-100.0, 10, 10, 110], [-100.0, 0, 0, 0.001], [-1.0, 1e6, 0, 0]])
    x, ok = fin._newton(flows, fin._start(flows), 1 / 101, 100.0)
    assert ok[0]
    assert math.isclose(1 / x[0] - 1, 0.1, rel_tol=1e-12)
    # whatever Newton did with the others, irr_many still finds their IRR (or none in range)
    r = fin.irr_many(flows)
    assert math.isclose(r[0], 0.1, rel_tol=1e-12)
    ref = bisection_irr(list(flows[1]))
    assert (ref is None and np.isnan(r[1])) or math.isclose(r[1], ref, rel_tol=1e-9)


pert = st.tuples(
    st.floats(min_value=-1e3, max_value=1e3),
    st.floats(min_value=0.0, max_value=1.0),
    st.floats(min_value=1e-3, max_value=1e3),
    st.floats(min_value=0.5, max_value=8.0),
).map(lambda t: dist.Pert(kind="pert", low=t[0], mode=t[0] + t[1] * t[2], high=t[0] + t[2], weight=t[3]))


@settings(max_examples=60, deadline=None)
@given(d=pert, seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_pert_draws_stay_in_range_with_the_pert_mean(d, seed):
    n = 20_000
    x = dist.sample_draws([d], seed, 0, n)[:, 0]
    assert (x >= d.low).all() and (x <= d.high).all()
    mean = (d.low + d.weight * d.mode + d.high) / (d.weight + 2)
    a = 1 + d.weight * (d.mode - d.low) / (d.high - d.low)
    b = 1 + d.weight * (d.high - d.mode) / (d.high - d.low)
    sd = (d.high - d.low) * math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    assert abs(x.mean() - mean) <= 5 * sd / math.sqrt(n) + 1e-9 * (d.high - d.low)


@settings(max_examples=30, deadline=None)
@given(
    d=pert,
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    cut=st.integers(min_value=1, max_value=5000),
)
def test_pert_draws_do_not_depend_on_the_chunking(d, seed, cut):
    others = [dist.Uniform(kind="uniform", low=0, high=1)]
    whole = dist.sample_draws([d, *others], seed, 0, 5001)
    parts = np.concatenate(
        [dist.sample_draws([d, *others], seed, 0, cut), dist.sample_draws([d, *others], seed, cut, 5001)]
    )
    np.testing.assert_array_equal(whole, parts)


def test_correlated_pert_still_goes_through_the_copula():
    d = dist.Pert(kind="pert", low=0, mode=1, high=3)
    n = dist.Normal(kind="normal", mean=0, sd=1)
    corr = [dist.Correlation(a="p", b="n", rho=0.9)]
    factor = dist.correlation_factor(["p", "n"], corr)
    x = dist.sample_draws([d, n], 5, 0, 20_000, factor)
    ranks = [np.argsort(np.argsort(x[:, j])) for j in range(2)]
    rho = np.corrcoef(ranks[0], ranks[1])[0, 1]
    assert abs(rho - 0.9) < 0.02
