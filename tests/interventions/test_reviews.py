"""The portfolio and the review (genomlysning): figures from the catalogue and the federation, the
services (audited phase changes, the decision, nothing half-saved), the pages, the board report and
the external reviewer's access. Expected figures are worked out by hand in review_world.py's
docstring and docs/insatser.md."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from insats.accounts.access import Actor
from insats.accounts.models import Membership, Share
from insats.audit.models import AuditEntry
from insats.interventions.reviews import exports, figures, services
from insats.interventions.reviews.models import Finding, PortfolioBudget, Review, ReviewPhase
from insats.situation.models import Area
from tests.conftest import login

from . import review_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def rw(db):
    w = review_world.build()
    services.budget_set(
        actor=None,
        organisation=w.forbund,
        year=2024,
        total_budget=Decimal(11_400_000),
        note="Förbundets budget 2024",
    )
    return w


def actor(w, key="analyst", org=None):
    user = w.users[key]
    org = org or w.forbund
    return Actor(user=user, membership=Membership.objects.get(user=user, organisation=org))


def make_review(w, **extra) -> Review:
    values = {"title": "Genomlysning 2024", "year": 2024, "reviewer_name": "Konsult", **extra}
    return services.review_create(
        actor=actor(w), organisation=w.forbund, values=values, interventions=list(w.interventions.values())
    )


# --- figures ---------------------------------------------------------------------------------------


def test_portfolio_figures_by_hand(rw):
    fig = figures.compute(rw.forbund, 2024)
    shares = {r.intervention.name: r.share for r in fig.rows}
    # 3.6 / 11.4 = 31.58 %, 3.2 / 11.4 = 28.07 %, 1.4 / 11.4 = 12.28 %; together 71.93 % (> 70 %)
    assert shares == {"NOVA": Decimal("0.3158"), "Enter": Decimal("0.2807"), "FIA": Decimal("0.1228")}
    assert fig.portfolio_share == Decimal("0.7193") and fig.portfolio_amount == Decimal(8_200_000)
    members = {m.member.name: m for m in fig.members}
    assert list(members) == ["Jönköpings kommun", "Habo kommun", "Vaggeryds kommun", "Mullsjö kommun"]
    m = members["Mullsjö kommun"]
    # Mullsjö: 1 of the municipalities' 25 % = 4 %; 2 of 200 participants = 1 %; −3 points; −246 000 kr
    assert (m.financing_share, m.reach_share, m.gap_points, m.implied_amount) == (
        Decimal("0.0400"),
        Decimal("0.0100"),
        Decimal("-3.00"),
        Decimal("-246000.00"),
    )
    assert members["Jönköpings kommun"].implied_amount == Decimal("410000.00")
    assert {fm.member.name for fm in fig.other_members} == {
        "Region Jönköpings län",
        "Försäkringskassan",
        "Arbetsförmedlingen",
    }
    # NOVA: 3 600 000 kr / 100 participants = 36 000 kr
    assert next(r for r in fig.rows if r.intervention.name == "NOVA").per_participant == Decimal("36000.00")


def test_gender_rows_count_once(rw):
    from insats.interventions.catalogue.models import InterventionReach

    mullsjo = Area.objects.get(code="0642")
    fia = rw.interventions["FIA"]
    # K + M without a total row: counted; a total row with K/M beside it: only the total counts
    InterventionReach.objects.create(intervention=fia, year=2024, area=mullsjo, gender="K", participants=3)
    InterventionReach.objects.create(intervention=fia, year=2024, area=mullsjo, gender="M", participants=5)
    fig = figures.compute(rw.forbund, 2024)
    assert {m.member.name: m.participants for m in fig.members}["Mullsjö kommun"] == 2 + 8
    InterventionReach.objects.create(intervention=fia, year=2024, area=mullsjo, gender="T", participants=7)
    fig = figures.compute(rw.forbund, 2024)
    assert {m.member.name: m.participants for m in fig.members}["Mullsjö kommun"] == 2 + 7


def test_staffing_per_thousand_from_the_reviews_population(rw):
    review = make_review(rw)
    areas = {a.code: a for a in Area.objects.filter(code__in=["0680", "0643", "0665", "0642"])}
    services.populations_set(
        actor=actor(rw),
        review=review,
        source="SCB 2023",
        rows={areas["0680"]: 24000, areas["0643"]: 1500, areas["0665"]: 1800, areas["0642"]: 700},
    )
    fig = figures.review_figures(review)
    per = {m.member.name: m.per_thousand for m in fig.members}
    # Jönköping: NOVA 4 + Enter 6 + FIA 2 = 12 FTE / 24 000 × 1 000 = 0.50; Mullsjö 0.5 / 700 → 0.71
    assert per["Jönköpings kommun"] == Decimal("0.50") and per["Mullsjö kommun"] == Decimal("0.71")
    # all 14.5 FTE over 28 000 → 0.5178… → 0.52
    assert fig.staffing.total_fte == Decimal("14.5") and fig.staffing.total_per_thousand == Decimal("0.52")


# --- services --------------------------------------------------------------------------------------


def test_review_prefilled_from_the_catalogue_and_audited(rw):
    review = make_review(rw)
    item = review.items.get(intervention=rw.interventions["NOVA"])
    assert "samordnad rehabilitering" in item.mission
    assert "Samordnare: 4 personer" in item.staffing and "Jönköpings kommun" in item.staffing
    assert AuditEntry.objects.filter(action="interventions.review.created", object_id=str(review.pk)).exists()


def test_phase_moves_one_step_and_is_audited(rw):
    review = make_review(rw)
    services.phase_move(actor=actor(rw), review=review, to_phase="B", note="Behovsanalysen klar")
    review.refresh_from_db()
    assert review.phase == "B"
    entry = AuditEntry.objects.filter(action="interventions.review.phase_changed").latest("seq")
    assert entry.changes["phase"] == ["A", "B"] and entry.changes["note"] == "Behovsanalysen klar"
    with pytest.raises(ValidationError):
        services.phase_move(actor=actor(rw), review=review, to_phase="D")
    services.phase_move(actor=actor(rw), review=review, to_phase="A")  # back
    review.refresh_from_db()
    assert review.phase == "A" and review.phase_changes.count() == 2


def test_decision_recorded_and_bad_decision_saves_nothing(rw):
    review = make_review(rw)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.decision_record(
            actor=actor(rw, "admin"),
            review=review,
            body=rw.styrelse,
            decided_on=datetime.date(2024, 10, 14),
            minutes_reference="",
            text="Gå vidare",
        )
    assert "minutes_reference" in exc.value.error_dict
    assert review.decisions.count() == 0 and AuditEntry.objects.count() == before
    services.decision_record(
        actor=actor(rw, "admin"),
        review=review,
        body=rw.styrelse,
        decided_on=datetime.date(2024, 10, 14),
        minutes_reference="§ 12",
        text="Styrelsen beslutar att gå vidare till nyläge.",
    )
    d = review.decisions.get()
    assert d.body == rw.styrelse and d.minutes_reference == "§ 12" and d.phase == "A"
    assert AuditEntry.objects.filter(action="interventions.review.decided").exists()


def test_bad_population_saves_nothing(rw):
    review = make_review(rw)
    areas = list(Area.objects.filter(code__in=["0680", "0642"]).order_by("code"))
    with pytest.raises(ValidationError):
        services.populations_set(actor=actor(rw), review=review, rows={areas[0]: 700, areas[1]: "många"})
    assert review.populations.count() == 0


def test_finding_must_be_about_an_intervention_in_the_review(rw):
    from insats.interventions.catalogue.models import Intervention

    review = make_review(rw)
    other = Intervention.objects.create(organisation=rw.forbund, name="Annan", intensity="tidig")
    review.items.filter(intervention=rw.interventions["FIA"]).delete()
    with pytest.raises(ValidationError):
        services.finding_add(actor=actor(rw), review=review, text="x", intervention=other)
    f = services.finding_add(
        actor=actor(rw),
        review=review,
        text="Enter når inte kranskommunerna",
        intervention=rw.interventions["Enter"],
    )
    assert f.phase == "A" and Finding.objects.count() == 1


def test_follow_up_keeps_dated_status(rw):
    review = make_review(rw)
    rec = services.recommendation_add(
        actor=actor(rw),
        review=review,
        values={
            "text": "Lokala team i varje kommun",
            "owner_organisation": rw.orgs["mullsjo"],
            "owner_person": "Olle Lindqvist",
            "due_on": datetime.date(2025, 6, 30),
        },
    )
    services.recommendation_follow_up(
        actor=actor(rw),
        recommendation=rec,
        status="pagar",
        on=datetime.date(2025, 3, 1),
        note="Start i Mullsjö",
    )
    services.recommendation_follow_up(
        actor=actor(rw), recommendation=rec, status="planerad", on=datetime.date(2025, 2, 1)
    )  # an older update does not win
    rec.refresh_from_db()
    assert (rec.status, rec.status_on) == ("pagar", datetime.date(2025, 3, 1))
    assert rec.updates.count() == 2


# --- pages -----------------------------------------------------------------------------------------


def test_portfolio_page_for_the_forbund_and_a_member(client, rw):
    login(client, rw.users["viewer"], rw.forbund)
    html = client.get(reverse("interventions:portfolio")).content.decode()
    assert "31,58\u00a0%" in html or "31,58 %" in html
    assert "Mullsjö kommun finansierar 4" in html and "men har 1" in html
    assert "<svg" in html and 'role="img"' in html
    client.logout()
    login(client, rw.users["mullsjo_viewer"], rw.orgs["mullsjo"])
    response = client.get(reverse("interventions:portfolio"))
    assert response.status_code == 200 and "Mullsjö kommun finansierar 4" in response.content.decode()
    # no budget form for a member
    assert "Spara total budget" not in response.content.decode()


def test_portfolio_excel_has_the_cores_figures(client, rw):
    from openpyxl import load_workbook

    login(client, rw.users["viewer"], rw.forbund)
    response = client.get(reverse("interventions:portfolio_xlsx", args=[rw.forbund.pk]), {"year": 2024})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    rows = {r[0]: r for r in wb.worksheets[0].iter_rows(values_only=True) if r and r[0]}
    assert Decimal(str(rows["NOVA"][2])) == Decimal("0.3158")
    members = {r[0]: r for r in wb.worksheets[1].iter_rows(values_only=True) if r and r[0]}
    assert Decimal(str(members["Mullsjö kommun"][5])) == Decimal("-3")
    assert AuditEntry.objects.filter(action="interventions.portfolio.exported").exists()


def test_budget_form_bad_input_names_the_field(client, rw):
    login(client, rw.users["admin"], rw.forbund)
    url = reverse("interventions:portfolio_budget", args=[rw.forbund.pk])
    response = client.post(url, {"year": 2024, "total_budget": "elva miljoner"}, follow=True)
    assert "Total budget" in response.content.decode()
    assert PortfolioBudget.objects.get(organisation=rw.forbund, year=2024).total_budget == Decimal(11_400_000)


def test_move_through_a_phase_on_the_page(client, rw):
    review = make_review(rw)
    login(client, rw.users["analyst"], rw.forbund)
    response = client.post(
        reverse("interventions:review_phase", args=[review.pk]), {"phase": "B", "note": "Klar"}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.phase == "B"
    html = client.get(review.get_absolute_url()).content.decode()
    assert 'aria-current="step">B Nuläge' in html and "Vidare till C Behov" in html


def pdf_texts(html: str) -> str:
    """The text WeasyPrint lays out for the board report (what the PDF holds)."""
    from weasyprint import HTML

    def boxes(box):
        yield box
        for child in getattr(box, "children", []) or []:
            yield from boxes(child)

    doc = HTML(string=html).render()
    return " ".join(
        b.text for page in doc.pages for b in boxes(page._page_box) if type(b).__name__ == "TextBox"
    )


def test_board_report_pdf_holds_the_figures_and_findings(client, rw):
    review = make_review(rw)
    services.finding_add(actor=actor(rw), review=review, text="Enter och FIA utgår från Jönköping")
    login(client, rw.users["viewer"], rw.forbund)
    response = client.get(reverse("interventions:review_pdf", args=[review.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_texts(exports.review_pdf_html(review))
    assert "31,58" in text and "71,93" in text  # NOVA's share, the portfolio's share
    assert "Mullsjö kommun finansierar 4" in text
    assert "Enter och FIA utgår från Jönköping" in text
    assert AuditEntry.objects.filter(
        action="interventions.review.exported", object_id=str(review.pk)
    ).exists()


# --- the external reviewer -------------------------------------------------------------------------


def test_external_reviewer_sees_the_review_not_the_catalogue(client, rw):
    review = make_review(rw)
    login(client, rw.users["admin"], rw.forbund)
    client.post(
        reverse("interventions:review_share", args=[review.pk]), {"organisation": rw.orgs["consultant"].pk}
    )
    share = Share.objects.get(organisation=rw.orgs["consultant"], revoked_at__isnull=True)
    assert share.purpose == "genomlysning"
    services.phase_move(actor=actor(rw), review=review, to_phase="B")
    client.logout()

    login(client, rw.users["consultant_analyst"], rw.orgs["consultant"])
    html = client.get(review.get_absolute_url()).content.decode()
    assert "NOVA" in html and "extern granskare" in html
    assert "NOVA" not in client.get(reverse("interventions:home")).content.decode()
    assert [r.pk for r in client.get(reverse("interventions:review_list")).context["reviews"]] == [review.pk]
    # works in B–D
    item = review.items.first()
    assert (
        client.post(
            reverse("interventions:review_item", args=[review.pk, item.pk]), {"notes": "Intervju med teamet"}
        ).status_code
        == 302
    )
    assert (
        client.post(reverse("interventions:review_phase", args=[review.pk]), {"phase": "A"}).status_code
        == 403
    )
    assert (
        client.post(reverse("interventions:review_phase", args=[review.pk]), {"phase": "C"}).status_code
        == 302
    )
    # not the owner's tools
    assert client.get(reverse("interventions:review_share", args=[review.pk])).status_code == 403
    assert client.get(reverse("interventions:review_edit", args=[review.pk])).status_code == 403
    client.logout()

    login(client, rw.users["outsider_admin"], rw.orgs["outsider"])
    assert client.get(review.get_absolute_url()).status_code == 404
    assert client.get(reverse("interventions:review_pdf", args=[review.pk])).status_code == 404
    client.logout()

    services.reviewer_revoke(actor=actor(rw, "admin"), review=review, share=share)
    login(client, rw.users["consultant_analyst"], rw.orgs["consultant"])
    assert client.get(review.get_absolute_url()).status_code == 404


def test_reviewer_cannot_work_after_phase_d(client, rw):
    review = make_review(rw)
    services.reviewer_invite(actor=actor(rw, "admin"), review=review, organisation=rw.orgs["consultant"])
    for p in "BCDE":
        services.phase_move(actor=actor(rw), review=review, to_phase=p)
    login(client, rw.users["consultant_analyst"], rw.orgs["consultant"])
    r = client.post(reverse("interventions:review_finding_add", args=[review.pk]), {"text": "Sent"})
    assert r.status_code == 403 and not review.findings.exists()
    assert client.get(review.get_absolute_url()).status_code == 200  # still reads it


# --- API -------------------------------------------------------------------------------------------


def test_api_portfolio_and_review_phase(client, rw):
    review = make_review(rw)
    login(client, rw.users["analyst"], rw.forbund)
    data = client.get(f"/api/v1/interventions/reviews/portfolio/{rw.forbund.pk}", {"year": 2024}).json()
    mullsjo = next(m for m in data["members"] if m["name"] == "Mullsjö kommun")
    assert Decimal(mullsjo["gap_points"]) == Decimal("-3") and Decimal(data["portfolio_share"]) == Decimal(
        "0.7193"
    )
    r = client.post(
        f"/api/v1/interventions/reviews/{review.pk}/phase", {"phase": "C"}, content_type="application/json"
    )
    assert r.status_code == 422 and r["Content-Type"].startswith("application/problem+json")
    r = client.post(
        f"/api/v1/interventions/reviews/{review.pk}/phase", {"phase": "B"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["phase"] == "B"
    r = client.post(
        f"/api/v1/interventions/reviews/{review.pk}/findings",
        {"text": "Iakttagelse"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["phase"] == "B"
    detail = client.get(f"/api/v1/interventions/reviews/{review.pk}").json()
    assert len(detail["items"]) == 3 and detail["findings"][0]["text"] == "Iakttagelse"
    assert ReviewPhase.CURRENT.value == detail["phase"]


def test_create_page_preselects_the_forbunds_portfolio_and_creates(client, rw):
    login(client, rw.users["analyst"], rw.forbund)
    response = client.get(reverse("interventions:review_create"), {"year": 2024})
    assert set(response.context["form"].initial["interventions"]) == {i.pk for i in rw.interventions.values()}
    response = client.post(
        reverse("interventions:review_create"),
        {
            "title": "Genomlysning 2024",
            "year": 2024,
            "target_age_from": 18,
            "target_age_to": 29,
            "interventions": [rw.interventions["NOVA"].pk, rw.interventions["FIA"].pk],
        },
    )
    review = Review.objects.get(title="Genomlysning 2024")
    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    assert {i.name for i in review.interventions.all()} == {"NOVA", "FIA"}


def test_create_page_names_a_bad_field_and_saves_nothing(client, rw):
    login(client, rw.users["analyst"], rw.forbund)
    response = client.post(
        reverse("interventions:review_create"),
        {
            "title": "Fel",
            "year": 2024,
            "target_age_from": 29,
            "target_age_to": 18,
            "interventions": [rw.interventions["NOVA"].pk],
        },
    )
    assert response.status_code == 200
    assert "target_age_to" in response.context["form"].errors
    assert not Review.objects.filter(title="Fel").exists()


def test_edit_page_saves_populations_and_a_bad_one_saves_nothing(client, rw):
    review = make_review(rw)
    login(client, rw.users["analyst"], rw.forbund)
    url = reverse("interventions:review_edit", args=[review.pk])
    base = {"title": "Ny titel", "year": 2024, "target_age_from": 18, "target_age_to": 29}
    response = client.post(url, {**base, "population_0680": "24000", "population_0642": "-5"})
    assert response.status_code == 200 and "Mullsjö" in response.context["pop_error"]
    review.refresh_from_db()
    assert review.title == "Genomlysning 2024" and review.populations.count() == 0  # nothing half-saved
    response = client.post(
        url, {**base, "population_0680": "24000", "population_0642": "700", "population_source": "SCB"}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.title == "Ny titel"
    assert {p.area.code: p.population for p in review.populations.all()} == {"0680": 24000, "0642": 700}
