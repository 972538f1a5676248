"""``manage.py crawl``: follows same-site links only, never logs out, and reports a 5xx page."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from insats.web.management.commands import crawl


def test_links_keep_same_site_pages_and_skip_logout_static_and_other_sites():
    html = """
      <a href="/lagesbild/">a</a> <a href="malgrupper/#top">b</a> <a href="https://evil.example/x">c</a>
      <a href="/konto/logga-ut/">d</a> <a href="/static/app.css">e</a> <a href="mailto:x@y.se">f</a>
      <a href="?sida=2">g</a>
    """
    assert crawl.links("/lagesbild/planering/", html) == [
        "/lagesbild/",
        "/lagesbild/planering/malgrupper/",
        "/lagesbild/planering/?sida=2",
    ]


@pytest.mark.django_db
def test_crawl_as_an_admin_sees_pages_and_reports_a_server_error(world):
    import pyotp

    from insats.accounts import security

    membership = world.membership("owner", "admin")
    secret = security.new_secret()  # an administrator must have a second factor
    security.enable_two_factor(membership.user, secret, pyotp.TOTP(secret).now())
    result = crawl.crawl_as(membership, limit=40, slow=60)
    assert result["pages"] >= 10  # start page, lägesbild, organisation pages …
    assert result["errors"] == []

    with override_settings(ROOT_URLCONF="tests.web.broken_home_urls"):
        result = crawl.crawl_as(membership, limit=5, slow=60)
    assert result["errors"] == [("/", 500)]


@override_settings(DEBUG=False)
def test_crawl_refuses_to_run_without_debug():
    with pytest.raises(CommandError):
        call_command("crawl")
