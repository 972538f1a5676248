"""Demo: two form decisions walked through the advisor (issue 10 item 7).

* **Helsingborgs stad — "Familjen läser"** (seed 002): förberedande läsinlärning for children and
  their parents, run together with two associations (Läsfrämjarna Nordvästra Skåne and
  Föräldranätverket Helsingborg). An idéburet initiative, the need identified together, every party
  contributes, a long-term budget plan and no service to buy: the advisor recommends an IOP and the
  analyst decides so. Linked to the catalogue's "Familjen läser" and the lägesbild's result about
  school attendance when they exist (free text otherwise).
* **Tomelilla kommun — "Barn 6–10 år i riskzon"** (seed 000): no ready solution, one has to be
  developed with the market; the advisor recommends innovationsupphandling, starting with the
  market dialogue (the RFI), and the procurement officer decides so.

The estimated values are invented demo figures. Idempotent: a decision is found by organisation and
title; nothing is written when it exists. Runs after the catalogue's and the lägesbild's demos.
"""

from __future__ import annotations

import datetime

from insats.accounts.models import Membership, Organisation

from . import services
from .models import FormDecision

HELSINGBORG = "Helsingborgs stad"
TOMELILLA = "Tomelilla kommun"
FAMILJEN_LASER = "Familjen läser"
TOMELILLA_TITLE = "Barn 6–10 år i riskzon"

HBG_ANSWERS = {
    "order": "nej",
    "market": "nej",
    "idea_based": "ja",
    "self_running": "nej",
    "need_together": "ja",
    "all_contribute": "ja",
    "budget_plan": "ja",
    "innovation": "nej",
    "effect_measurable": "ja",
    "outcome_fund": "nej",
    "social_service": "ja",
    "estimated_value": "1800000",  # invented: the city's share over three years
}
HBG_DESCRIPTION = (
    "Förberedande läsinlärning och grundläggande matematik för barn i förskolor i socioekonomiskt "
    "utsatta områden, och stöd till föräldrar med låg läs- och skrivförmåga att vara goda "
    "skolföräldrar. Metoden har prövats på några förskolor med positivt resultat och ska nå fler "
    "familjer tillsammans med Läsfrämjarna Nordvästra Skåne och Föräldranätverket Helsingborg "
    "(ideellt arbete och lokaler), skol- och fritidsförvaltningen och socialförvaltningen."
)

TOM_ANSWERS = {
    "order": "nej",
    "market": "",  # not known: that is what the market dialogue is for
    "idea_based": "nej",
    "innovation": "ja",
    "effect_measurable": "ja",
    "outcome_fund": "",
    "social_service": "ja",
    "estimated_value": "",
}
TOM_DESCRIPTION = (
    "Tidiga insatser för barn 6–10 år som riskerar en ohälsosam utveckling: trygga vuxenrelationer, "
    "självkänsla och skolnärvaro. Ingen färdig lösning finns; kommunen vill i en marknadsdialog se "
    "vilka lösningar, kompetenser och betalningsmodeller (t.ex. betalning efter sociala utfall) som "
    "finns innan en innovationsupphandling."
)


def _officer(org: Organisation, roles: tuple[str, ...]):
    m = (
        Membership.objects.filter(organisation=org, role__in=roles)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return m.user if m else None


def _helsingborg() -> str:
    org = Organisation.objects.filter(name=HELSINGBORG).first()
    if org is None:
        return f"Formval: {HELSINGBORG} saknas (kör manage.py demo först) – hoppar över."
    existing = FormDecision.objects.filter(organisation=org, title=FAMILJEN_LASER).first()
    if existing is not None:
        return f"Formval: ”{FAMILJEN_LASER}” finns redan ({existing.get_chosen_display() or 'ej beslutat'})."
    from insats.interventions.catalogue.models import Intervention
    from insats.situation.models_plans import Result

    intervention = Intervention.objects.filter(organisation=org, name=FAMILJEN_LASER).first()
    result = Result.objects.filter(organisation=org, title="Elevens närvaro i skolan ska öka").first()
    user = _officer(org, ("analyst", "admin"))
    decision = services.decision_create(
        actor=user,
        organisation=org,
        title=FAMILJEN_LASER,
        need_description=HBG_DESCRIPTION,
        target_group=result.target_group if result else None,
        result=result,
        intervention=intervention,
        answers=HBG_ANSWERS,
        on=datetime.date(2024, 5, 15),
    )
    services.decision_decide(actor=user, decision=decision, chosen=decision.recommended)
    decision.refresh_from_db()
    rules = ", ".join(r["rule"] for r in decision.reasons)
    return f"Formval: ”{FAMILJEN_LASER}” (Helsingborg) → {decision.get_chosen_display()} (regler {rules})."


def _tomelilla() -> str:
    org = Organisation.objects.filter(name=TOMELILLA).first()
    if org is None:
        return f"Formval: {TOMELILLA} saknas (kör manage.py demo först) – hoppar över."
    existing = FormDecision.objects.filter(organisation=org, title=TOMELILLA_TITLE).first()
    if existing is not None:
        return f"Formval: ”{TOMELILLA_TITLE}” finns redan ({existing.get_chosen_display() or 'ej beslutat'})."
    from insats.situation.models_plans import TargetGroup

    group = TargetGroup.objects.filter(organisation=org, name__startswith="Barn 6–10 år").first()
    user = _officer(org, ("procurement", "admin"))
    decision = services.decision_create(
        actor=user,
        organisation=org,
        title=TOMELILLA_TITLE,
        need_description=TOM_DESCRIPTION,
        target_group=group,
        answers=TOM_ANSWERS,
        on=datetime.date(2022, 4, 1),
    )
    services.decision_decide(actor=user, decision=decision, chosen=decision.recommended)
    decision.refresh_from_db()
    rules = ", ".join(r["rule"] for r in decision.reasons)
    return f"Formval: ”{TOMELILLA_TITLE}” (Tomelilla) → {decision.get_chosen_display()} (regler {rules})."


def build() -> list[str]:
    return [_helsingborg(), _tomelilla()]
