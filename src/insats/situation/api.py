"""API operations for areas, area groups, indicators and observations (``/api/v1/situation/…``).

Public statistics: every role of every organisation may read them (``situation.view``), but an
organisation's own indicators and own comparison groups are visible only to that organisation
(:mod:`insats.situation.selectors`). Values resting on fewer than five people are withheld here as
on the lägesbild page (``suppressed: true``, value and count null).
"""

import datetime
from enum import Enum

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import model_validator

from insats.accounts import access
from insats.platform.api import ERRORS, Pagination, actor_of

from . import selectors
from .lagesbild import MIN_COUNT
from .models import (
    Area,
    AreaGroupKind,
    AreaKind,
    Gender,
    IndicatorSource,
    Observation,
    PeriodType,
)

router = Router(tags=["situation"])

AreaKindParam = Enum("AreaKindParam", {k: k for k in AreaKind.values}, type=str)
GenderParam = Enum("GenderParam", {k: k for k in Gender.values}, type=str)
SourceParam = Enum("SourceParam", {k: k for k in IndicatorSource.values}, type=str)


# --- schemas ---------------------------------------------------------------------------------------------


class AreaOut(Schema):
    code: str = Field(description="SCB code: kommun 4 digits (Tomelilla 1270), län 2 digits, Riket 0000.")
    kolada_id: str = Field(description="Kolada's id of the area (regions: 00 + länskod).")
    kind: str = Field(description="riket, region or kommun.")
    name: str
    county_code: str = Field(description="Länskod of a kommun; empty for Riket.")


class AreaFilters(Schema):
    kind: AreaKindParam | None = Field(None, description="Only areas of this kind.")
    county: str | None = Field(
        None, max_length=2, description="Only kommuner in this län (länskod, 2 digits)."
    )
    q: str | None = Field(None, max_length=100, description="Part of the name, case-insensitive.")


class AreaGroupOut(Schema):
    id: int
    name: str
    kind: str = Field(
        description="kolada (shared, e.g. 'Liknande kommuner …') or user (an organisation's own)."
    )
    kolada_id: str
    organisation_id: int | None = Field(description="Owner of a user group; null for Kolada groups.")
    members: list[str] = Field(description="Member area codes, sorted.")

    @staticmethod
    def resolve_members(obj) -> list[str]:
        return sorted(a.code for a in obj.members.all())


class AreaGroupFilters(Schema):
    area: str | None = Field(None, max_length=8, description="Only groups with this area (code) as a member.")
    kind: str | None = Field(None, pattern="^(kolada|user)$", description="kolada or user.")
    q: str | None = Field(None, max_length=100, description="Part of the name, case-insensitive.")


class IndicatorOut(Schema):
    code: str = Field(description="Indicator code (Kolada KPI id such as N15505, or DEMOnn for demo data).")
    title_sv: str
    title_en: str
    description: str
    unit: str
    polarity: str = Field(description="higher_better, lower_better or neutral.")
    source: str = Field(description="kolada, scb, own or demo (synthetic demo data, not real statistics).")
    kolada_kpi_id: str
    divided_by_gender: bool
    operating_area: str
    own: bool = Field(description="True for the organisation's own indicator.")

    @staticmethod
    def resolve_own(obj) -> bool:
        return obj.organisation_id is not None


class IndicatorFilters(Schema):
    source: SourceParam | None = Field(None, description="Only indicators from this source.")
    q: str | None = Field(None, max_length=100, description="Part of the code or title, case-insensitive.")


class ObservationOut(Schema):
    indicator: str = Field(description="Indicator code.")
    area: str = Field(description="Area code.")
    period: int = Field(description="Year.")
    period_type: str = Field(description="year, half, quarter or month.")
    period_part: int = Field(description="0 for a whole year, else the half-year, quarter or month.")
    gender: str = Field(description="T (total), K (women/girls), M (men/boys).")
    value: float | None = Field(
        description="Null when missing at the source, or suppressed (see `suppressed`)."
    )
    count: int | None = Field(description="Number of people behind the value, when the source gives it.")
    suppressed: bool = Field(
        description=f"True when the value rests on fewer than {MIN_COUNT} people (hidden)."
    )
    preliminary: bool
    status: str
    source: str = Field(description="kolada, scb, own or demo.")
    source_label: str = Field(description="How to cite the source, e.g. 'Källa: Kolada'.")
    fetched_at: datetime.datetime

    @staticmethod
    def resolve_indicator(obj) -> str:
        return obj.indicator.code

    @staticmethod
    def resolve_area(obj) -> str:
        return obj.area.code

    @staticmethod
    def _suppressed(obj) -> bool:
        return obj.count is not None and obj.count < MIN_COUNT

    @staticmethod
    def resolve_suppressed(obj) -> bool:
        return ObservationOut._suppressed(obj)

    @staticmethod
    def resolve_value(obj) -> float | None:
        if obj.value is None or ObservationOut._suppressed(obj):
            return None
        return float(obj.value)

    @staticmethod
    def resolve_count(obj) -> int | None:
        return None if ObservationOut._suppressed(obj) else obj.count


class ObservationFilters(Schema):
    indicator: list[str] = Field(default_factory=list, description="Indicator code(s); repeat for several.")
    area: list[str] = Field(default_factory=list, description="Area code(s); repeat for several.")
    period_from: int | None = Field(None, ge=1900, le=2200, description="First year (inclusive).")
    period_to: int | None = Field(None, ge=1900, le=2200, description="Last year (inclusive).")
    gender: GenderParam | None = Field(None, description="T, K or M (default: all).")
    period_type: str = Field("year", pattern="^(year|half|quarter|month)$", description="Period type.")

    @model_validator(mode="after")
    def _range(self):
        if self.period_from is not None and self.period_to is not None and self.period_from > self.period_to:
            raise ValueError("period_from must not be after period_to")
        return self


# --- operations --------------------------------------------------------------------------------------------


def _actor(request):
    actor = actor_of(request)
    access.check(actor, "situation.view")
    return actor


@router.get(
    "/areas",
    response={200: list[AreaOut], **ERRORS},
    operation_id="situation_areas_list",
    summary="List areas",
)
@paginate(Pagination)
def areas_list(request, filters: Query[AreaFilters]):
    """Riket, the 21 regioner and the 290 kommuner, by code."""
    actor = _actor(request)
    qs = access.scope(actor, Area.objects.all(), "situation.view")
    if filters.kind is not None:
        qs = qs.filter(kind=filters.kind.value)
    if filters.county:
        qs = qs.filter(county_code=filters.county)
    if filters.q:
        qs = qs.filter(name__icontains=filters.q.strip())
    return qs.order_by("code")


@router.get(
    "/areas/{code}",
    response={200: AreaOut, **ERRORS},
    operation_id="situation_areas_detail",
    summary="One area",
)
def areas_detail(request, code: str):
    """An area by SCB code or Kolada id."""
    _actor(request)
    area = selectors.area_by_code(code)
    if area is None:
        raise Http404
    return area


def _groups(actor):
    qs = selectors.area_groups_for(actor.organisation).prefetch_related("members")
    return access.scope(actor, qs, "situation.view")


@router.get(
    "/area-groups",
    response={200: list[AreaGroupOut], **ERRORS},
    operation_id="situation_area_groups_list",
    summary="List comparison groups",
)
@paginate(Pagination)
def area_groups_list(request, filters: Query[AreaGroupFilters]):
    """Kolada's groups (e.g. "Liknande kommuner …") and the organisation's own groups."""
    actor = _actor(request)
    qs = _groups(actor)
    if filters.area:
        qs = qs.filter(members__in=Area.objects.filter(Q(code=filters.area) | Q(kolada_id=filters.area)))
    if filters.kind:
        qs = qs.filter(kind=AreaGroupKind(filters.kind))
    if filters.q:
        qs = qs.filter(name__icontains=filters.q.strip())
    return qs.distinct().order_by("name", "pk")


@router.get(
    "/area-groups/{group_id}",
    response={200: AreaGroupOut, **ERRORS},
    operation_id="situation_area_groups_detail",
    summary="One comparison group",
)
def area_groups_detail(request, group_id: int):
    """A group visible to the organisation (404 for another organisation's own group)."""
    actor = _actor(request)
    return get_object_or_404(_groups(actor), pk=group_id)


def _indicators(actor):
    return access.scope(actor, selectors.indicators_for(actor.organisation), "situation.view")


@router.get(
    "/indicators",
    response={200: list[IndicatorOut], **ERRORS},
    operation_id="situation_indicators_list",
    summary="List indicators",
)
@paginate(Pagination)
def indicators_list(request, filters: Query[IndicatorFilters]):
    """The shared catalogue (Kolada, SCB, demo) and the organisation's own indicators."""
    actor = _actor(request)
    qs = _indicators(actor)
    if filters.source is not None:
        qs = qs.filter(source=filters.source.value)
    if filters.q:
        term = filters.q.strip()
        qs = qs.filter(Q(code__icontains=term) | Q(title_sv__icontains=term) | Q(title_en__icontains=term))
    return qs.order_by("code", "pk")


@router.get(
    "/indicators/{code}",
    response={200: IndicatorOut, **ERRORS},
    operation_id="situation_indicators_detail",
    summary="One indicator",
)
def indicators_detail(request, code: str):
    """By code; the organisation's own indicator wins over a shared one with the same code."""
    actor = _actor(request)
    found = list(_indicators(actor).filter(code=code).order_by("organisation_id"))
    if not found:
        raise Http404
    own = [i for i in found if i.organisation_id is not None]
    return (own or found)[0]


@router.get(
    "/observations",
    response={200: list[ObservationOut], **ERRORS},
    operation_id="situation_observations_list",
    summary="List observations",
)
@paginate(Pagination)
def observations_list(request, filters: Query[ObservationFilters]):
    """Values by indicator, area, period range and gender; ordered by indicator, area, period, gender."""
    actor = _actor(request)
    qs = Observation.objects.filter(
        indicator__in=_indicators(actor), period_type=PeriodType(filters.period_type)
    )
    if filters.indicator:
        qs = qs.filter(indicator__code__in=filters.indicator)
    if filters.area:
        qs = qs.filter(Q(area__code__in=filters.area) | Q(area__kolada_id__in=filters.area))
    if filters.period_from is not None:
        qs = qs.filter(period__gte=filters.period_from)
    if filters.period_to is not None:
        qs = qs.filter(period__lte=filters.period_to)
    if filters.gender is not None:
        qs = qs.filter(gender=filters.gender.value)
    return qs.select_related("indicator", "area").order_by(
        "indicator__code", "area__code", "period", "period_part", "gender", "pk"
    )
