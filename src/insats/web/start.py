"""What to do next, per role: the start page's suggestions. Only pages that exist are suggested."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from insats.accounts import access


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    url_name: str
    ability: str
    roles: frozenset[str]
    # Not shown to an actor who holds this ability (a sibling card offers them more).
    unless: str = ""


R = access.Role
EVERYONE = frozenset(r.value for r in R)

STEPS = [
    Step(
        _("Lägesbild"),
        _(
            "Se var kommunen står bland alla kommuner och bland liknande kommuner, med trend, prognos "
            "och värden justerade för socioekonomisk bakgrund."
        ),
        "situation:home",
        "situation.view",
        frozenset({R.ANALYST, R.ADMIN, R.VIEWER, R.CONTRACT_MANAGER, R.EVALUATOR}),
    ),
    Step(
        _("Orsaksanalys och aktivitetsplan"),
        _(
            "Från lägesbild till orsaksanalys och aktivitetsplan: målgrupper, orsaksträd, resultat med "
            "mätbara mål och vem som gör vad."
        ),
        "situation:plan_home",
        "plan.view",
        frozenset({R.ANALYST, R.ADMIN, R.CONTRACT_MANAGER}),
    ),
    Step(
        _("Importera egna data"),
        _(
            "Läs in egna mätvärden, t.ex. skolfrånvaro, från CSV eller Excel – allt eller inget, "
            "med felrapport."
        ),
        "situation:import_start",
        "situation.import",
        frozenset({R.ANALYST}),
    ),
    Step(
        _("Hämta från Kolada"),
        _(
            "Hämta nyckeltalens senaste värden från Kolada till lägesbilden; hämtningen körs i "
            "bakgrunden och redovisar reviderade och borttagna värden."
        ),
        "situation:kolada_sync",
        "situation.kolada_sync",
        frozenset({R.ANALYST}),
    ),
    Step(
        _("Bjud in kollegor"),
        _(
            "Ge kollegor en roll i organisationen: analytiker, upphandlare, utvärderare, "
            "avtalsansvarig, handläggare eller läsare."
        ),
        "accounts:my_members",
        "membership.manage",
        frozenset({R.ADMIN}),
    ),
    Step(
        _("Samverkan med andra organisationer"),
        _(
            "Registrera partnerskap och samverkansnivå (information till "
            "partnerskap) med datum, så att historiken syns."
        ),
        "accounts:partnerships",
        "partnership.manage",
        EVERYONE,
    ),
    # The same page for those who may only read it: no offer to register what they cannot.
    Step(
        _("Samverkan med andra organisationer"),
        _("Se organisationens partnerskap och samverkansnivåer med datum och historik."),
        "accounts:partnerships",
        "partnership.view",
        EVERYONE,
        unless="partnership.manage",
    ),
    Step(
        _("Styrelse, beredningsgrupp och styrgrupper"),
        _("Se vilka som sitter i organisationens organ, vem de representerar och deras mandatperioder."),
        "accounts:bodies",
        "governance.view",
        EVERYONE,
    ),
    Step(
        _("Granska loggen"),
        _(
            "Sök i granskningsloggen efter ändringar, inloggningar och misslyckade "
            "inloggningar; exportera som CSV."
        ),
        "audit:search",
        "audit.view",
        frozenset({R.ADMIN}),
    ),
    Step(
        _("API-nycklar"),
        _("Skapa en personlig API-nyckel för att hämta data till egna analyser."),
        "accounts:tokens",
        "token.manage",
        frozenset({R.ANALYST, R.ADMIN, R.EVALUATOR, R.CONTRACT_MANAGER}),
    ),
    Step(
        _("Tvåfaktorsinloggning"),
        _("Din roll kräver tvåfaktorsinloggning. Håll återställningskoderna på ett säkert ställe."),
        "accounts:two_factor",
        "token.manage",
        frozenset({R.ADMIN, R.CASEWORKER}),
    ),
    Step(
        _("Utfallskontrakt"),
        _(
            "Se de utfallskontrakt där er organisation är part: villkor, utfallsmått och priser, "
            "vad kontraktet skulle betala vid olika utfall, underskrifter och ändringar."
        ),
        "contracts:home",
        "contract.view",
        EVERYONE,
    ),
    Step(
        _("Upprätta ett utfallskontrakt"),
        _(
            "Beskriv insatsen och målgruppen, lägg till utförare, utfallsfond och validerare, sätt "
            "utfallsmått och priser och förhandsvisa betalningarna innan parterna undertecknar."
        ),
        "contracts:create",
        "contract.create",
        frozenset({R.ADMIN, R.CONTRACT_MANAGER}),
    ),
]


def next_steps(actor: access.Actor) -> list[dict]:
    out = []
    for step in STEPS:
        if actor.role not in step.roles or not access.can(actor, step.ability):
            continue
        if step.unless and access.can(actor, step.unless):
            continue
        try:
            url = reverse(step.url_name)
        except NoReverseMatch:
            continue
        out.append({"title": step.title, "text": step.text, "url": url})
    return out
