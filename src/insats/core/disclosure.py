"""Small-count suppression for tables of counts (röjandeskydd).

A table of counts is shown with its margins: a total per row, a total per column and a grand
total. Counts under ``min_count`` (default 5) are hidden (*primary suppression*). Because the
margins are shown, a single hidden cell in a row could be recomputed as the row total minus the
shown cells; so when a row or column (margins included) holds exactly one hidden cell, the
next-smallest shown cell of that line is hidden too (*secondary suppression*). This repeats until
no line has exactly one hidden cell, and finally a linear-algebra check makes sure that no hidden
cell can be derived from any combination of rows and columns either (a hidden cell that joins
two otherwise separate groups of hidden cells could be), hiding one more cell where needed.

Everything here treats the table *with* its margins as one extended grid of
``(rows + 1) × (columns + 1)`` cells: the last column holds the row totals, the last row the
column totals and the bottom-right cell the grand total. Every line of that grid adds up (the
cells of a row add up to its total, and the row totals add up to the grand total), so the same
rule applies to margins and inner cells alike. A margin that is itself under ``min_count`` is
hidden like any other count.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "HiddenCell",
    "SuppressionRequest",
    "SuppressionResult",
    "determinable_cells",
    "extended_table",
    "suppress",
    "suppress_table",
]


def extended_table(counts: np.ndarray) -> np.ndarray:
    """Return the ``(r+1) × (c+1)`` grid of counts with row totals, column totals and grand total."""
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim != 2:
        raise ValueError("counts must be a two-dimensional table")
    r, c = counts.shape
    ext = np.zeros((r + 1, c + 1), dtype=np.int64)
    ext[:r, :c] = counts
    ext[:r, c] = counts.sum(axis=1)
    ext[r, :c] = counts.sum(axis=0)
    ext[r, c] = counts.sum()
    return ext


def _constraint_matrix(shape: tuple[int, int]) -> np.ndarray:
    """Linear constraints of an extended grid: one equation per line, ``Σ inner − total = 0``."""
    rows, cols = shape  # extended shape
    n = rows * cols
    eqs = []
    for i in range(rows):
        eq = np.zeros(n)
        for j in range(cols - 1):
            eq[i * cols + j] = 1.0
        eq[i * cols + cols - 1] = -1.0
        eqs.append(eq)
    for j in range(cols):
        eq = np.zeros(n)
        for i in range(rows - 1):
            eq[i * cols + j] = 1.0
        eq[(rows - 1) * cols + j] = -1.0
        eqs.append(eq)
    return np.array(eqs)


def determinable_cells(hidden: np.ndarray) -> np.ndarray:
    """Which hidden cells of an extended grid are fixed by the shown cells and the line sums.

    The shown values are constants; the hidden ones are unknowns in the system of line equations.
    A hidden cell is determined exactly when every solution of the homogeneous system has a zero
    in that coordinate, i.e. when its row of the null-space basis is zero.
    """
    hidden = np.asarray(hidden, dtype=bool)
    idx = np.flatnonzero(hidden.ravel())
    out = np.zeros(hidden.shape, dtype=bool)
    if idx.size == 0:
        return out
    a = _constraint_matrix(hidden.shape)[:, idx]
    _, s, vt = np.linalg.svd(a)
    rank = int((s > 1e-9).sum())
    null = vt[rank:].T  # columns span the null space, one row per hidden unknown
    if null.shape[1] == 0:
        determined = np.ones(idx.size, dtype=bool)
    else:
        determined = np.abs(null).max(axis=1) < 1e-9
    out.ravel()[idx[determined]] = True
    return out


def _lines(shape: tuple[int, int]) -> list[tuple[np.ndarray, np.ndarray]]:
    rows, cols = shape
    lines = [(np.full(cols, i), np.arange(cols)) for i in range(rows)]
    lines += [(np.arange(rows), np.full(rows, j)) for j in range(cols)]
    return lines


def _hide_next_smallest(ext: np.ndarray, hidden: np.ndarray, ii: np.ndarray, jj: np.ndarray) -> bool:
    """Hide the smallest shown cell of a line, inner cells before the line's total. True if hidden."""
    rows, cols = ext.shape
    candidates = []
    for i, j in zip(ii, jj, strict=True):
        if hidden[i, j]:
            continue
        is_margin = i == rows - 1 or j == cols - 1
        candidates.append((is_margin, int(ext[i, j]), int(i), int(j)))
    if not candidates:
        return False
    _, _, i, j = min(candidates)
    hidden[i, j] = True
    return True


def _protect_hidden_sums(
    ext: np.ndarray, hidden: np.ndarray, lines: list[tuple[np.ndarray, np.ndarray]], min_count: int
) -> bool:
    """Where a line's total is shown, its hidden cells add up to a known sum; a sum of 1 to
    ``min_count - 1`` would publish a small count (the hidden cells' total). Hide the line's
    next-smallest shown cell (its total when none is left) until every such sum is 0 or large.
    True if anything was hidden."""
    changed = False
    for ii, jj in lines:
        if hidden[ii[-1], jj[-1]]:
            continue
        inner_ii, inner_jj = ii[:-1], jj[:-1]
        mask = hidden[inner_ii, inner_jj]
        hidden_sum = int(ext[inner_ii, inner_jj][mask].sum())
        if mask.any() and 0 < hidden_sum < min_count:
            if not _hide_next_smallest(ext, hidden, inner_ii, inner_jj):
                hidden[ii[-1], jj[-1]] = True
            changed = True
    return changed


def suppress_table(
    counts: np.ndarray, min_count: int = 5, hide_zeros: bool = True, protect_sums: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Suppress a table of counts; return ``(extended grid, hidden mask, primary mask)``.

    Both masks have the extended shape ``(r+1, c+1)`` (margins last). ``protect_sums``: also make
    sure that the hidden cells of a line whose total is shown do not add up to a small count
    (1 to ``min_count - 1``; e.g. a row 12, 3 with total 15 and the zeros hidden would otherwise
    tell that the hidden cells hold 3 in all).
    """
    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    ext = extended_table(counts)
    if (ext[:-1, :-1] < 0).any():
        raise ValueError("counts must not be negative")
    primary = ext < min_count
    if not hide_zeros:
        primary &= ext != 0
    hidden = primary.copy()
    lines = _lines(ext.shape)
    while True:
        changed = False
        for ii, jj in lines:
            if int(hidden[ii, jj].sum()) == 1 and _hide_next_smallest(ext, hidden, ii, jj):
                changed = True
        if changed:
            continue
        if protect_sums and _protect_hidden_sums(ext, hidden, lines, min_count):
            continue
        det = determinable_cells(hidden)
        if not det.any():
            break
        # A hidden cell that is still derivable (a "bridge" between groups of hidden cells):
        # hide the next-smallest shown cell in its row (or column if the row has none left).
        i, j = (int(v) for v in np.argwhere(det)[0])
        in_row = _hide_next_smallest(ext, hidden, np.full(ext.shape[1], i), np.arange(ext.shape[1]))
        if not in_row and not _hide_next_smallest(
            ext, hidden, np.arange(ext.shape[0]), np.full(ext.shape[0], j)
        ):
            break  # every cell in both lines is hidden already; nothing more can be done
    return ext, hidden, primary


class SuppressionRequest(BaseModel):
    """A table of counts to publish with its margins."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Identifier of the table, echoed in the result.")
    rows: list[str] = Field(description="Row labels, e.g. age bands.", min_length=1)
    columns: list[str] = Field(description="Column labels, e.g. districts.", min_length=1)
    counts: list[list[int]] = Field(
        description="Counts, one list per row, in the order of `rows` and `columns`; not negative."
    )
    min_count: int = Field(5, ge=1, description="Counts below this are hidden (default 5).")
    hide_zeros: bool = Field(
        True, description="Hide zero counts too (zero is 'under 5'); set false to show zeros."
    )

    @model_validator(mode="after")
    def _shape(self) -> SuppressionRequest:
        if len(self.counts) != len(self.rows):
            raise ValueError(f"counts has {len(self.counts)} rows but rows names {len(self.rows)}")
        for i, row in enumerate(self.counts):
            if len(row) != len(self.columns):
                raise ValueError(f"counts[{i}] has {len(row)} cells but columns names {len(self.columns)}")
            for j, v in enumerate(row):
                if v < 0:
                    raise ValueError(f"counts[{i}][{j}] is negative")
        return self


class HiddenCell(BaseModel):
    """One hidden cell of a published table."""

    row: str = Field(description="Row label, or 'total' for the column totals.")
    column: str = Field(description="Column label, or 'total' for the row totals.")
    reason: Literal["primary", "secondary"] = Field(
        description="'primary': the count is under min_count; 'secondary': hidden so that a primary "
        "cell cannot be recomputed from the totals."
    )


class SuppressionResult(BaseModel):
    """The table as it may be published: hidden cells are null."""

    id: str = Field(description="Identifier of the table.")
    rows: list[str] = Field(description="Row labels.")
    columns: list[str] = Field(description="Column labels.")
    cells: list[list[int | None]] = Field(description="Counts as shown; null where hidden.")
    row_totals: list[int | None] = Field(description="Row totals as shown; null where hidden.")
    column_totals: list[int | None] = Field(description="Column totals as shown; null where hidden.")
    grand_total: int | None = Field(description="Grand total as shown; null where hidden.")
    hidden: list[HiddenCell] = Field(description="Every hidden cell, with the reason.")
    min_count: int = Field(description="The threshold used.")
    method: Literal["primary+secondary (line rule and linear check)"] = Field(
        "primary+secondary (line rule and linear check)", description="The suppression method."
    )


def suppress(
    request: SuppressionRequest | dict[str, Any], *, protect_sums: bool = False
) -> SuppressionResult:
    """Suppress a table given in its JSON form; see :class:`SuppressionRequest` (and
    :func:`suppress_table` for ``protect_sums``)."""
    req = request if isinstance(request, SuppressionRequest) else SuppressionRequest.model_validate(request)
    ext, hidden, primary = suppress_table(
        np.array(req.counts, dtype=np.int64), req.min_count, req.hide_zeros, protect_sums=protect_sums
    )
    r, c = len(req.rows), len(req.columns)
    shown = [[None if hidden[i, j] else int(ext[i, j]) for j in range(c + 1)] for i in range(r + 1)]
    row_labels = [*req.rows, "total"]
    col_labels = [*req.columns, "total"]
    hidden_list = [
        HiddenCell(
            row=row_labels[i], column=col_labels[j], reason="primary" if primary[i, j] else "secondary"
        )
        for i, j in zip(*np.nonzero(hidden), strict=True)
    ]
    return SuppressionResult(
        id=req.id,
        rows=req.rows,
        columns=req.columns,
        cells=[row[:c] for row in shown[:r]],
        row_totals=[shown[i][c] for i in range(r)],
        column_totals=shown[r][:c],
        grand_total=shown[r][c],
        hidden=hidden_list,
        min_count=req.min_count,
    )
