"""Target groups, cause analyses, results with targets, turn-the-curve and action plans.

The chain of seed 002 (Helsingborg): **lägesbild → orsaksanalys → aktivitetsplan**, with the
Results-Based Accountability vocabulary for the last step:

* :class:`TargetGroup` (målgrupp) — who the work is for: Tomelilla's "barn 6–10 år i riskzonen";
* :class:`CauseAnalysis` (orsaksanalys) — a tree of :class:`CauseNode` behind a result or an
  indicator's curve, every node tagged with a level, a BBIC side and a :class:`Factor`;
* :class:`Result` (resultat/målområde) — a population result ("Ökad skolnärvaro och förbättrade
  skolresultat") measured by :class:`ResultIndicator` rows (an indicator in an area) that carry the
  turn-the-curve record; :class:`Target` rows set the value to reach by a year;
* :class:`ActionItem` — the aktivitetsplan: who does what by when.

Every figure (baseline, forecast, progress) is computed by ``insats.core.indicators`` in
``services_plans``; nothing numeric is stored here except what a person decided (targets).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Gender

__all__ = [
    "CAUSE_SHARE_PURPOSE",
    "ActionItem",
    "ActionStatus",
    "BbicSide",
    "CauseAnalysis",
    "CauseNode",
    "Factor",
    "FactorKind",
    "Level",
    "Result",
    "ResultIndicator",
    "Target",
    "TargetGroup",
    "TargetKind",
]

CAUSE_SHARE_PURPOSE = "orsaksanalys"


class Level(models.TextChoices):
    """Where a factor sits (the ecological levels of Swedish prevention literature)."""

    INDIVIDUAL = "individ", _("Individ")
    FAMILY = "familj", _("Familj")
    SCHOOL = "skola", _("Skola")
    PEERS = "kamrater", _("Kamrater")
    COMMUNITY = "samhalle", _("Samhälle")


class BbicSide(models.TextChoices):
    """The three sides of the BBIC triangle (seed 003)."""

    CHILD_NEEDS = "barnets_behov", _("Barnets behov")
    PARENTAL_CAPACITY = "foraldrarnas_formaga", _("Föräldrarnas förmåga")
    FAMILY_ENVIRONMENT = "familj_och_miljo", _("Familj och miljö")


class FactorKind(models.TextChoices):
    RISK = "risk", _("Riskfaktor")
    PROTECTIVE = "skydd", _("Skyddsfaktor")


class Factor(models.Model):
    """A risk or protective factor. ``organisation`` null: the shared list (seeded by a migration
    from seed 003 and Swedish prevention literature); otherwise an organisation's own addition."""

    name_sv = models.CharField(_("namn (svenska)"), max_length=200)
    name_en = models.CharField(_("namn (engelska)"), max_length=200, blank=True, default="")
    kind = models.CharField(_("typ"), max_length=8, choices=FactorKind.choices)
    level = models.CharField(_("nivå"), max_length=10, choices=Level.choices)
    bbic_side = models.CharField(_("BBIC-sida"), max_length=24, choices=BbicSide.choices)
    source = models.CharField(_("källa"), max_length=300, blank=True, default="")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="factors",
        verbose_name=_("ägande organisation"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("risk- eller skyddsfaktor")
        verbose_name_plural = _("risk- och skyddsfaktorer")
        ordering = ["kind", "level", "name_sv"]
        constraints = [
            models.UniqueConstraint(
                fields=["name_sv"], condition=models.Q(organisation__isnull=True), name="factor_unique_shared"
            ),
            models.UniqueConstraint(fields=["organisation", "name_sv"], name="factor_unique_own"),
        ]

    def __str__(self) -> str:
        return f"{self.name_sv} ({self.get_kind_display().lower()})"

    @property
    def source_label(self) -> str:
        """The source as a reader knows it: the document's author and title, "Insats standardlista"
        for a shared factor without one, "–" for an own factor without one."""
        if self.source:
            return self.source
        return str(_("Insats standardlista")) if self.organisation_id is None else "–"


class TargetGroup(models.Model):
    """Målgrupp: who the work is for, with an estimated size and where the estimate comes from."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="target_groups",
        verbose_name=_("ägande organisation"),
    )
    name = models.CharField(_("namn"), max_length=200)
    age_from = models.PositiveSmallIntegerField(_("ålder från"))
    age_to = models.PositiveSmallIntegerField(_("ålder till"))
    criteria = models.TextField(_("kriterier"), help_text=_("Vem som ingår och hur de identifieras."))
    area = models.ForeignKey(
        "situation.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("område"),
    )
    estimated_size = models.PositiveIntegerField(_("uppskattat antal"), null=True, blank=True)
    size_source = models.CharField(
        _("källa för antalet"),
        max_length=300,
        blank=True,
        default="",
        help_text=_("Var uppskattningen kommer ifrån, t.ex. elevregistret eller SCB."),
    )
    description = models.TextField(_("beskrivning"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("målgrupp")
        verbose_name_plural = _("målgrupper")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_from__lte=models.F("age_to")), name="targetgroup_age_band"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def age_band(self) -> str:
        return f"{self.age_from}–{self.age_to}"

    def clean(self) -> None:
        errors = {}
        if self.age_from is not None and self.age_to is not None:
            if self.age_to > 120:
                errors["age_to"] = _("Åldern kan inte vara över 120.")
            if self.age_from > self.age_to:
                errors["age_to"] = _("Åldersspannet går baklänges: 'till' är mindre än 'från'.")
        if self.estimated_size is not None and not self.size_source.strip():
            errors["size_source"] = _("Ange källan för det uppskattade antalet.")
        if errors:
            raise ValidationError(errors)


class Result(models.Model):
    """A result (resultat) for a population: "Ökad skolnärvaro och förbättrade skolresultat"."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="results",
        verbose_name=_("ägande organisation"),
    )
    title = models.CharField(_("resultat"), max_length=300)
    goal_area = models.CharField(
        _("målområde"),
        max_length=100,
        blank=True,
        default="",
        help_text=_("T.ex. Familj eller andra nära vuxenrelationer, Individ, Skola."),
    )
    target_group = models.ForeignKey(
        TargetGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="results",
        verbose_name=_("målgrupp"),
    )
    description = models.TextField(_("beskrivning"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resultat")
        verbose_name_plural = _("resultat")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.target_group_id and self.target_group.organisation_id != self.organisation_id:
            raise ValidationError({"target_group": _("Målgruppen tillhör en annan organisation.")})


class ResultIndicator(models.Model):
    """An indicator (in one area, one gender) that measures a result, with its turn-the-curve record."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="indicators")
    indicator = models.ForeignKey(
        "situation.Indicator", on_delete=models.PROTECT, related_name="+", verbose_name=_("indikator")
    )
    area = models.ForeignKey(
        "situation.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("område")
    )
    gender = models.CharField(_("kön"), max_length=1, choices=Gender.choices, default=Gender.TOTAL)
    position = models.PositiveSmallIntegerField(default=0)
    # Turn the curve (RBA): the story behind the baseline, who can help, what works.
    story = models.TextField(_("berättelsen bakom kurvan"), blank=True, default="")
    partners = models.TextField(_("partner som kan bidra"), blank=True, default="")
    what_works = models.TextField(_("vad fungerar"), blank=True, default="")

    class Meta:
        verbose_name = _("resultatindikator")
        verbose_name_plural = _("resultatindikatorer")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["result", "indicator", "area", "gender"], name="resultindicator_unique"
            ),
        ]

    access_owner_field = "result__organisation"

    def __str__(self) -> str:
        return f"{self.indicator.title_sv} – {self.area.name}"

    def access_owner_ids(self) -> set[int]:
        return {self.result.organisation_id}


class TargetKind(models.TextChoices):
    RELATIVE = "relative", _("Relativ förändring (%)")
    ABSOLUTE = "absolute", _("Förändring i indikatorns enhet")
    VALUE = "value", _("Målvärde")


class Target(models.Model):
    """A target for a result indicator: by ``year``, reach baseline·(1+amount/100), baseline+amount
    or the value ``amount`` (Helsingborg: baseline 2023, year 2024, relative −20)."""

    result_indicator = models.ForeignKey(ResultIndicator, on_delete=models.CASCADE, related_name="targets")
    baseline_year = models.PositiveSmallIntegerField(_("basår"))
    year = models.PositiveSmallIntegerField(_("målår"))
    kind = models.CharField(_("typ av mål"), max_length=8, choices=TargetKind.choices)
    amount = models.DecimalField(_("mått"), max_digits=14, decimal_places=4)
    note = models.CharField(_("kommentar"), max_length=300, blank=True, default="")

    class Meta:
        verbose_name = _("mål")
        verbose_name_plural = _("mål")
        ordering = ["year", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["result_indicator", "year"], name="target_unique_year"),
            models.CheckConstraint(
                condition=models.Q(year__gt=models.F("baseline_year")), name="target_after_baseline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.get_kind_display()} {self.amount}"

    def clean(self) -> None:
        errors = {}
        if self.year is not None and self.baseline_year is not None and self.year <= self.baseline_year:
            errors["year"] = _("Målåret måste komma efter basåret.")
        if self.kind == TargetKind.RELATIVE and self.amount is not None:
            if self.amount == 0:
                errors["amount"] = _("En förändring på 0 % är inget mål.")
            elif self.amount <= Decimal("-100"):
                errors["amount"] = _("En relativ minskning kan inte vara 100 % eller mer.")
        if self.kind == TargetKind.ABSOLUTE and self.amount == 0:
            errors["amount"] = _("En förändring på 0 är inget mål.")
        if errors:
            raise ValidationError(errors)


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planerad")
    ONGOING = "ongoing", _("Pågår")
    DONE = "done", _("Klar")
    PAUSED = "paused", _("Pausad")
    CANCELLED = "cancelled", _("Avbruten")


class ActionItem(models.Model):
    """One row of the aktivitetsplan: an action, who owns it, who is responsible, when, status."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(_("aktivitet"), max_length=500)
    owner_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ansvarig organisation"),
    )
    responsible = models.CharField(_("ansvarig person"), max_length=200)
    start = models.DateField(_("start"))
    end = models.DateField(_("slut"))
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("aktivitet")
        verbose_name_plural = _("aktivitetsplan")
        ordering = ["start", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="actionitem_dates"),
        ]

    access_owner_field = "result__organisation"

    def __str__(self) -> str:
        return self.action

    def access_owner_ids(self) -> set[int]:
        return {self.result.organisation_id}

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("Slutdatum ligger före startdatum.")})

    def overdue_on(self, day) -> bool:
        """Past its end date on ``day`` and neither done nor cancelled."""
        return self.end < day and self.status not in (ActionStatus.DONE, ActionStatus.CANCELLED)

    @property
    def is_overdue(self) -> bool:
        """Försenad: the end date has passed (local date) and the action is not done or cancelled."""
        from django.utils import timezone

        return self.overdue_on(timezone.localdate())


class CauseAnalysis(models.Model):
    """Orsaksanalys: a tree of causes behind a result or an indicator's curve.

    Owned by one organisation and edited together with organisations it invites (a
    :class:`~insats.accounts.models.Share` with purpose ``"orsaksanalys"``).
    """

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="cause_analyses",
        verbose_name=_("ägande organisation"),
    )
    title = models.CharField(_("rubrik"), max_length=300)
    result = models.ForeignKey(
        Result,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cause_analyses",
        verbose_name=_("resultat"),
    )
    indicator = models.ForeignKey(
        "situation.Indicator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indikator"),
    )
    target_group = models.ForeignKey(
        TargetGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cause_analyses",
        verbose_name=_("målgrupp"),
    )
    description = models.TextField(_("beskrivning"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("orsaksanalys")
        verbose_name_plural = _("orsaksanalyser")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.result_id and self.result.organisation_id != self.organisation_id:
            errors["result"] = _("Resultatet tillhör en annan organisation.")
        if self.target_group_id and self.target_group.organisation_id != self.organisation_id:
            errors["target_group"] = _("Målgruppen tillhör en annan organisation.")
        if errors:
            raise ValidationError(errors)


class CauseNode(models.Model):
    """One cause in the tree. Siblings are ordered by ``position`` (0, 1, 2 …, kept contiguous).

    Deleting sets ``deleted_at`` on the node; its subtree goes with it (hidden under a deleted
    ancestor) and comes back when the node is restored from "recently deleted".
    """

    analysis = models.ForeignKey(CauseAnalysis, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(_("orsak"), max_length=500)
    level = models.CharField(_("nivå"), max_length=10, choices=Level.choices)
    bbic_side = models.CharField(_("BBIC-sida"), max_length=24, choices=BbicSide.choices)
    factor = models.ForeignKey(
        Factor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("risk- eller skyddsfaktor"),
    )
    evidence = models.TextField(_("underlag och evidens"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("orsak")
        verbose_name_plural = _("orsaker")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["analysis", "parent", "position"], name="causenode_siblings")]

    access_owner_field = "analysis__organisation"

    def __str__(self) -> str:
        return self.text

    def access_owner_ids(self) -> set[int]:
        return {self.analysis.organisation_id}

    def clean(self) -> None:
        if self.parent_id and self.parent.analysis_id != self.analysis_id:
            raise ValidationError({"parent": _("Föräldern hör till en annan orsaksanalys.")})
