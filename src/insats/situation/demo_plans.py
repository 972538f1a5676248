"""Demo planning data from the seeds: Tomelilla's target group, three results and a cause tree
(seed 000); Helsingborg's absence result with its −20 % target and an action plan (seed 002).

:func:`build_demo_plans` is idempotent: objects are found by organisation and name, and made (through
the audited services) only when missing, so a second run changes nothing and writes no audit entry.
It needs the demo organisations (``manage.py demo``) and uses the demo indicators
(``manage.py demo_indicators``) when they exist. Helsingborg's indicator "elever som tar del av
sociala tjänster med mer än 15 % frånvaro" is an own indicator with **invented** values, labelled as
demodata like everything else here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from insats.accounts.models import Organisation

from . import services_plans as sp
from .models import (
    DEMO_SOURCE_LABEL,
    Area,
    Indicator,
    IndicatorSource,
    Observation,
    Polarity,
)
from .models_plans import (
    ActionItem,
    ActionStatus,
    BbicSide,
    CauseAnalysis,
    Factor,
    Level,
    Result,
    ResultIndicator,
    Target,
    TargetGroup,
    TargetKind,
)

TOMELILLA_ORG = "212000-0886"
HELSINGBORG_ORG = "212000-1157"
HBG_INDICATOR = "HBG-FRV15-SOC"
# Invented: share (%) of pupils receiving social services with more than 15 % absence, Helsingborg.
HBG_SERIES = [(2019, "24.0"), (2020, "27.5"), (2021, "29.0"), (2022, "31.2"), (2023, "30.4"), (2024, "27.9")]


@dataclass
class PlansReport:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _group(report, org, name, **values) -> TargetGroup:
    obj = TargetGroup.objects.filter(organisation=org, name=name).first()
    if obj is None:
        obj = sp.save(actor=None, obj=TargetGroup(organisation=org), values={"name": name, **values})
        report.created.append(f"målgrupp: {name}")
    return obj


def _result(report, org, title, **values) -> Result:
    obj = Result.objects.filter(organisation=org, title=title).first()
    if obj is None:
        obj = sp.save(actor=None, obj=Result(organisation=org), values={"title": title, **values})
        report.created.append(f"resultat: {title}")
    return obj


def _indicator(report, result, code, area_code, *, org=None, ttc=None, targets=()):
    ind = Indicator.objects.filter(code=code, organisation=org).first()
    if ind is None:
        report.skipped.append(f"{code} saknas (kör manage.py demo_indicators)")
        return None
    area = Area.objects.get(code=area_code)
    ri = ResultIndicator.objects.filter(result=result, indicator=ind, area=area, gender="T").first()
    if ri is None:
        ri = sp.result_indicator_add(actor=None, result=result, indicator=ind, area=area)
        if ttc:
            sp.turn_the_curve_save(actor=None, ri=ri, **ttc)
        report.created.append(f"indikator: {code} {area_code}")
    for baseline_year, year, kind, amount, note in targets:
        if not Target.objects.filter(result_indicator=ri, year=year).exists():
            sp.target_add(
                actor=None,
                ri=ri,
                baseline_year=baseline_year,
                year=year,
                kind=kind,
                amount=Decimal(amount),
                note=note,
            )
            report.created.append(f"mål: {code} {year}")
    return ri


def _factor(name: str) -> Factor | None:
    return Factor.objects.filter(organisation__isnull=True, name_sv=name).first()


def _tomelilla(report: PlansReport, org: Organisation) -> None:
    group = _group(
        report,
        org,
        "Barn 6–10 år i riskzonen",
        age_from=6,
        age_to=10,
        area=Area.objects.filter(code="1270").first(),
        criteria="Barn 6–10 år boende i Tomelilla kommun som skola, socialtjänst eller annan "
        "aktör i kommunen "
        "identifierat har en risk för en ohälsosam utveckling (RFI 2022).",
        estimated_size=120,
        size_source="Demouppskattning (påhittat tal): omkring en tiondel av kommunens barn 6–10 år.",
        description="Målgruppen i Tomelillas innovationsprojekt med RISE, KI Innovations och "
        "Leksell Social Ventures.",
    )
    relations = _result(
        report,
        org,
        "Stärkta relationer mellan barnen och vuxna förebilder",
        goal_area="Familj eller andra nära vuxenrelationer",
        target_group=group,
    )
    _indicator(
        report,
        relations,
        "DEMO23",
        "1270",
        targets=[(2024, 2027, TargetKind.RELATIVE, "-10", "Färre orosanmälningar (demomål)")],
    )
    self_belief = _result(
        report,
        org,
        "Starkare tilltro till sig själva och sina möjligheter i livet",
        goal_area="Individ",
        target_group=group,
    )
    _indicator(
        report,
        self_belief,
        "DEMO14",
        "1270",
        targets=[(2024, 2027, TargetKind.ABSOLUTE, "5", "Fler trygga elever i åk 5 (demomål)")],
    )
    school = _result(
        report, org, "Ökad skolnärvaro och förbättrade skolresultat", goal_area="Skola", target_group=group
    )
    _indicator(
        report,
        school,
        "DEMO10",
        "1270",
        ttc={
            "story": "Resultaten i åk 6 och 9 ligger i lägsta fjärdedelen även med hänsyn till socioekonomi; "
            "barnen upplever svagare familjestöd än i andra skånska kommuner (RFI 2022).",
            "partners": "Skola, socialtjänst, polis, föreningar, lokalt näringsliv, sociala entreprenörer; "
            "RISE, KI Innovations, Leksell Social Ventures.",
            "what_works": "Tidiga stödjande insatser, stöd till föräldrar, vuxna förebilder, "
            "barnens egna röster.",
        },
        targets=[
            (
                2024,
                2027,
                TargetKind.ABSOLUTE,
                "6",
                "Sex procentenheter fler med godkänt i alla ämnen (demomål)",
            )
        ],
    )
    _indicator(report, school, "DEMO13", "1270")

    title = "Varför når barnen i Tomelilla inte målen i skolan?"
    if CauseAnalysis.objects.filter(organisation=org, title=title).exists():
        return
    analysis = sp.save(
        actor=None,
        obj=CauseAnalysis(organisation=org),
        values={
            "title": title,
            "result": school,
            "target_group": group,
            "description": (
                "Från workshopen våren 2022 och Tomelilla kommuns inbjudan till dialog (RFI) om "
                "träffsäkrare insatser för barn och unga."
            ),
        },
    )
    report.created.append(f"orsaksanalys: {title}")

    def add(text, level, side, factor=None, parent=None, evidence=""):
        return sp.node_add(
            actor=None,
            analysis=analysis,
            parent=parent,
            text=text,
            level=level,
            bbic_side=side,
            factor=_factor(factor) if factor else None,
            evidence=evidence,
        )

    family = add(
        "Svagare familjestöd än i andra kommuner i Skåne",
        Level.FAMILY,
        BbicSide.FAMILY_ENVIRONMENT,
        "Relationsproblem och konflikter i familjen",
        evidence="Barn och unga i Tomelilla upplever ett "
        "svagare familjestöd i jämförelse med andra kommuner i Skåne (RFI 2022).",
    )
    add(
        "Relationsproblem, missbruk eller bristande omsorg bakom de flesta orosanmälningarna 2021",
        Level.FAMILY,
        BbicSide.PARENTAL_CAPACITY,
        "Missbruk hos förälder",
        parent=family,
    )
    add(
        "Föräldrar behöver stöd i att sätta gränser och i relationen till barnet",
        Level.FAMILY,
        BbicSide.PARENTAL_CAPACITY,
        "Bristande tillsyn och gränssättning",
        parent=family,
    )
    school_node = add(
        "Låga skolresultat i åk 6 och 9, även med hänsyn till socioekonomi",
        Level.SCHOOL,
        BbicSide.CHILD_NEEDS,
        "Låga skolresultat",
    )
    add("Hög frånvaro", Level.SCHOOL, BbicSide.CHILD_NEEDS, "Hög skolfrånvaro", parent=school_node)
    add(
        "Svag tilltro till den egna förmågan",
        Level.INDIVIDUAL,
        BbicSide.CHILD_NEEDS,
        "Låg tilltro till den egna förmågan",
        parent=school_node,
    )
    add(
        "Få vuxna förebilder utanför familjen",
        Level.COMMUNITY,
        BbicSide.FAMILY_ENVIRONMENT,
        "Vuxna förebilder utanför familjen",
    )
    add(
        "Samverkan mellan skola, socialtjänst, polis och föreningar räcker inte till",
        Level.COMMUNITY,
        BbicSide.FAMILY_ENVIRONMENT,
        "Samverkan mellan skola, socialtjänst och polis",
    )
    rise = Organisation.objects.filter(name="RISE Research Institutes of Sweden").first()
    if rise is not None:
        sp.cause_share(actor=None, analysis=analysis, organisation=rise)


def _helsingborg(report: PlansReport, org: Organisation) -> None:
    group = _group(
        report,
        org,
        "Elever i grundskolan som tar del av sociala tjänster",
        age_from=6,
        age_to=16,
        area=Area.objects.filter(code="1283").first(),
        criteria="Grundskoleelever i familjer som tar del av socialnämndens sociala tjänster.",
        estimated_size=420,
        size_source="Uppskattning för demonstrationen (påhittad).",
        description=(
            "Målgruppen för socialnämndens närvaromål 2024 (Helsingborgs stad, Föreningssamverkan och IOP)."
        ),
    )
    ind = Indicator.objects.filter(organisation=org, code=HBG_INDICATOR).first()
    if ind is None:
        ind = Indicator.objects.create(
            code=HBG_INDICATOR,
            organisation=org,
            source=IndicatorSource.OWN,
            polarity=Polarity.LOWER_BETTER,
            unit="procent",
            title_sv="Elever som tar del av sociala tjänster med mer än 15 % frånvaro, andel (%) – demodata",
            title_en="Pupils receiving social services absent more than 15 % of the time, "
            "share (%) – demo data",
            description="Påhittade värden för demonstrationen. I skarp drift läses de in med importen.",
        )
        report.created.append(f"indikator: {HBG_INDICATOR}")
    area = Area.objects.get(code="1283")
    have = set(Observation.objects.filter(indicator=ind, area=area).values_list("period", flat=True))
    Observation.objects.bulk_create(
        Observation(
            indicator=ind,
            area=area,
            period=y,
            value=Decimal(v),
            source=IndicatorSource.DEMO,
            source_label=DEMO_SOURCE_LABEL,
        )
        for y, v in HBG_SERIES
        if y not in have
    )
    result = _result(
        report,
        org,
        "Elevens närvaro i skolan ska öka",
        goal_area="Ett Helsingborg med god välfärd i livets alla stadier",
        target_group=group,
        description="Socialnämndens mål 2024: andelen med mer än 15 procent frånvaro ska "
        "minska med 20 procent hos "
        "dem som tar del av sociala tjänster. Målet är gemensamt med barn- och utbildningsnämnden.",
    )
    _indicator(
        report,
        result,
        HBG_INDICATOR,
        "1283",
        org=org,
        ttc={
            "story": "Andelen med hög frånvaro steg 2019–2022. Närvaro är avgörande för "
            "kunskapsresultat och en "
            "skyddsfaktor mot utanförskap och arbetslöshet.",
            "partners": "Barn- och utbildningsnämnden, förskolor, familjecentraler, "
            "arbetsmarknadsförvaltningens "
            "Föräldrasvenska, föreningar i civilsamhället.",
            "what_works": "Stärkt föräldraskapsstöd, Familjen läser (förberedande "
            "läsinlärning), nära samverkan "
            "mellan förskola, skola och socialtjänst.",
        },
        targets=[(2023, 2024, TargetKind.RELATIVE, "-20", "Socialnämndens mål 2024")],
    )
    _indicator(report, result, "DEMO13", "1283")
    partner = Organisation.objects.filter(name="Läsfrämjarna Nordvästra Skåne").first() or org
    plan = [
        (
            "Se över och stärka föräldraskapsstödet och knyta det till befintliga insatser",
            org,
            "Barn- och utbildningsförvaltningen med socialförvaltningen",
            (2024, 1, 1),
            (2024, 12, 31),
            ActionStatus.ONGOING,
        ),
        (
            "Familjen läser: förberedande läsinlärning i fler förskolor",
            partner,
            "Projektledare Familjen läser",
            (2024, 1, 15),
            (2025, 6, 30),
            ActionStatus.ONGOING,
        ),
        (
            "Utreda nära samverkan mellan socialtjänst och förskolor i socioekonomiskt utsatta områden",
            org,
            "Socialförvaltningen",
            (2024, 2, 1),
            (2024, 12, 31),
            ActionStatus.DONE,
        ),
        (
            "Gemensam modell för tidig samverkan kring elever med hög frånvaro",
            org,
            "Elevhälsan och socialtjänstens mottagning",
            (2024, 8, 15),
            (2025, 6, 15),
            ActionStatus.PLANNED,
        ),
    ]
    for i, (action, owner, responsible, start, end, status) in enumerate(plan):
        if ActionItem.objects.filter(result=result, action=action).exists():
            continue
        sp.save(
            actor=None,
            obj=ActionItem(result=result, position=i),
            values={
                "action": action,
                "owner_organisation": owner,
                "responsible": responsible,
                "start": datetime.date(*start),
                "end": datetime.date(*end),
                "status": status,
            },
        )
        report.created.append(f"aktivitet: {action}")


@transaction.atomic
def build_demo_plans() -> PlansReport:
    report = PlansReport()
    for org_number, build in [(TOMELILLA_ORG, _tomelilla), (HELSINGBORG_ORG, _helsingborg)]:
        org = Organisation.objects.filter(org_number=org_number).first()
        if org is None:
            report.skipped.append(f"organisation {org_number} saknas (kör manage.py demo)")
            continue
        build(report, org)
    return report
