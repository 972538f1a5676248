"""The map (seed 003's matrix of intensity × age band) with gaps against the lägesbild's needs.

Everything is read in a fixed number of queries whatever the number of interventions (the
interventions with their bands, factors, providers, funding and reach prefetched; target groups,
placements and cause-analysis factors in one query each), filtered in Python, and handed to
``insats.core.coverage`` for every figure. Reasons in words are composed here from the core's numbers.

Rules the domain adds to the core's (docs/insatser.md, "Kartan"):

* **Reach** is the latest year an intervention has reported; if that year has rows for the total
  (gender T) only those count, else the rows for girls and boys are added.
* **Needs** are the organisation's own target groups with an estimated size, placed at an intensity
  (``NeedAssignment``); groups without a placement or a size are listed, not counted.
* **Factors needed** are those named (``CauseNode.factor``) in the cause analyses the organisation
  owns or works in, counting nodes that are not deleted (nor under a deleted cause).
* **Area filter**: interventions delivered in the area, and those with no area stated; target
  groups of the area and those with no area.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from insats.accounts import access
from insats.accounts.access import Actor
from insats.accounts.models import Organisation
from insats.core import coverage as core
from insats.interventions.catalogue.models import (
    INTENSITY_HELP,
    AgeBand,
    EvidenceLevel,
    Intensity,
    Intervention,
    InterventionFunding,
    InterventionReach,
)
from insats.interventions.catalogue.selectors import age_bands_for, visible_interventions
from insats.platform.formatting import format_number
from insats.situation.models import Area
from insats.situation.models_plans import BbicSide, CauseAnalysis, CauseNode, Factor, TargetGroup

from .models import NeedAssignment

COLOUR_MODES = ("capacity", "reach", "cost", "evidence")
# 0 is the strongest evidence; "ej bedömd" has no rank.
EVIDENCE_RANK = {
    EvidenceLevel.SWEDISH.value: 0,
    EvidenceLevel.INTERNATIONAL.value: 1,
    EvidenceLevel.PROMISING.value: 2,
    EvidenceLevel.INSUFFICIENT.value: 3,
}
RANK_EVIDENCE = {v: k for k, v in EVIDENCE_RANK.items()}


@dataclass
class Inputs:
    """What the map is built from, before filtering (one fetch, the same for page, exports, API)."""

    actor: Actor
    bands: list[AgeBand]
    interventions: list[Intervention]
    target_groups: list[TargetGroup]
    assignments: dict[int, str]  # target group pk -> intensity
    factor_counts: dict[int, int]  # factor pk -> times named in cause analyses
    factors: dict[int, Factor]
    organisations: dict[int, str]  # providers and funders: pk -> name
    areas: dict[int, str]  # where interventions are delivered: pk -> name


@dataclass
class Filters:
    owner: int | None = None
    area: int | None = None
    domain: str = ""
    factor: int | None = None
    provider: int | None = None
    funder: int | None = None
    evidence: str = ""
    colour: str = "capacity"


@dataclass
class SupplyLine:
    intervention: Intervention
    share: core.SupplyShare
    reach_year: int | None
    url: str = ""


@dataclass
class NeedLine:
    group: TargetGroup
    amount: int


@dataclass
class MapCell:
    band: AgeBand
    cell: core.Cell
    supplies: list[SupplyLine]
    needs: list[NeedLine]
    reason: str
    level: int
    level_text: str

    @property
    def is_gap(self) -> bool:
        return self.cell.status in (core.NO_CAPACITY, core.PARTIAL)


@dataclass
class MapRow:
    intensity: str
    label: str
    help: str
    cells: list[MapCell]


@dataclass
class FactorLine:
    factor: Factor
    result: core.FactorCoverage
    interventions: list[Intervention]
    reason: str


@dataclass
class MapData:
    bands: list[AgeBand]
    rows: list[MapRow]
    factors: list[FactorLine]
    coverage: core.Coverage
    interventions: list[Intervention]
    unplaced_interventions: list[Intervention]
    groups: list[tuple[TargetGroup, str]]  # every own target group with its placement ("" if none)
    unplaced_groups: list[TargetGroup]
    unsized_groups: list[TargetGroup]
    outside: list[NeedLine]
    colour: str
    filters: Filters
    gaps: list[MapCell] = field(default_factory=list)

    @property
    def factor_gaps(self) -> list[FactorLine]:
        return [f for f in self.factors if f.result.status == core.FACTOR_GAP]


# --------------------------------------------------------------------------- reading


def inputs(actor: Actor) -> Inputs:
    """Fetch everything the map needs for the actor's organisation in a constant number of queries.

    The interventions' relations are read as plain id pairs (one query per relation, the visible
    interventions as a subquery) and set on each intervention as ``map_bands``, ``map_factor_ids``,
    ``map_provider_ids``, ``map_funder_ids``, ``map_area_ids`` and ``map_reach`` (year, gender, band
    id, participants) — far cheaper than prefetching model instances for 300 interventions."""
    bands = age_bands_for(actor.organisation_id)
    visible = visible_interventions(actor)
    interventions = list(visible)
    ids = visible.values("pk")

    def pairs(model, *fields):
        rows: dict[int, list] = defaultdict(list)
        for intervention_id, *rest in model.objects.filter(intervention_id__in=ids).values_list(
            "intervention_id", *fields
        ):
            rows[intervention_id].append(rest[0] if len(rest) == 1 else tuple(rest))
        return rows

    band_ids = pairs(Intervention.age_bands.through, "ageband_id")
    factor_ids = pairs(Intervention.factors.through, "factor_id")
    provider_ids = pairs(Intervention.providers.through, "organisation_id")
    area_ids = pairs(Intervention.areas.through, "area_id")
    funder_ids = pairs(InterventionFunding, "funder_id")
    reach = pairs(InterventionReach, "year", "gender", "age_band_id", "participants")

    band_by_id = {b.pk: b for b in bands}
    other_bands = {x for v in band_ids.values() for x in v} - set(band_by_id)
    if other_bands:  # a förbund's own bands: named in the inputs, not columns of this map
        band_by_id.update({b.pk: b for b in AgeBand.objects.filter(pk__in=other_bands)})
    org_ids = {x for v in provider_ids.values() for x in v} | {
        x for v in funder_ids.values() for x in v if x is not None
    }
    organisations = dict(Organisation.objects.filter(pk__in=org_ids).values_list("pk", "name"))
    areas = dict(
        Area.objects.filter(pk__in={x for v in area_ids.values() for x in v}).values_list("pk", "name")
    )
    for i in interventions:
        i.map_bands = sorted(
            (band_by_id[b] for b in band_ids.get(i.pk, [])), key=lambda b: (b.position, b.age_from)
        )
        i.map_factor_ids = set(factor_ids.get(i.pk, []))
        i.map_provider_ids = set(provider_ids.get(i.pk, []))
        i.map_funder_ids = {x for x in funder_ids.get(i.pk, []) if x is not None}
        i.map_area_ids = set(area_ids.get(i.pk, []))
        i.map_reach = reach.get(i.pk, [])

    groups = list(access.scope(actor, TargetGroup.objects.select_related("area"), "plan.view"))
    assignments = dict(
        NeedAssignment.objects.filter(target_group__in=[g.pk for g in groups]).values_list(
            "target_group_id", "intensity"
        )
    )
    analyses = access.scope(actor, CauseAnalysis.objects.all(), "cause.view")
    nodes = list(
        CauseNode.objects.filter(analysis__in=analyses).values_list(
            "pk", "parent_id", "deleted_at", "factor_id"
        )
    )
    parent = {pk: p for pk, p, _d, _f in nodes}
    deleted = {pk for pk, _p, d, _f in nodes if d is not None}

    def alive(pk: int | None) -> bool:
        seen = set()
        while pk is not None and pk not in seen:
            if pk in deleted:
                return False
            seen.add(pk)
            pk = parent.get(pk)
        return True

    counts: dict[int, int] = defaultdict(int)
    for pk, _p, _d, factor_id in nodes:
        if factor_id is not None and alive(pk):
            counts[factor_id] += 1
    wanted = set(counts) | {x for v in factor_ids.values() for x in v}
    factors = {f.pk: f for f in Factor.objects.filter(pk__in=wanted)}
    return Inputs(
        actor, bands, interventions, groups, assignments, dict(counts), factors, organisations, areas
    )


def _matches(i: Intervention, f: Filters) -> bool:
    if f.owner and i.organisation_id != f.owner:
        return False
    if f.area and i.map_area_ids and f.area not in i.map_area_ids:
        return False
    if f.domain and f.domain not in (i.domains or []):
        return False
    if f.factor and f.factor not in i.map_factor_ids:
        return False
    if f.provider and f.provider not in i.map_provider_ids:
        return False
    if f.funder and f.funder not in i.map_funder_ids:
        return False
    return not (f.evidence and i.evidence_level != f.evidence)


def reach_of(i: Intervention) -> tuple[int | None, dict[int | None, int]]:
    """The latest reported year and its participants by age band pk (None: no band)."""
    rows = i.map_reach  # (year, gender, age band pk, participants)
    if not rows:
        return None, {}
    year = max(r[0] for r in rows)
    rows = [r for r in rows if r[0] == year]
    totals = [r for r in rows if r[1] == "T"]
    by_band: dict[int | None, int] = defaultdict(int)
    for _y, _g, band, participants in totals or rows:
        by_band[band] += participants
    return year, dict(by_band)


def _supply(i: Intervention, band_keys: set[str]) -> tuple[core.Supply, int | None]:
    year, by_band = reach_of(i)
    banded = {str(k): v for k, v in by_band.items() if k is not None and str(k) in band_keys}
    rest = sum(v for k, v in by_band.items() if k is None or str(k) not in band_keys)
    supply = core.Supply(
        key=str(i.pk),
        intensity=i.intensity,
        bands=tuple(str(b.pk) for b in i.map_bands),
        capacity=i.capacity_per_year,
        reach_by_band=banded,
        reach_unbanded=rest,
        budget=i.annual_budget,
        evidence_rank=EVIDENCE_RANK.get(i.evidence_level),
        factors=tuple(str(pk) for pk in sorted(i.map_factor_ids)),
    )
    return supply, year


def build(data: Inputs, filters: Filters | None = None) -> MapData:
    """The map for the filtered interventions, with coverage and gaps from ``insats.core.coverage``."""
    f = filters or Filters()
    shown = [i for i in data.interventions if _matches(i, f)]
    band_keys = {str(b.pk) for b in data.bands}
    supplies, years = [], {}
    for i in shown:
        supply, year = _supply(i, band_keys)
        supplies.append(supply)
        years[supply.key] = year

    groups = [g for g in data.target_groups if not f.area or g.area_id in (None, f.area)]
    needs = [
        core.Need(str(g.pk), data.assignments[g.pk], g.age_from, g.age_to, g.estimated_size)
        for g in groups
        if g.pk in data.assignments and g.estimated_size is not None
    ]
    factor_needs = [
        core.FactorNeed(str(pk), data.factors[pk].bbic_side, n)
        for pk, n in data.factor_counts.items()
        if pk in data.factors
    ]
    result = core.compute(
        Intensity.values,
        [core.Band(str(b.pk), b.age_from, b.age_to) for b in data.bands],
        supplies,
        needs,
        factor_needs,
    )

    by_id = {str(i.pk): i for i in shown}
    urls = detail_urls(shown)
    group_by_id = {str(g.pk): g for g in groups}
    band_by_id = {str(b.pk): b for b in data.bands}
    maxima = {
        "capacity": max((c.capacity for c in result.cells), default=0),
        "reach": max((c.reach for c in result.cells), default=0),
        "cost": max((c.cost_per_place for c in result.cells if c.cost_per_place is not None), default=None),
    }
    rows = []
    gaps = []
    for intensity, label in Intensity.choices:
        cells = []
        for c in (c for c in result.cells if c.intensity == intensity):
            band = band_by_id[c.band]
            lvl, text = _level(c, f.colour, maxima)
            mc = MapCell(
                band=band,
                cell=c,
                supplies=[
                    SupplyLine(by_id[s.key], s, years.get(s.key), urls.get(s.key, "")) for s in c.supplies
                ],
                needs=[NeedLine(group_by_id[n.key], n.amount) for n in c.needs],
                reason=cell_reason(c, str(label), band.label),
                level=lvl,
                level_text=text,
            )
            cells.append(mc)
            if mc.is_gap:
                gaps.append(mc)
        rows.append(MapRow(intensity, str(label), str(INTENSITY_HELP[intensity]), cells))

    factor_lines = [
        FactorLine(
            factor=data.factors[int(fc.key)],
            result=fc,
            interventions=[by_id[k] for k in fc.addressed_by],
            reason=factor_reason(fc, data.factors[int(fc.key)]),
        )
        for fc in result.factors
        if int(fc.key) in data.factors
    ]
    factor_lines.sort(
        key=lambda x: (x.result.status != core.FACTOR_GAP, -x.result.named_in, x.factor.name_sv)
    )
    unplaced = set(result.unplaced)
    return MapData(
        bands=data.bands,
        rows=rows,
        factors=factor_lines,
        coverage=result,
        interventions=shown,
        unplaced_interventions=[i for i in shown if str(i.pk) in unplaced],
        groups=[(g, data.assignments.get(g.pk, "")) for g in groups],
        unplaced_groups=[g for g in groups if g.pk not in data.assignments],
        unsized_groups=[g for g in groups if g.estimated_size is None],
        outside=[NeedLine(group_by_id[n.key], n.amount) for n in result.need_outside],
        colour=f.colour,
        filters=f,
        gaps=gaps,
    )


def detail_urls(interventions: list[Intervention]) -> dict[str, str]:
    """Links to the catalogue's detail pages, if the catalogue has them (``interventions:detail``)."""
    try:
        reverse("interventions:detail", args=[0])
    except NoReverseMatch:
        return {}
    return {str(i.pk): reverse("interventions:detail", args=[i.pk]) for i in interventions}


# --------------------------------------------------------------------------- words


def level_names() -> dict[int, str]:
    return {0: _("Inget"), 1: _("Lågt"), 2: _("Medel"), 3: _("Högt")}


def evidence_level_names() -> dict[int, str]:
    return {
        0: _("Inga insatser"),
        1: _("Svagt eller ej bedömt underlag"),
        2: _("Lovande"),
        3: _("Effekt visad"),
    }


def _level(c: core.Cell, colour: str, maxima: dict) -> tuple[int, str]:
    if colour == "evidence":
        if not c.supplies:
            lvl = 0
        elif c.best_evidence is None or c.best_evidence >= 3:
            lvl = 1
        elif c.best_evidence == 2:
            lvl = 2
        else:
            lvl = 3
        return lvl, evidence_level_names()[lvl]
    value = {"capacity": c.capacity, "reach": c.reach, "cost": c.cost_per_place}.get(colour, c.capacity)
    lvl = core.level(value, maxima.get(colour, maxima["capacity"]))
    return lvl, level_names()[lvl]


def cell_reason(c: core.Cell, intensity_label: str, band_label: str) -> str:
    """The gap in words, from the core's numbers ("" when there is no gap)."""
    if c.status == core.NO_CAPACITY:
        text = _("%(intensity)s %(band)s: 0 platser mot målgrupp %(need)s barn") % {
            "intensity": intensity_label,
            "band": band_label,
            "need": format_number(c.need),
        }
    elif c.status == core.PARTIAL:
        text = _(
            "%(intensity)s %(band)s: %(capacity)s platser mot målgrupp %(need)s barn, %(gap)s saknas"
        ) % {
            "intensity": intensity_label,
            "band": band_label,
            "capacity": format_number(c.capacity),
            "need": format_number(c.need),
            "gap": format_number(c.gap),
        }
    else:
        return ""
    if c.unknown_capacity:
        text += " " + _("(%(count)s insatser saknar uppgift om platser)") % {
            "count": format_number(len(c.unknown_capacity))
        }
    return text


def factor_reason(fc: core.FactorCoverage, factor: Factor) -> str:
    if fc.status != core.FACTOR_GAP:
        return ""
    return _(
        "%(factor)s: nämns %(count)s gånger i orsaksanalyserna men ingen insats på kartan arbetar med faktorn"
    ) % {"factor": factor.name_sv, "count": format_number(fc.named_in)}


def bbic_label(value: str) -> str:
    return str(dict(BbicSide.choices).get(value, value))
