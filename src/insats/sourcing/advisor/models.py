"""The form advisor's record: for one need, the answers given, what the rules recommended and what
was decided (issue 10 item 2). The rules themselves are pure: ``insats.core.form_advisor``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["CollaborationForm", "FormDecision"]


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
    departure_reason = models.TextField(
        _("skäl för avvikelse från rekommendationen"), blank=True, default=""
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("beslutad"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("val av samverkansform")
        verbose_name_plural = _("val av samverkansform")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
