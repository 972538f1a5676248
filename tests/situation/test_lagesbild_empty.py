"""The lägesbild without any indicator data, and for an organisation without an area code."""

import pytest
from django.urls import reverse

from insats.situation.models import Area
from insats.situation.services import load_areas
from tests.conftest import login


@pytest.fixture(autouse=True)
def areas(db):
    if not Area.objects.exists():  # flushed by a transactional test earlier in this worker
        load_areas()


def test_an_empty_database_gives_a_helpful_page(world, client):
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    response = client.get(reverse("situation:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lägesbild: Tomelilla" in html  # the organisation's own kommun (area code 1270)
    assert "manage.py demo_indicators" in html
    assert 'role="img"' not in html


def test_without_an_area_code_the_page_asks_for_a_kommun(world, client):
    login(client, world.user("partner", "analyst"), world.orgs["partner"])  # RISE: no area code
    response = client.get(reverse("situation:home"))
    assert response.status_code == 200
    assert "Välj en kommun ovan" in response.content.decode()
    # and the exports need an area
    assert client.get(reverse("situation:export_pdf")).status_code == 404
    assert client.get(reverse("situation:export_xlsx")).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(db, client):
    response = client.get(reverse("situation:home"))
    assert response.status_code == 302 and "/konto/" in response["Location"]
