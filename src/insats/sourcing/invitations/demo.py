"""Demo: three invented, self-registered outside organisations other parts use as respondents.

"Stiftelsen Trygga Barn" (idéburen, verified by Tomelilla kommun, which invited it), "Läsfrämjandet
Syd" (ideell förening, idéburen) and "Nova Skolstöd AB" (företag), each with an admin account whose
password is printed like the other demo accounts'. Idempotent: looked up by organisationsnummer and
e-mail, created through the services only when missing. Others call :func:`outside_organisations`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from insats.accounts.demo_data import (
    UserSpec,
    _ensure_two_factor,
    _ensure_user,
    invented_org_number,
    needs_two_factor,
)
from insats.accounts.models import Organisation, OrganisationKind, User
from insats.accounts.registration import services as registration
from insats.audit.services import log_action

TOMELILLA_ORG_NUMBER = "212000-0886"


@dataclass(frozen=True)
class OutsideSpec:
    key: str
    name: str
    kind: str
    base9: str
    contact_email: str
    description: str
    admin: UserSpec
    verified_by_tomelilla: bool = False

    @property
    def org_number(self) -> str:
        return invented_org_number(self.base9)


OUTSIDE = [
    OutsideSpec(
        "trygga",
        "Stiftelsen Trygga Barn",
        OrganisationKind.IDEBUREN,
        "802599101",
        "kontakt@tryggabarn.demo",
        "Påhittad stiftelse: mentorskap och trygga vuxenrelationer för barn 6–12 år (demodata).",
        UserSpec("admin@tryggabarn.demo", "Annika Berg", "Fyrbåk-Lärkträd-52", (("trygga", "admin"),)),
        verified_by_tomelilla=True,
    ),
    OutsideSpec(
        "lasframjandet",
        "Läsfrämjandet Syd",
        OrganisationKind.IDEBUREN,
        "802599102",
        "kontakt@lasframjandetsyd.demo",
        "Påhittad ideell förening: läsfrämjande för familjer och skolbarn i Skåne (demodata).",
        UserSpec(
            "admin@lasframjandetsyd.demo", "Omar Nilsson", "Bokstav-Sandvik-66", (("lasframjandet", "admin"),)
        ),
    ),
    OutsideSpec(
        "nova",
        "Nova Skolstöd AB",
        OrganisationKind.FORETAG,
        "559900101",
        "kontakt@novaskolstod.demo",
        "Påhittat företag: läxhjälp och närvarostöd i grundskolan (demodata).",
        UserSpec("admin@novaskolstod.demo", "Linnea Åkesson", "Kritstreck-Hamnen-28", (("nova", "admin"),)),
    ),
]


def _ensure(spec: OutsideSpec) -> Organisation:
    org = Organisation.objects.filter(org_number=spec.org_number).first()
    tomelilla = Organisation.objects.filter(org_number=TOMELILLA_ORG_NUMBER).first()
    if org is None:
        if User.objects.filter(email=spec.admin.email).exists():
            org = Organisation(
                name=spec.name,
                org_number=spec.org_number,
                kind=spec.kind,
                contact_email=spec.contact_email,
                self_registered=True,
            )
            org.full_clean()
            org.save()
            log_action("accounts.organisation.registered", organisation=org, obj=org, changes={"demo": True})
        else:
            membership = registration.organisation_register(
                name=spec.name,
                org_number=spec.org_number,
                kind=spec.kind,
                contact_email=spec.contact_email,
                full_name=spec.admin.full_name,
                email=spec.admin.email,
                password=spec.admin.password,
                invited_by=tomelilla if spec.verified_by_tomelilla else None,
            )
            org = membership.organisation
    if spec.description and org.description != spec.description:
        org.description = spec.description
        org.save(update_fields=["description"])
        changes = {"description": spec.description}
        log_action("accounts.organisation.changed", organisation=org, obj=org, changes=changes)
    if spec.verified_by_tomelilla and org.verified_at is None and tomelilla is not None:
        if org.invited_by_id != tomelilla.pk:
            org.invited_by = tomelilla
            org.save(update_fields=["invited_by"])
        admin = User.objects.filter(memberships__organisation=tomelilla, memberships__role="admin").first()
        org = registration.organisation_verify(actor=admin, organisation=org)
    return org


def outside_organisations() -> dict[str, Organisation]:
    """The three outside organisations by key ("trygga", "lasframjandet", "nova"), created if missing."""
    return {spec.key: _ensure(spec) for spec in OUTSIDE}


@transaction.atomic
def build() -> list[str]:
    orgs = outside_organisations()
    # In the account table's format (e-mail, password, who), so the printed accounts log in as listed.
    lines = ["", "Självregistrerade organisationer utanför kommunerna (påhittade):"]
    two_factor = ["", "Tvåfaktorsinloggning (de externa organisationernas administratörer):"]
    for spec in OUTSIDE:
        org = orgs[spec.key]
        user = _ensure_user(spec.admin, orgs)
        status = "verifierad av Tomelilla kommun" if org.verified_at else "ej verifierad"
        who = f"Administratör – {org.name} ({org.org_number}, {status})"
        lines.append(f"{spec.admin.email}  {spec.admin.password}  {who}")
        if needs_two_factor(spec.admin):
            secret, codes = _ensure_two_factor(user, org)
            two_factor.append(f"{spec.admin.email}  {secret}  {' '.join(codes)}")
    lines += two_factor
    return lines
