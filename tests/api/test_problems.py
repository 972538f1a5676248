"""Issue 8 item 10: every API error is ``application/problem+json`` (RFC 7807) in one shape, bad
input never reaches the database, the OpenAPI document has no name collisions and every list pages."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from insats.accounts.access import Actor
from insats.api import get_api
from insats.situation import services_plans as sp
from insats.situation.models_plans import Result
from tests.matrix.contracts import draft_contract

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith(PROBLEM), response["Content-Type"]
    body = json.loads(response.content)
    assert body["status"] == status and body["code"] == code
    assert body["type"] == f"urn:insats:problem:{code}"
    assert body["title"] and body["detail"]
    return body


LISTS = [
    "/api/v1/organisations",
    "/api/v1/partnerships",
    "/api/v1/contracts",
    "/api/v1/situation/areas",
    "/api/v1/plans/results",
]


@pytest.mark.parametrize("path", LISTS)
def test_a_huge_page_number_is_a_422_naming_page(world, api_as, path):
    response = api_as("owner", "admin").get(path, page=10**30)
    body = assert_problem(response, 422, "invalid")
    assert [e["field"] for e in body["errors"]] == ["page"]


def test_a_nul_character_in_the_body_is_refused_and_nothing_is_saved(world, api_as):
    api = api_as("owner", "admin")
    partner = world.orgs["unrelated"]
    body = {"partner_id": partner.pk, "level": 3, "valid_from": "2025-04-01", "description": "a\x00b"}
    response = api.post("/api/v1/partnerships", body)
    problem = assert_problem(response, 422, "invalid")
    assert [e["field"] for e in problem["errors"]] == ["description"]
    assert api.get("/api/v1/partnerships").json()["count"] == 0 or all(
        "\x00" not in p["description"] for p in api.get("/api/v1/partnerships").json()["items"]
    )


def test_a_nul_character_in_the_query_is_refused(world, api_as):
    response = api_as("owner", "admin").get("/api/v1/organisations", q="tom\x00")
    problem = assert_problem(response, 422, "invalid")
    assert [(e["location"], e["field"]) for e in problem["errors"]] == [("query", "q")]


def test_a_nul_character_in_the_path_is_refused(world, api_as):
    response = api_as("owner", "admin").get("/api/v1/situation/areas/12%0070")
    problem = assert_problem(response, 422, "invalid")
    assert [(e["location"], e["field"]) for e in problem["errors"]] == [("path", "code")]


def test_a_body_that_is_not_json_is_a_400_problem(world, api_as):
    response = api_as("owner", "admin").post("/api/v1/partnerships", "{not json")
    assert_problem(response, 400, "bad_request")


def test_a_body_of_3_mb_is_a_413_problem(world, api_as):
    response = api_as("owner", "admin").post("/api/v1/partnerships", {"description": "x" * 3_000_000})
    assert_problem(response, 413, "too_large")


def test_an_unknown_api_path_is_a_404_problem(world, api_as):
    api = api_as("owner", "admin")
    assert_problem(api.get("/api/v1/no-such-thing"), 404, "not_found")
    assert_problem(api.client.get("/api/v1/"), 404, "not_found")
    # pages outside the API keep their HTML 404
    assert api.client.get("/no-such-page/")["Content-Type"].startswith("text/html")


def test_a_method_an_operation_lacks_is_a_405_problem(world, api_as):
    api = api_as("owner", "admin")
    response = api.client.delete("/api/v1/me", **api.headers)
    assert_problem(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"


def test_a_server_error_is_a_500_problem_that_reveals_nothing():
    """An unexpected exception in an operation goes to the API's handler (ninja's default re-raised
    it, and Django answered text/plain or its HTML page)."""
    from django.test import RequestFactory

    request = RequestFactory().get("/api/v1/partnerships")
    with override_settings(DEBUG=False):
        response = get_api().on_exception(request, RuntimeError("boom: secret detail"))
    body = assert_problem(response, 500, "server_error")
    assert "boom" not in json.dumps(body)


def test_a_server_error_outside_the_operations_is_a_500_problem():
    from django.test import RequestFactory

    from insats import urls

    assert_problem(urls.handler500(RequestFactory().get("/api/v1/me")), 500, "server_error")
    assert urls.handler500(RequestFactory().get("/"))["Content-Type"].startswith("text/html")


def test_unauthenticated_and_forbidden_are_problems(world, api_as, client):
    response = client.get("/api/v1/me")
    assert_problem(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_problem(api_as("owner", "viewer").get("/api/v1/memberships"), 403, "forbidden")


@pytest.mark.parametrize("value", [0, 1735689600, 20250401, True, 1.5])
def test_a_number_is_not_a_date(world, api_as, value):
    api = api_as("owner", "admin")
    body = {"partner_id": world.orgs["unrelated"].pk, "level": 3, "valid_from": value}
    problem = assert_problem(api.post("/api/v1/partnerships", body), 422, "invalid")
    assert [e["field"] for e in problem["errors"]] == ["valid_from"]


def test_a_contract_cannot_start_in_1970_by_a_number(world, api_as):
    body = {
        "title": "Nytt kontrakt",
        "reference": "nytt",
        "term_start": 0,
        "term_end": "2029-12-31",
        "period_type": "year",
    }
    problem = assert_problem(api_as("owner", "admin").post("/api/v1/contracts", body), 422, "invalid")
    assert "term_start" in [e["field"] for e in problem["errors"]]


def test_the_openapi_document_has_no_colliding_schema_names():
    """Two different classes with one name would share one component: the later overwrites."""
    api = get_api()
    seen: dict[str, type] = {}
    clashes = []
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                models = [m for m in op.response_models.values() if m is not None]
                models += list(getattr(op, "models", []))
                for model in models:
                    for cls in _schemas_in(model):
                        other = seen.setdefault(cls.__name__, cls)
                        if other is not cls:
                            clashes.append(cls.__name__)
    assert not clashes, clashes


def _schemas_in(model) -> list[type]:
    """The pydantic classes a (response or parameter) model refers to, recursively."""
    from pydantic import BaseModel

    found: list[type] = []

    def visit(tp):
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp in found:
                return
            if not tp.__name__.startswith("Ninja") and not tp.__name__.endswith("Params"):
                found.append(tp)
            for f in tp.model_fields.values():
                visit(f.annotation)
        for arg in getattr(tp, "__args__", ()) or ():
            visit(arg)

    visit(model)
    return found


def test_error_responses_are_declared_as_problem_json():
    doc = get_api().get_openapi_schema()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for status in ("401", "422", "429", "500"):
                assert status in op["responses"], (method, path, status)
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == [PROBLEM], (method, path, status)
    assert "Problem" in doc["components"]["schemas"]


# --- pagination of the lists that had none --------------------------------------------------------


def _page(response) -> dict:
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert set(body) == {"count", "page", "page_size", "items"}
    return body


def test_metrics_results_and_payments_lists_are_paginated(world, api_as):
    contract = draft_contract(world)
    api = api_as("owner", "admin")
    metrics = _page(api.get(f"/api/v1/contracts/{contract.pk}/metrics", page_size=1))
    assert metrics["count"] == 1 and len(metrics["items"]) == 1 and metrics["page_size"] == 1
    assert _page(api.get(f"/api/v1/contracts/{contract.pk}/metrics", page=2, page_size=1))["items"] == []
    assert _page(api.get(f"/api/v1/contracts/{contract.pk}/results"))["count"] == 0
    assert _page(api.get(f"/api/v1/contracts/{contract.pk}/payments"))["count"] == 0


def test_the_action_plan_is_paginated(world, api_as):
    actor = Actor(user=world.user("owner", "analyst"), membership=world.membership("owner", "analyst"))
    result = sp.save(actor=actor, obj=Result(organisation=world.orgs["owner"]), values={"title": "Frånvaro"})
    api = api_as("owner", "analyst")
    for i in range(3):
        response = api.post(
            f"/api/v1/plans/results/{result.pk}/actions",
            {"action": f"Steg {i}", "responsible": "Samordnare", "start": "2025-01-01", "end": "2025-06-01"},
        )
        assert response.status_code == 201, response.content
    first = _page(api.get(f"/api/v1/plans/results/{result.pk}/actions", page_size=2))
    second = _page(api.get(f"/api/v1/plans/results/{result.pk}/actions", page=2, page_size=2))
    assert first["count"] == 3 and len(first["items"]) == 2 and len(second["items"]) == 1
    names = {a["action"] for a in first["items"] + second["items"]}
    assert names == {"Steg 0", "Steg 1", "Steg 2"}


def test_a_session_without_its_second_factor_gets_a_403_problem(world, client):
    """The 2FA middleware answers the API before any operation runs: the same problem shape."""
    from insats.accounts import security

    client.force_login(world.user("owner", "admin"), backend=security.BACKEND_PATH)
    assert_problem(client.get("/api/v1/me"), 403, "forbidden")


def test_the_openapi_document_names_each_response_once(client):
    """JSON allows a key twice but YAML parsers (Swagger UI's) refuse it: 401 and "401" both
    written to one operation's responses left the docs page empty."""
    import json

    duplicates = []

    def pairs(items):
        keys = [k for k, _ in items]
        duplicates.extend(k for k in set(keys) if keys.count(k) > 1)
        return dict(items)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=pairs)
    assert duplicates == []
