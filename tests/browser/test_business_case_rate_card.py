"""A rate-card business case in a real browser: the participant model on the form, the run in the
background, and the figures on the results page against a direct computation through the core;
axe on the form and the results."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from insats.contracts.models import BusinessCaseScenario, FinancingTerms
from insats.contracts.views_business_case import kr, pct
from insats.core import simulation as sim
from tests.contracts.test_business_case_rate_card import make_rate_card_contract

from .conftest import describe, run_axe, session_cookie_for

pytestmark = pytest.mark.browser


def no_axe_violations(page, where: str) -> None:
    violations = run_axe(page)
    assert not violations, f"{where}:\n    {describe(violations)}"


def test_fill_the_participant_model_run_and_read_the_core_figures(context, page, live_server, bworld):
    contract = make_rate_card_contract(bworld)
    FinancingTerms.objects.create(
        contract=contract,
        commitment=Decimal("200000"),
        drawdown_schedule=["100000", "100000"],
        return_basis="fixed_rate",
        annual_rate=Decimal("0.05"),
        fund_surplus_share=Decimal("0.5"),
    )
    context.add_cookies(
        [session_cookie_for(live_server, bworld.user("owner", "analyst"), bworld.orgs["owner"])]
    )
    page.goto(reverse("contracts:business_case_new", kwargs={"pk": contract.pk}))
    page.get_by_role("group", name="Deltagare och utfall (á-pris)").wait_for()
    no_axe_violations(page, "rate-card form")

    page.get_by_label("Scenariots namn").fill("Á-pris")
    enrolment = page.locator("fieldset[data-dist=enrolment]")
    enrolment.get_by_label("Fördelning").select_option("triangular")
    assert enrolment.locator("[name=enrolment_value]").is_hidden()
    enrolment.locator("[name=enrolment_low]").fill("4")
    enrolment.locator("[name=enrolment_mode]").fill("8")
    enrolment.locator("[name=enrolment_high]").fill("12")
    page.get_by_label("Antal perioder med nya deltagare").fill("2")
    ater = page.get_by_role("group", name="Utfall: Återgång till skolan")
    ater.get_by_label("Sannolikhet att en deltagare når utfallet (%)").fill("60")
    ater.get_by_label("Tidigast, antal perioder efter start").fill("0")
    ater.get_by_label("Senast, antal perioder efter start").fill("1")
    ater.get_by_label("Besparing för kommunen per uppnått utfall (kr)").fill("2000")
    narvaro = page.get_by_role("group", name="Utfall: Närvaro över 90 %")
    assert "Betalas när utfallet bestått 2 perioder till." in narvaro.inner_text()
    narvaro.get_by_label("Sannolikhet att en deltagare når utfallet (%)").fill("40")
    narvaro.get_by_label("Lägsta troliga sannolikhet (%)").fill("20")
    narvaro.get_by_label("Högsta troliga sannolikhet (%)").fill("60")
    narvaro.get_by_label("Tidigast, antal perioder efter start").fill("0")
    narvaro.get_by_label("Senast, antal perioder efter start").fill("0")
    page.get_by_label("Placeringar per år utan insatsen").fill("0")
    page.get_by_label("Tidshorisont (år)").fill("5")
    page.get_by_label("Antal dragningar").fill("4000")
    page.get_by_label("Slumpfrö").fill("9")
    page.get_by_role("button", name="Kör affärscaset").click()

    # a background job: its page says when it is done
    page.get_by_role("status").filter(has_text="Klar").wait_for()
    page.get_by_role("link", name="Öppna resultatet").click()
    page.get_by_role("heading", name="Huvudresultat").wait_for()
    no_axe_violations(page, "rate-card results")

    # the JSON the form produced: the participant model exactly as typed
    s = BusinessCaseScenario.objects.get(contract=contract)
    core = s.inputs["core"]
    assert core["inputs"]["enrolment"] == {"kind": "triangular", "low": 4.0, "mode": 8.0, "high": 12.0}
    assert core["inputs"]["p:skola/narvaro"] == {"kind": "triangular", "low": 0.2, "mode": 0.4, "high": 0.6}
    assert core["participants"] == [
        {
            "metric": "skola",
            "enrolment": ["enrolment", "enrolment"],
            "outcomes": [
                {
                    "outcome": "ater",
                    "probability": 0.6,
                    "delay": {"values": [0, 1], "probabilities": ["0.500000000000", "0.500000000000"]},
                    "effect": "skola/ater",
                },
                {"outcome": "narvaro", "probability": "p:skola/narvaro", "delay": 0},
            ],
        }
    ]
    # the figures shown are the core's: run it directly on that input
    out = sim.simulate(sim.Input.model_validate(core))
    mc = out.monte_carlo
    text = page.locator("main").inner_text()
    payments_row = page.get_by_role("row").filter(has_text="Utfallsbetalningar totalt").inner_text()
    assert kr(mc.total_payments.p50) in payments_row and kr(mc.total_payments.mean) in payments_row
    assert kr(mc.total_payments.p50) != kr(mc.total_payments.p90)  # the participants' outcomes vary
    assert pct(mc.fund_irr_annual.p50) in text
    assert pct(mc.probability_fund_repaid) in text
    for amount in out.deterministic.payments_by_period:
        assert kr(amount) in text
    assert page.get_by_role("img", name="Utfallsbetalningar totalt, fördelning (kr)").is_visible()
    tornado = page.get_by_role("table", name="Tornado i siffror").inner_text()
    assert "Nya deltagare per period" in tornado and "Sannolikhet: skola/narvaro" in tornado
