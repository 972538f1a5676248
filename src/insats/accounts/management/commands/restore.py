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
from django.db import connection, connections

from insats.audit.services import log_action
from insats.web.request_context import reset_request_meta, set_request_meta

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
