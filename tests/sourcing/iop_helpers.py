"""Builders for IOP tests: two associations with an admin each and an agreement ready to sign."""

from __future__ import annotations

import datetime
from decimal import Decimal

from insats.accounts import services as accounts
from insats.accounts.access import Actor
from insats.accounts.models import User
from insats.sourcing.iop import services
from tests.conftest import PASSWORD, org_number

PASSING = {
    "ideburet_initiative": True,
    "need_identified_together": True,
    "every_party_contributes": True,
    "long_term_budget_plan": True,
    "self_running": False,
    "service_for_sale": False,
}


def actor(w, org_key: str, role: str = "admin") -> Actor:
    m = w.membership(org_key, role)
    return Actor(user=m.user, membership=m)


def association(w, key: str, name: str, seed: int):
    org = accounts.organisation_create(actor=None, name=name, org_number=org_number(seed), kind="ideburen")
    w.orgs[key] = org
    for role in ("admin", "analyst", "viewer"):
        user = User.objects.create_user(f"{role}@{key}.test", PASSWORD, full_name=f"{role.title()} {key}")
        accounts.membership_add(actor=None, user=user, organisation=org, role=role)
        w.users[(key, role)] = user
    return org


def draft(w, *, associations=("las", "idrott"), title="Familjen läser") -> object:
    """A draft by the world's owner with the given associations as parties, a contribution from each
    party and a follow-up line: ready to sign."""
    owner = actor(w, "owner")
    agreement = services.agreement_create(
        actor=owner,
        organisation=w.orgs["owner"],
        title=title,
        goal="Fler barn klarar skolan: förberedande läsning för barn och föräldrar.",
        term_start=datetime.date(2025, 1, 1),
        term_end=datetime.date(2027, 12, 31),
        answers=PASSING,
    )
    for i, key in enumerate(associations):
        if key not in w.orgs:
            association(
                w,
                key,
                {"las": "Läsfrämjandet Syd", "idrott": "Idrottsföreningen Framåt"}.get(key, key),
                700 + i,
            )
        services.party_add(actor=owner, agreement=agreement, organisation=w.orgs[key])
    for party in agreement.parties.all():
        services.contribution_add(
            actor=owner,
            agreement=agreement,
            party=party,
            kind="money" if party.role == "offentlig" else "volunteer",
            year=2025,
            quantity=Decimal(100),
            unit="timmar",
            value=Decimal("50000"),
        )
    services.follow_up_add(
        actor=owner,
        agreement=agreement,
        measure="Andel barn med hög frånvaro",
        responsible="Socialförvaltningen",
        timing="Varje termin",
    )
    return agreement


def sign_all(w, agreement, keys=("owner", "las", "idrott")):
    for key in keys:
        services.sign(actor=actor(w, key), agreement=agreement)
    agreement.refresh_from_db()
    return agreement
