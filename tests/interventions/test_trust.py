"""An unrelated organisation sees none of another organisation's non-public interventions — through
any route of the app.

The routes are not listed here: every page of the URL resolver and every GET operation of the
OpenAPI document is requested as each role of the unrelated organisation, with every integer in the
route set to the secret intervention's id (and, in a second pass, to the owning organisation's id),
and no answer may contain the intervention's name or description. Every role asks the
interventions' own pages and API; the rest of the app is asked by the widest roles (administrator,
analyst) and anonymously, to keep the walk within a minute. Pages other engineers add are
checked the day they exist. (Compressed exports — xlsx, PDF — are not searched inside.)
"""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from insats.accounts.access import Actor
from insats.interventions.sharing import services
from tests.conftest import ROLES, login
from tests.test_permission_matrix import url_map

from .sharing_data import SECRET_DESCRIPTION, SECRET_NAME, add_reach, make_intervention

pytestmark = pytest.mark.django_db

PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def _fill(route: str, value: int) -> str | None:
    """The route with every int/str parameter set to ``value``; None for other converters."""

    def sub(m):
        if (m.group("conv") or "str") not in ("int", "str", "slug"):
            raise ValueError
        return str(value)

    try:
        path = PARAM.sub(sub, route)
    except ValueError:
        return None
    if "(" in path or "^" in path:  # a regular-expression route: not built here
        return None
    return "/" + path.lstrip("/")


def _leaks(response) -> bool:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode("utf-8", errors="ignore")
    return SECRET_NAME in body or SECRET_DESCRIPTION in body


@pytest.fixture
def quiet():
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


def test_an_unrelated_organisation_sees_nothing_of_a_non_public_intervention(world, quiet):
    owner = world.orgs["owner"]
    secret = make_intervention(owner)
    add_reach(secret, 2025, {7: 12, 14: 30})
    # Shared with the partner (not with the unrelated org): sharing must not widen anything else.
    admin = Actor(user=world.user("owner", "admin"), membership=world.membership("owner", "admin"))
    services.intervention_share(
        actor=admin, intervention=secret, organisation=world.orgs["partner"], purpose="samverkan"
    )
    # The public listing is off.
    services.public_listing_set(actor=admin, organisation=owner, on=False)

    urls = url_map()
    pages = sorted(set(urls.pages.values()))
    api_routes = []
    checked, leaks = 0, []

    clients = {}
    for role in ROLES:
        c = Client(raise_request_exception=False)
        login(c, world.user("unrelated", role), world.orgs["unrelated"])
        clients[role] = c
    anonymous = Client(raise_request_exception=False)

    openapi = clients["admin"].get(urls.openapi_url)
    assert openapi.status_code == 200
    for path, item in json.loads(openapi.content)["paths"].items():
        if "get" in item:
            api_routes.append(path)
    assert "/api/v1/interventions/public/{org_id}" in api_routes

    for value in (secret.pk, owner.pk):
        targets = [u for u in (_fill(r, value) for r in pages) if u]
        targets += [re.sub(r"\{\w+\}", str(value), p) for p in api_routes]
        for url in targets:
            if "logout" in url:
                continue
            ours = "/insatser/" in url or "/interventions" in url
            who = [*clients.items()] if ours else [(r, clients[r]) for r in ("admin", "analyst")]
            for label, c in [*who, ("anonymous", anonymous)]:
                response = c.get(url)
                checked += 1
                if _leaks(response):
                    leaks.append(f"{label} GET {url} → {response.status_code}")
    assert checked > 100  # the walk really walked
    assert not leaks, "\n".join(leaks)

    # The public listing when off: 404 for everyone, page and JSON.
    for c in [anonymous, clients["admin"]]:
        assert c.get(reverse("interventions:public_listing", args=[owner.pk])).status_code == 404
        assert c.get(f"/api/v1/interventions/public/{owner.pk}").status_code == 404

    # Control: the partner it is shared with does see it, so the check above can fail.
    partner = Client()
    login(partner, world.user("partner", "viewer"), world.orgs["partner"])
    assert _leaks(partner.get(reverse("interventions:home")))
