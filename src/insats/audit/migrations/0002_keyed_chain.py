"""Key the audit chain: every entry gets the id of the key that signs it, and the existing entries
(unkeyed SHA-256) are re-signed with HMAC-SHA256 under the current key (insats.audit.keys).

The existing chain is verified first; a broken chain is not re-signed (that would hide the tampering)
and the migration stops, naming the first broken entry. The canonical forms are frozen here so that
later changes of the model cannot change what this migration computed.
"""

import hashlib
import json

from django.db import migrations, models

GENESIS = "0" * 64


def canonical(entry, *, keyed: bool) -> bytes:
    data = {
        "seq": entry.seq,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "organisation": entry.organisation_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_label": entry.object_label,
        "changes": entry.changes,
        "request_id": entry.request_id,
        "ip": entry.ip,
        "prev_hash": entry.prev_hash,
    }
    if keyed:
        data["key_id"] = entry.key_id
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _resign(apps, *, to_keyed: bool):
    from insats.audit import keys

    AuditEntry = apps.get_model("audit", "AuditEntry")
    ChainHead = apps.get_model("audit", "ChainHead")
    ring = keys.keyring()
    key_id, key = keys.signing_key()
    old_prev = new_prev = GENESIS
    seq = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        seq += 1
        if to_keyed:
            ok_old = hashlib.sha256(canonical(entry, keyed=False)).hexdigest() == entry.entry_hash
        else:
            ok_old = entry.key_id in ring and keys.mac(ring[entry.key_id], canonical(entry, keyed=True)) == (
                entry.entry_hash
            )
        if entry.seq != seq or entry.prev_hash != old_prev or not ok_old:
            raise RuntimeError(
                f"The audit chain is broken at entry {seq}; it is not re-signed. Investigate "
                "(docs/operators.md, 'Checking the audit log') before migrating."
            )
        old_prev = entry.entry_hash
        entry.prev_hash = new_prev
        if to_keyed:
            entry.key_id = key_id
            entry.entry_hash = keys.mac(key, canonical(entry, keyed=True))
        else:
            entry.key_id = ""
            entry.entry_hash = hashlib.sha256(canonical(entry, keyed=False)).hexdigest()
        AuditEntry.objects.filter(pk=entry.pk).update(
            prev_hash=entry.prev_hash, key_id=entry.key_id, entry_hash=entry.entry_hash
        )
        new_prev = entry.entry_hash
    ChainHead.objects.filter(id=1).update(seq=seq, entry_hash=new_prev)


def to_keyed(apps, schema_editor):
    _resign(apps, to_keyed=True)


def to_unkeyed(apps, schema_editor):
    _resign(apps, to_keyed=False)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(default="", max_length=16),
        ),
        migrations.RunPython(to_keyed, to_unkeyed),
    ]
