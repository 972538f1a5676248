"""API for contracts and metrics: parties see them, others get 404; create makes the actor's
organisation the commissioner; metrics come in the payment engine's JSON form."""

from __future__ import annotations

import json

import pytest

from insats.accounts import access, tokens
from tests.matrix.contracts import BASELINE_RULE, draft_contract

pytestmark = pytest.mark.django_db


def _headers(world, org, role):
    m = world.membership(org, role)
    _, key = tokens.token_create(actor=access.Actor(user=m.user, membership=m), membership=m, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_parties_list_and_read_contracts_and_metrics(client, world):
    c = draft_contract(world)
    for org in ("owner", "provider", "fund", "partner"):
        h = _headers(world, org, "viewer")
        listing = client.get("/api/v1/contracts", **h).json()
        assert [row["id"] for row in listing["items"]] == [c.pk], org
        detail = client.get(f"/api/v1/contracts/{c.pk}", **h).json()
        assert {p["organisation"] for p in detail["parties"]} == {
            world.orgs[o].name for o in ("owner", "provider", "fund", "partner")
        }
        assert detail["periods"] == ["2026", "2027", "2028", "2029", "2030"]
    metrics = client.get(f"/api/v1/contracts/{c.pk}/metrics", **_headers(world, "provider", "viewer")).json()
    metrics = metrics["items"]
    assert len(metrics) == 1
    rule = metrics[0]["rule"]
    assert rule["id"] == "placeringar" and rule["kind"] == "improvement"
    assert {k: rule[k] for k in BASELINE_RULE} == BASELINE_RULE
    one = client.get(
        f"/api/v1/contracts/{c.pk}/metrics/{metrics[0]['id']}", **_headers(world, "owner", "analyst")
    )
    assert one.status_code == 200 and one.json()["code"] == "placeringar"


def test_unrelated_gets_nothing(client, world):
    c = draft_contract(world)
    h = _headers(world, "unrelated", "admin")
    assert client.get("/api/v1/contracts", **h).json()["items"] == []
    assert client.get(f"/api/v1/contracts/{c.pk}", **h).status_code == 404
    assert client.get(f"/api/v1/contracts/{c.pk}/metrics", **h).status_code == 404
    m = c.metrics.get()
    assert client.get(f"/api/v1/contracts/{c.pk}/metrics/{m.pk}", **h).status_code == 404


def test_create_by_contract_manager_and_field_errors(client, world):
    body = {
        "title": "Nytt kontrakt",
        "reference": "nytt",
        "term_start": "2027-01-01",
        "term_end": "2029-12-31",
        "period_type": "half",
    }
    h = _headers(world, "owner", "contract_manager")
    r = client.post("/api/v1/contracts", json.dumps(body), content_type="application/json", **h)
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["owner_id"] == world.orgs["owner"].pk and data["status"] == "draft"
    assert data["periods"][:2] == ["2027-H1", "2027-H2"] and len(data["periods"]) == 6
    assert [(p["role"], p["payer_share"]) for p in data["parties"]] == [("commissioner", "100.0000")]
    bad = dict(body, reference="annat", term_end="2026-01-01")
    r = client.post("/api/v1/contracts", json.dumps(bad), content_type="application/json", **h)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["term_end"]
    viewer = _headers(world, "owner", "viewer")
    r = client.post(
        "/api/v1/contracts", json.dumps(dict(body, reference="x")), content_type="application/json", **viewer
    )
    assert r.status_code == 403
