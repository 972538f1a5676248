"""Main navigation, by the lifecycle of DESIGN.md. Items whose page does not exist yet are not shown."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from insats.accounts import access


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    ability: str | None = None


LIFECYCLE = [
    NavItem("situation", _("Lägesbild"), "situation:home", "situation.view"),
    NavItem("interventions", _("Insatser"), "interventions:home", "intervention.view"),
    NavItem("sourcing", _("Samverkan och upphandling"), "sourcing:home", "sourcing.view"),
    NavItem("contracts", _("Utfallskontrakt"), "contracts:home", "contract.view"),
    NavItem("followup", _("Uppföljning"), "followup:home", "followup.view"),
]

ORGANISATION = [
    NavItem("organisation", _("Organisation"), "accounts:my_organisation", "organisation.view"),
    NavItem("partnerships", _("Samverkan"), "accounts:partnerships", "partnership.view"),
    NavItem("bodies", _("Organ"), "accounts:bodies", "governance.view"),
    NavItem("audit", _("Granskningslogg"), "audit:search", "audit.view"),
]


def visible(items: list[NavItem], actor: access.Actor) -> list[dict]:
    shown = []
    for item in items:
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue  # not built yet
        if item.ability and (item.ability not in access.RULES or not access.can(actor, item.ability)):
            continue
        shown.append({"key": item.key, "label": item.label, "url": url})
    return shown
