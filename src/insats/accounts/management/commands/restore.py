"""``manage.py restore FILE``: replace the whole database with a backup made by ``manage.py backup``.

SQLite: the backup file is checked (``PRAGMA integrity_check``, an Insats schema) and copied page by
page into the live database with the sqlite3 online backup API. PostgreSQL: ``pg_restore --clean
--if-exists --single-transaction`` — all or nothing. Afterwards one entry ``system.restored`` is
appended to the (restored) audit log, naming the file and its SHA-256, so the chain shows that a
restore happened; ``manage.py audit verify`` passes on the result. Stop the web and worker
processes first (docs/operators.md).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction

from insats.audit.services import log_action
from insats.platform.request_context import reset_request_meta, set_request_meta

from .backup import engine, file_kind, pg_command, run_tool, sha256_of


def _check_sqlite_backup(path: Path) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = source.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise CommandError(f"{path} is damaged (PRAGMA integrity_check: {result}); nothing was restored.")
        tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"django_migrations", "audit_auditentry", "accounts_user"} <= tables:
            raise CommandError(
                f"{path} is an SQLite database but not an Insats backup; nothing was restored."
            )
    finally:
        source.close()


# PostgreSQL: pg_restore recreates each table, which then gets the database's ALTER DEFAULT
# PRIVILEGES, and the dump only GRANTs on top of that. A REVOKE the operator made (the application
# role must not UPDATE/DELETE audit entries, docs/operators.md) would silently be lost. So the
# privileges of every table are read before the restore and put back exactly afterwards.
_PRIVILEGES_SQL = """
SELECT c.relname, COALESCE(r.rolname, 'PUBLIC'), a.privilege_type
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(COALESCE(c.relacl, acldefault('r', c.relowner))) a
LEFT JOIN pg_roles r ON r.oid = a.grantee
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm') AND a.grantee <> c.relowner
"""


def table_privileges() -> set[tuple[str, str, str]]:
    """(table, grantee, privilege) for every table of the current schema, its owner left out."""
    with connection.cursor() as cursor:
        cursor.execute(_PRIVILEGES_SQL)
        return {tuple(row) for row in cursor.fetchall()}


def _grantee(name: str) -> str:
    return "PUBLIC" if name == "PUBLIC" else connection.ops.quote_name(name)


def reapply_privileges(before: set[tuple[str, str, str]]) -> list[str]:
    """Put back the privileges the tables had before the restore; returns the statements run."""
    if not before:
        return []
    after = table_privileges()
    tables = {table for table, _, _ in before}
    statements = [
        f"REVOKE {privilege} ON TABLE {connection.ops.quote_name(table)} FROM {_grantee(grantee)}"
        for table, grantee, privilege in sorted(after - before)
        if table in tables
    ] + [
        f"GRANT {privilege} ON TABLE {connection.ops.quote_name(table)} TO {_grantee(grantee)}"
        for table, grantee, privilege in sorted(before - after)
        if table in {t for t, _, _ in after}
    ]
    if statements:
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    return statements


def audit_log_writers() -> list[str]:
    """Roles other than the owner that may change or remove audit entries (should be none in production)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _PRIVILEGES_SQL
            + " AND c.relname = 'audit_auditentry' AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')"
        )
        return sorted({grantee for _, grantee, _ in cursor.fetchall()})


def restore_database(path: Path, *, no_owner: bool = False) -> str:
    kind = engine()
    found = file_kind(path)
    if found == "unknown":
        raise CommandError(f"{path} is neither an SQLite database nor a pg_dump custom-format file.")
    if found != kind:
        raise CommandError(
            f"{path} is a {found} backup but this installation runs on {kind}; nothing was restored."
        )
    if connection.in_atomic_block:
        raise CommandError("restore cannot run inside a transaction.")
    if kind == "sqlite":
        _check_sqlite_backup(path)
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        before = table_privileges()
        connections.close_all()  # pg_restore --clean needs the tables free of this process's locks
        extra = ["--no-owner"] if no_owner else []
        command, env = pg_command(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            *extra,
            "--dbname",
            connection.settings_dict["NAME"],
            str(path),
        )
        run_tool(command, env)
        reapply_privileges(before)
    return kind


class Command(BaseCommand):
    help = "Replace the whole database with a backup made by 'manage.py backup FILE'."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A file written by 'manage.py backup'.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )
        parser.add_argument(
            "--no-owner",
            action="store_true",
            help="PostgreSQL: do not restore object ownership (restore into another server).",
        )

    def handle(self, *args, file, interactive, no_owner, **options):
        path = Path(file).expanduser().resolve()
        if not path.is_file():
            raise CommandError(f"{path} does not exist or is not a file.")
        name = connection.settings_dict["NAME"]
        if interactive:
            answer = input(
                f"This replaces ALL data in the database {name} with {path}. Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        digest = sha256_of(path)
        kind = restore_database(path, no_owner=no_owner)
        token = set_request_meta({"actor_label": "manage.py restore"})
        try:
            log_action(
                "system.restored",
                object_type="database",
                object_id=kind,
                object_label=path.name,
                changes={"file": str(path), "sha256": digest, "engine": kind},
            )
        finally:
            reset_request_meta(token)
        self.stdout.write(self.style.SUCCESS(f"Restored {name} from {path} (sha256 {digest})."))
        writers = audit_log_writers() if kind == "postgresql" else []
        if writers:
            self.stderr.write(
                self.style.WARNING(
                    "Warning: these roles may UPDATE/DELETE/TRUNCATE audit entries: "
                    + ", ".join(writers)
                    + ". In production run: REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditentry"
                    " FROM <application role>; (docs/operators.md)."
                )
            )
