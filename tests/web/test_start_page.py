"""The start page's cards: each links to the page its text names, and offers only what the role may do."""

from __future__ import annotations

import re

import pytest
from django.urls import resolve, reverse

from insats.accounts.models import Role
from tests.conftest import login

pytestmark = pytest.mark.django_db

# Written from each card's title and text (not from start.py): the page a reader expects to land on.
PAGE_OF_CARD = {
    "Lägesbild": "situation:home",
    "Orsaksanalys och aktivitetsplan": "situation:plan_home",
    "Importera egna data": "situation:import_start",
    "Hämta från Kolada": "situation:kolada_sync",
    "Bjud in kollegor": "accounts:my_members",
    "Samverkan med andra organisationer": "accounts:partnerships",
    "Styrelse, beredningsgrupp och styrgrupper": "accounts:bodies",
    "Granska loggen": "audit:search",
    "API-nycklar": "accounts:tokens",
    "Tvåfaktorsinloggning": "accounts:two_factor",
    "Utfallskontrakt": "contracts:home",
    "Upprätta ett utfallskontrakt": "contracts:create",
}
CARD = re.compile(r'<li class="card"><h3><a href="([^"]+)">([^<]+)</a></h3><p>([^<]*)</p></li>')


def cards(client, world, role):
    login(client, world.user("owner", role), world.orgs["owner"])
    html = client.get(reverse("web:home")).content.decode()
    client.logout()
    return CARD.findall(html)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_card_links_to_the_page_it_names_and_the_page_opens(client, world, role):
    found = cards(client, world, role)
    assert found, role
    for url, title, _text in found:
        assert resolve(url).view_name == PAGE_OF_CARD[title], (role, title, url)
    login(client, world.user("owner", role), world.orgs["owner"])
    for url, title, _text in found:
        assert client.get(url, follow=True).status_code == 200, (role, title, url)


@pytest.mark.parametrize("role", [r.value for r in Role if r != Role.ADMIN])
def test_a_reader_is_not_offered_to_register_partnerships(client, world, role):
    texts = {title: text for _url, title, text in cards(client, world, role)}
    assert "Samverkan med andra organisationer" in texts  # they may still look
    assert "Registrera" not in texts["Samverkan med andra organisationer"]


def test_the_administrator_is_offered_to_register_partnerships(client, world):
    texts = {title: text for _url, title, text in cards(client, world, "admin")}
    assert texts["Samverkan med andra organisationer"].startswith("Registrera partnerskap")


def test_the_partnerships_page_offers_a_reader_no_registration_either(client, world):
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    assert 'name="level"' in client.get(reverse("accounts:partnerships")).content.decode()
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    html = client.get(reverse("accounts:partnerships")).content.decode()
    assert "Registrera ett partnerskap" not in html and 'name="level"' not in html
