"""The demo world, taken from the five source documents in ``shared/seeds/`` (all people are invented).

Everything here is **demo data**. Organisations are real where the seeds name them; their
organisationsnummer are the real ones only where marked ``real=True`` (checked against public
registers: Tomelilla 212000-0886, Helsingborg 212000-1157, Habo 212000-1611, Försäkringskassan
202100-5521, Arbetsförmedlingen 202100-2114). All other numbers are invented but valid (third digit
≥ 2, Luhn check digit) and are flagged with ``*`` when the demo prints them. Every person is invented.

Finsam financing (seed 001 names the seven members, not the shares). The law gives the state 50 %,
the region 25 % and the municipalities 25 %. The demo splits the state's half equally between
Försäkringskassan and Arbetsförmedlingen (25 % + 25 %) and the municipalities' quarter roughly by
population (Jönköping ≈ 148 000, Vaggeryd ≈ 14 500, Habo ≈ 13 400, Mullsjö ≈ 7 200 inhabitants,
i.e. 81 / 8 / 7 / 4 % of the 25 %): Jönköping 20 %, Vaggeryd 2 %, Habo 2 %, Mullsjö 1 %.

``build_demo()`` creates or converges this world through ``accounts.services`` so that every change
is audited, and changes nothing when the world is already there.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils import timezone

from insats.audit.models import ChainHead
from insats.audit.services import diff_fields, log_action, snapshot

from . import security, services
from .models import (
    FederationMember,
    GovernanceBody,
    Organisation,
    Partnership,
    PartnershipLevel,
    RecoveryCode,
    Role,
    Seat,
    User,
)
from .validators import luhn_ok

LOGIN_URL = "http://127.0.0.1:8000/konto/logga-in/"
TWO_FACTOR_ROLES = ("admin", "caseworker")
RECOVERY_CODES_PER_USER = 3


def invented_org_number(base9: str) -> str:
    """Complete nine digits with the Luhn check digit: ``NNNNNN-NNNN``."""
    for check in range(10):
        if luhn_ok(base9 + str(check)):
            return f"{base9[:6]}-{base9[6:]}{check}"
    raise AssertionError("unreachable")  # pragma: no cover - one digit always fits


@dataclass(frozen=True)
class OrgSpec:
    key: str
    name: str
    kind: str
    org_number: str
    area_code: str = ""
    description: str = ""
    real: bool = False


ORGS: list[OrgSpec] = [
    # Seed 000: Tomelilla's innovation project with three partners.
    OrgSpec(
        "tomelilla",
        "Tomelilla kommun",
        "kommun",
        "212000-0886",
        "1270",
        "Innovationsprojekt 2022 om tidiga, träffsäkra insatser för barn 6–10 år i riskzonen (RFI).",
        real=True,
    ),
    OrgSpec(
        "rise",
        "RISE Research Institutes of Sweden",
        "larosate",
        invented_org_number("559900001"),
        description="Partner i Tomelillas innovationsprojekt.",
    ),
    OrgSpec(
        "ki",
        "Karolinska Institutet Innovations AB",
        "foretag",
        invented_org_number("559900002"),
        description="Partner i Tomelillas innovationsprojekt.",
    ),
    OrgSpec(
        "lsv",
        "Leksell Social Ventures",
        "foretag",
        invented_org_number("559900003"),
        description="Partner i Tomelillas innovationsprojekt; investerar i sociala innovationer.",
    ),
    # Seed 001: the samordningsförbund and its seven members.
    OrgSpec(
        "forbund",
        "Samordningsförbundet Södra Vätterbygden",
        "samordningsforbund",
        invented_org_number("222000990"),
        description="Finsam-förbund (lag 2003:1210). Finansierar NOVA, Enter och FIA; budget 2024 11,4 mnkr.",
    ),
    OrgSpec("habo", "Habo kommun", "kommun", "212000-1611", "0643", real=True),
    OrgSpec("jonkoping", "Jönköpings kommun", "kommun", invented_org_number("212000991"), "0680"),
    OrgSpec("mullsjo", "Mullsjö kommun", "kommun", invented_org_number("212000992"), "0642"),
    OrgSpec("vaggeryd", "Vaggeryds kommun", "kommun", invented_org_number("212000993"), "0665"),
    OrgSpec("region", "Region Jönköpings län", "region", invented_org_number("232100990"), "06"),
    OrgSpec("fk", "Försäkringskassan", "myndighet", "202100-5521", real=True),
    OrgSpec("af", "Arbetsförmedlingen", "myndighet", "202100-2114", real=True),
    # Seed 002: Helsingborg and associations at each level of collaboration.
    OrgSpec(
        "helsingborg",
        "Helsingborgs stad",
        "kommun",
        "212000-1157",
        "1283",
        "Socialförvaltningen: föreningssamverkan och IOP; mål om minskad hög frånvaro.",
        real=True,
    ),
    OrgSpec(
        "hbg_soder", "Kvartersföreningen Söder i Helsingborg", "ideburen", invented_org_number("802599001")
    ),
    OrgSpec("hbg_las", "Läsfrämjarna Nordvästra Skåne", "ideburen", invented_org_number("802599002")),
    OrgSpec("hbg_foraldrar", "Föräldranätverket Helsingborg", "ideburen", invented_org_number("802599003")),
    OrgSpec("hbg_idrott", "Idrottsalliansen Drottninghög", "ideburen", invented_org_number("802599004")),
    OrgSpec("hbg_trygga", "Föreningen Trygga Vuxna", "ideburen", invented_org_number("802599005")),
    # Seed 003 and 004.
    OrgSpec(
        "familjeforum",
        "Familjeforum i Lund AB",
        "foretag",
        invented_org_number("559900004"),
        description="Konsultföretag med expertgrupp; anbud på process för en långsiktig social plan.",
    ),
    OrgSpec(
        "barnensval",
        "Barnens Väl",
        "ideburen",
        invented_org_number("802599006"),
        description="Idéburen organisation: tidiga psykosociala insatser i familjer, för färre placeringar.",
    ),
    OrgSpec(
        "utfallsfonden",
        "Utfallsfonden",
        "utfallsfond",
        invented_org_number("559900005"),
        description="Förfinansierar utförare i utfallskontrakt; återbetalas ur utfallsbaserade betalningar.",
    ),
]
ORG_BY_KEY = {spec.key: spec for spec in ORGS}


@dataclass(frozen=True)
class PartnershipSpec:
    organisation: str
    partner: str
    description: str
    history: tuple[tuple[int, date, str], ...]  # (level, valid_from, note), oldest first


PARTNERSHIPS: list[PartnershipSpec] = [
    PartnershipSpec(
        "tomelilla",
        "rise",
        "Innovationsprojekt om förebyggande insatser för barn 6–10 år",
        ((5, date(2022, 1, 1), "Partnerskap i innovationsprojektet"),),
    ),
    PartnershipSpec(
        "tomelilla",
        "ki",
        "Innovationsprojekt om förebyggande insatser för barn 6–10 år",
        ((5, date(2022, 1, 1), "Partnerskap i innovationsprojektet"),),
    ),
    PartnershipSpec(
        "tomelilla",
        "lsv",
        "Innovationsprojekt om förebyggande insatser för barn 6–10 år",
        ((5, date(2022, 1, 1), "Partnerskap i innovationsprojektet"),),
    ),
    PartnershipSpec(
        "helsingborg",
        "hbg_soder",
        "Information om socialnämndens föreningsbidrag",
        ((1, date(2024, 2, 1), "Får nyhetsbrev och inbjudan till informationsmöten"),),
    ),
    PartnershipSpec(
        "helsingborg",
        "hbg_las",
        "Förberedande läsinlärning (Familjen läser)",
        ((1, date(2023, 3, 1), "Första kontakt"), (2, date(2024, 4, 15), "Konsulteras om Familjen läser")),
    ),
    PartnershipSpec(
        "helsingborg",
        "hbg_foraldrar",
        "Föräldraskapsstöd",
        (
            (1, date(2022, 9, 1), "Första kontakt"),
            (2, date(2023, 5, 10), "Remissinstans för föräldraskapsstödet"),
            (3, date(2024, 9, 1), "Regelbundna dialogmöten med socialförvaltningen"),
        ),
    ),
    PartnershipSpec(
        "helsingborg",
        "hbg_idrott",
        "Unga i eller nära kriminell livsstil",
        (
            (2, date(2022, 1, 15), "Konsultation om lovverksamhet"),
            (3, date(2023, 1, 20), "Dialog om tidig samverkan"),
            (4, date(2024, 3, 1), "Gemensam lovverksamhet med fritid och socialtjänst"),
        ),
    ),
    PartnershipSpec(
        "helsingborg",
        "hbg_trygga",
        "Samverkan förskola–socialtjänst i utsatta områden",
        (
            (3, date(2021, 10, 1), "Dialog"),
            (4, date(2022, 11, 1), "Gemensamma föräldraträffar"),
            (5, date(2024, 1, 1), "IOP 2024–2027: tidig samverkan förskola–socialtjänst"),
        ),
    ),
    PartnershipSpec(
        "utfallsfonden",
        "barnensval",
        "Principöverenskommelse om utfallsbaserad finansiering",
        ((5, date(2024, 3, 1), "Utfallsfonden förfinansierar Barnens Väls insatser i 3–5 år"),),
    ),
]

# Finsam shares in percent (see the module docstring for the split).
FEDERATION = "forbund"
FEDERATION_SHARES: dict[str, Decimal] = {
    "fk": Decimal("25"),
    "af": Decimal("25"),
    "region": Decimal("25"),
    "jonkoping": Decimal("20"),
    "vaggeryd": Decimal("2"),
    "habo": Decimal("2"),
    "mullsjo": Decimal("1"),
}


@dataclass(frozen=True)
class BodySpec:
    kind: str
    name: str
    description: str
    term_start: date
    term_end: date | None
    seats: tuple[tuple[str, str, str], ...]  # (person_name, represents org key, seat role)


STYRELSE = BodySpec(
    "styrelse",
    "Styrelsen",
    "Fem politiker och två tjänstemän samt deras ersättare.",
    date(2023, 1, 1),
    date(2026, 12, 31),
    (
        ("Birgitta Sandell", "jonkoping", "politician"),
        ("Leif Karlberg", "habo", "politician"),
        ("Kerstin Ahl", "mullsjo", "politician"),
        ("Bo Eklund", "vaggeryd", "politician"),
        ("Gunilla Tornberg", "region", "politician"),
        ("Patrik Sundberg", "fk", "official"),
        ("Marianne Lundin", "af", "official"),
        ("Oskar Hjort", "jonkoping", "alternate"),
        ("Agneta Rask", "habo", "alternate"),
        ("Sven Dahlgren", "mullsjo", "alternate"),
        ("Eva-Lena Krantz", "vaggeryd", "alternate"),
        ("Hassan Ali", "region", "alternate"),
        ("Åsa Vinberg", "fk", "alternate"),
        ("Jörgen Nyström", "af", "alternate"),
    ),
)

BEREDNINGSGRUPP = BodySpec(
    "beredningsgrupp",
    "Beredningsgruppen",
    "Tolv tjänstemän från medlemmarna.",
    date(2024, 1, 1),
    None,
    (
        ("Camilla Nordin", "jonkoping", "official"),
        ("Tomas Brandt", "jonkoping", "official"),
        ("Lars Hellström", "jonkoping", "official"),
        ("Annika Berg", "habo", "official"),
        ("Johan Sandin", "habo", "official"),
        ("Petra Ohlsson", "mullsjo", "official"),
        ("Fredrik Ljung", "vaggeryd", "official"),
        ("Marie Ekholm", "vaggeryd", "official"),
        ("Susanne Åkesson", "region", "official"),
        ("Niklas Bengtsson", "region", "official"),
        ("Cecilia Hammar", "fk", "official"),
        ("Anders Öberg", "af", "official"),
    ),
)

# Seed 001: "drygt 20 personer, varav några ingår i två eller alla tre styrgrupperna och flera även
# ingår i beredningsgrupp eller styrelse". 21 people, 28 seats: two sit in all three groups, three
# in two, sixteen in one; Anders Öberg, Camilla Nordin and Tomas Brandt also sit in the
# beredningsgrupp, Patrik Sundberg on the board.
_BOTH = (("Helena Wikström", "forbund", "official"), ("Anders Öberg", "af", "official"))
STYRGRUPPER = [
    BodySpec(
        "styrgrupp",
        "Styrgrupp NOVA",
        "Styrgrupp för insatsen NOVA (sju medarbetare i kommunerna).",
        date(2024, 1, 1),
        None,
        _BOTH
        + (
            ("Camilla Nordin", "jonkoping", "official"),
            ("Elin Dahl", "region", "official"),
            ("Maja Ekström", "habo", "official"),
            ("Olle Lindqvist", "mullsjo", "official"),
            ("Ronja Sjögren", "vaggeryd", "official"),
            ("Tomas Brandt", "jonkoping", "official"),
            ("Hanna Vikström", "fk", "official"),
            ("Jessica Borg", "region", "official"),
        ),
    ),
    BodySpec(
        "styrgrupp",
        "Styrgrupp Enter",
        "Styrgrupp för insatsen Enter (sex medarbetare, utgår från Jönköping).",
        date(2024, 1, 1),
        None,
        _BOTH
        + (
            ("Camilla Nordin", "jonkoping", "official"),
            ("Patrik Sundberg", "fk", "official"),
            ("Kristoffer Alm", "jonkoping", "official"),
            ("Linnéa Hedlund", "af", "official"),
            ("Mattias Gren", "region", "official"),
            ("Ida Palm", "habo", "official"),
            ("Rasmus Falk", "vaggeryd", "official"),
        ),
    ),
    BodySpec(
        "styrgrupp",
        "Styrgrupp FIA",
        "Styrgrupp för insatsen FIA (två medarbetare, utgår från Jönköping).",
        date(2024, 1, 1),
        None,
        _BOTH
        + (
            ("Patrik Sundberg", "fk", "official"),
            ("Elin Dahl", "region", "official"),
            ("Nadia Osman", "jonkoping", "official"),
            ("Viktor Strand", "af", "official"),
            ("Emma Lövgren", "fk", "official"),
            ("Jenny Wallin", "mullsjo", "official"),
            ("Ali Rezaei", "region", "official"),
        ),
    ),
]
BODIES = [STYRELSE, BEREDNINGSGRUPP, *STYRGRUPPER]


@dataclass(frozen=True)
class UserSpec:
    email: str
    full_name: str
    password: str
    memberships: tuple[tuple[str, str], ...]  # (org key, role)
    seat: tuple[str, str] | None = None  # (body name, person name) whose seat is linked to this user


USERS: list[UserSpec] = [
    # Tomelilla kommun: one user for every role.
    UserSpec("admin@tomelilla.demo", "Karin Holmqvist", "Rapsfält-Ekorre-41", (("tomelilla", "admin"),)),
    UserSpec("analytiker@tomelilla.demo", "Erik Sjöberg", "Blåbär-Hägring-27", (("tomelilla", "analyst"),)),
    UserSpec(
        "upphandlare@tomelilla.demo", "Maria Lundgren", "Kastanj-Vindöga-58", (("tomelilla", "procurement"),)
    ),
    UserSpec("utvarderare@tomelilla.demo", "Peter Ek", "Lingon-Sjöbotten-63", (("tomelilla", "evaluator"),)),
    UserSpec(
        "avtalsansvarig@tomelilla.demo",
        "Lena Håkansson",
        "Rönnbär-Klippa-35",
        (("tomelilla", "contract_manager"),),
    ),
    UserSpec(
        "handlaggare@tomelilla.demo",
        "Sofia Persdotter",
        "Hjortron-Gläntan-19",
        (("tomelilla", "caseworker"),),
    ),
    UserSpec("lasare@tomelilla.demo", "Göran Mattsson", "Vallmo-Stenmur-72", (("tomelilla", "viewer"),)),
    # Two organisations: shows switching the active organisation.
    UserSpec(
        "sara.lind@rise.demo",
        "Sara Lind",
        "Tallkotte-Måsen-84",
        (("rise", "analyst"), ("tomelilla", "evaluator")),
    ),
    # Samordningsförbundet Södra Vätterbygden: förbundschef, verksamhetsutvecklare, a board member.
    UserSpec(
        "admin@sodravatterbygden.demo",
        "Helena Wikström",
        "Vätterstrand-Lom-26",
        (("forbund", "admin"),),
        seat=("Styrgrupp NOVA", "Helena Wikström"),
    ),
    UserSpec(
        "analytiker@sodravatterbygden.demo", "Daniel Ahlberg", "Granskog-Tjäder-47", (("forbund", "analyst"),)
    ),
    UserSpec(
        "lasare@sodravatterbygden.demo",
        "Birgitta Sandell",
        "Skogsstjärna-Bäck-53",
        (("forbund", "viewer"),),
        seat=("Styrelsen", "Birgitta Sandell"),
    ),
    # Helsingborgs stad, socialförvaltningen.
    UserSpec("admin@helsingborg.demo", "Mikael Ström", "Sundet-Fyrskepp-38", (("helsingborg", "admin"),)),
    UserSpec(
        "analytiker@helsingborg.demo", "Fatima Hassan", "Kärnan-Trappsteg-91", (("helsingborg", "analyst"),)
    ),
    UserSpec(
        "handlaggare@helsingborg.demo", "Jonas Blom", "Fregatt-Ljungrot-64", (("helsingborg", "caseworker"),)
    ),
    # Familjeforum, Barnens Väl, Utfallsfonden.
    UserSpec(
        "admin@familjeforum.demo", "Ingrid Söderlund", "Lundagård-Kaprifol-15", (("familjeforum", "admin"),)
    ),
    UserSpec("admin@barnensval.demo", "Eva Lindholm", "Maskros-Trädkoja-29", (("barnensval", "admin"),)),
    UserSpec(
        "avtalsansvarig@barnensval.demo",
        "Ahmed Karimi",
        "Korpberg-Nyponros-76",
        (("barnensval", "contract_manager"),),
    ),
    UserSpec(
        "admin@utfallsfonden.demo", "Magnus Forsberg", "Fyrtorn-Silverpil-44", (("utfallsfonden", "admin"),)
    ),
    UserSpec(
        "avtalsansvarig@utfallsfonden.demo",
        "Louise Engström",
        "Havsörn-Kvarnsten-82",
        (("utfallsfonden", "contract_manager"),),
    ),
    UserSpec(
        "analytiker@utfallsfonden.demo",
        "Tobias Rydén",
        "Linblomma-Mosstuva-37",
        (("utfallsfonden", "analyst"),),
    ),
]


def needs_two_factor(spec: UserSpec) -> bool:
    return any(role in TWO_FACTOR_ROLES for _, role in spec.memberships)


def demo_totp_secret(email: str) -> str:
    """A fixed base32 secret per demo account (160 bits), so the printout is the same every run."""
    digest = hashlib.sha256(f"insats-demo-totp:{email}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def demo_recovery_codes(email: str) -> list[str]:
    """Fixed one-time codes per demo account, in the shape ``security.py`` issues (``xxxxx-xxxxx``)."""
    alphabet = getattr(security, "RECOVERY_ALPHABET", "abcdefghjkmnpqrstuvwxyz23456789")
    codes = []
    for i in range(RECOVERY_CODES_PER_USER):
        digest = hashlib.sha256(f"insats-demo-recovery:{email}:{i}".encode()).digest()
        raw = "".join(alphabet[b % len(alphabet)] for b in digest[:10])
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


@dataclass
class DemoAccount:
    email: str
    full_name: str
    password: str
    memberships: list[tuple[str, str]]  # (organisation name, role label)
    totp_secret: str = ""
    recovery_codes: list[str] = field(default_factory=list)


@dataclass
class DemoResult:
    accounts: list[DemoAccount]
    organisations: list[tuple[str, str, bool]]  # (name, org_number, real)
    changes: int  # audit entries written by this run


# --- building -------------------------------------------------------------------------------------


def _ensure_org(spec: OrgSpec) -> Organisation:
    org = Organisation.objects.filter(org_number=spec.org_number).first()
    wanted = {
        "name": spec.name,
        "kind": spec.kind,
        "area_code": spec.area_code,
        "description": spec.description,
    }
    if org is None:
        return services.organisation_create(actor=None, org_number=spec.org_number, **wanted)
    differing = {k: v for k, v in wanted.items() if getattr(org, k) != v}
    if differing:
        services.organisation_update(actor=None, organisation=org, **differing)
    return org


def _ensure_partnership(spec: PartnershipSpec, orgs: dict[str, Organisation]) -> None:
    org, partner = orgs[spec.organisation], orgs[spec.partner]
    partnership = Partnership.objects.filter(organisation=org, partner=partner).first()
    history = list(spec.history)
    if partnership is None:
        level, valid_from, note = history.pop(0)
        partnership = services.partnership_create(
            actor=None,
            organisation=org,
            partner=partner,
            level=level,
            valid_from=valid_from,
            description=spec.description,
            note=note,
        )
    for level, valid_from, note in history:
        if not PartnershipLevel.objects.filter(
            partnership=partnership, level=level, valid_from=valid_from
        ).exists():
            services.partnership_set_level(
                actor=None, partnership=partnership, level=level, valid_from=valid_from, note=note
            )


def _ensure_federation(orgs: dict[str, Organisation]) -> None:
    federation = orgs[FEDERATION]
    current = {
        row.member_id: row.financing_share for row in FederationMember.objects.filter(federation=federation)
    }
    # Lower shares first so that the running total never passes 100 %.
    pending = sorted(
        (share - current.get(orgs[key].pk, Decimal(0)), key, share)
        for key, share in FEDERATION_SHARES.items()
    )
    for delta, key, share in pending:
        if orgs[key].pk not in current or delta != 0:
            services.federation_set_member(
                actor=None, federation=federation, member=orgs[key], financing_share=share
            )


def _ensure_bodies(orgs: dict[str, Organisation]) -> dict[tuple[str, str], Seat]:
    federation = orgs[FEDERATION]
    seats: dict[tuple[str, str], Seat] = {}
    for spec in BODIES:
        body = GovernanceBody.objects.filter(organisation=federation, kind=spec.kind, name=spec.name).first()
        if body is None:
            body = services.body_create(
                actor=None,
                organisation=federation,
                kind=spec.kind,
                name=spec.name,
                description=spec.description,
            )
        for person, org_key, role in spec.seats:
            seat = Seat.objects.filter(
                body=body, person_name=person, represents=orgs[org_key], role=role
            ).first()
            if seat is None:
                seat = services.seat_add(
                    actor=None,
                    body=body,
                    person_name=person,
                    represents=orgs[org_key],
                    role=role,
                    term_start=spec.term_start,
                    term_end=spec.term_end,
                )
            seats[(spec.name, person)] = seat
    return seats


def _ensure_user(spec: UserSpec, orgs: dict[str, Organisation]) -> User:
    user = User.objects.filter(email=spec.email).first()
    if user is None:
        user = User.objects.create_user(spec.email, spec.password, full_name=spec.full_name)
        log_action(
            "accounts.user.created",
            organisation=orgs[spec.memberships[0][0]],
            obj=user,
            changes={"email": user.email, "full_name": user.full_name},
        )
    elif not check_password(spec.password, user.password):
        # Someone changed the demo password: put the printed one back, so the printout stays true.
        user.set_password(spec.password)
        user.save(update_fields=["password"])
        log_action(
            "accounts.user.password_reset",
            organisation=orgs[spec.memberships[0][0]],
            obj=user,
            changes={"password": "reset to the demo password"},
        )
    for org_key, role in spec.memberships:
        services.membership_add(actor=None, user=user, organisation=orgs[org_key], role=role)
    return user


def _ensure_two_factor(user: User, org: Organisation) -> tuple[str, list[str]]:
    """Enrol the demo account with its fixed secret and recovery codes (audited when anything changes).

    The TOTP secret is stored the way ``accounts/security.py`` reads it: ``User.totp_secret`` (base32)
    with ``totp_confirmed_at`` set; recovery codes as ``RecoveryCode.hash``.
    """
    secret = demo_totp_secret(user.email)
    codes = demo_recovery_codes(user.email)
    changed = []
    if user.totp_secret != secret or user.totp_confirmed_at is None:
        user.totp_secret = secret
        user.totp_confirmed_at = timezone.now()
        user.totp_last_step = 0
        user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
        changed.append("totp")
    for code in codes:
        if not RecoveryCode.objects.filter(user=user, code_hash=RecoveryCode.hash(code)).exists():
            RecoveryCode.objects.create(user=user, code_hash=RecoveryCode.hash(code))
            changed.append("recovery")
    if changed:
        log_action(
            "auth.2fa.enabled",
            organisation=org,
            obj=user,
            changes={"demo": True, "set": sorted(set(changed)), "codes_issued": len(codes)},
        )
    unused = set(
        RecoveryCode.objects.filter(user=user, used_at__isnull=True).values_list("code_hash", flat=True)
    )
    return secret, [code for code in codes if RecoveryCode.hash(code) in unused]


@transaction.atomic
def build_demo() -> DemoResult:
    head = ChainHead.objects.filter(id=1).first()
    seq_before = head.seq if head else 0

    orgs = {spec.key: _ensure_org(spec) for spec in ORGS}
    for spec in PARTNERSHIPS:
        _ensure_partnership(spec, orgs)
    _ensure_federation(orgs)
    seats = _ensure_bodies(orgs)

    accounts = []
    for spec in USERS:
        user = _ensure_user(spec, orgs)
        if spec.seat is not None:
            seat = seats[spec.seat]
            if seat.user_id != user.pk:
                before = snapshot(seat, ["user_id"])
                seat.user = user
                seat.save(update_fields=["user"])
                log_action(
                    "accounts.seat.changed",
                    organisation=seat.body.organisation,
                    obj=seat,
                    changes=diff_fields(before, snapshot(seat, ["user_id"])),
                )
        account = DemoAccount(
            spec.email,
            spec.full_name,
            spec.password,
            [(orgs[k].name, str(Role(r).label)) for k, r in spec.memberships],
        )
        if needs_two_factor(spec):
            account.totp_secret, account.recovery_codes = _ensure_two_factor(
                user, orgs[spec.memberships[0][0]]
            )
        accounts.append(account)

    head = ChainHead.objects.filter(id=1).first()
    return DemoResult(
        accounts=accounts,
        organisations=[(spec.name, spec.org_number, spec.real) for spec in ORGS],
        changes=(head.seq if head else 0) - seq_before,
    )
