"""The intervention catalogue: what an organisation runs or funds for children and young people.

An :class:`Intervention` belongs to the organisation that owns it (``organisation``); it is shared
with partners explicitly (``accounts.Share``), and a samordningsförbund's members see the förbund's
portfolio through the federation relation (``access``). Every saved change is kept as an
:class:`InterventionVersion` (who, when, a snapshot of the fields).

The age bands of seed 003 (0–2, 3–6, 7–13, 14–18, plus 18–29 for Finsam's young adults) are the
shared default set (``AgeBand.organisation`` null); an organisation may define its own set, which
then replaces the default for it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = [
    "AgeBand",
    "CatalogueSettings",
    "EvidenceLevel",
    "Intensity",
    "Intervention",
    "InterventionFunding",
    "InterventionReach",
    "InterventionStaffing",
    "InterventionStatus",
    "InterventionVersion",
    "Method",
    "ReachSource",
]


class Intensity(models.TextChoices):
    """Seed 003's rows, from least to most intensive."""

    UNIVERSAL = "allmant", _("Allmänt förebyggande")
    EARLY = "tidig", _("Tidig insats")
    TARGETED = "riktad", _("Riktad tidig insats")
    TREATMENT = "behandling", _("Behandling")


# Seed 003's definitions, shown as help wherever an intensity is chosen or a map row is labelled.
INTENSITY_HELP = {
    Intensity.UNIVERSAL: _("Aktiviteter tillgängliga för alla."),
    Intensity.EARLY: _(
        "Erbjudanden till föräldrar som har behov av systematiskt stöd; insatsen riktar sig till alla "
        "i en normalgrupp, t.ex. vid födsel, skilsmässa, dödsfall eller skolstart."
    ),
    Intensity.TARGETED: _(
        "Erbjudanden till föräldrar och barn som uppvisar riskbeteende, t.ex. i samarbetet mellan "
        "skola och hem, missbruk, våld eller kriminalitet."
    ),
    Intensity.TREATMENT: _(
        "Biståndsprövade insatser till familjer som efter utredning visar sig ha behov av "
        "professionella interventioner, t.ex. vid omsorgsbrist, missbruk, våld, övergrepp eller svåra "
        "samarbetsproblem med skolan."
    ),
}


class InterventionStatus(models.TextChoices):
    PLANNED = "planerad", _("Planerad")
    ONGOING = "pagaende", _("Pågående")
    ENDED = "avslutad", _("Avslutad")


class EvidenceLevel(models.TextChoices):
    """The documented evidence scale (docs/insatser.md), strongest first."""

    SWEDISH = "svenska_studier", _("Effekt visad i svenska studier")
    INTERNATIONAL = "internationellt", _("Effekt visad i internationella studier")
    PROMISING = "lovande", _("Lovande")
    INSUFFICIENT = "otillrackligt", _("Otillräckligt underlag")
    NOT_ASSESSED = "ej_bedomd", _("Ej bedömd")


EVIDENCE_HELP = {
    EvidenceLevel.SWEDISH: _("Minst en kontrollerad studie i svensk miljö visar avsedd effekt."),
    EvidenceLevel.INTERNATIONAL: _(
        "Kontrollerade studier i andra länder visar avsedd effekt; svenska studier saknas."
    ),
    EvidenceLevel.PROMISING: _(
        "Uppföljningar eller mindre studier pekar på effekt, men kontrollerade studier saknas."
    ),
    EvidenceLevel.INSUFFICIENT: _("Underlaget räcker inte för att bedöma effekten."),
    EvidenceLevel.NOT_ASSESSED: _("Evidensen har inte bedömts."),
}


class AgeBand(models.Model):
    """An age band of the map's columns. ``organisation`` null: the default set."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="age_bands",
        verbose_name=_("organisation"),
    )
    label = models.CharField(_("namn"), max_length=40)
    age_from = models.PositiveSmallIntegerField(_("ålder från"))
    age_to = models.PositiveSmallIntegerField(_("ålder till"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("åldersgrupp")
        verbose_name_plural = _("åldersgrupper")
        ordering = ["position", "age_from"]
        constraints = [
            models.CheckConstraint(condition=Q(age_to__gte=models.F("age_from")), name="ageband_from_le_to"),
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.age_from is not None and self.age_to is not None and self.age_to < self.age_from:
            raise ValidationError({"age_to": _("Åldern till får inte vara lägre än åldern från.")})


class Method(models.Model):
    """A named method or programme (MST, Komet, ABC, Familjen läser …).

    ``organisation`` null: the shared list; otherwise an organisation's own addition."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="methods",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("namn"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True, default="")
    url = models.URLField(_("länk"), blank=True, default="")
    evidence_level = models.CharField(
        _("evidensnivå"), max_length=20, choices=EvidenceLevel.choices, default=EvidenceLevel.NOT_ASSESSED
    )
    evidence_sources = models.TextField(_("källor"), blank=True, default="")

    class Meta:
        verbose_name = _("metod")
        verbose_name_plural = _("metoder")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CatalogueSettings(models.Model):
    """An organisation's choices for its catalogue: whether a public, read-only listing is on."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="catalogue_settings"
    )
    public_listing = models.BooleanField(
        _("publik förteckning"),
        default=False,
        help_text=_(
            "Visa organisationens insatser i en öppen förteckning utan inloggning. Inga personuppgifter "
            "visas och små antal döljs."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kataloginställningar")
        verbose_name_plural = _("kataloginställningar")


class Intervention(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="interventions",
        verbose_name=_("ägande organisation"),
    )
    name = models.CharField(_("namn"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True, default="")
    providers = models.ManyToManyField(
        "accounts.Organisation",
        blank=True,
        related_name="provided_interventions",
        verbose_name=_("utförare"),
    )
    provider_names = models.CharField(
        _("andra utförare"),
        max_length=500,
        blank=True,
        default="",
        help_text=_("Utförare som inte finns i Insats, t.ex. en förening."),
    )
    method_name = models.CharField(_("metod eller program"), max_length=200, blank=True, default="")
    method = models.ForeignKey(
        Method,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interventions",
        verbose_name=_("namngiven metod"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=InterventionStatus.choices, default=InterventionStatus.ONGOING
    )
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("slut"), null=True, blank=True)
    areas = models.ManyToManyField(
        "situation.Area",
        blank=True,
        related_name="interventions",
        verbose_name=_("var insatsen ges"),
        help_text=_("Kommuner (för ett förbund: medlemskommunerna) där insatsen ges."),
    )
    age_bands = models.ManyToManyField(
        AgeBand, blank=True, related_name="interventions", verbose_name=_("åldersgrupper")
    )
    intensity = models.CharField(_("intensitet"), max_length=12, choices=Intensity.choices)
    # BBIC sides (situation.models_plans.BbicSide values): the domains the intervention works in.
    domains = models.JSONField(_("BBIC-områden"), default=list, blank=True)
    factors = models.ManyToManyField(
        "situation.Factor",
        blank=True,
        related_name="interventions",
        verbose_name=_("risk- och skyddsfaktorer"),
    )
    evidence_level = models.CharField(
        _("evidensnivå"), max_length=20, choices=EvidenceLevel.choices, default=EvidenceLevel.NOT_ASSESSED
    )
    evidence_sources = models.TextField(_("källor för evidensbedömningen"), blank=True, default="")
    evidence_assessed_on = models.DateField(_("evidens bedömd"), null=True, blank=True)
    goals = models.TextField(_("mål"), blank=True, default="")
    outcome_measures = models.TextField(_("resultatmått"), blank=True, default="")
    indicators = models.ManyToManyField(
        "situation.Indicator", blank=True, related_name="interventions", verbose_name=_("indikatorer")
    )
    results = models.ManyToManyField(
        "situation.Result", blank=True, related_name="interventions", verbose_name=_("resultat i planeringen")
    )
    target_groups = models.ManyToManyField(
        "situation.TargetGroup", blank=True, related_name="interventions", verbose_name=_("målgrupper")
    )
    capacity_per_year = models.PositiveIntegerField(
        _("platser per år"),
        null=True,
        blank=True,
        help_text=_("Hur många deltagare insatsen kan ta emot per år."),
    )
    annual_budget = models.DecimalField(
        _("årsbudget (kr)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    budget_year = models.PositiveSmallIntegerField(_("budgetår"), null=True, blank=True)
    governance_body = models.ForeignKey(
        "accounts.GovernanceBody",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interventions",
        verbose_name=_("styrgrupp"),
    )
    contact_name = models.CharField(_("kontaktperson"), max_length=200, blank=True, default="")
    contact_email = models.EmailField(_("e-post"), blank=True, default="")
    contact_phone = models.CharField(_("telefon"), max_length=40, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("insats")
        verbose_name_plural = _("insatser")
        ordering = ["name"]
        indexes = [models.Index(fields=["organisation", "intensity"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gte=models.F("start")),
                name="intervention_start_le_end",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("Slutdatum får inte vara före startdatum.")
        from insats.situation.models_plans import BbicSide

        unknown = [d for d in (self.domains or []) if d not in BbicSide.values]
        if unknown:
            errors["domains"] = _("Okänt BBIC-område: %(value)s") % {"value": ", ".join(map(str, unknown))}
        if errors:
            raise ValidationError(errors)


class InterventionStaffing(models.Model):
    """People and FTE by profession; ``employer`` when staff are employed elsewhere (NOVA's staff
    are employed in each member municipality)."""

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="staffing")
    profession = models.CharField(_("yrke"), max_length=120)
    people = models.PositiveSmallIntegerField(_("antal personer"))
    fte = models.DecimalField(_("årsarbetskrafter"), max_digits=6, decimal_places=2)
    employer = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("arbetsgivare"),
    )

    class Meta:
        verbose_name = _("bemanning")
        verbose_name_plural = _("bemanning")
        ordering = ["profession", "pk"]
        constraints = [models.CheckConstraint(condition=Q(fte__gte=0), name="staffing_fte_not_negative")]


class InterventionFunding(models.Model):
    """A funder's yearly amount; shares of the budget are computed (insats.core), never entered.

    A samordningsförbund funding an intervention is one funder; its members' shares come from
    ``accounts.FederationMember.financing_share``."""

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="funding")
    funder = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("finansiär"),
    )
    funder_name = models.CharField(
        _("annan finansiär"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("Om finansiären inte finns i Insats."),
    )
    year = models.PositiveSmallIntegerField(_("år"))
    amount = models.DecimalField(_("belopp (kr)"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("finansiering")
        verbose_name_plural = _("finansiering")
        ordering = ["year", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_amount_not_negative"),
        ]

    def clean(self) -> None:
        if self.funder_id is None and not self.funder_name.strip():
            raise ValidationError({"funder": _("Ange en finansiär.")})


class ReachSource(models.TextChoices):
    ENTERED = "inmatat", _("Inmatat")
    FOLLOWUP = "uppfoljning", _("Från uppföljningen")


class InterventionReach(models.Model):
    """Participants in a year, by member municipality (area), gender and age band. Entered by hand
    today; Uppföljning will fill it (``source``)."""

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="reach")
    year = models.PositiveSmallIntegerField(_("år"))
    area = models.ForeignKey(
        "situation.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kommun"),
    )
    gender = models.CharField(_("kön"), max_length=1, default="T")  # situation.models.Gender values
    age_band = models.ForeignKey(
        AgeBand,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("åldersgrupp"),
    )
    participants = models.PositiveIntegerField(_("deltagare"))
    source = models.CharField(
        _("källa"), max_length=12, choices=ReachSource.choices, default=ReachSource.ENTERED
    )

    class Meta:
        verbose_name = _("räckvidd")
        verbose_name_plural = _("räckvidd")
        ordering = ["year", "pk"]


class InterventionVersion(models.Model):
    """A saved state of an intervention: every change is kept with who and when."""

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    summary = models.CharField(max_length=500, blank=True, default="")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versioner")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["intervention", "number"], name="intervention_version_unique")
        ]

    access_owner_field = "intervention__organisation"

    def access_owner_ids(self) -> set[int]:
        return {self.intervention.organisation_id}
