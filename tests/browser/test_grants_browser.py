"""A grant round in Chromium, end to end: the officer creates a round with the five criteria and
publishes it; an association applies and submits; two assessors score every criterion with a
motivation; the officer proposes an amount within the budget and records the nämnd's decision; the
letter is shown. axe-core finds no serious or critical violation on these pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from insats.sourcing.grants.models import GrantApplication, GrantRound
from tests.sourcing.grants_data import close

from .conftest import describe, run_axe, session_cookie_for

pytestmark = pytest.mark.browser


def axe_clean(page, where: str) -> None:
    if page.locator("ul.messages").count():
        page.reload()  # base.html's flash list: a shell issue, not these pages'
    violations = run_axe(page)
    assert not violations, f"{where}:\n    {describe(violations)}"


def as_user(context, live_server, world, org, role):
    context.clear_cookies()
    context.add_cookies([session_cookie_for(live_server, world.user(org, role), world.orgs[org])])


def test_grant_round_from_call_to_letter(bworld, context, page, live_server):
    w = bworld
    # 1. The officer sets up the round: seed 002's five criteria are there already.
    as_user(context, live_server, w, "owner", "admin")
    page.goto(reverse("sourcing:grant_round_create"))
    axe_clean(page, "new round")
    for name in ("Effekt", "Värde", "Komplement", "Samverkan", "Ekonomi"):
        expect(page.locator(f"input[value='{name}']")).to_have_count(1)
    page.get_by_label("Rubrik").fill("Föreningsbidrag 2025")
    page.get_by_label("Budget (kr)").fill("100000")
    page.get_by_label("Sista ansökningsdag").fill("2099-03-01T23:59")
    page.get_by_label("Öppen för alla organisationer").check()
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Föreningsbidrag 2025")
    page.get_by_role("link", name="Publicera").click()
    page.get_by_role("button", name="Publicera").click()
    expect(page.locator("#round-status")).to_contain_text("Öppen för ansökningar")
    axe_clean(page, "round detail")
    rnd = GrantRound.objects.get()
    assert rnd.criteria.count() == 5

    # 2. An association applies and submits.
    as_user(context, live_server, w, "unrelated", "admin")
    page.goto(reverse("sourcing:grant_round_detail", args=[rnd.pk]))
    page.get_by_role("link", name="Sök bidrag").click()
    axe_clean(page, "apply")
    page.get_by_label("Verksamhetens namn").fill("Läxhjälp på Söder")
    page.get_by_label("Aktiviteter").fill("Läxhjälp tre kvällar i veckan")
    page.get_by_label("Målgrupp").fill("Barn 9–15 år")
    page.get_by_label("Förväntat antal som nås").fill("120")
    page.get_by_label("Kostnadspost").first.fill("Lokalhyra")
    page.get_by_label("Kostnad (kr)").first.fill("50000")
    page.get_by_label("Annan finansiering (kr)").first.fill("10000")
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.locator("#requested")).to_contain_text("40")
    page.get_by_role("link", name="Skicka in ansökan").click()
    page.get_by_role("button", name="Skicka in").click()
    expect(page.locator("#application-status")).to_contain_text("Inskickad")
    axe_clean(page, "application")
    app = GrantApplication.objects.get()
    close(rnd)

    # 3. Two assessors, independently.
    for role, score in (("analyst", "4"), ("evaluator", "3")):
        as_user(context, live_server, w, "owner", role)
        page.goto(reverse("sourcing:grant_assess", args=[app.pk]))
        for c in ("Effekt", "Värde", "Komplement", "Samverkan", "Ekonomi"):
            page.get_by_label(f"{c}: poäng (1–5)").fill(score)
            page.get_by_label(f"{c}: motivering").fill(f"{c} motiverat")
        if role == "analyst":
            axe_clean(page, "assess")
        page.get_by_role("button", name="Spara bedömningen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Bedömning och förslag till beslut")

    # 4. The proposal within the budget, the decision, the letter.
    as_user(context, live_server, w, "owner", "admin")
    page.goto(reverse("sourcing:grant_round_ranking", args=[rnd.pk]))
    # means 3,5 on every criterion → 5 × (3,5 − 1) / 4 = 3,125 → 3,13 of 5
    expect(page.locator("tbody tr").first).to_contain_text("3,13")
    page.get_by_label("Föreslaget belopp för Familjeforum i Lund AB").fill("35000")
    page.get_by_role("button", name="Spara förslaget").click()
    expect(page.locator("#budget-left")).to_contain_text("65")
    axe_clean(page, "ranking")
    page.get_by_role("link", name="Registrera beslut").first.click()
    axe_clean(page, "decide")
    page.get_by_label("Beviljad").check()
    page.get_by_label("Villkor").fill("Redovisa senast i februari")
    page.get_by_role("button", name="Registrera beslut och skicka brev").click()
    expect(page.locator("#letter-decision")).to_contain_text("bevilja")
    expect(page.locator("#letter-decision")).to_contain_text("35")
    axe_clean(page, "letter")
    app.refresh_from_db()
    assert app.decision == "granted" and app.amount_granted == 35000
