"""The map's own data: at which intensity a target group's need lies.

A target group (``situation.TargetGroup``) says whom it is about (ages, size) but not how intensive
the help it needs is; the organisation places it on a row of the map. Without a placement the group
is listed on the map as "not placed" and its need is not counted in any cell.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from insats.interventions.catalogue.models import Intensity

__all__ = ["NeedAssignment"]


class NeedAssignment(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="need_assignments",
        verbose_name=_("organisation"),
    )
    target_group = models.OneToOneField(
        "situation.TargetGroup",
        on_delete=models.CASCADE,
        related_name="need_assignment",
        verbose_name=_("målgrupp"),
    )
    intensity = models.CharField(_("intensitet"), max_length=12, choices=Intensity.choices)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("behovets intensitet")
        verbose_name_plural = _("behovens intensitet")
        ordering = ["target_group__name"]

    def __str__(self) -> str:
        return f"{self.target_group} – {self.get_intensity_display()}"
