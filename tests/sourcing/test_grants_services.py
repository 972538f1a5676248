"""Grant rounds: the services (deadline, motivation required, budget cap, atomic, combined scores
worked out by hand), the core money module's properties, applicant isolation and the letter."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from insats.audit.models import AuditEntry
from insats.core import grants as core_grants
from insats.interventions.catalogue.models import Intervention
from insats.sourcing.grants import services
from insats.sourcing.grants.models import (
    ApplicationStatus,
    Decision,
    GrantApplication,
    GrantAssessment,
    GrantBudgetLine,
    GrantRound,
    RoundStatus,
)
from tests.conftest import login

from .grants_data import actor, assess_all, close, make_application, make_round

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- the core


def test_budget_totals_by_hand():
    t = core_grants.budget_totals([("50000", "10000"), (Decimal("1234.565"), 0)])
    assert t.cost == Decimal("51234.57")
    assert t.other_financing == Decimal("10000.00")
    assert t.requested == Decimal("41234.57")


def test_budget_totals_name_the_line():
    with pytest.raises(core_grants.LineError) as exc:
        core_grants.budget_totals([(100, 0), (100, 200)])
    assert exc.value.index == 1 and exc.value.field == "other_financing"


amounts = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False)


@given(st.lists(st.tuples(amounts, amounts), max_size=12))
def test_requested_is_cost_minus_other_and_never_negative(pairs):
    lines = [(max(c, o), min(c, o)) for c, o in pairs]
    t = core_grants.budget_totals(lines)
    assert t.requested == t.cost - t.other_financing
    assert t.requested >= 0
    assert t.requested == core_grants.budget_totals(list(reversed(lines))).requested


@given(amounts, st.lists(st.one_of(st.none(), amounts), max_size=12))
def test_proposal_remaining_and_fits(budget, proposed):
    p = core_grants.proposal(budget, proposed)
    assert p.total == sum((a for a in proposed if a is not None), Decimal(0))
    assert p.remaining == budget - p.total
    assert p.fits == (p.total <= budget)


# --------------------------------------------------------------------------- round and application


def test_round_has_seed_002_defaults_and_publishes(world):
    rnd = make_round(world, publish=False)
    assert [c.name for c in rnd.criteria.all()] == ["Effekt", "Värde", "Komplement", "Samverkan", "Ekonomi"]
    assert rnd.priorities == ["Förebyggande verksamhet", "Utveckling av sociala tjänster"]
    assert rnd.status == RoundStatus.DRAFT
    services.round_publish(actor=actor(world, "owner"), rnd=rnd)
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.OPEN and rnd.published_at is not None
    assert AuditEntry.objects.filter(action="sourcing.grant_round.published").exists()


def test_round_bad_input_names_field_and_saves_nothing(world):
    with pytest.raises(ValidationError) as exc:
        services.round_create(
            actor=actor(world, "owner"),
            organisation=world.orgs["owner"],
            values={"title": "X", "budget": Decimal(1000), "closes_at": timezone.now()},
            criteria=[{"name": "Effekt", "scale_min": 5, "scale_max": 1}],
        )
    assert "criteria" in exc.value.message_dict
    assert "Kriterium 1" in exc.value.message_dict["criteria"][0]
    assert not GrantRound.objects.exists()


def test_submit_before_deadline_sends_receipt(world, django_capture_on_commit_callbacks):
    rnd = make_round(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        app = make_application(world, rnd, "unrelated")
    assert app.status == ApplicationStatus.SUBMITTED
    assert services.totals(app).requested == Decimal("40000.00")
    assert len(mail.outbox) == 1
    assert "Kvitto" in mail.outbox[0].subject
    assert "40 000,00" in mail.outbox[0].body.replace("\xa0", " ")


def test_deadline_passed_refuses_submit_and_change(world):
    rnd = make_round(world)
    app = make_application(world, rnd, "unrelated", submit=False)
    close(rnd)
    with pytest.raises(ValidationError, match="Sista ansökningsdag har passerat"):
        services.application_submit(actor=actor(world, "unrelated"), application=app)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DRAFT


def test_required_attachment_missing_refuses_submit(world):
    rnd = make_round(world, required=["Verksamhetsberättelse"])
    app = make_application(world, rnd, "unrelated", submit=False)
    from insats.sourcing.documents.models import Attachment

    Attachment.objects.all().delete()
    with pytest.raises(ValidationError) as exc:
        services.application_submit(actor=actor(world, "unrelated"), application=app)
    assert "Verksamhetsberättelse" in str(exc.value.message_dict["attachments"])


def test_bad_budget_line_names_row_and_keeps_old_lines(world):
    rnd = make_round(world)
    app = make_application(world, rnd, "unrelated", submit=False)
    with pytest.raises(ValidationError) as exc:
        services.application_save(
            actor=actor(world, "unrelated"),
            rnd=rnd,
            organisation=world.orgs["unrelated"],
            values={"title": "Ändrad"},
            lines=[{"item": "A", "cost": "100"}, {"item": "B", "cost": "100", "other_financing": "300"}],
            application=app,
        )
    assert "Budgetrad 2" in exc.value.message_dict["budget_lines"][0]
    app.refresh_from_db()
    assert app.title == "Läxhjälp (unrelated)"
    assert list(GrantBudgetLine.objects.filter(application=app).values_list("item", flat=True)) == [
        "Lokalhyra"
    ]


# --------------------------------------------------------------------------- assessment


def test_motivation_required_and_nothing_saved(world):
    rnd = make_round(world)
    app = make_application(world, rnd, "unrelated")
    crits = list(rnd.criteria.all())
    scores = {c.pk: (4, "Bra") for c in crits}
    scores[crits[2].pk] = (4, "  ")
    with pytest.raises(ValidationError) as exc:
        services.assessment_save(actor=actor(world, "owner", "evaluator"), application=app, scores=scores)
    assert f"motivation_{crits[2].pk}" in exc.value.message_dict
    assert "Komplement" in exc.value.message_dict[f"motivation_{crits[2].pk}"][0]
    assert not GrantAssessment.objects.exists()


def test_score_outside_scale_refused(world):
    rnd = make_round(world)
    app = make_application(world, rnd, "unrelated")
    c = rnd.criteria.first()
    with pytest.raises(ValidationError, match="mellan 1 och 5"):
        services.assessment_save(
            actor=actor(world, "owner", "analyst"), application=app, scores={c.pk: (6, "x")}
        )


def test_combined_scores_hand_checked(world):
    """Five criteria, weight 1, scale 1–5: points = Σ (mean − 1) / 4.

    A: assessors [5,4,3,5,4] and [3,4,5,5,2] → means 4,4,4,5,3 → 0.75+0.75+0.75+1+0.5 = 3.75.
    B: [2,2,2,2,2] and [4,4,4,4,4] → means 3 → 5 × 0.5 = 2.5. A ranks first."""
    rnd = make_round(world)
    a = make_application(world, rnd, "unrelated")
    b = make_application(world, rnd, "partner")
    assess_all(world, a, {("owner", "analyst"): [5, 4, 3, 5, 4], ("owner", "evaluator"): [3, 4, 5, 5, 2]})
    assess_all(world, b, {("owner", "analyst"): [2] * 5, ("owner", "evaluator"): [4] * 5})
    rows = services.ranking(rnd)
    assert [r.application.pk for r in rows] == [a.pk, b.pk]
    assert rows[0].points == Decimal("3.75") and rows[0].rank == 1 and rows[0].assessors == 2
    assert rows[1].points == Decimal("2.5") and rows[1].rank == 2
    assert rows[0].max_points == Decimal(5)


def test_weights_change_the_order(world):
    """Effekt weighted 4: A = 4 × (2−1)/4 + 4 × 0 = 1.0 …; B = 4 × 0 + 4 × (5−1)/4 = 4 → B first."""
    a_ = actor(world, "owner")
    rnd = services.round_create(
        actor=a_,
        organisation=world.orgs["owner"],
        values={
            "title": "Viktad",
            "budget": Decimal(1000),
            "closes_at": timezone.now() + datetime.timedelta(days=1),
        },
        criteria=[
            {"name": "Effekt", "weight": "4", "scale_min": 1, "scale_max": 5},
            {"name": "Ekonomi", "weight": "", "scale_min": 1, "scale_max": 5},
        ],
    )
    rnd = services.round_publish(actor=a_, rnd=rnd)
    a = make_application(world, rnd, "unrelated", cost=Decimal(500), other=Decimal(0))
    b = make_application(world, rnd, "partner", cost=Decimal(500), other=Decimal(0))
    assess_all(world, a, {("owner", "analyst"): [2, 5]})
    assess_all(world, b, {("owner", "analyst"): [5, 1]})
    rows = services.ranking(rnd)
    # A: 4 × 1/4 + 1 × 4/4 = 2; B: 4 × 4/4 + 0 = 4
    assert [(r.application.pk, r.points) for r in rows] == [(b.pk, Decimal(4)), (a.pk, Decimal(2))]


def test_incomplete_assessment_is_unranked(world):
    rnd = make_round(world)
    a = make_application(world, rnd, "unrelated")
    c = rnd.criteria.first()
    services.assessment_save(actor=actor(world, "owner", "analyst"), application=a, scores={c.pk: (3, "ok")})
    (row,) = services.ranking(rnd)
    assert not row.complete and row.rank is None


# --------------------------------------------------------------------------- proposal and decision


def test_proposal_over_budget_is_refused_atomically(world):
    rnd = make_round(world, budget=Decimal(50_000))
    a = make_application(world, rnd, "unrelated")  # requests 40 000
    b = make_application(world, rnd, "partner")  # requests 40 000
    with pytest.raises(ValidationError, match="överskrider omgångens budget"):
        services.proposal_set(actor=actor(world, "owner"), rnd=rnd, amounts={a.pk: "30000", b.pk: "25000"})
    assert not GrantApplication.objects.filter(proposed_amount__isnull=False).exists()
    state = services.proposal_set(
        actor=actor(world, "owner"), rnd=rnd, amounts={a.pk: "30000", b.pk: "20000"}
    )
    assert state.remaining == Decimal("0.00")


def test_proposal_above_requested_is_refused(world):
    rnd = make_round(world)
    a = make_application(world, rnd, "unrelated")
    with pytest.raises(ValidationError) as exc:
        services.proposal_set(actor=actor(world, "owner"), rnd=rnd, amounts={a.pk: "40000.01"})
    assert f"amount_{a.pk}" in exc.value.message_dict


def test_decision_before_deadline_refused(world):
    rnd = make_round(world)
    a = make_application(world, rnd, "unrelated")
    with pytest.raises(ValidationError, match="först när ansökningstiden"):
        services.decision_record(
            actor=actor(world, "owner"), application=a, decision=Decision.GRANTED, amount=1
        )


def test_decisions_within_budget_letters_and_catalogue(world, django_capture_on_commit_callbacks):
    world.orgs["unrelated"].contact_email = "info@familjeforum.test"
    world.orgs["unrelated"].save()
    rnd = make_round(world, budget=Decimal(60_000))
    a = make_application(world, rnd, "unrelated")
    b = make_application(world, rnd, "partner")
    close(rnd)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_record(
            actor=actor(world, "owner"),
            application=a,
            decision=Decision.GRANTED,
            amount="35000",
            conditions="Redovisa",
        )
    assert len(mail.outbox) == 1
    assert "35 000,00" in mail.outbox[0].body.replace("\xa0", " ") and "Redovisa" in mail.outbox[0].body
    assert set(mail.outbox[0].to) == {world.user("unrelated", "admin").email, "info@familjeforum.test"}
    with pytest.raises(ValidationError, match="mer än omgångens budget"):
        services.decision_record(
            actor=actor(world, "owner"), application=b, decision=Decision.GRANTED, amount="30000"
        )
    with pytest.raises(ValidationError) as exc:
        services.decision_record(actor=actor(world, "owner"), application=b, decision=Decision.REJECTED)
    assert "reason" in exc.value.message_dict
    services.decision_record(
        actor=actor(world, "owner"), application=b, decision=Decision.REJECTED, reason="Utanför"
    )
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.DECIDED
    assert services.budget_state(rnd, proposed=False).remaining == Decimal("25000.00")
    # the granted activity becomes an intervention owned by the grantor, the applicant providing it
    iv = services.intervention_link(actor=actor(world, "owner"), application=a)
    assert iv.organisation == world.orgs["owner"]
    assert list(iv.providers.all()) == [world.orgs["unrelated"]]
    assert iv.funding.get().amount == Decimal("35000.00")
    assert services.intervention_link(actor=actor(world, "owner"), application=a) == iv
    assert Intervention.objects.count() == 1


def test_report_overdue_and_submitted(world):
    rnd = make_round(world)
    a = make_application(world, rnd, "unrelated")
    close(rnd)
    services.decision_record(
        actor=actor(world, "owner"), application=a, decision=Decision.GRANTED, amount="1000"
    )
    GrantRound.objects.filter(pk=rnd.pk).update(report_due=timezone.localdate() - datetime.timedelta(days=1))
    a.refresh_from_db()
    assert a.report_overdue
    with pytest.raises(ValidationError) as exc:
        services.report_submit(
            actor=actor(world, "unrelated"), application=a, values={"report_activities": ""}
        )
    assert {"report_reach", "report_activities", "report_spent"} <= set(exc.value.message_dict)
    services.report_submit(
        actor=actor(world, "unrelated"),
        application=a,
        values={"report_reach": 35, "report_activities": "Läxhjälp", "report_spent": Decimal(900)},
    )
    a.refresh_from_db()
    assert not a.report_overdue and a.report_reach == 35


# --------------------------------------------------------------------------- isolation and pages


def test_second_applicant_never_sees_the_first(client, world):
    rnd = make_round(world)
    first = make_application(world, rnd, "unrelated")
    login(client, world.user("partner", "admin"), world.orgs["partner"])
    assert client.get(reverse("sourcing:grant_application_detail", args=[first.pk])).status_code == 404
    assert client.get(reverse("sourcing:grant_letter", args=[first.pk])).status_code == 404
    listing = client.get("/api/v1/sourcing/grants/applications")
    assert listing.status_code == 200 and listing.json()["items"] == []
    per_round = client.get(f"/api/v1/sourcing/grants/{rnd.pk}/applications")
    assert per_round.status_code == 200 and per_round.json() == []
    page = client.get(reverse("sourcing:grant_round_detail", args=[rnd.pk]))
    assert page.status_code == 200 and first.title.encode() not in page.content


def test_pages_walk_through(client, world):
    rnd = make_round(world)
    a = make_application(world, rnd, "unrelated")
    assess_all(world, a, {("owner", "analyst"): [4] * 5})
    close(rnd)
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    for name, pk in (
        ("grant_round_list", None),
        ("grant_round_detail", rnd.pk),
        ("grant_round_ranking", rnd.pk),
        ("grant_application_detail", a.pk),
        ("grant_assess", a.pk),
        ("grant_decide", a.pk),
    ):
        url = reverse(f"sourcing:{name}", args=[pk] if pk else [])
        assert client.get(url).status_code == 200, name
    r = client.post(reverse("sourcing:grant_round_ranking", args=[rnd.pk]), {f"amount_{a.pk}": "200000"})
    assert r.status_code == 200 and "mer än det sökta".encode() in r.content
    r = client.post(reverse("sourcing:grant_decide", args=[a.pk]), {"decision": "granted", "amount": "30000"})
    assert r.status_code == 302
    letter = client.get(reverse("sourcing:grant_letter", args=[a.pk]))
    assert b"30 000,00" in letter.content.replace(b"\xc2\xa0", b" ")
    pdf = client.get(reverse("sourcing:grant_letter_pdf", args=[a.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
