"""The social plan in Chromium, by keyboard: an analyst writes an entity and a success factor, an
administrator adopts the plan, the version history shows the adopted version. axe-core finds no
serious or critical violation on the plan page, the forms and the history."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from insats.interventions.plans import services as svc
from insats.interventions.plans.models import PlanEntity, PlanStatus, SuccessFactor
from tests.interventions.plans_fixtures import build

from .conftest import describe, run_axe, session_cookie_for

pytestmark = pytest.mark.browser

# INSATS_SCREENSHOTS=1 (re)writes the screenshots docs/insatser.md uses.
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def screenshot(page, name: str) -> None:
    if os.environ.get("INSATS_SCREENSHOTS"):
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1000, "height": 1400})
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(DOCS_IMG / name), full_page=False)


def axe_clean(page) -> None:
    if page.locator("ul.messages").count():
        page.reload()  # base.html's flash list: a shell issue (see test_plans_browser.axe_clean)
    violations = run_axe(page)
    assert violations == [], describe(violations)


def press(page, name: str) -> None:
    control = page.get_by_role("button", name=name, exact=True).or_(
        page.get_by_role("link", name=name, exact=True)
    )
    control.first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page, field: str, text: str) -> None:
    page.locator(f"#id_{field}").focus()
    page.keyboard.type(text)


def test_write_adopt_and_see_the_version(page, context, live_server, bworld):
    d = build(bworld)
    plan = d["plan"]
    context.add_cookies(
        [session_cookie_for(live_server, bworld.user("owner", "analyst"), bworld.orgs["owner"])]
    )
    page.goto(live_server.url + reverse("interventions:plan_detail", args=[plan.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text(plan.title)
    axe_clean(page)

    press(page, "Ny entitet")
    page.locator("#id_kind").focus()
    page.keyboard.press("ArrowDown")  # the first kind: Förvaltning
    type_into(page, "name", "Kultur- och fritidsförvaltningen")
    type_into(page, "vision", "En meningsfull fritid för alla barn")
    type_into(page, "competence", "Fritidsledarutbildning")
    axe_clean(page)
    press(page, "Spara")
    entity = PlanEntity.objects.get(plan=plan, name="Kultur- och fritidsförvaltningen")
    assert (entity.kind, entity.competence) == ("forvaltning", "Fritidsledarutbildning")
    expect(page.locator(f"#entitet-{entity.pk}")).to_contain_text("En meningsfull fritid för alla barn")

    press(page, "Ny framgångsfaktor")
    press(page, "Spara")  # empty: the errors name the fields, nothing is saved
    expect(page.locator("#id_title_error")).to_be_visible()
    assert not SuccessFactor.objects.filter(plan=plan).exists()
    axe_clean(page)
    type_into(page, "title", "Fler barn i organiserad fritid")
    page.locator("#id_result").focus()
    page.keyboard.press("ArrowDown")  # the first result
    press(page, "Spara")
    factor = SuccessFactor.objects.get(plan=plan)
    assert factor.title == "Fler barn i organiserad fritid" and factor.result_id is not None
    expect(page.locator(f"#faktor-{factor.pk}")).to_be_visible()
    svc.intervention_add(
        actor=d["actor"], entity=entity, intervention=d["komet"], role="ska_starta", start_year=2027
    )

    context.clear_cookies()
    context.add_cookies(
        [session_cookie_for(live_server, bworld.user("owner", "admin"), bworld.orgs["owner"])]
    )
    page.goto(live_server.url + reverse("interventions:plan_detail", args=[plan.pk]))
    press(page, "Anta planen")
    axe_clean(page)
    page.locator("#id_body").focus()
    page.keyboard.press("ArrowDown")
    page.locator("#id_adopted_on").fill("2026-01-15")
    type_into(page, "minutes_reference", "KF § 12")
    page.locator("#id_confirm").focus()
    page.keyboard.press("Space")
    press(page, "Anta planen")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ADOPTED
    expect(page.locator("dl.facts").first).to_contain_text("antagen av Kommunstyrelsen 2026-01-15 (KF § 12)")
    expect(page.locator(f"#entitet-{entity.pk}")).to_contain_text("Komet – Ska starta 2027")
    screenshot(page, "socialplan.png")

    press(page, "Versioner")
    axe_clean(page)
    adopted = page.locator("tbody tr").first
    expect(adopted).to_contain_text("Kommunstyrelsen 2026-01-15 (KF § 12)")
    press(page, "Jämför")
    expect(page.locator("table.plan-diff")).to_be_visible()
    screenshot(page, "socialplan-versioner.png")
    axe_clean(page)
