"""IOP agreements: the checklist gate, all parties sign, version 1, the level-5 partnership, changes
by joint decision (apply only after every party approved), atomicity, the invitation hook."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from insats.accounts.access import can, scope
from insats.accounts.models import Partnership
from insats.audit.models import AuditEntry
from insats.sourcing.iop import services
from insats.sourcing.iop.models import IopAgreement, IopStatus

from .iop_helpers import PASSING, actor, association, draft, sign_all

pytestmark = pytest.mark.django_db


def test_checklist_gate(world):
    with pytest.raises(ValidationError) as exc:
        services.agreement_create(
            actor=actor(world, "owner"),
            organisation=world.orgs["owner"],
            title="Läxhjälp",
            goal="Mål",
            term_start=datetime.date(2025, 1, 1),
            term_end=datetime.date(2027, 12, 31),
            answers={**PASSING, "service_for_sale": True},
        )
    assert "upphandlas" in " ".join(exc.value.message_dict["checklist"])
    assert not IopAgreement.objects.exists()


def test_checklist_answers_and_reasons_are_stored(world):
    agreement = services.agreement_create(
        actor=actor(world, "owner"),
        organisation=world.orgs["owner"],
        title="Läxhjälp",
        goal="Mål",
        term_start=datetime.date(2025, 1, 1),
        term_end=datetime.date(2028, 12, 31),
        answers=PASSING,
        reasons={"ideburet_initiative": "Föreningen tog initiativet 2024."},
    )
    assert agreement.checklist == PASSING
    assert agreement.checklist_reasons == {"ideburet_initiative": "Föreningen tog initiativet 2024."}
    assert list(agreement.parties.values_list("role", flat=True)) == ["offentlig"]
    assert AuditEntry.objects.filter(action="iop.create").exists()


def test_term_is_validated(world):
    with pytest.raises(ValidationError) as exc:
        services.agreement_create(
            actor=actor(world, "owner"),
            organisation=world.orgs["owner"],
            title="X",
            goal="Mål",
            term_start=datetime.date(2025, 1, 1),
            term_end=datetime.date(2040, 1, 1),
            answers=PASSING,
        )
    assert "term_end" in exc.value.message_dict


def test_every_party_must_sign_before_version_1(world):
    agreement = draft(world)
    services.sign(actor=actor(world, "owner"), agreement=agreement)
    services.sign(actor=actor(world, "las"), agreement=agreement)
    agreement.refresh_from_db()
    assert agreement.status == IopStatus.DRAFT and agreement.version == 0
    assert not agreement.versions.exists()
    services.sign(actor=actor(world, "idrott"), agreement=agreement)
    agreement.refresh_from_db()
    assert agreement.status == IopStatus.SIGNED and agreement.version == 1
    v1 = agreement.versions.get()
    assert {a["party"] for a in v1.approved_by} == {
        "Tomelilla kommun",
        "Läsfrämjandet Syd",
        "Idrottsföreningen Framåt",
    }
    assert v1.snapshot["budget"] == {"2025": "150000.00", "2026": "0.00", "2027": "0.00"}


def test_only_an_admin_signs_and_only_once(world):
    agreement = draft(world)
    with pytest.raises(ValidationError):
        services.sign(actor=actor(world, "las", "analyst"), agreement=agreement)
    services.sign(actor=actor(world, "las"), agreement=agreement)
    with pytest.raises(ValidationError):
        services.sign(actor=actor(world, "las"), agreement=agreement)
    with pytest.raises(ValidationError):  # not a party
        services.sign(actor=actor(world, "unrelated"), agreement=agreement)


def test_signing_needs_every_party_to_contribute(world):
    owner = actor(world, "owner")
    agreement = draft(world, associations=("las",))
    association(world, "third", "Tredje föreningen", 799)
    services.party_add(actor=owner, agreement=agreement, organisation=world.orgs["third"])
    with pytest.raises(ValidationError) as exc:
        services.sign(actor=owner, agreement=agreement)
    assert "Tredje föreningen" in " ".join(exc.value.messages)


def test_signature_rises_collaboration_level_to_5(world):
    owner_org = world.orgs["owner"]
    agreement = draft(world)
    # An existing partnership at level 3 rises; a missing one is created.
    from insats.accounts import services as accounts

    accounts.partnership_create(
        actor=None,
        organisation=owner_org,
        partner=world.orgs["las"],
        level=3,
        valid_from=datetime.date(2024, 1, 1),
    )
    sign_all(world, agreement)
    today = datetime.date.today()
    for key in ("las", "idrott"):
        p = Partnership.objects.get(organisation=owner_org, partner=world.orgs[key])
        assert p.level_on(today) == 5
    assert AuditEntry.objects.filter(action="accounts.partnership.level_changed").count() >= 2
    assert AuditEntry.objects.filter(action="iop.partnership_level").count() == 2


def test_change_applies_only_after_every_party_approved(world):
    agreement = sign_all(world, draft(world))
    proposal = services.change_propose(
        actor=actor(world, "owner"),
        agreement=agreement,
        description="Förläng ett år",
        payload={"term_end": "2028-12-31", "goal": "Nytt mål"},
    )
    agreement.refresh_from_db()
    assert proposal.status == "open" and agreement.term_end == datetime.date(2027, 12, 31)
    services.change_decide(actor=actor(world, "las"), proposal=proposal, decision="approve")
    agreement.refresh_from_db()
    assert agreement.term_end == datetime.date(2027, 12, 31) and agreement.version == 1
    proposal = services.change_decide(actor=actor(world, "idrott"), proposal=proposal, decision="approve")
    agreement.refresh_from_db()
    assert proposal.status == "approved"
    assert agreement.term_end == datetime.date(2028, 12, 31) and agreement.goal == "Nytt mål"
    assert agreement.version == 2
    history = services.version_history(agreement)
    labels = [r["label"] for r in history[0]["rows"]]
    assert "Gäller till" in labels and "Gemensamt mål" in labels and "Budgetplan" in labels


def test_one_rejection_fells_the_change(world):
    agreement = sign_all(world, draft(world))
    proposal = services.change_propose(
        actor=actor(world, "las"), agreement=agreement, description="Nytt mål", payload={"goal": "Annat"}
    )
    with pytest.raises(ValidationError):  # a rejection needs a reason
        services.change_decide(actor=actor(world, "owner"), proposal=proposal, decision="reject")
    proposal = services.change_decide(
        actor=actor(world, "owner"), proposal=proposal, decision="reject", reason="Målet är bra som det är."
    )
    agreement.refresh_from_db()
    assert proposal.status == "rejected" and agreement.goal != "Annat" and agreement.version == 1
    with pytest.raises(ValidationError):
        services.change_decide(actor=actor(world, "idrott"), proposal=proposal, decision="approve")


def test_change_replacing_contributions_is_atomic(world):
    agreement = sign_all(world, draft(world))
    las = world.orgs["las"].pk
    before = list(agreement.contributions.values_list("pk", flat=True))
    with pytest.raises(ValidationError):
        services.change_propose(
            actor=actor(world, "owner"),
            agreement=agreement,
            description="Nya bidrag",
            payload={
                "contributions": [
                    {
                        "organisation_id": las,
                        "kind": "volunteer",
                        "year": 2026,
                        "quantity": "10",
                        "unit": "timmar",
                    },
                    {
                        "organisation_id": las,
                        "kind": "volunteer",
                        "year": 2031,
                        "quantity": "10",
                        "unit": "timmar",
                    },
                ]
            },
        )
    assert list(agreement.contributions.values_list("pk", flat=True)) == before
    assert not agreement.change_proposals.exists()


def test_signing_is_atomic_when_the_partnership_fails(world, monkeypatch):
    agreement = draft(world)
    services.sign(actor=actor(world, "owner"), agreement=agreement)
    services.sign(actor=actor(world, "las"), agreement=agreement)

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "raise_to_partnership", boom)
    with pytest.raises(RuntimeError):
        services.sign(actor=actor(world, "idrott"), agreement=agreement)
    agreement.refresh_from_db()
    assert agreement.status == IopStatus.DRAFT and not agreement.versions.exists()
    assert agreement.parties.get(organisation=world.orgs["idrott"]).signed_at is None


def test_drafts_only_change_directly(world):
    agreement = sign_all(world, draft(world))
    with pytest.raises(ValidationError):
        services.contribution_add(
            actor=actor(world, "owner"),
            agreement=agreement,
            party=agreement.parties.first(),
            kind="money",
            year=2026,
            quantity=Decimal(1),
            unit="kr",
        )
    # Check-ins are logged at any time.
    services.check_in_add(
        actor=actor(world, "las"), agreement=agreement, date=datetime.date(2025, 6, 1), notes="Bra start"
    )
    assert agreement.check_ins.count() == 1


def test_invitation_hook_adds_an_ideburen_party_while_drafting(world):
    agreement = draft(world, associations=("las",))
    org = association(world, "ny", "Nya föreningen", 780)
    party = services.party_join_from_invitation(actor(world, "owner"), agreement, org)
    assert party.role == "ideburen"
    # Called again (an invitation accepted twice): still one party.
    assert services.party_join_from_invitation(actor(world, "owner"), agreement, org) == party
    assert agreement.parties.filter(organisation=org).count() == 1


def test_parties_see_it_others_do_not(world):
    agreement = draft(world)
    assert can(actor(world, "las", "viewer"), "iop.view", agreement)
    assert not can(actor(world, "unrelated"), "iop.view", agreement)
    assert not can(actor(world, "partner"), "iop.view", agreement)
    assert list(scope(actor(world, "idrott", "viewer"), IopAgreement.objects.all(), "iop.view")) == [
        agreement
    ]
    assert not scope(actor(world, "unrelated"), IopAgreement.objects.all(), "iop.view").exists()
