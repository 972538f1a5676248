"""Market dialogue (RFI, förfrågan om information): seed 000's invitation to solution owners.

The buyer owns the :class:`Rfi` and its questions; it invites organisations (a ``Share`` with purpose
"rfi") or publishes it openly (``is_public``). A :class:`RfiResponse` is owned by the responding
organisation and received by the buyer (``recipient``); each :class:`RfiAnswer` may carry the
respondent's request for secrecy, which the registrar later assesses (``sourcing.secrecy``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "QuestionKind",
    "Rfi",
    "RfiAnswer",
    "RfiFigure",
    "RfiQuestion",
    "RfiResponse",
    "RfiStatus",
    "ResponseStatus",
]


class RfiStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    PUBLISHED = "published", _("Publicerad")
    CLOSED = "closed", _("Avslutad")
    CANCELLED = "cancelled", _("Avbruten")


class Rfi(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="rfis", verbose_name=_("organisation")
    )
    title = models.CharField(_("rubrik (utmaningen)"), max_length=300)
    background = models.TextField(_("bakgrund"), blank=True, default="")
    purpose = models.TextField(
        _("syfte och hur svaren används"),
        blank=True,
        default="",
        help_text=_("Vad svaren ska användas till."),
    )
    challenge = models.TextField(_("utmaningen"), blank=True, default="")
    target_group = models.ForeignKey(
        "situation.TargetGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("målgrupp"),
    )
    results = models.ManyToManyField(
        "situation.Result", blank=True, related_name="+", verbose_name=_("målområden (resultat)")
    )
    form_decision = models.ForeignKey(
        "sourcing.FormDecision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rfis",
        verbose_name=_("val av samverkansform"),
    )
    compensation = models.TextField(_("ersättning"), blank=True, default="")
    secrecy_info = models.TextField(_("information om sekretess"), blank=True, default="")
    deadline = models.DateTimeField(_("sista svarsdag"), null=True, blank=True)
    contact_name = models.CharField(_("kontaktperson"), max_length=200, blank=True, default="")
    contact_email = models.EmailField(_("kontaktadress"), blank=True, default="")
    is_public = models.BooleanField(
        _("öppen inbjudan"),
        default=False,
        help_text=_("Visas på en öppen sida utan inloggning; alla som registrerar sig kan svara."),
    )
    status = models.CharField(_("status"), max_length=16, choices=RfiStatus.choices, default=RfiStatus.DRAFT)
    published_at = models.DateTimeField(_("publicerad"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("marknadsdialog (RFI)")
        verbose_name_plural = _("marknadsdialoger (RFI)")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    # An open invitation, once published, is visible to every logged-in organisation.
    def access_is_published(self) -> bool:
        return self.is_public and self.status in (RfiStatus.PUBLISHED, RfiStatus.CLOSED)

    @staticmethod
    def access_published_q() -> Q:
        return Q(is_public=True, status__in=[RfiStatus.PUBLISHED, RfiStatus.CLOSED])

    @property
    def is_open_for_answers(self) -> bool:
        """Published and before the deadline (server time decides)."""
        return self.status == RfiStatus.PUBLISHED and (
            self.deadline is None or timezone.now() < self.deadline
        )


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Fritext")
    CHOICE = "choice", _("Val")
    SCALE = "scale", _("Skala")
    YESNO = "yesno", _("Ja/nej med följdfråga")


class RfiQuestion(models.Model):
    rfi = models.ForeignKey(Rfi, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)
    text = models.TextField(_("fråga"))
    help_text = models.TextField(_("hjälptext"), blank=True, default="")
    kind = models.CharField(_("typ"), max_length=8, choices=QuestionKind.choices, default=QuestionKind.TEXT)
    choices = models.JSONField(_("svarsalternativ"), default=list, blank=True)
    scale_min = models.SmallIntegerField(_("skala från"), null=True, blank=True)
    scale_max = models.SmallIntegerField(_("skala till"), null=True, blank=True)
    follow_up = models.CharField(
        _("följdfråga vid ja"),
        max_length=500,
        blank=True,
        default="",
        help_text=_("Endast för ja/nej-frågor."),
    )
    required = models.BooleanField(_("obligatorisk"), default=False)
    # A stable key for filters in the analysis, e.g. "outcome_payment", "pilot" (seed 000's set).
    key = models.SlugField(_("nyckel"), max_length=50, blank=True, default="")

    class Meta:
        verbose_name = _("fråga")
        verbose_name_plural = _("frågor")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SUBMITTED = "submitted", _("Inskickat")
    WITHDRAWN = "withdrawn", _("Återkallat")


class RfiResponse(models.Model):
    rfi = models.ForeignKey(Rfi, on_delete=models.CASCADE, related_name="responses")
    # The responding organisation owns its response; the buyer receives it.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="rfi_responses"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    competences = models.TextField(_("kompetenser som erbjuds"), blank=True, default="")
    resources = models.TextField(_("resurser som erbjuds"), blank=True, default="")
    submitted_at = models.DateTimeField(_("inskickat"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # SHA-256 of the submitted content (the receipt), recomputed on every submission.
    receipt_sha256 = models.CharField(max_length=64, blank=True, default="")
    withdrawn_at = models.DateTimeField(_("återkallat"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    access_recipient_lookup = "rfi__organisation"

    class Meta:
        verbose_name = _("svar på marknadsdialog")
        verbose_name_plural = _("svar på marknadsdialog")
        ordering = ["rfi", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["rfi", "organisation"], name="rfiresponse_one_per_organisation")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.rfi}"

    # The secrecy mechanism's protocol (sourcing.secrecy.parts): one part per answer, plus the
    # offered competences and resources.
    def secrecy_title(self) -> str:
        return f"{self.rfi.title} – {self.organisation.name}"

    def secrecy_parts(self) -> list:
        from insats.sourcing.secrecy.parts import SecrecyPart

        parts = [
            SecrecyPart(
                key=f"answer-{a.question_id}",
                label=a.question.text,
                text=a.display,
                requested=a.secrecy_requested,
                reason=a.secrecy_reason,
            )
            for a in self.answers.select_related("question").order_by("question__order", "question__pk")
        ]
        for key, label, text in (
            ("competences", _("Kompetenser som erbjuds"), self.competences),
            ("resources", _("Resurser som erbjuds"), self.resources),
        ):
            if text:
                parts.append(SecrecyPart(key=key, label=str(label), text=text))
        return parts


class RfiAnswer(models.Model):
    response = models.ForeignKey(RfiResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(RfiQuestion, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(_("svar"), blank=True, default="")
    choice = models.CharField(_("valt alternativ"), max_length=200, blank=True, default="")
    scale_value = models.SmallIntegerField(_("värde på skalan"), null=True, blank=True)
    yes = models.BooleanField(_("ja"), null=True, blank=True)
    follow_up_text = models.TextField(_("svar på följdfrågan"), blank=True, default="")
    # The respondent's request for secrecy (begäran om sekretess) on this answer, with reasons.
    secrecy_requested = models.BooleanField(_("begär sekretess"), default=False)
    secrecy_reason = models.TextField(_("skäl för sekretess"), blank=True, default="")

    class Meta:
        verbose_name = _("svar på fråga")
        verbose_name_plural = _("svar på frågor")
        ordering = ["question__order", "question__pk"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="rfianswer_one_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.display}"

    @property
    def display(self) -> str:
        """The answer as one line of text, whatever the question's kind."""
        kind = self.question.kind
        if kind == QuestionKind.CHOICE:
            return self.choice
        if kind == QuestionKind.SCALE:
            return "" if self.scale_value is None else str(self.scale_value)
        if kind == QuestionKind.YESNO:
            head = "" if self.yes is None else (str(_("Ja")) if self.yes else str(_("Nej")))
            return f"{head} – {self.follow_up_text}" if self.follow_up_text else head
        return self.text


class RfiFigure(models.Model):
    """A figure of the lägesbild quoted in the RFI's challenge: the indicator, the area and the year
    are stored; the value and its source line are read from the situation app when the page is shown
    (``insats.sourcing.rfi.selectors.figure_rows``), so a corrected observation shows corrected."""

    rfi = models.ForeignKey(Rfi, on_delete=models.CASCADE, related_name="figures")
    indicator = models.ForeignKey(
        "situation.Indicator", on_delete=models.CASCADE, related_name="+", verbose_name=_("indikator")
    )
    area = models.ForeignKey(
        "situation.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("område")
    )
    period = models.PositiveSmallIntegerField(_("år"))
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("siffra ur lägesbilden")
        verbose_name_plural = _("siffror ur lägesbilden")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rfi", "indicator", "area", "period"], name="rfifigure_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.area} {self.period}"
