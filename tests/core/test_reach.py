"""insats.core.reach: participants counted once whatever the level of detail, and the public table
never shows a count under the threshold nor one that can be recomputed from the totals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insats.core.disclosure import determinable_cells
from insats.core.reach import MIN_COUNT, ReachRow, participant_totals, public_table


def test_totals_do_not_count_anyone_twice():
    rows = [
        # Intervention 1, band "7-13": a total row for both genders AND the genders' rows: 10, not 20.
        ReachRow(1, "7-13", None, "T", 10),
        ReachRow(1, "7-13", None, "K", 4),
        ReachRow(1, "7-13", None, "M", 6),
        # Band "14-18": a whole-year row (no municipality) of 30 next to municipalities' 12 + 18.
        ReachRow(1, "14-18", None, "T", 30),
        ReachRow(1, "14-18", "Eksjö", "T", 12),
        ReachRow(1, "14-18", "Jönköping", "T", 18),
        # Intervention 2: only municipalities, one by gender: 5 + (3 + 4) = 12.
        ReachRow(2, "7-13", "Eksjö", "T", 5),
        ReachRow(2, "7-13", "Aneby", "K", 3),
        ReachRow(2, "7-13", "Aneby", "M", 4),
    ]
    assert participant_totals(rows) == {(1, "7-13"): 10, (1, "14-18"): 30, (2, "7-13"): 12}


def test_negative_participants_are_refused():
    with pytest.raises(ValueError):
        participant_totals([ReachRow(1, None, None, "T", -1)])


def test_threshold_is_five():
    assert MIN_COUNT == 5
    t = public_table([ReachRow("a", "x", None, "T", 4), ReachRow("a", "y", None, "T", 40)], ["a"], ["x", "y"])
    assert t.cells[0][0] is None and t.min_count == 5
    assert all(v is None or v >= 5 for v in [*t.cells[0], *t.row_totals, *t.column_totals, t.grand_total])


rows_strategy = st.lists(
    st.builds(
        ReachRow,
        key=st.sampled_from(["A", "B", "C"]),
        band=st.sampled_from(["0-2", "3-6", "7-13", None]),
        area=st.sampled_from([None, "Eksjö", "Aneby"]),
        gender=st.sampled_from(["T", "K", "M"]),
        participants=st.integers(0, 40),
    ),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(rows=rows_strategy, seed=st.randoms())
def test_totals_are_independent_of_order_and_never_exceed_the_rows(rows, seed):
    shuffled = list(rows)
    seed.shuffle(shuffled)
    totals = participant_totals(rows)
    assert totals == participant_totals(shuffled)
    assert sum(totals.values()) <= sum(r.participants for r in rows)
    assert all(v >= 0 for v in totals.values())


@settings(max_examples=40, deadline=None)
@given(rows=rows_strategy)
def test_the_public_table_hides_small_and_derivable_counts(rows):
    keys, bands = ["A", "B", "C"], ["0-2", "3-6", "7-13", None]
    t = public_table(rows, keys, bands)
    totals = participant_totals(rows)
    shown = [[t.cells[i][j] for j in range(len(bands))] + [t.row_totals[i]] for i in range(len(keys))]
    shown.append([*t.column_totals, t.grand_total])
    hidden = np.array([[v is None for v in row] for row in shown])
    for i, k in enumerate(keys):
        for j, b in enumerate(bands):
            v = t.cells[i][j]
            assert v is None or (v >= MIN_COUNT and v == totals.get((k, b), 0))
    assert all(v is None or v >= MIN_COUNT for row in shown for v in row)
    assert not determinable_cells(hidden).any()
    # Where a line's total is shown, its hidden cells do not add up to a small count.
    full = [[totals.get((k, b), 0) for b in bands] for k in keys]
    grid = [[*row, sum(row)] for row in full]
    grid.append([sum(col) for col in zip(*grid, strict=True)])
    lines = [[(i, j) for j in range(len(grid[0]))] for i in range(len(grid))]
    lines += [[(i, j) for i in range(len(grid))] for j in range(len(grid[0]))]
    for line in lines:
        *inner, total = line
        if not hidden[total]:
            s = sum(grid[i][j] for i, j in inner if hidden[i, j])
            assert s == 0 or s >= MIN_COUNT, (line, s)


def test_a_small_sum_of_hidden_cells_is_not_published():
    # One row 0, 0, 12, 3, 0 (total 15): the zeros and the 3 are hidden; shown 12 and 15 would say
    # that the hidden cells hold 3 in all, so 12 is hidden too.
    rows = [ReachRow("a", "7-13", None, "T", 12), ReachRow("a", "14-18", None, "T", 3)]
    t = public_table(rows, ["a"], ["0-2", "3-6", "7-13", "14-18", "18-29"])
    assert t.cells[0][2] is None and t.cells[0][3] is None
    assert t.row_totals == [15] and t.grand_total == 15
