"""API: areas, comparison groups, indicators and observations — filters, pagination, visibility of
own groups and indicators, small-count suppression, errors naming the field."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from insats.situation.models import Area, Indicator, IndicatorSource, Observation
from insats.situation.services import area_group_create

from . import test_lagesbild as shared

# the module-wide demo database and logged-in clients of test_lagesbild
demo_db = shared.demo_db
client_as = shared.client_as

pytestmark = pytest.mark.django_db
API = "/api/v1/situation"


@pytest.fixture
def rollback(demo_db):
    sid = transaction.savepoint()
    yield
    transaction.savepoint_rollback(sid)


def test_areas_filters_and_pagination(client_as):
    c = client_as("unrelated", "viewer")
    body = c.get(f"{API}/areas").json()
    assert body["count"] == 312  # 290 kommuner + 21 regioner + Riket
    assert body["page_size"] == 50 and len(body["items"]) == 50
    assert body["items"][0] == {
        "code": "0000",
        "kolada_id": "0000",
        "kind": "riket",
        "name": "Riket",
        "county_code": "",
    }
    skane = c.get(f"{API}/areas", {"kind": "kommun", "county": "12", "page_size": 200}).json()
    assert skane["count"] == 33  # Skåne län has 33 kommuner
    assert "Tomelilla" in {a["name"] for a in skane["items"]}
    last = c.get(f"{API}/areas", {"kind": "kommun", "page": 3, "page_size": 100}).json()
    assert last["count"] == 290 and len(last["items"]) == 90
    assert c.get(f"{API}/areas", {"q": "tomeli"}).json()["items"][0]["code"] == "1270"
    assert c.get(f"{API}/areas/0012").json()["name"] == "Region Skåne"  # Kolada id of a region
    assert c.get(f"{API}/areas/9999").status_code == 404
    bad = c.get(f"{API}/areas", {"kind": "planet"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "kind"


def test_observations_filters(client_as):
    c = client_as("owner", "analyst")
    params = {"indicator": "N15505", "area": "1270", "period_from": 2020, "period_to": 2022, "gender": "K"}
    body = c.get(f"{API}/observations", params).json()
    assert body["count"] == 3
    expected = Observation.objects.filter(
        indicator__code="N15505", area__code="1270", period__range=(2020, 2022), gender="K"
    ).order_by("period")
    assert [(o["period"], o["value"]) for o in body["items"]] == [
        (e.period, float(e.value)) for e in expected
    ]
    assert {o["source"] for o in body["items"]} == {"demo"}
    assert body["items"][0]["source_label"].startswith("Demodata")
    # several indicators and areas, all genders; in the unique index's order (indicator and area
    # by internal id, then period, gender): each indicator's rows together, each area's together
    body = c.get(
        f"{API}/observations",
        {"indicator": ["N15505", "DEMO01"], "area": ["1270", "1283"], "period_from": 2024, "page_size": 200},
    ).json()
    # N15505: 2 areas × 2 years × 3 genders; DEMO01 (not gender-divided): 2 areas × 2 years
    assert body["count"] == 12 + 4 and body["next_cursor"] is None
    keys = [(o["indicator"], o["area"], o["period"], o["gender"]) for o in body["items"]]
    ind_order = [k[0] for k in keys]
    assert ind_order == sorted(ind_order, key=ind_order.index)  # grouped
    assert len({(k[0], k[1]) for k in keys}) == 4
    for ind, area in {(k[0], k[1]) for k in keys}:
        own = [(k[2], k[3]) for k in keys if k[:2] == (ind, area)]
        assert own == sorted(own)
    err = c.get(f"{API}/observations", {"period_from": 2024, "period_to": 2020})
    assert err.status_code == 422 and "period_from" in err.json()["errors"][0]["message"]


def test_observation_pagination_walks_every_row_once(client_as):
    c = client_as("partner", "viewer")
    params = {"indicator": "DEMO13", "area": "1283", "gender": "T", "page_size": 4}
    first = c.get(f"{API}/observations", params).json()
    assert (
        first["count"] == 11
    )  # Helsingborg's absence history 2015–2025 (the results helper sets −20 % on it)
    seen, body = [], first
    while True:
        seen += [o["period"] for o in body["items"]]
        if body["next_cursor"] is None:
            break
        body = c.get(f"{API}/observations", {**params, "cursor": body["next_cursor"]}).json()
        assert body["count"] is None  # counted on the first page only
    assert seen == list(range(2015, 2026))
    assert c.get(f"{API}/observations", {**params, "page_size": 500}).status_code == 422
    bad = c.get(f"{API}/observations", {**params, "cursor": "not-a-cursor"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"


def test_unfiltered_observation_list_walks_by_cursor_without_a_count(client_as):
    c = client_as()
    body = c.get(f"{API}/observations", {"page_size": 200}).json()
    assert body["count"] is None and len(body["items"]) == 200 and body["next_cursor"]
    nxt = c.get(f"{API}/observations", {"page_size": 200, "cursor": body["next_cursor"]}).json()
    first_keys = {(o["indicator"], o["area"], o["period"], o["gender"]) for o in body["items"]}
    assert not first_keys & {(o["indicator"], o["area"], o["period"], o["gender"]) for o in nxt["items"]}


def test_a_whole_indicator_streams_as_csv_and_json_lines(client_as):
    c = client_as()
    response = c.get(f"{API}/observations/export", {"indicator": "DEMO13"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.streaming
    lines = b"".join(response.streaming_content).decode().splitlines()
    expected = Observation.objects.filter(indicator__code="DEMO13").count()
    assert len(lines) == expected + 1 and lines[0].lstrip("\ufeff").startswith("indicator;area;period")
    response = c.get(f"{API}/observations/export", {"indicator": "DEMO20", "format": "jsonl"})
    rows = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert len(rows) == Observation.objects.filter(indicator__code="DEMO20").count()
    for row in rows:  # small counts withheld as in the list
        if row["suppressed"]:
            assert row["value"] is None and row["count"] is None
    missing = c.get(f"{API}/observations/export")
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "indicator"


def test_small_counts_are_withheld(client_as, rollback):
    cell = Observation.objects.filter(indicator__code="DEMO20", area__code="1270", gender="K", period=2024)
    cell.update(count=3)
    item = (
        client_as()
        .get(
            f"{API}/observations", {"indicator": "DEMO20", "area": "1270", "gender": "K", "period_from": 2024}
        )
        .json()["items"][0]
    )
    assert item["suppressed"] is True and item["value"] is None and item["count"] is None
    cell.update(count=40)
    item = (
        client_as()
        .get(
            f"{API}/observations", {"indicator": "DEMO20", "area": "1270", "gender": "K", "period_from": 2024}
        )
        .json()["items"][0]
    )
    assert item["suppressed"] is False and item["count"] == 40 and item["value"] is not None


def test_own_indicators_and_groups_are_visible_only_to_their_organisation(client_as, demo_db, rollback):
    owner = demo_db.orgs["owner"]
    Indicator.objects.create(
        code="TOM1", title_sv="Tomelillas egen", source=IndicatorSource.OWN, organisation=owner
    )
    group = area_group_create(
        actor=None,
        organisation=owner,
        name="Österlen",
        members=Area.objects.filter(code__in=["1270", "1291"]),
    )
    mine, other = client_as("owner", "viewer"), client_as("unrelated", "admin")
    assert mine.get(f"{API}/indicators/TOM1").json()["own"] is True
    assert other.get(f"{API}/indicators/TOM1").status_code == 404
    assert "TOM1" in {i["code"] for i in mine.get(f"{API}/indicators", {"page_size": 200}).json()["items"]}
    assert "TOM1" not in {
        i["code"] for i in other.get(f"{API}/indicators", {"page_size": 200}).json()["items"]
    }
    assert mine.get(f"{API}/area-groups/{group.pk}").json()["members"] == ["1270", "1291"]
    assert other.get(f"{API}/area-groups/{group.pk}").status_code == 404
    groups = mine.get(f"{API}/area-groups", {"area": "1270", "page_size": 200}).json()["items"]
    names = {g["name"] for g in groups}
    assert "Österlen" in names
    # Kolada's "Liknande kommuner …, Tomelilla" lists Tomelilla's peers, not Tomelilla itself
    assert "Liknande kommuner, barn och unga, Tomelilla (demo)" not in names
    # every group listed has Tomelilla as a member
    assert all("1270" in g["members"] for g in groups)
    assert "Österlen" not in {
        g["name"] for g in other.get(f"{API}/area-groups", {"page_size": 200}).json()["items"]
    }
    assert other.get(f"{API}/observations", {"indicator": "TOM1"}).json()["items"] == []


def test_indicator_catalogue_labels_demo_data(client_as):
    body = client_as().get(f"{API}/indicators", {"source": "demo", "page_size": 200}).json()
    codes = {i["code"] for i in body["items"]}
    assert {"N15505", "DEMO13"} <= codes
    merit = client_as().get(f"{API}/indicators/N15505").json()
    assert merit["source"] == "demo" and merit["kolada_kpi_id"] == "N15505"
    assert merit["polarity"] == "higher_better" and merit["divided_by_gender"] is True


def test_a_bearer_token_works_and_anonymous_is_refused(client, demo_db):
    from insats.accounts import access, tokens

    m = demo_db.membership("owner", "viewer")
    _, key = tokens.token_create(actor=access.Actor(user=m.user, membership=m), membership=m, name="t")
    ok = client.get(f"{API}/areas/1270", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert ok.status_code == 200 and ok.json()["name"] == "Tomelilla"
    assert client.get(f"{API}/areas/1270").status_code == 401
