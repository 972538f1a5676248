"""Portfolio arithmetic for the intervention catalogue and reviews (genomlysning): shares of a
budget, cost per participant, staffing per 1,000 inhabitants. Pure, exact (Decimal), no Django.

The review's own figures (reach against financing share, seed 001) build on these primitives.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Generic, TypeVar

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


# --------------------------------------------------------------------------- the review's figures
#
# Seed 001 (Samordningsförbundet Södra Vätterbygden): "Över 70 % av förbundets budget 2024 om 11,4
# milj kr går till … NOVA, Enter och FIA". The genomlysning asks three questions of such a portfolio,
# each answered by one function below:
#
# 1. budget_shares      — each intervention's share of the förbund's total budget (an input: the
#                          förbund's yearly budget, not the sum of the interventions);
# 2. reach_against_financing — for each member municipality, its share of the participants against
#                          its share of the financing ("who pays for whom");
# 3. staffing_per_thousand — FTE per 1,000 inhabitants of the target age, per member and in total.

OTHER = "__other__"  # the part of the total budget that goes to anything outside the portfolio


@dataclass(frozen=True)
class BudgetShares(Generic[K]):
    """``shares[k]``: amount k / total budget; ``other``: what is left of the total outside the
    portfolio; ``portfolio``: the portfolio's share (the sum of ``shares``). ``shares`` plus
    ``other`` sum to exactly 1 (largest remainder, see :func:`shares`)."""

    total_budget: Decimal
    portfolio_amount: Decimal
    shares: dict[K, Decimal]
    other: Decimal

    @property
    def portfolio(self) -> Decimal:
        return sum(self.shares.values(), Decimal(0))


def budget_shares(amounts: Mapping[K, Decimal | int], total_budget: Decimal | int) -> BudgetShares[K]:
    """Each amount's share of ``total_budget`` (the förbund's budget for the year).

    Refused: a negative amount or total, and amounts summing to more than the total (the portfolio
    cannot cost more than the budget it is part of). A zero total gives zero shares."""
    total = to_decimal(total_budget)
    if total < 0:
        raise ValueError("total_budget must not be negative")
    values = {k: to_decimal(v) for k, v in amounts.items()}
    if any(v < 0 for v in values.values()):
        raise ValueError("amounts must not be negative")
    portfolio_amount = sum(values.values(), Decimal(0))
    if portfolio_amount > total:
        raise ValueError("the amounts exceed the total budget")
    if OTHER in values:
        raise ValueError(f"{OTHER!r} is reserved")
    all_shares = shares({**values, OTHER: total - portfolio_amount})
    other = all_shares.pop(OTHER)
    return BudgetShares(total, portfolio_amount, all_shares, other)


@dataclass(frozen=True)
class MemberComparison:
    """One member municipality in the reach-against-financing comparison.

    ``financing_share``: the member's financing share among the compared members, renormalised to
    sum to 1 (seed 001's Mullsjö: 1 % of the förbund = 1/25 of the municipalities' 25 % = 4 %);
    ``reach_share``: its share of the participants who live in one of the compared members;
    ``gap_points``: (reach share − financing share) in percentage points — negative: the member pays
    for more than its residents use; ``implied_amount``: the same difference in kronor of the
    portfolio's budget, (reach share − financing share) × budget, to the öre, from exact fractions
    (the four-decimal shares are for display)."""

    participants: int
    financing_share: Decimal
    reach_share: Decimal
    gap_points: Decimal
    implied_amount: Decimal


def reach_against_financing(
    financing: Mapping[K, Decimal | int],
    participants: Mapping[K, int],
    budget: Decimal | int,
) -> dict[K, MemberComparison]:
    """Who pays for whom: each member's share of the participants against its financing share.

    ``financing``: each compared member's financing share (per cent or any unit — only the ratios
    count); ``participants``: participants per member (a member missing here has none; a key not
    in ``financing`` is refused); ``budget``: the portfolio's budget in kronor.

    With f_m = s_m / Σs (financing) and r_m = p_m / Σp (reach): gap_m = 100 × (r_m − f_m) points and
    implied_m = (r_m − f_m) × budget. Without any participants every reach share is 0 and the gap is
    − f_m. Scaling every participant count (or every financing share) by the same factor changes
    nothing; the order of the members changes nothing.
    """
    fin = {k: to_decimal(v) for k, v in financing.items()}
    if any(v < 0 for v in fin.values()):
        raise ValueError("financing shares must not be negative")
    unknown = [k for k in participants if k not in fin]
    if unknown:
        raise ValueError(f"participants for members without a financing share: {unknown!r}")
    counts = {k: int(participants.get(k, 0)) for k in fin}
    if any(v < 0 for v in counts.values()):
        raise ValueError("participants must not be negative")
    money = to_decimal(budget)
    fin_total = sum(fin.values(), Decimal(0))
    reach_total = sum(counts.values())
    fin_shares = shares(fin)
    reach_shares = shares(counts)
    out: dict[K, MemberComparison] = {}
    for k in fin:
        f_exact = fin[k] / fin_total if fin_total else Decimal(0)
        r_exact = Decimal(counts[k]) / reach_total if reach_total else Decimal(0)
        out[k] = MemberComparison(
            participants=counts[k],
            financing_share=fin_shares[k],
            reach_share=reach_shares[k],
            gap_points=((reach_shares[k] - fin_shares[k]) * 100).quantize(Decimal("0.01")),
            implied_amount=round_ore((r_exact - f_exact) * money),
        )
    return out


@dataclass(frozen=True)
class Staffing(Generic[K]):
    """FTE per 1,000 inhabitants of the target age: per member (the FTE employed or stationed there)
    and for the whole area (all FTE over the whole target population). None without population."""

    per_member: dict[K, Decimal | None]
    total_fte: Decimal
    total_population: int
    total_per_thousand: Decimal | None


def staffing_per_thousand(fte: Mapping[K, Decimal | int], population: Mapping[K, int]) -> Staffing[K]:
    """``fte``: FTE per member (a key ``OTHER`` may hold FTE not tied to one member, e.g. a team in
    the förbund's office — it counts in the total only); ``population``: inhabitants of the target
    age per member. Per member: fte × 1000 / population (two decimals)."""
    pops = {k: int(v) for k, v in population.items()}
    if any(v < 0 for v in pops.values()):
        raise ValueError("population must not be negative")
    values = {k: to_decimal(v) for k, v in fte.items()}
    if any(v < 0 for v in values.values()):
        raise ValueError("FTE must not be negative")
    per_member = {k: per_thousand(values.get(k, Decimal(0)), pops[k]) for k in pops}
    total_fte = sum(values.values(), Decimal(0))
    total_pop = sum(pops.values())
    return Staffing(per_member, total_fte, total_pop, per_thousand(total_fte, total_pop))
