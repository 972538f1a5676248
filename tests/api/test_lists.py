"""Pagination and filters of the list operations."""

from __future__ import annotations

from insats.accounts import services
from tests.conftest import org_number


def add_orgs(n: int) -> list[str]:
    names = [f"Testförening {i:02d}" for i in range(n)]
    for i, name in enumerate(names):
        services.organisation_create(actor=None, name=name, org_number=org_number(5000 + i), kind="ideburen")
    return names


def test_pages_cover_the_list_once_in_name_order(world, api_as):
    extra = add_orgs(7)
    expected = sorted([o.name for o in world.orgs.values()] + extra)  # 11 organisations
    api = api_as("owner", "viewer")
    seen = []
    for page in (1, 2, 3):
        body = api.get("/api/v1/organisations", page=page, page_size=4).json()
        assert body["count"] == 11 and body["page"] == page and body["page_size"] == 4
        seen += [o["name"] for o in body["items"]]
    assert [len(seen[:4]), len(seen[4:8]), len(seen[8:])] == [4, 4, 3]
    assert seen == expected
    beyond = api.get("/api/v1/organisations", page=4, page_size=4).json()
    assert beyond["items"] == [] and beyond["count"] == 11


def test_the_default_page_size_is_50_and_the_largest_200(world, api_as):
    api = api_as("owner", "viewer")
    assert api.get("/api/v1/organisations").json()["page_size"] == 50
    assert api.get("/api/v1/organisations", page_size=200).status_code == 200
    assert api.get("/api/v1/organisations", page_size=201).status_code == 422


def test_filters_kind_and_name(world, api_as):
    add_orgs(3)
    api = api_as("unrelated", "viewer")
    kommuner = api.get("/api/v1/organisations", kind="kommun").json()
    assert [o["name"] for o in kommuner["items"]] == ["Tomelilla kommun"] and kommuner["count"] == 1
    ideburna = api.get("/api/v1/organisations", kind="ideburen").json()
    assert ideburna["count"] == 3 and {o["kind_label"] for o in ideburna["items"]} == {
        "Idéburen organisation"
    }
    by_name = api.get("/api/v1/organisations", q="LUND").json()
    assert [o["name"] for o in by_name["items"]] == ["Familjeforum i Lund AB"]
    both = api.get("/api/v1/organisations", q="förening 0", kind="ideburen").json()
    assert both["count"] == 3
    assert api.get("/api/v1/organisations", q="förening", kind="kommun").json()["count"] == 0


def test_partnerships_filter_on_active(world, api_as):
    import datetime

    p = world.orgs["owner"].partnerships.get()
    api = api_as("owner", "viewer")
    assert api.get("/api/v1/partnerships", active="true").json()["count"] == 1
    assert api.get("/api/v1/partnerships", active="false").json()["count"] == 0
    services.partnership_end(actor=None, partnership=p, ended_on=datetime.date(2025, 12, 31))
    assert api.get("/api/v1/partnerships", active="true").json()["count"] == 0
    ended = api.get("/api/v1/partnerships", active="false").json()["items"]
    assert [(i["id"], i["ended_on"]) for i in ended] == [(p.pk, "2025-12-31")]


def test_members_are_paginated_too(world, api_as):
    api = api_as("owner", "admin")
    first = api.get("/api/v1/memberships", page_size=3).json()
    last = api.get("/api/v1/memberships", page=3, page_size=3).json()
    assert first["count"] == 7 and len(first["items"]) == 3 and len(last["items"]) == 1
