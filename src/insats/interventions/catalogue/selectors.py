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
