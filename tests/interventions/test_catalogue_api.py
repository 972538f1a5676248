"""API /api/v1/interventions: create, read, update, delete and versions through the same services
(versions and audit written), errors naming the field or the row's field, access through access.py."""

from __future__ import annotations

import json

import pytest

from insats.audit.models import AuditEntry
from insats.interventions.catalogue.models import AgeBand, Intervention
from tests.api.conftest import Api, bearer, make_token

BASE = "/api/v1/interventions"
pytestmark = pytest.mark.django_db


def api(client, world, org="owner", role="analyst") -> Api:
    return Api(client, make_token(world.membership(org, role)))


def fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def body(**extra):
    return {
        "name": "Komet",
        "intensity": "riktad",
        "status": "pagaende",
        "annual_budget": "200000",
        "budget_year": 2024,
        "staffing": [{"profession": "Socionom", "people": 2, "fte": "1.5"}],
        "funding": [{"funder_name": "Statsbidrag", "year": 2024, "amount": "150000"}],
        "reach": [{"year": 2024, "area_code": "1270", "participants": 40}],
        **extra,
    }


def test_create_read_update_versions_delete(client, world):
    a = api(client, world)
    band = AgeBand.objects.get(organisation=None, label="7–13 år")
    r = a.post(BASE, body(age_band_ids=[band.pk]))
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["version"] == 1 and created["organisation_id"] == world.orgs["owner"].pk
    assert created["staffing"][0]["fte"] == "1.50" or float(created["staffing"][0]["fte"]) == 1.5
    # 200 000 kr / 40 participants in 2024 = 5 000 kr; the one funder has the whole share.
    assert float(created["cost_per_participant"]) == 5000
    assert [(f["funder"], float(f["share"])) for f in created["funder_shares"]] == [("Statsbidrag", 1.0)]
    pk = created["id"]

    listed = a.get(BASE, intensity="riktad").json()
    assert listed["count"] == 1 and listed["items"][0]["age_band_ids"] == [band.pk]
    assert a.get(BASE, intensity="behandling").json()["count"] == 0

    changed = client.put(
        f"{BASE}/{pk}",
        data=json.dumps(body(capacity_per_year=30, age_band_ids=[band.pk])),
        content_type="application/json",
        **a.headers,
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["version"] == 2 and changed.json()["capacity_per_year"] == 30
    versions = a.get(f"{BASE}/{pk}/versions").json()
    assert [v["number"] for v in versions["items"]] == [2, 1]
    assert versions["items"][0]["summary"] == "Ändrat: Platser per år."

    gone = client.delete(f"{BASE}/{pk}", **a.headers)
    assert gone.status_code == 200 and gone.json()["versions"] == 2 and gone.json()["staffing"] == 1
    assert not Intervention.objects.filter(pk=pk).exists()
    assert AuditEntry.objects.filter(action="interventions.intervention.deleted", object_id=str(pk)).exists()


def test_a_bad_row_names_the_row_and_field_and_saves_nothing(client, world):
    a = api(client, world)
    r = a.post(
        BASE,
        body(
            staffing=[
                {"profession": "Socionom", "people": 2, "fte": "1"},
                {"profession": "", "people": 1, "fte": "1"},
            ]
        ),
    )
    assert r.status_code == 422
    assert "staffing.1.profession" in fields(r)
    assert not Intervention.objects.exists()


def test_a_row_the_service_refuses_is_named_too(client, world):
    a = api(client, world)
    r = a.post(BASE, body(funding=[{"year": 2024, "amount": "1"}]))  # neither funder nor name
    assert r.status_code == 422 and "funding.0.funder_id" in fields(r)
    assert not Intervention.objects.exists()


def test_unknown_links_and_foreign_age_bands_are_refused(client, world):
    other = AgeBand.objects.create(
        organisation=world.orgs["unrelated"], label="6–10 år", age_from=6, age_to=10
    )
    r = api(client, world).post(BASE, body(age_band_ids=[other.pk], area_codes=["9999"]))
    assert r.status_code == 422 and fields(r) == {"age_band_ids", "area_codes"}


def test_end_before_start_names_the_field(client, world):
    r = api(client, world).post(BASE, body(start="2024-05-01", end="2024-01-01"))
    assert r.status_code == 422 and "end" in fields(r)


def test_access(client, world):
    pk = api(client, world).post(BASE, body()).json()["id"]
    viewer = api(client, world, role="viewer")
    assert viewer.get(f"{BASE}/{pk}").status_code == 200
    assert viewer.post(BASE, body()).status_code == 403
    stranger = api(client, world, org="unrelated", role="admin")
    assert stranger.get(f"{BASE}/{pk}").status_code == 404
    assert stranger.get(BASE).json()["count"] == 0
    member = api(client, world, org="owner", role="viewer")
    fed = api(client, world, org="federation", role="analyst").post(BASE, body(name="Förbundets"))
    assert fed.status_code == 201
    assert member.get(f"{BASE}/{fed.json()['id']}").status_code == 200
    assert client.get(BASE).status_code == 401
    assert client.get(BASE, **bearer("nonsense")).status_code == 401
