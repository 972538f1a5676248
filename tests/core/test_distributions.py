"""Distributions: quantiles, supports, reproducibility and rank correlation."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from scipy import special, stats

from insats.core import distributions as dist

ADAPTER = TypeAdapter(dist.Distribution)


def make(**kw):
    return ADAPTER.validate_python(kw)


# ---------------------------------------------------------------------------------------------
# quantiles worked out by hand


def test_uniform_quantiles():
    d = make(kind="uniform", low=10, high=20)
    assert d.quantile(0.1) == pytest.approx(11)
    assert d.median() == pytest.approx(15)


def test_triangular_quantiles_follow_the_closed_form():
    # low 0, mode 2, high 10: F(x) = x^2 / 20 for x <= 2, so F(1) = 0.05
    d = make(kind="triangular", low=0, mode=2, high=10)
    assert d.quantile(0.05) == pytest.approx(1.0)
    # above the mode: 1 - F(x) = (10 - x)^2 / 80, so F(6) = 1 - 16/80 = 0.8
    assert d.quantile(0.8) == pytest.approx(6.0)


def test_normal_quantiles_and_truncation():
    d = make(kind="normal", mean=100, sd=15)
    assert d.median() == pytest.approx(100)
    assert d.quantile(0.9) == pytest.approx(100 + 15 * 1.2815515655446004)
    t = make(kind="normal", mean=0, sd=1, low=0)
    # half-normal: median = Φ^-1(0.75)
    assert t.median() == pytest.approx(0.6744897501960817)
    assert t.support() == (0, math.inf)


def test_lognormal_has_the_given_mean_and_sd():
    d = make(kind="lognormal", mean=6000, sd=900)
    sigma2 = math.log(1 + (900 / 6000) ** 2)
    assert d.median() == pytest.approx(6000 / math.exp(sigma2 / 2))
    x = d.sample(np.random.default_rng(1), 200_000)
    assert x.mean() == pytest.approx(6000, abs=4 * 900 / math.sqrt(200_000))
    assert x.std() == pytest.approx(900, rel=0.02)


def test_pert_mean_is_the_classic_weighted_average():
    d = make(kind="pert", low=0, mode=0.25, high=0.45)
    x = d.sample(np.random.default_rng(2), 200_000)
    mean = (0 + 4 * 0.25 + 0.45) / 6
    sd = x.std()
    assert x.mean() == pytest.approx(mean, abs=4 * sd / math.sqrt(200_000))


def test_beta_quantiles_match_scipy():
    d = make(kind="beta", alpha=2, beta=5, low=10, high=20)
    for q in (0.01, 0.1, 0.5, 0.9, 0.99):
        assert d.quantile(q) == pytest.approx(10 + 10 * stats.beta.ppf(q, 2, 5), abs=1e-10)


@pytest.mark.parametrize(
    ("a", "b"), [(1, 1), (0.5, 0.5), (2.1, 2.9), (30, 2), (1, 5), (200, 300), (0.1, 0.1)]
)
def test_fast_beta_quantiles_equal_the_exact_inverse(a, b):
    u = np.random.default_rng(4).random(20_000)
    assert np.max(np.abs(dist.beta_ppf(a, b, u) - special.betaincinv(a, b, u))) < 1e-10


def test_discrete_quantiles_and_frequencies():
    d = make(kind="discrete", values=[3, 1, 2], probabilities=[0.3, 0.2, 0.5])
    assert d.quantile(0.1) == 1
    assert d.quantile(0.2) == 1  # the smallest value whose cumulative probability reaches u
    assert d.quantile(0.3) == 2
    assert d.quantile(0.71) == 3
    x = d.sample(np.random.default_rng(3), 100_000)
    for v, p in ((1, 0.2), (2, 0.5), (3, 0.3)):
        assert np.mean(x == v) == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / 100_000))


# ---------------------------------------------------------------------------------------------
# supports


finite = st.floats(-1e6, 1e6)
positive = st.floats(0.01, 1e4)
dist_st = st.one_of(
    st.builds(lambda v: make(kind="fixed", value=v), finite),
    st.builds(lambda a, w: make(kind="uniform", low=a, high=a + w), finite, st.floats(0, 1e4)),
    st.builds(lambda m, s: make(kind="normal", mean=m, sd=s), finite, st.floats(0, 1e3)),
    st.builds(
        lambda m, s, lo, w: make(kind="normal", mean=m, sd=s, low=lo, high=lo + w),
        st.floats(-10, 10),
        st.floats(0.01, 10),
        st.floats(-20, 20),
        st.floats(0.1, 30),
    ),  # fmt: skip
    st.builds(lambda m, s: make(kind="lognormal", mean=m, sd=s), positive, st.floats(0, 1e4)),
    st.builds(
        lambda a, f, w: make(kind="triangular", low=a, mode=a + f * w, high=a + w),
        finite,
        st.floats(0, 1),
        st.floats(0, 1e4),
    ),  # fmt: skip
    st.builds(
        lambda a, f, w, lam: make(kind="pert", low=a, mode=a + f * w, high=a + w, weight=lam),
        finite,
        st.floats(0, 1),
        st.floats(0, 1e4),
        st.floats(0.5, 10),
    ),  # fmt: skip
    st.builds(
        lambda al, be, lo, w: make(kind="beta", alpha=al, beta=be, low=lo, high=lo + w),
        st.floats(0.2, 50),
        st.floats(0.2, 50),
        finite,
        st.floats(0, 100),
    ),  # fmt: skip
    st.builds(
        lambda vals, ws: make(
            kind="discrete",
            values=vals[: len(ws)],
            probabilities=[w / sum(ws[: len(vals)]) for w in ws[: len(vals)]],
        ),
        st.lists(finite, min_size=3, max_size=3),
        st.lists(st.floats(0.01, 1), min_size=1, max_size=3),
    ),  # fmt: skip
)


@settings(max_examples=100, deadline=None)
@given(dist_st, st.integers(0, 2**32))
def test_samples_respect_the_support(d, seed):
    x = d.sample(np.random.default_rng(seed), 500)
    lo, hi = d.support()
    assert np.all(np.isfinite(x))
    assert np.all(x >= lo) and np.all(x <= hi)
    # quantiles are ordered
    qs = [d.quantile(q) for q in (0.01, 0.1, 0.5, 0.9, 0.99)]
    assert qs == sorted(qs)


@settings(max_examples=50, deadline=None)
@given(dist_st)
def test_extreme_uniforms_still_give_finite_values(d):
    x = d.ppf(dist.uniforms_from_normals(np.array([-50.0, -9.0, 0.0, 9.0, 50.0])))
    assert np.all(np.isfinite(x))


# ---------------------------------------------------------------------------------------------
# reproducibility and correlation


DISTS = [
    make(kind="normal", mean=0, sd=1),
    make(kind="pert", low=0, mode=1, high=5),
    make(kind="discrete", values=[1, 2], probabilities=[0.5, 0.5]),
]


def test_same_seed_same_draws_other_seed_other_draws():
    a = dist.sample_draws(DISTS, 42, 0, 3000)
    b = dist.sample_draws(DISTS, 42, 0, 3000)
    c = dist.sample_draws(DISTS, 43, 0, 3000)
    assert np.array_equal(a, b)
    assert not np.array_equal(a[:, 0], c[:, 0])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 6000), min_size=1, max_size=4), st.integers(0, 100))
def test_draws_do_not_depend_on_how_they_are_split(cuts, seed):
    n = 6001
    factor = dist.correlation_factor(
        ["a", "b", "c"], [dist.Correlation(a="a", b="b", rho=0.6), dist.Correlation(a="b", b="c", rho=-0.3)]
    )
    whole = dist.sample_draws(DISTS, seed, 0, n, factor)
    bounds = [0, *sorted(set(cuts)), n]
    parts = [dist.sample_draws(DISTS, seed, a, b, factor) for a, b in zip(bounds, bounds[1:], strict=False)]
    assert np.array_equal(np.concatenate(parts), whole)


def test_rank_correlation_is_what_was_asked():
    names = ["x", "y", "z"]
    corr = [dist.Correlation(a="x", b="y", rho=0.7), dist.Correlation(a="x", b="z", rho=-0.4)]
    ds = [make(kind="lognormal", mean=5, sd=3), make(kind="triangular", low=0, mode=1, high=4), DISTS[0]]
    x = dist.sample_draws(ds, 9, 0, 60_000, dist.correlation_factor(names, corr))
    rho = stats.spearmanr(x).statistic
    assert rho[0, 1] == pytest.approx(0.7, abs=0.015)
    assert rho[0, 2] == pytest.approx(-0.4, abs=0.015)
    assert rho[1, 2] == pytest.approx(0.0, abs=0.015)


def test_no_correlations_means_no_factor():
    assert dist.correlation_factor(["a", "b"], []) is None


@pytest.mark.parametrize(
    ("corr", "field"),
    [
        ([dist.Correlation(a="a", b="q", rho=0.5)], "correlations.0"),
        ([dist.Correlation(a="a", b="a", rho=0.5)], "correlations.0"),
        (
            [dist.Correlation(a="a", b="b", rho=0.5), dist.Correlation(a="b", b="a", rho=0.2)],
            "correlations.1",
        ),
        (
            [
                dist.Correlation(a="a", b="b", rho=0.9),
                dist.Correlation(a="b", b="c", rho=0.9),
                dist.Correlation(a="a", b="c", rho=-0.9),
            ],
            "correlations",
        ),
    ],
)
def test_bad_correlations_name_the_field(corr, field):
    with pytest.raises(ValueError) as exc:
        dist.correlation_factor(["a", "b", "c"], corr)
    assert exc.value.field == field


def test_perfect_correlation_is_accepted():
    f = dist.correlation_factor(["a", "b"], [dist.Correlation(a="a", b="b", rho=1.0)])
    x = dist.sample_draws(DISTS[:2], 1, 0, 5000, f)
    assert stats.spearmanr(x).statistic == pytest.approx(1.0, abs=1e-6)


# ---------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "uniform", "low": 2, "high": 1}, "high"),
        ({"kind": "normal", "mean": 0, "sd": -1}, "sd"),
        ({"kind": "lognormal", "mean": 0, "sd": 1}, "mean"),
        ({"kind": "triangular", "low": 0, "mode": 5, "high": 4}, "mode"),
        ({"kind": "pert", "low": 0, "mode": 1, "high": 2, "weight": 0}, "weight"),
        ({"kind": "beta", "alpha": 0, "beta": 1}, "alpha"),
        ({"kind": "discrete", "values": [1, 2], "probabilities": [0.5, 0.6]}, "sum to 1"),
        ({"kind": "discrete", "values": [1, 2], "probabilities": [1]}, "same length"),
        ({"kind": "gamma", "shape": 1}, "kind"),
    ],
)
def test_bad_distributions_are_rejected_clearly(data, field):
    with pytest.raises(ValidationError) as exc:
        ADAPTER.validate_python(data)
    assert field in str(exc.value)
