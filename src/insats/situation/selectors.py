"""Reads for the lägesbild: areas, groups, indicators and observation slices. No writes here."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Area, AreaGroup, AreaGroupKind, AreaKind, Gender, Indicator, Observation, PeriodType


def kommuner(county_code: str | None = None) -> QuerySet[Area]:
    qs = Area.objects.filter(kind=AreaKind.KOMMUN)
    return qs.filter(county_code=county_code) if county_code else qs


def area_by_code(code: str) -> Area | None:
    """An area by official code (1270, 12, 0000) or Kolada id (0012)."""
    return Area.objects.filter(Q(code=code) | Q(kolada_id=code)).first()


def area_groups_for(organisation) -> QuerySet[AreaGroup]:
    """Kolada's groups (shared) and the organisation's own groups."""
    cond = Q(kind=AreaGroupKind.KOLADA)
    if organisation is not None:
        cond |= Q(kind=AreaGroupKind.USER, organisation=organisation)
    return AreaGroup.objects.filter(cond)


def indicators_for(organisation) -> QuerySet[Indicator]:
    """The shared catalogue and the organisation's own indicators."""
    cond = Q(organisation__isnull=True)
    if organisation is not None:
        cond |= Q(organisation=organisation)
    return Indicator.objects.filter(cond)


def cross_section(
    indicator: Indicator, period: int, *, gender: str = Gender.TOTAL, areas=None
) -> QuerySet[Observation]:
    """All areas' values of one indicator in one year (uses the obs_indicator_period index)."""
    qs = Observation.objects.filter(
        indicator=indicator, period=period, gender=gender, period_type=PeriodType.YEAR, period_part=0
    ).select_related("area")
    return qs.filter(area__in=areas) if areas is not None else qs


def series(indicator: Indicator, area: Area, *, gender: str = Gender.TOTAL) -> QuerySet[Observation]:
    """One area's values of one indicator over the years (uses the unique index)."""
    return Observation.objects.filter(
        indicator=indicator, area=area, gender=gender, period_type=PeriodType.YEAR, period_part=0
    ).order_by("period")


def cause_links(actor, analyses) -> None:
    """Set ``visible_result``, ``visible_target_group`` and ``visible_indicator`` on each cause analysis:
    what it links to, or None where the actor may not see that object itself (a partner invited to
    the analysis does not see the owner's result, target group or own indicator)."""
    from insats.accounts import access

    from .models_plans import Result, TargetGroup

    analyses = list(analyses)
    results = set(
        access.scope(
            actor, Result.objects.filter(pk__in={a.result_id for a in analyses}), "plan.view"
        ).values_list("pk", flat=True)
    )
    groups = set(
        access.scope(
            actor, TargetGroup.objects.filter(pk__in={a.target_group_id for a in analyses}), "plan.view"
        ).values_list("pk", flat=True)
    )
    indicators = set(
        indicators_for(actor.organisation)
        .filter(pk__in={a.indicator_id for a in analyses})
        .values_list("pk", flat=True)
    )
    for a in analyses:
        a.visible_result = a.result if a.result_id in results else None
        a.visible_target_group = a.target_group if a.target_group_id in groups else None
        a.visible_indicator = a.indicator if a.indicator_id in indicators else None
