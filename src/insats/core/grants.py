"""Grant rounds (föreningsbidrag): an application's requested amount and a proposal within a budget.

Pure, exact (Decimal SEK, rounded to öre by :func:`insats.core.money.round_ore`), no Django.

* :func:`budget_totals` — an application's budget lines (cost, other financing) summed; the amount
  requested is what the other financing does not cover: ``Σ cost − Σ other financing``. A line whose
  other financing exceeds its cost, or a negative amount, is refused with the line named.
* :func:`proposal` — amounts proposed (or granted) against the round's budget: the total, what is
  left, and whether it fits. The officer's list may not exceed the budget.

The ranking of applications is the tender engine's (:mod:`insats.core.scoring`: weights, scale
normalisation, mean of the assessors).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from insats.core.money import Number, round_ore, to_decimal

__all__ = ["BudgetTotals", "LineError", "Proposal", "budget_totals", "proposal"]


class LineError(ValueError):
    """A ValueError naming the budget line (0-based ``index``) and the field that is wrong."""

    def __init__(self, index: int, field: str, message: str):
        super().__init__(f"lines.{index}.{field}: {message}")
        self.index = index
        self.field = field


@dataclass(frozen=True)
class BudgetTotals:
    cost: Decimal
    other_financing: Decimal
    requested: Decimal


def budget_totals(lines: Sequence[tuple[Number, Number]]) -> BudgetTotals:
    """Σ cost, Σ other financing and the amount requested (their difference), to the öre."""
    cost = Decimal(0)
    other = Decimal(0)
    for i, (c, o) in enumerate(lines):
        c_d, o_d = round_ore(to_decimal(c)), round_ore(to_decimal(o))
        if c_d < 0:
            raise LineError(i, "cost", "cost must not be negative")
        if o_d < 0:
            raise LineError(i, "other_financing", "other financing must not be negative")
        if o_d > c_d:
            raise LineError(i, "other_financing", "other financing must not exceed the line's cost")
        cost += c_d
        other += o_d
    return BudgetTotals(cost=cost, other_financing=other, requested=cost - other)


@dataclass(frozen=True)
class Proposal:
    budget: Decimal
    total: Decimal
    remaining: Decimal

    @property
    def fits(self) -> bool:
        return self.remaining >= 0


def proposal(budget: Number, amounts: Sequence[Number | None]) -> Proposal:
    """The total of the amounts (None = nothing proposed) and what is left of the budget."""
    b = round_ore(to_decimal(budget))
    if b < 0:
        raise ValueError("budget must not be negative")
    total = Decimal("0.00")
    for a in amounts:
        if a is None:
            continue
        a_d = round_ore(to_decimal(a))
        if a_d < 0:
            raise ValueError("amounts must not be negative")
        total += a_d
    return Proposal(budget=b, total=total, remaining=b - total)
