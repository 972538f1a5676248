"""Idéburet offentligt partnerskap (IOP): the checklist before an agreement, its term and its budget.

Pure rules from the guidelines (seed 002, "När är ett IOP lämpligt?" and the summary of points to
think of before an IOP is written). Six questions, each with the answer an IOP needs:

``ideburet_initiative``       the partnership builds on an idéburen initiative (yes)
``need_identified_together``  the need was identified together by the parties (yes)
``every_party_contributes``   every party contributes resources: money, staff, volunteers, premises,
                              administration (yes)
``long_term_budget_plan``     there is a long-term budget plan for the joint effort (yes)
``self_running``              the idéburen activity is self-running and needs no regular joint work
                              with the public body (no: then a föreningsbidrag fits better)
``service_for_sale``          it is a service that can be bought: there is a market, or the public
                              body would "order" it (no: then it must be procured, LOU)

:func:`checklist` answers whether an agreement may be created and why, one reason per question
(a code the caller turns into text). :func:`term_check` validates the term (3–5 years typical).
:func:`budget_plan` sums the parties' valued contributions per year and per party (Decimal, öre).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from insats.core.money import round_ore

__all__ = [
    "QUESTIONS",
    "BudgetPlan",
    "ChecklistResult",
    "Contribution",
    "Reason",
    "budget_plan",
    "checklist",
    "term_check",
    "term_years",
]

# (question, the answer an IOP needs, what failing it points to instead)
QUESTIONS: tuple[tuple[str, bool, str], ...] = (
    ("ideburet_initiative", True, "not_iop"),
    ("need_identified_together", True, "not_iop"),
    ("every_party_contributes", True, "not_iop"),
    ("long_term_budget_plan", True, "wait_or_grant"),
    ("self_running", False, "grant"),
    ("service_for_sale", False, "procurement"),
)
QUESTION_KEYS = tuple(q for q, _need, _instead in QUESTIONS)

MIN_TYPICAL_YEARS = 3
MAX_TYPICAL_YEARS = 5
MAX_YEARS = 10


@dataclass(frozen=True)
class Reason:
    question: str
    # "ok" (answered as an IOP needs), "fails" (answered the other way) or "unanswered"
    outcome: str
    # For a failed question: what fits instead ("grant", "procurement", "wait_or_grant", "not_iop").
    instead: str = ""


@dataclass(frozen=True)
class ChecklistResult:
    passed: bool
    reasons: tuple[Reason, ...]

    @property
    def failed(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.outcome != "ok")


def checklist(answers: Mapping[str, bool | None]) -> ChecklistResult:
    """Every question answered as an IOP needs → passed. Unknown keys are ignored; a missing or
    ``None`` answer is "unanswered" and fails (the checklist must be walked, not skipped)."""
    reasons = []
    for key, needed, instead in QUESTIONS:
        value = answers.get(key)
        if value is None:
            reasons.append(Reason(key, "unanswered"))
        elif bool(value) == needed:
            reasons.append(Reason(key, "ok"))
        else:
            reasons.append(Reason(key, "fails", instead))
    return ChecklistResult(all(r.outcome == "ok" for r in reasons), tuple(reasons))


def term_years(start: datetime.date, end: datetime.date) -> Decimal:
    """The term in years (to one decimal): whole months / 12, the end day included."""
    end_next = end + datetime.timedelta(days=1)
    months = (end_next.year - start.year) * 12 + (end_next.month - start.month)
    if end_next.day < start.day:
        months -= 1
    return (Decimal(months) / Decimal(12)).quantize(Decimal("0.1"))


def term_check(start: datetime.date, end: datetime.date) -> tuple[str | None, str | None]:
    """``(error, note)``: error ``"order"`` (end not after start) or ``"too_long"`` (over 10 years);
    note ``"atypical"`` when the term is outside the typical 3–5 years (allowed, but said)."""
    if end <= start:
        return "order", None
    years = term_years(start, end)
    if years > MAX_YEARS:
        return "too_long", None
    if years < MIN_TYPICAL_YEARS or years > MAX_TYPICAL_YEARS:
        return None, "atypical"
    return None, None


@dataclass(frozen=True)
class Contribution:
    party: str
    kind: str
    year: int
    value: Decimal | None  # valued in SEK where possible; None = not valued (e.g. some volunteer hours)


@dataclass(frozen=True)
class BudgetPlan:
    years: tuple[int, ...]
    parties: tuple[str, ...]
    # (party, year) -> valued total; year -> total; party -> total
    by_party_year: dict[tuple[str, int], Decimal] = field(default_factory=dict)
    by_year: dict[int, Decimal] = field(default_factory=dict)
    by_party: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal = Decimal(0)
    unvalued: int = 0  # contributions without a value (counted, not summed)
    missing: tuple[str, ...] = ()  # parties without any contribution

    def share(self, party: str) -> Decimal | None:
        """The party's share of the valued total, per cent to one decimal (None if nothing valued)."""
        if not self.total:
            return None
        return (self.by_party.get(party, Decimal(0)) * 100 / self.total).quantize(Decimal("0.1"))


def budget_plan(
    contributions: Iterable[Contribution], years: Iterable[int], parties: Iterable[str]
) -> BudgetPlan:
    """Sums per party and year over the term's ``years`` (contributions outside the term are still
    counted in the party's and the grand total, and their year is added)."""
    rows = list(contributions)
    party_list = list(dict.fromkeys(parties))
    year_set = set(years) | {c.year for c in rows}
    by_party_year: dict[tuple[str, int], Decimal] = {}
    by_year: dict[int, Decimal] = {y: Decimal(0) for y in year_set}
    by_party: dict[str, Decimal] = {p: Decimal(0) for p in party_list}
    unvalued = 0
    for c in rows:
        if c.party not in by_party:
            party_list.append(c.party)
            by_party[c.party] = Decimal(0)
        if c.value is None:
            unvalued += 1
            continue
        key = (c.party, c.year)
        by_party_year[key] = by_party_year.get(key, Decimal(0)) + c.value
        by_year[c.year] += c.value
        by_party[c.party] += c.value
    contributing = {c.party for c in rows}
    return BudgetPlan(
        years=tuple(sorted(year_set)),
        parties=tuple(party_list),
        by_party_year={k: round_ore(v) for k, v in by_party_year.items()},
        by_year={k: round_ore(v) for k, v in by_year.items()},
        by_party={k: round_ore(v) for k, v in by_party.items()},
        total=round_ore(sum(by_year.values(), Decimal(0))),
        unvalued=unvalued,
        missing=tuple(p for p in party_list if p not in contributing),
    )
