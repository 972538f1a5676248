"""Changes by joint decision: every party approves before a change takes effect; the last approval
applies it in one transaction and makes a version; a rejection (with reason) stops it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from insats.contracts import services_changes
from insats.contracts.models import ContractVersion, ProposalStatus
from tests.matrix.contracts import BASELINE_RULE, actor, draft_contract, sign_all

pytestmark = pytest.mark.django_db

PARTIES = ["owner", "provider", "fund", "partner"]


def _price_change(world, c, price="260000", by="owner"):
    return services_changes.propose(
        actor=actor(world, by),
        contract=c,
        kind="prices",
        description="Indexuppräkning",
        payload={"metrics": [{"code": "placeringar", "rule": dict(BASELINE_RULE, price=price)}]},
    )


def test_change_takes_effect_only_when_every_party_has_approved(world):
    c = sign_all(world, draft_contract(world))
    p = _price_change(world, c)
    for org in ["provider", "fund"]:
        services_changes.decide(actor=actor(world, org, "contract_manager"), proposal=p, decision="approve")
        p.refresh_from_db()
        assert p.status == ProposalStatus.OPEN
        assert c.metrics.get().rule["price"] == "250000"  # not yet
    services_changes.decide(actor=actor(world, "partner", "admin"), proposal=p, decision="approve")
    p.refresh_from_db()
    c.refresh_from_db()
    assert p.status == ProposalStatus.APPROVED
    assert c.metrics.get().rule["price"] == "260000"
    assert c.version == 2
    v2 = ContractVersion.objects.get(contract=c, number=2)
    assert p.resulting_version == v2
    assert {a["party"] for a in v2.approved_by} == {world.orgs[o].name for o in PARTIES}
    history = services_changes.version_history(c)
    assert [row["version"].number for row in history] == [2, 1]
    assert history[0]["diff"] == [("metrics.placeringar.rule.price", "250000", "260000")]


def test_a_rejection_with_reason_stops_the_change(world):
    c = sign_all(world, draft_contract(world))
    p = _price_change(world, c)
    with pytest.raises(ValidationError) as exc:
        services_changes.decide(actor=actor(world, "fund"), proposal=p, decision="reject", reason="")
    assert "reason" in exc.value.message_dict
    services_changes.decide(actor=actor(world, "fund"), proposal=p, decision="reject", reason="För dyrt")
    p.refresh_from_db()
    assert p.status == ProposalStatus.REJECTED
    with pytest.raises(ValidationError):
        services_changes.decide(actor=actor(world, "provider"), proposal=p, decision="approve")
    assert c.metrics.get().rule["price"] == "250000"
    assert not ContractVersion.objects.filter(contract=c, number=2).exists()


def test_each_party_decides_once_and_only_parties_decide(world):
    c = sign_all(world, draft_contract(world))
    p = _price_change(world, c)
    with pytest.raises(ValidationError):  # the proposer's approval is already recorded
        services_changes.decide(
            actor=actor(world, "owner", "contract_manager"), proposal=p, decision="approve"
        )
    with pytest.raises(ValidationError):
        services_changes.decide(actor=actor(world, "unrelated"), proposal=p, decision="approve")


def test_invalid_payload_is_refused_when_proposed(world):
    c = sign_all(world, draft_contract(world))
    with pytest.raises(ValidationError) as exc:
        services_changes.propose(
            actor=actor(world, "provider"),
            contract=c,
            kind="prices",
            description="Två priser",
            payload={
                "metrics": [{"code": "placeringar", "rule": dict(BASELINE_RULE, tiers=[{"price": "1"}])}]
            },
        )
    assert "price" in " ".join(exc.value.message_dict["payload"])
    assert c.metrics.get().rule == BASELINE_RULE  # the dry run was rolled back


def test_no_joint_change_before_signing_and_withdrawal_by_proposer_only(world):
    c = draft_contract(world)
    with pytest.raises(ValidationError):
        _price_change(world, c)
    c = sign_all(world, c)
    p = _price_change(world, c, by="provider")
    with pytest.raises(ValidationError):
        services_changes.withdraw(actor=actor(world, "owner"), proposal=p)
    services_changes.withdraw(actor=actor(world, "provider"), proposal=p)
    p.refresh_from_db()
    assert p.status == ProposalStatus.WITHDRAWN


def test_financing_and_action_plan_changes_apply(world):
    c = sign_all(world, draft_contract(world))
    p = services_changes.propose(
        actor=actor(world, "fund"),
        contract=c,
        kind="financing",
        description="Högre ränta",
        payload={"annual_rate": "0.06"},
    )
    for org in ["owner", "provider", "partner"]:
        services_changes.decide(actor=actor(world, org), proposal=p, decision="approve")
    c.refresh_from_db()
    assert c.financing.annual_rate == Decimal("0.06")
    provider = c.parties.get(role="provider").pk
    p = services_changes.propose(
        actor=actor(world, "provider"),
        contract=c,
        kind="action_plan",
        description="Ny plan",
        payload={"actions": [{"title": "Handledning", "owner_party": provider, "start": "2026-03-01"}]},
    )
    for org in ["owner", "fund", "partner"]:
        services_changes.decide(actor=actor(world, org), proposal=p, decision="approve")
    assert list(c.actions.values_list("title", flat=True)) == ["Handledning"]
    assert c.versions.count() == 3


leaf = st.one_of(st.integers(-5, 5), st.text("ab", max_size=2), st.none())
tree = st.recursive(
    leaf,
    lambda children: st.dictionaries(st.text("xyz", min_size=1, max_size=2), children, max_size=3),
    max_leaves=8,
)


@given(
    a=st.dictionaries(st.text("xyz", min_size=1, max_size=2), tree, max_size=4),
    b=st.dictionaries(st.text("xyz", min_size=1, max_size=2), tree, max_size=4),
)
def test_diff_is_empty_exactly_when_the_leaves_are_equal_and_names_each_changed_leaf(a, b):
    d = services_changes.diff(a, b)
    fa, fb = services_changes._flatten(a), services_changes._flatten(b)
    assert (d == []) == (fa == fb)
    for field, old, new in d:
        assert fa.get(field) == old and fb.get(field) == new
        assert old != new or (field in fa) != (field in fb)
    # diff against itself is empty; swapping sides swaps old and new
    assert services_changes.diff(a, a) == []
    assert [(f, n, o) for f, o, n in services_changes.diff(b, a)] == d


def test_the_policy_sector_is_part_of_the_snapshot_and_the_version_diff(world):
    from insats.contracts import services

    c = draft_contract(world)
    c.policy_sector = "Health"
    before = services.snapshot(c)
    assert before["contract"]["policy_sector"] == "Health"
    c.policy_sector = "Child and family welfare"
    after = services.snapshot(c)
    assert ("contract.policy_sector", "Health", "Child and family welfare") in services_changes.diff(
        before, after
    )
