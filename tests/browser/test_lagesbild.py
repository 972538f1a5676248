"""The lägesbild in Chromium: axe-clean with real (demo) figures, in Swedish and English; the
"how it was computed" disclosures open from the keyboard; the area form works without a mouse."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insats.situation import lagesbild
from insats.situation.demo_data import build_demo_indicators
from insats.situation.services import load_areas

from .conftest import describe, language_cookie, run_axe, session_cookie_for

pytestmark = pytest.mark.browser

CODES = ["N15505", "DEMO01", "DEMO02", "DEMO13", "DEMO20", "DEMO23"]


@pytest.fixture
def demo(bworld):
    load_areas()  # a transactional test flushes the tables, the migration's areas included
    build_demo_indicators(codes=CODES)
    return bworld


def open_as(context, page, live_server, world, language="sv", role="viewer", query=""):
    context.add_cookies(
        [
            language_cookie(live_server, language),
            session_cookie_for(live_server, world.user("owner", role), world.orgs["owner"]),
        ]
    )
    page.goto(reverse("situation:home") + query)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_page_with_figures_has_no_serious_axe_violations(language, context, page, live_server, demo):
    open_as(context, page, live_server, demo, language)
    assert page.locator("html").get_attribute("lang") == language
    # the page opens on the curated default (docs/lagesbild.md): the CODES that are in it
    assert page.locator("article.lb-indicator").count() == len(set(CODES) & set(lagesbild.DEFAULT_CODES))
    # open every disclosure so that axe checks their contents too
    for summary in page.locator("details > summary").all():
        summary.evaluate("el => el.parentElement.open = true")
    violations = run_axe(page)
    assert not violations, describe(violations)


def test_disclosures_open_from_the_keyboard(context, page, live_server, demo):
    open_as(context, page, live_server, demo, query="?ind=N15505")
    summary = page.locator("#ind-N15505 details > summary", has_text="Hur rangen är beräknad")
    details = summary.locator("xpath=..")
    assert details.get_attribute("open") is None
    summary.focus()
    page.keyboard.press("Enter")
    assert details.get_attribute("open") is not None
    assert details.locator("dd", has_text="Kvartil = ⌈4 · rang / n⌉").is_visible()
    page.keyboard.press("Space")
    assert details.get_attribute("open") is None


def test_choosing_another_kommun_with_the_keyboard(context, page, live_server, demo):
    open_as(context, page, live_server, demo)
    assert "Tomelilla" in page.locator("h1").inner_text()
    page.locator("#lb-area").focus()
    page.locator("#lb-area").select_option("1283")
    page.locator(".lb-filter button[type=submit]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**area=1283**")
    assert "Helsingborg" in page.locator("h1").inner_text()
    # the charts are images with a name
    chart = page.locator("#ind-DEMO13 svg[role=img]").first
    assert "Helsingborg" in chart.locator("title").text_content()
