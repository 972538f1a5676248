"""Contract pages: every page renders for a party, the forms save through the services, field errors
appear on the fields, and non-parties get 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import login
from tests.matrix.contracts import draft_contract

pytestmark = pytest.mark.django_db


def _client(client, world, org="owner", role="admin"):
    login(client, world.user(org, role), world.orgs[org])
    return client


PAGES = [
    "contracts:detail",
    "contracts:parties",
    "contracts:metrics",
    "contracts:preview",
    "contracts:financing",
    "contracts:changes",
    "contracts:versions",
    "contracts:actions",
    "contracts:edit",
    "contracts:cohort_create",
]


def test_every_page_renders_for_the_commissioner(client, world):
    c = draft_contract(world)
    _client(client, world)
    for name in PAGES:
        response = client.get(reverse(name, kwargs={"pk": c.pk}))
        assert response.status_code == 200, name
    m = c.metrics.get()
    assert client.get(reverse("contracts:metric", kwargs={"pk": c.pk, "metric": m.pk})).status_code == 200
    assert client.get(reverse("contracts:home")).status_code == 200
    assert client.get(reverse("contracts:create")).status_code == 200


def test_unrelated_organisation_sees_nothing(client, world):
    c = draft_contract(world)
    _client(client, world, "unrelated", "admin")
    for name in PAGES:
        assert client.get(reverse(name, kwargs={"pk": c.pk})).status_code == 404, name
    page = client.get(reverse("contracts:home"))
    assert c.title not in page.content.decode()
