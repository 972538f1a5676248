"""The append-only, hash-chained audit log.

Each entry stores the HMAC-SHA256 of its own canonical content (which includes the previous entry's
hash and the id of the key), keyed with a secret from the environment (``keys.py``), so altering or
deleting any row breaks the chain from that row on and nobody without the key can recompute it.
``verify_chain`` (and ``manage.py audit verify``, optionally against an anchor kept outside the
database) recomputes it. The model refuses updates and deletes through the ORM;
the database role used in production should also lack UPDATE/DELETE on the table
(docs/operators.md).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64


class AppendOnlyError(Exception):
    pass


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries cannot be updated")

    def delete(self):
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    seq = models.BigIntegerField(_("löpnummer"), unique=True)
    at = models.DateTimeField(_("tid"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("aktör"), max_length=254, blank=True, default="")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("händelse"), max_length=100, db_index=True)
    object_type = models.CharField(_("objekttyp"), max_length=100, blank=True, default="", db_index=True)
    object_id = models.CharField(_("objekt-id"), max_length=64, blank=True, default="", db_index=True)
    object_label = models.CharField(_("objekt"), max_length=300, blank=True, default="")
    changes = models.JSONField(_("ändringar"), default=dict, blank=True)
    request_id = models.CharField(_("anrops-id"), max_length=64, blank=True, default="")
    ip = models.CharField(max_length=64, blank=True, default="")
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)
    # The id of the AUDIT_HMAC_KEYS key that signed the entry (keys.py); the key itself is never stored.
    key_id = models.CharField(max_length=16, default="")

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("logghändelse")
        verbose_name_plural = _("granskningslogg")

    def save(self, *args, **kwargs):
        if self.pk:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted")

    def canonical(self) -> bytes:
        data = {
            "seq": self.seq,
            "at": self.at.isoformat(timespec="microseconds"),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "organisation": self.organisation_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_label": self.object_label,
            "changes": self.changes,
            "request_id": self.request_id,
            "ip": self.ip,
            "prev_hash": self.prev_hash,
            "key_id": self.key_id,
        }
        return json.dumps(
            data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
        ).encode()

    def compute_hash(self, key: bytes | None = None) -> str:
        """HMAC-SHA256 of the canonical content with ``key`` (default: the key named by ``key_id``).

        Raises KeyError when the entry's key is not configured."""
        from . import keys

        if key is None:
            key = keys.keyring()[self.key_id]
        return keys.mac(key, self.canonical())


class ChainHead(models.Model):
    """A single row locked while appending, so concurrent writers serialise (PostgreSQL)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default=GENESIS)
