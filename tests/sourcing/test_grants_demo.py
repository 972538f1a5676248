"""The demo round: Helsingborg's "Föreningsbidrag för förebyggande verksamhet 2025", three
applications assessed by two officers on the five criteria, decided within the budget; idempotent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from insats.accounts import services as accounts
from insats.accounts.models import User
from insats.sourcing.grants import demo, services
from insats.sourcing.grants.models import Decision, GrantRound, RoundStatus
from tests.conftest import org_number

pytestmark = pytest.mark.django_db


def test_demo_round_is_decided_within_budget_and_idempotent():
    hbg = accounts.organisation_create(
        actor=None, name="Helsingborgs stad", org_number=org_number(3000), kind="kommun", area_code="1283"
    )
    for i, name in enumerate(demo.ASSOCIATIONS):
        accounts.organisation_create(actor=None, name=name, org_number=org_number(3001 + i), kind="ideburen")
    admin = User.objects.create_user("admin@hbg.test", "x", full_name="Admin")
    accounts.membership_add(actor=None, user=admin, organisation=hbg, role="admin")
    lines = demo.build()
    assert "500 000 kr" in lines[0]
    rnd = GrantRound.objects.get(title=demo.TITLE)
    assert rnd.status == RoundStatus.DECIDED
    assert [c.name for c in rnd.criteria.all()] == ["Effekt", "Värde", "Komplement", "Samverkan", "Ekonomi"]
    ranked = services.ranking(rnd)
    assert all(r.complete and r.assessors == 2 for r in ranked)
    assert [r.application.decision for r in ranked] == [Decision.GRANTED, Decision.GRANTED, Decision.REJECTED]
    granted = services.budget_state(rnd, proposed=False)
    assert granted.total == sum(r.requested for r in ranked[:2]) and granted.fits
    assert granted.total == Decimal("370000.00")
    assert ranked[0].application.report_submitted_at is not None
    assert ranked[0].application.intervention is not None
    assert demo.build() == [f"Bidrag: ”{demo.TITLE}” finns redan (Beslutad)."]
