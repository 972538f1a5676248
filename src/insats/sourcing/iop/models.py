"""Idéburet offentligt partnerskap (IOP, issue 10 item 5; seed 002).

An :class:`IopAgreement` is drafted by a public body (its owner) after the IOP checklist passed; the
parties (:class:`IopParty`: the public body and one or more idéburna organisations) are equals:
every member of every party sees it, every party contributes (:class:`IopContribution`), and every
party's administrator signs. When all have signed, version 1 is frozen (:class:`IopVersion`); after
that the agreement changes only by joint decision (:class:`IopChangeProposal`, the rules of
``insats.core.joint_decision``). The parties follow up together (:class:`IopFollowUp`) and log their
avstämningar (:class:`IopCheckIn`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "ContributionKind",
    "IopAgreement",
    "IopChangeApproval",
    "IopChangeProposal",
    "IopCheckIn",
    "IopContribution",
    "IopFollowUp",
    "IopParty",
    "IopPartyRole",
    "IopStatus",
    "IopVersion",
]


class IopStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SIGNED = "signed", _("Undertecknat")


class IopPartyRole(models.TextChoices):
    PUBLIC = "offentlig", _("Offentlig part")
    IDEBUREN = "ideburen", _("Idéburen part")


class ContributionKind(models.TextChoices):
    MONEY = "money", _("Pengar")
    STAFF = "staff", _("Personaltimmar")
    VOLUNTEER = "volunteer", _("Ideella timmar")
    PREMISES = "premises", _("Lokaler")
    ADMINISTRATION = "administration", _("Administration")


class IopAgreement(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="iop_agreements",
        verbose_name=_("offentlig part som upprättade avtalet"),
    )
    title = models.CharField(_("namn"), max_length=200)
    goal = models.TextField(_("gemensamt samhälleligt mål"))
    result = models.ForeignKey(
        "situation.Result",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resultat i lägesbilden"),
    )
    decision = models.ForeignKey(
        "sourcing.FormDecision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("val av samverkansform"),
    )
    term_start = models.DateField(_("avtalet gäller från"))
    term_end = models.DateField(_("avtalet gäller till"))
    # The IOP checklist (insats.core.iop.QUESTIONS): {question: bool} and the reasons given.
    checklist = models.JSONField(_("checklista"), default=dict)
    checklist_reasons = models.JSONField(_("skäl"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=IopStatus.choices, default=IopStatus.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_at = models.DateTimeField(_("undertecknat"), null=True, blank=True)

    access_party_lookup = "parties__organisation"

    class Meta:
        verbose_name = _("IOP-avtal")
        verbose_name_plural = _("IOP-avtal")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def access_party_roles(self, organisation_id: int | None) -> set[str]:
        if organisation_id is None:
            return set()
        return set(self.parties.filter(organisation_id=organisation_id).values_list("role", flat=True))

    def clean(self) -> None:
        from insats.core.iop import term_check

        if self.term_start and self.term_end:
            error, _note = term_check(self.term_start, self.term_end)
            if error == "order":
                raise ValidationError({"term_end": _("Slutdatum måste vara efter startdatum.")})
            if error == "too_long":
                raise ValidationError(
                    {"term_end": _("Avtalstiden får vara högst tio år (de flesta IOP gäller 3–5 år).")}
                )

    def years(self) -> list[int]:
        return list(range(self.term_start.year, self.term_end.year + 1))


class IopParty(models.Model):
    agreement = models.ForeignKey(IopAgreement, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    role = models.CharField(_("roll"), max_length=16, choices=IopPartyRole.choices)
    signed_at = models.DateTimeField(_("undertecknat"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parter")
        ordering = ["agreement", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "organisation"], name="iop_party_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class IopContribution(models.Model):
    agreement = models.ForeignKey(IopAgreement, on_delete=models.CASCADE, related_name="contributions")
    party = models.ForeignKey(IopParty, on_delete=models.CASCADE, related_name="contributions")
    kind = models.CharField(_("slag"), max_length=16, choices=ContributionKind.choices)
    year = models.PositiveIntegerField(_("år"))
    quantity = models.DecimalField(_("mängd"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("enhet"), max_length=40)
    value = models.DecimalField(
        _("värde (kr)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Värdet i kronor där det går att värdera; lämna tomt annars."),
    )
    description = models.CharField(_("beskrivning"), max_length=300, blank=True, default="")

    class Meta:
        verbose_name = _("bidrag")
        verbose_name_plural = _("bidrag")
        ordering = ["agreement", "year", "party", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.party.organisation} {self.year}: {self.get_kind_display()}"


class IopFollowUp(models.Model):
    """One line of the joint follow-up plan: what is measured, who does it, when."""

    agreement = models.ForeignKey(IopAgreement, on_delete=models.CASCADE, related_name="follow_ups")
    measure = models.CharField(_("vad följs upp"), max_length=300)
    responsible = models.CharField(_("vem"), max_length=200)
    timing = models.CharField(_("när"), max_length=200)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("uppföljning")
        verbose_name_plural = _("uppföljningsplan")
        ordering = ["agreement", "order", "pk"]

    def __str__(self) -> str:
        return self.measure


class IopCheckIn(models.Model):
    """An avstämning: the parties met; what they noted and the adjustments they agreed on."""

    agreement = models.ForeignKey(IopAgreement, on_delete=models.CASCADE, related_name="check_ins")
    date = models.DateField(_("datum"))
    notes = models.TextField(_("anteckningar"))
    adjustments = models.TextField(_("överenskomna justeringar"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("avstämning")
        verbose_name_plural = _("avstämningar")
        ordering = ["agreement", "-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.agreement} {self.date}"


class IopVersion(models.Model):
    """The agreed terms frozen: version 1 at the last signature, then one per joint change."""

    agreement = models.ForeignKey(IopAgreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("ögonblicksbild"))
    approved_by = models.JSONField(_("godkänd av"), default=list)
    reason = models.CharField(_("anledning"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("avtalsversion")
        verbose_name_plural = _("avtalsversioner")
        ordering = ["agreement", "number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="iop_version_unique")]

    def __str__(self) -> str:
        return f"{self.agreement} v{self.number}"


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Öppen")
    APPROVED = "approved", _("Genomförd")
    REJECTED = "rejected", _("Avslagen")
    WITHDRAWN = "withdrawn", _("Återtagen")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Godkänner")
    REJECT = "reject", _("Avslår")


class IopChangeProposal(models.Model):
    """A change of a signed agreement; applies when every party has approved.

    ``payload``: any of ``goal`` (text), ``term_end`` (ISO date), ``contributions`` (the full list
    replacing the current one: ``[{"organisation_id", "kind", "year", "quantity", "unit", "value",
    "description"}]``) and ``follow_ups`` (the full plan: ``[{"measure", "responsible", "timing"}]``).
    """

    agreement = models.ForeignKey(IopAgreement, on_delete=models.CASCADE, related_name="change_proposals")
    description = models.TextField(_("beskrivning och skäl"))
    payload = models.JSONField(_("ändring"), default=dict)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_by_party = models.ForeignKey(IopParty, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    resulting_version = models.ForeignKey(
        IopVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ändringsförslag")
        verbose_name_plural = _("ändringsförslag")
        ordering = ["agreement", "-created_at"]

    def __str__(self) -> str:
        return self.description[:60]


class IopChangeApproval(models.Model):
    proposal = models.ForeignKey(IopChangeProposal, on_delete=models.CASCADE, related_name="approvals")
    party = models.ForeignKey(IopParty, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decision = models.CharField(_("beslut"), max_length=8, choices=Decision.choices)
    reason = models.TextField(_("motivering"), blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ställningstagande")
        verbose_name_plural = _("ställningstaganden")
        ordering = ["proposal", "at"]
        constraints = [models.UniqueConstraint(fields=["proposal", "party"], name="iop_approval_once")]
