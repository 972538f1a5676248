"""The outside organisations of the demo: three, self-registered, one verified by Tomelilla; idempotent."""

from __future__ import annotations

import pytest

from insats.accounts.demo_data import build_demo
from insats.accounts.models import Membership, Role
from insats.audit.models import ChainHead


@pytest.mark.django_db
def test_outside_organisations_are_built_once_and_one_is_verified_by_tomelilla():
    from insats.sourcing.invitations import demo

    build_demo()
    lines = demo.build()
    orgs = demo.outside_organisations()
    assert set(orgs) == {"trygga", "lasframjandet", "nova"}
    assert orgs["trygga"].name == "Stiftelsen Trygga Barn" and orgs["trygga"].kind == "ideburen"
    assert orgs["lasframjandet"].name == "Läsfrämjandet Syd" and orgs["lasframjandet"].kind == "ideburen"
    assert orgs["nova"].name == "Nova Skolstöd AB" and orgs["nova"].kind == "foretag"
    assert all(o.self_registered for o in orgs.values())
    assert orgs["trygga"].verified_at is not None and orgs["trygga"].invited_by.name == "Tomelilla kommun"
    assert orgs["trygga"].verified_by.memberships.filter(organisation__name="Tomelilla kommun").exists()
    assert orgs["lasframjandet"].verified_at is None and orgs["nova"].verified_at is None
    admin = Membership.objects.get(organisation=orgs["trygga"], role=Role.ADMIN).user
    assert admin.email == "admin@tryggabarn.demo" and admin.has_two_factor
    assert any("admin@tryggabarn.demo" in line for line in lines)
    seq = ChainHead.objects.get(id=1).seq
    demo.build()
    assert ChainHead.objects.get(id=1).seq == seq  # a second run changes nothing
