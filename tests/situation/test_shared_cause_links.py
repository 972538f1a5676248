"""Issue 8, item 9: a cause analysis shared with a partner shows the partner nothing beyond the
analysis that the partner may not see itself: not the title of the linked result, not the linked
target group, not the owner's own indicator. The owner still sees all three."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insats.accounts.access import Actor
from insats.situation import services_import as si
from insats.situation import services_plans as sp
from insats.situation.models_plans import CauseAnalysis, Result, TargetGroup
from tests.conftest import login

RESULT = "Hemlig resultatrubrik 4711"
GROUP = "Hemlig målgrupp 4712"
OWN_INDICATOR = "Egen hemlig indikator 4713"


def actor(world, org="owner", role="analyst"):
    return Actor(user=world.user(org, role), membership=world.membership(org, role))


@pytest.fixture
def shared(world):
    a = actor(world)
    owner = world.orgs["owner"]
    group = sp.save(
        actor=a,
        obj=TargetGroup(organisation=owner),
        values={"name": GROUP, "age_from": 6, "age_to": 10, "criteria": "x"},
    )
    result = sp.save(actor=a, obj=Result(organisation=owner), values={"title": RESULT, "target_group": group})
    indicator = si.indicator_create(actor=a, organisation=owner, code="egen1", title_sv=OWN_INDICATOR)
    analysis = sp.save(
        actor=a,
        obj=CauseAnalysis(organisation=owner),
        values={
            "title": "Delad orsaksanalys",
            "result": result,
            "target_group": group,
            "indicator": indicator,
        },
    )
    sp.cause_share(actor=a, analysis=analysis, organisation=world.orgs["partner"])
    return analysis


@pytest.mark.parametrize("page", ["situation:cause_detail", "situation:cause_list"])
def test_the_partner_sees_the_shared_analysis_but_not_what_it_links_to(client, world, shared, page):
    url = reverse(page, args=[shared.pk]) if page.endswith("detail") else reverse(page)
    login(client, world.user("partner", "analyst"), world.orgs["partner"])
    # The partner may not open the result itself ...
    assert client.get(reverse("situation:result_detail", args=[shared.result_id])).status_code == 404
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Delad orsaksanalys" in html
    # ... so the shared page does not show it either.
    for secret in (RESULT, GROUP, OWN_INDICATOR):
        assert secret not in html, secret


@pytest.mark.parametrize("page", ["situation:cause_detail", "situation:cause_list"])
def test_the_owner_still_sees_the_links(client, world, shared, page):
    url = reverse(page, args=[shared.pk]) if page.endswith("detail") else reverse(page)
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    html = client.get(url).content.decode()
    assert RESULT in html
    if page.endswith("detail"):
        assert GROUP in html and OWN_INDICATOR in html
