"""Refusals and missing pages are explained in the product's own shell, in the user's language."""

import pytest
from django.urls import reverse

from tests.conftest import login


@pytest.mark.django_db
def test_forbidden_page_explains_itself_in_swedish(client, world):
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    response = client.get(reverse("accounts:organisation_edit", args=[world.orgs["owner"].pk]))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Du har inte behörighet till den här sidan" in html
    assert 'class="main-nav"' in html  # the normal shell, with navigation
    assert "Content-Security-Policy" in response.headers


@pytest.mark.django_db
def test_missing_page_is_the_products_own(client, world):
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    response = client.get("/finns-inte/")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()


def test_server_error_page_needs_no_context():
    from django.template.loader import get_template

    html = get_template("500.html").render()
    assert "Något gick fel" in html and "{%" not in html


@pytest.mark.django_db
def test_swedish_by_default_even_for_an_english_browser_and_english_when_chosen(client, world):
    from django.conf import settings

    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="sv">' in html and "Nästa steg" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert '<html lang="en">' in html and "Next steps" in html
