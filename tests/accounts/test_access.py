"""access.py: relations, can/scope agreement, shares, partnerships, federations, anonymous actors.

The expectations come from DESIGN.md ("Tenancy and trust"), not from reading RULES back: e.g. an
organisation's members are its own business, a förbund's bodies are seen by its members, a share
grants exactly the organisation it names and stops when revoked.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insats.accounts import access, services
from insats.accounts.access import ANONYMOUS, Actor
from insats.accounts.models import (
    BackgroundJob,
    FederationMember,
    GovernanceBody,
    Invitation,
    Membership,
    Organisation,
    Partnership,
    Role,
    Seat,
    Share,
    User,
)
from tests.conftest import ROLES

ORGS = ["owner", "partner", "unrelated", "federation"]


def actor(world, org: str, role: str) -> Actor:
    return Actor(user=world.user(org, role), membership=world.membership(org, role))


def make_body(world, org: str, name: str = "Styrgrupp") -> GovernanceBody:
    return services.body_create(
        actor=None, organisation=world.orgs[org], kind="styrgrupp", name=f"{name} {org}"
    )


@pytest.fixture
def objects(world):
    """Bodies, seats, an invitation and jobs across the world's organisations."""
    bodies = {org: make_body(world, org) for org in ORGS}
    for org, body in bodies.items():
        services.seat_add(
            actor=None,
            body=body,
            person_name=f"Ledamot {org}",
            represents=world.orgs[org],
            role="official",
            term_start=datetime.date(2025, 1, 1),
        )
    services.invitation_create(
        actor=None,
        organisation=world.orgs["owner"],
        email="ny@owner.test",
        role="viewer",
        base_url="http://testserver/",
    )
    for org in ORGS:
        BackgroundJob.objects.create(
            user=world.user(org, "analyst"), organisation=world.orgs[org], kind="k", title=f"Jobb {org}"
        )
    return bodies


# Abilities with the model whose rows they are asked about.
MODEL_OF = {
    "organisation.view": Organisation,
    "organisation.edit": Organisation,
    "membership.view": Membership,
    "membership.manage": Membership,
    "federation.view": FederationMember,
    "federation.manage": FederationMember,
    "partnership.view": Partnership,
    "partnership.manage": Partnership,
    "governance.view": GovernanceBody,
    "governance.manage": Seat,
    "token.manage": None,
    "job.view": BackgroundJob,
}


# --- scope never widens and agrees with can ---------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ability=st.sampled_from(sorted(a for a, m in MODEL_OF.items() if m is not None)),
    org=st.sampled_from(ORGS),
    role=st.sampled_from(ROLES),
    keep=st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_scope_never_widens_and_agrees_with_can(world, objects, ability, org, role, keep):
    model = MODEL_OF[ability]
    a = actor(world, org, role)
    all_pks = sorted(model.objects.values_list("pk", flat=True))
    subset = [pk for pk, k in zip(all_pks, keep * 10, strict=False) if k]
    base = model.objects.filter(pk__in=subset)
    scoped = set(access.scope(a, base, ability).values_list("pk", flat=True))
    assert scoped <= set(subset), "scope() returned rows outside the queryset it was given"
    # Object by object, scope() and can() say the same thing.
    for obj in base:
        assert (obj.pk in scoped) == access.can(a, ability, obj), (ability, org, role, obj)


def test_scope_keeps_filters_of_the_given_queryset(world, objects):
    a = actor(world, "owner", "admin")
    only_partner = Organisation.objects.filter(pk=world.orgs["partner"].pk)
    assert list(access.scope(a, only_partner, "organisation.view")) == [world.orgs["partner"]]
    assert list(access.scope(a, Organisation.objects.none(), "organisation.view")) == []


# --- the directory, own organisation, roles ----------------------------------------------------------


def test_directory_is_open_to_every_role_of_every_organisation(world):
    for org in ORGS:
        for role in ROLES:
            assert access.can(actor(world, org, role), "organisation.view", world.orgs["owner"])


def test_only_own_admins_edit_and_manage_members(world):
    owner = world.orgs["owner"]
    assert access.can(actor(world, "owner", "admin"), "organisation.edit", owner)
    assert access.can(actor(world, "owner", "admin"), "membership.manage", owner)
    for role in set(ROLES) - {"admin"}:
        assert not access.can(actor(world, "owner", role), "organisation.edit", owner)
        assert not access.can(actor(world, "owner", role), "membership.view", owner)
    for org in ("partner", "unrelated", "federation"):
        assert not access.can(actor(world, org, "admin"), "organisation.edit", owner)
        assert not access.can(actor(world, org, "admin"), "membership.view", owner)


def test_members_scope_is_the_admins_own_organisation(world):
    a = actor(world, "partner", "admin")
    members = access.scope(a, Membership.objects.all(), "membership.view")
    assert {m.organisation_id for m in members} == {world.orgs["partner"].pk}
    assert members.count() == len(ROLES)


def test_unknown_ability_is_an_error_not_a_refusal(world):
    with pytest.raises(KeyError, match="no.such"):
        access.can(actor(world, "owner", "admin"), "no.such")


# --- anonymous and membership-less actors ---------------------------------------------------------


def test_anonymous_can_do_nothing(world, objects):
    for ability in sorted(access.RULES):
        assert not access.can(ANONYMOUS, ability), ability
        assert not access.can(ANONYMOUS, ability, world.orgs["owner"]), ability
        model = MODEL_OF.get(ability) or Organisation
        assert access.scope(ANONYMOUS, model.objects.all(), ability).count() == 0, ability


def test_anonymous_has_no_relation_but_any(world, objects):
    assert access.relations(ANONYMOUS, objects["owner"]) == {"any"}


def test_user_without_membership_sees_nothing(world, objects):
    user = User.objects.create_user("ingen@roll.test", "x-Lösenord-123", full_name="Ingen Roll")
    a = Actor(user=user, membership=None)
    assert a.is_authenticated
    for ability in ("organisation.view", "partnership.view", "governance.view", "audit.view", "api.use"):
        assert not access.can(a, ability)
    assert access.scope(a, Organisation.objects.all(), "organisation.view").count() == 0
    assert access.scope(a, GovernanceBody.objects.all(), "governance.view").count() == 0


def test_inactive_user_is_not_authenticated_through_the_request(world, rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    assert access.actor_for(request) is ANONYMOUS


# --- partnerships ---------------------------------------------------------------------------------


def test_partnership_relation_is_mutual_and_only_between_the_parties(world, objects):
    assert "partner" in access.relations(actor(world, "partner", "viewer"), objects["owner"])
    assert "partner" in access.relations(actor(world, "owner", "viewer"), objects["partner"])
    assert "partner" not in access.relations(actor(world, "unrelated", "viewer"), objects["owner"])
    assert "partner" not in access.relations(actor(world, "partner", "viewer"), objects["unrelated"])


def test_ended_partnership_is_no_longer_a_partner_relation(world, objects):
    p = Partnership.objects.get(organisation=world.orgs["owner"], partner=world.orgs["partner"])
    services.partnership_end(actor=None, partnership=p, ended_on=datetime.date(2026, 1, 31))
    assert "partner" not in access.relations(actor(world, "partner", "viewer"), objects["owner"])


def test_both_parties_see_the_partnership_nobody_else(world):
    p = Partnership.objects.get(organisation=world.orgs["owner"], partner=world.orgs["partner"])
    for role in ROLES:
        assert access.can(actor(world, "owner", role), "partnership.view", p)
        assert access.can(actor(world, "partner", role), "partnership.view", p)
        assert not access.can(actor(world, "unrelated", role), "partnership.view", p)
        assert not access.can(actor(world, "federation", role), "partnership.view", p)
    scoped = access.scope(actor(world, "unrelated", "admin"), Partnership.objects.all(), "partnership.view")
    assert scoped.count() == 0


def test_partner_relation_does_not_open_the_partners_bodies(world, objects):
    """Being a partner is not sharing: RISE does not see Tomelilla's governance bodies."""
    a = actor(world, "partner", "admin")
    assert not access.can(a, "governance.view", objects["owner"])
    visible = set(access.scope(a, GovernanceBody.objects.all(), "governance.view"))
    assert visible == {objects["partner"]}


# --- federations ------------------------------------------------------------------------------------


def test_members_see_the_federations_bodies_but_not_the_reverse(world, objects):
    member = actor(world, "owner", "viewer")
    fed = actor(world, "federation", "viewer")
    assert "federation" in access.relations(member, objects["federation"])
    assert access.can(member, "governance.view", objects["federation"])
    assert not access.can(fed, "governance.view", objects["owner"])
    assert set(access.scope(member, GovernanceBody.objects.all(), "governance.view")) == {
        objects["owner"],
        objects["federation"],
    }


def test_membership_in_a_federation_gives_no_management(world, objects):
    member_admin = actor(world, "owner", "admin")
    assert not access.can(member_admin, "governance.manage", objects["federation"])
    assert not access.can(member_admin, "federation.manage", world.orgs["federation"])
    assert access.can(actor(world, "federation", "admin"), "federation.manage", world.orgs["federation"])


def test_non_members_do_not_see_the_federation(world, objects):
    for org in ("partner", "unrelated"):
        a = actor(world, org, "admin")
        assert "federation" not in access.relations(a, objects["federation"])
        assert not access.can(a, "governance.view", objects["federation"])
        assert not access.can(a, "federation.view", world.orgs["federation"])


def test_leaving_the_federation_closes_it(world, objects):
    FederationMember.objects.filter(federation=world.orgs["federation"], member=world.orgs["owner"]).delete()
    assert not access.can(actor(world, "owner", "viewer"), "governance.view", objects["federation"])


# --- shares (the mechanism, with a rule that admits shared objects) -----------------------------------


@pytest.fixture
def shared_rule(monkeypatch):
    monkeypatch.setitem(access.RULES, "test.shared_view", access.rule(access.ALL_ROLES, {"own", "shared"}))
    return "test.shared_view"


def share(world, obj, to: str, **extra) -> Share:
    return Share.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        owner=world.orgs["owner"],
        organisation=world.orgs[to],
        purpose="Test",
        **extra,
    )


def test_share_grants_exactly_the_named_organisation_and_object(world, objects, shared_rule):
    share(world, objects["owner"], "unrelated")
    other_body = make_body(world, "owner", "Annan")
    unrelated, partner = actor(world, "unrelated", "viewer"), actor(world, "partner", "viewer")
    assert access.can(unrelated, shared_rule, objects["owner"])
    assert not access.can(unrelated, shared_rule, other_body)
    assert not access.can(partner, shared_rule, objects["owner"])
    assert set(access.scope(unrelated, GovernanceBody.objects.all(), shared_rule)) == {
        objects["owner"],
        objects["unrelated"],
    }
    assert objects["owner"] not in set(access.scope(partner, GovernanceBody.objects.all(), shared_rule))


def test_share_of_another_model_with_the_same_id_grants_nothing(world, objects, shared_rule):
    body = objects["owner"]
    Share.objects.create(
        content_type=ContentType.objects.get_for_model(Invitation),
        object_id=str(body.pk),
        owner=world.orgs["owner"],
        organisation=world.orgs["unrelated"],
        purpose="Fel typ",
    )
    a = actor(world, "unrelated", "viewer")
    assert not access.can(a, shared_rule, body)
    assert body not in set(access.scope(a, GovernanceBody.objects.all(), shared_rule))


def test_revoked_share_stops_working(world, objects, shared_rule):
    s = share(world, objects["owner"], "unrelated")
    a = actor(world, "unrelated", "viewer")
    assert access.can(a, shared_rule, objects["owner"])
    s.revoked_at = timezone.now()
    s.save()
    fresh = actor(world, "unrelated", "viewer")
    assert not access.can(fresh, shared_rule, objects["owner"])
    assert objects["owner"] not in set(access.scope(fresh, GovernanceBody.objects.all(), shared_rule))


def test_share_does_not_help_a_rule_without_the_shared_relation(world, objects):
    share(world, objects["owner"], "unrelated")
    # governance.view includes "shared"; governance.manage (own only) must not be widened by a share.
    assert access.can(actor(world, "unrelated", "admin"), "governance.view", objects["owner"])
    assert not access.can(actor(world, "unrelated", "admin"), "governance.manage", objects["owner"])


def test_shares_are_managed_by_the_organisation_that_granted_them(world, objects):
    """The granting organisation's admins manage a share; the receiving one's admins do not.

    Fails while ``Share`` lacks ``access_owner_field = "owner"``: access.py then takes the
    *receiving* organisation (``Share.organisation``) as the owner.
    """
    s = share(world, objects["owner"], "unrelated")
    assert access.can(actor(world, "owner", "admin"), "share.manage", s)
    assert not access.can(actor(world, "unrelated", "admin"), "share.manage", s)
    assert list(access.scope(actor(world, "owner", "admin"), Share.objects.all(), "share.manage")) == [s]


# --- personal objects ----------------------------------------------------------------------------


def test_jobs_are_personal(world, objects):
    job = BackgroundJob.objects.get(user=world.user("owner", "analyst"))
    assert access.can(actor(world, "owner", "analyst"), "job.view", job)
    assert not access.can(actor(world, "owner", "admin"), "job.view", job)
    assert not access.can(actor(world, "owner", "viewer"), "job.view", job)
    assert list(access.scope(actor(world, "owner", "admin"), BackgroundJob.objects.all(), "job.view")) == []
    mine = access.scope(actor(world, "owner", "analyst"), BackgroundJob.objects.all(), "job.view")
    assert list(mine) == [job]


# --- get_or_404 and check ----------------------------------------------------------------------------


def test_get_or_404_hides_what_cannot_be_seen_and_refuses_what_can(world, objects):
    owner = world.orgs["owner"]
    qs = Organisation.objects.all()
    # Visible (directory) but not editable: 403.
    with pytest.raises(PermissionDenied):
        access.get_or_404(actor(world, "owner", "viewer"), qs, "organisation.edit", pk=owner.pk)
    # Invisible body of an unrelated organisation: 404, not 403 (no hint that it exists).
    with pytest.raises(Http404):
        access.get_or_404(
            actor(world, "unrelated", "admin"),
            GovernanceBody.objects.all(),
            "governance.view",
            pk=objects["owner"].pk,
        )
    with pytest.raises(Http404):
        access.get_or_404(actor(world, "owner", "admin"), qs, "organisation.view", pk=10**9)
    assert access.get_or_404(actor(world, "owner", "admin"), qs, "organisation.edit", pk=owner.pk) == owner


def test_check_raises_permission_denied_naming_the_ability(world):
    with pytest.raises(PermissionDenied, match="audit.view"):
        access.check(actor(world, "owner", "viewer"), "audit.view")
    access.check(actor(world, "owner", "admin"), "audit.view")


def test_roles_are_the_designs_seven():
    assert (
        set(ROLES)
        == {r.value for r in Role}
        == {"admin", "analyst", "procurement", "evaluator", "contract_manager", "caseworker", "viewer"}
    )
