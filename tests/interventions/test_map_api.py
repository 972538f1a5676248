"""/api/v1/interventions/map: the same cells and gaps as the page, with the same filters."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api, make_token

from .map_world import build

pytestmark = pytest.mark.django_db

URL = "/api/v1/interventions/map"


def api(client, world, org="owner", role="viewer") -> Api:
    return Api(client, make_token(world.membership(org, role)))


def test_cells_with_coverage_gap_and_reason(world, client):
    mw = build(world)
    response = api(client, world).get(URL)
    assert response.status_code == 200, response.content
    body = response.json()
    cells = {(c["intensity"], c["band_label"]): c for c in body["cells"]}
    assert len(cells) == 4 * 5
    gap = cells[("riktad", "7–13 år")]
    assert (gap["capacity"], gap["need"], gap["gap"], gap["status"]) == (0, 140, 140, "no_capacity")
    assert gap["coverage"] == "0.0000" or float(gap["coverage"]) == 0
    assert gap["reason"] == "Riktad tidig insats 7–13 år: 0 platser mot målgrupp 140 barn"
    assert gap["target_groups"] == [{"target_group_id": mw.group.pk, "name": mw.group.name, "need": 140}]
    early = cells[("tidig", "7–13 år")]
    assert (early["capacity"], early["reach"], early["need"], early["status"]) == (40, 31, None, "no_need")
    assert early["interventions"][0]["reach_year"] == 2025
    universal = cells[("allmant", "0–2 år")]
    assert universal["capacity"] == 30  # 70 places over ages 0–6: 10 a year
    assert body["capacity_total"] == 110 and body["need_total"] == 140 and body["gap_total"] == 140
    factors = {f["name"]: f for f in body["factors"]}
    assert factors["Låg skolnärvaro (test)"]["status"] == "gap"
    assert factors["Bristande föräldraförmåga (test)"]["interventions"] == [mw.foraldrastod.pk]
    assert body["unplaced_target_groups"] == [mw.unplaced.pk]


def test_filters_apply(world, client):
    build(world)
    body = api(client, world).get(URL, evidence="lovande").json()
    assert body["capacity_total"] == 70 and body["need_total"] == 140


def test_bad_filter_is_a_problem_naming_the_field(world, client):
    build(world)
    response = api(client, world).get(URL, owner=999999)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert {e["field"] for e in response.json()["errors"]} == {"owner"}


def test_unrelated_sees_an_empty_map(world, client):
    build(world)
    body = api(client, world, org="unrelated").get(URL).json()
    assert body["capacity_total"] == 0 and body["need_total"] == 0 and body["factors"] == []


def test_anonymous_is_refused(client):
    assert client.get(URL).status_code == 401
