"""The advisor's demo: Helsingborg's "Familjen läser" ends in an IOP with its reasons, Tomelilla's
"Barn 6–10 år i riskzon" recommends innovationsupphandling (market dialogue first); idempotent."""

from __future__ import annotations

import pytest

from insats.accounts.demo_data import build_demo
from insats.audit.models import AuditEntry
from insats.interventions.catalogue import demo as catalogue_demo
from insats.situation.demo_plans import build_demo_plans
from insats.situation.models import Indicator, IndicatorSource
from insats.sourcing.advisor import demo
from insats.sourcing.advisor.models import FormDecision

pytestmark = pytest.mark.django_db


def test_demo_decisions_and_idempotence(db):
    build_demo()
    for code in ["DEMO10", "DEMO13", "DEMO14", "DEMO23"]:
        Indicator.objects.create(code=code, title_sv=code, source=IndicatorSource.DEMO)
    build_demo_plans()
    catalogue_demo.build()
    lines = demo.build()
    assert len(lines) == 2 and all("saknas" not in line for line in lines)
    hbg = FormDecision.objects.get(title="Familjen läser")
    assert hbg.organisation.name == "Helsingborgs stad"
    assert hbg.recommended == hbg.chosen == "iop"
    assert [r["rule"] for r in hbg.reasons] == ["I1", "I2", "I3", "I4", "I5"]
    assert hbg.intervention is not None and hbg.intervention.name == "Familjen läser"
    assert hbg.decided_by is not None and hbg.assessment["on"] == "2024-05-15"
    tom = FormDecision.objects.get(title="Barn 6–10 år i riskzon")
    assert tom.organisation.name == "Tomelilla kommun"
    assert tom.recommended == tom.chosen == "innovationsupphandling"
    assert tom.target_group is not None and "estimated_value" not in tom.assessment["missing"]
    count, audit = FormDecision.objects.count(), AuditEntry.objects.count()
    assert all("finns redan" in line for line in demo.build())
    assert FormDecision.objects.count() == count and AuditEntry.objects.count() == audit
