"""A small Södra Vätterbygden for the review tests: a förbund with seven members (the demo's shares:
Jönköping 20 %, Habo 2 %, Vaggeryd 2 %, Mullsjö 1 %, the region 25 %, the two agencies 25 % each),
NOVA, Enter and FIA funded with 3.6 + 3.2 + 1.4 = 8.2 MSEK of an 11.4 MSEK total budget, and
participants 170 / 12 / 16 / 2 from Jönköping / Habo / Vaggeryd / Mullsjö (the hand example of
docs/insatser.md). The catalogue rows are made with the ORM: the catalogue's services are another
package's."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from insats.accounts import services as accounts
from insats.accounts.models import Organisation, Role, User
from insats.interventions.catalogue.models import (
    Intensity,
    Intervention,
    InterventionFunding,
    InterventionReach,
    InterventionStaffing,
)
from insats.situation.models import Area
from insats.situation.services import load_areas
from tests.conftest import PASSWORD, org_number

MEMBERS = {
    # key: (name, kind, area code, share)
    "jonkoping": ("Jönköpings kommun", "kommun", "0680", Decimal(20)),
    "habo": ("Habo kommun", "kommun", "0643", Decimal(2)),
    "vaggeryd": ("Vaggeryds kommun", "kommun", "0665", Decimal(2)),
    "mullsjo": ("Mullsjö kommun", "kommun", "0642", Decimal(1)),
    "region": ("Region Jönköpings län", "region", "06", Decimal(25)),
    "fk": ("Försäkringskassan", "myndighet", "", Decimal(25)),
    "af": ("Arbetsförmedlingen", "myndighet", "", Decimal(25)),
}
# (name, funding, staffing [(profession, people, fte, employer key)], reach {member: participants})
INTERVENTIONS = [
    (
        "NOVA",
        Decimal(3_600_000),
        [
            ("Samordnare", 4, Decimal(4), "jonkoping"),
            ("Samordnare", 1, Decimal(1), "habo"),
            ("Samordnare", 1, Decimal(1), "vaggeryd"),
            ("Samordnare", 1, Decimal("0.5"), "mullsjo"),
        ],
        {"jonkoping": 80, "habo": 8, "vaggeryd": 10, "mullsjo": 2},
    ),
    (
        "Enter",
        Decimal(3_200_000),
        [("Arbetsterapeut", 6, Decimal(6), "jonkoping")],
        {"jonkoping": 60, "habo": 4, "vaggeryd": 6},
    ),
    ("FIA", Decimal(1_400_000), [("Handledare", 2, Decimal(2), "jonkoping")], {"jonkoping": 30}),
]


@dataclass
class ReviewWorld:
    forbund: Organisation
    orgs: dict[str, Organisation]
    interventions: dict[str, Intervention]
    users: dict[str, User] = field(default_factory=dict)
    styrelse: object = None


def build(seed: int = 5000) -> ReviewWorld:
    if not Area.objects.filter(code="0680").exists():
        load_areas()
    forbund = accounts.organisation_create(
        actor=None,
        name="Samordningsförbundet Södra Vätterbygden",
        org_number=org_number(seed),
        kind="samordningsforbund",
    )
    orgs = {}
    for i, (key, (name, kind, code, share)) in enumerate(MEMBERS.items()):
        orgs[key] = accounts.organisation_create(
            actor=None, name=name, org_number=org_number(seed + 1 + i), kind=kind, area_code=code
        )
        accounts.federation_set_member(
            actor=None, federation=forbund, member=orgs[key], financing_share=share
        )
    areas = {a.code: a for a in Area.objects.filter(code__in=["0680", "0643", "0665", "0642"])}
    interventions = {}
    for name, amount, staffing, reach in INTERVENTIONS:
        iv = Intervention.objects.create(
            organisation=forbund,
            name=name,
            intensity=Intensity.TARGETED,
            description=f"{name}: samordnad rehabilitering för unga vuxna.",
            goals="Fler i arbete eller studier.",
        )
        InterventionFunding.objects.create(intervention=iv, funder=forbund, year=2024, amount=amount)
        for profession, people, fte, employer in staffing:
            InterventionStaffing.objects.create(
                intervention=iv, profession=profession, people=people, fte=fte, employer=orgs[employer]
            )
        for key, n in reach.items():
            InterventionReach.objects.create(
                intervention=iv, year=2024, area=areas[MEMBERS[key][2]], gender="T", participants=n
            )
        interventions[name] = iv
    w = ReviewWorld(forbund=forbund, orgs=orgs, interventions=interventions)
    for role in ("admin", "analyst", "viewer"):
        user = User.objects.create_user(
            f"{role}@forbund{seed}.test", PASSWORD, full_name=f"{role.title()} Förbund"
        )
        accounts.membership_add(actor=None, user=user, organisation=forbund, role=role)
        w.users[role] = user
    member_viewer = User.objects.create_user(
        f"viewer@mullsjo{seed}.test", PASSWORD, full_name="Läsare Mullsjö"
    )
    accounts.membership_add(
        actor=None, user=member_viewer, organisation=orgs["mullsjo"], role=Role.VIEWER.value
    )
    w.users["mullsjo_viewer"] = member_viewer
    consultant = accounts.organisation_create(
        actor=None, name="Familjeforum i Lund AB", org_number=org_number(seed + 20), kind="foretag"
    )
    orgs["consultant"] = consultant
    for role in ("admin", "analyst"):
        user = User.objects.create_user(
            f"{role}@konsult{seed}.test", PASSWORD, full_name=f"{role.title()} Konsult"
        )
        accounts.membership_add(actor=None, user=user, organisation=consultant, role=role)
        w.users[f"consultant_{role}"] = user
    outsider = accounts.organisation_create(
        actor=None, name="Utomstående AB", org_number=org_number(seed + 21), kind="foretag"
    )
    orgs["outsider"] = outsider
    user = User.objects.create_user(f"admin@utomstaende{seed}.test", PASSWORD, full_name="Admin Utomstående")
    accounts.membership_add(actor=None, user=user, organisation=outsider, role="admin")
    w.users["outsider_admin"] = user
    w.styrelse = accounts.body_create(actor=None, organisation=forbund, kind="styrelse", name="Styrelsen")
    return w
