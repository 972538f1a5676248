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


def test_start_page_suggests_contract_steps_by_role(world):
    from insats.web.start import next_steps
    from tests.matrix.contracts import actor

    manager = [s["url"] for s in next_steps(actor(world, "unrelated", "contract_manager"))]
    viewer = [s["url"] for s in next_steps(actor(world, "unrelated", "viewer"))]
    assert reverse("contracts:home") in manager and reverse("contracts:create") in manager
    assert reverse("contracts:home") in viewer and reverse("contracts:create") not in viewer


def test_nav_shows_contracts_and_subnav_links_only_existing_allowed_pages(client, world):
    c = draft_contract(world)
    _client(client, world, "provider", "viewer")
    page = client.get(reverse("contracts:detail", kwargs={"pk": c.pk})).content.decode()
    assert f'href="{reverse("contracts:home")}"' in page
    assert reverse("contracts:parties", kwargs={"pk": c.pk}) in page
    # the ledger is for the fund and the commissioner only
    try:
        ledger = reverse("contracts:ledger", kwargs={"pk": c.pk})
    except Exception:  # noqa: BLE001 - C3's page may not exist in this checkout
        ledger = None
    if ledger:
        assert ledger not in page
        _client(client, world, "fund", "viewer")
        assert ledger in client.get(reverse("contracts:detail", kwargs={"pk": c.pk})).content.decode()
