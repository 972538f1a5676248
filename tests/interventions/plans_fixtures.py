"""Test data for the social plan: a plan of the owner (Tomelilla) with an entity, a lägesbild result
whose indicator has a target, and two interventions in the owner's catalogue."""

from __future__ import annotations

from decimal import Decimal

from insats.accounts import services as account_services
from insats.accounts.access import Actor
from insats.accounts.models import BodyKind
from insats.interventions.catalogue.models import AgeBand, Intensity, Intervention
from insats.interventions.plans import services as svc
from insats.interventions.plans.models import EntityKind, PlanEntity
from insats.situation import services_import, services_plans
from insats.situation.models import Area, Observation
from insats.situation.models_plans import Result
from insats.situation.services import load_areas


def actor(w, org="owner", role="analyst") -> Actor:
    return Actor(user=w.user(org, role), membership=w.membership(org, role))


def build(w) -> dict:
    """Everything a plan test needs; one call per world."""
    cache = w.__dict__.setdefault("_plan_objects", {})
    if cache:
        return cache
    a = actor(w)
    org = w.orgs["owner"]
    if not Area.objects.filter(code="1270").exists():
        load_areas()
    area = Area.objects.get(code="1270")
    if not AgeBand.objects.filter(organisation__isnull=True).exists():
        for i, (label, lo, hi) in enumerate(
            [("0–2 år", 0, 2), ("3–6 år", 3, 6), ("7–13 år", 7, 13), ("14–18 år", 14, 18)]
        ):
            AgeBand.objects.create(label=label, age_from=lo, age_to=hi, position=i)
    ind = services_import.indicator_create(actor=a, organisation=org, code="PX1", title_sv="Skolnärvaro åk 5")
    for year, value in [(2022, "80"), (2023, "82"), (2024, "84")]:
        Observation.objects.create(indicator=ind, area=area, period=year, gender="T", value=Decimal(value))
    result = services_plans.save(actor=a, obj=Result(organisation=org), values={"title": "Ökad skolnärvaro"})
    ri = services_plans.result_indicator_add(actor=a, result=result, indicator=ind, area=area)
    target = services_plans.target_add(
        actor=a, ri=ri, baseline_year=2024, year=2027, kind="absolute", amount=Decimal("6"), note="Demomål"
    )
    bare = services_plans.save(actor=a, obj=Result(organisation=org), values={"title": "Starkare relationer"})
    band = AgeBand.objects.filter(organisation__isnull=True, label="7–13 år").first()
    fam = Intervention.objects.create(organisation=org, name="Familjen läser", intensity=Intensity.UNIVERSAL)
    fam.age_bands.add(band)
    komet = Intervention.objects.create(organisation=org, name="Komet", intensity=Intensity.TARGETED)
    komet.age_bands.add(band)
    other = Intervention.objects.create(
        organisation=w.orgs["unrelated"], name="Främmande insats", intensity=Intensity.EARLY
    )
    body = account_services.body_create(
        actor=None, organisation=org, kind=BodyKind.STYRELSE, name="Kommunstyrelsen"
    )
    foreign_body = account_services.body_create(
        actor=None, organisation=w.orgs["unrelated"], kind=BodyKind.STYRELSE, name="Annan styrelse"
    )
    plan = svc.plan_create(
        actor=a,
        organisation=org,
        values={
            "title": "Social plan för barn och unga 2026–2030",
            "period_start": 2026,
            "period_end": 2030,
            "vision": "Alla barn i Tomelilla växer upp tryggt.",
        },
    )
    entity = svc.row_save(
        actor=a,
        obj=PlanEntity(plan=plan),
        values={"kind": EntityKind.BOARD, "name": "Socialnämnden", "vision": "Tidigt stöd till familjer"},
    )
    cache.update(
        actor=a,
        org=org,
        area=area,
        indicator=ind,
        result=result,
        ri=ri,
        target=target,
        bare_result=bare,
        familjen=fam,
        komet=komet,
        other=other,
        body=body,
        foreign_body=foreign_body,
        plan=plan,
        entity=entity,
    )
    return cache
