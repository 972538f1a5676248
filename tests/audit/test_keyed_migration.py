"""Issue 8, item 7: entries written before the chain was keyed (plain SHA-256) still verify after
migration 0002_keyed_chain, which checks the old chain and re-signs it with the current key."""

from __future__ import annotations

import datetime
import hashlib
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings

from insats.audit.services import verify_chain

KEY = ("m1", "M" * 40)
BEFORE = [("audit", "0001_initial")]
AFTER = [("audit", "0002_keyed_chain")]


def legacy_canonical(row: dict) -> bytes:
    return json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def write_legacy_chain(apps, n: int, *, tamper_at: int | None = None) -> None:
    AuditEntry = apps.get_model("audit", "AuditEntry")
    ChainHead = apps.get_model("audit", "ChainHead")
    prev = "0" * 64
    start = datetime.datetime(2026, 1, 1, 8, 0, tzinfo=datetime.UTC)
    for seq in range(1, n + 1):
        at = start + datetime.timedelta(minutes=seq)
        row = {
            "seq": seq,
            "at": at.isoformat(timespec="microseconds"),
            "actor": None,
            "actor_label": "",
            "organisation": None,
            "action": f"legacy.{seq}",
            "object_type": "",
            "object_id": "",
            "object_label": "Å",
            "changes": {"n": seq},
            "request_id": "",
            "ip": "",
            "prev_hash": prev,
        }
        entry_hash = hashlib.sha256(legacy_canonical(row)).hexdigest()
        AuditEntry.objects.create(
            seq=seq,
            at=at,
            action=row["action"],
            object_label="Å",
            changes={"n": 99} if seq == tamper_at else {"n": seq},
            prev_hash=prev,
            entry_hash=entry_hash,
        )
        prev = entry_hash
    ChainHead.objects.update_or_create(id=1, defaults={"seq": n, "entry_hash": prev})


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
@override_settings(AUDIT_HMAC_KEYS=[KEY])
def test_legacy_entries_are_re_signed_and_verify():
    try:
        old_apps = migrate(BEFORE)
        write_legacy_chain(old_apps, 4)
        migrate(AFTER)
        result = verify_chain()
        assert result.ok and result.checked == 4
        from insats.audit.models import AuditEntry

        assert set(AuditEntry.objects.values_list("key_id", flat=True)) == {"m1"}
        # and back: the reverse restores the plain SHA-256 chain
        migrate(BEFORE)
        migrate(AFTER)
        assert verify_chain().ok
    finally:
        migrate(AFTER)


@pytest.mark.django_db(transaction=True)
@override_settings(AUDIT_HMAC_KEYS=[KEY])
def test_a_broken_legacy_chain_is_not_re_signed():
    try:
        old_apps = migrate(BEFORE)
        write_legacy_chain(old_apps, 4, tamper_at=3)
        with pytest.raises(RuntimeError, match="broken at entry 3"):
            migrate(AFTER)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditentry")
        migrate(AFTER)
