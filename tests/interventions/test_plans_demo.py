"""The social plan demo: Tomelilla's draft from Familjeforum's structure (seed 003), success factors
on the lägesbild's results, interventions linked only when the catalogue has them; idempotent."""

from __future__ import annotations

import pytest

from insats.accounts.demo_data import build_demo
from insats.audit.models import AuditEntry
from insats.interventions.catalogue.models import AgeBand, Intensity, Intervention
from insats.interventions.plans import demo, selectors
from insats.interventions.plans.models import PlanStatus, PlanVersion, SocialPlan
from insats.situation.demo_plans import build_demo_plans
from insats.situation.models import Indicator, IndicatorSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def tomelilla(db):
    build_demo()
    for code in ["DEMO10", "DEMO13", "DEMO14", "DEMO23"]:
        Indicator.objects.create(code=code, title_sv=code, source=IndicatorSource.DEMO)
    build_demo_plans()
    from insats.accounts.models import Organisation

    return Organisation.objects.get(org_number=demo.TOMELILLA_ORG)


def test_the_draft_plan_has_seed_003s_structure(tomelilla):
    komet = Intervention.objects.create(
        organisation=tomelilla, name="Föräldraskapsstöd Komet", intensity=Intensity.TARGETED
    )
    komet.age_bands.add(AgeBand.objects.get(organisation__isnull=True, label="7–13 år"))
    lines = demo.build()
    plan = SocialPlan.objects.get(organisation=tomelilla)
    assert plan.status == PlanStatus.DRAFT
    entities = list(plan.entities.all())
    assert len(entities) == 5
    assert {e.kind for e in entities} == {"namnd", "forvaltning", "partner"}
    for e in entities:  # every entity has all seven parts of seed 003's structure
        assert all(
            getattr(e, f)
            for f in ["vision", "goals", "responsibilities", "process", "competence", "tools", "resources"]
        )
    assert any("ingen insats med" in line for line in lines)  # the missing ones are skipped with a line
    (row,) = [r for e in entities for r in e.interventions.all()]
    assert row.intervention == komet
    factors = list(plan.success_factors.all())
    assert len(factors) == 4 and all(f.result_id for f in factors)
    sources = {f.title: [t.source for t in selectors.factor_targets(f)] for f in factors}
    assert sources["Fler elever med godkänt i alla ämnen"] == ["lagesbild"]
    assert sources["Färre elever med hög frånvaro"] == ["own"]
    assert plan.evaluation_items.count() == 3
    assert all(i.success_factor_id for i in plan.evaluation_items.all())


def test_a_second_run_changes_nothing(tomelilla):
    demo.build()
    seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    versions = PlanVersion.objects.count()
    again = demo.build()
    assert all("hoppar över" in line for line in again)
    assert AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() == seq
    assert PlanVersion.objects.count() == versions
