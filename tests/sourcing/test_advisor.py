"""The form advisor's services, pages and API: thresholds in force, the recommendation stored with
its reasons, the decision (departure reason required, audited, decided once), nothing half-saved."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from insats.accounts import access
from insats.audit.models import AuditEntry
from insats.situation.models_plans import Result, TargetGroup
from insats.sourcing.advisor import services
from insats.sourcing.advisor.models import FormDecision, ProcurementThreshold
from tests.api.conftest import Api, make_token
from tests.conftest import login

pytestmark = pytest.mark.django_db

IOP_ANSWERS = {
    "order": "nej",
    "idea_based": "ja",
    "self_running": "nej",
    "market": "nej",
    "need_together": "ja",
    "all_contribute": "ja",
    "budget_plan": "ja",
}


def actor(world, org="owner", role="analyst"):
    m = world.membership(org, role)
    return access.Actor(user=m.user, membership=m)


def group(world, org="owner"):
    return TargetGroup.objects.create(
        organisation=world.orgs[org],
        name="Barn 6–10 år i riskzon",
        age_from=6,
        age_to=10,
        criteria="Skolfrånvaro",
    )


# --------------------------------------------------------------------------- thresholds


def test_seeded_thresholds_in_force_by_date():
    t2023 = services.core_thresholds(datetime.date(2023, 6, 1))
    assert t2023.direct_award == Decimal(700000)
    assert t2023.direct_award_social == Decimal(7802550)
    assert t2023.eu_services == Decimal(2236731)
    t2024 = services.core_thresholds(datetime.date(2024, 1, 1))
    assert t2024.direct_award == Decimal(700000)
    assert t2024.eu_social == Decimal(8109450) and t2024.eu_services == Decimal(2389585)
    assert services.core_thresholds(datetime.date(2021, 6, 1)).direct_award == Decimal(615312)
    # January 2022 (between the 28 % rule and the fixed 700 000 kr) has no direct-award row
    assert services.core_thresholds(datetime.date(2022, 1, 15)).direct_award is None
    assert services.core_thresholds(datetime.date(2019, 1, 1)).direct_award is None


def test_threshold_add_ends_the_previous_row_and_is_audited(world):
    row = services.threshold_add(
        actor=None,
        kind="direktupphandling",
        amount="800000",
        valid_from=datetime.date(2027, 1, 1),
        source="Lag X",
    )
    previous = ProcurementThreshold.objects.get(
        kind="direktupphandling", valid_from=datetime.date(2022, 2, 1)
    )
    assert previous.valid_to == datetime.date(2026, 12, 31)
    assert services.core_thresholds(datetime.date(2027, 1, 2)).direct_award == Decimal(800000)
    assert services.core_thresholds(datetime.date(2026, 12, 31)).direct_award == Decimal(700000)
    assert AuditEntry.objects.filter(action="sourcing.threshold.created", object_id=str(row.pk)).exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "tusen"}, "amount"),
        ({"source": " "}, "source"),
        ({"kind": "okänd"}, "kind"),
        ({"valid_to": datetime.date(2026, 1, 1)}, "valid_to"),
        ({"valid_from": datetime.date(2024, 1, 1), "kind": "eu_sociala"}, "valid_from"),
    ],
)
def test_threshold_add_bad_input_names_the_field_and_saves_nothing(values, field):
    count = ProcurementThreshold.objects.count()
    args = {
        "kind": "direktupphandling",
        "amount": "800000",
        "valid_from": datetime.date(2027, 1, 1),
        "source": "K",
    }
    with pytest.raises(ValidationError) as exc:
        services.threshold_add(actor=None, **{**args, **values})
    assert field in exc.value.message_dict
    assert ProcurementThreshold.objects.count() == count
    assert (
        ProcurementThreshold.objects.get(kind="direktupphandling", valid_to__isnull=True).valid_from.year
        == 2022
    )


# --------------------------------------------------------------------------- decisions


def test_create_stores_recommendation_reasons_and_thresholds(world):
    d = services.decision_create(
        actor=actor(world), organisation=world.orgs["owner"], title="Familjen läser", answers=IOP_ANSWERS
    )
    assert d.recommended == "iop"
    assert [r["rule"] for r in d.reasons] == ["I1", "I2", "I3", "I4", "I5"]
    assert all(r["source"] for r in d.reasons)
    assert d.assessment["missing"] == []
    assert "foreningsbidrag" in d.assessment["others"]
    assert d.assessment["thresholds"]["direktupphandling"]["amount"] == "700000.00"
    entry = AuditEntry.objects.get(action="sourcing.formdecision.created", object_id=str(d.pk))
    assert entry.changes["recommended"] == "iop"


def test_create_unanswered_names_the_missing_answers(world):
    d = services.decision_create(actor=None, organisation=world.orgs["owner"], title="Okänt", answers={})
    assert d.recommended == "upphandling_lou"
    assert "estimated_value" in d.assessment["missing"] and "order" in d.assessment["missing"]


def test_create_from_a_target_group_takes_its_name(world):
    g = group(world)
    d = services.decision_create(actor=None, organisation=world.orgs["owner"], target_group=g, answers={})
    assert d.title == g.name


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"answers": {"market": "kanske"}}, "market"),
        ({"answers": {"estimated_value": "mycket"}}, "estimated_value"),
        ({"answers": {"estimated_value": "-5"}}, "estimated_value"),
        ({"title": "", "answers": {}}, "title"),
    ],
)
def test_create_bad_input_names_the_field_and_saves_nothing(world, kwargs, field):
    count, audit = FormDecision.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.decision_create(actor=None, organisation=world.orgs["owner"], **{"title": "X", **kwargs})
    assert field in exc.value.message_dict
    assert FormDecision.objects.count() == count and AuditEntry.objects.count() == audit


def test_create_refuses_another_organisations_target_group(world):
    with pytest.raises(ValidationError) as exc:
        services.decision_create(
            actor=None, organisation=world.orgs["owner"], target_group=group(world, "unrelated"), answers={}
        )
    assert "target_group" in exc.value.message_dict


def test_decide_departure_needs_a_reason_and_is_decided_once(world):
    a = actor(world)
    d = services.decision_create(actor=a, organisation=world.orgs["owner"], title="F", answers=IOP_ANSWERS)
    with pytest.raises(ValidationError) as exc:
        services.decision_decide(actor=a, decision=d, chosen="foreningsbidrag", departure_reason=" ")
    assert "departure_reason" in exc.value.message_dict
    d.refresh_from_db()
    assert d.chosen == "" and not AuditEntry.objects.filter(action="sourcing.formdecision.decided").exists()
    services.decision_decide(
        actor=a, decision=d, chosen="foreningsbidrag", departure_reason="Budgeten räcker ett år."
    )
    d.refresh_from_db()
    assert d.chosen == "foreningsbidrag" and d.departs and d.decided_by == a.user and d.decided_at
    entry = AuditEntry.objects.get(action="sourcing.formdecision.decided", object_id=str(d.pk))
    assert entry.changes["departure_reason"] == "Budgeten räcker ett år."
    with pytest.raises(ValidationError) as exc:
        services.decision_decide(actor=a, decision=d, chosen="iop")
    assert "chosen" in exc.value.message_dict


def test_decide_as_recommended_needs_no_reason_and_drops_one(world):
    d = services.decision_create(actor=None, organisation=world.orgs["owner"], title="F", answers=IOP_ANSWERS)
    services.decision_decide(actor=None, decision=d, chosen="iop", departure_reason="onödigt")
    d.refresh_from_db()
    assert d.chosen == "iop" and d.departure_reason == "" and not d.departs


def test_decide_unknown_form_is_refused(world):
    d = services.decision_create(actor=None, organisation=world.orgs["owner"], title="F", answers={})
    with pytest.raises(ValidationError) as exc:
        services.decision_decide(actor=None, decision=d, chosen="anbud")
    assert "chosen" in exc.value.message_dict


def test_revise_supersedes_once(world):
    org = world.orgs["owner"]
    d = services.decision_create(actor=None, organisation=org, title="F", answers=IOP_ANSWERS)
    services.decision_decide(actor=None, decision=d, chosen="iop")
    new = services.decision_create(
        actor=None, organisation=org, title="F", answers={"order": "ja"}, supersedes=d
    )
    assert new.supersedes == d and new.recommended == "upphandling_lou"
    with pytest.raises(ValidationError):
        services.decision_create(actor=None, organisation=org, title="F", answers={}, supersedes=d)
    d2 = services.decision_create(actor=None, organisation=org, title="G", answers={})
    services.decision_create(actor=None, organisation=org, title="G", answers={}, supersedes=d2)
    with pytest.raises(ValidationError):  # the superseded, undecided assessment can no longer be decided
        services.decision_decide(actor=None, decision=d2, chosen="upphandling_lou")


# --------------------------------------------------------------------------- pages


def test_walk_the_pages_from_a_target_group(client, world):
    g = group(world)
    r = Result.objects.create(organisation=world.orgs["owner"], title="Ökad skolnärvaro", target_group=g)
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    page = client.get(reverse("sourcing:decision_create"), {"result": r.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ökad skolnärvaro" in html and f'value="{g.pk}" selected' in html
    assert "Finns det en marknad" in html and "Vet ej" in html
    response = client.post(
        reverse("sourcing:decision_create"),
        {"title": "", "result": r.pk, "target_group": g.pk, **IOP_ANSWERS, "estimated_value": "450 000"},
    )
    assert response.status_code == 302
    d = FormDecision.objects.get()
    assert d.result == r and d.estimated_value == Decimal(450000) and d.recommended == "iop"
    detail = client.get(reverse("sourcing:decision_detail", args=[d.pk])).content.decode()
    assert "Idéburet-offentligt partnerskap (IOP)" in detail and "Regel I1" in detail
    assert "Helsingborgs riktlinjer för IOP" in detail and "Nästa steg" in detail
    # a departure without its reason: a clear error, nothing saved
    bad = client.post(reverse("sourcing:decision_decide", args=[d.pk]), {"chosen": "foreningsbidrag"})
    assert bad.status_code == 422 and "Motivera varför" in bad.content.decode()
    d.refresh_from_db()
    assert d.chosen == ""
    ok = client.post(
        reverse("sourcing:decision_decide", args=[d.pk]),
        {"chosen": "foreningsbidrag", "departure_reason": "Ett år"},
    )
    assert ok.status_code == 302
    detail = client.get(reverse("sourcing:decision_detail", args=[d.pk])).content.decode()
    assert "Ett år" in detail and "Ändra beslut" in detail and "Registrera beslut" not in detail
    listing = client.get(reverse("sourcing:decision_list")).content.decode()
    assert "Avviker" in listing


def test_other_organisations_target_group_is_not_offered(client, world):
    other = group(world, "unrelated")
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    html = client.get(reverse("sourcing:decision_create"), {"target_group": other.pk}).content.decode()
    assert f'value="{other.pk}"' not in html


def test_next_step_link_only_when_the_page_exists(world):
    from insats.sourcing.advisor import views

    assert views.url_or_none("sourcing:no_such_page") is None
    assert views.url_or_none("sourcing:decision_list", {"decision": 3}).endswith("?decision=3")
    d = services.decision_create(actor=None, organisation=world.orgs["owner"], title="F", answers=IOP_ANSWERS)
    step = views.next_step(d)
    assert step["text"].startswith("Starta ett IOP")
    try:
        reverse("sourcing:iop_create")
    except Exception:
        assert step["url"] is None
    else:
        assert step["url"].endswith(f"?decision={d.pk}")


def test_revise_page_records_a_new_version(client, world):
    d = services.decision_create(actor=None, organisation=world.orgs["owner"], title="F", answers=IOP_ANSWERS)
    services.decision_decide(actor=None, decision=d, chosen="iop")
    login(client, world.user("owner", "procurement"), world.orgs["owner"])
    page = client.get(reverse("sourcing:decision_revise", args=[d.pk]))
    assert page.status_code == 200
    assert "checked" in page.content.decode()
    response = client.post(reverse("sourcing:decision_revise", args=[d.pk]), {"title": "F", "order": "ja"})
    assert response.status_code == 302
    new = FormDecision.objects.get(supersedes=d)
    assert new.recommended == "upphandling_lou"
    d.refresh_from_db()
    assert d.chosen == "iop"  # the decided one is unchanged


def test_threshold_page_lists_amounts_and_only_operators_add(client, world):
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    html = client.get(reverse("sourcing:threshold_list")).content.decode()
    assert "700\u00a0000" in html and "Gäller i dag" in html and "Nytt belopp" not in html
    assert client.get(reverse("sourcing:threshold_create")).status_code == 403


# --------------------------------------------------------------------------- API


def test_api_create_get_decide(client, world):
    api = Api(client, make_token(world.membership("owner", "procurement")))
    created = api.post(
        "/api/v1/sourcing/decisions",
        {"title": "Köp", "answers": {"order": True, "social_service": False}, "estimated_value": "300000"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["recommended"] == "direktupphandling"
    assert [r["rule"] for r in body["reasons"]] == ["B1", "D1"]
    assert body["answers"]["order"] is True and body["answers"]["market"] is None
    got = api.get(f"/api/v1/sourcing/decisions/{body['id']}")
    assert got.status_code == 200 and got.json()["title"] == "Köp"
    bad = api.post(f"/api/v1/sourcing/decisions/{body['id']}/decide", {"chosen": "upphandling_lou"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"departure_reason"}
    ok = api.post(
        f"/api/v1/sourcing/decisions/{body['id']}/decide",
        {"chosen": "upphandling_lou", "departure_reason": "Fler köp väntas."},
    )
    assert ok.status_code == 200 and ok.json()["chosen"] == "upphandling_lou"
    listing = api.get("/api/v1/sourcing/decisions")
    assert listing.json()["count"] == 1


def test_api_refuses_another_organisations_result(client, world):
    other = Result.objects.create(organisation=world.orgs["unrelated"], title="Annat")
    api = Api(client, make_token(world.membership("owner", "analyst")))
    response = api.post("/api/v1/sourcing/decisions", {"result_id": other.pk})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"result_id"}
    assert not FormDecision.objects.exists()


def test_an_operator_adds_a_threshold_on_the_page(client, world):
    from insats.accounts.models import User

    operator = User.objects.create_user("drift@example.se", "x", full_name="Drift", is_operator=True)
    login(client, operator)
    page = client.get(reverse("sourcing:threshold_create"))
    assert page.status_code == 200 and "Gäller i dag" in page.content.decode()
    bad = client.post(reverse("sourcing:threshold_create"), {"kind": "direktupphandling", "amount": "0"})
    assert bad.status_code == 200 and not ProcurementThreshold.objects.filter(amount=0).exists()
    response = client.post(
        reverse("sourcing:threshold_create"),
        {
            "kind": "direktupphandling",
            "amount": "800000",
            "valid_from": "2027-01-01",
            "valid_to": "",
            "source": "Ny lag (exempel)",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("sourcing:threshold_create")
    row = ProcurementThreshold.objects.get(kind="direktupphandling", valid_from=datetime.date(2027, 1, 1))
    assert row.created_by == operator
    assert services.core_thresholds(datetime.date(2027, 2, 1)).direct_award == Decimal(800000)
