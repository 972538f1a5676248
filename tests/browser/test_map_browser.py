"""The map in Chromium, by keyboard: the Helsingborg-like gap and its reason are shown, a filter and
a colour toggle are chosen and applied with the keyboard, a target group's need is placed with the
keyboard; axe-core finds no serious or critical violation.

Set ``INSATS_SCREENSHOTS=1`` to (re)write docs/img/insatser-karta.png used by docs/insatser.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from insats.interventions.map.models import NeedAssignment
from tests.interventions.map_world import build

from .conftest import describe, language_cookie, run_axe, session_cookie_for

pytestmark = pytest.mark.browser
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
REASON = "Riktad tidig insats 7–13 år: 0 platser mot målgrupp 140 barn"


def axe_clean(page) -> None:
    if page.locator("ul.messages").count():
        page.reload()  # base.html's flash list is a shell matter (see test_plans_browser.py)
    violations = run_axe(page)
    assert violations == [], describe(violations)


def test_map_by_keyboard(bworld, context, live_server, page):
    mw = build(bworld)
    user, org = bworld.user("owner", "analyst"), bworld.orgs["owner"]
    context.add_cookies([session_cookie_for(live_server, user, org)])
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(reverse("interventions:map"))
    expect(page.get_by_role("heading", name="Karta: åldersgrupp × intensitet")).to_be_visible()
    expect(page.locator(".map-matrix .map-reason", has_text=REASON)).to_be_visible()
    expect(page.locator(".map-gap-list", has_text=REASON)).to_be_visible()
    axe_clean(page)
    if os.environ.get("INSATS_SCREENSHOTS"):
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        page.locator(".map-scroll").screenshot(path=str(DOCS_IMG / "insatser-karta.png"))

    # Filter: evidence "Effekt visad i svenska studier" (the first choice after "Alla"), by keyboard.
    page.get_by_role("combobox", name="Evidens").focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("combobox", name="Evidens")).to_have_value("svenska_studier")
    # Colour toggle: from "Platser" to "Räckvidd" with the arrow key, then "Visa" with Enter.
    page.get_by_role("radio", name="Platser").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="Räckvidd")).to_be_checked()
    page.get_by_role("button", name="Visa").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**colour=reach**")
    assert "evidence=svenska_studier" in page.url
    expect(page.get_by_text("Rutorna är färgade efter räckvidd")).to_be_visible()
    matrix = page.locator(".map-matrix")
    expect(matrix).to_contain_text("Föräldraskapsstöd ABC")
    expect(matrix).not_to_contain_text("Familjen läser")
    expect(page.locator(".map-matrix .map-reason", has_text=REASON)).to_be_visible()
    axe_clean(page)

    # Place the unplaced group's need at "Allmänt förebyggande" by keyboard.
    page.goto(reverse("interventions:map"))
    select = page.locator(f"#need-{mw.unplaced.pk}")
    select.focus()
    page.keyboard.press("ArrowDown")
    expect(select).to_have_value("allmant")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/karta/**")
    expect(page.get_by_text("Behovet för Unga 16–18 år är sparat.")).to_be_visible()
    assert NeedAssignment.objects.get(target_group=mw.unplaced).intensity == "allmant"
    axe_clean(page)

    # In English too: the reason is translated and the page stays clean.
    context.add_cookies([language_cookie(live_server, "en")])
    page.goto(reverse("interventions:map"))
    reason_en = "Targeted early intervention 7–13 år: 0 places against a target group of 140 children"
    expect(page.locator(".map-matrix .map-reason", has_text=reason_en)).to_be_visible()
    axe_clean(page)
