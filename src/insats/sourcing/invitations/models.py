"""Invitations by e-mail to a process: an RFI, a grant round or an IOP (issue 10 item 1).

The inviting organisation owns the :class:`ProcessInvitation`. It names the object (content type +
object id; which kinds exist is :mod:`.registry`'s business), either an existing organisation from the
directory or an e-mail address, and holds only the SHA-256 of the token sent in the link. Accepting
shares the object with the accepting organisation (``accounts.services.share_create``, or the kind's
hook), once; an invitation can be revoked while it is open and expires after ``INVITATION_DAYS``.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["InvitationStatus", "ProcessInvitation"]


class InvitationStatus(models.TextChoices):
    OPEN = "open", _("Öppen")
    ACCEPTED = "accepted", _("Antagen")
    REVOKED = "revoked", _("Återkallad")
    EXPIRED = "expired", _("Utgången")


class ProcessInvitation(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="process_invitations_sent",
        verbose_name=_("inbjudande organisation"),
    )
    kind = models.CharField(_("typ av process"), max_length=16)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    email = models.EmailField(_("e-postadress"), blank=True, default="")
    invited_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="process_invitations_received",
        verbose_name=_("inbjuden organisation"),
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("giltig till"))
    accepted_at = models.DateTimeField(_("antagen"), null=True, blank=True)
    accepted_by_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("antagen av"),
    )
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("inbjudan till process")
        verbose_name_plural = _("inbjudningar till process")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.invited_organisation.name if self.invited_organisation_id else self.email

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, ProcessInvitation.hash(token)

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256((token or "").encode()).hexdigest()

    @property
    def status(self) -> str:
        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.OPEN

    @property
    def status_label(self) -> str:
        return str(InvitationStatus(self.status).label)

    @property
    def is_open(self) -> bool:
        return self.status == InvitationStatus.OPEN
