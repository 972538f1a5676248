"""What each organisation sees: lists are scoped, other organisations' objects are invisible."""

from __future__ import annotations

import datetime

from insats.accounts import services
from insats.accounts.models import Partnership
from tests.conftest import ROLES


def owner_partnership(world) -> Partnership:
    return Partnership.objects.get(organisation=world.orgs["owner"], partner=world.orgs["partner"])


def test_an_unrelated_organisation_sees_none_of_the_owners_partnerships(world, api_as):
    p = owner_partnership(world)
    for role in ROLES:
        api = api_as("unrelated", role)
        listed = api.get("/api/v1/partnerships").json()
        assert listed["count"] == 0 and listed["items"] == [], role
        assert api.get(f"/api/v1/partnerships/{p.pk}").status_code == 404, role
    admin = api_as("unrelated", "admin")
    response = admin.post(f"/api/v1/partnerships/{p.pk}/levels", {"level": 1, "valid_from": "2025-01-01"})
    assert response.status_code == 404
    assert p.levels.count() == 1


def test_both_parties_see_the_partnership(world, api_as):
    p = owner_partnership(world)
    for org in ("owner", "partner"):
        for role in ROLES:
            listed = api_as(org, role).get("/api/v1/partnerships").json()
            assert [item["id"] for item in listed["items"]] == [p.pk], (org, role)


def test_the_list_holds_only_the_actors_partnerships(world, api_as):
    # A partnership between partner and unrelated: owner must not see it, unrelated now sees one.
    services.partnership_create(
        actor=None,
        organisation=world.orgs["partner"],
        partner=world.orgs["unrelated"],
        level=2,
        valid_from=datetime.date(2025, 1, 1),
    )
    owner_ids = {i["id"] for i in api_as("owner", "viewer").get("/api/v1/partnerships").json()["items"]}
    partner_ids = {i["id"] for i in api_as("partner", "viewer").get("/api/v1/partnerships").json()["items"]}
    unrelated = api_as("unrelated", "viewer").get("/api/v1/partnerships").json()["items"]
    assert owner_ids == {owner_partnership(world).pk}
    assert len(partner_ids) == 2
    assert [(i["organisation"]["id"], i["partner"]["id"]) for i in unrelated] == [
        (world.orgs["partner"].pk, world.orgs["unrelated"].pk)
    ]


def test_the_detail_shows_the_level_history_newest_first(world, api_as):
    p = owner_partnership(world)
    services.partnership_set_level(
        actor=world.user("owner", "admin"),
        partnership=p,
        level=3,
        valid_from=datetime.date(2025, 2, 1),
        note="ned",
    )
    body = api_as("partner", "viewer").get(f"/api/v1/partnerships/{p.pk}").json()
    assert [(e["level"], e["valid_from"]) for e in body["levels"]] == [(3, "2025-02-01"), (5, "2024-01-01")]
    assert body["level"] == 3 and body["level_label"] == "3 Dialog"
    assert body["levels"][0]["recorded_by"] == "Admin Owner" and body["levels"][0]["note"] == "ned"
    assert body["organisation"]["name"] == "Tomelilla kommun"


def test_only_admins_list_members_and_only_their_own(world, api_as):
    for role in ROLES:
        response = api_as("owner", role).get("/api/v1/memberships")
        if role == "admin":
            emails = {row["user"]["email"] for row in response.json()["items"]}
            assert emails == {f"{r}@owner.test" for r in ROLES}
        else:
            assert response.status_code == 403, role
            assert response.json()["code"] == "forbidden"


def test_a_non_admin_of_a_party_may_read_but_not_change_the_level(world, api_as):
    p = owner_partnership(world)
    api = api_as("owner", "analyst")
    assert api.get(f"/api/v1/partnerships/{p.pk}").status_code == 200
    response = api.post(f"/api/v1/partnerships/{p.pk}/levels", {"level": 1, "valid_from": "2025-01-01"})
    assert response.status_code == 403
    created = api.post(
        "/api/v1/partnerships",
        {"partner_id": world.orgs["unrelated"].pk, "level": 1, "valid_from": "2025-01-01"},
    )
    assert created.status_code == 403
    assert p.levels.count() == 1 and Partnership.objects.count() == 1


def test_the_organisation_directory_is_open_to_every_role(world, api_as):
    for org in ("owner", "unrelated"):
        api = api_as(org, "viewer")
        names = [o["name"] for o in api.get("/api/v1/organisations").json()["items"]]
        assert names == sorted(o.name for o in world.orgs.values())
        other = world.orgs["partner"]
        detail = api.get(f"/api/v1/organisations/{other.pk}").json()
        assert (detail["name"], detail["kind"], detail["org_number"]) == (
            other.name,
            "larosate",
            other.org_number,
        )


def test_unknown_ids_answer_404(world, api_as):
    api = api_as("owner", "admin")
    assert api.get("/api/v1/organisations/999999").status_code == 404
    assert api.get("/api/v1/partnerships/999999").json() == {
        "type": "urn:insats:problem:not_found",
        "title": "Hittades inte",
        "status": 404,
        "detail": "Hittades inte.",
        "code": "not_found",
        "instance": "/api/v1/partnerships/999999",
    }
