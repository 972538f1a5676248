"""The portfolio's and the review's figures: the domain gathers the inputs from the catalogue and the
federation, :mod:`insats.core.portfolio` computes every number.

Inputs, as documented in docs/insatser.md ("Portföljen och genomlysningen"):

* **amount per intervention** in the year: what the owner (the förbund) funds — the sum of its
  ``InterventionFunding`` rows for the year — or, without such rows, the intervention's annual budget
  when its budget year is the year (or unset);
* **total budget**: the owner's :class:`PortfolioBudget` for the year (entered);
* **financing share per member municipality**: ``FederationMember.financing_share`` of the förbund's
  members that are municipalities with an area code (the region and the state agencies finance the
  whole area and are left out; the municipalities' shares are renormalised to 100 %);
* **participants per member**: ``InterventionReach`` rows of the year whose area is the member's
  municipality; per intervention, area and age band the "T" (total) row counts, or K + M when there
  is no total row; rows without an area are shown as not attributed;
* **FTE per member**: staffing rows whose employer is the member; other staffing counts in the total;
* **inhabitants of the target age**: :class:`ReviewPopulation`, entered on the review.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from insats.accounts.models import FederationMember, Organisation, OrganisationKind
from insats.core import portfolio as core
from insats.interventions.catalogue.models import Intervention, InterventionReach
from insats.situation.models import Area

from .models import PortfolioBudget, Review


@dataclass
class InterventionRow:
    intervention: Intervention
    amount: Decimal
    share: Decimal | None  # of the total budget; None without a total budget
    participants: int
    fte: Decimal
    per_participant: Decimal | None
    by_member: dict[int, int] = field(default_factory=dict)  # member org pk → participants
    reach_by_member: list[tuple[str, int]] = field(default_factory=list)  # (member name, n), all members


@dataclass
class MemberRow:
    member: Organisation
    area: Area | None
    financing_percent: Decimal  # of the förbund, as entered
    financing_share: Decimal  # renormalised among the compared municipalities
    participants: int
    reach_share: Decimal
    gap_points: Decimal
    implied_amount: Decimal
    fte: Decimal = Decimal(0)
    population: int | None = None
    per_thousand: Decimal | None = None

    @property
    def pays_for_others(self) -> bool:
        return self.gap_points < 0


@dataclass
class PortfolioFigures:
    owner: Organisation
    year: int
    total_budget: Decimal | None
    budget_note: str
    rows: list[InterventionRow]
    portfolio_amount: Decimal
    portfolio_share: Decimal | None
    other_share: Decimal | None
    members: list[MemberRow]
    other_members: list[FederationMember]  # region, state agencies: finance the whole area
    participants_total: int
    participants_unattributed: int
    staffing: core.Staffing | None = None
    total_fte: Decimal = Decimal(0)


def portfolio_interventions(owner: Organisation, year: int):
    """The förbund's (or any organisation's) portfolio: interventions it owns or funds in the year."""
    return (
        Intervention.objects.filter(Q(organisation=owner) | Q(funding__funder=owner, funding__year=year))
        .distinct()
        .select_related("organisation")
        .prefetch_related("funding", "staffing", "staffing__employer")
        .order_by("name")
    )


def amount_for(intervention: Intervention, owner_id: int, year: int) -> Decimal:
    rows = [f for f in intervention.funding.all() if f.year == year and f.funder_id == owner_id]
    if rows:
        return sum((f.amount for f in rows), Decimal(0))
    if intervention.annual_budget is not None and intervention.budget_year in (None, year):
        return intervention.annual_budget
    return Decimal(0)


def _participants(interventions: list[Intervention], year: int) -> dict[tuple[int, int | None], int]:
    """(intervention pk, area pk or None) → participants in the year (T rows, else K + M)."""
    totals: dict[tuple, int] = defaultdict(int)
    split: dict[tuple, int] = defaultdict(int)
    for r in InterventionReach.objects.filter(intervention__in=interventions, year=year):
        key = (r.intervention_id, r.area_id, r.age_band_id)
        if r.gender == "T":
            totals[key] += r.participants
        else:
            split[key] += r.participants
    out: dict[tuple[int, int | None], int] = defaultdict(int)
    for key in set(totals) | set(split):
        out[(key[0], key[1])] += totals[key] if key in totals else split[key]
    return out


def municipal_members(
    owner: Organisation,
) -> tuple[list[tuple[FederationMember, Area]], list[FederationMember]]:
    """(member municipalities with their areas, other members) of a förbund."""
    compared, others = [], []
    rows = FederationMember.objects.filter(federation=owner).select_related("member")
    areas = {
        a.code: a
        for a in Area.objects.filter(code__in=[r.member.area_code for r in rows if r.member.area_code])
    }
    for row in rows:
        area = areas.get(row.member.area_code)
        if row.member.kind == OrganisationKind.KOMMUN and area is not None:
            compared.append((row, area))
        else:
            others.append(row)
    compared.sort(key=lambda p: (-p[0].financing_share, p[0].member.name))
    return compared, others


def compute(
    owner: Organisation, year: int, interventions=None, review: Review | None = None
) -> PortfolioFigures:
    if interventions is None:
        interventions = portfolio_interventions(owner, year)
    elif hasattr(interventions, "prefetch_related"):
        interventions = interventions.prefetch_related("funding", "staffing", "staffing__employer")
    interventions = list(interventions)
    budget = PortfolioBudget.objects.filter(organisation=owner, year=year).first()
    amounts = {i.pk: amount_for(i, owner.pk, year) for i in interventions}
    reach = _participants(interventions, year)
    compared, others = municipal_members(owner)
    area_to_member = {area.pk: fm.member_id for fm, area in compared}

    total_budget = budget.total_budget if budget else None
    shares: core.BudgetShares | None = None
    if total_budget is not None and sum(amounts.values(), Decimal(0)) <= total_budget:
        shares = core.budget_shares(amounts, total_budget)

    fte_by_member: dict = defaultdict(Decimal)
    rows = []
    for i in interventions:
        by_member: dict[int, int] = defaultdict(int)
        for (ipk, area_pk), n in reach.items():
            if ipk == i.pk and area_pk in area_to_member:
                by_member[area_to_member[area_pk]] += n
        participants = sum(n for (ipk, _a), n in reach.items() if ipk == i.pk)
        fte = sum((s.fte for s in i.staffing.all()), Decimal(0))
        for s in i.staffing.all():
            fte_by_member[s.employer_id if s.employer_id in area_to_member.values() else core.OTHER] += s.fte
        rows.append(
            InterventionRow(
                intervention=i,
                amount=amounts[i.pk],
                share=shares.shares[i.pk] if shares else None,
                participants=participants,
                fte=fte,
                per_participant=core.per_participant(amounts[i.pk], participants),
                by_member=dict(by_member),
            )
        )

    participants_by_member: dict[int, int] = defaultdict(int)
    unattributed = 0
    for (_ipk, area_pk), n in reach.items():
        if area_pk in area_to_member:
            participants_by_member[area_to_member[area_pk]] += n
        else:
            unattributed += n
    portfolio_amount = sum(amounts.values(), Decimal(0))
    comparison = (
        core.reach_against_financing(
            {fm.member_id: fm.financing_share for fm, _a in compared},
            dict(participants_by_member),
            portfolio_amount,
        )
        if compared
        else {}
    )
    populations = {p.area_id: p.population for p in review.populations.all()} if review else {}
    staffing = None
    if review is not None and populations:
        member_pops = {fm.member_id: populations[a.pk] for fm, a in compared if a.pk in populations}
        fte_in = {k: v for k, v in fte_by_member.items() if k in member_pops}
        fte_in[core.OTHER] = sum((v for k, v in fte_by_member.items() if k not in member_pops), Decimal(0))
        staffing = core.staffing_per_thousand(fte_in, member_pops)
    members = []
    for fm, area in compared:
        c = comparison[fm.member_id]
        members.append(
            MemberRow(
                member=fm.member,
                area=area,
                financing_percent=fm.financing_share,
                financing_share=c.financing_share,
                participants=c.participants,
                reach_share=c.reach_share,
                gap_points=c.gap_points,
                implied_amount=c.implied_amount,
                fte=fte_by_member.get(fm.member_id, Decimal(0)),
                population=populations.get(area.pk),
                per_thousand=staffing.per_member.get(fm.member_id) if staffing else None,
            )
        )
    for r in rows:
        r.reach_by_member = [(fm.member.name, r.by_member.get(fm.member_id, 0)) for fm, _a in compared]
    return PortfolioFigures(
        owner=owner,
        year=year,
        total_budget=total_budget,
        budget_note=budget.note if budget else "",
        rows=rows,
        portfolio_amount=portfolio_amount,
        portfolio_share=shares.portfolio if shares else None,
        other_share=shares.other if shares else None,
        members=members,
        other_members=others,
        participants_total=sum(reach.values()),
        participants_unattributed=unattributed,
        staffing=staffing,
        total_fte=sum((r.fte for r in rows), Decimal(0)),
    )


def review_figures(review: Review) -> PortfolioFigures:
    interventions = [
        item.intervention
        for item in review.items.select_related(
            "intervention", "intervention__organisation"
        ).prefetch_related(
            "intervention__funding", "intervention__staffing", "intervention__staffing__employer"
        )
    ]
    return compute(review.organisation, review.year, interventions, review=review)
