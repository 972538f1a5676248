"""API /api/v1/interventions/plans: plans, entities, interventions per entity, success factors with
the lägesbild's targets, versions and adoption — problem+json naming the field, access via access.py."""

from __future__ import annotations

import json

import pytest

from insats.interventions.plans.models import PlanStatus
from tests.api.conftest import Api, make_token

from .plans_fixtures import build

BASE = "/api/v1/interventions/plans"
pytestmark = pytest.mark.django_db


def api(client, world, org="owner", role="analyst") -> Api:
    return Api(client, make_token(world.membership(org, role)))


def patch(a: Api, path, body):
    return a.client.patch(path, data=json.dumps(body), content_type="application/json", **a.headers)


def fields(response) -> set[str]:
    assert response["Content-Type"].startswith("application/problem+json")
    return {e["field"] for e in response.json()["errors"]}


def test_plan_create_read_update(client, world):
    data = build(world)
    a = api(client, world)
    r = a.post(BASE, {"title": "API-plan", "period_start": 2027, "period_end": 2026})
    assert r.status_code == 422 and "period_end" in fields(r)
    r = a.post(BASE, {"title": "API-plan", "period_start": 2026, "period_end": 2030, "vision": "V"})
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    assert r.json()["status"] == "utkast" and r.json()["organisation_id"] == world.orgs["owner"].pk
    r = patch(a, f"{BASE}/{pid}", {"goals": "Färre orosanmälningar"})
    assert r.status_code == 200 and r.json()["goals"] == "Färre orosanmälningar" and r.json()["vision"] == "V"
    titles = [p["title"] for p in a.get(BASE).json()["items"]]
    assert set(titles) == {"API-plan", data["plan"].title}
    detail = a.get(f"{BASE}/{pid}").json()
    assert detail["current_version"] == 2 and detail["adopted_version"] is None


def test_entities_interventions_and_success_factors(client, world):
    d = build(world)
    a = api(client, world)
    pid = d["plan"].pk
    r = a.post(
        f"{BASE}/{pid}/entities", {"kind": "enhet", "name": "BVC", "governance_body_id": d["foreign_body"].pk}
    )
    assert r.status_code == 422 and "governance_body_id" in fields(r)
    r = a.post(f"{BASE}/{pid}/entities", {"kind": "partner", "name": "Föreningen", "tools": "Lokaler"})
    assert r.status_code == 201 and r.json()["tools"] == "Lokaler"
    eid = r.json()["id"]
    url = f"{BASE}/{pid}/entities/{eid}/interventions"
    r = a.post(url, {"intervention_id": d["other"].pk})
    assert r.status_code == 422 and "intervention_id" in fields(r)
    r = a.post(url, {"intervention_id": d["komet"].pk, "role": "ska_starta"})
    assert r.status_code == 422 and "start_year" in fields(r)
    r = a.post(url, {"intervention_id": d["komet"].pk, "role": "ska_starta", "start_year": 2027})
    assert r.status_code == 201 and r.json()["intervention"] == "Komet"
    entities = a.get(f"{BASE}/{pid}/entities").json()
    assert [e["name"] for e in entities] == ["Socialnämnden", "Föreningen"]
    assert entities[1]["interventions"][0]["start_year"] == 2027
    r = a.post(
        f"{BASE}/{pid}/success-factors",
        {"title": "Närvaro", "result_id": d["result"].pk, "target_value": "1", "target_year": 2028},
    )
    assert r.status_code == 422 and "target_value" in fields(r)
    r = a.post(f"{BASE}/{pid}/success-factors", {"title": "Närvaro", "result_id": d["result"].pk})
    assert r.status_code == 201
    (line,) = r.json()["targets"]
    assert line["source"] == "lagesbild" and line["value"] == pytest.approx(90.0) and line["year"] == 2027


def test_versions_and_adoption(client, world):
    d = build(world)
    pid = d["plan"].pk
    body = {"body_id": d["body"].pk, "adopted_on": "2026-01-15", "minutes_reference": "KF § 12"}
    assert api(client, world).post(f"{BASE}/{pid}/adopt", body).status_code == 403
    admin = api(client, world, role="admin")
    r = admin.post(f"{BASE}/{pid}/adopt", body | {"body_id": d["foreign_body"].pk})
    assert r.status_code == 422 and "body_id" in fields(r)
    r = admin.post(f"{BASE}/{pid}/adopt", body)
    assert r.status_code == 201 and r.json()["number"] == 2 and r.json()["adopted_by"] == "Kommunstyrelsen"
    assert admin.get(f"{BASE}/{pid}").json()["status"] == PlanStatus.ADOPTED
    assert patch(admin, f"{BASE}/{pid}", {"vision": "Ny vision"}).json()["status"] == PlanStatus.DRAFT
    versions = admin.get(f"{BASE}/{pid}/versions").json()
    assert [v["number"] for v in versions] == [3, 2, 1]
    assert versions[1]["adopted_on"] == "2026-01-15" and versions[0]["adopted_on"] is None
    v2 = admin.get(f"{BASE}/{pid}/versions/2").json()
    assert v2["data"]["plan"]["vision"] == "Alla barn i Tomelilla växer upp tryggt."
    assert admin.get(f"{BASE}/{pid}/versions/9").status_code == 404


@pytest.mark.parametrize("org", ["partner", "unrelated"])
def test_other_organisations_get_404(client, world, org):
    d = build(world)
    a = api(client, world, org=org, role="admin")
    pid = d["plan"].pk
    assert a.get(f"{BASE}/{pid}").status_code == 404
    assert a.get(f"{BASE}/{pid}/versions").status_code == 404
    assert a.post(f"{BASE}/{pid}/entities", {"kind": "enhet", "name": "X"}).status_code == 404
    assert a.get(BASE).json()["count"] == 0
