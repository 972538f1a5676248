"""Grant rounds (föreningsbidrag, issue 10 item 4): seed 002's call to associations.

The grantor owns the :class:`GrantRound` and its :class:`GrantCriterion` rows (seed 002's Effekt,
Värde, Komplement, Samverkan, Ekonomi by default); it invites associations (a ``Share``, made by the
invitations' kind "grant") or publishes the round to every logged-in organisation (``is_public``).
A :class:`GrantApplication` is owned by the applicant and received by the grantor (``recipient``);
its budget is :class:`GrantBudgetLine` rows, the requested total computed by ``insats.core.grants``.
Each assessor's :class:`GrantAssessment` scores one criterion of one application with a motivation;
the scores are combined by ``insats.core.scoring``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "ApplicationStatus",
    "Decision",
    "GrantApplication",
    "GrantAssessment",
    "GrantBudgetLine",
    "GrantCriterion",
    "GrantRound",
    "RoundStatus",
]

# Seed 002: "Prioritet ges verksamheter som bedriver förebyggande verksamhet och verkar för
# utvecklingen av sociala tjänster."
DEFAULT_PRIORITIES = ["Förebyggande verksamhet", "Utveckling av sociala tjänster"]

# Seed 002's "Utredningspunkter för bidrag" (name, guiding question).
DEFAULT_CRITERIA = [
    (
        "Effekt",
        "Vilken effekt ger verksamhetens innehåll i förhållande till nämndens uppdrag och inriktning?",
    ),
    ("Värde", "Hur många nås/påverkas av verksamheten och vilket förväntat värde skapas för invånarna?"),
    ("Komplement", "Hur kompletterar verksamheten socialnämndens arbete?"),
    ("Samverkan", "Hur samverkar verksamheten med förvaltningen, andra föreningar och övriga staden?"),
    ("Ekonomi", "Hur har verksamheten säkrat sin fortlevnad utifrån ett ekonomiskt perspektiv?"),
]


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    OPEN = "open", _("Öppen för ansökningar")
    CLOSED = "closed", _("Stängd för ansökningar")
    DECIDED = "decided", _("Beslutad")


class GrantRound(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="grant_rounds",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("rubrik"), max_length=300)
    purpose = models.TextField(_("syfte"), blank=True, default="")
    priorities = models.JSONField(_("prioriteringar"), default=list, blank=True)
    budget = models.DecimalField(_("budget (kr)"), max_digits=14, decimal_places=2)
    opens_at = models.DateTimeField(_("öppnar"), null=True, blank=True)
    closes_at = models.DateTimeField(_("sista ansökningsdag"))
    decision_date = models.DateField(_("beslutsdatum"), null=True, blank=True)
    report_due = models.DateField(_("återrapportering senast"), null=True, blank=True)
    required_attachments = models.JSONField(_("bilagor som krävs"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    is_public = models.BooleanField(
        _("öppen för alla organisationer"),
        default=False,
        help_text=_("Alla inloggade organisationer ser utlysningen och kan söka; annars bara inbjudna."),
    )
    form_decision = models.ForeignKey(
        "sourcing.FormDecision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grant_rounds",
        verbose_name=_("val av samverkansform"),
    )
    rfi = models.ForeignKey(
        "sourcing.Rfi",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grant_rounds",
        verbose_name=_("marknadsdialog"),
    )
    contact_email = models.EmailField(_("kontaktadress"), blank=True, default="")
    published_at = models.DateTimeField(_("publicerad"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bidragsomgång")
        verbose_name_plural = _("bidragsomgångar")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="grantround_budget_not_negative")
        ]

    def __str__(self) -> str:
        return self.title

    def access_is_published(self) -> bool:
        return self.is_public and self.status != RoundStatus.DRAFT

    @staticmethod
    def access_published_q() -> Q:
        return Q(is_public=True) & ~Q(status=RoundStatus.DRAFT)

    @property
    def is_open_for_applications(self) -> bool:
        """Open, after it opens and before the deadline (server time decides)."""
        now = timezone.now()
        return (
            self.status == RoundStatus.OPEN
            and (self.opens_at is None or self.opens_at <= now)
            and now < self.closes_at
        )


class GrantCriterion(models.Model):
    round = models.ForeignKey(GrantRound, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)
    name = models.CharField(_("kriterium"), max_length=100)
    question = models.TextField(_("vägledande fråga"), blank=True, default="")
    weight = models.DecimalField(
        _("vikt"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Tomt = vikt 1. Poängen räknas om till vikten."),
    )
    scale_min = models.SmallIntegerField(_("skala från"), default=1)
    scale_max = models.SmallIntegerField(_("skala till"), default=5)

    class Meta:
        verbose_name = _("bedömningskriterium")
        verbose_name_plural = _("bedömningskriterier")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")), name="grantcriterion_scale"
            ),
            models.CheckConstraint(
                condition=Q(weight__isnull=True) | Q(weight__gt=0), name="grantcriterion_weight"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SUBMITTED = "submitted", _("Inskickad")
    DECIDED = "decided", _("Beslutad")


class Decision(models.TextChoices):
    GRANTED = "granted", _("Beviljad")
    REJECTED = "rejected", _("Avslag")


class GrantApplication(models.Model):
    round = models.ForeignKey(GrantRound, on_delete=models.CASCADE, related_name="applications")
    # The applicant owns its application; the grantor receives it.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="grant_applications",
        verbose_name=_("sökande"),
    )
    title = models.CharField(_("verksamhetens namn"), max_length=200)
    activities = models.TextField(_("aktiviteter"), blank=True, default="")
    target_group = models.TextField(_("målgrupp"), blank=True, default="")
    expected_reach = models.PositiveIntegerField(_("förväntat antal som nås"), null=True, blank=True)
    partners = models.TextField(_("samverkanspartner"), blank=True, default="")
    status = models.CharField(
        _("status"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("inskickad"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The nämnd's proposed list: the officer's proposed amount (within the round's budget).
    proposed_amount = models.DecimalField(
        _("föreslaget belopp (kr)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    decision = models.CharField(_("beslut"), max_length=16, choices=Decision.choices, blank=True, default="")
    amount_granted = models.DecimalField(
        _("beviljat belopp (kr)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    conditions = models.TextField(_("villkor"), blank=True, default="")
    rejection_reason = models.TextField(_("skäl för avslag"), blank=True, default="")
    decided_at = models.DateTimeField(_("beslutad"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    letter_sent_at = models.DateTimeField(_("beslutsbrev skickat"), null=True, blank=True)
    # The granted activity in the intervention catalogue (owned by the grantor, the applicant provides it).
    intervention = models.ForeignKey(
        "interventions.Intervention",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("insats i katalogen"),
    )
    # Återrapportering
    report_reach = models.PositiveIntegerField(_("antal som nåtts"), null=True, blank=True)
    report_activities = models.TextField(_("genomförda aktiviteter"), blank=True, default="")
    report_spent = models.DecimalField(
        _("använt bidrag (kr)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    report_use_of_money = models.TextField(
        _("hur pengarna använts jämfört med budget"), blank=True, default=""
    )
    report_submitted_at = models.DateTimeField(_("återrapport inskickad"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    access_recipient_lookup = "round__organisation"

    class Meta:
        verbose_name = _("bidragsansökan")
        verbose_name_plural = _("bidragsansökningar")
        ordering = ["round", "organisation__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organisation"], name="grantapplication_one_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.title}"

    @property
    def report_overdue(self) -> bool:
        due = self.round.report_due
        return (
            self.decision == Decision.GRANTED
            and self.report_submitted_at is None
            and due is not None
            and timezone.localdate() > due
        )


class GrantBudgetLine(models.Model):
    application = models.ForeignKey(GrantApplication, on_delete=models.CASCADE, related_name="budget_lines")
    order = models.PositiveSmallIntegerField(default=0)
    item = models.CharField(_("kostnadspost"), max_length=200)
    cost = models.DecimalField(_("kostnad (kr)"), max_digits=14, decimal_places=2)
    other_financing = models.DecimalField(
        _("annan finansiering (kr)"), max_digits=14, decimal_places=2, default=0
    )
    financier = models.CharField(_("annan finansiär"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("budgetrad")
        verbose_name_plural = _("budgetrader")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.item


class GrantAssessment(models.Model):
    """One assessor's score on one criterion of one application, with the motivation (required)."""

    application = models.ForeignKey(GrantApplication, on_delete=models.CASCADE, related_name="assessments")
    criterion = models.ForeignKey(GrantCriterion, on_delete=models.CASCADE, related_name="assessments")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(_("poäng"), max_digits=6, decimal_places=2)
    motivation = models.TextField(_("motivering"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bedömning")
        verbose_name_plural = _("bedömningar")
        ordering = ["criterion__order", "criterion__pk", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion", "assessor"], name="grantassessment_one_per_assessor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"
