"""The form advisor's record: for one need, the answers given, what the rules recommended and what
was decided (issue 10 item 2). The rules themselves are pure: ``insats.core.form_advisor``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["CollaborationForm", "FormDecision", "ProcurementThreshold", "ThresholdKind"]


class CollaborationForm(models.TextChoices):
    """The forms the advisor can recommend (values match ``insats.core.form_advisor.Form``)."""

    GRANT = "foreningsbidrag", _("Föreningsbidrag")
    IOP = "iop", _("Idéburet-offentligt partnerskap (IOP)")
    DIRECT_AWARD = "direktupphandling", _("Direktupphandling")
    LOU = "upphandling_lou", _("Upphandling enligt LOU")
    INNOVATION = "innovationsupphandling", _("Innovationsupphandling")
    OUTCOMES = "utfallskontrakt", _("Utfallskontrakt")


class FormDecision(models.Model):
    """Valet av samverkansform for a need: a target group / result of the lägesbild or a free text."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="form_decisions"
    )
    title = models.CharField(_("behov"), max_length=200)
    need_description = models.TextField(_("beskrivning av behovet"), blank=True, default="")
    target_group = models.ForeignKey(
        "situation.TargetGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("målgrupp"),
    )
    result = models.ForeignKey(
        "situation.Result",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resultat"),
    )
    intervention = models.ForeignKey(
        "interventions.Intervention",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("insats"),
    )
    # The advisor's questions and the answers given (keys of insats.core.form_advisor.Answers).
    answers = models.JSONField(_("svar"), default=dict, blank=True)
    estimated_value = models.DecimalField(
        _("uppskattat värde (kr)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    recommended = models.CharField(
        _("rekommendation"), max_length=32, choices=CollaborationForm.choices, blank=True, default=""
    )
    # The recommendation's reasons as the core gave them: [{"rule": ..., "text": ...}, ...]
    reasons = models.JSONField(_("skäl"), default=list, blank=True)
    chosen = models.CharField(
        _("beslutad form"), max_length=32, choices=CollaborationForm.choices, blank=True, default=""
    )
    departure_reason = models.TextField(_("skäl för avvikelse från rekommendationen"), blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("beslutad"), null=True, blank=True)
    # What else the core said: {"others": [...], "missing": [...], "next_step": ..., "limit_used": ...,
    # "thresholds": {kind: amount}, "on": date} — the record of the amounts in force that day.
    assessment = models.JSONField(_("bedömning"), default=dict, blank=True)
    # "Ändra beslut" records a new decision that supersedes this one; a decided one is never edited.
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("ersätter"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("val av samverkansform")
        verbose_name_plural = _("val av samverkansform")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_decided(self) -> bool:
        return bool(self.chosen)

    @property
    def departs(self) -> bool:
        return bool(self.chosen) and self.chosen != self.recommended


class ThresholdKind(models.TextChoices):
    """The amounts the advisor (and tenders) compare a value with (LOU, upphandlande myndigheter)."""

    DIRECT_AWARD = "direktupphandling", _("Direktupphandlingsgräns, varor och tjänster (LOU)")
    DIRECT_AWARD_SOCIAL = (
        "direktupphandling_sociala",
        _("Direktupphandlingsgräns, sociala och andra särskilda tjänster (LOU)"),
    )
    EU_SERVICES = "eu_tjanster", _("EU:s tröskelvärde, varor och tjänster, övriga myndigheter (LOU)")
    EU_SOCIAL = "eu_sociala", _("EU:s tröskelvärde, sociala och andra särskilda tjänster (LOU)")


class ProcurementThreshold(models.Model):
    """One amount of one kind, valid from a date (to a date, or until further notice).

    National data, not an organisation's: kept as dated rows so a decision can say which amount was
    in force on its day, and so an update is a new row, never a change in code."""

    kind = models.CharField(_("slag"), max_length=32, choices=ThresholdKind.choices)
    amount = models.DecimalField(_("belopp (kr)"), max_digits=14, decimal_places=2)
    valid_from = models.DateField(_("gäller från"))
    valid_to = models.DateField(_("gäller till och med"), null=True, blank=True)
    source = models.TextField(_("källa"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tröskelvärde")
        verbose_name_plural = _("tröskelvärden")
        ordering = ["kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "valid_from"], name="procurement_threshold_kind_from"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.valid_from}"
