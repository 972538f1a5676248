"""Areas, indicators and observations: the numbers a lägesbild is built from.

Scale (DESIGN.md): 312 areas, thousands of indicators, 20+ years, three genders — millions of
:class:`Observation` rows. The observation table is therefore narrow (foreign keys, small ints, one
decimal) and carries exactly two access paths as indexes:

* all areas for one indicator and period (a map, a ranking, a comparison with similar kommuner);
* all periods for one area and indicator (a trend line), served by the unique constraint whose
  leading columns are ``indicator, area``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KOLADA_SOURCE_LABEL = "Källa: Kolada"
KOLADA_PROCESSED_LABEL = "Egen bearbetning av data från Kolada"
DEMO_SOURCE_LABEL = "Demodata – syntetiska värden, inte verklig statistik"


class AreaKind(models.TextChoices):
    RIKET = "riket", _("Riket")
    REGION = "region", _("Region")
    KOMMUN = "kommun", _("Kommun")


class Area(models.Model):
    """A kommun, a region or the whole country, with SCB's official code.

    ``code`` is the official code: four digits for a kommun (Tomelilla 1270), the two-digit
    länskod for a region (Skåne 12) and ``0000`` for Riket. ``kolada_id`` is how Kolada names the
    same area: kommuner keep their code, regions are ``00`` + länskod (``0012``), Riket is ``0000``.
    """

    code = models.CharField(_("kod"), max_length=4, unique=True)
    kolada_id = models.CharField(_("Kolada-id"), max_length=8, unique=True)
    kind = models.CharField(_("typ"), max_length=8, choices=AreaKind.choices)
    name = models.CharField(_("namn"), max_length=100)
    county_code = models.CharField(
        _("länskod"), max_length=2, blank=True, default="", help_text=_("Två siffror; tom för Riket.")
    )

    class Meta:
        verbose_name = _("område")
        verbose_name_plural = _("områden")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def county(self) -> Area | None:
        if self.kind == AreaKind.KOMMUN:
            return Area.objects.filter(kind=AreaKind.REGION, code=self.county_code).first()
        return None


class AreaGroupKind(models.TextChoices):
    KOLADA = "kolada", _("Koladagrupp (t.ex. Liknande kommuner)")
    USER = "user", _("Egen grupp")


class AreaGroup(models.Model):
    """A set of areas to compare with: a Kolada group ("Liknande kommuner …") or one of our own."""

    name = models.CharField(_("namn"), max_length=300)
    kind = models.CharField(_("typ"), max_length=8, choices=AreaGroupKind.choices)
    kolada_id = models.CharField(_("Kolada-id"), max_length=20, blank=True, default="")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="area_groups",
        verbose_name=_("ägande organisation"),
    )
    members = models.ManyToManyField(Area, related_name="groups", blank=True, verbose_name=_("medlemmar"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("områdesgrupp")
        verbose_name_plural = _("områdesgrupper")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kolada_id"], condition=Q(kind="kolada"), name="areagroup_unique_kolada_id"
            ),
            models.CheckConstraint(
                condition=(Q(kind="kolada", organisation__isnull=True) & ~Q(kolada_id=""))
                | Q(kind="user", organisation__isnull=False, kolada_id=""),
                name="areagroup_kind_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == AreaGroupKind.KOLADA and (self.organisation_id or not self.kolada_id):
            raise ValidationError({"kolada_id": _("En Koladagrupp har ett Kolada-id och ingen ägare.")})
        if self.kind == AreaGroupKind.USER and (not self.organisation_id or self.kolada_id):
            raise ValidationError({"organisation": _("En egen grupp ägs av en organisation.")})


class Polarity(models.TextChoices):
    HIGHER_BETTER = "higher_better", _("Högre är bättre")
    LOWER_BETTER = "lower_better", _("Lägre är bättre")
    NEUTRAL = "neutral", _("Neutral")


class IndicatorSource(models.TextChoices):
    KOLADA = "kolada", _("Kolada")
    SCB = "scb", _("SCB")
    OWN = "own", _("Egen")
    DEMO = "demo", _("Demodata")


class Indicator(models.Model):
    """A measure. The shared catalogue (``organisation`` null) holds Kolada and SCB indicators;
    an organisation may add its own."""

    code = models.CharField(_("kod"), max_length=32)
    title_sv = models.CharField(_("titel (svenska)"), max_length=500)
    title_en = models.CharField(_("titel (engelska)"), max_length=500, blank=True, default="")
    description = models.TextField(_("beskrivning"), blank=True, default="")
    unit = models.CharField(_("enhet"), max_length=100, blank=True, default="")
    polarity = models.CharField(
        _("riktning"), max_length=16, choices=Polarity.choices, default=Polarity.NEUTRAL
    )
    source = models.CharField(_("källa"), max_length=8, choices=IndicatorSource.choices)
    kolada_kpi_id = models.CharField(_("Kolada-KPI"), max_length=16, blank=True, default="")
    divided_by_gender = models.BooleanField(_("könsuppdelad"), default=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("ägande organisation"),
    )
    # Kolada publication metadata, used to mark preliminary values (docs/kolada.md).
    publ_period = models.PositiveSmallIntegerField(_("publiceringsperiod"), null=True, blank=True)
    prel_publication_date = models.DateField(_("preliminär publicering"), null=True, blank=True)
    publication_date = models.DateField(_("publicering"), null=True, blank=True)
    operating_area = models.CharField(_("verksamhetsområde"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("indikator")
        verbose_name_plural = _("indikatorer")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(organisation__isnull=True), name="indicator_unique_shared_code"
            ),
            models.UniqueConstraint(fields=["organisation", "code"], name="indicator_unique_own_code"),
            models.UniqueConstraint(
                fields=["kolada_kpi_id"],
                condition=Q(organisation__isnull=True) & ~Q(kolada_kpi_id=""),
                name="indicator_unique_kolada_kpi",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title_sv}"

    def clean(self) -> None:
        if self.source == IndicatorSource.KOLADA and not self.kolada_kpi_id:
            raise ValidationError({"kolada_kpi_id": _("En Koladaindikator behöver ett KPI-id.")})
        if self.source == IndicatorSource.OWN and not self.organisation_id:
            raise ValidationError({"organisation": _("En egen indikator ägs av en organisation.")})


class PeriodType(models.TextChoices):
    YEAR = "year", _("År")
    HALF = "half", _("Halvår")
    QUARTER = "quarter", _("Kvartal")
    MONTH = "month", _("Månad")


class Gender(models.TextChoices):
    TOTAL = "T", _("Totalt")
    WOMEN = "K", _("Kvinnor")
    MEN = "M", _("Män")


class Observation(models.Model):
    """One value of one indicator for one area, period and gender.

    ``period`` is the year; ``period_part`` is 0 for a whole year, else the half-year (1–2),
    quarter (1–4) or month (1–12) named by ``period_type``. ``value`` is null when the source says
    the value is missing (Kolada ``value: null``) or withdrawn (``isdeleted``).
    """

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="observations")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    period_type = models.CharField(max_length=8, choices=PeriodType.choices, default=PeriodType.YEAR)
    period = models.PositiveSmallIntegerField(_("år"))
    period_part = models.PositiveSmallIntegerField(default=0)
    gender = models.CharField(_("kön"), max_length=1, choices=Gender.choices, default=Gender.TOTAL)
    value = models.DecimalField(_("värde"), max_digits=20, decimal_places=6, null=True, blank=True)
    count = models.PositiveIntegerField(_("antal"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=32, blank=True, default="")
    preliminary = models.BooleanField(_("preliminärt"), default=False)
    fetched_at = models.DateTimeField(_("hämtat"), default=timezone.now)
    source = models.CharField(_("källa"), max_length=8, choices=IndicatorSource.choices)
    source_label = models.CharField(_("källangivelse"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observationer")
        constraints = [
            # Leading columns (indicator, area) serve "all periods for area + indicator".
            models.UniqueConstraint(
                fields=["indicator", "area", "period_type", "period", "period_part", "gender"],
                name="observation_unique_cell",
            ),
            models.CheckConstraint(condition=Q(period_part__lte=12), name="observation_period_part_range"),
        ]
        indexes = [
            # "All areas for indicator + period" (maps, rankings, group comparisons).
            models.Index(fields=["indicator", "period", "gender", "area"], name="obs_indicator_period"),
            models.Index(fields=["area", "period"], name="obs_area_period"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.area_id}/{self.period}/{self.gender}: {self.value}"


class GroupObservation(models.Model):
    """Kolada's own value for one of its municipality groups (``G…``): the group average Kolada
    publishes (an unweighted mean of the members; ``count`` = members with a value). Kept as Kolada
    gives it and shown with "Källa: Kolada" — unlike the figures Insats computes from members'
    values, which are "Egen bearbetning av data från Kolada" (docs/kolada.md)."""

    group = models.ForeignKey(AreaGroup, on_delete=models.CASCADE, related_name="kolada_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="group_observations")
    period = models.PositiveSmallIntegerField(_("år"))
    gender = models.CharField(_("kön"), max_length=1, choices=Gender.choices, default=Gender.TOTAL)
    value = models.DecimalField(_("värde"), max_digits=20, decimal_places=6, null=True, blank=True)
    count = models.PositiveIntegerField(_("antal"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=32, blank=True, default="")
    preliminary = models.BooleanField(_("preliminärt"), default=False)
    fetched_at = models.DateTimeField(_("hämtat"), default=timezone.now)
    source_label = models.CharField(_("källangivelse"), max_length=100, default=KOLADA_SOURCE_LABEL)

    class Meta:
        verbose_name = _("gruppvärde från Kolada")
        verbose_name_plural = _("gruppvärden från Kolada")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "group", "period", "gender"], name="group_observation_unique_cell"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.group_id}/{self.period}/{self.gender}: {self.value}"


class CrossSection(models.Model):
    """What every viewer of one (indicator, year, gender) shares: all kommuner's values and their
    ranks, quartiles and percentiles, and for adjusted indicators the expected values — computed
    once by :mod:`insats.situation.cross_sections` with :mod:`insats.core` and read by the page.

    ``obs_version`` is raised by a database trigger on every insert, update or delete of a
    matching observation, whatever wrote it (import, Kolada sync, demo build, admin, SQL);
    ``computed_version`` is the ``obs_version`` the stored figures were computed from. A row whose
    versions differ is stale and is recomputed before it is read — never served."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="cross_sections")
    period = models.PositiveSmallIntegerField(_("år"))
    gender = models.CharField(_("kön"), max_length=1, choices=Gender.choices, default=Gender.TOTAL)
    obs_version = models.PositiveIntegerField(default=0)
    computed_version = models.IntegerField(default=-1)
    computed_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("tvärsnitt")
        verbose_name_plural = _("tvärsnitt")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period", "gender"], name="cross_section_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.period}/{self.gender} v{self.computed_version}/{self.obs_version}"

    @property
    def is_fresh(self) -> bool:
        return self.computed_version == self.obs_version


from .models_import import *  # noqa: E402,F401,F403  (own data import: mapping, runs)
from .models_plans import *  # noqa: E402,F401,F403  (target groups, causes, results, action plans)
