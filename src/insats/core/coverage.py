"""Coverage of needs by interventions on seed 003's map (intensity × age band). Pure, exact, no Django.

The map's cells are (intensity, age band). The **supply** in a cell is the capacity (places per
year), reach (participants per year) and budget of the interventions there; the **need** is the
size of the target groups whose need the organisation has placed at that intensity. The rules
(docs/core/coverage.md, worked through by hand there):

* **Ages are whole years, both ends included**: the band 7–13 holds the seven ages 7, 8, …, 13.
* **Spreading by year of age.** An amount that spans several bands — a target group's size, an
  intervention's capacity, reach without an age band, budget — is spread evenly over the years of
  age it spans; a year that lies in two bands (the default bands 14–18 and 18–29 share 18) gives
  half to each. A target group 6–10 of 50 children is 10 a year: 10 in band 3–6 (age 6) and 40 in
  band 7–13 (ages 7–10). Years in no band are reported as need *outside the bands*.
* **An intervention's capacity is split, never counted twice**: it spreads over the years of the
  bands it lists, by the same rule, so the cells' capacities sum exactly to the interventions'
  capacities. (An intervention whose capacity equals a target group's size, over exactly the
  group's ages, covers every one of those cells exactly.)
* **Whole numbers**: places, participants and children are whole; each spread is rounded by the
  largest-remainder method (ties to the younger band, then the part outside the bands), so the parts
  always sum exactly to the amount. Money is spread the same way in öre.
* **Coverage** = capacity / need (four decimals, half up; never negative; None without need).
  **Gap** = need − capacity, floored at 0 (None without need). **Status**: ``no_need`` (no target
  group's need lies in the cell), ``no_capacity`` (need and 0 places), ``partial`` (some places, fewer
  than the need), ``covered`` (places ≥ need). An intervention without a stated capacity counts as
  0 places and is listed in ``unknown_capacity`` so the page can say so.
* **Factors**: a risk or protective factor named in the organisation's cause analyses is *needed*;
  the interventions that list it *address* it. Status ``gap`` (needed, nobody addresses it),
  ``addressed`` (needed and addressed), ``not_named`` (addressed, not named in any analysis).

Results do not depend on the order of the supplies, needs, factors or bands given (bands are sorted
by age); rows follow the order of ``intensities``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

COVERED = "covered"
PARTIAL = "partial"
NO_CAPACITY = "no_capacity"
NO_NEED = "no_need"

FACTOR_GAP = "gap"
FACTOR_ADDRESSED = "addressed"
FACTOR_NOT_NAMED = "not_named"

COVERAGE_UNIT = Decimal("0.0001")
OUTSIDE = "__outside__"


@dataclass(frozen=True)
class Band:
    """A column of the map: ages ``age_from``..``age_to``, both included."""

    key: str
    age_from: int
    age_to: int

    def __post_init__(self) -> None:
        if self.age_from < 0 or self.age_to < self.age_from:
            raise ValueError(f"band {self.key}: age_to must be ≥ age_from ≥ 0")

    @property
    def years(self) -> range:
        return range(self.age_from, self.age_to + 1)


@dataclass(frozen=True)
class Supply:
    """An intervention as the map sees it.

    ``reach_by_band``: participants reported for a band (by band key); ``reach_unbanded``:
    participants reported without a band (or for a band not on the map), spread like capacity.
    ``evidence_rank``: 0 is the strongest level; None when not assessed."""

    key: str
    intensity: str
    bands: tuple[str, ...]
    capacity: int | None = None
    reach_by_band: Mapping[str, int] = field(default_factory=dict)
    reach_unbanded: int = 0
    budget: Decimal | None = None
    evidence_rank: int | None = None
    factors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.capacity is not None and self.capacity < 0:
            raise ValueError(f"supply {self.key}: capacity must not be negative")
        if self.reach_unbanded < 0 or any(v < 0 for v in self.reach_by_band.values()):
            raise ValueError(f"supply {self.key}: reach must not be negative")
        if self.budget is not None and self.budget < 0:
            raise ValueError(f"supply {self.key}: budget must not be negative")


@dataclass(frozen=True)
class Need:
    """A target group's need placed at an intensity: ``size`` children aged ``age_from``..``age_to``."""

    key: str
    intensity: str
    age_from: int
    age_to: int
    size: int

    def __post_init__(self) -> None:
        if self.age_from < 0 or self.age_to < self.age_from:
            raise ValueError(f"need {self.key}: age_to must be ≥ age_from ≥ 0")
        if self.size < 0:
            raise ValueError(f"need {self.key}: size must not be negative")


@dataclass(frozen=True)
class FactorNeed:
    """A factor named ``named_in`` times in cause analyses (0: known but not named)."""

    key: str
    bbic_side: str
    named_in: int = 1


@dataclass(frozen=True)
class SupplyShare:
    key: str
    capacity: int
    reach: int
    budget: Decimal | None


@dataclass(frozen=True)
class NeedShare:
    key: str
    amount: int


@dataclass(frozen=True)
class Cell:
    intensity: str
    band: str
    capacity: int
    reach: int
    need: int | None
    coverage: Decimal | None
    gap: int | None
    status: str
    supplies: tuple[SupplyShare, ...]
    needs: tuple[NeedShare, ...]
    unknown_capacity: tuple[str, ...]
    budget: Decimal | None
    cost_per_place: Decimal | None
    best_evidence: int | None


@dataclass(frozen=True)
class FactorCoverage:
    key: str
    bbic_side: str
    named_in: int
    addressed_by: tuple[str, ...]
    status: str


@dataclass(frozen=True)
class Coverage:
    cells: tuple[Cell, ...]
    factors: tuple[FactorCoverage, ...]
    need_outside: tuple[NeedShare, ...]  # per need: the part aged outside every band
    unplaced: tuple[str, ...]  # supplies in no band or intensity of the map
    capacity_total: int
    reach_total: int
    need_total: int
    gap_total: int

    def cell(self, intensity: str, band: str) -> Cell:
        for c in self.cells:
            if c.intensity == intensity and c.band == band:
                return c
        raise KeyError((intensity, band))


# --------------------------------------------------------------------------- arithmetic


def weights(years: Iterable[int], bands: Sequence[Band]) -> dict[str, Fraction]:
    """Each band's share (in years) of ``years``; a year in k of the bands gives 1/k to each, a year
    in none goes to :data:`OUTSIDE`. The weights sum to the number of distinct years."""
    out: dict[str, Fraction] = {}
    for y in sorted(set(years)):
        containing = [b.key for b in bands if b.age_from <= y <= b.age_to]
        if not containing:
            out[OUTSIDE] = out.get(OUTSIDE, Fraction(0)) + 1
            continue
        for key in containing:
            out[key] = out.get(key, Fraction(0)) + Fraction(1, len(containing))
    return out


def largest_remainder(amount: int, parts: Mapping[str, Fraction], order: Sequence[str]) -> dict[str, int]:
    """Split the whole ``amount`` in proportion to ``parts`` into whole numbers summing to ``amount``.

    Each part gets the floor of its exact share; the units left go to the largest remainders, ties
    to the part that comes first in ``order``."""
    if len(parts) == 1:  # one part takes it all (most interventions sit in one band)
        return dict.fromkeys(parts, amount)
    total = sum(parts.values(), Fraction(0))
    if total == 0 or amount == 0:
        return dict.fromkeys(parts, 0)
    exact = {k: amount * v / total for k, v in parts.items()}
    floors = {k: int(v) for k, v in exact.items()}  # amount ≥ 0, so int() is the floor
    left = amount - sum(floors.values())
    rank = {k: i for i, k in enumerate(order)}
    for k in sorted(parts, key=lambda k: (-(exact[k] - floors[k]), rank.get(k, len(rank))))[:left]:
        floors[k] += 1
    return floors


def spread(
    amount: int,
    years: Iterable[int],
    bands: Sequence[Band],
    cache: dict[tuple[tuple[int, ...], tuple[str, ...]], tuple[dict[str, Fraction], list[str]]] | None = None,
) -> dict[str, int]:
    """``amount`` spread evenly over ``years`` and from there onto ``bands`` (see the module's rules);
    the key :data:`OUTSIDE` holds the part for years in no band. Sums exactly to ``amount``.

    ``cache`` (a dict the caller owns for one computation) keeps the weights of a (years, bands)
    pair, which many interventions share."""
    year_key = tuple(sorted(set(years)))
    key = (year_key, tuple(b.key for b in bands))
    if cache is not None and key in cache:
        parts, order = cache[key]
    else:
        parts = weights(year_key, bands)
        order = [b.key for b in sorted(bands, key=_band_order)] + [OUTSIDE]
        if cache is not None:
            cache[key] = (parts, order)
    return largest_remainder(amount, parts, order)


def coverage_ratio(capacity: int, need: int | None) -> Decimal | None:
    if not need:
        return None
    return (Decimal(capacity) / Decimal(need)).quantize(COVERAGE_UNIT, rounding=ROUND_HALF_UP)


def gap_of(capacity: int, need: int | None) -> int | None:
    if not need:
        return None
    return max(need - capacity, 0)


def status_of(capacity: int, need: int | None) -> str:
    if not need:
        return NO_NEED
    if capacity <= 0:
        return NO_CAPACITY
    return COVERED if capacity >= need else PARTIAL


def level(value: Decimal | int | None, maximum: Decimal | int | None) -> int:
    """A colour level 0–3 for the map's toggles: 0 nothing, 1 up to a third of the largest cell,
    2 up to two thirds, 3 above. Exact (no floats)."""
    if value is None or value <= 0 or maximum is None or maximum <= 0:
        return 0
    ratio = Fraction(str(value)) / Fraction(str(maximum))
    if ratio <= Fraction(1, 3):
        return 1
    if ratio <= Fraction(2, 3):
        return 2
    return 3


def _band_order(b: Band) -> tuple[int, int, str]:
    return (b.age_from, b.age_to, b.key)


def _spread_money(
    amount: Decimal,
    years: Iterable[int],
    bands: Sequence[Band],
    cache: dict[tuple[tuple[int, ...], tuple[str, ...]], tuple[dict[str, Fraction], list[str]]],
) -> dict[str, Decimal]:
    ore = int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))
    return {k: Decimal(v) / 100 for k, v in spread(ore, years, bands, cache).items()}


# --------------------------------------------------------------------------- the map


def compute(
    intensities: Sequence[str],
    bands: Iterable[Band],
    supplies: Iterable[Supply],
    needs: Iterable[Need],
    factor_needs: Iterable[FactorNeed] = (),
) -> Coverage:
    """The map's cells with capacity, reach, need, coverage, gap and status, and the factors."""
    band_list = sorted(bands, key=_band_order)
    by_key = {b.key: b for b in band_list}
    if len(by_key) != len(band_list):
        raise ValueError("band keys must be unique")
    if len(set(intensities)) != len(intensities):
        raise ValueError("intensities must be unique")
    supply_list = sorted(supplies, key=lambda s: s.key)
    need_list = sorted(needs, key=lambda n: n.key)
    if len({s.key for s in supply_list}) != len(supply_list):
        raise ValueError("supply keys must be unique")
    if len({n.key for n in need_list}) != len(need_list):
        raise ValueError("need keys must be unique")

    cache: dict[tuple[tuple[int, ...], tuple[str, ...]], tuple[dict[str, Fraction], list[str]]] = {}
    cap: dict[tuple[str, str], list[SupplyShare]] = {}
    unknown: dict[tuple[str, str], list[str]] = {}
    unplaced: list[str] = []
    for s in supply_list:
        own = [by_key[k] for k in sorted(set(s.bands)) if k in by_key]
        if s.intensity not in intensities or not own:
            unplaced.append(s.key)
            continue
        years = sorted({y for b in own for y in b.years})
        capacity = spread(s.capacity or 0, years, own, cache)
        banded = {k: v for k, v in s.reach_by_band.items() if k in by_key}
        rest = s.reach_unbanded + sum(v for k, v in s.reach_by_band.items() if k not in by_key)
        reach_rest = spread(rest, years, own, cache)
        money = _spread_money(s.budget, years, own, cache) if s.budget is not None else None
        # Reach reported for a band of the map counts there even if the intervention does not list
        # that band (reach is what happened, capacity what was planned).
        for key in sorted({b.key for b in own} | set(banded)):
            share = SupplyShare(
                key=s.key,
                capacity=capacity.get(key, 0),
                reach=banded.get(key, 0) + reach_rest.get(key, 0),
                budget=money.get(key, Decimal(0)) if money is not None else None,
            )
            cap.setdefault((s.intensity, key), []).append(share)
            if s.capacity is None and key in capacity:
                unknown.setdefault((s.intensity, key), []).append(s.key)

    need_cells: dict[tuple[str, str], list[NeedShare]] = {}
    outside: list[NeedShare] = []
    for n in need_list:
        if n.intensity not in intensities:
            continue
        parts = spread(n.size, range(n.age_from, n.age_to + 1), band_list, cache)
        for key, amount in parts.items():
            if key == OUTSIDE:
                if amount:
                    outside.append(NeedShare(n.key, amount))
            elif amount:
                need_cells.setdefault((n.intensity, key), []).append(NeedShare(n.key, amount))

    rank = {s.key: s.evidence_rank for s in supply_list}
    cells = []
    for intensity in intensities:
        for b in band_list:
            shares = tuple(cap.get((intensity, b.key), []))
            needs_here = tuple(need_cells.get((intensity, b.key), []))
            capacity_sum = sum(x.capacity for x in shares)
            need_sum = sum(x.amount for x in needs_here) or None
            budgets = [x.budget for x in shares if x.budget is not None]
            budget = sum(budgets, Decimal(0)) if budgets else None
            places = sum(x.capacity for x in shares if x.budget is not None)
            ranks = [r for r in (rank[x.key] for x in shares) if r is not None]
            cells.append(
                Cell(
                    intensity=intensity,
                    band=b.key,
                    capacity=capacity_sum,
                    reach=sum(x.reach for x in shares),
                    need=need_sum,
                    coverage=coverage_ratio(capacity_sum, need_sum),
                    gap=gap_of(capacity_sum, need_sum),
                    status=status_of(capacity_sum, need_sum),
                    supplies=shares,
                    needs=needs_here,
                    unknown_capacity=tuple(unknown.get((intensity, b.key), [])),
                    budget=budget,
                    cost_per_place=(budget / places).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                    if budget is not None and places
                    else None,
                    best_evidence=min(ranks) if ranks else None,
                )
            )

    factors = _factors(supply_list, factor_needs)
    return Coverage(
        cells=tuple(cells),
        factors=factors,
        need_outside=tuple(outside),
        unplaced=tuple(unplaced),
        capacity_total=sum(c.capacity for c in cells),
        reach_total=sum(c.reach for c in cells),
        need_total=sum(c.need or 0 for c in cells),
        gap_total=sum(c.gap or 0 for c in cells),
    )


def _factors(supplies: Sequence[Supply], factor_needs: Iterable[FactorNeed]) -> tuple[FactorCoverage, ...]:
    named: dict[str, FactorNeed] = {}
    for f in factor_needs:
        if f.named_in < 0:
            raise ValueError(f"factor {f.key}: named_in must not be negative")
        if f.key in named:  # the same factor twice: add up how often it is named
            prev = named[f.key]
            named[f.key] = FactorNeed(f.key, prev.bbic_side, prev.named_in + f.named_in)
        else:
            named[f.key] = f
    addressing: dict[str, set[str]] = {}
    for s in supplies:
        for key in s.factors:
            addressing.setdefault(key, set()).add(s.key)
    out = []
    for key in sorted(set(named) | set(addressing)):
        need = named.get(key)
        by = tuple(sorted(addressing.get(key, set())))
        named_in = need.named_in if need else 0
        if named_in > 0:
            status = FACTOR_ADDRESSED if by else FACTOR_GAP
        elif by:
            status = FACTOR_NOT_NAMED
        else:
            continue
        out.append(FactorCoverage(key, need.bbic_side if need else "", named_in, by, status))
    return tuple(out)
