"""Every page of a contract shows the same header and tab bar, and every tab in it opens (no 403):
the results, payments, ledger, dashboard and export pages once had their own link bar that linked
to pages the user may not open."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import ROLES, login

from .test_results_world import make_contract

pytestmark = pytest.mark.django_db

PAGES = [
    "contracts:results",
    "contracts:payments",
    "contracts:ledger",
    "contracts:dashboard",
    "contracts:exports",
]
NAV = re.compile(r'<nav class="contract-subnav"[^>]*>(.*?)</nav>', re.S)


@pytest.mark.parametrize("org", ["owner", "partner", "federation", "fund"])
def test_every_tab_on_the_result_pages_opens(client, world, org):
    contract = make_contract(world)
    checked = 0
    for role in ROLES:
        client.logout()
        login(client, world.user(org, role), world.orgs[org])
        for name in PAGES:
            response = client.get(reverse(name, args=[contract.pk]))
            if response.status_code != 200:
                continue
            html = response.content.decode()
            navs = NAV.findall(html)
            assert len(navs) == 1, (org, role, name)  # one tab bar, the contract's
            assert contract.title in html
            assert contract.get_status_display() in html
            for href in re.findall(r'href="([^"]+)"', navs[0]):
                assert client.get(href).status_code == 200, (org, role, name, href)
                checked += 1
    assert checked > 0


def test_the_dashboard_tab_is_called_lagesoversikt(client, world):
    contract = make_contract(world)
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    html = client.get(reverse("contracts:dashboard", args=[contract.pk])).content.decode()
    nav = NAV.findall(html)[0]
    dashboard_url = reverse("contracts:dashboard", args=[contract.pk])
    detail_url = reverse("contracts:detail", args=[contract.pk])
    assert f'<a href="{dashboard_url}" aria-current="page">Lägesöversikt</a>' in nav
    assert f'<a href="{detail_url}">Översikt</a>' in nav
