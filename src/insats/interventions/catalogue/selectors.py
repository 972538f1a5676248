"""Read queries the catalogue's pages, the map, reviews and plans share."""

from __future__ import annotations

from collections import defaultdict

from django.db import models

from insats.accounts import access
from insats.accounts.access import Actor

from .models import AgeBand, Intensity, Intervention


def age_bands_for(organisation_id: int | None) -> list[AgeBand]:
    """The organisation's own age bands if it has defined any, else the default set."""
    own = list(AgeBand.objects.filter(organisation_id=organisation_id)) if organisation_id else []
    return own or list(AgeBand.objects.filter(organisation__isnull=True))


def visible_interventions(actor: Actor, ability: str = "intervention.view") -> models.QuerySet[Intervention]:
    """Every intervention the actor may see: own, shared with its organisation, and the portfolio of
    the samordningsförbund its organisation is a member of."""
    return access.scope(actor, Intervention.objects.select_related("organisation", "method"), ability)


def matrix(interventions, bands: list[AgeBand]) -> dict[tuple[str, int], list[Intervention]]:
    """Seed 003's matrix: (intensity, age band pk) -> the interventions in that cell.

    An intervention sits in every band it covers; ``interventions`` should prefetch ``age_bands``."""
    band_ids = {b.pk for b in bands}
    cells: dict[tuple[str, int], list[Intervention]] = defaultdict(list)
    for intervention in interventions:
        for band in intervention.age_bands.all():
            if band.pk in band_ids:
                cells[(intervention.intensity, band.pk)].append(intervention)
    return {(i, b.pk): cells.get((i, b.pk), []) for i in Intensity.values for b in bands}


def shared_ids(actor: Actor) -> list[int]:
    """Interventions shared explicitly with the actor's organisation (not revoked)."""
    from django.contrib.contenttypes.models import ContentType

    from insats.accounts.models import Share

    ct = ContentType.objects.get_for_model(Intervention)
    ids = Share.objects.filter(
        content_type=ct, organisation_id=actor.organisation_id, revoked_at__isnull=True
    ).values_list("object_id", flat=True)
    return [int(i) for i in ids if i.isdigit()]


def filtered(actor: Actor, filters: dict) -> models.QuerySet[Intervention]:
    """The visible interventions narrowed by the list's filters (search text, status, intensity, age
    band, evidence level, provider, owner: own / shared with us / the förbund's portfolio)."""
    qs = visible_interventions(actor)
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(
            models.Q(name__icontains=q)
            | models.Q(description__icontains=q)
            | models.Q(method_name__icontains=q)
            | models.Q(method__name__icontains=q)
        )
    for key, lookup in (("status", "status"), ("intensity", "intensity"), ("evidence", "evidence_level")):
        if filters.get(key):
            qs = qs.filter(**{lookup: filters[key]})
    if filters.get("age_band"):
        qs = qs.filter(age_bands__pk=filters["age_band"])
    if filters.get("provider"):
        qs = qs.filter(providers__pk=filters["provider"])
    owner = filters.get("owner")
    if owner == "own":
        qs = qs.filter(organisation_id=actor.organisation_id)
    elif owner == "shared":
        qs = qs.filter(pk__in=shared_ids(actor))
    elif owner == "federation":
        qs = qs.filter(organisation_id__in=actor.federation_ids())
    return qs.distinct().order_by("name", "pk")
