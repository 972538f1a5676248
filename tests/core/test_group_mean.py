import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from insats.core.indicators import group_mean


def test_group_mean_leaves_out_missing_values():
    assert group_mean([61.4, np.nan, 70.0, 80.2]) == (61.4 + 70.0 + 80.2) / 3
    assert group_mean([np.nan, np.nan]) is None
    assert group_mean([]) is None


@given(st.lists(st.one_of(st.floats(-1e6, 1e6), st.just(math.nan)), max_size=30))
def test_group_mean_lies_between_the_smallest_and_largest_present_value(values):
    present = [v for v in values if not math.isnan(v)]
    m = group_mean(values)
    if not present:
        assert m is None
    else:
        assert min(present) - 1e-6 <= m <= max(present) + 1e-6
