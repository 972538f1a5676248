"""The audit search page and CSV export: filters, scoping to the admin's organisation, the export audited."""

from __future__ import annotations

import csv
import datetime
import io
import json
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from insats.audit import services as audit_services
from insats.audit.models import AuditEntry
from tests.conftest import login

STHLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def entries(world, monkeypatch):
    """Four known entries at known times: three of Tomelilla, one of Familjeforum."""
    owner, unrelated = world.orgs["owner"], world.orgs["unrelated"]
    analyst = world.user("owner", "analyst")
    specs = [
        ("2026-03-01 09:00", analyst, owner, "test.situation.changed", "Lägesbild Tomelilla", {"n": 1}),
        (
            "2026-03-02 23:30",
            world.user("owner", "viewer"),
            owner,
            "test.report.read",
            "Rapport 2025",
            {"n": 2},
        ),
        (
            "2026-03-04 08:00",
            analyst,
            owner,
            "test.contract.changed",
            "Utfallskontrakt Barnens Väl",
            {"n": 3},
        ),
        (
            "2026-03-02 12:00",
            world.user("unrelated", "analyst"),
            unrelated,
            "test.situation.changed",
            "Lägesbild Lund",
            {"n": 4},
        ),
    ]
    made = []
    for when, actor, org, action, label, changes in specs:
        at = datetime.datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=STHLM)
        monkeypatch.setattr(audit_services.timezone, "now", lambda at=at: at)
        made.append(
            audit_services.log_action(
                action,
                actor=actor,
                organisation=org,
                object_type="test.thing",
                object_id=str(len(made) + 1),
                object_label=label,
                changes=changes,
            )
        )
    monkeypatch.undo()
    return made


@pytest.fixture
def admin(client, world):
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    return client


def search(client, **params) -> list[int]:
    response = client.get(reverse("audit:search"), params)
    assert response.status_code == 200
    return [e.seq for e in response.context["page"].object_list if e.action.startswith("test.")]


def test_search_by_person(admin, entries):
    assert search(admin, person="Analyst Owner") == [entries[2].seq, entries[0].seq]
    assert search(admin, person="viewer@owner") == [entries[1].seq]


def test_search_by_object_label_type_or_id(admin, entries):
    assert search(admin, obj="Barnens") == [entries[2].seq]
    assert search(admin, obj="3") == [entries[2].seq]  # exact id
    assert search(admin, obj="test.thing") == [entries[2].seq, entries[1].seq, entries[0].seq]


def test_search_by_date_is_inclusive_in_stockholm_time(admin, entries):
    # 23:30 on 2 March in Stockholm is still 2 March, although it is 22:30 UTC.
    assert search(admin, date_from="2026-03-02", date_to="2026-03-02") == [entries[1].seq]
    assert search(admin, date_from="2026-03-02") == [entries[2].seq, entries[1].seq]
    assert search(admin, date_to="2026-03-01") == [entries[0].seq]


def test_search_by_action_prefix(admin, entries):
    assert search(admin, action="test.situation") == [entries[0].seq]


def test_invalid_filter_shows_nothing_rather_than_everything(admin, entries):
    response = admin.get(reverse("audit:search"), {"date_from": "inte-ett-datum"})
    assert response.status_code == 200
    assert "date_from" in response.context["form"].errors
    assert list(response.context["page"].object_list) == []


def test_an_admin_sees_only_the_own_organisations_entries(client, world, entries):
    login(client, world.user("unrelated", "admin"), world.orgs["unrelated"])
    assert search(client, obj="Lägesbild") == [entries[3].seq]


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # the product's one CSV convention: UTF-8 with BOM, semicolons
    return list(csv.reader(io.StringIO(body[1:], newline=""), delimiter=";"))


def test_csv_export_has_the_filtered_rows_and_is_itself_audited(admin, world, entries):
    before = AuditEntry.objects.count()
    response = admin.get(reverse("audit:export"), {"person": "Analyst Owner"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == [
        "löpnummer",
        "tid",
        "aktör",
        "organisation",
        "händelse",
        "objekttyp",
        "objekt-id",
        "objekt",
        "ändringar (JSON)",
        "anrops-id",
        "kontrollsumma",
    ]
    by_seq = {int(r[0]): r for r in rows[1:]}
    assert sorted(by_seq) == [entries[0].seq, entries[2].seq]
    row = by_seq[entries[0].seq]
    assert row[1] == "2026-03-01T09:00:00+01:00"
    assert row[2:8] == [
        "analyst@owner.test",
        "Tomelilla kommun",
        "test.situation.changed",
        "test.thing",
        "1",
        "Lägesbild Tomelilla",
    ]
    assert json.loads(row[8]) == entries[0].changes
    assert row[10] == entries[0].entry_hash
    # The export is an event of its own, with the filters used.
    exported = AuditEntry.objects.filter(seq__gt=before, action="audit.exported")
    assert exported.count() == 1
    entry = exported.get()
    assert entry.actor == world.user("owner", "admin") and entry.organisation == world.orgs["owner"]
    assert entry.changes == {"filters": {"person": "Analyst Owner"}}


def test_csv_export_never_includes_other_organisations(admin, entries):
    rows = read_csv(admin.get(reverse("audit:export")))
    assert "Lägesbild Lund" not in {r[7] for r in rows[1:]}
    # Entries of the organisation, plus personal events (logins, 2FA) of its own members, which
    # belong to no organisation.
    assert len(rows) > 4
    assert all(r[3] == "Tomelilla kommun" or (r[3] == "" and r[4].startswith("auth.")) for r in rows[1:])


def test_failed_login_is_logged_without_the_password(client, world):
    before = AuditEntry.objects.count()
    client.post(reverse("accounts:login"), {"email": "analyst@owner.test", "password": "fel-lösenord-1"})
    new = list(AuditEntry.objects.filter(seq__gt=before))
    assert any(e.action == "auth.login_failed" for e in new)
    assert all("fel-lösenord-1" not in str(e.changes) for e in new)


def test_timezone_of_export_is_stockholm():
    assert timezone.get_current_timezone_name() == "Europe/Stockholm"
