"""Demo: Helsingborg's grant round "Föreningsbidrag för förebyggande verksamhet 2025" (seed 002),
with applications from invented associations, assessed by two officers on the five criteria, a
proposed list within the budget, the nämnd's decisions and one återrapportering.

The associations are the demo's invented Helsingborg associations (accounts/demo_data.py) and, if
the invitations' demo provides them, its outside organisations. Every person, amount and text is
invented. The round runs through the real services with a deadline in the future; the demo then
moves its dates back to 2025 (a demo of a round that has already been decided).
Idempotent: the round is found by its title; nothing is written when it exists.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from importlib import import_module

from django.utils import timezone

from insats.accounts import services as accounts
from insats.accounts.access import Actor
from insats.accounts.models import Membership, Organisation, User
from insats.platform.formatting import format_money, format_number

from . import services
from .models import Decision, GrantApplication, GrantRound

TITLE = "Föreningsbidrag för förebyggande verksamhet 2025"
GRANTOR = "Helsingborgs stad"
ASSOCIATIONS = [
    "Kvartersföreningen Söder i Helsingborg",
    "Idrottsalliansen Drottninghög",
    "Föreningen Trygga Vuxna",
]
# Two of Helsingborg's demo accounts (accounts/demo_data.py) assess: the printed table lists them.
ASSESSORS = [
    ("analytiker@helsingborg.demo", "Fatima Hassan", "analyst"),
    ("admin@helsingborg.demo", "Mikael Ström", "admin"),
]
# (title, activities, target group, reach, partners, budget lines, scores of the two assessors)
APPLICATIONS = [
    (
        "Läxhjälp och trygga kvällar på Söder",
        "Läxhjälp tre kvällar i veckan och öppen kvällsverksamhet med vuxna volontärer.",
        "Barn och unga 9–15 år på Söder",
        120,
        "Söderskolan, fältgruppen",
        [
            ("Lokalhyra", "90000", "30000", "Egen insamling"),
            ("Arvoden samordnare", "160000", "20000", "Stiftelse"),
        ],
        ([5, 4, 5, 4, 3], [4, 4, 4, 5, 4]),
    ),
    (
        "Idrott som mötesplats i Drottninghög",
        "Spontanidrott fredag och lördag kväll med ledare och föräldravandringar.",
        "Unga 12–18 år i Drottninghög",
        200,
        "Polisen, fritidsgården, bostadsbolaget",
        [("Ledararvoden", "180000", "40000", "Riksidrottsförbundet"), ("Material", "30000", "0", "")],
        ([4, 5, 3, 5, 3], [4, 4, 3, 4, 3]),
    ),
    (
        "Trygga vuxna i skolan",
        "Vuxna volontärer på raster och vid skolstart; samtalsgrupper för föräldrar.",
        "Elever 6–12 år och deras föräldrar",
        80,
        "Två grundskolor",
        [("Utbildning av volontärer", "60000", "0", ""), ("Samordning", "100000", "10000", "Egen insats")],
        ([3, 3, 4, 3, 2], [3, 2, 3, 3, 3]),
    ),
]


def _user(email, name, org, role) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, None, full_name=name)
    if not Membership.objects.filter(user=user, organisation=org, role=role).exists():
        accounts.membership_add(actor=None, user=user, organisation=org, role=role)
    return user


def _actor(user, org) -> Actor:
    return Actor(user=user, membership=Membership.objects.filter(user=user, organisation=org).first())


def _associations() -> list[Organisation]:
    orgs = [o for name in ASSOCIATIONS if (o := Organisation.objects.filter(name=name).first())]
    try:
        outside = import_module("insats.sourcing.invitations.demo").outside_organisations
    except (ModuleNotFoundError, AttributeError):
        outside = None
    if outside is not None and len(orgs) < len(APPLICATIONS):
        orgs += [o for o in outside() if isinstance(o, Organisation) and o not in orgs]
    return orgs[: len(APPLICATIONS)]


def build() -> list[str]:
    grantor = Organisation.objects.filter(name=GRANTOR).first()
    if grantor is None:
        return [f"Bidrag: {GRANTOR} saknas (kör manage.py demo först) – hoppar över."]
    existing = GrantRound.objects.filter(organisation=grantor, title=TITLE).first()
    if existing is not None:
        return [f"Bidrag: ”{TITLE}” finns redan ({existing.get_status_display()})."]
    orgs = _associations()
    if not orgs:
        return ["Bidrag: inga demoföreningar i Helsingborg – hoppar över."]
    admin = User.objects.filter(memberships__organisation=grantor, memberships__role="admin").first()
    officer = _actor(admin, grantor) if admin else None
    assessors = [_actor(_user(e, n, grantor, r), grantor) for e, n, r in ASSESSORS]
    now = timezone.now()
    rnd = services.round_create(
        actor=officer,
        organisation=grantor,
        values={
            "title": TITLE,
            "purpose": (
                "Socialnämndens stöd ska främja demokrati, utveckling och ett brett socialt engagemang "
                "i staden, stödja invånare som behöver socialt stöd att bli självständiga och stimulera "
                "verksamheter som kompletterar och förstärker nämndens sociala tjänster."
            ),
            "budget": Decimal("500000"),
            "opens_at": now,
            "closes_at": now + datetime.timedelta(days=30),
            "decision_date": datetime.date(2025, 4, 15),
            "required_attachments": ["Verksamhetsberättelse"],
            "is_public": True,
            "contact_email": "socialforvaltningen@helsingborg.demo",
        },
    )
    rnd = services.round_publish(actor=officer, rnd=rnd)
    apps = []
    for org, (title, activities, target, reach, partners, lines, _scores) in zip(
        orgs, APPLICATIONS, strict=False
    ):
        app = services.application_save(
            actor=None,
            rnd=rnd,
            organisation=org,
            values={
                "title": title,
                "activities": activities,
                "target_group": target,
                "expected_reach": reach,
                "partners": partners,
            },
            lines=[{"item": i, "cost": c, "other_financing": o, "financier": f} for i, c, o, f in lines],
        )
        from django.core.files.uploadedfile import SimpleUploadedFile

        from insats.sourcing.documents.services import attachment_add

        attachment_add(
            actor=None,
            target=app,
            organisation=org,
            upload=SimpleUploadedFile(
                "verksamhetsberattelse.txt", f"Verksamhetsberättelse 2024 – {org.name} (demo)".encode()
            ),
            purpose="Verksamhetsberättelse",
        )
        apps.append(services.application_submit(actor=None, application=app))
    # The round as it stood: the deadline 1 March 2025, applications in February.
    GrantRound.objects.filter(pk=rnd.pk).update(
        opens_at=datetime.datetime(2025, 1, 15, 8, 0, tzinfo=datetime.UTC),
        closes_at=datetime.datetime(2025, 3, 1, 22, 59, tzinfo=datetime.UTC),
        published_at=datetime.datetime(2025, 1, 15, 8, 0, tzinfo=datetime.UTC),
        report_due=datetime.date(2026, 2, 28),
    )
    for k, app in enumerate(apps):
        GrantApplication.objects.filter(pk=app.pk).update(
            submitted_at=datetime.datetime(2025, 2, 10 + k, 14, 0, tzinfo=datetime.UTC)
        )
    rnd.refresh_from_db()
    crits = list(rnd.criteria.all())
    for app, spec in zip(apps, APPLICATIONS, strict=False):
        for who, scores in zip(assessors, spec[6], strict=True):
            services.assessment_save(
                actor=who,
                application=app,
                scores={
                    c.pk: (s, f"{c.name}: bedömt utifrån ansökan och verksamhetsberättelsen (demo).")
                    for c, s in zip(crits, scores, strict=True)
                },
            )
    ranked = services.ranking(rnd)
    # Proposal: the two best in full (within the budget), the third rejected.
    proposal = {r.application.pk: (r.requested if i < 2 else None) for i, r in enumerate(ranked)}
    services.proposal_set(actor=officer, rnd=rnd, amounts=proposal)
    lines = [f"Bidrag: ”{TITLE}” i {grantor.name}, budget 500 000 kr, {len(apps)} ansökningar."]
    for i, r in enumerate(ranked):
        app = r.application
        if proposal[app.pk] is not None:
            services.decision_record(
                actor=officer,
                application=app,
                decision=Decision.GRANTED,
                amount=proposal[app.pk],
                conditions=(
                    "Verksamheten redovisas i återrapporteringen; "
                    "bidraget får inte användas till investeringar."
                ),
            )
        else:
            services.decision_record(
                actor=officer,
                application=app,
                decision=Decision.REJECTED,
                reason="Budgeten räcker inte; ansökan rangordnades lägre på Effekt och Ekonomi.",
            )
        points = format_number(r.points, decimals=2, locale="sv")
        requested = format_money(r.requested, 0, locale="sv")
        lines.append(f"  {i + 1}. {app.organisation.name}: {points} poäng, sökt {requested}.")
    first = ranked[0].application
    services.report_submit(
        actor=None,
        application=first,
        values={
            "report_reach": 134,
            "report_activities": "Läxhjälp 3 kvällar/vecka under 38 veckor; 12 öppna kvällar.",
            "report_spent": services.totals(first).requested,
            "report_use_of_money": (
                "Enligt budget; lokalhyran blev 4 000 kr lägre, arvodena lika mycket högre."
            ),
        },
    )
    iv = services.intervention_link(actor=officer, application=first)
    GrantApplication.objects.filter(round=rnd).update(
        decided_at=datetime.datetime(2025, 4, 15, 12, 0, tzinfo=datetime.UTC)
    )
    lines.append(f"  Återrapportering från {first.organisation.name}; insatsen ”{iv.name}” i katalogen.")
    return lines
