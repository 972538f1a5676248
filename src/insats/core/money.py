"""Money: Decimal SEK, rounded to öre in one place."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Union

ORE = Decimal("0.01")
Number = Union[Decimal, int, float, str]


def to_decimal(value: Number) -> Decimal:
    """Convert to Decimal without binary float artefacts (floats go through repr)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def round_ore(value: Number) -> Decimal:
    """Round an amount in SEK to whole öre, half away from zero (the Swedish convention)."""
    return to_decimal(value).quantize(ORE, rounding=ROUND_HALF_UP)


def allocate(total: Number, shares: Sequence[Number]) -> list[Decimal]:
    """Split ``total`` (rounded to öre) by ``shares`` so the parts sum exactly to the total.

    Largest-remainder method: each part is floored to the öre, then the öre left over go
    to the parts with the largest remainders (ties to the earliest part).
    """
    total_d = round_ore(total)
    weights = [to_decimal(s) for s in shares]
    if not weights:
        raise ValueError("allocate needs at least one share")
    if any(w < 0 for w in weights):
        raise ValueError("shares must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("shares must not all be zero")
    sign = Decimal(-1) if total_d < 0 else Decimal(1)
    cents = int((abs(total_d) / ORE).to_integral_value())
    raw = [Decimal(cents) * w / weight_sum for w in weights]
    floors = [int(r) for r in raw]
    left = cents - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [sign * Decimal(f) * ORE for f in floors]
