"""Matrix entries for outside organisations and process invitations (issue 10 item 1) and the Samverkan
start page. Written from the brief and DESIGN.md's "Tenancy and trust":

* registering an organisation is open to anyone (it is how an outside organisation gets in); a
  logged-in visitor sees the page too (with a note), and a rejected POST re-renders it;
* a self-registered organisation is verified by an administrator of the organisation that invited it
  (Tomelilla here) — a partner's or an unrelated organisation's administrator may see the organisation
  in the directory but not verify it (403); the list of unverified organisations is for
  administrators (each sees those their organisation invited) and operators;
* inviting to an RFI, and revoking an invitation, is for the RFI owner's sourcing officers
  (administrators, procurement, analysts); nobody else even sees the RFI (404);
* the link in the e-mail is a bearer token: anyone holding it may open it; accepting for the owner's
  own organisation is refused with a message (the page again, 200), for another organisation it
  shares the RFI and redirects to it;
* the start page is every member's.
"""

from __future__ import annotations

from insats.accounts.access import Actor
from insats.accounts.models import Organisation, Role
from insats.accounts.registration import services as registration
from insats.sourcing.invitations import services
from insats.sourcing.invitations.models import ProcessInvitation
from insats.sourcing.rfi.models import Rfi
from tests.conftest import PASSWORD, org_number
from tests.matrix import ADMIN, ALL, Entry

OFFICERS = frozenset({Role.ADMIN.value, Role.PROCUREMENT.value, Role.ANALYST.value})
EVERYONE = {"own": ALL, "partner": ALL, "unrelated": ALL, "anonymous": True}
API = "api:{} /api/v1/sourcing/invitations{}"


def _officer(w):
    return Actor(user=w.user("owner", "procurement"), membership=w.membership("owner", "procurement"))


def _rfi(w) -> Rfi:
    found = Rfi.objects.filter(organisation=w.orgs["owner"], title="Matrisens marknadsdialog").first()
    return found or Rfi.objects.create(
        organisation=w.orgs["owner"], title="Matrisens marknadsdialog", status="published"
    )


def _invitation(w, email="svar@matris.example") -> tuple[ProcessInvitation, str]:
    [(invitation, token)] = services.invitation_create(
        actor=_officer(w), kind="rfi", obj=_rfi(w), emails=[email]
    )
    return invitation, token


_TOKENS: dict[int, str] = {}


def _token(w) -> str:
    """One link per world (the raw token exists only when it is made); a new one for a new world."""
    token = _TOKENS.get(id(w))
    found = services.invitation_for_token(token) if token else None
    if found is None or found.organisation_id != w.orgs["owner"].pk:
        token = _TOKENS[id(w)] = _invitation(w, "lanken@matris.example")[1]
    return token


def _registered(w) -> Organisation:
    found = Organisation.objects.filter(name="Matrisens förening").first()
    if found:
        return found
    return registration.organisation_register(
        name="Matrisens förening",
        org_number=org_number(9001),
        kind="ideburen",
        contact_email="kontakt@matrisforening.example",
        full_name="Mats Matris",
        email="mats@matrisforening.example",
        password=PASSWORD,
        invited_by=w.orgs["owner"],
    ).organisation


ENTRIES: dict[str, Entry] = {
    "accounts:register_organisation": Entry(**EVERYONE),
    "accounts:register_organisation#post": Entry(
        method="POST",
        data=lambda w: {"name": "", "org_number": "123"},
        ok_statuses=frozenset({200}),
        **EVERYONE,
    ),
    "accounts:organisation_verify": Entry(kwargs=lambda w: {"pk": _registered(w).pk}, own=ADMIN),
    "accounts:organisation_verify#post": Entry(
        kwargs=lambda w: {"pk": _registered(w).pk}, method="POST", own=ADMIN, ok_statuses=frozenset({302})
    ),
    "accounts:unverified_organisations": Entry(own=ADMIN, partner=ADMIN, unrelated=ADMIN),
    "sourcing:home": Entry(own=ALL, partner=ALL, unrelated=ALL),
    "sourcing:invitation_create": Entry(kwargs=lambda w: {"kind": "rfi", "pk": _rfi(w).pk}, own=OFFICERS),
    "sourcing:invitation_create#post": Entry(
        kwargs=lambda w: {"kind": "rfi", "pk": _rfi(w).pk},
        method="POST",
        data=lambda w: {"emails": "ny@matris.example"},
        own=OFFICERS,
        ok_statuses=frozenset({302}),
    ),
    "sourcing:invitation_accept": Entry(
        kwargs=lambda w: {"token": _token(w)}, ok_statuses=frozenset({200}), **EVERYONE
    ),
    "sourcing:invitation_accept#post": Entry(
        kwargs=lambda w: {"token": _token(w)},
        method="POST",
        ok_statuses=frozenset({200, 302}),
        note="owner: refused with a message (200); others: accepted, redirected to the RFI",
        **EVERYONE,
    ),
    "sourcing:invitation_revoke": Entry(kwargs=lambda w: {"pk": _invitation(w)[0].pk}, own=OFFICERS),
    "sourcing:invitation_revoke#post": Entry(
        kwargs=lambda w: {"pk": _invitation(w, "aterkalla@matris.example")[0].pk},
        method="POST",
        own=OFFICERS,
        ok_statuses=frozenset({302}),
    ),
    API.format("GET", ""): Entry(data=lambda w: {"kind": "rfi", "object_id": _rfi(w).pk}, own=OFFICERS),
    API.format("POST", ""): Entry(
        data=lambda w: {"kind": "rfi", "object_id": _rfi(w).pk, "emails": ["api@matris.example"]},
        own=OFFICERS,
    ),
    API.format("POST", "/{invitation_id}/revoke"): Entry(
        kwargs=lambda w: {"invitation_id": _invitation(w, "api-aterkalla@matris.example")[0].pk},
        own=OFFICERS,
    ),
}
