"""``manage.py backup`` / ``manage.py restore`` on whatever database the suite runs on (SQLite or PostgreSQL).

The round trip: build data, back up, change and delete data, restore; every row of the accounts and
audit tables equals what it was before the backup, plus exactly one ``system.restored`` entry at the
end of the audit chain, and ``audit verify`` passes.
"""

from __future__ import annotations

import datetime
import os
import sqlite3
import stat
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from insats.accounts import services
from insats.accounts.management.commands import backup as backup_module
from insats.accounts.models import Membership, Organisation, Seat, User
from insats.audit.models import AuditEntry, ChainHead
from insats.audit.services import verify_chain
from tests.conftest import build_world

pytestmark = pytest.mark.django_db(transaction=True)


def table_rows() -> dict[str, list[dict]]:
    """Every row of every accounts and audit table, in primary-key order."""
    rows = {}
    for label in ("accounts", "audit"):
        for model in apps.get_app_config(label).get_models():
            rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return rows


def build_data():
    world = build_world()
    federation = world.orgs["federation"]
    body = services.body_create(actor=None, organisation=federation, kind="styrelse", name="Styrelsen")
    services.seat_add(
        actor=None,
        body=body,
        person_name="Kerstin Ahl",
        represents=world.orgs["owner"],
        role="politician",
        term_start=datetime.date(2023, 1, 1),
    )
    return world


def test_round_trip_restores_every_row_and_the_chain_verifies(tmp_path):
    world = build_data()
    before = table_rows()
    entries_before = AuditEntry.objects.count()
    assert entries_before > 0
    target = tmp_path / "insats.backup"

    out = StringIO()
    call_command("backup", str(target), stdout=out)
    assert target.is_file() and "Backup written" in out.getvalue()
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert not (tmp_path / "insats.backup.part").exists()

    # Change, add and delete data after the backup (all through the audited services).
    owner = world.orgs["owner"]
    services.organisation_update(actor=None, organisation=owner, name="Tomelilla kommun (ändrad)")
    services.membership_remove(actor=None, membership=world.membership("owner", "viewer"))
    newcomer = User.objects.create_user("ny@example.test", "Lösenord-för-test-1", full_name="Ny Person")
    services.membership_add(actor=None, user=newcomer, organisation=owner, role="analyst")
    Seat.objects.all().delete()
    assert table_rows() != before

    call_command("restore", str(target), interactive=False, stdout=StringIO())

    after = table_rows()
    entries_after = after.pop("audit.AuditEntry")
    entries_saved = before.pop("audit.AuditEntry")
    head_after, head_saved = after.pop("audit.ChainHead"), before.pop("audit.ChainHead")
    assert after == before
    assert entries_after[:-1] == entries_saved
    restored = entries_after[-1]
    assert restored["action"] == "system.restored"
    assert restored["seq"] == entries_before + 1
    assert restored["changes"]["file"] == str(target)
    assert head_saved[0]["seq"] == entries_before and head_after[0]["seq"] == entries_before + 1
    assert Organisation.objects.get(pk=owner.pk).name == "Tomelilla kommun"
    assert not User.objects.filter(email="ny@example.test").exists()
    assert Membership.objects.filter(pk=world.membership("owner", "admin").pk).exists()
    assert verify_chain().ok
    verify_out = StringIO()
    call_command("audit", "verify", stdout=verify_out)
    assert f"{entries_before + 1} entries verified" in verify_out.getvalue()

    # The database still works normally after the restore: the chain keeps growing and verifying.
    services.organisation_update(
        actor=None, organisation=Organisation.objects.get(pk=owner.pk), description="x"
    )
    assert ChainHead.objects.get(id=1).seq == entries_before + 2
    assert verify_chain().ok


def test_backup_refuses_to_overwrite(tmp_path):
    target = tmp_path / "exists.backup"
    target.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(target), stdout=StringIO())
    assert target.read_bytes() == b"keep me"


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    build_data()
    before = table_rows()
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    with pytest.raises(CommandError, match="neither an SQLite database nor a pg_dump"):
        call_command("restore", str(junk), interactive=False, stdout=StringIO())
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.backup"), interactive=False, stdout=StringIO())
    assert table_rows() == before


def test_restore_refuses_a_backup_of_the_other_engine(tmp_path):
    build_data()
    before = table_rows()
    other = tmp_path / "other.backup"
    if connection.vendor == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 64)
        expected = "is a postgresql backup but this installation runs on sqlite"
    else:
        db = sqlite3.connect(other)
        db.execute("CREATE TABLE t (x)")
        db.commit()
        db.close()
        expected = "is a sqlite backup but this installation runs on postgresql"
    with pytest.raises(CommandError, match=expected):
        call_command("restore", str(other), interactive=False, stdout=StringIO())
    assert table_rows() == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite-specific check")
def test_restore_refuses_an_sqlite_file_that_is_not_insats(tmp_path):
    build_data()
    before = table_rows()
    foreign = tmp_path / "foreign.sqlite3"
    db = sqlite3.connect(foreign)
    db.execute("CREATE TABLE people (name TEXT)")
    db.commit()
    db.close()
    with pytest.raises(CommandError, match="not an Insats backup"):
        call_command("restore", str(foreign), interactive=False, stdout=StringIO())
    assert table_rows() == before


def test_restore_asks_first_and_a_no_changes_nothing(tmp_path, monkeypatch):
    build_data()
    target = tmp_path / "a.backup"
    call_command("backup", str(target), stdout=StringIO())
    services.organisation_create(actor=None, name="Efter backup", org_number="212000-1157", kind="foretag")
    before = table_rows()
    monkeypatch.setattr("builtins.input", lambda prompt: "nej")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(target), stdout=StringIO())
    assert table_rows() == before


def test_missing_postgresql_tools_give_a_clear_error(monkeypatch):
    monkeypatch.setattr(backup_module.shutil, "which", lambda name: None)
    with pytest.raises(CommandError, match=r"pg_dump was not found.*postgresql-client"):
        backup_module.require_tool("pg_dump")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles and privileges")
def test_restore_keeps_the_revoke_on_the_audit_table(tmp_path):
    """pg_restore recreates tables with the default privileges; the operator's REVOKE must survive."""
    import uuid

    from insats.accounts.management.commands.restore import audit_log_writers, table_privileges

    build_data()
    role = f"insats_test_app_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
    try:
        with connection.cursor() as cursor:
            # As docs/operators.md sets it up: default privileges for the app role, then the REVOKE.
            privileges = "SELECT, INSERT, UPDATE, DELETE"
            cursor.execute(
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {privileges} ON TABLES TO {role}"
            )
            cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditentry FROM {role}")
        assert audit_log_writers() == []
        before = table_privileges()
        assert ("audit_auditentry", role, "INSERT") in before
        assert ("audit_auditentry", role, "UPDATE") not in before
        assert ("accounts_organisation", role, "UPDATE") in before

        target = tmp_path / "pg.backup"
        call_command("backup", str(target), stdout=StringIO())
        err = StringIO()
        call_command("restore", str(target), interactive=False, stdout=StringIO(), stderr=err)
        assert table_privileges() == before
        assert audit_log_writers() == []
        assert "Warning" not in err.getvalue()

        # A role that may rewrite the log is named in a warning after the restore.
        with connection.cursor() as cursor:
            cursor.execute(f"GRANT UPDATE ON audit_auditentry TO {role}")
        err = StringIO()
        call_command("restore", str(target), interactive=False, stdout=StringIO(), stderr=err)
        assert (
            role in err.getvalue() and "REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditentry" in err.getvalue()
        )
        assert verify_chain().ok
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")
