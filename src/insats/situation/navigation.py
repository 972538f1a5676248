"""The planning sub-navigation: the links the actor may open, the current one marked."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from insats.accounts.access import can

# (section, url name, label, ability the view requires)
SUBNAV = [
    ("lagesbild", "situation:home", _("Lägesbild"), "situation.view"),
    ("plan", "situation:plan_home", _("Planering"), "plan.view"),
    ("targetgroups", "situation:targetgroup_list", _("Målgrupper"), "plan.view"),
    ("causes", "situation:cause_list", _("Orsaksanalyser"), "cause.view"),
    ("factors", "situation:factor_list", _("Risk- och skyddsfaktorer"), "cause.view"),
    ("results", "situation:result_list", _("Resultat och aktivitetsplaner"), "plan.view"),
    ("import", "situation:import_start", _("Importera egna data"), "situation.import"),
    ("kolada", "situation:kolada_sync", _("Hämta från Kolada"), "situation.kolada_sync"),
]


@dataclass(frozen=True)
class SubnavLink:
    section: str
    url: str
    label: str
    current: bool


def subnav_links(actor, section: str | None) -> list[SubnavLink]:
    """The sub-navigation links ``actor`` may open (``access.can``), ``section`` marked current."""
    if actor is None:
        return []
    return [
        SubnavLink(name, reverse(url_name), str(label), name == section)
        for name, url_name, label, ability in SUBNAV
        if can(actor, ability)
    ]
