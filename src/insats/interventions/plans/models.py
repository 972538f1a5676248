"""The social plan (seed 003, Familjeforum): a municipality's long-term plan for children 0–18.

A :class:`SocialPlan` belongs to the organisation that writes it. It holds, per **entity**
(:class:`PlanEntity`: förvaltning, nämnd, enhet or partner organisation) the vision, goals,
organisation and responsibilities, process description, competence requirements, tools and resource
needs that seed 003 asks for; the interventions of the map each entity runs or will start
(:class:`EntityIntervention`, links to the catalogue); measurable success factors
(:class:`SuccessFactor`) linked to the lägesbild's results and indicators — a result's own targets
are shown, never copied —; and an evaluation plan (:class:`EvaluationItem`).

Every saved change writes a :class:`PlanVersion` (a readable snapshot, who and when). Adoption by a
governance body marks a version as adopted; a later change makes the plan a draft again while the
adopted version stays readable in the history.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = [
    "EntityIntervention",
    "EntityKind",
    "EvaluationItem",
    "InterventionRole",
    "PlanEntity",
    "PlanStatus",
    "PlanVersion",
    "SocialPlan",
    "SuccessFactor",
]


class PlanStatus(models.TextChoices):
    DRAFT = "utkast", _("Utkast")
    ADOPTED = "antagen", _("Antagen")


class SocialPlan(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="social_plans",
        verbose_name=_("ägande organisation"),
    )
    title = models.CharField(_("rubrik"), max_length=200)
    period_start = models.PositiveSmallIntegerField(_("gäller från år"))
    period_end = models.PositiveSmallIntegerField(_("gäller till år"))
    vision = models.TextField(_("vision"), blank=True, default="")
    goals = models.TextField(_("övergripande mål"), blank=True, default="")
    status = models.CharField(_("status"), max_length=8, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("socialplan")
        verbose_name_plural = _("socialplaner")
        ordering = ["-period_start", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="socialplan_period"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        for name in ("period_start", "period_end"):
            value = getattr(self, name)
            if value is not None and not 2000 <= value <= 2100:
                errors[name] = _("Ange ett år mellan 2000 och 2100.")
        if (
            not errors
            and self.period_start is not None
            and self.period_end is not None
            and self.period_end < self.period_start
        ):
            errors["period_end"] = _("Planperioden slutar före den börjar.")
        if errors:
            raise ValidationError(errors)


class EntityKind(models.TextChoices):
    ADMINISTRATION = "forvaltning", _("Förvaltning")
    BOARD = "namnd", _("Nämnd")
    UNIT = "enhet", _("Enhet")
    PARTNER = "partner", _("Partnerorganisation")


# Seed 003: "Planen skall för varje entitet innehålla tydlig vision, mål, organisation/
# ansvarsområden, processbeskrivning, kompetenskrav, hjälpmedel och resurskrav."
ENTITY_TEXT_FIELDS = ["vision", "goals", "responsibilities", "process", "competence", "tools", "resources"]


class PlanEntity(models.Model):
    plan = models.ForeignKey(SocialPlan, on_delete=models.CASCADE, related_name="entities")
    kind = models.CharField(_("typ"), max_length=12, choices=EntityKind.choices)
    name = models.CharField(_("namn"), max_length=200)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation i Insats"),
        help_text=_("Om entiteten är en organisation som finns i Insats, t.ex. en förening eller regionen."),
    )
    governance_body = models.ForeignKey(
        "accounts.GovernanceBody",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organ"),
        help_text=_("Nämnd eller styrgrupp i Insats som entiteten motsvarar."),
    )
    vision = models.TextField(_("vision"), blank=True, default="")
    goals = models.TextField(_("mål"), blank=True, default="")
    responsibilities = models.TextField(_("organisation och ansvarsområden"), blank=True, default="")
    process = models.TextField(_("processbeskrivning"), blank=True, default="")
    competence = models.TextField(_("kompetenskrav"), blank=True, default="")
    tools = models.TextField(_("hjälpmedel"), blank=True, default="")
    resources = models.TextField(_("resurskrav"), blank=True, default="")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("entitet")
        verbose_name_plural = _("entiteter")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="planentity_unique_name")]

    access_owner_field = "plan__organisation"

    def __str__(self) -> str:
        return self.name

    def access_owner_ids(self) -> set[int]:
        return {self.plan.organisation_id}

    def clean(self) -> None:
        if (
            self.governance_body_id
            and self.plan_id
            and self.governance_body.organisation_id != self.plan.organisation_id
        ):
            raise ValidationError({"governance_body": _("Organet tillhör en annan organisation.")})


class InterventionRole(models.TextChoices):
    RUNS = "bedriver", _("Bedriver")
    WILL_START = "ska_starta", _("Ska starta")


class EntityIntervention(models.Model):
    """An intervention of the map that an entity runs or will start."""

    entity = models.ForeignKey(PlanEntity, on_delete=models.CASCADE, related_name="interventions")
    intervention = models.ForeignKey(
        "interventions.Intervention",
        on_delete=models.PROTECT,
        related_name="plan_rows",
        verbose_name=_("insats"),
    )
    role = models.CharField(_("roll"), max_length=10, choices=InterventionRole.choices)
    start_year = models.PositiveSmallIntegerField(_("startår"), null=True, blank=True)

    class Meta:
        verbose_name = _("insats i planen")
        verbose_name_plural = _("insatser i planen")
        ordering = ["role", "intervention__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "intervention"], name="entityintervention_unique")
        ]

    access_owner_field = "entity__plan__organisation"

    def __str__(self) -> str:
        return f"{self.intervention} ({self.get_role_display()})"

    def access_owner_ids(self) -> set[int]:
        return {self.entity.plan.organisation_id}

    def clean(self) -> None:
        if self.role == InterventionRole.WILL_START and self.start_year is None:
            raise ValidationError({"start_year": _("Ange vilket år insatsen ska starta.")})
        if self.start_year is not None and not 2000 <= self.start_year <= 2100:
            raise ValidationError({"start_year": _("Ange ett år mellan 2000 och 2100.")})


class SuccessFactor(models.Model):
    """A measurable success factor: linked to a lägesbild result and/or an indicator. When the
    result already has targets for the indicator they are shown with the factor; the factor's own
    baseline and target are only for what the lägesbild does not yet set."""

    plan = models.ForeignKey(SocialPlan, on_delete=models.CASCADE, related_name="success_factors")
    entity = models.ForeignKey(
        PlanEntity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="success_factors",
        verbose_name=_("entitet"),
    )
    title = models.CharField(_("framgångsfaktor"), max_length=300)
    description = models.TextField(_("beskrivning"), blank=True, default="")
    result = models.ForeignKey(
        "situation.Result",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resultat i lägesbilden"),
    )
    indicator = models.ForeignKey(
        "situation.Indicator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indikator"),
    )
    baseline_value = models.DecimalField(
        _("utgångsvärde"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("utgångsår"), null=True, blank=True)
    target_value = models.DecimalField(_("målvärde"), max_digits=14, decimal_places=4, null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("målår"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("framgångsfaktor")
        verbose_name_plural = _("framgångsfaktorer")
        ordering = ["position", "pk"]

    access_owner_field = "plan__organisation"

    def __str__(self) -> str:
        return self.title

    def access_owner_ids(self) -> set[int]:
        return {self.plan.organisation_id}

    def lagesbild_targets(self):
        """The targets the lägesbild already sets for the linked result (and indicator)."""
        from insats.situation.models_plans import Target

        if not self.result_id:
            return Target.objects.none()
        qs = Target.objects.filter(result_indicator__result_id=self.result_id)
        if self.indicator_id:
            qs = qs.filter(result_indicator__indicator_id=self.indicator_id)
        return qs.select_related("result_indicator__indicator", "result_indicator__area").order_by(
            "result_indicator__position", "year", "pk"
        )

    def clean(self) -> None:
        errors = {}
        if self.result_id is None and self.indicator_id is None:
            errors["result"] = _(
                "Koppla framgångsfaktorn till ett resultat eller en indikator i lägesbilden så att den "
                "går att mäta."
            )
        if self.result_id and self.plan_id and self.result.organisation_id != self.plan.organisation_id:
            errors["result"] = _("Resultatet tillhör en annan organisation.")
        if (
            self.indicator_id
            and self.plan_id
            and self.indicator.organisation_id not in (None, self.plan.organisation_id)
        ):
            errors["indicator"] = _("Indikatorn tillhör en annan organisation.")
        if self.entity_id and self.plan_id and self.entity.plan_id != self.plan_id:
            errors["entity"] = _("Entiteten hör till en annan plan.")
        if (self.baseline_value is None) != (self.baseline_year is None):
            errors["baseline_year" if self.baseline_year is None else "baseline_value"] = _(
                "Ange både utgångsvärde och utgångsår, eller inget av dem."
            )
        if (self.target_value is None) != (self.target_year is None):
            errors["target_year" if self.target_year is None else "target_value"] = _(
                "Ange både målvärde och målår, eller inget av dem."
            )
        if (
            self.baseline_year is not None
            and self.target_year is not None
            and self.target_year <= self.baseline_year
        ):
            errors["target_year"] = _("Målåret måste komma efter utgångsåret.")
        if (
            "result" not in errors
            and self.target_value is not None
            and self.result_id
            and self.lagesbild_targets().exists()
        ):
            errors["target_value"] = _(
                "Resultatet har redan mål i lägesbilden; de visas med framgångsfaktorn. Lämna målvärdet tomt."
            )
        if errors:
            raise ValidationError(errors)


class EvaluationItem(models.Model):
    """One row of the evaluation plan: what is measured, how, by whom, when, against which target."""

    plan = models.ForeignKey(SocialPlan, on_delete=models.CASCADE, related_name="evaluation_items")
    measure = models.CharField(_("vad som mäts"), max_length=300)
    method = models.TextField(_("hur det mäts"), blank=True, default="")
    responsible = models.CharField(_("vem som mäter"), max_length=200)
    timing = models.CharField(
        _("när"), max_length=200, help_text=_("T.ex. årligen i mars, eller vid halvtid 2027.")
    )
    success_factor = models.ForeignKey(
        SuccessFactor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evaluation_items",
        verbose_name=_("mot framgångsfaktor"),
    )
    target_note = models.CharField(
        _("mot vilket mål"),
        max_length=300,
        blank=True,
        default="",
        help_text=_("Om målet inte är en framgångsfaktor i planen."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("utvärderingspunkt")
        verbose_name_plural = _("utvärderingsplan")
        ordering = ["position", "pk"]

    access_owner_field = "plan__organisation"

    def __str__(self) -> str:
        return self.measure

    def access_owner_ids(self) -> set[int]:
        return {self.plan.organisation_id}

    def clean(self) -> None:
        errors = {}
        if self.success_factor_id is None and not self.target_note.strip():
            errors["success_factor"] = _(
                "Ange mot vilket mål det mäts: välj en framgångsfaktor eller skriv målet."
            )
        if self.success_factor_id and self.plan_id and self.success_factor.plan_id != self.plan_id:
            errors["success_factor"] = _("Framgångsfaktorn hör till en annan plan.")
        if errors:
            raise ValidationError(errors)


class PlanVersion(models.Model):
    """A saved state of the plan: a readable snapshot (names, not ids), who and when. An adopted
    version carries the body, the date and the minutes reference."""

    plan = models.ForeignKey(SocialPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField()
    summary = models.CharField(_("ändring"), max_length=300, blank=True, default="")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    adopted_by = models.ForeignKey(
        "accounts.GovernanceBody",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("antagen av"),
    )
    adopted_on = models.DateField(_("antagen den"), null=True, blank=True)
    minutes_reference = models.CharField(_("protokollsreferens"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versioner")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="planversion_unique")]

    access_owner_field = "plan__organisation"

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"

    def access_owner_ids(self) -> set[int]:
        return {self.plan.organisation_id}

    @property
    def is_adopted(self) -> bool:
        return self.adopted_on is not None
