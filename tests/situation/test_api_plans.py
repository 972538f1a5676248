"""API /api/v1/plans: target groups, results with progress, targets, action plans — validation names
the field, access goes through access.py, and the figures equal the core's."""

from __future__ import annotations

from decimal import Decimal

import pytest

from insats.accounts.access import Actor
from insats.core import indicators as core
from insats.situation import services_plans as sp
from insats.situation.models import Area, Indicator, IndicatorSource, Observation
from insats.situation.models_plans import Result
from tests.api.conftest import Api, make_token

BASE = "/api/v1/plans"


def api(client, world, org="owner", role="analyst") -> Api:
    return Api(client, make_token(world.membership(org, role)))


def fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


@pytest.fixture
def result(world):
    actor = Actor(user=world.user("owner", "analyst"), membership=world.membership("owner", "analyst"))
    ind = Indicator.objects.create(
        code="FRV", title_sv="Hög frånvaro", source=IndicatorSource.OWN, organisation=world.orgs["owner"]
    )
    area = Area.objects.get(code="1270")
    for year, value in [(2021, "12"), (2022, "11"), (2023, "10.5")]:
        Observation.objects.create(
            indicator=ind, area=area, period=year, value=Decimal(value), source=IndicatorSource.OWN
        )
    r = sp.save(
        actor=actor, obj=Result(organisation=world.orgs["owner"]), values={"title": "Minskad frånvaro"}
    )
    ri = sp.result_indicator_add(actor=actor, result=r, indicator=ind, area=area)
    return r, ri


def test_a_target_group_is_created_and_read_back(client, world):
    a = api(client, world)
    body = {
        "name": "Barn 6–10 år i riskzonen",
        "age_from": 6,
        "age_to": 10,
        "criteria": "Skola eller socialtjänst",
        "area_code": "1270",
        "estimated_size": 140,
        "size_source": "Elevhälsan",
    }
    response = a.post(f"{BASE}/target-groups", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["area_code"], created["organisation_id"]) == ("1270", world.orgs["owner"].pk)
    assert a.get(f"{BASE}/target-groups/{created['id']}").json()["name"] == body["name"]
    assert [g["id"] for g in a.get(f"{BASE}/target-groups").json()["items"]] == [created["id"]]
    other = api(client, world, "unrelated", "admin")
    assert other.get(f"{BASE}/target-groups/{created['id']}").status_code == 404
    assert other.get(f"{BASE}/target-groups").json()["count"] == 0


@pytest.mark.parametrize(
    "patch, field",
    [
        ({"age_from": 10, "age_to": 6}, "age_to"),
        ({"area_code": "9999"}, "area_code"),
        ({"estimated_size": 5}, "size_source"),
        ({"age_to": 130}, "age_to"),
    ],
)
def test_bad_target_groups_answer_422_naming_the_field(client, world, patch, field):
    body = {"name": "Barn", "age_from": 6, "age_to": 10, "criteria": "x"} | patch
    response = api(client, world).post(f"{BASE}/target-groups", body)
    assert response.status_code == 422 and field in fields(response)


def test_a_viewer_may_read_but_not_create(client, world, result):
    viewer = api(client, world, "owner", "viewer")
    assert viewer.get(f"{BASE}/results/{result[0].pk}").status_code == 200
    assert viewer.post(f"{BASE}/results", {"title": "x"}).status_code == 403
    assert viewer.post(f"{BASE}/results/{result[0].pk}/actions", {}).status_code in (403, 422)


def test_result_detail_and_target_progress_equal_the_core(client, world, result):
    r, ri = result
    a = api(client, world)
    response = a.post(
        f"{BASE}/results/{r.pk}/targets",
        {
            "result_indicator_id": ri.pk,
            "baseline_year": 2021,
            "year": 2025,
            "kind": "relative",
            "amount": "-20",
        },
    )
    assert response.status_code == 201, response.content
    t = response.json()
    # baseline 12 → target 9.6; current 10.5 (2023): achieved (10.5−12)/(9.6−12) = 0.625, elapsed 2/4 = 0.5
    assert t["target_value"] == pytest.approx(9.6) and t["achieved_share"] == pytest.approx(0.625)
    expected = core.target_progress(12.0, 9.6, 10.5, 2021, 2025, 2023)
    assert t["elapsed_share"] == pytest.approx(float(expected["elapsed"])) == pytest.approx(0.5)
    assert t["on_track"] is True and t["path_value"] == pytest.approx(float(expected["path_value"]))
    detail = a.get(f"{BASE}/results/{r.pk}").json()
    ind = detail["indicators"][0]
    assert ind["series"] == [[2021, 12.0], [2022, 11.0], [2023, 10.5]]
    assert ind["targets"][0]["id"] == t["id"]
    assert [p["year"] for p in ind["forecast"]][0] == 2023


def test_a_target_for_another_results_indicator_is_refused(client, world, result):
    r, ri = result
    other = Result.objects.create(organisation=world.orgs["owner"], title="Annat")
    response = api(client, world).post(
        f"{BASE}/results/{other.pk}/targets",
        {"result_indicator_id": ri.pk, "baseline_year": 2021, "year": 2025, "kind": "value", "amount": "9"},
    )
    assert response.status_code == 422 and fields(response) == {"result_indicator_id"}


def test_actions_are_added_and_listed_and_dates_are_checked(client, world, result):
    r, _ = result
    a = api(client, world)
    bad = a.post(
        f"{BASE}/results/{r.pk}/actions",
        {"action": "Läxhjälp", "responsible": "Samordnare", "start": "2025-06-01", "end": "2025-01-01"},
    )
    assert bad.status_code == 422 and "end" in fields(bad)
    ok = a.post(
        f"{BASE}/results/{r.pk}/actions",
        {
            "action": "Läxhjälp",
            "responsible": "Samordnare",
            "start": "2025-01-01",
            "end": "2025-06-01",
            "owner_organisation_id": world.orgs["partner"].pk,
        },
    )
    assert ok.status_code == 201 and ok.json()["owner_organisation"] == world.orgs["partner"].name
    assert [x["action"] for x in a.get(f"{BASE}/results/{r.pk}/actions").json()["items"]] == ["Läxhjälp"]
    assert api(client, world, "partner", "admin").get(f"{BASE}/results/{r.pk}/actions").status_code == 404
