"""``manage.py backup FILE``: a consistent copy of the whole database, taken while Insats runs.

SQLite: the sqlite3 online backup API (``Connection.backup``) copies every page under a read
transaction, so the copy is consistent even while others write. PostgreSQL: ``pg_dump -Fc`` (the
custom format ``pg_restore`` reads) with the connection from settings; ``pg_dump`` runs in one
repeatable-read snapshot. The file is written under a temporary name and renamed when complete,
with mode 0600 (it holds personal data). ``manage.py restore FILE`` reads it back.

The shared helpers here are also used by ``restore.py``. See docs/operators.md.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


def engine() -> str:
    """``sqlite`` or ``postgresql`` (anything else is refused with a clear message)."""
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise CommandError(f"backup/restore supports SQLite and PostgreSQL, not {vendor!r}.")
    return vendor


def file_kind(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    return "unknown"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def require_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise CommandError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools of the server's major "
            f"version (Debian: apt-get install postgresql-client-15) and try again."
        )
    return found


def pg_command(tool: str, *args: str) -> tuple[list[str], dict[str, str]]:
    """The command line and environment for a PostgreSQL client tool, from the Django connection."""
    settings_dict = connection.settings_dict
    command = [require_tool(tool), "--no-password"]
    if settings_dict.get("HOST"):
        command += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        command += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        command += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        if options.get(option):
            env[variable] = str(options[option])
    return [*command, *args], env


def run_tool(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        tool = Path(command[0]).name
        raise CommandError(
            f"{tool} failed (exit {result.returncode}): {result.stderr.strip() or result.stdout}"
        )


def _private_file(path: Path) -> None:
    """Create (or truncate) ``path`` readable by the owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def backup_database(target: Path) -> str:
    """Write a backup of the default database to ``target``; returns the engine used."""
    kind = engine()
    partial = target.with_name(target.name + ".part")
    _private_file(partial)
    try:
        if kind == "sqlite":
            connection.ensure_connection()
            destination = sqlite3.connect(partial)
            try:
                connection.connection.backup(destination)
                # A self-contained file: no -wal/-shm companions when it is opened later.
                destination.execute("PRAGMA journal_mode=DELETE")
            finally:
                destination.close()
        else:
            command, env = pg_command(
                "pg_dump",
                "--format=custom",
                "--file",
                str(partial),
                "--dbname",
                connection.settings_dict["NAME"],
            )
            run_tool(command, env)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return kind


class Command(BaseCommand):
    help = "Back up the whole database to FILE (SQLite online backup or pg_dump -Fc); restore with 'restore'."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="Where to write the backup, e.g. /var/backups/insats/2025-01-31.backup"
        )
        parser.add_argument("--overwrite", action="store_true", help="Replace FILE if it exists.")

    def handle(self, *args, file, overwrite, **options):
        target = Path(file).expanduser().resolve()
        if target.exists() and not overwrite:
            raise CommandError(f"{target} exists already; choose another name or pass --overwrite.")
        if not target.parent.is_dir():
            raise CommandError(f"The directory {target.parent} does not exist.")
        kind = backup_database(target)
        size, digest = target.stat().st_size, sha256_of(target)
        self.stdout.write(
            self.style.SUCCESS(f"Backup written: {target} ({kind}, {size} bytes, sha256 {digest})")
        )
