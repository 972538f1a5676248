"""The append-only, hash-chained audit log.

Each entry stores the SHA-256 of its own canonical content together with the previous entry's
hash, so altering or deleting any row breaks the chain from that row on. ``verify_chain`` (and
``manage.py audit verify``) recomputes it. The model refuses updates and deletes through the ORM;
the database role used in production should also lack UPDATE/DELETE on the table
(docs/operators.md).
"""

from __future__ import annotations

import hashlib
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
        }
        return json.dumps(
            data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
        ).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


class ChainHead(models.Model):
    """A single row locked while appending, so concurrent writers serialise (PostgreSQL)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default=GENESIS)
