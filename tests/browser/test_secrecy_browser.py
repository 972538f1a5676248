"""The registrar in Chromium: a response asked for secrecy on two parts (its solution and its price);
the registrar decides one secret (the solution) with ground and motivation, opens the redacted copy
(the solution replaced by the OSL placeholder, the price shown) and hands it out. axe-core finds no
serious or critical violation on the analysis, the assessment, its page, the copy and the list."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from insats.sourcing.secrecy.models import SecrecyAssessment, SecrecyHandOut
from tests.sourcing.secrecy_world import SECRET_PRICE, build

from .conftest import describe, run_axe, session_cookie_for

pytestmark = pytest.mark.browser
PLACEHOLDER = "[Uppgiften omfattas av sekretess enligt OSL 31 kap. 16 §]"


def axe_clean(page, where: str) -> None:
    if page.locator("ul.messages").count():
        page.reload()  # base.html's flash list: a shell issue, not these pages'
    violations = run_axe(page)
    assert not violations, f"{where}:\n    {describe(violations)}"


def test_registrar_assesses_decides_one_part_secret_and_hands_out(context, page, live_server, bworld):
    w = bworld
    rfi, partner, _other = build(w)
    solution_key = f"answer-{rfi.questions.get(key='solution').pk}"
    context.add_cookies([session_cookie_for(live_server, w.user("owner", "procurement"), w.orgs["owner"])])

    page.goto(reverse("sourcing:rfi_analysis", args=[rfi.pk]) + "?f_outcome_payment=ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("Analys av svaren")
    axe_clean(page, "analysis")
    page.get_by_role("link", name="Sekretesspröva").first.click()
    page.wait_for_url(f"**{reverse('sourcing:secrecy_create', args=['rfi_response', partner.pk])}")
    expect(page.get_by_text("Avsändaren begär sekretess")).to_have_count(2)
    axe_clean(page, "assessment form")

    page.get_by_label("Begärd av (namn)").fill("Anna Andersson")
    page.get_by_label("Begärd av (organisation)").fill("Ystads Allehanda")
    page.locator(f"#id_part-{solution_key}-secret").check()
    page.get_by_role("button", name="Fatta beslut").click()
    # No motivation: refused, nothing saved, the error names the part.
    expect(page.get_by_text("Motivera sekretessen")).to_be_visible()
    assert not SecrecyAssessment.objects.exists()
    page.locator(f"#id_part-{solution_key}-motivation").fill(
        "Metoden är bolagets affärshemlighet; ett röjande skadar det i konkurrensen."
    )
    page.get_by_role("button", name="Fatta beslut").click()
    a = SecrecyAssessment.objects.get()
    page.wait_for_url(f"**{a.get_absolute_url()}")
    expect(page.get_by_text("Lämnas ut delvis (maskad)").first).to_be_visible()
    axe_clean(page, "assessment page")

    page.get_by_role("link", name="Visa den maskerade kopian").click()
    article = page.locator("article")
    expect(article).to_contain_text(PLACEHOLDER)
    expect(article).to_contain_text(SECRET_PRICE)
    expect(article).not_to_contain_text("Trygga Band")
    axe_clean(page, "redacted copy")

    page.get_by_role("link", name="Tillbaka till prövningen").click()
    expect(page.get_by_label("Lämnas ut till")).to_have_value("Anna Andersson, Ystads Allehanda")
    page.get_by_label("Filformat").select_option("html")  # (a PDF is tested in tests/sourcing)
    page.get_by_role("button", name="Lämna ut").click()
    expect(page.get_by_text("Kopian är utlämnad till Anna Andersson, Ystads Allehanda")).to_be_visible()
    h = SecrecyHandOut.objects.get()
    expect(page.locator("code")).to_have_text(h.sha256)
    axe_clean(page, "assessment page with a hand-out")

    page.get_by_role("link", name="Alla sekretessprövningar").click()
    expect(page.get_by_role("link", name=a.document_title, exact=True)).to_be_visible()
    axe_clean(page, "list")
