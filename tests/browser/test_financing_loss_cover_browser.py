"""Investors, guarantees and the currency in a real browser (issue 14, items 1, 6, 9).

The commissioner chooses the contract's currency in the contract form; the fund enters worked
example 4 of docs/core/financing.md (a senior and a junior investor, a first-loss and a
second-loss guarantee) in the financing form. The terms the form produces — shown on the page as
the financing command's JSON — must be the documented example's terms, and the core must give
the same result from them as from the example file. axe on both forms and on the saved page.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from insats.contracts.models import Contract, ContractParty, PartyRole
from insats.core import financing as fin
from tests.matrix.contracts import add_orgs

from .conftest import describe, run_axe, session_cookie_for

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "core" / "examples" / "financing_guarantees.json"


def act_as(context, live_server, world, org: str, role: str) -> None:
    context.clear_cookies()
    context.add_cookies([session_cookie_for(live_server, world.user(org, role), world.orgs[org])])


def axe_clean(page, where: str) -> None:
    if page.locator("ul.messages").count():
        page.reload()  # the one-off message list is the shell's (see test_contract_lifecycle)
    violations = run_axe(page)
    assert not violations, f"{where}:\n    {describe(violations)}"


def test_the_financing_form_produces_the_documented_example(context, page, live_server, bworld):
    w = bworld
    add_orgs(w)
    contract = Contract.objects.create(
        owner=w.orgs["owner"], title="Garantier", reference="garantier", term_start=datetime.date(2026, 1, 1),
        term_end=datetime.date(2028, 12, 31), period_type="year", created_by=w.user("owner", "admin"),
    )  # fmt: skip
    ContractParty.objects.create(
        contract=contract, organisation=w.orgs["owner"], role=PartyRole.COMMISSIONER, payer_share=Decimal(100)
    )
    ContractParty.objects.create(contract=contract, organisation=w.orgs["fund"], role=PartyRole.FUND)

    # the commissioner states the currency (the example is in SEK; EUR first, then back)
    act_as(context, live_server, w, "owner", "contract_manager")
    page.goto(reverse("contracts:edit", kwargs={"pk": contract.pk}))
    currency = page.get_by_label("Valuta:", exact=True)
    currency.select_option("EUR")
    axe_clean(page, "contract form")
    page.get_by_role("button", name="Spara").click()
    page.get_by_text("Kontraktet är sparat.").wait_for()
    contract.refresh_from_db()
    assert contract.currency == "EUR"
    page.goto(reverse("contracts:edit", kwargs={"pk": contract.pk}))
    page.get_by_label("Valuta:", exact=True).select_option("SEK")
    page.get_by_role("button", name="Spara").click()
    page.get_by_text("Kontraktet är sparat.").wait_for()
    contract.refresh_from_db()
    assert contract.currency == "SEK"

    # the fund enters worked example 4
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    act_as(context, live_server, w, "fund", "admin")
    page.goto(reverse("contracts:financing", kwargs={"pk": contract.pk}))
    page.get_by_label("Åtagande (kr):", exact=True).fill("2000000")
    page.get_by_label("Fast årlig ränta").check()
    page.get_by_label("Årlig ränta (%):", exact=True).fill("6")
    page.get_by_label("Fondens andel av överskottet (%):", exact=True).fill("50")
    page.get_by_label("Utförarens kostnad 2026 (kr):", exact=True).fill("1000000")
    page.get_by_label("Utförarens kostnad 2027 (kr):", exact=True).fill("1000000")
    page.get_by_label("Investerare (en per rad):", exact=True).fill(
        "Pensionsstiftelsen; 60; 1\nImpactfonden; 40; 2"
    )
    page.get_by_label("Garantier (en per rad):", exact=True).fill(
        "Stiftelsen Barnens Framtid; 50; 200000; ; Impactfonden\nRegionförbundet; 100; ; 100000"
    )
    # the help text is there for the fund manager, by keyboard too
    help_toggle = page.locator(".explain summary", has_text="Garantier (en per rad)")
    help_toggle.focus()
    page.keyboard.press("Enter")
    page.get_by_text("first-loss-garanti").wait_for()
    axe_clean(page, "financing form")
    page.get_by_role("button", name="Spara finansieringsvillkor").click()
    page.get_by_text("Finansieringsvillkoren är sparade.").wait_for()
    axe_clean(page, "financing page")

    page.get_by_text("Villkoren som JSON").click()
    shown = json.loads(page.locator("#financing-json").inner_text())
    expected = example["terms"]
    assert shown["tranches"] == expected["tranches"]
    assert shown["guarantees"] == expected["guarantees"]
    assert fin.FinancingTerms.model_validate(shown) == fin.FinancingTerms.model_validate(expected)
    assert fin.run({"terms": shown, "payments": example["payments"]}) == fin.run(example)
    # the page lists who is repaid first and what each guarantee covers
    page.get_by_role("cell", name="Impactfonden").first.wait_for()
    guarantees = page.locator("table", has_text="Garantier").text_content()
    assert "200\u00a0000,00\u00a0kr" in guarantees and "100\u00a0000,00\u00a0kr" in guarantees
