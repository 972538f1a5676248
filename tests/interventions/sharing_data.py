"""Test data for sharing and the public listing: interventions made directly (the catalogue's own
services belong to another package), with the personal data the public listing must never show."""

from __future__ import annotations

from decimal import Decimal

from insats.interventions.catalogue.models import (
    AgeBand,
    Intensity,
    Intervention,
    InterventionReach,
    InterventionStaffing,
)

SECRET_NAME = "Hemlig insats Ödla"
SECRET_DESCRIPTION = "Beskrivning som bara ägaren får se 7f3a"
CONTACT_PERSON = "Kerstin Kontaktperson"
STAFF_PROFESSION = "Socionom"


def make_intervention(org, *, name: str = SECRET_NAME, **extra) -> Intervention:
    values = {
        "description": SECRET_DESCRIPTION,
        "intensity": Intensity.TARGETED,
        "contact_name": CONTACT_PERSON,
        "contact_email": "familjestod@tomelilla.test",
        "contact_phone": "0417-123 45",
        "annual_budget": Decimal("1250000.00"),
        "method_name": "Eget föräldraprogram",
        **extra,
    }
    intervention = Intervention.objects.create(organisation=org, name=name, **values)
    intervention.age_bands.set(AgeBand.objects.filter(organisation__isnull=True, age_from__in=[7, 14]))
    InterventionStaffing.objects.create(
        intervention=intervention, profession=STAFF_PROFESSION, people=2, fte=Decimal("1.5")
    )
    return intervention


def add_reach(intervention, year: int, by_band: dict[int, int]) -> None:
    """Participants per default age band (by age_from), both genders, no municipality."""
    for age_from, n in by_band.items():
        band = AgeBand.objects.get(organisation__isnull=True, age_from=age_from)
        InterventionReach.objects.create(
            intervention=intervention, year=year, age_band=band, gender="T", participants=n
        )
