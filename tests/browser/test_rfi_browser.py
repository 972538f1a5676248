"""The market dialogue in Chromium: Tomelilla's procurement officer builds an open RFI with seed 000's
nine questions and a live figure from the lägesbild and publishes it; an outside organisation's
administrator finds it on the public page, answers with a secrecy request (first forgetting the
reasons: the error names the question), submits and sees the receipt. axe-core finds no serious or
critical violation on those pages."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from insats.situation.models import Area, Indicator, Observation
from insats.sourcing.rfi.models import ResponseStatus, Rfi

from .conftest import describe, run_axe, session_cookie_for

pytestmark = pytest.mark.browser


def axe_clean(page, where: str) -> None:
    if page.locator("ul.messages").count():
        page.reload()  # base.html's flash list: a shell issue, not these pages'
    violations = run_axe(page)
    assert not violations, f"{where}:\n    {describe(violations)}"


def test_officer_publishes_and_an_outside_org_answers_with_a_secrecy_request(
    context, page, live_server, bworld
):
    area = Area.objects.get(code="1270")
    ind = Indicator.objects.create(
        code="RFIB1", title_sv="Elever i åk 6 med lägst betyget E i alla ämnen", unit="procent", source="demo"
    )
    Observation.objects.create(area=area, indicator=ind, period=2021, value="68.4", source="demo")

    context.add_cookies(
        [session_cookie_for(live_server, bworld.user("owner", "procurement"), bworld.orgs["owner"])]
    )
    page.goto(reverse("sourcing:rfi_create"))
    axe_clean(page, "rfi_create")
    page.locator("#id_title").fill("Barn 6–10 år i riskzon: tidiga insatser")
    page.locator("#id_challenge").fill("Skolresultaten i åk 6 och 9 tillhör den lägsta fjärdedelen.")
    page.locator("#id_deadline").fill("2031-05-27T16:00")
    page.locator("#id_is_public").check()
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Barn 6–10 år i riskzon: tidiga insatser")
    rfi = Rfi.objects.get(title="Barn 6–10 år i riskzon: tidiga insatser")
    expect(page.locator("#publish-problems")).to_contain_text("Lägg till minst en fråga.")

    page.get_by_role("link", name="Frågor", exact=True).click()
    page.get_by_role("button", name="Lägg till frågorna från Tomelillas mall").click()
    expect(page.locator("tbody tr")).to_have_count(9)
    axe_clean(page, "rfi_questions")

    page.goto(reverse("sourcing:rfi_figures", args=[rfi.pk]))
    page.locator("#id_indicator").select_option(label="RFIB1 Elever i åk 6 med lägst betyget E i alla ämnen")
    page.get_by_role("button", name="Lägg till", exact=True).click()
    expect(page.locator("tbody")).to_contain_text("68,4")
    axe_clean(page, "rfi_figures")

    page.goto(reverse("sourcing:rfi_detail", args=[rfi.pk]))
    page.get_by_role("link", name="Publicera", exact=True).click()
    axe_clean(page, "rfi_status (confirm)")
    page.get_by_role("button", name="Publicera").click()
    expect(page.locator(".badge").first).to_have_text("Publicerad")
    expect(page.locator("table.rfi-figures")).to_contain_text("68,4")
    axe_clean(page, "rfi_detail")

    # An outside organisation (Familjeforum) answers.
    context.clear_cookies()
    page.goto(reverse("sourcing:rfi_public_list"))
    axe_clean(page, "rfi_public_list (anonymous)")
    page.get_by_role("link", name="Barn 6–10 år i riskzon: tidiga insatser").click()
    expect(page.locator("table.rfi-figures")).to_contain_text("Demodata")
    axe_clean(page, "rfi_public (anonymous)")
    context.add_cookies(
        [session_cookie_for(live_server, bworld.user("unrelated", "admin"), bworld.orgs["unrelated"])]
    )
    page.reload()
    page.get_by_role("link", name="Svara", exact=True).click()
    expect(page).to_have_url(re.compile(r"/svara/$"))
    q = {x.key: x for x in rfi.questions.all()}
    page.locator(f"#id_q{q['experience'].pk}_text").fill("Mentorsprogram för barn 6–12 år sedan 2015.")
    page.locator(f"#id_q{q['outcome_payment'].pk}_yes_0").check()
    page.locator(f"#id_q{q['outcome_payment'].pk}_follow_up_text").fill("Vår prismodell med utfall.")
    page.locator(f"#id_q{q['outcome_payment'].pk}_secrecy_requested").check()
    page.locator("#id_competences").fill("Mentorskap")
    page.get_by_role("button", name="Skicka in svaret").click()
    expect(page.locator(".errorlist")).to_contain_text("Fråga 6: ange skälen för begäran om sekretess.")
    axe_clean(page, "rfi_respond (with an error)")
    page.locator(f"#id_q{q['outcome_payment'].pk}_secrecy_reason").fill("Prismodellen är en affärshemlighet.")
    page.get_by_role("button", name="Skicka in svaret").click()
    expect(page.locator("#receipt-sha256")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    axe_clean(page, "rfi_respond (receipt)")

    response = rfi.responses.get(organisation=bworld.orgs["unrelated"])
    assert response.status == ResponseStatus.SUBMITTED
    assert page.locator("#receipt-sha256").inner_text() == response.receipt_sha256
    assert response.answers.get(question=q["outcome_payment"]).secrecy_requested
