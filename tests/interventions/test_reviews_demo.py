"""The review part of the demo: Södra Vätterbygden's genomlysning of NOVA, Enter and FIA in phase C,
the consultant invited by share, idempotent. Until the catalogue's demo creates the three
interventions, the test creates whichever are missing (by name, as the demo looks them up)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from insats.accounts.demo_data import build_demo
from insats.accounts.models import Organisation, Share
from insats.audit.models import AuditEntry
from insats.interventions.catalogue import demo as catalogue_demo
from insats.interventions.catalogue.models import Intervention
from insats.interventions.reviews import demo
from insats.interventions.reviews.models import Review
from insats.situation.models import Area
from insats.situation.services import load_areas

pytestmark = pytest.mark.django_db


def test_demo_genomlysning_in_phase_c_with_the_consultant_invited():
    assert demo.build()[0].endswith("hoppar över.")  # no förbund yet
    build_demo()
    if not Area.objects.filter(code="0680").exists():
        load_areas()
    catalogue_demo.build()
    forbund = Organisation.objects.get(name=demo.FORBUND)
    assert "saknas" in demo.build()[0] or Review.objects.filter(organisation=forbund).exists()
    for name in demo.NAMES:
        if not Intervention.objects.filter(organisation=forbund, name=name).exists():
            Intervention.objects.create(organisation=forbund, name=name, intensity="riktad")

    lines = demo.build()
    review = Review.objects.get(organisation=forbund, title=demo.TITLE)
    assert review.phase == "C", lines
    assert {i.name for i in review.interventions.all()} == {"NOVA", "Enter", "FIA"}
    share = Share.objects.get(
        content_type=ContentType.objects.get_for_model(Review),
        object_id=str(review.pk),
        revoked_at__isnull=True,
    )
    assert share.organisation.name == "Familjeforum i Lund AB" and share.purpose == "genomlysning"
    assert review.findings.filter(text__contains="fyra lokala samverkansinsatsteam").exists()
    assert review.decisions.filter(body__kind="styrelse").exists()
    assert [c.to_phase for c in review.phase_changes.order_by("changed_at", "pk")] == ["B", "C"]
    assert review.populations.count() == 4

    before = AuditEntry.objects.count()
    again = demo.build()
    assert "finns redan" in again[0] and AuditEntry.objects.count() == before
