"""The social plan's services: versions, adoption, a new draft after adoption, audit, nothing
half-saved, the lägesbild's targets shown and not duplicated."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from insats.audit.models import AuditEntry
from insats.interventions.plans import selectors
from insats.interventions.plans import services as svc
from insats.interventions.plans.models import (
    EntityIntervention,
    EvaluationItem,
    PlanEntity,
    PlanStatus,
    PlanVersion,
    SuccessFactor,
)

from .plans_fixtures import actor, build

pytestmark = pytest.mark.django_db


def test_every_change_is_a_version_with_who_and_when(world):
    d = build(world)
    plan = d["plan"]
    versions = list(plan.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]  # created, entity added
    assert versions[1].changed_by == world.user("owner", "analyst")
    assert versions[1].data["entities"][0]["name"] == "Socialnämnden"
    assert versions[0].data["entities"] == []
    # Saving without a change makes no version and no audit entry.
    n_audit = AuditEntry.objects.count()
    svc.row_save(actor=d["actor"], obj=d["entity"], values={"name": "Socialnämnden"})
    assert plan.versions.count() == 2
    assert AuditEntry.objects.count() == n_audit
    svc.plan_update(actor=d["actor"], plan=plan, values={"goals": "Färre orosanmälningar"})
    assert plan.versions.count() == 3
    entry = AuditEntry.objects.filter(action="interventions.socialplan.changed").last()
    assert entry.changes["goals"] == ["", "Färre orosanmälningar"]


def test_diff_between_versions_names_what_changed(world):
    d = build(world)
    plan = d["plan"]
    svc.row_save(actor=d["actor"], obj=d["entity"], values={"vision": "Stöd i tid"})
    svc.intervention_add(actor=d["actor"], entity=d["entity"], intervention=d["komet"], role="bedriver")
    old = plan.versions.get(number=2).data
    new = plan.versions.order_by("-number").first().data
    rows = {r["key"]: r for r in svc.diff(old, new)}
    vision = rows["Entitet Socialnämnden › Vision"]
    assert (vision["old"], vision["new"], vision["change"]) == (
        "Tidigt stöd till familjer",
        "Stöd i tid",
        "changed",
    )
    assert rows["Entitet Socialnämnden › Insats Komet"]["change"] == "added"
    assert rows["Entitet Socialnämnden › Insats Komet"]["new"] == "Bedriver"
    assert svc.diff(new, new) == []
    back = {r["key"]: r["change"] for r in svc.diff(new, old)}
    assert back["Entitet Socialnämnden › Insats Komet"] == "removed"


def test_adoption_and_a_new_draft_after_it(world):
    d = build(world)
    plan, admin = d["plan"], actor(world, role="admin")
    day = datetime.date(2026, 11, 20)
    version = svc.adopt(actor=admin, plan=plan, body=d["body"], adopted_on=day, minutes_reference="KS § 123")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ADOPTED
    assert version.number == 2  # the state adopted is the last saved one; no empty version
    assert (version.adopted_by, version.adopted_on, version.minutes_reference) == (d["body"], day, "KS § 123")
    assert AuditEntry.objects.filter(
        action="interventions.socialplan.adopted", object_id=str(plan.pk)
    ).exists()
    with pytest.raises(ValidationError):
        svc.adopt(actor=admin, plan=plan, body=d["body"], adopted_on=day, minutes_reference="KS § 124")
    # A change starts a new draft; the adopted version stays as it was.
    svc.row_save(actor=d["actor"], obj=d["entity"], values={"goals": "Nytt mål"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    adopted = svc.adopted_version(plan)
    assert adopted.number == 2 and adopted.data["entities"][0]["goals"] == ""
    assert svc.current_version(plan).number == 3
    assert AuditEntry.objects.filter(action="interventions.socialplan.new_draft").count() == 1


def test_adoption_refuses_bad_input_and_changes_nothing(world):
    d = build(world)
    plan, admin = d["plan"], actor(world, role="admin")
    future = datetime.date.today() + datetime.timedelta(days=3)
    with pytest.raises(ValidationError) as exc:
        svc.adopt(actor=admin, plan=plan, body=d["foreign_body"], adopted_on=future, minutes_reference=" ")
    assert set(exc.value.message_dict) == {"body", "adopted_on", "minutes_reference"}
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert not PlanVersion.objects.filter(plan=plan, adopted_on__isnull=False).exists()


def test_a_failing_version_rolls_back_the_row(world, monkeypatch):
    d = build(world)
    n_entities, n_audit = PlanEntity.objects.count(), AuditEntry.objects.count()

    def boom(*a, **k):
        raise RuntimeError("snapshot failed")

    monkeypatch.setattr(svc, "snapshot_of", boom)
    with pytest.raises(RuntimeError):
        svc.row_save(
            actor=d["actor"], obj=PlanEntity(plan=d["plan"]), values={"kind": "enhet", "name": "BVC"}
        )
    assert PlanEntity.objects.count() == n_entities
    assert AuditEntry.objects.count() == n_audit


def test_interventions_only_from_the_visible_catalogue(world):
    d = build(world)
    with pytest.raises(ValidationError) as exc:
        svc.intervention_add(actor=d["actor"], entity=d["entity"], intervention=d["other"], role="bedriver")
    assert "intervention" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        svc.intervention_add(actor=d["actor"], entity=d["entity"], intervention=d["komet"], role="ska_starta")
    assert "start_year" in exc.value.message_dict
    svc.intervention_add(
        actor=d["actor"], entity=d["entity"], intervention=d["komet"], role="ska_starta", start_year=2027
    )
    with pytest.raises(ValidationError) as exc:
        svc.intervention_add(actor=d["actor"], entity=d["entity"], intervention=d["komet"], role="bedriver")
    assert "intervention" in exc.value.message_dict
    assert EntityIntervention.objects.filter(entity=d["entity"]).count() == 1


def test_plan_map_places_the_plans_interventions(world):
    d = build(world)
    svc.intervention_add(actor=d["actor"], entity=d["entity"], intervention=d["komet"], role="bedriver")
    bands, rows = selectors.plan_map(d["plan"])
    col = [b.label for b in bands].index("7–13 år")
    by_intensity = {r.intensity: [[i.name for i in c] for c in r.cells] for r in rows}
    assert by_intensity["riktad"][col] == ["Komet"]
    assert by_intensity["allmant"][col] == []  # Familjen läser is in the catalogue, not in the plan


def test_success_factor_shows_the_lagesbild_target_and_refuses_a_copy(world):
    d = build(world)
    plan = d["plan"]
    with pytest.raises(ValidationError) as exc:
        svc.row_save(
            actor=d["actor"],
            obj=SuccessFactor(plan=plan),
            values={
                "title": "Närvaro",
                "result": d["result"],
                "target_value": Decimal("90"),
                "target_year": 2027,
            },
        )
    assert "target_value" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        svc.row_save(actor=d["actor"], obj=SuccessFactor(plan=plan), values={"title": "Omätbar"})
    assert "result" in exc.value.message_dict
    factor = svc.row_save(
        actor=d["actor"], obj=SuccessFactor(plan=plan), values={"title": "Närvaro", "result": d["result"]}
    )
    lines = selectors.factor_targets(factor)
    assert len(lines) == 1
    line = lines[0]
    assert (line.source, line.baseline_year, line.year) == ("lagesbild", 2024, 2027)
    # Baseline 84 in 2024 (the observation), absolute +6: target 90 (computed by the core).
    assert line.baseline == pytest.approx(84.0)
    assert line.value == pytest.approx(90.0)
    own = svc.row_save(
        actor=d["actor"],
        obj=SuccessFactor(plan=plan),
        values={
            "title": "Relationer",
            "result": d["bare_result"],
            "baseline_value": Decimal("10"),
            "baseline_year": 2025,
            "target_value": Decimal("20"),
            "target_year": 2028,
        },
    )
    (line,) = selectors.factor_targets(own)
    assert (line.source, line.value, line.year) == ("own", 20, 2028)


def test_evaluation_row_needs_a_target(world):
    d = build(world)
    with pytest.raises(ValidationError) as exc:
        svc.row_save(
            actor=d["actor"],
            obj=EvaluationItem(plan=d["plan"]),
            values={"measure": "Närvaro", "responsible": "Analytiker", "timing": "Årligen"},
        )
    assert "success_factor" in exc.value.message_dict
    item = svc.row_save(
        actor=d["actor"],
        obj=EvaluationItem(plan=d["plan"]),
        values={
            "measure": "Närvaro",
            "responsible": "Analytiker",
            "timing": "Årligen",
            "target_note": "90 %",
        },
    )
    svc.row_delete(actor=d["actor"], obj=item)
    assert not EvaluationItem.objects.filter(pk=item.pk).exists()
    assert AuditEntry.objects.filter(action="interventions.socialplan.evaluation.deleted").exists()
    assert "Utvärderingspunkt borttagen" in svc.current_version(d["plan"]).summary
