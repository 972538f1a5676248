"""Secrecy assessments (sekretessprövning enligt OSL) and hand-outs of redacted copies.

Generic over the documents of :mod:`.registry`: the assessment points at its document by content
type and id. The organisation that holds the document (its recipient) owns the assessment. An
assessment is a draft until it is decided; a decided one is never changed (a new request gets a new
assessment). Each hand-out keeps the copy that was handed out and its SHA-256.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .provisions import PROVISIONS

__all__ = [
    "AssessmentStatus",
    "HandOutFormat",
    "SecrecyAssessment",
    "SecrecyAssessmentPart",
    "SecrecyDecision",
    "SecrecyHandOut",
]


class SecrecyDecision(models.TextChoices):
    DISCLOSE = "disclose", _("Lämnas ut")
    PARTIAL = "partial", _("Lämnas ut delvis (maskad)")
    WITHHOLD = "withhold", _("Lämnas inte ut")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    DECIDED = "decided", _("Beslutad")


class SecrecyAssessment(models.Model):
    # The authority that holds the document (its recipient) and decides.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("myndighet")
    )
    document_kind = models.CharField(_("typ av handling"), max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    document = GenericForeignKey("content_type", "object_id")
    document_title = models.CharField(_("handling"), max_length=400)
    # Who asked for the document: a name and/or an organisation as given, nothing more.
    requester_name = models.CharField(_("begärd av (namn)"), max_length=200, blank=True, default="")
    requester_organisation = models.CharField(
        _("begärd av (organisation)"), max_length=200, blank=True, default=""
    )
    received_on = models.DateField(_("begäran mottagen"))
    decided_on = models.DateField(_("beslutsdatum"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by_name = models.CharField(_("beslutad av"), max_length=200, blank=True, default="")
    decision = models.CharField(
        _("beslut"), max_length=16, choices=SecrecyDecision.choices, blank=True, default=""
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sekretessprövning")
        verbose_name_plural = _("sekretessprövningar")
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.document_title

    def get_absolute_url(self) -> str:
        return reverse("sourcing:secrecy_detail", args=[self.pk])

    @property
    def is_decided(self) -> bool:
        return self.status == AssessmentStatus.DECIDED

    @property
    def requester(self) -> str:
        return ", ".join(x for x in (self.requester_name, self.requester_organisation) if x)


class SecrecyAssessmentPart(models.Model):
    assessment = models.ForeignKey(SecrecyAssessment, on_delete=models.CASCADE, related_name="parts")
    order = models.PositiveSmallIntegerField(default=0)
    key = models.CharField(_("del"), max_length=100)
    label = models.TextField(_("vad delen är"))
    requested = models.BooleanField(_("avsändaren begär sekretess"), default=False)
    secret = models.BooleanField(_("omfattas av sekretess"), default=False)
    legal_ground = models.CharField(
        _("grund i OSL"),
        max_length=16,
        blank=True,
        default="",
        choices=[(p.key, f"{p.citation} – {p.label}") for p in PROVISIONS],
    )
    motivation = models.TextField(_("motivering"), blank=True, default="")
    # SHA-256 of the part's text when it was assessed: a later change needs a new assessment.
    text_sha256 = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("del av sekretessprövning")
        verbose_name_plural = _("delar av sekretessprövning")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "key"], name="secrecypart_one_per_key"),
        ]

    def __str__(self) -> str:
        return self.label[:80]

    def clean(self):
        if self.secret:
            errors = {}
            if not self.legal_ground:
                errors["legal_ground"] = _("Ange grund i OSL för ”%(label)s”.") % {"label": self.label[:80]}
            if not self.motivation.strip():
                errors["motivation"] = _("Motivera sekretessen för ”%(label)s”.") % {"label": self.label[:80]}
            if errors:
                raise ValidationError(errors)
        elif self.legal_ground:
            self.legal_ground = ""


class HandOutFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    HTML = "html", "HTML"


class SecrecyHandOut(models.Model):
    assessment = models.ForeignKey(SecrecyAssessment, on_delete=models.PROTECT, related_name="handouts")
    handed_out_at = models.DateTimeField(_("utlämnad"))
    handed_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handed_out_by_name = models.CharField(_("utlämnad av"), max_length=200, blank=True, default="")
    recipient = models.CharField(_("till"), max_length=300)
    format = models.CharField(_("format"), max_length=8, choices=HandOutFormat.choices)
    sha256 = models.CharField("SHA-256", max_length=64)
    content = models.BinaryField()

    class Meta:
        verbose_name = _("utlämnande")
        verbose_name_plural = _("utlämnanden")
        ordering = ["handed_out_at", "pk"]

    def __str__(self) -> str:
        return f"{self.assessment} → {self.recipient}"
