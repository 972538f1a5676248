"""Issue 8, item 7: the chain is keyed (HMAC, key from the environment) and can be anchored outside the
database, so neither rewriting it nor cutting off its end goes unnoticed.

What each step protects against (docs/operators.md, "Checking the audit log"):

* the HMAC key: somebody who can write the database but does not hold the key cannot recompute the
  hashes after changing an entry (the plain SHA-256 chain could simply be recomputed);
* the anchor: deleting the newest entries and rolling the chain head back leaves a consistent,
  shorter chain; so does a rewrite by somebody who holds the key. An anchor kept outside the
  database (seq and hash of the head at that time) shows both.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from insats.audit.models import AuditEntry, ChainHead
from insats.audit.services import log_action, verify_chain

TABLE = AuditEntry._meta.db_table
HEAD = ChainHead._meta.db_table
KEY_A = ("a1", "A" * 40)
KEY_B = ("b2", "B" * 40)


@pytest.fixture
def chain(db):
    with override_settings(AUDIT_HMAC_KEYS=[KEY_A]):
        entries = [log_action(f"test.step{i}", changes={"i": i}) for i in range(1, 7)]
        assert [e.seq for e in entries] == [1, 2, 3, 4, 5, 6]
        yield entries


def rewrite_from(seq: int, changes: dict, digest) -> None:
    """Change entry ``seq`` and recompute every later hash and the chain head with ``digest``."""
    entries = list(AuditEntry.objects.order_by("seq"))
    prev = entries[seq - 2].entry_hash if seq > 1 else "0" * 64
    with connection.cursor() as cursor:
        for entry in entries[seq - 1 :]:
            if entry.seq == seq:
                entry.changes = changes
            entry.prev_hash = prev
            new = digest(entry.canonical())
            cursor.execute(
                f"UPDATE {TABLE} SET changes = %s, prev_hash = %s, entry_hash = %s WHERE seq = %s",
                [json.dumps(entry.changes), prev, new, entry.seq],
            )
            prev = new
        cursor.execute(f"UPDATE {HEAD} SET entry_hash = %s WHERE id = 1", [prev])


def truncate_after(seq: int) -> None:
    """Delete every entry after ``seq`` and roll the chain head back to it."""
    keep = AuditEntry.objects.get(seq=seq)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq > %s", [seq])
        cursor.execute(f"UPDATE {HEAD} SET seq = %s, entry_hash = %s WHERE id = 1", [seq, keep.entry_hash])


def anchor(tmp_path, name="anchor.json"):
    path = tmp_path / name
    call_command("audit", "anchor", "--output", str(path))
    return path


def test_entries_carry_the_key_id_and_an_hmac_not_a_plain_hash(chain):
    entry = AuditEntry.objects.get(seq=3)
    assert entry.key_id == "a1"
    expected = hmac.new(KEY_A[1].encode(), entry.canonical(), hashlib.sha256).hexdigest()
    assert entry.entry_hash == expected
    assert entry.entry_hash != hashlib.sha256(entry.canonical()).hexdigest()
    assert b'"key_id":"a1"' in entry.canonical()


def test_rewrite_with_plain_sha256_is_found(chain):
    # The old attack: edit entry 3 and recompute every later SHA-256 and the head.
    rewrite_from(3, {"i": 99}, lambda data: hashlib.sha256(data).hexdigest())
    with override_settings(AUDIT_HMAC_KEYS=[KEY_A]):
        result = verify_chain()
        assert not result.ok and result.first_broken_seq == 3
        assert "content does not match" in result.reason
        with pytest.raises(CommandError, match="entry 3:"):
            call_command("audit", "verify")


def test_rewrite_with_a_wrong_key_is_found(chain):
    rewrite_from(2, {"i": 42}, lambda data: hmac.new(b"guess" * 8, data, hashlib.sha256).hexdigest())
    with override_settings(AUDIT_HMAC_KEYS=[KEY_A]):
        result = verify_chain()
    assert not result.ok and result.first_broken_seq == 2


def test_rewrite_by_a_key_holder_passes_alone_but_not_against_an_anchor(chain, tmp_path):
    with override_settings(AUDIT_HMAC_KEYS=[KEY_A]):
        path = anchor(tmp_path)
        assert json.loads(path.read_text())["seq"] == 6
        rewrite_from(4, {"i": 7}, lambda data: hmac.new(KEY_A[1].encode(), data, hashlib.sha256).hexdigest())
        call_command("audit", "verify")  # the key holder's rewrite is consistent in itself
        with pytest.raises(CommandError) as info:
            call_command("audit", "verify", "--anchor", str(path))
    assert "entry 6:" in str(info.value) and "anchor" in str(info.value)


def test_truncation_with_the_head_rolled_back_is_found_against_an_anchor(chain, tmp_path):
    with override_settings(AUDIT_HMAC_KEYS=[KEY_A]):
        path = anchor(tmp_path)
        truncate_after(4)
        call_command("audit", "verify")  # a shorter chain is consistent in itself
        with pytest.raises(CommandError) as info:
            call_command("audit", "verify", "--anchor", str(path))
    message = str(info.value)
    assert "entry 5:" in message and "ends at entry 4" in message and "anchor records entry 6" in message


def test_the_anchor_covers_what_came_before_it_and_allows_what_came_after(chain, tmp_path, capsys):
    with override_settings(AUDIT_HMAC_KEYS=[KEY_A]):
        path = anchor(tmp_path)
        log_action("test.later")
        call_command("audit", "verify", "--anchor", str(path))
        assert "7 entries verified" in capsys.readouterr().out
        # Cutting off only what came after the anchor is not provable by that anchor (take them often).
        truncate_after(6)
        call_command("audit", "verify", "--anchor", str(path))


def test_anchor_refuses_a_broken_chain_and_verify_refuses_a_bad_anchor_file(chain, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    with override_settings(AUDIT_HMAC_KEYS=[KEY_A]):
        with pytest.raises(CommandError, match="anchor"):
            call_command("audit", "verify", "--anchor", str(bad))
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {TABLE} SET action = 'x' WHERE seq = 2")
        with pytest.raises(CommandError, match="entry 2:"):
            anchor(tmp_path)
    assert not (tmp_path / "anchor.json").exists()


def test_anchor_to_standard_output(chain, capsys):
    with override_settings(AUDIT_HMAC_KEYS=[KEY_A]):
        call_command("audit", "anchor")
    data = json.loads(capsys.readouterr().out)
    assert data["seq"] == 6 and data["entry_hash"] == AuditEntry.objects.get(seq=6).entry_hash


def test_key_rotation_old_entries_verify_with_the_retired_key(chain):
    with override_settings(AUDIT_HMAC_KEYS=[KEY_B, KEY_A]):
        new = log_action("test.after_rotation")
        assert new.key_id == "b2" and new.seq == 7
        assert verify_chain().ok
    # Without the retired key the old entries cannot be verified, and verify says which key is missing.
    with override_settings(AUDIT_HMAC_KEYS=[KEY_B]):
        result = verify_chain()
    assert not result.ok and result.first_broken_seq == 1 and "a1" in result.reason


def test_an_unkeyed_entry_is_refused(chain):
    entry = AuditEntry.objects.get(seq=6)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET key_id = '' WHERE seq = 6")
    entry.key_id = ""
    with connection.cursor() as cursor:
        plain = hashlib.sha256(entry.canonical()).hexdigest()
        cursor.execute(f"UPDATE {TABLE} SET entry_hash = %s WHERE seq = 6", [plain])
    with override_settings(AUDIT_HMAC_KEYS=[KEY_A]):
        result = verify_chain()
    assert not result.ok and result.first_broken_seq == 6


@override_settings(AUDIT_HMAC_KEYS=[], SECRET_KEY="s" * 50)
def test_without_a_configured_key_the_key_is_derived_from_secret_key(db):
    entry = log_action("test.fallback")
    assert entry.key_id == "sk"
    derived = hmac.new(b"s" * 50, b"insats.audit.chain", hashlib.sha256).digest()
    assert entry.entry_hash == hmac.new(derived, entry.canonical(), hashlib.sha256).hexdigest()
    with override_settings(SECRET_KEY="t" * 50):
        assert not verify_chain().ok  # documented: changing SECRET_KEY orphans these entries


def test_check_deploy_warns_without_a_configured_key():
    from django.core import checks

    with override_settings(AUDIT_HMAC_KEYS=[]):
        ids = [m.id for m in checks.run_checks(include_deployment_checks=True)]
        assert "audit.W001" in ids
    with override_settings(AUDIT_HMAC_KEYS=[KEY_A]):
        ids = [m.id for m in checks.run_checks(include_deployment_checks=True)]
        assert "audit.W001" not in ids


def test_anchors_appended_to_one_file_are_all_checked(chain, tmp_path, capsys):
    kept = tmp_path / "anchors.jsonl"
    with override_settings(AUDIT_HMAC_KEYS=[KEY_A]):
        call_command("audit", "anchor")
        first = capsys.readouterr().out
        log_action("test.seventh")
        call_command("audit", "anchor")
        kept.write_text(first + capsys.readouterr().out)  # as `audit anchor >> anchors.jsonl` would
        call_command("audit", "verify", "--anchor", str(kept))
        assert "against 2 anchor(s)" in capsys.readouterr().out
        truncate_after(6)  # cuts only entry 7: the second anchor shows it
        with pytest.raises(CommandError, match="anchor records entry 7"):
            call_command("audit", "verify", "--anchor", str(kept))
