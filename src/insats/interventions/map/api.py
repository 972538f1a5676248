"""API: the map (mounted under /api/v1/interventions/map by insats.api).

The map's cells (intensity × age band) with capacity, reach, need, coverage, gap, status and the
reason in words, and the risk and protective factors with the interventions addressing them; the
same filters as the page. Every figure comes from ``insats.core.coverage`` (docs/core/coverage.md).
"""

from __future__ import annotations

from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

from insats.accounts import access
from insats.platform.api import WRITE_ERRORS, actor_of

from . import selectors
from .forms import MapFilterForm

router = Router(tags=["Insatser"])


class MapFilterIn(Schema):
    owner: int | None = Field(None, description="Only interventions owned by this organisation (id).")
    area: int | None = Field(
        None, description="Only interventions delivered in this area (id), and needs of it."
    )
    domain: str | None = Field(
        None, description="BBIC side: barnets_behov, foraldrarnas_formaga, familj_och_miljo."
    )
    factor: int | None = Field(None, description="Only interventions addressing this factor (id).")
    provider: int | None = Field(None, description="Only interventions with this provider (organisation id).")
    funder: int | None = Field(None, description="Only interventions with this funder (organisation id).")
    evidence: str | None = Field(None, description="Evidence level, e.g. svenska_studier, lovande.")


class CellInterventionOut(Schema):
    id: int
    name: str
    capacity: int = Field(
        description="The intervention's places counted in this cell (split by year of age)."
    )
    reach: int = Field(description="Participants counted in this cell (latest reported year).")
    reach_year: int | None


class CellNeedOut(Schema):
    target_group_id: int
    name: str
    need: int = Field(description="The target group's children counted in this cell (split by year of age).")


class CellOut(Schema):
    intensity: str
    intensity_label: str
    band_id: int
    band_label: str
    capacity: int
    reach: int
    need: int | None = Field(description="null: no target group's need is placed in the cell.")
    coverage: Decimal | None = Field(description="capacity / need, four decimals; null without need.")
    gap: int | None = Field(description="need − capacity, at least 0; null without need.")
    status: str = Field(description="covered, partial, no_capacity or no_need.")
    reason: str = Field(description="The gap in words; empty when there is none.")
    cost_per_place: Decimal | None
    interventions: list[CellInterventionOut]
    target_groups: list[CellNeedOut]
    unknown_capacity: list[int] = Field(
        description="Interventions here without a stated capacity (counted as 0)."
    )


class FactorOut(Schema):
    id: int
    name: str
    bbic_side: str
    named_in: int = Field(description="Causes naming the factor in the cause analyses.")
    status: str = Field(description="gap, addressed or not_named.")
    reason: str
    interventions: list[int]


class MapOut(Schema):
    cells: list[CellOut]
    factors: list[FactorOut]
    capacity_total: int
    reach_total: int
    need_total: int
    gap_total: int
    unplaced_target_groups: list[int] = Field(
        description="Own target groups whose need has no intensity yet."
    )


@router.get(
    "",
    response={200: MapOut, **WRITE_ERRORS},
    operation_id="interventions_map",
    summary="The map: cells with capacity, reach, need, coverage and gaps; factor gaps",
)
def map_cells(request, filters: Query[MapFilterIn]):
    actor = actor_of(request)
    access.check(actor, "intervention.view")
    data = selectors.inputs(actor)
    raw = {k: str(v) for k, v in filters.dict().items() if v not in (None, "")}
    form = MapFilterForm(raw, data)
    if not form.is_valid():
        raise NinjaValidationError(
            [
                {"loc": ("query", name), "msg": " ".join(str(m) for m in msgs), "type": "value_error"}
                for name, msgs in form.errors.items()
            ]
        )
    m = selectors.build(data, form.filters())
    cells = [
        {
            "intensity": row.intensity,
            "intensity_label": row.label,
            "band_id": c.band.pk,
            "band_label": c.band.label,
            "capacity": c.cell.capacity,
            "reach": c.cell.reach,
            "need": c.cell.need,
            "coverage": c.cell.coverage,
            "gap": c.cell.gap,
            "status": c.cell.status,
            "reason": c.reason,
            "cost_per_place": c.cell.cost_per_place,
            "interventions": [
                {
                    "id": s.intervention.pk,
                    "name": s.intervention.name,
                    "capacity": s.share.capacity,
                    "reach": s.share.reach,
                    "reach_year": s.reach_year,
                }
                for s in c.supplies
            ],
            "target_groups": [
                {"target_group_id": n.group.pk, "name": n.group.name, "need": n.amount} for n in c.needs
            ],
            "unknown_capacity": [int(k) for k in c.cell.unknown_capacity],
        }
        for row in m.rows
        for c in row.cells
    ]
    factors = [
        {
            "id": f.factor.pk,
            "name": f.factor.name_sv,
            "bbic_side": f.factor.bbic_side,
            "named_in": f.result.named_in,
            "status": f.result.status,
            "reason": f.reason,
            "interventions": [i.pk for i in f.interventions],
        }
        for f in m.factors
    ]
    return {
        "cells": cells,
        "factors": factors,
        "capacity_total": m.coverage.capacity_total,
        "reach_total": m.coverage.reach_total,
        "need_total": m.coverage.need_total,
        "gap_total": m.coverage.gap_total,
        "unplaced_target_groups": [g.pk for g in m.unplaced_groups],
    }
