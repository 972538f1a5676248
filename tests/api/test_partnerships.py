"""Writing through the API: creating partnerships and recording levels, and the 422s that name fields."""

from __future__ import annotations

import datetime

from insats.accounts.models import Partnership, PartnershipLevel
from insats.audit.models import AuditEntry

CREATE = "/api/v1/partnerships"


def fields(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    return {e["field"]: e["location"] for e in body["errors"]}


def test_an_admin_registers_a_partnership(world, api_as):
    api = api_as("owner", "admin")
    other = world.orgs["unrelated"]
    response = api.post(
        CREATE,
        {
            "partner_id": other.pk,
            "level": 3,
            "valid_from": "2025-04-01",
            "description": "IOP",
            "note": "start",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    p = Partnership.objects.get(pk=body["id"])
    assert (p.organisation_id, p.partner_id, p.description) == (world.orgs["owner"].pk, other.pk, "IOP")
    assert [(lv.level, lv.valid_from, lv.note) for lv in p.levels.all()] == [
        (3, datetime.date(2025, 4, 1), "start")
    ]
    assert body["partner"] == {"id": other.pk, "name": other.name}
    assert body["level"] == 3 and len(body["levels"]) == 1
    # Through the service, so audited as the token's user.
    actions = set(AuditEntry.objects.filter(object_id=str(p.pk)).values_list("action", "actor__email"))
    assert ("accounts.partnership.created", "admin@owner.test") in actions
    assert ("accounts.partnership.level_changed", "admin@owner.test") in actions


def test_an_admin_records_a_new_level(world, api_as):
    p = Partnership.objects.get(organisation=world.orgs["owner"])
    response = api_as("partner", "admin").post(
        f"/api/v1/partnerships/{p.pk}/levels", {"level": 4, "valid_from": "2025-09-01", "note": "ny fas"}
    )
    assert response.status_code == 201
    assert response.json()["level"] == 4 and response.json()["recorded_by"] == "Admin Partner"
    assert p.level_on(datetime.date(2025, 8, 31)) == 5
    assert p.level_on(datetime.date(2025, 9, 1)) == 4


def test_an_ended_partnership_keeps_its_level(world, api_as):
    p = Partnership.objects.get(organisation=world.orgs["owner"])
    p.ended_on = datetime.date(2025, 1, 1)
    p.save()
    response = api_as("owner", "admin").post(
        f"/api/v1/partnerships/{p.pk}/levels", {"level": 1, "valid_from": "2025-02-01"}
    )
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert p.levels.count() == 1


def test_validation_errors_name_each_field(world, api_as):
    api = api_as("owner", "admin")
    response = api.post(CREATE, {"partner_id": "RISE", "level": 6})
    assert fields(response) == {"partner_id": "body", "level": "body", "valid_from": "body"}
    bad_date = api.post(
        CREATE, {"partner_id": world.orgs["unrelated"].pk, "level": 0, "valid_from": "1 april"}
    )
    assert fields(bad_date) == {"level": "body", "valid_from": "body"}
    long_note = api.post(
        CREATE,
        {"partner_id": world.orgs["unrelated"].pk, "level": 1, "valid_from": "2025-01-01", "note": "x" * 501},
    )
    assert fields(long_note) == {"note": "body"}
    assert Partnership.objects.count() == 1


def test_the_partner_must_exist_differ_and_not_be_a_partner_already(world, api_as):
    api = api_as("owner", "admin")
    day = "2025-01-01"
    for partner_id in (999999, world.orgs["owner"].pk, world.orgs["partner"].pk):
        assert fields(api.post(CREATE, {"partner_id": partner_id, "level": 1, "valid_from": day})) == {
            "partner_id": "body"
        }
    # The other direction counts too: RISE registering Tomelilla again.
    reverse = api_as("partner", "admin").post(
        CREATE, {"partner_id": world.orgs["owner"].pk, "level": 1, "valid_from": day}
    )
    assert fields(reverse) == {"partner_id": "body"}
    assert Partnership.objects.count() == 1 and PartnershipLevel.objects.count() == 1


def test_query_and_path_errors_name_their_parameter(world, api_as):
    api = api_as("owner", "viewer")
    assert fields(api.get("/api/v1/organisations", kind="kyrka")) == {"kind": "query"}
    assert fields(api.get("/api/v1/organisations", page=0, page_size=500)) == {
        "page": "query",
        "page_size": "query",
    }
    assert fields(api.get("/api/v1/partnerships/abc")) == {"partnership_id": "path"}
    assert fields(api.get("/api/v1/partnerships", active="kanske")) == {"active": "query"}


def test_a_body_that_is_not_json_is_a_bad_request(world, api_as):
    response = api_as("owner", "admin").post(CREATE, "{not json")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
