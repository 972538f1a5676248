"""In the browser: the provider reports, the validator returns, the provider corrects, the validator
approves; the commissioner sees the payment (the core's amount) and the fund's ledger, and downloads
the invoice basis PDF. Every page passes axe (WCAG 2.1 A/AA, no serious or critical violations)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import describe, run_axe, session_cookie_for
from tests.contracts.test_results_world import make_contract

pytestmark = pytest.mark.django_db(transaction=True)


def spaced(html: str) -> str:
    """Amounts group with no-break spaces (insats.platform.formatting); compare with plain ones."""
    return html.replace("&nbsp;", " ").replace("\u00a0", " ")


def act_as(context, live_server, world, org, role):
    context.clear_cookies()
    context.add_cookies([session_cookie_for(live_server, world.user(org, role), world.orgs[org])])


def axe_clean(page, what: str):
    violations = run_axe(page)
    assert not violations, f"{what}: {describe(violations)}"


def test_report_return_correct_approve_pay(bworld, context, page, live_server):
    world = bworld
    contract = make_contract(world)
    results_url = f"/utfallskontrakt/{contract.pk}/resultat/"

    # the provider reports 2027 with a wrong figure
    act_as(context, live_server, world, "partner", "contract_manager")
    page.goto(results_url)
    axe_clean(page, "results (provider)")
    page.get_by_label("Period").select_option("2027")
    page.get_by_label("Uppmätt värde").fill("64")
    page.get_by_role("button", name="Spara").click()
    page.get_by_text("inlämnat för validering").wait_for()

    # the validator returns it with a comment
    act_as(context, live_server, world, "federation", "evaluator")
    page.goto(results_url)
    page.get_by_role("link", name="2027").click()
    axe_clean(page, "result detail (validator)")
    page.get_by_label("Vad behöver rättas?").fill("64 är vårddygn, inte placeringar.")
    page.get_by_role("button", name="Återsänd för rättelse").click()
    page.get_by_text("Återsänt", exact=True).first.wait_for()

    # the provider corrects it through the link on the result
    act_as(context, live_server, world, "partner", "contract_manager")
    page.goto(results_url)
    page.get_by_role("link", name="2027").click()
    assert "vårddygn" in page.content()
    page.get_by_role("link", name="Ändra värdet i rapportformuläret").click()
    page.get_by_label("Uppmätt värde").fill("43")
    page.get_by_role("button", name="Spara").click()
    page.get_by_text("inlämnat för validering").wait_for()

    # the validator approves
    act_as(context, live_server, world, "federation", "evaluator")
    page.goto(results_url)
    page.get_by_role("link", name="2027").click()
    page.get_by_role("button", name="Godkänn").click()
    page.get_by_text("betalningarna är omräknade").wait_for()

    # the commissioner sees the payment, the ledger and downloads the invoice basis
    act_as(context, live_server, world, "owner", "contract_manager")
    page.goto(f"/utfallskontrakt/{contract.pk}/betalningar/")
    axe_clean(page, "payments")
    assert "1 750 000,00 kr" in spaced(page.content())  # 7 placements × 250 000 (hand)
    page.get_by_text("Hur beloppet för Tomelilla kommun 2027 räknades fram").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Fakturaunderlag 2027 (PDF)").click()
    path = download.value.path()
    with open(path, "rb") as fh:
        assert fh.read(4) == b"%PDF"
    page.goto(f"/utfallskontrakt/{contract.pk}/fondbokforing/")
    axe_clean(page, "ledger")
    assert "1 750 000,00 kr" in spaced(page.content()) and "<strong>Nej</strong>" not in page.content()
    for sub in ("oversikt/", "export/"):
        page.goto(f"/utfallskontrakt/{contract.pk}/{sub}")
        axe_clean(page, sub)

    # an unrelated organisation sees none of it
    act_as(context, live_server, world, "unrelated", "admin")
    response = page.goto(f"/utfallskontrakt/{contract.pk}/betalningar/")
    assert response.status == 404
