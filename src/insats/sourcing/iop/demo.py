"""Demo: Helsingborg's IOP "Familjen läser" (seed 002) with two invented associations, signed by
all three parties (version 1), two check-ins and the level-5 partnerships. Idempotent."""

from __future__ import annotations

import datetime
from decimal import Decimal
from importlib import import_module

from insats.accounts import services as accounts
from insats.accounts.access import Actor
from insats.accounts.demo_data import invented_org_number
from insats.accounts.models import Membership, Organisation, Role, User
from insats.situation.models import Result

from . import services
from .models import IopAgreement

TITLE = "Familjen läser"
HELSINGBORG = "212000-1157"
# Invented associations (valid organisationsnummer, 802… = ideell förening) and their demo admins.
ASSOCIATIONS = [
    (
        "Läsfrämjandet Syd",
        invented_org_number("802599101"),
        "admin@lasframjandetsyd.demo",
        "Amina Rahimi",
        "Bokstav-Havsörn-52",
    ),
    (
        "Föräldraföreningen Räkneglädje",
        "802599-1020",
        "admin@rakneglädje.demo",
        "Johan Berg",
        "Kulram-Solvik-36",
    ),
]
ANSWERS = {
    "ideburet_initiative": True,
    "need_identified_together": True,
    "every_party_contributes": True,
    "long_term_budget_plan": True,
    "self_running": False,
    "service_for_sale": False,
}
REASONS = {
    "ideburet_initiative": "Läsfrämjandet Syd tog initiativ till läsgrupper för familjer i Drottninghög.",
    "need_identified_together": "Behovet identifierades gemensamt i dialogmöten 2024 (nivå 3–4).",
    "every_party_contributes": "Staden bidrar med pengar, lokaler och personal; föreningarna med ideell tid.",
    "long_term_budget_plan": "Socialnämndens budget 2025–2028 har utrymme för insatsen.",
    "self_running": "Kräver regelbunden samverkan med förskolor och socialtjänsten.",
    "service_for_sale": "Ingen marknad: metoden bygger på föreningarnas ideella läsombud.",
}


def _org_number_free(number: str) -> bool:
    return not Organisation.objects.filter(org_number=number).exists()


def _associations() -> list[Organisation]:
    """Two idéburna organisations: the invitations engineer's outside organisations if present,
    otherwise self-registered ones made here."""
    orgs: list[Organisation] = []
    try:
        outside = import_module("insats.sourcing.invitations.demo").outside_organisations
    except (ModuleNotFoundError, AttributeError):
        outside = None
    if outside is not None:
        orgs = [o for o in outside().values() if o.kind == "ideburen"][:2]
    for name, number, *_rest in ASSOCIATIONS[len(orgs) :]:
        org = Organisation.objects.filter(name=name).first()
        if org is None and _org_number_free(number):
            org = accounts.organisation_create(actor=None, name=name, org_number=number, kind="ideburen")
            org.self_registered = True
            org.save(update_fields=["self_registered"])
        if org is not None:
            orgs.append(org)
    return orgs


def _admin(org: Organisation, index: int) -> Actor:
    membership = Membership.objects.filter(organisation=org, role=Role.ADMIN).select_related("user").first()
    if membership is None:
        _name, _number, email, full_name, password = ASSOCIATIONS[min(index, len(ASSOCIATIONS) - 1)]
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, password, full_name=full_name
        )
        membership = accounts.membership_add(actor=None, user=user, organisation=org, role=Role.ADMIN)
    return Actor(user=membership.user, membership=membership)


def build() -> list[str]:
    hbg = Organisation.objects.filter(org_number=HELSINGBORG).first()
    if hbg is None:
        return ["IOP: Helsingborgs stad saknas i demovärlden; hoppar över."]
    if IopAgreement.objects.filter(organisation=hbg, title=TITLE).exists():
        return [f"IOP: ”{TITLE}” finns redan."]
    hbg_admin = Membership.objects.filter(organisation=hbg, role=Role.ADMIN).select_related("user").first()
    if hbg_admin is None:
        return ["IOP: Helsingborg har ingen administratör i demovärlden; hoppar över."]
    city = Actor(user=hbg_admin.user, membership=hbg_admin)
    associations = _associations()
    if len(associations) < 2:
        return ["IOP: kunde inte skapa två föreningar; hoppar över."]
    result = (
        Result.objects.filter(organisation=hbg, title__icontains="närvaro").first()
        or Result.objects.filter(organisation=hbg).first()
    )
    agreement = services.agreement_create(
        actor=city,
        organisation=hbg,
        title=TITLE,
        goal=(
            "Fler barn i socioekonomiskt utsatta områden klarar skolan: förberedande läsinlärning och "
            "grundläggande matematik för barn i förskolan, och föräldrar som kan stödja sina barns skolgång."
        ),
        term_start=datetime.date(2025, 1, 1),
        term_end=datetime.date(2028, 12, 31),
        answers=ANSWERS,
        reasons=REASONS,
        result=result,
    )
    parties = [agreement.parties.get()]
    for org in associations:
        parties.append(services.party_add(actor=city, agreement=agreement, organisation=org))
    city_party, las, rakne = parties
    for year in range(2025, 2029):
        for party, kind, quantity, unit, value, text in [
            (city_party, "money", 450000, "kr", 450000, "Samordnare och material"),
            (city_party, "premises", 2, "lokaler", 60000, "Familjecentralens lokaler två kvällar i veckan"),
            (city_party, "staff", 400, "timmar", 220000, "Förskolepersonal och socialsekreterare"),
            (las, "volunteer", 1200, "timmar", 240000, "Läsombud i familjegrupper"),
            (las, "administration", 1, "andel", None, "Föreningens samordning av läsombuden"),
            (rakne, "volunteer", 500, "timmar", 100000, "Räkneträffar för föräldrar och barn"),
        ]:
            services.contribution_add(
                actor=city,
                agreement=agreement,
                party=party,
                kind=kind,
                year=year,
                quantity=Decimal(quantity),
                unit=unit,
                value=None if value is None else Decimal(value),
                description=text,
            )
    for measure, who, when in [
        (
            "Andel barn med hög frånvaro (över 15 %) bland dem som tar del av sociala tjänster",
            "Socialförvaltningen",
            "Varje termin",
        ),
        ("Antal familjer som deltar och hur länge", "Läsfrämjandet Syd", "Varje kvartal"),
        (
            "Föräldrarnas egen bedömning av stödet till barnens skolgång",
            "Alla parter tillsammans",
            "Årligen i maj",
        ),
    ]:
        services.follow_up_add(actor=city, agreement=agreement, measure=measure, responsible=who, timing=when)
    services.sign(actor=city, agreement=agreement)
    for i, org in enumerate(associations):
        services.sign(actor=_admin(org, i), agreement=agreement)
    services.check_in_add(
        actor=city,
        agreement=agreement,
        date=datetime.date(2025, 3, 12),
        notes="Första avstämningen: 14 familjer i gång, läsombuden behöver fler kvällar.",
        adjustments="Staden lånar ut förskolans bibliotek även på onsdagar.",
    )
    services.check_in_add(
        actor=_admin(associations[0], 0),
        agreement=agreement,
        date=datetime.date(2025, 9, 17),
        notes="Höstterminen: 26 familjer; frånvaron har minskat i två av tre förskolegrupper.",
        adjustments="Räkneträffarna flyttas till lördagar.",
    )
    return [
        f"IOP: ”{TITLE}” (Helsingborgs stad med {', '.join(o.name for o in associations)}): "
        "undertecknat, version 1, två avstämningar, samverkansnivå 5."
    ]
