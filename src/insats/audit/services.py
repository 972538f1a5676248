"""Writing to and verifying the audit log. Every change of domain data goes through log_action."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from insats.platform.request_context import current_request_meta

from . import keys
from .models import GENESIS, AuditEntry, ChainHead

SECRET_WORDS = ("password", "secret", "token", "key_hash", "code_hash", "totp", "recovery")
MASK = "***"


def _json_value(value: Any) -> Any:
    if isinstance(value, (Decimal, date, datetime)):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def mask_secrets(changes: dict[str, Any]) -> dict[str, Any]:
    """Replace the value of any field whose name suggests a secret with ***."""
    masked: dict[str, Any] = {}
    for key, value in changes.items():
        if any(word in key.lower() for word in SECRET_WORDS):
            masked[key] = MASK
        elif isinstance(value, dict):
            masked[key] = mask_secrets(value)
        else:
            masked[key] = value
    return json.loads(json.dumps(masked, default=_json_value, ensure_ascii=False))


def diff_fields(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    """{field: [old, new]} for the fields that differ (all fields when ``before`` is None)."""
    before = before or {}
    return {
        key: [before.get(key), value]
        for key, value in after.items()
        if key not in before or before[key] != value
    }


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a model instance, for diff_fields."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _json_value(getattr(obj, name)) for name in names}


def log_action(
    action: str,
    *,
    actor=None,
    organisation=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain. Runs in (or opens) a transaction and locks the chain head."""
    meta = current_request_meta()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(obj)[:300]
    if actor is None:
        actor = meta.get("user")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    key_id, key = keys.signing_key()
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(id=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            actor=actor,
            actor_label=(actor.email if actor else meta.get("actor_label", "")),
            organisation=organisation,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            object_label=object_label[:300],
            changes=mask_secrets(changes or {}),
            request_id=meta.get("request_id", ""),
            ip=meta.get("ip", ""),
            prev_hash=head.entry_hash,
            key_id=key_id,
        )
        entry.entry_hash = entry.compute_hash(key)
        entry.save()
        ChainHead.objects.filter(id=1).update(seq=entry.seq, entry_hash=entry.entry_hash)
    return entry


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class Anchor:
    """The chain head at some moment, kept by the operators outside the database (``audit anchor``)."""

    seq: int
    entry_hash: str


def head_anchor() -> Anchor:
    head = ChainHead.objects.filter(id=1).first()
    return Anchor(head.seq, head.entry_hash) if head else Anchor(0, GENESIS)


def verify_chain(*, on_progress=None, batch: int = 2000, anchors: list[Anchor] = ()) -> VerifyResult:
    """Recompute every HMAC in order. Names the first entry that was altered, removed or inserted.

    Each anchor must match the entry with its sequence number: an entry at or before it was changed
    otherwise, or the log was cut off (the newest entries deleted and the chain head rolled back)."""
    ring = keys.keyring()
    by_seq = {a.seq: a for a in anchors}
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    total = AuditEntry.objects.count()
    qs = AuditEntry.objects.order_by("seq")
    last_seq = 0
    for entry in qs.iterator(chunk_size=batch):
        if entry.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != expected_prev:
            return VerifyResult(False, checked, entry.seq, "previous-hash link does not match")
        if entry.key_id not in ring:
            reason = (
                f"it was signed with key {entry.key_id!r}, which is not in AUDIT_HMAC_KEYS"
                if entry.key_id
                else "it is not keyed"
            )
            return VerifyResult(False, checked, entry.seq, reason)
        if entry.compute_hash(ring[entry.key_id]) != entry.entry_hash:
            return VerifyResult(False, checked, entry.seq, "content does not match its hash")
        anchor = by_seq.get(entry.seq)
        if anchor is not None and anchor.entry_hash != entry.entry_hash:
            return VerifyResult(
                False,
                checked,
                entry.seq,
                "the hash differs from the anchor: this entry or one before it was rewritten",
            )
        expected_prev = entry.entry_hash
        expected_seq += 1
        last_seq = entry.seq
        checked += 1
        if on_progress and checked % batch == 0:
            on_progress(checked, total)
    head = ChainHead.objects.filter(id=1).first()
    if head and (head.seq != last_seq or head.entry_hash != expected_prev):
        return VerifyResult(
            False,
            checked,
            last_seq + 1,
            f"the chain head records entry {head.seq}; the log ends at {last_seq}",
        )
    beyond = [a.seq for a in anchors if a.seq > last_seq]
    if beyond:
        return VerifyResult(
            False,
            checked,
            last_seq + 1,
            f"the log ends at entry {last_seq} but an anchor records entry {max(beyond)}: "
            "entries were cut off",
        )
    if on_progress:
        on_progress(checked, total)
    return VerifyResult(True, checked)
