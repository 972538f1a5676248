"""A Helsingborg-like world for the map's tests: a preventive catalogue with no targeted place for
7–13-year-olds, and the lägesbild's target group 7–13 of 140 children placed at "riktad tidig insats"."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from insats.accounts.access import Actor
from insats.interventions.catalogue.models import (
    AgeBand,
    EvidenceLevel,
    Intensity,
    Intervention,
    InterventionFunding,
    InterventionReach,
)
from insats.interventions.map import services
from insats.situation.models_plans import BbicSide, CauseAnalysis, CauseNode, Factor, Level, TargetGroup

DEFAULT_BANDS = [
    ("0–2 år", 0, 2),
    ("3–6 år", 3, 6),
    ("7–13 år", 7, 13),
    ("14–18 år", 14, 18),
    ("18–29 år", 18, 29),
]


@dataclass
class MapWorld:
    familjen_laser: Intervention
    foraldrastod: Intervention
    group: TargetGroup
    unplaced: TargetGroup
    factor_gap: Factor
    factor_ok: Factor


def build(world) -> MapWorld:
    org = world.orgs["owner"]
    if not AgeBand.objects.filter(organisation__isnull=True).exists():
        # A transactional test's flush (browser tests) empties what migration 0002 filled.
        for position, (label, lo, hi) in enumerate(DEFAULT_BANDS):
            AgeBand.objects.create(label=label, age_from=lo, age_to=hi, position=position)
    # The default set (an organisation that defined its own bands sees its own columns instead).
    bands = {b.label: b for b in AgeBand.objects.filter(organisation__isnull=True)}
    fl = Intervention.objects.create(
        organisation=org,
        name="Familjen läser",
        intensity=Intensity.UNIVERSAL,
        capacity_per_year=70,
        annual_budget=Decimal("350000"),
        evidence_level=EvidenceLevel.PROMISING,
        domains=[BbicSide.PARENTAL_CAPACITY.value],
    )
    fl.age_bands.set([bands["0–2 år"], bands["3–6 år"]])
    fs = Intervention.objects.create(
        organisation=org,
        name="Föräldraskapsstöd ABC",
        intensity=Intensity.EARLY,
        capacity_per_year=40,
        annual_budget=Decimal("200000"),
        evidence_level=EvidenceLevel.SWEDISH,
        domains=[BbicSide.PARENTAL_CAPACITY.value],
    )
    fs.age_bands.set([bands["7–13 år"]])
    fs.providers.set([world.orgs["partner"]])
    InterventionFunding.objects.create(
        intervention=fs, funder=world.orgs["federation"], year=2025, amount=100000
    )
    InterventionReach.objects.create(intervention=fs, year=2024, participants=10, age_band=bands["7–13 år"])
    InterventionReach.objects.create(intervention=fs, year=2025, participants=31, age_band=bands["7–13 år"])
    factor_ok = Factor.objects.create(
        name_sv="Bristande föräldraförmåga (test)",
        kind="risk",
        level=Level.FAMILY,
        bbic_side=BbicSide.PARENTAL_CAPACITY,
    )
    factor_gap = Factor.objects.create(
        name_sv="Låg skolnärvaro (test)", kind="risk", level=Level.SCHOOL, bbic_side=BbicSide.CHILD_NEEDS
    )
    fs.factors.set([factor_ok])
    group = TargetGroup.objects.create(
        organisation=org,
        name="Barn 7–13 år med riskbeteende",
        age_from=7,
        age_to=13,
        criteria="Orosanmälningar",
        estimated_size=140,
        size_source="Socialtjänsten",
    )
    unplaced = TargetGroup.objects.create(
        organisation=org, name="Unga 16–18 år", age_from=16, age_to=18, criteria="Skolfrånvaro"
    )
    analysis = CauseAnalysis.objects.create(organisation=org, title="Varför ökar frånvaron?")
    CauseNode.objects.create(
        analysis=analysis,
        text="Frånvaro",
        level=Level.SCHOOL,
        bbic_side=BbicSide.CHILD_NEEDS,
        factor=factor_gap,
    )
    CauseNode.objects.create(
        analysis=analysis,
        text="Föräldrastöd",
        level=Level.FAMILY,
        bbic_side=BbicSide.PARENTAL_CAPACITY,
        factor=factor_ok,
    )
    admin = world.user("owner", "admin")
    actor = Actor(user=admin, membership=world.membership("owner", "admin"))
    services.assign_need(actor=actor, target_group=group, intensity=Intensity.TARGETED)
    return MapWorld(fl, fs, group, unplaced, factor_gap, factor_ok)
