"""API operations for areas, area groups, indicators and observations (``/api/v1/situation/…``).

Public statistics: every role of every organisation may read them (``situation.view``), but an
organisation's own indicators and own comparison groups are visible only to that organisation
(:mod:`insats.situation.selectors`). Values resting on fewer than five people are withheld here as
on the lägesbild page (``suppressed: true``, value and count null).
"""

import base64
import binascii
import datetime
import itertools
import json
from enum import Enum, StrEnum

from django.db.models import Q
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from pydantic import model_validator

from insats.accounts import access
from insats.platform.api import DEFAULT_PAGE_SIZE, ERRORS, MAX_PAGE_SIZE, Pagination, actor_of
from insats.platform.spreadsheets import csv_lines

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


class ObservationPage(Schema):
    items: list[ObservationOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
    count: int | None = Field(
        description="Rows on all pages together: given on the first page when the request names both "
        "indicator(s) and area(s); null otherwise (no exact count over millions of rows)."
    )
    page_size: int


class ObservationPageQuery(Schema):
    cursor: str | None = Field(
        None, max_length=200, description="The `next_cursor` of the previous page; empty for the first page."
    )
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")


# The observation table's unique index: a stable order that a keyset (cursor) walks without OFFSET.
_KEY = ("indicator_id", "area_id", "period_type", "period", "period_part", "gender")


def _cursor_out(obj) -> str:
    key = [getattr(obj, f) for f in _KEY]
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def _cursor_in(text: str) -> list:
    try:
        key = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        types = (int, int, str, int, int, str)
        if len(key) != len(_KEY) or not all(isinstance(v, t) for v, t in zip(key, types, strict=True)):
            raise ValueError
        return key
    except (ValueError, TypeError, binascii.Error):
        raise NinjaValidationError(
            [{"loc": ("query", "cursor"), "msg": _("Ogiltig markör (cursor)."), "type": "value_error"}]
        ) from None


def _observations(actor, filters: ObservationFilters):
    """The filtered observations, with the visible indicators and the areas resolved to ids first
    (so the plan filters and orders on the observation table's own indexes)."""
    indicators = _indicators(actor)
    if filters.indicator:
        indicators = indicators.filter(code__in=filters.indicator)
    qs = Observation.objects.filter(
        indicator_id__in=list(indicators.values_list("pk", flat=True)),
        period_type=PeriodType(filters.period_type),
    )
    if filters.area:
        areas = Area.objects.filter(Q(code__in=filters.area) | Q(kolada_id__in=filters.area))
        qs = qs.filter(area_id__in=list(areas.values_list("pk", flat=True)))
    if filters.period_from is not None:
        qs = qs.filter(period__gte=filters.period_from)
    if filters.period_to is not None:
        qs = qs.filter(period__lte=filters.period_to)
    if filters.gender is not None:
        qs = qs.filter(gender=filters.gender.value)
    return qs


@router.get(
    "/observations",
    response={200: ObservationPage, **ERRORS},
    operation_id="situation_observations_list",
    summary="List observations",
)
def observations_list(request, filters: Query[ObservationFilters], page: Query[ObservationPageQuery]):
    """Values by indicator, area, period range and gender, in the order of the observation table's
    unique index (indicator, area, period type, period, part, gender — internal ids; stable).

    Keyset pagination: follow `next_cursor` until it is null. Any page is as fast as the first."""
    actor = _actor(request)
    qs = _observations(actor, filters)
    count = None
    if page.cursor:
        key = _cursor_in(page.cursor)
        cols = ", ".join(f'"{Observation._meta.db_table}"."{c}"' for c in _KEY)
        qs = qs.extra(where=[f"({cols}) > (%s, %s, %s, %s, %s, %s)"], params=key)  # noqa: S610
    elif filters.indicator and filters.area:
        count = qs.count()
    rows = list(qs.select_related("indicator", "area").order_by(*_KEY)[: page.page_size + 1])
    more = len(rows) > page.page_size
    rows = rows[: page.page_size]
    return {
        "items": rows,
        "next_cursor": _cursor_out(rows[-1]) if more else None,
        "count": count,
        "page_size": page.page_size,
    }


class ExportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


EXPORT_COLUMNS = [
    "indicator",
    "area",
    "period",
    "period_type",
    "period_part",
    "gender",
    "value",
    "count",
    "suppressed",
    "preliminary",
    "status",
    "source",
    "source_label",
    "fetched_at",
]


def _export_rows(qs):
    fields = (
        "indicator__code",
        "area__code",
        "period",
        "period_type",
        "period_part",
        "gender",
        "value",
        "count",
        "preliminary",
        "status",
        "source",
        "source_label",
        "fetched_at",
    )
    for ind, area, period, ptype, part, g, value, count, prel, status, source, label, fetched in (
        qs.order_by(*_KEY).values_list(*fields).iterator(chunk_size=5000)
    ):
        hidden = count is not None and count < MIN_COUNT
        yield {
            "indicator": ind,
            "area": area,
            "period": period,
            "period_type": ptype,
            "period_part": part,
            "gender": g,
            "value": None if value is None or hidden else float(value),
            "count": None if hidden else count,
            "suppressed": hidden,
            "preliminary": prel,
            "status": status,
            "source": source,
            "source_label": label,
            "fetched_at": fetched.isoformat(),
        }


def _csv_lines(rows):
    """The project's one CSV convention (``insats.platform.spreadsheets``: delimiter, formula guard)."""
    table = ([None if row[c] is None else row[c] for c in EXPORT_COLUMNS] for row in rows)
    return csv_lines(itertools.chain([EXPORT_COLUMNS], table))


def _jsonl_lines(rows):
    chunk = []
    for row in rows:
        chunk.append(json.dumps(row, ensure_ascii=False))
        if len(chunk) == 1000:
            yield "\n".join(chunk) + "\n"
            chunk = []
    if chunk:
        yield "\n".join(chunk) + "\n"


@router.get(
    "/observations/export",
    response={200: None, **ERRORS},
    operation_id="situation_observations_export",
    summary="Download observations (streamed CSV or JSON lines)",
    openapi_extra={
        "responses": {
            200: {
                "description": "One row per observation, streamed: CSV with a header row, or one JSON "
                "object per line. Values resting on fewer than five people are withheld.",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/x-ndjson": {"schema": {"type": "string"}},
                },
            }
        }
    },
)
def observations_export(request, filters: Query[ObservationFilters], format: ExportFormat = ExportFormat.csv):
    """A whole indicator nationally (every area, year and gender) or any filtered extract, streamed
    in the list's order without loading it into memory. Name at least one indicator."""
    actor = _actor(request)
    if not filters.indicator:
        raise NinjaValidationError(
            [{"loc": ("query", "indicator"), "msg": _("Ange minst en indikator."), "type": "missing"}]
        )
    rows = _export_rows(_observations(actor, filters))
    if format == ExportFormat.jsonl:
        response = StreamingHttpResponse(
            _jsonl_lines(rows), content_type="application/x-ndjson; charset=utf-8"
        )
        ext = "jsonl"
    else:
        response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
        ext = "csv"
    name = slugify("-".join(filters.indicator))[:80] or "urval"
    response["Content-Disposition"] = f'attachment; filename="observationer-{name}.{ext}"'
    return response
