"""Portfolio arithmetic for the intervention catalogue and reviews (genomlysning): shares of a
budget, cost per participant, staffing per 1,000 inhabitants. Pure, exact (Decimal), no Django.

The review's own figures (reach against financing share, seed 001) build on these primitives.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from insats.core.money import round_ore, to_decimal

K = TypeVar("K", bound=Hashable)

SHARE_UNIT = Decimal("0.0001")  # a share is shown to 0.01 percentage points


def shares(amounts: Mapping[K, Decimal | int]) -> dict[K, Decimal]:
    """Each key's share of the total as a fraction with four decimals, summing exactly to 1.

    Largest-remainder method on units of 0.0001 (ties to the key that comes first in the mapping's
    sorted order of ``repr``, so the result does not depend on insertion order). All shares are
    zero when the total is zero. Negative amounts are refused.
    """
    values = {k: to_decimal(v) for k, v in amounts.items()}
    if any(v < 0 for v in values.values()):
        raise ValueError("amounts must not be negative")
    total = sum(values.values(), Decimal(0))
    if total == 0:
        return {k: Decimal("0.0000") for k in values}
    units = int(Decimal(1) / SHARE_UNIT)
    keys = sorted(values, key=repr)
    raw = {k: Decimal(units) * values[k] / total for k in keys}
    floors = {k: int(raw[k]) for k in keys}
    left = units - sum(floors.values())
    for k in sorted(keys, key=lambda k: -(raw[k] - floors[k]))[:left]:
        floors[k] += 1
    return {k: Decimal(floors[k]) * SHARE_UNIT for k in values}


def per_participant(amount: Decimal | int, participants: int) -> Decimal | None:
    """Cost per participant, to the öre; None when there were no participants."""
    if participants < 0:
        raise ValueError("participants must not be negative")
    if participants == 0:
        return None
    return round_ore(to_decimal(amount) / participants)


def per_thousand(count: Decimal | int, population: int) -> Decimal | None:
    """``count`` (people, FTE) per 1,000 of ``population``, to two decimals; None without population."""
    if population < 0:
        raise ValueError("population must not be negative")
    if population == 0:
        return None
    return (to_decimal(count) * 1000 / population).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
