"""An organisation's own data import: the remembered column mapping and the import runs.

An upload is kept in the database (``content``) between the upload and the mapping step, so any web
process can finish it (no files on local disk). It is emptied when the import has run.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CONSTANT_FIELDS",
    "IMPORT_FIELDS",
    "REQUIRED_FIELDS",
    "ImportMapping",
    "ImportStatus",
    "ObservationImport",
]

# The fields a file's columns map to, in the order the mapping form shows them.
IMPORT_FIELDS = ["area", "indicator", "period", "gender", "value", "count"]
REQUIRED_FIELDS = ["area", "indicator", "period", "value"]
# Fields that may take one fixed value for every row instead of a column.
CONSTANT_FIELDS = ["area", "indicator", "gender"]


class ImportMapping(models.Model):
    """The column mapping an organisation used last: ``columns`` {field: header}, ``constants``
    {field: value}. Pre-fills the mapping step of the next upload."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="import_mapping"
    )
    columns = models.JSONField(default=dict, blank=True)
    constants = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("importmappning")
        verbose_name_plural = _("importmappningar")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.columns}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uppladdad")
    FAILED = "failed", _("Fel i filen – inget importerat")
    DONE = "done", _("Importerad")


class ObservationImport(models.Model):
    """One uploaded file and what became of it. All or nothing: ``failed`` imported no row."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="imports"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    filename = models.CharField(_("fil"), max_length=255)
    file_format = models.CharField(_("format"), max_length=4)  # csv | xlsx
    content = models.BinaryField(default=b"", blank=True)
    headers = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    columns = models.JSONField(default=dict, blank=True)
    constants = models.JSONField(default=dict, blank=True)
    rows = models.PositiveIntegerField(_("rader"), default=0)
    inserted = models.PositiveIntegerField(_("nya"), default=0)
    updated = models.PositiveIntegerField(_("uppdaterade"), default=0)
    unchanged = models.PositiveIntegerField(_("oförändrade"), default=0)
    error_count = models.PositiveIntegerField(_("fel"), default=0)
    errors = models.JSONField(default=list, blank=True)  # [{row, column, field, message}], capped
    seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("importer")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"
