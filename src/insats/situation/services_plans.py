"""Workflows for target groups, cause analyses, results, targets and action plans. Each one audits.

* :func:`save` — create or change one target group, result, action, cause analysis (full_clean,
  one audit entry with the changed fields);
* cause trees: :func:`node_add`, :func:`node_update`, :func:`node_move` (up, down, indent,
  outdent), :func:`node_delete` (to "recently deleted"), :func:`node_restore`, :func:`live_tree`;
* sharing a cause analysis with a partner: :func:`cause_share`, :func:`cause_unshare`;
* results: :func:`result_indicator_add`, :func:`turn_the_curve_save`, :func:`target_add`,
  :func:`target_delete`, and :func:`result_figures` — the baseline, forecast and progress of every
  indicator and target, **computed by** :func:`insats.core.indicators.analyse` (nothing here does
  arithmetic on the values).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.accounts import services as accounts_services
from insats.accounts.models import Organisation, Share
from insats.audit.services import diff_fields, log_action, snapshot
from insats.core import indicators as core

from . import numbers
from .models import Area, Indicator, Observation, PeriodType, Polarity
from .models_plans import (
    CAUSE_SHARE_PURPOSE,
    ActionItem,
    CauseAnalysis,
    CauseNode,
    Factor,
    Result,
    ResultIndicator,
    Target,
    TargetGroup,
    TargetKind,
)

FORECAST_LEVEL = 0.95
FORECAST_AHEAD = 3  # years beyond the last observation when no target is further out

ACTION_NAMES = {
    TargetGroup: "situation.target_group",
    Result: "situation.result",
    ActionItem: "situation.action",
    CauseAnalysis: "situation.cause_analysis",
    CauseNode: "situation.cause_node",
    ResultIndicator: "situation.result_indicator",
    Target: "situation.target",
    Factor: "situation.factor",
}


def _user(actor):
    return getattr(actor, "user", None)


def _owner(obj) -> Organisation | None:
    for path in (
        "organisation",
        "result.organisation",
        "analysis.organisation",
        "result_indicator.result.organisation",
    ):
        cur = obj
        for part in path.split("."):
            cur = getattr(cur, part, None)
            if cur is None:
                break
        if isinstance(cur, Organisation):
            return cur
    return None


def _fields(obj) -> list[str]:
    skip = {"id", "created_at", "updated_at", "deleted_at", "deleted_by_id", "created_by_id"}
    return [f.attname for f in obj._meta.concrete_fields if f.attname not in skip]


def save(*, actor, obj: models.Model, values: dict) -> models.Model:
    """Create (``obj.pk`` None) or change one object: set ``values``, full_clean, save, audit."""
    creating = obj.pk is None
    before = None if creating else snapshot(obj, _fields(obj))
    for k, v in values.items():
        setattr(obj, k, v)
    obj.full_clean()
    with transaction.atomic():
        obj.save()
        changes = diff_fields(before, snapshot(obj, _fields(obj)))
        if creating or changes:
            log_action(
                f"{ACTION_NAMES[type(obj)]}.{'created' if creating else 'changed'}",
                actor=_user(actor),
                organisation=_owner(obj),
                obj=obj,
                changes=changes,
            )
    return obj


def delete(*, actor, obj: models.Model) -> None:
    label, owner = str(obj)[:300], _owner(obj)
    with transaction.atomic():
        log_action(
            f"{ACTION_NAMES[type(obj)]}.deleted",
            actor=_user(actor),
            organisation=owner,
            obj=obj,
            object_label=label,
            changes=snapshot(obj, _fields(obj)),
        )
        obj.delete()


# --------------------------------------------------------------------------- factors


def factors_for(organisation) -> models.QuerySet[Factor]:
    """The shared list and the organisation's own additions."""
    return Factor.objects.filter(Q(organisation__isnull=True) | Q(organisation=organisation))


def factor_create(*, actor, organisation, **values) -> Factor:
    if Factor.objects.filter(
        Q(organisation__isnull=True) | Q(organisation=organisation),
        name_sv__iexact=values.get("name_sv", "").strip(),
    ).exists():
        raise ValidationError({"name_sv": _("Det finns redan en faktor med det namnet.")})
    return save(actor=actor, obj=Factor(organisation=organisation), values=values)


# --------------------------------------------------------------------------- cause trees


@dataclass
class TreeNode:
    node: CauseNode
    children: list[TreeNode] = field(default_factory=list)
    depth: int = 0
    first: bool = False
    last: bool = False


def live_tree(analysis: CauseAnalysis) -> list[TreeNode]:
    """The tree without deleted nodes (and without anything under a deleted node), siblings in order."""
    nodes = list(
        CauseNode.objects.filter(analysis=analysis, deleted_at__isnull=True)
        .select_related("factor")
        .order_by("position", "pk")
    )
    by_parent: dict[int | None, list[CauseNode]] = {}
    for n in nodes:
        by_parent.setdefault(n.parent_id, []).append(n)

    def build(parent_id, depth) -> list[TreeNode]:
        kids = by_parent.get(parent_id, [])
        out = []
        for i, n in enumerate(kids):
            out.append(TreeNode(n, build(n.pk, depth + 1), depth, i == 0, i == len(kids) - 1))
        return out

    return build(None, 0)


def flatten(tree: list[TreeNode]) -> list[TreeNode]:
    out = []
    for t in tree:
        out.append(t)
        out.extend(flatten(t.children))
    return out


def _siblings(analysis_id: int, parent_id: int | None) -> list[CauseNode]:
    return list(
        CauseNode.objects.filter(
            analysis_id=analysis_id, parent_id=parent_id, deleted_at__isnull=True
        ).order_by("position", "pk")
    )


def _renumber(nodes: list[CauseNode]) -> None:
    for i, n in enumerate(nodes):
        if n.position != i:
            n.position = i
            n.save(update_fields=["position"])


def _is_live(node: CauseNode) -> bool:
    cur = node
    while cur is not None:
        if cur.deleted_at is not None:
            return False
        cur = cur.parent
    return True


def _touch(analysis: CauseAnalysis) -> None:
    CauseAnalysis.objects.filter(pk=analysis.pk).update(updated_at=timezone.now())


def node_add(*, actor, analysis: CauseAnalysis, parent: CauseNode | None = None, **values) -> CauseNode:
    if parent is not None and (parent.analysis_id != analysis.pk or not _is_live(parent)):
        raise ValidationError({"parent": _("Föräldern finns inte i den här orsaksanalysen.")})
    with transaction.atomic():
        node = CauseNode(
            analysis=analysis,
            parent=parent,
            position=len(_siblings(analysis.pk, parent.pk if parent else None)),
            created_by=_user(actor),
        )
        save(actor=actor, obj=node, values=values)
        _touch(analysis)
    return node


def node_update(*, actor, node: CauseNode, **values) -> CauseNode:
    with transaction.atomic():
        save(actor=actor, obj=node, values=values)
        _touch(node.analysis)
    return node


MOVES = ("up", "down", "indent", "outdent")


def node_move(*, actor, node: CauseNode, direction: str) -> CauseNode:
    """Move a node among its siblings (up/down), under the sibling above it (indent, as its last
    child) or out to its parent's level right after the parent (outdent). The subtree moves along."""
    if direction not in MOVES:
        raise ValidationError({"direction": _("Okänd flytt: %(d)s") % {"d": direction}})
    if not _is_live(node):
        raise ValidationError({"node": _("Orsaken är borttagen.")})
    with transaction.atomic():
        before = {"parent": node.parent_id, "position": node.position}
        sibs = _siblings(node.analysis_id, node.parent_id)
        i = next(k for k, s in enumerate(sibs) if s.pk == node.pk)
        if direction in ("up", "down"):
            j = i - 1 if direction == "up" else i + 1
            if not 0 <= j < len(sibs):
                raise ValidationError(
                    {
                        "direction": _("Orsaken står redan först.")
                        if direction == "up"
                        else _("Orsaken står redan sist.")
                    }
                )
            sibs[i], sibs[j] = sibs[j], sibs[i]
            _renumber(sibs)
        elif direction == "indent":
            if i == 0:
                raise ValidationError({"direction": _("Det finns ingen orsak ovanför att flytta in under.")})
            new_parent = sibs[i - 1]
            node.parent = new_parent
            node.position = len(_siblings(node.analysis_id, new_parent.pk))
            node.save(update_fields=["parent", "position"])
            _renumber([s for s in sibs if s.pk != node.pk])
        else:  # outdent
            if node.parent_id is None:
                raise ValidationError({"direction": _("Orsaken står redan på översta nivån.")})
            parent = node.parent
            outer = _siblings(node.analysis_id, parent.parent_id)
            k = next(n for n, s in enumerate(outer) if s.pk == parent.pk)
            node.parent_id = parent.parent_id
            node.save(update_fields=["parent"])
            outer.insert(k + 1, node)
            _renumber(outer)
            _renumber([s for s in sibs if s.pk != node.pk])
        node.refresh_from_db()
        log_action(
            "situation.cause_node.moved",
            actor=_user(actor),
            organisation=node.analysis.organisation,
            obj=node,
            changes={
                "direction": direction,
                "before": before,
                "after": {"parent": node.parent_id, "position": node.position},
            },
        )
        _touch(node.analysis)
    return node


def subtree_size(node: CauseNode) -> int:
    """The node and every live node under it."""
    all_nodes = CauseNode.objects.filter(analysis_id=node.analysis_id, deleted_at__isnull=True).values_list(
        "pk", "parent_id"
    )
    kids: dict[int | None, list[int]] = {}
    for pk, parent in all_nodes:
        kids.setdefault(parent, []).append(pk)
    count, stack = 0, [node.pk]
    while stack:
        cur = stack.pop()
        count += 1
        stack.extend(kids.get(cur, []))
    return count


def node_delete(*, actor, node: CauseNode) -> int:
    """Move a node and its subtree to "recently deleted". Returns how many causes went with it."""
    if not _is_live(node):
        raise ValidationError({"node": _("Orsaken är redan borttagen.")})
    with transaction.atomic():
        size = subtree_size(node)
        node.deleted_at = timezone.now()
        node.deleted_by = _user(actor)
        node.save(update_fields=["deleted_at", "deleted_by"])
        _renumber(_siblings(node.analysis_id, node.parent_id))
        log_action(
            "situation.cause_node.deleted",
            actor=_user(actor),
            organisation=node.analysis.organisation,
            obj=node,
            changes={"text": node.text, "subtree": size},
        )
        _touch(node.analysis)
    return size


def recently_deleted(analysis: CauseAnalysis, limit: int = 20) -> list[CauseNode]:
    return list(
        CauseNode.objects.filter(analysis=analysis, deleted_at__isnull=False).order_by("-deleted_at")[:limit]
    )


def node_restore(*, actor, node: CauseNode) -> CauseNode:
    """Bring a deleted node (and its subtree) back: last among its parent's children, or last at the
    top level when the parent is gone too."""
    if node.deleted_at is None:
        raise ValidationError({"node": _("Orsaken är inte borttagen.")})
    with transaction.atomic():
        parent = node.parent
        if parent is not None and not _is_live(parent):
            parent = None
        node.parent = parent
        node.position = len(_siblings(node.analysis_id, parent.pk if parent else None))
        node.deleted_at = None
        node.deleted_by = None
        node.save(update_fields=["parent", "position", "deleted_at", "deleted_by"])
        log_action(
            "situation.cause_node.restored",
            actor=_user(actor),
            organisation=node.analysis.organisation,
            obj=node,
            changes={"text": node.text, "parent": node.parent_id},
        )
        _touch(node.analysis)
    return node


# --------------------------------------------------------------------------- sharing a cause analysis


def cause_shares(analysis: CauseAnalysis) -> models.QuerySet[Share]:
    return accounts_services.active_shares(analysis)


def cause_share(*, actor, analysis: CauseAnalysis, organisation: Organisation) -> Share:
    """Invite ``organisation`` to read and edit the cause analysis (Share, purpose "orsaksanalys")."""
    if organisation.pk == analysis.organisation_id:
        raise ValidationError({"organisation": _("Orsaksanalysen ägs redan av den organisationen.")})
    if cause_shares(analysis).filter(organisation=organisation).exists():
        raise ValidationError({"organisation": _("%(org)s är redan inbjuden.") % {"org": organisation.name}})
    return accounts_services.share_create(
        actor=_user(actor),
        owner=analysis.organisation,
        obj=analysis,
        organisation=organisation,
        purpose=CAUSE_SHARE_PURPOSE,
        action="situation.cause_analysis.shared",
        changes={
            "organisation": organisation.name,
            "organisation_id": organisation.pk,
            "purpose": CAUSE_SHARE_PURPOSE,
        },
    )


def cause_unshare(*, actor, analysis: CauseAnalysis, share: Share) -> None:
    accounts_services.share_end(
        actor=_user(actor),
        share=share,
        action="situation.cause_analysis.unshared",
        obj=analysis,
        changes={"organisation": share.organisation.name, "organisation_id": share.organisation_id},
    )


# --------------------------------------------------------------------------- results and targets


def visible_indicators(organisation) -> models.QuerySet[Indicator]:
    return Indicator.objects.filter(Q(organisation__isnull=True) | Q(organisation=organisation))


def result_indicator_add(
    *, actor, result: Result, indicator: Indicator, area: Area, gender: str = "T"
) -> ResultIndicator:
    if indicator.organisation_id not in (None, result.organisation_id):
        raise ValidationError({"indicator": _("Indikatorn tillhör en annan organisation.")})
    if ResultIndicator.objects.filter(result=result, indicator=indicator, area=area, gender=gender).exists():
        raise ValidationError({"indicator": _("Indikatorn finns redan för det området och könet.")})
    ri = ResultIndicator(result=result, position=result.indicators.count())
    return save(actor=actor, obj=ri, values={"indicator": indicator, "area": area, "gender": gender})


def turn_the_curve_save(
    *, actor, ri: ResultIndicator, story: str, partners: str, what_works: str
) -> ResultIndicator:
    return save(actor=actor, obj=ri, values={"story": story, "partners": partners, "what_works": what_works})


def target_add(*, actor, ri: ResultIndicator, **values) -> Target:
    if Target.objects.filter(result_indicator=ri, year=values.get("year")).exists():
        raise ValidationError(
            {"year": _("Det finns redan ett mål för %(year)s.") % {"year": values.get("year")}}
        )
    return save(actor=actor, obj=Target(result_indicator=ri), values=values)


@dataclass
class TargetFigures:
    target: Target
    value: float | None = None  # the target value
    baseline: float | None = None
    current_year: int | None = None
    current: float | None = None
    achieved: float | None = None
    elapsed: float | None = None
    path_value: float | None = None
    on_track: bool | None = None
    projected: float | None = None
    problem: str = ""

    @property
    def achieved_percent(self) -> float | None:
        return None if self.achieved is None else self.achieved * 100

    @property
    def elapsed_percent(self) -> float | None:
        return None if self.elapsed is None else self.elapsed * 100

    @property
    def amount_text(self) -> str:
        """The target as set, e.g. "−20 %" (relative), "−2,5 procentenheter" (absolute change of a
        percentage indicator) or "8,0 procent" (target value); Swedish minus, no trailing zeros."""
        amount = float(self.target.amount)
        decimals = 0 if amount.is_integer() else (1 if round(amount, 1) == amount else 2)
        unit = self.target.result_indicator.indicator.unit
        if self.target.kind == TargetKind.RELATIVE:
            return f"{numbers.fmt_num(amount, decimals, sign=True)} %"
        if self.target.kind == TargetKind.ABSOLUTE:
            return f"{numbers.fmt_num(amount, decimals, sign=True)} {numbers.change_unit(unit)}".strip()
        return f"{numbers.fmt_num(amount, decimals)} {numbers.level_unit(unit)}".strip()

    @property
    def status(self) -> str:
        if self.problem or self.on_track is None:
            return "unknown"
        return "on_track" if self.on_track else "off_track"


@dataclass
class IndicatorFigures:
    ri: ResultIndicator
    series: list[tuple[int, float | None]]
    trend: core.TrendResult | None
    targets: list[TargetFigures]
    problem: str = ""

    @property
    def latest(self) -> tuple[int, float] | None:
        observed = [(y, v) for y, v in self.series if v is not None]
        return observed[-1] if observed else None

    @property
    def forecasts(self) -> list[core.ForecastPoint]:
        return self.trend.forecasts if self.trend else []

    @property
    def decimals(self) -> int:
        """Decimals for the indicator's values (the lägesbild's rule)."""
        from .lagesbild import decimals_for

        return decimals_for(self.ri.indicator)

    @property
    def unit(self) -> str:
        return numbers.level_unit(self.ri.indicator.unit)

    @property
    def change_unit(self) -> str:
        """Unit of the trend slope and absolute changes: percentage points for percentage indicators."""
        return numbers.change_unit(self.ri.indicator.unit)


def _hib(polarity: str) -> bool | None:
    return {Polarity.HIGHER_BETTER: True, Polarity.LOWER_BETTER: False}.get(polarity)


def _core_target(target: Target, baseline_year: int) -> dict:
    amount = float(target.amount)
    if target.kind == TargetKind.RELATIVE:
        return {"change_relative": amount / 100.0}
    if target.kind == TargetKind.ABSOLUTE:
        return {"change_absolute": amount}
    return {"target_value": amount}


def series_for(ri: ResultIndicator) -> list[tuple[int, float | None]]:
    rows = Observation.objects.filter(
        indicator_id=ri.indicator_id,
        area_id=ri.area_id,
        gender=ri.gender,
        period_type=PeriodType.YEAR,
        period_part=0,
    ).order_by("period")
    return [(o.period, None if o.value is None else float(o.value)) for o in rows]


def indicator_figures(ri: ResultIndicator) -> IndicatorFigures:
    """Baseline curve, Theil–Sen trend with a 95 % forecast band, and progress towards each target —
    every number from :func:`insats.core.indicators.analyse`."""
    series = series_for(ri)
    targets = list(ri.targets.all())
    code, area = ri.indicator.code, ri.area.code
    observations = [
        core.Observation(area=area, indicator=code, year=y, value=v) for y, v in series if v is not None
    ]
    spec = core.IndicatorSpec(id=code, higher_is_better=_hib(ri.indicator.polarity))
    observed_years = [o.year for o in observations]
    out = IndicatorFigures(ri=ri, series=series, trend=None, targets=[])
    if len(observed_years) >= 2:
        last = observed_years[-1]
        horizon = max([last + FORECAST_AHEAD] + [t.year for t in targets])
        request = core.TrendRequest(
            indicator=code,
            area=area,
            forecast_years=list(range(last, horizon + 1)),
            level=FORECAST_LEVEL,
        )
        inp = core.RankInput(
            areas=[core.Area(id=area)], indicators=[spec], observations=observations, trends=[request]
        )
        out.trend = core.analyse(inp).trends[0]
    else:
        out.problem = _("Minst två år med värden behövs för trend och prognos.")
    for t in targets:
        tf = TargetFigures(target=t)
        req = dict(
            indicator=code,
            area=area,
            baseline_year=t.baseline_year,
            target_year=t.year,
            **_core_target(t, t.baseline_year),
        )
        try:
            res = core.analyse(
                core.RankInput(
                    areas=[core.Area(id=area)],
                    indicators=[spec],
                    observations=observations,
                    targets=[core.TargetRequest(**req)],
                )
            ).targets[0]
        except core.FieldError as exc:
            if exc.field.endswith("current_year"):
                # No value after the baseline yet: the target value and path, no progress.
                res = core.analyse(
                    core.RankInput(
                        areas=[core.Area(id=area)],
                        indicators=[spec],
                        observations=observations,
                        targets=[core.TargetRequest(current_year=t.baseline_year, **req)],
                    )
                ).targets[0]
                tf.value, tf.baseline = res.target, res.baseline
                tf.problem = _("Inget värde efter basåret %(year)s ännu.") % {"year": t.baseline_year}
            elif exc.field.endswith("baseline_year"):
                tf.problem = _("Inget värde för basåret %(year)s.") % {"year": t.baseline_year}
            else:
                tf.problem = str(exc)
            out.targets.append(tf)
            continue
        tf.value, tf.baseline = res.target, res.baseline
        tf.current_year, tf.current = res.current_year, res.current
        tf.achieved, tf.elapsed = res.achieved_share, res.elapsed_share
        tf.path_value, tf.on_track = res.path_value, res.on_track
        # One forecast on the page: the target row shows the trend's forecast for the target year —
        # the same line as the chart and the forecast table (issue 8, item 4), not a second line
        # fitted from the baseline year only.
        tf.projected = _trend_value(out.trend, t.year)
        out.targets.append(tf)
    return out


def _trend_value(trend: core.TrendResult | None, year: int) -> float | None:
    """The trend's forecast (or, for a year already observed, its fitted value) for ``year``."""
    if trend is None:
        return None
    for point in trend.forecasts:
        if point.year == year:
            return point.value
    return trend.fitted.get(year)


def result_figures(result: Result) -> list[IndicatorFigures]:
    ris = result.indicators.select_related("indicator", "area").prefetch_related("targets")
    return [indicator_figures(ri) for ri in ris]


def finite(x) -> bool:
    return x is not None and math.isfinite(x)
