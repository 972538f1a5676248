"""Words in Kolada's and the demo's data that pages show as headings and units, in the page
language: "procent" → "per cent", "Grundskola och gymnasieskola" → "Compulsory and upper-secondary
school" on English pages. Unknown units and areas are data and are shown as they are (indicator
names from Kolada stay Swedish unless the indicator has an English title)."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

UNITS = {
    "procent": _("procent"),
    "procentenheter": _("procentenheter"),
    "kr": _("kr"),
    "kr/inv": _("kr/inv"),
    "per 1 000 barn": _("per 1 000 barn"),
    "betygspoäng": _("betygspoäng"),
    "meritpoäng": _("meritpoäng"),
    "antal": _("antal"),
}

AREAS = {
    "Grundskola och gymnasieskola": _("Grundskola och gymnasieskola"),
    "Individ- och familjeomsorg, barn och unga": _("Individ- och familjeomsorg, barn och unga"),
    "Socioekonomiska förutsättningar": _("Socioekonomiska förutsättningar"),
    "Övriga indikatorer": _("Övriga indikatorer"),
}


def unit_label(unit: str | None) -> str:
    """An indicator's unit in the page language (a unit we do not know is shown as it is)."""
    text = (unit or "").strip()
    label = UNITS.get(text.lower())
    return gettext(str(label)) if label is not None else text


def area_label(name: str | None) -> str:
    """A Kolada operating area (a heading on the lägesbild) in the page language."""
    text = (name or "").strip()
    label = AREAS.get(text)
    return str(label) if label is not None else text
