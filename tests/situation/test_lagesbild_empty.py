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
    assert 'role="img"' not in html


@pytest.mark.parametrize(
    "role, may_sync",
    [("admin", True), ("analyst", True), ("viewer", False), ("caseworker", False)],
)
def test_the_empty_page_points_to_the_kolada_sync_page_or_the_administrator(world, client, role, may_sync):
    """Analysts and administrators start a Kolada sync at /lagesbild/kolada/ (DESIGN.md: own data
    and imports are theirs); the others are sent to their administrator. Nobody is told to run a
    command on the server."""
    login(client, world.user("owner", role), world.orgs["owner"])
    html = client.get(reverse("situation:home")).content.decode()
    assert "manage.py" not in html
    sync_url = reverse("situation:kolada_sync")
    assert sync_url == "/lagesbild/kolada/"
    assert (f'href="{sync_url}"' in html) is may_sync, role
    assert ("Be din administratör att hämta data från Kolada." in html) is not may_sync, role


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
