"""Property tests for indicator ranks and trends."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from insats.core import indicators as ind

# small integer values so that ties are common; NaN for missing
cells = st.one_of(st.integers(-5, 5).map(float), st.just(float("nan")))
columns = hnp.arrays(np.float64, st.tuples(st.integers(1, 25), st.integers(1, 3)), elements=cells)


@settings(max_examples=150, deadline=None)
@given(columns, st.booleans())
def test_rank_is_one_plus_strictly_better(values, hib):
    r = ind.rank_areas(values, hib)
    for j in range(values.shape[1]):
        col = values[:, j]
        valid = col[~np.isnan(col)]
        for a in range(values.shape[0]):
            if np.isnan(col[a]):
                assert np.isnan(r.rank[a, j]) and np.isnan(r.percentile[a, j]) and np.isnan(r.quartile[a, j])
                continue
            better = int((valid > col[a]).sum() if hib else (valid < col[a]).sum())
            tied = int((valid == col[a]).sum())
            assert r.rank[a, j] == 1 + better
            assert r.tied[a, j] == tied
            n = len(valid)
            assert r.percentile[a, j] == 100 * (n - better - tied + tied / 2) / n
            assert 1 <= r.quartile[a, j] <= 4


@settings(max_examples=150, deadline=None)
@given(columns, st.booleans(), st.randoms(use_true_random=False))
def test_ranks_are_permutation_invariant(values, hib, rnd):
    perm = list(range(values.shape[0]))
    rnd.shuffle(perm)
    r = ind.rank_areas(values, hib)
    rp = ind.rank_areas(values[perm], hib)
    for name in ("rank", "n", "tied", "percentile", "quartile"):
        np.testing.assert_array_equal(getattr(rp, name), getattr(r, name)[perm])


@settings(max_examples=150, deadline=None)
@given(columns)
def test_polarity_flip_reverses_ranks(values):
    up = ind.rank_areas(values, True)
    down = ind.rank_areas(values, False)
    # competition ranks reversed: worse-than count becomes better-than count
    np.testing.assert_array_equal(down.rank, up.n - up.rank - up.tied + 2)
    np.testing.assert_allclose(down.percentile, 100 - up.percentile, equal_nan=True)
    # with distinct values this is the plain reversal k -> n + 1 - k
    distinct = up.tied == 1
    np.testing.assert_array_equal(down.rank[distinct], (up.n + 1 - up.rank)[distinct])


@settings(max_examples=100, deadline=None)
@given(st.integers(4, 60))
def test_best_quarter_is_at_most_a_quarter(n):
    values = np.arange(n, dtype=float)
    r = ind.rank_areas(values, True)
    assert int((r.quartile == 1).sum()) == n // 4
    assert int((r.quartile == 4).sum()) >= n // 4
    assert r.quartile[-1] == 1 and r.quartile[0] == 4


@settings(max_examples=150, deadline=None)
@given(
    st.floats(-50, 50, allow_nan=False),
    st.floats(-100, 100, allow_nan=False),
    st.lists(st.booleans(), min_size=3, max_size=20),
)
def test_theil_sen_of_a_perfect_line_is_its_slope(slope, level, keep):
    years = np.arange(2000, 2000 + len(keep), dtype=float)
    y = level + slope * (years - 2000)
    mask = np.array(keep)
    if mask.sum() < 2:
        mask[:2] = True
    y[~mask] = np.nan
    for trend in (ind.theil_sen(y, years), ind.ols_trend(y, years)):
        assert abs(float(trend.slope) - slope) <= 1e-9 * max(1, abs(slope))
        fitted = trend.intercept + trend.slope * 2010
        assert abs(float(fitted) - (level + slope * 10)) <= 1e-7 * max(1, abs(level), abs(slope))


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(3, 12)), elements=cells))
def test_theil_sen_batch_equals_series_by_series(values):
    years = np.arange(values.shape[1], dtype=float) * 2 + 1990
    batch = ind.theil_sen(values, years, chunk=2)
    for k in range(values.shape[0]):
        one = ind.theil_sen(values[k], years)
        np.testing.assert_array_equal(batch.slope[k], one.slope)
        np.testing.assert_array_equal(batch.intercept[k], one.intercept)
        ok = ~np.isnan(values[k])
        if ok.sum() >= 2:
            x, y = years[ok], values[k, ok]
            slopes = [(y[j] - y[i]) / (x[j] - x[i]) for i in range(len(x)) for j in range(i + 1, len(x))]
            assert batch.slope[k] == np.median(slopes)
        else:
            assert np.isnan(batch.slope[k])


@settings(max_examples=80, deadline=None)
@given(st.floats(0.5, 0.99), st.integers(3, 12))
def test_prediction_interval_contains_forecast_and_widens_with_level(level, n):
    rng = np.random.default_rng(n)
    years = np.arange(n, dtype=float)
    y = 2 * years + rng.normal(size=n)
    t = ind.ols_trend(y, years)
    v, lo, hi = ind.forecast(t, n + 2, level)
    v2, lo2, hi2 = ind.forecast(t, n + 2, min(level + 0.005, 0.999))
    assert lo <= v <= hi
    assert hi2 - lo2 >= hi - lo
