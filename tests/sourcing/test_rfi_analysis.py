"""The RFI analysis: answers side by side per question, filters, offered competences, secrecy marks,
Excel and PDF, forward links. Expected values from tests/sourcing/secrecy_world.py by hand: RISE
answered outcome_payment = ja, pilot = ja, form = Idéburen; Familjeforum outcome_payment = nej,
pilot = ja, form = Företag."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from insats.audit.models import AuditEntry
from insats.sourcing.rfi.analysis.selectors import analyse
from insats.sourcing.rfi.models import RfiResponse
from tests.conftest import login
from tests.sourcing.pdftext import pdf_text
from tests.sourcing.secrecy_world import SECRET_METHOD, answer, build


@pytest.fixture
def rfi_world(world):
    return (world, *build(world))


def respondents(a):
    return [r.organisation.name for r in a.respondents]


def test_answers_side_by_side_one_table_per_question(rfi_world):
    w, rfi, partner, other = rfi_world
    a = analyse(rfi)
    assert a.submitted_count == 2
    assert [t.key for t in a.tables] == ["solution", "price", "outcome_payment", "pilot", "form"]
    solution = a.tables[0]
    assert [r.respondent for r in solution.rows] == [
        "Familjeforum i Lund AB",
        "RISE Research Institutes of Sweden",
    ]
    assert [r.secrecy_requested for r in solution.rows] == [False, True]
    assert solution.rows[1].answer == SECRET_METHOD  # the buyer reads its own received document
    assert [r.answer for r in a.tables[2].rows] == ["Nej", "Ja"]
    assert a.offered[1].competences == "Forskare i utvecklingspsykologi"


def test_filters_by_yes_no_key_and_by_choice(rfi_world):
    w, rfi, partner, other = rfi_world
    assert respondents(analyse(rfi, {"f_outcome_payment": "ja"})) == ["RISE Research Institutes of Sweden"]
    assert respondents(analyse(rfi, {"f_pilot": "ja"})) == [
        "Familjeforum i Lund AB",
        "RISE Research Institutes of Sweden",
    ]
    assert respondents(analyse(rfi, {"f_pilot": "ja", "f_outcome_payment": "nej"})) == [
        "Familjeforum i Lund AB"
    ]
    assert respondents(analyse(rfi, {"f_form": "Företag"})) == ["Familjeforum i Lund AB"]
    assert respondents(analyse(rfi, {"f_pilot": "nej"})) == []
    # An unknown value is ignored rather than hiding everything.
    assert len(analyse(rfi, {"f_pilot": "kanske"}).respondents) == 2


def test_drafts_are_not_analysed(rfi_world):
    w, rfi, partner, other = rfi_world
    RfiResponse.objects.filter(pk=other.pk).update(status="draft")
    assert respondents(analyse(rfi)) == ["RISE Research Institutes of Sweden"]


def test_the_page_marks_secrecy_and_links_forward(client, rfi_world):
    w, rfi, partner, other = rfi_world
    login(client, w.user("owner", "procurement"), w.orgs["owner"])
    page = client.get(reverse("sourcing:rfi_analysis", args=[rfi.pk]), {"f_outcome_payment": "ja"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Begär sekretess" in html and "RISE Research Institutes of Sweden" in html
    assert "Familjeforum i Lund AB" not in html  # filtered out
    assert reverse("sourcing:secrecy_create", args=["rfi_response", partner.pk]) in html
    assert f"{reverse('contracts:create')}?rfi={rfi.pk}" in html
    assert "tender_create" not in html


def test_excel_export_follows_the_filter_and_is_audited(client, rfi_world):
    from openpyxl import load_workbook

    w, rfi, partner, other = rfi_world
    login(client, w.user("owner", "analyst"), w.orgs["owner"])
    got = client.get(reverse("sourcing:rfi_analysis_xlsx", args=[rfi.pk]), {"f_form": "Företag"})
    assert got.status_code == 200
    wb = load_workbook(io.BytesIO(got.content))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    data = rows[5:]
    assert {r[1] for r in data} == {"Familjeforum i Lund AB"}
    assert len(data) == 5  # five questions, one respondent
    assert "sekretessprövning" in rows[1][0]
    assert AuditEntry.objects.filter(action="sourcing.rfi.analysis.exported").count() == 1


def test_pdf_export_has_the_answers(client, rfi_world):
    w, rfi, partner, other = rfi_world
    login(client, w.user("owner", "admin"), w.orgs["owner"])
    got = client.get(reverse("sourcing:rfi_analysis_pdf", args=[rfi.pk]))
    text = pdf_text(got.content)
    assert "Familjeforum i Lund AB" in text and "Begär sekretess" in text


def test_a_respondent_never_sees_the_analysis(client, rfi_world):
    w, rfi, partner, other = rfi_world
    login(client, w.user("partner", "admin"), w.orgs["partner"])
    assert client.get(reverse("sourcing:rfi_analysis", args=[rfi.pk])).status_code in (403, 404)


def test_the_api_gives_the_same_analysis(client, rfi_world):
    w, rfi, partner, other = rfi_world
    answer(rfi, w.orgs["federation"], solution="X", price="Y", outcome=True, pilot=False, form="Idéburen")
    login(client, w.user("owner", "analyst"), w.orgs["owner"])
    got = client.get(f"/api/v1/sourcing/rfis/{rfi.pk}/analysis", {"f_outcome_payment": "ja"})
    assert got.status_code == 200
    body = got.json()
    assert body["submitted_count"] == 3 and body["shown_count"] == 2
    assert [r["respondent"] for r in body["questions"][0]["rows"]] == [
        "RISE Research Institutes of Sweden",
        "Samordningsförbundet Test",
    ]
