"""Writes of the map: placing a target group's need at an intensity (audited)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from insats.accounts import access
from insats.accounts.access import Actor
from insats.audit.services import log_action
from insats.interventions.catalogue.models import Intensity
from insats.situation.models_plans import TargetGroup

from .models import NeedAssignment


@transaction.atomic
def assign_need(*, actor: Actor, target_group: TargetGroup, intensity: str) -> NeedAssignment | None:
    """Place ``target_group``'s need at ``intensity``; an empty intensity removes the placement.

    The actor must be allowed to edit the organisation's interventions and the target group must be
    its own (``plan.view``: own only)."""
    access.check(actor, "intervention.edit")
    if not access.can(actor, "plan.view", target_group):
        raise ValidationError({"target_group": _("Målgruppen tillhör en annan organisation.")})
    if intensity and intensity not in Intensity.values:
        raise ValidationError({"intensity": _("Okänd intensitet: %(value)s") % {"value": intensity}})
    current = NeedAssignment.objects.filter(target_group=target_group).first()
    before = current.intensity if current else ""
    if before == intensity:
        return current
    if not intensity:
        current.delete()
        result = None
    elif current:
        current.intensity = intensity
        current.updated_by = actor.user
        current.save(update_fields=["intensity", "updated_by", "updated_at"])
        result = current
    else:
        result = NeedAssignment.objects.create(
            organisation_id=target_group.organisation_id,
            target_group=target_group,
            intensity=intensity,
            updated_by=actor.user,
        )
    log_action(
        "interventions.need_assignment.set",
        actor=actor.user,
        organisation=actor.organisation,
        obj=target_group,
        changes={"intensity": [before or None, intensity or None]},
    )
    return result
