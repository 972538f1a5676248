"""Small-count suppression: worked examples by hand and the guarantee that nothing under 5 leaks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from pydantic import ValidationError

from insats.core.disclosure import determinable_cells, suppress, suppress_table


def test_worked_example_reports_of_concern():
    """docs/core/indicators.md, example 6: one primary cell needs three secondary ones."""
    out = suppress(
        {
            "id": "t",
            "rows": ["0–5", "6–10", "11–15"],
            "columns": ["Öster", "Väster", "Centrum"],
            "counts": [[12, 3, 9], [15, 8, 11], [20, 14, 18]],
        }
    )
    # 3 is primary; row 0 then hides its next-smallest 9; column Väster hides 8, column Centrum 11
    assert out.cells == [[12, None, None], [15, None, None], [20, 14, 18]]
    assert out.row_totals == [24, 34, 52]
    assert out.column_totals == [47, 25, 38]
    assert out.grand_total == 110
    reasons = {(h.row, h.column): h.reason for h in out.hidden}
    assert reasons == {
        ("0–5", "Väster"): "primary",
        ("0–5", "Centrum"): "secondary",
        ("6–10", "Väster"): "secondary",
        ("6–10", "Centrum"): "secondary",
    }


def test_worked_example_small_margin():
    """A row total under 5 is hidden like any count; the other row total must go too."""
    out = suppress({"id": "s", "rows": ["f", "p"], "columns": ["X", "Y"], "counts": [[2, 1], [10, 12]]})
    assert out.cells == [[None, None], [None, None]]
    assert out.row_totals == [None, None]
    assert out.column_totals == [12, 13] and out.grand_total == 25


def test_nothing_hidden_when_all_counts_large():
    out = suppress({"id": "x", "rows": ["a", "b"], "columns": ["c", "d"], "counts": [[5, 6], [7, 8]]})
    assert out.hidden == [] and out.cells == [[5, 6], [7, 8]]


def test_zeros_can_be_shown():
    ext, hidden, primary = suppress_table(np.array([[0, 10], [10, 10]]), hide_zeros=False)
    assert not hidden.any()
    ext, hidden, primary = suppress_table(np.array([[0, 10], [10, 10]]))
    assert primary[0, 0] and hidden.sum() == 4


def test_bridge_between_two_hidden_groups_is_also_protected():
    """Two 2×2 blocks of hidden cells joined by one more hidden cell: the line rule alone would
    leave that joining cell derivable (sum over one block's rows minus its columns)."""
    hidden = np.zeros((6, 6), dtype=bool)
    hidden[np.ix_([0, 1], [0, 1])] = True
    hidden[np.ix_([2, 3], [2, 3])] = True
    hidden[0, 2] = True
    det = determinable_cells(hidden)
    assert det[0, 2] and det.sum() == 1  # the bridge is derivable, the cycles are not


def test_bad_shapes_name_the_problem():
    with pytest.raises(ValidationError, match="counts has 1 rows"):
        suppress({"id": "x", "rows": ["a", "b"], "columns": ["c"], "counts": [[1]]})
    with pytest.raises(ValidationError, match=r"counts\[0\]\[0\] is negative"):
        suppress({"id": "x", "rows": ["a"], "columns": ["c"], "counts": [[-1]]})


# --- the guarantee ------------------------------------------------------------------------


def _equations(shape):
    """Line equations of the extended grid written out independently: Σ inner − total = 0."""
    rows, cols = shape
    eqs = []
    for i in range(rows):
        eq = np.zeros(shape)
        eq[i, :-1] = 1
        eq[i, -1] = -1
        eqs.append(eq.ravel())
    for j in range(cols):
        eq = np.zeros(shape)
        eq[:-1, j] = 1
        eq[-1, j] = -1
        eqs.append(eq.ravel())
    return np.array(eqs)


def _derivable(hidden: np.ndarray) -> list[tuple[int, int]]:
    """Hidden cells fixed by the shown cells: e_x lies in the row space of the equations
    restricted to the hidden unknowns (rank test)."""
    idx = np.flatnonzero(hidden.ravel())
    a = _equations(hidden.shape)[:, idx]
    base = np.linalg.matrix_rank(a)
    out = []
    for k, flat in enumerate(idx):
        e = np.zeros(len(idx))
        e[k] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == base:
            out.append(tuple(int(v) for v in np.unravel_index(flat, hidden.shape)))
    return out


def _peel(ext: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """The one-unknown-in-a-line attack: solve every line with a single unknown, repeat."""
    known = ~hidden
    values = np.where(known, ext, 0)
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            for k in range(ext.shape[1 - axis] if axis == 0 else ext.shape[0]):
                line = (slice(None), k) if axis == 0 else (k, slice(None))
                unknown = np.flatnonzero(~known[line])
                if len(unknown) == 1:
                    u = unknown[0]
                    vals, kn = values[line], known[line]
                    total_pos = len(vals) - 1
                    if u == total_pos:
                        v = vals[:-1].sum()
                    else:
                        v = vals[-1] - (vals[:-1] * kn[:-1]).sum()
                    cell = (u, k) if axis == 0 else (k, u)
                    values[cell] = v
                    known[cell] = True
                    changed = True
    return known & hidden


tables = hnp.arrays(
    np.int64,
    st.tuples(st.integers(1, 5), st.integers(1, 5)),
    elements=st.one_of(st.integers(0, 6), st.integers(0, 40)),
)


@settings(max_examples=200, deadline=None)
@given(tables, st.sampled_from([3, 5, 10]), st.booleans())
def test_suppression_never_reveals_a_small_count(counts, min_count, hide_zeros):
    ext, hidden, primary = suppress_table(counts, min_count, hide_zeros)
    r, c = counts.shape
    # the extended grid really is the table with its margins
    assert (ext[:r, :c] == counts).all()
    assert (ext[:r, c] == counts.sum(axis=1)).all() and (ext[r, :c] == counts.sum(axis=0)).all()
    # primary suppression: every count under the threshold is hidden (zeros as configured)
    small = ext < min_count
    if not hide_zeros:
        small &= ext != 0
    assert (hidden[small]).all() and (primary == small).all()
    # no line (row or column, margins included) has exactly one hidden cell
    for i in range(r + 1):
        assert hidden[i].sum() != 1
    for j in range(c + 1):
        assert hidden[:, j].sum() != 1
    # the one-unknown attack recovers nothing, and neither does any combination of lines
    assert not _peel(ext, hidden).any()
    if hidden.any():
        assert _derivable(hidden) == []


@settings(max_examples=100, deadline=None)
@given(tables)
def test_suppress_shows_every_unhidden_value_unchanged(counts):
    r, c = counts.shape
    out = suppress(
        {
            "id": "t",
            "rows": [f"r{i}" for i in range(r)],
            "columns": [f"c{j}" for j in range(c)],
            "counts": counts.tolist(),
        }
    )
    for i in range(r):
        for j in range(c):
            assert out.cells[i][j] is None or out.cells[i][j] == counts[i, j] >= 5
        assert out.row_totals[i] is None or out.row_totals[i] == counts[i].sum() >= 5
    for j in range(c):
        assert out.column_totals[j] is None or out.column_totals[j] == counts[:, j].sum() >= 5
    n_hidden = sum(v is None for row in out.cells for v in row) + out.row_totals.count(None)
    n_hidden += out.column_totals.count(None) + (out.grand_total is None)
    assert n_hidden == len(out.hidden)


def test_the_checks_catch_primary_suppression_alone():
    """The attack and the rank test do find leaks when secondary suppression is left out."""
    ext, hidden, primary = suppress_table(np.array([[12, 3, 9], [15, 8, 11], [20, 14, 18]]))
    assert _peel(ext, primary)[0, 1]  # 3 = 24 − 12 − 9
    assert _derivable(primary) == [(0, 1)]
    assert not _peel(ext, hidden).any() and _derivable(hidden) == []
