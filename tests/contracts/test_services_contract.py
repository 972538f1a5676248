"""Contract workflow: status transitions, parties and payer shares, signing, versions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from insats.audit.models import AuditEntry
from insats.contracts import services
from insats.contracts.models import ContractStatus, ContractVersion
from tests.matrix.contracts import actor, draft_contract, sign_all

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


# --- the status workflow ------------------------------------------------------------------------------

LEGAL = {
    "draft": {"negotiation", "cancelled"},
    "negotiation": {"draft", "cancelled"},
    "signed": {"active", "cancelled"},
    "active": {"closed", "cancelled"},
    "closed": set(),
    "cancelled": set(),
}


@pytest.mark.parametrize("start", list(LEGAL))
def test_every_transition_is_allowed_or_refused_with_a_message(world, start):
    c = draft_contract(world)
    c.status = start
    c.save()
    for to in ["draft", "negotiation", "signed", "active", "closed", "cancelled"]:
        c.status = start
        c.save()
        if to in LEGAL[start]:
            services.transition(actor=actor(world, "owner"), contract=c, to=to, reason="Skäl")
            c.refresh_from_db()
            assert c.status == to
        else:
            with pytest.raises(ValidationError) as exc:
                services.transition(actor=actor(world, "owner"), contract=c, to=to, reason="Skäl")
            message = exc.value.message_dict["status"][0]
            assert "kan inte bli" in message or "undertecknat först" in message
            c.refresh_from_db()
            assert c.status == start


def test_cancelling_needs_a_reason_and_keeps_it(world):
    c = draft_contract(world)
    with pytest.raises(ValidationError) as exc:
        services.transition(actor=actor(world, "owner"), contract=c, to="cancelled", reason="  ")
    assert "reason" in exc.value.message_dict
    c = services.transition(actor=actor(world, "owner"), contract=c, to="cancelled", reason="Budget saknas")
    assert c.cancel_reason == "Budget saknas"


# --- parties and shares ---------------------------------------------------------------------------------


def test_payer_shares_must_sum_to_100_before_signing(world):
    c = draft_contract(world)
    owner = actor(world, "owner")
    commissioner = c.parties.get(role="commissioner")
    services.party_update(actor=owner, party=commissioner, payer_share=Decimal("60"))
    services.party_add(
        actor=owner,
        contract=c,
        organisation=world.orgs["federation"],
        role="payer",
        payer_share=Decimal("30"),
    )
    errors = services.payer_share_errors(c)
    assert list(errors) == ["payer_share"] and "90" in errors["payer_share"]
    with pytest.raises(ValidationError) as exc:
        services.sign(actor=actor(world, "owner", "admin"), contract=c)
    assert "payer_share" in exc.value.message_dict
    services.party_update(actor=owner, party=c.parties.get(role="payer"), payer_share=Decimal("40"))
    assert services.payer_share_errors(c) == {}
    sign_all(world, c)
    c.refresh_from_db()
    assert c.status == ContractStatus.NEGOTIATION  # the new payer has not signed yet
    services.sign(actor=actor(world, "federation", "admin"), contract=c)
    c.refresh_from_db()
    assert c.status == ContractStatus.SIGNED


def test_only_paying_roles_have_shares_and_signatory_must_be_manager_of_party(world):
    c = draft_contract(world)
    owner = actor(world, "owner")
    provider = c.parties.get(role="provider")
    with pytest.raises(ValidationError) as exc:
        services.party_update(actor=owner, party=provider, payer_share=Decimal("10"))
    assert "payer_share" in exc.value.message_dict
    provider.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.party_update(actor=owner, party=provider, signatory=world.user("provider", "viewer"))
    assert "signatory" in exc.value.message_dict
    provider.refresh_from_db()
    with pytest.raises(ValidationError) as exc:  # a manager of another organisation
        services.party_update(actor=owner, party=provider, signatory=world.user("fund", "admin"))
    assert "signatory" in exc.value.message_dict
    provider.refresh_from_db()
    services.party_update(actor=owner, party=provider, signatory=world.user("provider", "admin"))
    with pytest.raises(ValidationError) as exc:
        services.party_add(actor=owner, contract=c, organisation=world.orgs["provider"], role="payer")
    assert "organisation" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.party_remove(actor=owner, party=c.parties.get(role="commissioner"))


# --- signing ------------------------------------------------------------------------------------------------


def test_signing_rules(world):
    c = draft_contract(world)
    provider = c.parties.get(role="provider")
    services.party_update(
        actor=actor(world, "owner"), party=provider, signatory=world.user("provider", "admin")
    )
    with pytest.raises(ValidationError) as exc:  # not a manager role
        services.sign(actor=actor(world, "owner", "analyst"), contract=c)
    assert "signatory" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # provider nominated its admin, not the contract manager
        services.sign(actor=actor(world, "provider", "contract_manager"), contract=c)
    assert "signatory" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # not a party
        services.sign(actor=actor(world, "unrelated", "admin"), contract=c)
    assert "party" in exc.value.message_dict
    services.sign(actor=actor(world, "provider", "admin"), contract=c)
    with pytest.raises(ValidationError):  # twice
        services.sign(actor=actor(world, "provider", "admin"), contract=c)


def test_changing_terms_during_negotiation_clears_signatures(world):
    c = draft_contract(world)
    services.sign(actor=actor(world, "provider", "admin"), contract=c)
    assert c.parties.filter(signed_at__isnull=False).count() == 1
    services.cohort_save(
        actor=actor(world, "owner"),
        contract=c,
        code="k2027",
        name="Intag 2027",
        entry_start=datetime.date(2027, 1, 1),
        entry_end=datetime.date(2027, 12, 31),
    )
    assert c.parties.filter(signed_at__isnull=False).count() == 0
    assert AuditEntry.objects.filter(action="contract.signatures_cleared").exists()


def test_draft_cannot_be_signed_and_signed_terms_cannot_be_edited(world):
    c = draft_contract(world)
    c = services.transition(actor=actor(world, "owner"), contract=c, to="draft")
    with pytest.raises(ValidationError) as exc:
        services.sign(actor=actor(world, "owner"), contract=c)
    assert "status" in exc.value.message_dict
    c = services.transition(actor=actor(world, "owner"), contract=c, to="negotiation")
    sign_all(world, c)
    with pytest.raises(ValidationError) as exc:
        services.contract_update(actor=actor(world, "owner"), contract=c, title="Nytt namn")
    assert "gemensamt beslut" in exc.value.messages[0]


def test_readiness_names_what_is_missing(world):
    owner = actor(world, "owner")
    c = services.contract_create(
        actor=owner,
        owner=world.orgs["owner"],
        title="Tomt",
        reference="tomt",
        term_start=datetime.date(2026, 1, 1),
        term_end=datetime.date(2026, 12, 31),
        period_type="quarter",
    )
    fields = {f for f, _m in services.readiness_errors(c)}
    assert fields == {"metrics", "parties"}
    assert c.period_ids() == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]


def test_links_to_the_lagesbild_must_be_the_commissioners_own(world):
    from insats.situation.models_plans import TargetGroup

    c = draft_contract(world)
    c = services.transition(actor=actor(world, "owner"), contract=c, to="draft")
    own = TargetGroup.objects.create(
        organisation=world.orgs["owner"], name="Barn 6–10 år", age_from=6, age_to=10, criteria="Skolår F–4"
    )
    other = TargetGroup.objects.create(
        organisation=world.orgs["unrelated"], name="Annan", age_from=0, age_to=17, criteria="–"
    )
    with pytest.raises(ValidationError) as exc:
        services.contract_update(actor=actor(world, "owner"), contract=c, target_group=other)
    assert list(exc.value.message_dict) == ["target_group"]
    c = services.contract_update(actor=actor(world, "owner"), contract=c, target_group=own)
    assert c.target_group == own


def test_a_reused_short_name_is_refused_on_its_field(world):
    c = draft_contract(world)
    with pytest.raises(ValidationError) as exc:
        services.contract_create(
            actor=actor(world, "owner"),
            owner=world.orgs["owner"],
            title="Ett till",
            reference=c.reference,
            term_start=datetime.date(2026, 1, 1),
            term_end=datetime.date(2026, 12, 31),
        )
    assert list(exc.value.message_dict) == ["reference"]
