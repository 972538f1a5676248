"""The catalogue's services: a save writes the intervention, its rows, a version and an audit entry in
one transaction; a bad row is named and nothing is saved; the diff speaks Swedish; the budget figures
come from the core (shares, cost per participant)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from insats.accounts import access
from insats.audit.models import AuditEntry
from insats.interventions.catalogue import services as svc
from insats.interventions.catalogue.models import (
    AgeBand,
    Intervention,
    InterventionFunding,
    InterventionStaffing,
    InterventionVersion,
)
from insats.situation.models import Area

pytestmark = pytest.mark.django_db


def _actor(world, org="owner", role="analyst"):
    return access.Actor(user=world.user(org, role), membership=world.membership(org, role))


def _create(world, **values):
    return svc.save_intervention(
        actor=_actor(world),
        intervention=Intervention(organisation=world.orgs["owner"]),
        values={"name": "Komet", "intensity": "riktad", **values},
        rows={"staffing": [{"profession": "Socionom", "people": 2, "fte": Decimal("1.5")}]},
    )


def test_create_writes_version_one_and_one_audit_entry(world):
    before = AuditEntry.objects.count()
    i = _create(world)
    v = InterventionVersion.objects.get(intervention=i)
    assert v.number == 1 and v.changed_by == world.user("owner", "analyst")
    assert v.data["name"] == "Komet"
    assert v.data["staffing"][0]["profession"] == "Socionom" and v.data["staffing"][0]["fte"] == "1.50"
    assert v.summary == "Insatsen skapades."
    entries = AuditEntry.objects.order_by("seq")[before:]
    assert [e.action for e in entries] == ["interventions.intervention.created"]


def test_change_writes_next_version_with_a_summary_and_no_version_without_change(world):
    i = _create(world)
    svc.save_intervention(actor=_actor(world), intervention=i, values={"capacity_per_year": 40})
    v2 = i.versions.get(number=2)
    assert v2.summary == "Ändrat: Platser per år."
    svc.save_intervention(actor=_actor(world), intervention=i, values={"capacity_per_year": 40})
    assert i.versions.count() == 2


def test_a_bad_staffing_row_is_named_and_nothing_is_saved(world):
    i = _create(world)
    audit = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        svc.save_intervention(
            actor=_actor(world),
            intervention=i,
            values={"name": "Komet 2"},
            rows={
                "staffing": [
                    {"profession": "Socionom", "people": 2, "fte": Decimal("1.5")},
                    {"profession": "", "people": 1, "fte": Decimal("1")},
                ]
            },
        )
    text = " ".join(exc.value.messages)
    assert "Bemanning, rad 2: Yrke:" in text
    i.refresh_from_db()
    assert i.name == "Komet"
    assert InterventionStaffing.objects.filter(intervention=i).count() == 1
    assert i.versions.count() == 1 and AuditEntry.objects.count() == audit


def test_a_failing_audit_write_rolls_back_the_save(world, monkeypatch):
    i = _create(world)

    def boom(*args, **kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(svc, "log_action", boom)
    with pytest.raises(RuntimeError):
        svc.save_intervention(actor=_actor(world), intervention=i, values={"name": "Nytt namn"})
    i.refresh_from_db()
    assert i.name == "Komet" and i.versions.count() == 1


def test_diff_names_fields_and_rows_in_swedish(world):
    i = _create(world, status="planerad")
    a = i.versions.get(number=1).data
    svc.save_intervention(
        actor=_actor(world),
        intervention=i,
        values={"status": "pagaende"},
        rows={"staffing": [{"profession": "Socionom", "people": 3, "fte": Decimal("2")}]},
    )
    b = i.versions.get(number=2).data
    changes = {c.field: c for c in svc.diff(a, b)}
    assert set(changes) == {"status", "staffing"}
    assert (changes["status"].label, changes["status"].before, changes["status"].after) == (
        "Status",
        "Planerad",
        "Pågående",
    )
    assert changes["staffing"].label == "Bemanning"
    assert changes["staffing"].after == "Socionom: 3 personer, 2 årsarbetskrafter"


def test_budget_shares_members_and_cost_per_participant(world):
    owner, federation = world.orgs["owner"], world.orgs["federation"]
    i = svc.save_intervention(
        actor=_actor(world),
        intervention=Intervention(organisation=owner),
        values={
            "name": "NOVA",
            "intensity": "riktad",
            "annual_budget": Decimal("400000"),
            "budget_year": 2024,
        },
        rows={
            "funding": [
                {"funder": federation, "year": 2024, "amount": Decimal("300000")},
                {"funder": owner, "year": 2024, "amount": Decimal("100000")},
                {"funder_name": "Gammalt bidrag", "year": 2023, "amount": Decimal("50000")},
            ],
            "reach": [
                {"year": 2024, "participants": 30},
                {"year": 2024, "participants": 10, "gender": "K"},
                {"year": 2023, "participants": 99},
            ],
        },
    )
    fig = svc.budget_figures(i)
    # 300 000 / 400 000 = 75 %, 100 000 / 400 000 = 25 %; 2023's row is another year.
    assert [(f.label, f.share) for f in fig.funders] == [
        (federation.name, Decimal("0.7500")),
        (owner.name, Decimal("0.2500")),
    ]
    # The world's förbund has one member (Tomelilla, 25 %): it carries the förbund's whole part.
    assert fig.funders[0].members == [(owner.name, Decimal("1.0000"), Decimal("300000.00"))]
    # 400 000 kr / (30 + 10) participants in 2024 = 10 000 kr.
    assert fig.participants == 40 and fig.per_participant == Decimal("10000.00")


def test_reach_table_totals_by_area_gender_and_band(world):
    band = AgeBand.objects.filter(organisation=None, label="7–13 år").get()
    tomelilla = Area.objects.get(code="1270")
    i = svc.save_intervention(
        actor=_actor(world),
        intervention=Intervention(organisation=world.orgs["owner"]),
        values={"name": "X", "intensity": "tidig"},
        rows={
            "reach": [
                {"year": 2024, "area": tomelilla, "gender": "K", "age_band": band, "participants": 4},
                {"year": 2024, "area": tomelilla, "gender": "M", "age_band": band, "participants": 6},
            ]
        },
    )
    (year,) = svc.reach_table(i)
    assert year.total == 10
    assert year.by_area == [("Tomelilla", 10)]
    assert dict(year.by_gender) == {"Flickor/kvinnor": 4, "Pojkar/män": 6}


def test_delete_audits_and_removes_rows(world):
    i = _create(world)
    pk = i.pk
    svc.delete_intervention(actor=_actor(world), intervention=i)
    assert not Intervention.objects.filter(pk=pk).exists()
    assert not InterventionFunding.objects.filter(intervention_id=pk).exists()
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (
        entry.action == "interventions.intervention.deleted" and entry.changes["snapshot"]["name"] == "Komet"
    )
