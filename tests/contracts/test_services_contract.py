"""Contract workflow: status transitions, parties and payer shares, signing, versions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from insats.audit.models import AuditEntry
from insats.contracts import services
from insats.contracts.models import ContractStatus, ContractVersion
from tests.matrix.contracts import actor, draft_contract

pytestmark = pytest.mark.django_db


def test_draft_contract_builds_and_owner_is_commissioner(world):
    c = draft_contract(world)
    commissioner = c.parties.get(organisation=world.orgs["owner"])
    assert commissioner.role == "commissioner"
    assert commissioner.payer_share == Decimal(100)
    assert c.status == ContractStatus.NEGOTIATION
    assert AuditEntry.objects.filter(action="contract.create", object_id=str(c.pk)).exists()


def test_signing_by_every_party_makes_it_signed_with_version_1(world):
    c = draft_contract(world)
    order = ["owner", "provider", "fund", "partner"]
    for i, org in enumerate(order):
        services.sign(actor=actor(world, org, "contract_manager"), contract=c)
        c.refresh_from_db()
        expected = ContractStatus.SIGNED if i == len(order) - 1 else ContractStatus.NEGOTIATION
        assert c.status == expected
    v = ContractVersion.objects.get(contract=c)
    assert v.number == 1 and c.version == 1
    assert {a["party"] for a in v.approved_by} == {world.orgs[o].name for o in order}
    assert v.snapshot["metrics"]["placeringar"]["rule"]["price"] == "250000"
    assert AuditEntry.objects.filter(action="contract.sign").count() == 4
