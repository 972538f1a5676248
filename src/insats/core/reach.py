"""Reach (participants) of interventions as it may be published: totals, then small counts hidden.

Reach is entered at whatever level of detail an organisation has: one row for the whole year, or
one per member municipality, gender and age band. :func:`participant_totals` adds it up without
counting anyone twice: per (row key, age band), rows without a municipality are the total where
they exist, otherwise the municipalities' rows are added; within each, a row for both genders
(``T``) is the total where it exists, otherwise the genders' rows are added.

:func:`public_table` turns the totals into a table (rows = e.g. interventions, columns = age bands)
and hides small counts with :mod:`insats.core.disclosure` (primary and secondary suppression, so no
hidden count can be recomputed from the totals shown, and with ``protect_sums`` so that the hidden
cells of a line never add up to a small count either). The threshold is :data:`MIN_COUNT`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from .disclosure import SuppressionResult, suppress

__all__ = ["MIN_COUNT", "ReachRow", "participant_totals", "public_table"]

# Counts under five are never published (the core's default, as for the lägesbild's tables).
MIN_COUNT = 5
BOTH = "T"


@dataclass(frozen=True)
class ReachRow:
    key: Hashable  # what the row belongs to, e.g. an intervention's id
    band: Hashable | None  # age band, None: not given
    area: Hashable | None  # municipality, None: the whole
    gender: str  # "T" both, else one gender
    participants: int


def _total_of_genders(rows: list[ReachRow]) -> int:
    both = [r.participants for r in rows if r.gender == BOTH]
    return sum(both) if both else sum(r.participants for r in rows)


def participant_totals(rows: Iterable[ReachRow]) -> dict[tuple[Hashable, Hashable | None], int]:
    """(key, band) → participants, each person counted once (see the module's rule)."""
    grouped: dict[tuple[Hashable, Hashable | None], dict[Hashable | None, list[ReachRow]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in rows:
        if row.participants < 0:
            raise ValueError("participants must not be negative")
        grouped[(row.key, row.band)][row.area].append(row)
    out = {}
    for cell, by_area in grouped.items():
        if None in by_area:
            out[cell] = _total_of_genders(by_area[None])
        else:
            out[cell] = sum(_total_of_genders(parts) for parts in by_area.values())
    return out


def public_table(
    rows: Iterable[ReachRow],
    keys: list[Hashable],
    bands: list[Hashable | None],
    *,
    row_labels: list[str] | None = None,
    column_labels: list[str] | None = None,
    min_count: int = MIN_COUNT,
) -> SuppressionResult:
    """The reach of ``keys`` (rows) by ``bands`` (columns) with every small count hidden."""
    if not keys or not bands:
        raise ValueError("a table needs at least one row and one column")
    totals = participant_totals(rows)
    counts = [[totals.get((k, b), 0) for b in bands] for k in keys]
    return suppress(
        {
            "id": "reach",
            "rows": row_labels or [str(k) for k in keys],
            "columns": column_labels or [str(b) for b in bands],
            "counts": counts,
            "min_count": min_count,
        },
        protect_sums=True,
    )
