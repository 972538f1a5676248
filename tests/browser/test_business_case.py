"""The business case in a real browser: fill in the inputs, run, follow the progress, read the
results and the tornado, make a second version and compare the two; axe on every page on the way.

Set ``INSATS_SCREENSHOTS=1`` to (re)write the screenshot in docs/img/ used by docs/affarscase.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse

from tests.contracts.test_business_case_world import add_unit_cost_data, make_contract

from .conftest import describe, run_axe, session_cookie_for

pytestmark = pytest.mark.browser

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def no_axe_violations(page, where: str) -> None:
    violations = run_axe(page)
    assert not violations, f"{where}:\n    {describe(violations)}"


def test_fill_run_follow_read_and_compare(context, page, live_server, bworld):
    add_unit_cost_data()
    contract = make_contract(bworld)
    context.add_cookies(
        [session_cookie_for(live_server, bworld.user("owner", "analyst"), bworld.orgs["owner"])]
    )

    page.goto(reverse("contracts:business_case", kwargs={"pk": contract.pk}))
    no_axe_violations(page, "scenario list (empty)")
    page.get_by_role("link", name="Nytt scenario").click()

    # the form: prefilled from the lägesbild, each distribution's parameters shown for its kind
    assert page.locator("[name=hvb_day_cost_value]").input_value() == "5123"
    page.get_by_text("Förifyllt från lägesbilden: 5123").wait_for()
    effect = page.locator("fieldset[data-dist=effect]")
    effect.get_by_label("Fördelning").select_option("fixed")
    assert (
        effect.locator("[name=effect_low]").is_hidden() and effect.locator("[name=effect_value]").is_visible()
    )
    effect.get_by_label("Fördelning").select_option("pert")
    assert (
        effect.locator("[name=effect_low]").is_visible() and effect.locator("[name=effect_value]").is_hidden()
    )
    no_axe_violations(page, "inputs form")

    page.get_by_label("Scenariots namn").fill("Grundscenario")
    effect.locator("[name=effect_low]").fill("5")
    effect.locator("[name=effect_mode]").fill("20")
    effect.locator("[name=effect_high]").fill("35")
    hvb = page.locator("fieldset[data-dist=hvb_day_cost]")
    hvb.get_by_label("Fördelning").select_option("triangular")
    hvb.locator("[name=hvb_day_cost_low]").fill("4000")
    hvb.locator("[name=hvb_day_cost_mode]").fill("5123")
    hvb.locator("[name=hvb_day_cost_high]").fill("6500")
    page.get_by_label("Egna kostnader per år (kr)").fill("200000")
    page.get_by_label("Antal dragningar").fill("20000")

    # a mistake first: the error is shown on the field, nothing is run
    effect.locator("[name=effect_high]").fill("15")
    page.get_by_role("button", name="Kör affärscaset").click()
    page.get_by_text("need low ≤ mode ≤ high").wait_for()
    no_axe_violations(page, "inputs form with errors")
    page.locator("[name=effect_high]").fill("35")
    page.get_by_role("button", name="Kör affärscaset").click()

    # the job page, then the results
    page.get_by_role("status").filter(has_text="Klar").wait_for()
    assert "Sannolikheten att beställaren sparar pengar" in page.content()
    no_axe_violations(page, "job page")
    page.get_by_role("link", name="Öppna resultatet").click()
    page.get_by_role("heading", name="Huvudresultat").wait_for()
    assert page.get_by_role(
        "img", name="Tornado: vilken osäkerhet betyder mest för nettonuvärdet (kr)"
    ).is_visible()
    assert page.get_by_role("img", name="Beställarens nettonuvärde, fördelning (kr)").is_visible()
    if os.environ.get("INSATS_SCREENSHOTS"):
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1000, "height": 1400})
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(DOCS_IMG / "affarscase.png"), full_page=False)
    page.get_by_text("Så räknades det").click()
    page.get_by_text("20 000 dragningar, slumpfrö 1.").wait_for()
    no_axe_violations(page, "scenario page")

    # a second version, more cautious, and the comparison
    page.get_by_role("link", name="Nytt scenario utifrån detta").click()
    page.locator("[name=effect_mode]").fill("12")
    page.get_by_role("button", name="Kör affärscaset").click()
    page.get_by_role("status").filter(has_text="Klar").wait_for()
    page.goto(reverse("contracts:business_case", kwargs={"pk": contract.pk}))
    page.get_by_label("Jämför Grundscenario version 1").check()
    page.get_by_label("Jämför Grundscenario version 2").check()
    no_axe_violations(page, "scenario list")
    page.get_by_role("button", name="Jämför markerade (två eller tre)").click()
    page.get_by_role("heading", name="Jämför scenarier").wait_for()
    effect_row = page.get_by_role("row").filter(has_text="Förväntad effekt")
    assert effect_row.locator("mark").count() == 1
    assert "mest troligt 12 %" in effect_row.inner_text().replace("\u00a0", " ")
    no_axe_violations(page, "compare page")
