"""Who may do what with a contract: every party role × every member role × every contract ability,
against a table written from issue 5 (not copied from access.RULES), and ``scope`` agreeing with
``can`` in one query. Nobody who is not a party sees anything."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insats.accounts import access
from insats.accounts import services as account_services
from insats.accounts.models import User
from insats.contracts import services
from insats.contracts.models import Contract, OutcomeMetric, period_schedule
from tests.conftest import ROLES, org_number
from tests.matrix.contracts import actor, draft_contract

pytestmark = pytest.mark.django_db

MANAGERS = {"admin", "contract_manager"}
ALL = set(ROLES)
PARTY_ROLES = ["commissioner", "payer", "provider", "fund", "validator", "intermediary"]

# ability -> (party roles, member roles) that hold it; written from the text.
EXPECTED = {
    "contract.view": (set(PARTY_ROLES), ALL),
    "contract.edit": ({"commissioner"}, MANAGERS),
    "contract.financing.edit": ({"commissioner", "fund"}, MANAGERS),
    "contract.sign": (set(PARTY_ROLES), MANAGERS),
    "contract.change.propose": (set(PARTY_ROLES), MANAGERS),
    "contract.change.decide": (set(PARTY_ROLES), MANAGERS),
    "contract.action.edit": ({"commissioner", "provider"}, MANAGERS),
    "contract.business_case.view": (set(PARTY_ROLES), ALL),
    "contract.business_case.run": (
        {"commissioner", "fund", "provider", "intermediary"},
        MANAGERS | {"analyst"},
    ),
    "contract.result.view": (set(PARTY_ROLES), ALL),
    "contract.result.report": ({"provider", "validator"}, MANAGERS | {"analyst", "evaluator"}),
    "contract.result.validate": ({"validator"}, {"evaluator"}),
    "contract.payment.view": ({"commissioner", "payer", "provider", "fund", "intermediary"}, ALL),
    "contract.payment.manage": ({"commissioner", "payer", "provider"}, MANAGERS),
    "contract.ledger.view": ({"commissioner", "fund"}, ALL),
    "contract.export": (set(PARTY_ROLES), MANAGERS | {"analyst"}),
}


def _with_every_party_role(world):
    c = draft_contract(world)
    owner = actor(world, "owner")
    org = account_services.organisation_create(
        actor=None, name="Mellanhanden AB", org_number=org_number(3001), kind="foretag", area_code=""
    )
    world.orgs["intermediary"] = org
    for role in ROLES:
        user = User.objects.create_user(f"{role}@intermediary.test", "Testlösenord-123")
        account_services.membership_add(actor=None, user=user, organisation=org, role=role)
        world.users[("intermediary", role)] = user
    services.party_update(actor=owner, party=c.parties.get(role="commissioner"), payer_share=Decimal(75))
    services.party_add(
        actor=owner, contract=c, organisation=world.orgs["federation"], role="payer", payer_share=Decimal(25)
    )
    services.party_add(actor=owner, contract=c, organisation=org, role="intermediary")
    return c


ORG_OF = {
    "commissioner": "owner",
    "payer": "federation",
    "provider": "provider",
    "fund": "fund",
    "validator": "partner",
    "intermediary": "intermediary",
}


def test_every_party_role_and_member_role_against_every_ability(world):
    c = _with_every_party_role(world)
    assert set(EXPECTED) == {a for a in access.RULES if a.startswith("contract.")} - {"contract.create"}
    wrong = []
    for party_role, org in ORG_OF.items():
        for role in ROLES:
            a = actor(world, org, role)
            for ability, (party_roles, member_roles) in EXPECTED.items():
                expected = party_role in party_roles and role in member_roles
                if access.can(a, ability, c) != expected:
                    wrong.append(f"{role}@{party_role} {ability}: expected {expected}")
                in_scope = access.scope(a, Contract.objects.all(), ability).filter(pk=c.pk).exists()
                if in_scope != expected:
                    wrong.append(f"{role}@{party_role} {ability} (scope): expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_unrelated_organisation_has_no_ability_and_sees_no_object(world):
    c = _with_every_party_role(world)
    for role in ROLES:
        a = actor(world, "unrelated", role)
        for ability in EXPECTED:
            assert not access.can(a, ability, c)
            assert not access.scope(a, Contract.objects.all(), ability).exists()
        assert not access.scope(a, OutcomeMetric.objects.all(), "contract.view").exists()
        metric = c.metrics.get()
        assert not access.can(a, "contract.view", metric)


def test_child_objects_follow_the_contract(world):
    c = _with_every_party_role(world)
    metric = c.metrics.get()
    validator = actor(world, "partner", "evaluator")
    assert access.can(validator, "contract.view", metric)
    assert list(access.scope(validator, OutcomeMetric.objects.all(), "contract.view")) == [metric]
    fund_viewer = actor(world, "fund", "viewer")
    assert access.can(fund_viewer, "contract.ledger.view", metric)
    assert not access.can(actor(world, "provider", "viewer"), "contract.ledger.view", metric)


def test_scope_is_one_query_without_duplicates(world, django_assert_num_queries):
    c = _with_every_party_role(world)
    other = services.contract_create(
        actor=actor(world, "fund"),
        owner=world.orgs["fund"],
        title="Fondens eget",
        reference="fond",
        term_start=datetime.date(2026, 1, 1),
        term_end=datetime.date(2027, 12, 31),
    )
    a = actor(world, "owner", "viewer")
    a.organisation_id  # noqa: B018 - the membership is loaded before counting
    with django_assert_num_queries(1):
        ids = list(access.scope(a, Contract.objects.all(), "contract.view").values_list("pk", flat=True))
    assert ids == [c.pk]  # owner and party at once: listed once; the fund's own contract not at all
    fund = actor(world, "fund", "viewer")
    ids = sorted(access.scope(fund, Contract.objects.all(), "contract.view").values_list("pk", flat=True))
    assert ids == sorted([c.pk, other.pk])


@given(
    start=st.dates(datetime.date(2020, 1, 1), datetime.date(2035, 12, 31)),
    days=st.integers(0, 2000),
    kind=st.sampled_from(["year", "half", "quarter", "month"]),
)
def test_period_schedule_covers_the_term_contiguously(start, days, kind):
    end = start + datetime.timedelta(days=days)
    periods = period_schedule(start, end, kind)
    assert periods[0]["start"] <= start <= periods[0]["end"]
    assert periods[-1]["start"] <= end <= periods[-1]["end"]
    for a, b in zip(periods, periods[1:], strict=False):
        assert b["start"] == a["end"] + datetime.timedelta(days=1)
    assert len({p["id"] for p in periods}) == len(periods)
    months = {"year": 12, "half": 6, "quarter": 3, "month": 1}[kind]
    for p in periods:
        assert p["start"].day == 1 and (p["start"].month - 1) % months == 0
