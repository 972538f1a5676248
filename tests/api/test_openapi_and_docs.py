"""The OpenAPI document lists every operation; the docs page loads everything from our origin."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from django.contrib.staticfiles import finders
from django.urls import URLResolver, get_resolver

# Written by hand from the foundation issue: the accounts operations the API must offer. Other areas
# add their own operations; every operation of every area must have a permission-matrix entry
# (tests/test_permission_matrix.py) and appear in the document (the routed-paths check below).
EXPECTED = {
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/organisations"),
    ("GET", "/api/v1/organisations/{organisation_id}"),
    ("GET", "/api/v1/memberships"),
    ("GET", "/api/v1/partnerships"),
    ("POST", "/api/v1/partnerships"),
    ("GET", "/api/v1/partnerships/{partnership_id}"),
    ("POST", "/api/v1/partnerships/{partnership_id}/levels"),
}
LISTS = {"/api/v1/organisations", "/api/v1/memberships", "/api/v1/partnerships"}


def openapi(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(doc) -> dict[tuple[str, str], dict]:
    return {
        (method.upper(), path): op
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    }


def routed_paths() -> set[str]:
    """The API's paths as Django routes them (independent of the schema generator)."""
    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver) and p.namespace == "api-v1":
            routes = {
                str(q.pattern) for q in p.url_patterns if q.name not in ("openapi-json", "openapi-view")
            }
            return {"/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r) for r in routes if r}
    raise AssertionError("the API is not mounted")


def test_the_document_lists_every_operation(db, client):
    doc = openapi(client)
    assert set(operations(doc)) >= EXPECTED
    assert set(doc["paths"]) == routed_paths()


# Open by design, without a token: an organisation's public listing of interventions, when it has
# switched it on (docs/insatser.md, "Delning och publik förteckning"); 404 otherwise.
PUBLIC_OPERATIONS = {("GET", "/api/v1/interventions/public/{org_id}")}
# Actions whose path says all there is to say (publish, submit, sign, revoke, decide as assessed):
# no body; their refusals still answer 422 with the fields that are wrong.
BODILESS_ACTIONS = {
    "/api/v1/sourcing/rfis/{rfi_id}/publish",
    "/api/v1/sourcing/rfis/responses/{response_id}/submit",
    "/api/v1/sourcing/secrecy/{assessment_id}/decide",
    "/api/v1/sourcing/iop/agreements/{pk}/sign",
    "/api/v1/sourcing/invitations/{invitation_id}/revoke",
}
# Streamed downloads (CSV / JSON lines): their 200 is the file, their errors JSON as everywhere.
DOWNLOADS = {("GET", "/api/v1/situation/observations/export"): {"text/csv", "application/x-ndjson"}}


def test_the_public_operations_answer_without_a_token(db, client):
    for method, path in PUBLIC_OPERATIONS:
        response = client.generic(method, re.sub(r"\{\w+\}", "999999", path))
        assert response.status_code == 404 and response["Content-Type"].startswith("application/problem+json")


def test_every_operation_is_described_and_secured(db, client):
    doc = openapi(client)
    schemes = doc["components"]["securitySchemes"]
    assert schemes["BearerTokenAuth"] == {"type": "http", "scheme": "bearer"}
    ids = []
    for (method, path), op in operations(doc).items():
        ids.append(op["operationId"])
        assert op.get("summary"), (method, path)
        if (method, path) in PUBLIC_OPERATIONS:
            assert "security" not in op and "404" in op["responses"], (method, path)
        else:
            assert {"BearerTokenAuth": []} in op["security"], (method, path)
            assert {"401", "403", "404"} <= set(op["responses"]), (method, path)
        # POST creates (201) or acts on an existing resource (approve, return, mark: 200).
        ok = "201" if method == "POST" and "201" in op["responses"] else "200"
        want = DOWNLOADS.get((method, path), {"application/json"})
        assert want <= set(op["responses"][ok]["content"]), (method, path)
        if method == "POST":
            assert "422" in op["responses"], (method, path)
            assert "requestBody" in op or path in BODILESS_ACTIONS, (method, path)
        params = {p["name"] for p in op.get("parameters", [])}
        if path in LISTS and method == "GET":
            assert {"page", "page_size"} <= params, path
        for name in re.findall(r"\{(\w+)\}", path):
            assert name in params, (path, name)
    assert len(ids) == len(set(ids)), "operationIds must be unique"


def test_the_document_is_public_but_the_operations_are_not(db, client):
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/organisations").status_code == 401


class Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self.inline_styles = 0
        self._in_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "style" in a:
            self.inline_styles += 1
        if tag == "style":
            self.inline_styles += 1
        for key in ("src", "href"):
            if key in a and tag in ("script", "link", "img", "iframe"):
                self.urls.append(a[key])
        if tag == "script":
            self._in_script = a

    def handle_data(self, data):
        if self._in_script is not None and data.strip() and "src" not in self._in_script:
            self.inline_scripts.append(self._in_script.get("type", "text/javascript"))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


def test_the_docs_page_loads_its_assets_from_our_origin_only(db, client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = Assets()
    page.feed(response.content.decode())
    assert page.urls, "the page loads nothing?"
    for url in page.urls:
        assert url.startswith("/") and not url.startswith("//"), url
    assert any(u.endswith("swagger-ui-bundle.js") for u in page.urls)
    assert any(u.endswith("insats/api/docs.js") for u in page.urls)
    # Every asset is a file we ship (found by the static files finders).
    for url in page.urls:
        assert finders.find(url.removeprefix("/static/")), url
    # No executable inline script and no inline style: only the JSON settings block.
    assert page.inline_scripts == ["application/json"]
    assert page.inline_styles == 0
    csp = response["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe" not in csp
    assert 'lang="sv"' in response.content.decode()


def test_the_docs_script_starts_swagger_from_the_json_settings():
    source = Path(finders.find("insats/api/docs.js")).read_text(encoding="utf-8")
    assert "SwaggerUIBundle(" in source and "swagger-settings" in source
    assert "http://" not in source and "https://" not in source
