"""Workflows for the social plan. Each one runs in one transaction, writes the audit log and saves a
new :class:`PlanVersion` (a readable snapshot of the whole plan) when something really changed.

* :func:`plan_create`, :func:`plan_update`;
* :func:`row_save` / :func:`row_delete` for entities, success factors and evaluation rows;
* :func:`intervention_add` (an intervention from the catalogue the actor can see) and
  :func:`row_delete` for it;
* :func:`adopt` — a governance body adopts the plan as it is now (date, minutes reference);
  any later change makes the plan a draft again, the adopted version stays in the history;
* :func:`snapshot_of`, :func:`diff` — what a version holds and what changed between two.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insats.audit.services import diff_fields, log_action, snapshot
from insats.platform.formatting import format_number

from .models import (
    ENTITY_TEXT_FIELDS,
    EntityIntervention,
    EntityKind,
    EvaluationItem,
    InterventionRole,
    PlanEntity,
    PlanStatus,
    PlanVersion,
    SocialPlan,
    SuccessFactor,
)

ACTION_NAMES = {
    SocialPlan: "interventions.socialplan",
    PlanEntity: "interventions.socialplan.entity",
    EntityIntervention: "interventions.socialplan.intervention",
    SuccessFactor: "interventions.socialplan.success_factor",
    EvaluationItem: "interventions.socialplan.evaluation",
}

PLAN_FIELDS = ["title", "period_start", "period_end", "vision", "goals"]


def _user(actor):
    return getattr(actor, "user", None)


def _fields(obj) -> list[str]:
    skip = {"id", "created_at", "updated_at", "status"}
    return [f.attname for f in obj._meta.concrete_fields if f.attname not in skip]


def plan_of(obj) -> SocialPlan:
    if isinstance(obj, SocialPlan):
        return obj
    if isinstance(obj, EntityIntervention):
        return obj.entity.plan
    return obj.plan


# --------------------------------------------------------------------------- snapshots and diffs


def _text(value) -> str:
    if value is None:
        return ""
    return str(value)


def _number(value) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def snapshot_of(plan: SocialPlan) -> dict:
    """The plan as a reader sees it: names and texts, not ids, so an old version stays readable
    whatever happens to the rows it named."""
    entities = []
    for e in plan.entities.select_related("organisation", "governance_body"):
        entities.append(
            {
                "name": e.name,
                "kind": e.kind,
                "organisation": _text(e.organisation),
                "governance_body": _text(e.governance_body),
                **{f: getattr(e, f) for f in ENTITY_TEXT_FIELDS},
                "interventions": [
                    {
                        "intervention": row.intervention.name,
                        "role": row.role,
                        "start_year": row.start_year,
                    }
                    for row in e.interventions.select_related("intervention")
                ],
            }
        )
    factors = [
        {
            "title": f.title,
            "entity": _text(f.entity),
            "description": f.description,
            "result": _text(f.result),
            "indicator": f.indicator.title_sv if f.indicator_id else "",
            "baseline_value": _number(f.baseline_value),
            "baseline_year": f.baseline_year,
            "target_value": _number(f.target_value),
            "target_year": f.target_year,
        }
        for f in plan.success_factors.select_related("entity", "result", "indicator")
    ]
    evaluation = [
        {
            "measure": i.measure,
            "method": i.method,
            "responsible": i.responsible,
            "timing": i.timing,
            "success_factor": _text(i.success_factor),
            "target_note": i.target_note,
        }
        for i in plan.evaluation_items.select_related("success_factor")
    ]
    return {
        "plan": {f: getattr(plan, f) for f in PLAN_FIELDS},
        "entities": entities,
        "success_factors": factors,
        "evaluation": evaluation,
    }


LABELS = {
    "title": gettext_lazy("Rubrik"),
    "period_start": gettext_lazy("Gäller från år"),
    "period_end": gettext_lazy("Gäller till år"),
    "vision": gettext_lazy("Vision"),
    "goals": gettext_lazy("Mål"),
    "name": gettext_lazy("Namn"),
    "kind": gettext_lazy("Typ"),
    "organisation": gettext_lazy("Organisation i Insats"),
    "governance_body": gettext_lazy("Organ"),
    "responsibilities": gettext_lazy("Organisation och ansvarsområden"),
    "process": gettext_lazy("Processbeskrivning"),
    "competence": gettext_lazy("Kompetenskrav"),
    "tools": gettext_lazy("Hjälpmedel"),
    "resources": gettext_lazy("Resurskrav"),
    "entity": gettext_lazy("Entitet"),
    "description": gettext_lazy("Beskrivning"),
    "result": gettext_lazy("Resultat i lägesbilden"),
    "indicator": gettext_lazy("Indikator"),
    "baseline": gettext_lazy("Utgångsvärde"),
    "target": gettext_lazy("Målvärde"),
    "measure": gettext_lazy("Vad som mäts"),
    "method": gettext_lazy("Hur det mäts"),
    "responsible": gettext_lazy("Vem som mäter"),
    "timing": gettext_lazy("När"),
    "success_factor": gettext_lazy("Mot framgångsfaktor"),
    "target_note": gettext_lazy("Mot vilket mål"),
}


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return _text(value)


def _measure(value, year) -> str:
    if value in (None, ""):
        return ""
    return f"{format_number(Decimal(value), trim=True)} ({year})"


def readable(data: dict) -> dict:
    """The snapshot for reading, in the page's language: kinds and roles as words, values and
    targets as formatted numbers with their year."""
    out = {**data, "entities": [], "success_factors": []}
    for e in data.get("entities", []):
        out["entities"].append(
            {
                **e,
                "kind": _label(EntityKind, e.get("kind")),
                "interventions": [
                    {**r, "role": _label(InterventionRole, r.get("role"))} for r in e.get("interventions", [])
                ],
            }
        )
    for f in data.get("success_factors", []):
        g = {
            k: v
            for k, v in f.items()
            if k not in ("baseline_value", "baseline_year", "target_value", "target_year")
        }
        g["baseline"] = _measure(f.get("baseline_value"), f.get("baseline_year"))
        g["target"] = _measure(f.get("target_value"), f.get("target_year"))
        out["success_factors"].append(g)
    return out


def flatten(data: dict) -> dict[str, str]:
    """The snapshot as ``{"Section › Item › Field": text}``, in reading order — the unit of a diff."""
    data = readable(data)
    out: dict[str, str] = {}
    plan_label = str(_("Planen"))
    for k, v in data.get("plan", {}).items():
        out[f"{plan_label} › {LABELS.get(k, k)}"] = _text(v)
    entity_label = str(_("Entitet"))
    for e in data.get("entities", []):
        prefix = f"{entity_label} {e['name']}"
        for k, v in e.items():
            if k in ("name", "interventions"):
                continue
            out[f"{prefix} › {LABELS.get(k, k)}"] = _text(v)
        for row in e.get("interventions", []):
            year = f", {row['start_year']}" if row.get("start_year") else ""
            out[f"{prefix} › {_('Insats')} {row['intervention']}"] = f"{row['role']}{year}"
    factor_label = str(_("Framgångsfaktor"))
    for f in data.get("success_factors", []):
        prefix = f"{factor_label} {f['title']}"
        for k, v in f.items():
            if k != "title":
                out[f"{prefix} › {LABELS.get(k, k)}"] = _text(v)
    eval_label = str(_("Utvärdering"))
    for i in data.get("evaluation", []):
        prefix = f"{eval_label} {i['measure']}"
        for k, v in i.items():
            if k != "measure":
                out[f"{prefix} › {LABELS.get(k, k)}"] = _text(v)
    return out


def diff(old: dict, new: dict) -> list[dict]:
    """What changed from ``old`` to ``new``: rows {"key", "old", "new", "change"} where change is
    "added", "removed" or "changed"; empty values count as absent."""
    a = {k: v for k, v in flatten(old).items() if v != ""}
    b = {k: v for k, v in flatten(new).items() if v != ""}
    rows = []
    for key in list(a) + [k for k in b if k not in a]:
        if key not in b:
            rows.append({"key": key, "old": a[key], "new": "", "change": "removed"})
        elif key not in a:
            rows.append({"key": key, "old": "", "new": b[key], "change": "added"})
        elif a[key] != b[key]:
            rows.append({"key": key, "old": a[key], "new": b[key], "change": "changed"})
    return rows


# --------------------------------------------------------------------------- versions


def _new_version(actor, plan: SocialPlan, summary: str) -> PlanVersion | None:
    """Save the plan's current state as the next version (none if nothing differs from the last);
    a change after adoption makes the plan a draft again."""
    SocialPlan.objects.select_for_update().filter(pk=plan.pk).first()
    data = snapshot_of(plan)
    last = plan.versions.order_by("-number").first()
    if last is not None and last.data == data:
        return None
    number = (plan.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = PlanVersion.objects.create(
        plan=plan, number=number, data=data, summary=summary[:300], changed_by=_user(actor)
    )
    if plan.status == PlanStatus.ADOPTED:
        plan.status = PlanStatus.DRAFT
        plan.save(update_fields=["status", "updated_at"])
        log_action(
            "interventions.socialplan.new_draft",
            actor=_user(actor),
            organisation=plan.organisation,
            obj=plan,
            changes={"status": [PlanStatus.ADOPTED.value, PlanStatus.DRAFT.value], "version": number},
        )
    return version


def current_version(plan: SocialPlan) -> PlanVersion | None:
    return plan.versions.order_by("-number").first()


def adopted_version(plan: SocialPlan) -> PlanVersion | None:
    return plan.versions.filter(adopted_on__isnull=False).order_by("-number").first()


# --------------------------------------------------------------------------- plans and rows


@transaction.atomic
def plan_create(*, actor, organisation, values: dict) -> SocialPlan:
    plan = SocialPlan(organisation=organisation)
    for k, v in values.items():
        setattr(plan, k, v)
    plan.full_clean()
    plan.save()
    log_action(
        "interventions.socialplan.created",
        actor=_user(actor),
        organisation=organisation,
        obj=plan,
        changes=diff_fields(None, snapshot(plan, _fields(plan))),
    )
    _new_version(actor, plan, _("Planen skapad"))
    return plan


def plan_update(*, actor, plan: SocialPlan, values: dict) -> SocialPlan:
    return row_save(actor=actor, obj=plan, values=values)


def _summary(obj, creating: bool, deleted: bool = False) -> str:
    kind = str(obj._meta.verbose_name)
    if deleted:
        verb = _("borttagen")
    elif creating:
        verb = _("tillagd")
    else:
        verb = _("ändrad")
    return f"{kind[:1].upper()}{kind[1:]} {verb}: {obj}"


def row_save(*, actor, obj: models.Model, values: dict) -> models.Model:
    """Create (``obj.pk`` None) or change the plan or one of its rows: set ``values``, full_clean,
    save, audit and save a new version — all or nothing."""
    creating = obj.pk is None
    fields = _fields(obj)
    before = None if creating else snapshot(obj, fields)
    for k, v in values.items():
        setattr(obj, k, v)
    if creating and isinstance(obj, (PlanEntity, SuccessFactor, EvaluationItem)):
        obj.position = type(obj).objects.filter(plan=obj.plan).count()
    obj.full_clean()
    plan = plan_of(obj)
    with transaction.atomic():
        obj.save()
        changes = diff_fields(before, snapshot(obj, fields))
        if creating or changes:
            log_action(
                f"{ACTION_NAMES[type(obj)]}.{'created' if creating else 'changed'}",
                actor=_user(actor),
                organisation=plan.organisation,
                obj=obj,
                changes=changes,
            )
            _new_version(actor, plan, _summary(obj, creating))
    return obj


def row_delete(*, actor, obj: models.Model) -> None:
    plan = plan_of(obj)
    label = str(obj)[:300]
    summary = _summary(obj, False, deleted=True)
    with transaction.atomic():
        log_action(
            f"{ACTION_NAMES[type(obj)]}.deleted",
            actor=_user(actor),
            organisation=plan.organisation,
            obj=obj,
            object_label=label,
            changes=snapshot(obj, _fields(obj)),
        )
        obj.delete()
        _new_version(actor, plan, summary)


def intervention_add(*, actor, entity: PlanEntity, intervention, role: str, start_year: int | None = None):
    """Link an intervention the actor can see in the catalogue to ``entity``."""
    from insats.interventions.catalogue.models import Intervention
    from insats.interventions.catalogue.selectors import visible_interventions

    errors = {}
    # The demo runs without a person (actor None): then only the plan's own organisation's catalogue.
    visible = (
        visible_interventions(actor)
        if actor is not None
        else Intervention.objects.filter(organisation_id=entity.plan.organisation_id)
    )
    if intervention is None or not visible.filter(pk=intervention.pk).exists():
        errors["intervention"] = _("Insatsen finns inte i katalogen som du kan se.")
    elif entity.interventions.filter(intervention=intervention).exists():
        errors["intervention"] = _("Insatsen finns redan hos entiteten.")
    if role not in InterventionRole.values:
        errors["role"] = _("Välj om entiteten bedriver insatsen eller ska starta den.")
    if errors:
        raise ValidationError(errors)
    return row_save(
        actor=actor,
        obj=EntityIntervention(entity=entity),
        values={"intervention": intervention, "role": role, "start_year": start_year},
    )


@transaction.atomic
def adopt(*, actor, plan: SocialPlan, body, adopted_on: datetime.date, minutes_reference: str) -> PlanVersion:
    """A governance body of the plan's organisation adopts the plan as it stands now."""
    errors = {}
    if body is None or body.organisation_id != plan.organisation_id:
        errors["body"] = _("Välj ett organ i den egna organisationen.")
    if adopted_on is None:
        errors["adopted_on"] = _("Ange datumet för beslutet.")
    elif adopted_on > timezone.localdate():
        errors["adopted_on"] = _("Beslutsdatumet ligger i framtiden.")
    if not (minutes_reference or "").strip():
        errors["minutes_reference"] = _("Ange protokollets paragraf eller diarienummer.")
    if plan.status == PlanStatus.ADOPTED:
        errors["__all__"] = _("Planen är redan antagen. Ändra den först, så blir den ett nytt utkast.")
    if errors:
        raise ValidationError(errors)
    _new_version(actor, plan, _("Planen antagen"))
    version = current_version(plan)
    version.adopted_by = body
    version.adopted_on = adopted_on
    version.minutes_reference = minutes_reference.strip()
    version.save(update_fields=["adopted_by", "adopted_on", "minutes_reference"])
    plan.status = PlanStatus.ADOPTED
    plan.save(update_fields=["status", "updated_at"])
    log_action(
        "interventions.socialplan.adopted",
        actor=_user(actor),
        organisation=plan.organisation,
        obj=plan,
        changes={
            "version": version.number,
            "body": body.name,
            "adopted_on": adopted_on.isoformat(),
            "minutes_reference": version.minutes_reference,
        },
    )
    return version
