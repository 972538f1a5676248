"""Issue 14's payment designs entered in the contract's metric forms in a real browser.

For each worked example of docs/core/payments.md (7–10) the commissioner fills the form as a person
would; the JSON the contract then produces for the core (``core_inputs.payment_contract_json``) has
exactly the example's metrics, and the core, given the example's results, pays the example's total.
The contract-level caps per period and due dates per period are entered on the metrics page.
axe on every form.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from insats.contracts import core_inputs, services
from insats.core import payments
from tests.matrix.contracts import actor

from .conftest import describe, run_axe, session_cookie_for

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "core" / "examples"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"payments_{name}.json").read_text(encoding="utf-8"))


def contract_for(w, name: str, cohorts=()):
    """A draft contract over the example's years, the owner paying 100 %, with the example's cohorts."""
    data = example(name)["contract"]
    years = [int(p) for p in data["periods"]]
    owner = actor(w, "owner")
    c = services.contract_create(
        actor=owner,
        owner=w.orgs["owner"],
        title=data["name"],
        reference=data["id"],
        term_start=datetime.date(years[0], 1, 1),
        term_end=datetime.date(years[-1], 12, 31),
        period_type="year",
    )
    for cohort in data.get("cohorts", []):
        services.cohort_save(
            actor=owner,
            contract=c,
            code=cohort["id"],
            name=cohort["label"],
            entry_start=datetime.date(years[0], 1, 1),
            entry_end=datetime.date(years[0], 12, 31),
            planned_size=cohort["size"],
        )
    return c


def open_form(context, page, live_server, w, c, kind_label: str) -> None:
    context.add_cookies(
        [session_cookie_for(live_server, w.user("owner", "contract_manager"), w.orgs["owner"])]
    )
    page.goto(reverse("contracts:metrics", kwargs={"pk": c.pk}))
    page.get_by_role("link", name="Lägg till utfallsmått").click()
    page.get_by_role("link", name=kind_label).click()


def label(page, text: str):
    return page.get_by_label(text, exact=True)


def save(page, where: str) -> None:
    violations = run_axe(page)
    assert not violations, f"{where}:\n    {describe(violations)}"
    page.get_by_role("button", name="Spara utfallsmått").click()
    page.get_by_text("Utfallsmåttet är sparat.").wait_for()


def check_against_example(c, name: str) -> None:
    data = example(name)
    produced = core_inputs.payment_contract_json(c)
    assert produced["metrics"] == data["contract"]["metrics"]
    inp = payments.Input.model_validate({"contract": produced, "results": data["results"]})
    expected = payments.run(data)["totals"]["amount_due"]
    assert str(payments.calculate(inp.contract, inp.results).totals.amount_due) == expected


def common(page, code: str, name: str, unit: str = "") -> None:
    label(page, "Kod:").fill(code)
    label(page, "Namn:").fill(name)
    if unit:
        label(page, "Enhet:").fill(unit)


def test_ratio_measure_in_the_form(context, page, live_server, bworld):
    c = contract_for(bworld, "ratio")
    open_form(context, page, live_server, bworld, c, "Förbättring mot jämförelse")
    common(page, "vardygn", "Vårddygn som undvikits", "vårddygn")
    page.get_by_label("Färre är bättre").check()
    label(page, "Slags mått:").select_option(label="Kvot: täljare per nämnare")
    label(page, "Kvoten anges per:").fill("1000")
    page.get_by_text("Vad betyder detta? – Slags mått").click()
    page.get_by_text("vårddygn per barndygn").first.wait_for()
    page.get_by_label("Historisk nivå").check()
    label(page, "Jämförelsenivå:").fill("40")
    label(page, "Pris per enhet (kr):").fill("3500")
    label(page, "Tröskel per kohort och period:").select_option(label="Procent")
    label(page, "Tröskelns nivå:").fill("5")
    save(page, "metric form, ratio")
    page.get_by_text("Måttet är en kvot").wait_for()  # the rule in plain Swedish
    check_against_example(c, "ratio")


def test_rate_weighted_by_cohort_size_in_the_form(context, page, live_server, bworld):
    c = contract_for(bworld, "rate_cohorts")
    open_form(context, page, live_server, bworld, c, "Förbättring mot jämförelse")
    common(page, "hogfranvaro", "Elever som inte längre har över 15 % frånvaro", "elever")
    page.get_by_label("Färre är bättre").check()
    label(page, "Slags mått:").select_option(label="Andel per kohort, vägd med kohortens storlek")
    label(page, "Kvoten anges per:").fill("100")
    page.get_by_label("Historisk nivå").check()
    label(page, "Jämförelsenivå per kohort:").fill("A: 25\nB: 40")
    label(page, "Pris per enhet (kr):").fill("30000")
    label(page, "Tröskel per kohort och period:").select_option(label="Procent")
    label(page, "Tröskelns nivå:").fill("20")
    label(page, "Tröskel för hela kontraktet:").select_option(label="Procent")
    label(page, "Nivå för hela kontraktet:").fill("20")
    save(page, "metric form, rate per cohort")
    page.get_by_text("vägs de efter storlek").wait_for()
    check_against_example(c, "rate_cohorts")


def test_savings_bonus_over_the_whole_contract_in_the_form(context, page, live_server, bworld):
    c = contract_for(bworld, "contract_bonus")
    open_form(context, page, live_server, bworld, c, "Villkor (betalas inte självt)")
    common(page, "maende", "Andel barn som mår bra", "procentenheter")
    label(page, "Prioritet:").fill("1")
    page.get_by_label("Fler är bättre").check()
    page.get_by_label("Historisk nivå").check()
    label(page, "Jämförelsenivå:").fill("70")
    save(page, "metric form, condition")

    page.goto(reverse("contracts:metrics", kwargs={"pk": c.pk}))
    page.get_by_role("link", name="Lägg till utfallsmått").click()
    page.get_by_role("link", name="Delade besparingar").click()
    common(page, "kostnad", "Kostnad för placeringsdygn")
    label(page, "Prioritet:").fill("0")
    page.get_by_label("Historisk nivå").check()
    label(page, "Förväntad kostnad utan insatsen (kr per period):").fill("5000000")
    label(page, "Andel av besparingen (%):").fill("50")
    label(page, "Extra del över besparing (kr per period):").fill("1500000")
    label(page, "Andel i extra delen (%):").fill("30")
    label(page, "Villkor: annat utfallsmått:").fill("maende")
    label(page, "Villkorets tröskel:").select_option(label="Antal enheter")
    label(page, "Villkorets nivå:").fill("0")
    label(page, "Villkoret är uppfyllt vid:").select_option(label="Mer än nivån (>)")
    label(page, "Den extra delen prövas:").select_option(label="Hela kontraktet, betalas vid slutet")
    save(page, "metric form, savings bonus over the contract")
    page.get_by_text("prövad en gång och betald den sista perioden").wait_for()
    check_against_example(c, "contract_bonus")


def test_steps_strict_with_caps_and_due_dates_per_period(context, page, live_server, bworld):
    c = contract_for(bworld, "steps")
    open_form(context, page, live_server, bworld, c, "Förbättring mot jämförelse")
    common(page, "placeringar", "Placeringar som undvikits", "placeringar")
    page.get_by_label("Färre är bättre").check()
    page.get_by_label("Historisk nivå").check()
    label(page, "Jämförelsenivå:").fill("50")
    label(page, "Stegvisa klumpsummor:").select_option(label="Procent")
    label(page, "Steg:").fill("10: 500000\n15: 1200000")
    label(page, "Ett steg är nått vid:").select_option(label="Mer än nivån (>)")
    label(page, "Tak för måttet, olika per period:").fill("2029: 1000000")
    save(page, "metric form, steps")
    page.get_by_text("Stegvisa klumpsummor per kohort och period").wait_for()
    check_against_example(c, "steps")

    # the contract's own caps per period and due dates per period
    page.goto(reverse("contracts:metrics", kwargs={"pk": c.pk}))
    label(page, "Tak per period, olika per period:").fill("2026: 2000000\n2030: 1500000")
    label(page, "Förfallodagar per period:").fill("2030: 2031-03-31")
    violations = run_axe(page)
    assert not violations, f"payment terms:\n    {describe(violations)}"
    page.get_by_role("button", name="Spara betalningsvillkor").click()
    page.get_by_text("Betalningsvillkoren är sparade.").wait_for()
    c.refresh_from_db()
    produced = core_inputs.payment_contract_json(c)
    assert produced["caps"] == {"per_period": {"2026": "2000000.00", "2030": "1500000.00"}}
    assert [p.get("payment_due") for p in produced["periods"]] == [None, None, None, None, "2031-03-31"]
    assert c.payment_due_date("2030") == datetime.date(2031, 3, 31)
    assert c.payment_due_date("2029") == datetime.date(2029, 12, 31) + datetime.timedelta(days=c.payment_days)
    core = core_inputs.build_payment_contract(c)
    assert core.caps.per_period == {"2026": Decimal("2000000.00"), "2030": Decimal("1500000.00")}
    assert core.periods[-1].payment_due == datetime.date(2031, 3, 31)
