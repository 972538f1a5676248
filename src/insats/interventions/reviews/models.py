"""The portfolio and its review (genomlysning), seed 001.

A :class:`PortfolioBudget` is an organisation's total budget for a year (Samordningsförbundet Södra
Vätterbygden: 11,4 mnkr 2024): the denominator of each intervention's budget share.

A :class:`Review` looks at a portfolio — the förbund's funded interventions or any selection of
interventions the owner may see — through seed 001's phases A–E. Per intervention it keeps a
:class:`ReviewItem` (phase B, prefilled from the catalogue, with the reviewer's notes); findings
(:class:`Finding`, per intervention or across them) and recommendations/development actions with
owners and due dates (:class:`Recommendation`, followed up in phase E with dated
:class:`RecommendationUpdate`); every phase change (:class:`ReviewPhaseChange`) and the decision of
a governance body (:class:`ReviewDecision`). The inhabitants of the target age per member
municipality (:class:`ReviewPopulation`) are entered on the review: the lägesbild has no population
indicator. A review is shared with an external reviewer through ``accounts.Share``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Finding",
    "PortfolioBudget",
    "Recommendation",
    "RecommendationStatus",
    "RecommendationUpdate",
    "Review",
    "ReviewDecision",
    "ReviewItem",
    "ReviewPhase",
    "ReviewPhaseChange",
    "ReviewPopulation",
]


class ReviewPhase(models.TextChoices):
    """Seed 001's plan, in order."""

    NEEDS = "A", _("A Behovsanalys")
    CURRENT = "B", _("B Nuläge")
    ASSESSMENT = "C", _("C Behov")
    DESIRED = "D", _("D Nyläge")
    FOLLOWUP = "E", _("E Processhandledning")


PHASE_ORDER = [p.value for p in ReviewPhase]

# Seed 001's descriptions, shown on the review page.
PHASE_HELP = {
    ReviewPhase.NEEDS: _(
        "En uppdaterad behovsanalys: vilka behov behöver mötas i förbundets område av insatser som "
        "förbundet finansierar?"
    ),
    ReviewPhase.CURRENT: _(
        "Genomlysning av insatserna: uppdrag, bemanning, arbetssätt, mål, tillgänglighet för deltagare "
        "från varje medlemskommun och resultat."
    ),
    ReviewPhase.ASSESSMENT: _(
        "Möter nuvarande insatser de aktuella behoven? Iakttagelser per insats och för insatserna "
        "tillsammans; beslut om hur processen ska gå vidare."
    ),
    ReviewPhase.DESIRED: _("Ett önskat nyläge och utvecklingsåtgärder för de finansierade insatserna."),
    ReviewPhase.FOLLOWUP: _("Fortsatt processhandledning under året: uppföljning av utvecklingsåtgärderna."),
}


class PortfolioBudget(models.Model):
    """An organisation's total budget for a year: what each intervention's share is a share of."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="portfolio_budgets"
    )
    year = models.PositiveSmallIntegerField(_("år"))
    total_budget = models.DecimalField(_("total budget (kr)"), max_digits=14, decimal_places=2)
    note = models.CharField(_("källa eller kommentar"), max_length=300, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("total budget")
        verbose_name_plural = _("totala budgetar")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="portfolio_budget_unique"),
            models.CheckConstraint(condition=Q(total_budget__gte=0), name="portfolio_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"


class Review(models.Model):
    # An external reviewer is invited through an explicit share (accounts.Share, purpose "genomlysning").
    shareable = True

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("ägande organisation"),
    )
    title = models.CharField(_("titel"), max_length=200)
    year = models.PositiveSmallIntegerField(
        _("budgetår"), help_text=_("Året vars budget, räckvidd och bemanning genomlysningen avser.")
    )
    period_start = models.DateField(_("period från"), null=True, blank=True)
    period_end = models.DateField(_("period till"), null=True, blank=True)
    owner_name = models.CharField(
        _("ansvarig"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("T.ex. förbundets verksamhetsutvecklare."),
    )
    reviewer_name = models.CharField(
        _("granskare"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("Den som genomför genomlysningen."),
    )
    phase = models.CharField(_("fas"), max_length=1, choices=ReviewPhase.choices, default=ReviewPhase.NEEDS)
    target_age_from = models.PositiveSmallIntegerField(_("målgruppens ålder från"), default=18)
    target_age_to = models.PositiveSmallIntegerField(_("målgruppens ålder till"), default=29)
    interventions = models.ManyToManyField(
        "interventions.Intervention", through="ReviewItem", related_name="reviews", verbose_name=_("insatser")
    )
    # A: the needs, linked to the lägesbild.
    needs = models.TextField(_("behov"), blank=True, default="")
    target_groups = models.ManyToManyField(
        "situation.TargetGroup", blank=True, related_name="+", verbose_name=_("målgrupper")
    )
    results = models.ManyToManyField(
        "situation.Result", blank=True, related_name="+", verbose_name=_("resultat")
    )
    indicators = models.ManyToManyField(
        "situation.Indicator", blank=True, related_name="+", verbose_name=_("indikatorer")
    )
    # D: the desired state.
    desired_state = models.TextField(_("önskat nyläge"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("genomlysning")
        verbose_name_plural = _("genomlysningar")
        ordering = ["-year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="review_period_start_le_end",
            ),
            models.CheckConstraint(
                condition=Q(target_age_to__gte=models.F("target_age_from")), name="review_age_from_le_to"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("interventions:review_detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("Perioden får inte sluta före den börjar.")
        if (
            self.target_age_from is not None
            and self.target_age_to is not None
            and self.target_age_to < self.target_age_from
        ):
            errors["target_age_to"] = _("Åldern till får inte vara lägre än åldern från.")
        if errors:
            raise ValidationError(errors)


class _ReviewChild(models.Model):
    """Belongs to a review: access is decided on the review (its owner, shares and federation)."""

    access_owner_field = "review__organisation"

    class Meta:
        abstract = True

    def access_owner_ids(self) -> set[int]:
        return {self.review.organisation_id}


class ReviewItem(_ReviewChild):
    """Phase B for one intervention: prefilled from the catalogue, then the reviewer's text."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="items")
    intervention = models.ForeignKey(
        "interventions.Intervention", on_delete=models.PROTECT, related_name="review_items"
    )
    mission = models.TextField(_("uppdrag"), blank=True, default="")
    staffing = models.TextField(_("bemanning"), blank=True, default="")
    methods = models.TextField(_("arbetssätt och metoder"), blank=True, default="")
    goals = models.TextField(_("mål"), blank=True, default="")
    accessibility = models.TextField(
        _("tillgänglighet för deltagare från medlemskommunerna"), blank=True, default=""
    )
    results = models.TextField(_("resultat"), blank=True, default="")
    notes = models.TextField(_("granskarens anteckningar"), blank=True, default="")

    class Meta:
        verbose_name = _("insats i genomlysningen")
        verbose_name_plural = _("insatser i genomlysningen")
        ordering = ["intervention__name"]
        constraints = [
            models.UniqueConstraint(fields=["review", "intervention"], name="review_item_unique"),
        ]

    def __str__(self) -> str:
        return str(self.intervention)


class ReviewPopulation(_ReviewChild):
    """Inhabitants of the review's target age in one member municipality (entered, with a source)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="populations")
    area = models.ForeignKey(
        "situation.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("kommun")
    )
    population = models.PositiveIntegerField(_("invånare i målgruppens ålder"))
    source = models.CharField(_("källa"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["area__name"]
        constraints = [models.UniqueConstraint(fields=["review", "area"], name="review_population_unique")]


class ReviewPhaseChange(_ReviewChild):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="phase_changes")
    from_phase = models.CharField(max_length=1, choices=ReviewPhase.choices)
    to_phase = models.CharField(max_length=1, choices=ReviewPhase.choices)
    note = models.CharField(_("kommentar"), max_length=500, blank=True, default="")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]


class Finding(_ReviewChild):
    """An iakttagelse: about one intervention, or (intervention empty) about them together."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="findings")
    phase = models.CharField(
        _("fas"), max_length=1, choices=ReviewPhase.choices, default=ReviewPhase.ASSESSMENT
    )
    intervention = models.ForeignKey(
        "interventions.Intervention",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("insats"),
        help_text=_("Tom: gäller insatserna tillsammans."),
    )
    text = models.TextField(_("iakttagelse"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("iakttagelse")
        verbose_name_plural = _("iakttagelser")
        ordering = ["phase", "intervention__name", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class RecommendationStatus(models.TextChoices):
    PLANNED = "planerad", _("Planerad")
    ONGOING = "pagar", _("Pågår")
    DONE = "klar", _("Klar")
    DROPPED = "struken", _("Struken")


class Recommendation(_ReviewChild):
    """A recommendation or development action (phase D) with an owner and a due date, followed up
    in phase E."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="recommendations")
    finding = models.ForeignKey(
        Finding,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("iakttagelse"),
    )
    text = models.TextField(_("rekommendation eller åtgärd"))
    owner_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ansvarig organisation"),
    )
    owner_person = models.CharField(_("ansvarig person"), max_length=200, blank=True, default="")
    due_on = models.DateField(_("klart senast"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RecommendationStatus.choices, default=RecommendationStatus.PLANNED
    )
    status_on = models.DateField(_("status per"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rekommendation")
        verbose_name_plural = _("rekommendationer")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class RecommendationUpdate(models.Model):
    """Phase E: the follow-up of an action at a date."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField(_("datum"))
    status = models.CharField(_("status"), max_length=10, choices=RecommendationStatus.choices)
    note = models.TextField(_("kommentar"), blank=True, default="")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    access_owner_field = "recommendation__review__organisation"

    class Meta:
        ordering = ["-on", "-pk"]

    def access_owner_ids(self) -> set[int]:
        return {self.recommendation.review.organisation_id}


class ReviewDecision(_ReviewChild):
    """A governance body's decision on the review (e.g. the styrelse after phase C)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    body = models.ForeignKey(
        "accounts.GovernanceBody", on_delete=models.PROTECT, related_name="+", verbose_name=_("organ")
    )
    decided_on = models.DateField(_("beslutsdatum"))
    minutes_reference = models.CharField(_("protokollsreferens"), max_length=200)
    text = models.TextField(_("beslut"))
    phase = models.CharField(_("fas"), max_length=1, choices=ReviewPhase.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("beslut")
        verbose_name_plural = _("beslut")
        ordering = ["-decided_on", "-pk"]
