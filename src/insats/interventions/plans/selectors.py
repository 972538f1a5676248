"""Read queries the plan's pages, PDF and API share: the plan's map (the catalogue's intensity × age
band matrix of the interventions its entities run or will start) and the targets of each success
factor (the lägesbild's own targets, with the values the core computes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from insats.interventions.catalogue.models import INTENSITY_HELP, Intensity, Intervention
from insats.interventions.catalogue.selectors import age_bands_for, matrix

from .models import EntityIntervention, SocialPlan, SuccessFactor


def plan_interventions(plan: SocialPlan) -> list[Intervention]:
    ids = EntityIntervention.objects.filter(entity__plan=plan).values_list("intervention_id", flat=True)
    return list(Intervention.objects.filter(pk__in=ids).prefetch_related("age_bands").order_by("name"))


@dataclass
class MapRow:
    intensity: str
    label: str
    help: str
    cells: list[list[Intervention]] = field(default_factory=list)


def plan_map(plan: SocialPlan) -> tuple[list, list[MapRow]]:
    """(age bands, rows): one row per intensity, one cell per band, each the plan's interventions there."""
    bands = age_bands_for(plan.organisation_id)
    cells = matrix(plan_interventions(plan), bands)
    rows = []
    for value, label in Intensity.choices:
        rows.append(
            MapRow(
                intensity=value,
                label=str(label),
                help=str(INTENSITY_HELP[Intensity(value)]),
                cells=[cells[(value, b.pk)] for b in bands],
            )
        )
    return bands, rows


@dataclass
class TargetLine:
    """One target of a success factor: from the lägesbild (``source`` "lagesbild") or the factor's own."""

    source: str
    indicator: str
    area: str
    baseline_year: int | None
    year: int | None
    text: str
    baseline: float | None = None
    value: float | None = None
    problem: str = ""


def factor_targets(factor: SuccessFactor) -> list[TargetLine]:
    """The lägesbild's targets for the factor's result (and indicator), with baseline and target
    values from ``situation.services_plans.indicator_figures`` (the core); else the factor's own."""
    from insats.situation import services_plans as sp

    lines: list[TargetLine] = []
    targets = list(factor.lagesbild_targets())
    by_ri: dict[int, object] = {}
    for t in targets:
        ri = t.result_indicator
        if ri.pk not in by_ri:
            by_ri[ri.pk] = sp.indicator_figures(ri)
        figures = by_ri[ri.pk]
        tf = next((x for x in figures.targets if x.target.pk == t.pk), None)
        lines.append(
            TargetLine(
                source="lagesbild",
                indicator=ri.indicator.title_sv,
                area=ri.area.name,
                baseline_year=t.baseline_year,
                year=t.year,
                text=f"{t.get_kind_display()}: {t.amount.normalize():f}" + (f" – {t.note}" if t.note else ""),
                baseline=getattr(tf, "baseline", None),
                value=getattr(tf, "value", None),
                problem=getattr(tf, "problem", "") or "",
            )
        )
    if not lines and factor.target_value is not None:
        lines.append(
            TargetLine(
                source="own",
                indicator=factor.indicator.title_sv if factor.indicator_id else "",
                area="",
                baseline_year=factor.baseline_year,
                year=factor.target_year,
                text="",
                baseline=None if factor.baseline_value is None else float(factor.baseline_value),
                value=float(factor.target_value),
            )
        )
    return lines
