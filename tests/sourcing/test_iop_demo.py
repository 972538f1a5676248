"""The IOP demo: Helsingborg's "Familjen läser", signed by three parties, level 5; idempotent."""

from __future__ import annotations

import datetime

import pytest

from insats.accounts import services as accounts
from insats.accounts.models import Partnership, User
from insats.sourcing.iop import demo
from insats.sourcing.iop.models import IopAgreement

pytestmark = pytest.mark.django_db


def test_demo_builds_a_signed_iop_once():
    hbg = accounts.organisation_create(
        actor=None, name="Helsingborgs stad", org_number=demo.HELSINGBORG, kind="kommun", area_code="1283"
    )
    user = User.objects.create_user("admin@helsingborg.test", "Testlösenord-123", full_name="Admin")
    accounts.membership_add(actor=None, user=user, organisation=hbg, role="admin")
    lines = demo.build()
    agreement = IopAgreement.objects.get(organisation=hbg, title=demo.TITLE)
    assert agreement.status == "signed" and agreement.version == 1
    assert agreement.parties.count() == 3 and agreement.check_ins.count() == 2
    assert agreement.checklist_reasons["service_for_sale"]
    for party in agreement.parties.filter(role="ideburen"):
        p = Partnership.objects.get(organisation=hbg, partner=party.organisation)
        assert p.level_on(datetime.date.today()) == 5
    assert "version 1" in lines[0]
    assert "finns redan" in demo.build()[0]
    assert IopAgreement.objects.count() == 1
