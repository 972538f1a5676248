"""Demo data for the map (called by ``manage.py demo_interventions`` after the catalogue): the
lägesbild's target groups placed at an intensity, so Helsingborg's map shows its gap (no targeted
early intervention for 7–13 against the pupils receiving social services) and Tomelilla's map has
the 6–10 target group as need. Idempotent; placed by each organisation's demo analyst."""

from __future__ import annotations

from insats.accounts.access import Actor
from insats.accounts.models import Membership, Role
from insats.situation.models_plans import TargetGroup

from ..catalogue.models import Intensity
from . import services
from .models import NeedAssignment

NEEDS = [
    ("Helsingborgs stad", "Elever i grundskolan som tar del av sociala tjänster", Intensity.TARGETED),
    ("Tomelilla kommun", "Barn 6–10 år i riskzonen", Intensity.TARGETED),
]


def build() -> list[str]:
    lines = []
    for org_name, group_name, intensity in NEEDS:
        group = TargetGroup.objects.filter(organisation__name=org_name, name=group_name).first()
        membership = (
            Membership.objects.filter(organisation__name=org_name, role__in=[Role.ANALYST, Role.ADMIN])
            .select_related("user", "organisation")
            .order_by("role", "pk")
            .first()
        )
        if group is None or membership is None:
            lines.append(f"Karta: {org_name} saknar målgruppen eller en analytiker; behovet placeras inte.")
            continue
        if NeedAssignment.objects.filter(target_group=group, intensity=intensity).exists():
            continue  # already placed: a second run changes nothing
        services.assign_need(
            actor=Actor(user=membership.user, membership=membership), target_group=group, intensity=intensity
        )
        lines.append(f"Karta: {group_name} ({org_name}) som behov för {Intensity(intensity).label}.")
    return lines
