"""Matrix entries for the accounts pages (organisations, members, partnerships, federations, bodies).

Written from DESIGN.md's "Tenancy and trust", not copied from ``access.RULES``:

* the organisation directory (name, kind, org number) is public to every logged-in user;
* only an organisation's own administrators edit it, see and manage its members and invitations;
* a partnership belongs to both parties: every role of either party sees it, and either party's
  administrators record level changes or end it; nobody else sees it;
* a samordningsförbund's members see its member list and its governance bodies, but only the
  förbund's own administrators manage members, shares, bodies and seats;
* background jobs belong to the person who started them, nobody else.

The three columns ``own``/``partner``/``unrelated`` are the world's organisations "owner"
(Tomelilla), "partner" (RISE, partner of Tomelilla) and "unrelated" (Familjeforum).
:class:`FederationEntry` adds a fourth column, ``federation``: users acting for the world's
samordningsförbund, of which Tomelilla is a member. Keys with ``#`` are variants of the same URL
(another method or another object); the part before ``#`` is the URL name.

Objects the entries need are made once per world by :func:`ensure`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from insats.accounts import services
from insats.accounts.models import BackgroundJob, Role, User
from tests.matrix import ADMIN, ALL, NONE, Entry


@dataclass(frozen=True)
class FederationEntry(Entry):
    """An entry that is also tried by users acting for the world's samordningsförbund."""

    federation: frozenset[str] = NONE


def ensure(w, key: str, factory):
    """The object ``key`` of this world, made by ``factory(w)`` the first time it is asked for."""
    cache = w.__dict__.setdefault("_matrix_objects", {})
    if key not in cache:
        cache[key] = factory(w)
    return cache[key]


def _admin(w, org="owner"):
    return w.user(org, Role.ADMIN.value)


def invitation(w, key: str = "invitation"):
    """(Invitation, token) to the owner organisation as a viewer, sent by the owner's admin."""
    return ensure(
        w,
        key,
        lambda w: services.invitation_create(
            actor=_admin(w),
            organisation=w.orgs["owner"],
            email=f"{key}@inbjuden.test",
            role=Role.VIEWER.value,
        ),
    )


def extra_membership(w):
    """A second viewer of the owner organisation: the one the matrix tries to remove."""

    def make(w):
        user = User.objects.create_user("extra@owner.test", "x-Lösenord-123", full_name="Extra Ägare")
        return services.membership_add(
            actor=None, user=user, organisation=w.orgs["owner"], role=Role.VIEWER.value
        )

    return ensure(w, "extra_membership", make)


def partnership(w):
    return ensure(w, "partnership", lambda w: w.orgs["owner"].partnerships.get(partner=w.orgs["partner"]))


def body(w, org: str = "owner"):
    return ensure(
        w,
        f"body:{org}",
        lambda w: services.body_create(
            actor=_admin(w, org), organisation=w.orgs[org], kind="styrgrupp", name=f"Styrgrupp {org}"
        ),
    )


def seat(w):
    return ensure(
        w,
        "seat",
        lambda w: services.seat_add(
            actor=_admin(w),
            body=body(w),
            person_name="Kim Karlsson",
            represents=w.orgs["owner"],
            role="official",
            term_start=datetime.date(2025, 1, 1),
        ),
    )


def job(w):
    """A background job started by the owner organisation's analyst."""
    return ensure(
        w,
        "job",
        lambda w: BackgroundJob.objects.create(
            user=w.user("owner", Role.ANALYST.value),
            organisation=w.orgs["owner"],
            kind="test",
            title="Matrisjobb",
        ),
    )


def _pk(obj):
    return {"pk": obj.pk}


ANALYST = frozenset({Role.ANALYST.value})
REDIRECT = frozenset({302})

ENTRIES: dict[str, Entry] = {
    # --- logging in and out, the session ------------------------------------------------------
    "accounts:login": Entry(
        own=ALL,
        partner=ALL,
        unrelated=ALL,
        anonymous=True,
        ok_statuses=frozenset({200, 302}),
        note="public; a logged-in user is sent on to the start page",
    ),
    "accounts:logout": Entry(
        method="POST",
        own=ALL,
        partner=ALL,
        unrelated=ALL,
        anonymous=True,
        ok_statuses=REDIRECT,
        note="public; POST only (GET is 405)",
    ),
    "accounts:profile": Entry(own=ALL, partner=ALL, unrelated=ALL, note="everybody's own profile"),
    "accounts:switch": Entry(
        method="POST",
        data=lambda w: {"membership": w.membership("owner", Role.ADMIN.value).pk},
        own=ALL,
        partner=ALL,
        unrelated=ALL,
        ok_statuses=REDIRECT,
        note="switching only ever picks among one's own memberships; others get an error message",
    ),
    "accounts:job": Entry(
        kwargs=lambda w: _pk(job(w)),
        own=ANALYST,
        note="a job is personal: only the analyst who started it, not even the admin of the same org",
    ),
    "accounts:accept": Entry(
        kwargs=lambda w: {"token": invitation(w, "accept")[1]},
        own=ALL,
        partner=ALL,
        unrelated=ALL,
        anonymous=True,
        note="public: the token is the credential",
    ),
    # --- the organisation directory ------------------------------------------------------------
    "accounts:organisations": Entry(own=ALL, partner=ALL, unrelated=ALL),
    "accounts:my_organisation": Entry(own=ALL, partner=ALL, unrelated=ALL, ok_statuses=REDIRECT),
    "accounts:organisation": Entry(
        kwargs=lambda w: _pk(w.orgs["owner"]),
        own=ALL,
        partner=ALL,
        unrelated=ALL,
        note="directory facts are public to logged-in users",
    ),
    "accounts:organisation#federation": FederationEntry(
        kwargs=lambda w: _pk(w.orgs["federation"]), own=ALL, partner=ALL, unrelated=ALL, federation=ALL
    ),
    "accounts:organisation_edit": Entry(kwargs=lambda w: _pk(w.orgs["owner"]), own=ADMIN),
    "accounts:organisation_edit#post": Entry(
        method="POST",
        kwargs=lambda w: _pk(w.orgs["owner"]),
        own=ADMIN,
        ok_statuses=REDIRECT,
        data=lambda w: {
            "name": "Tomelilla kommun",
            "org_number": w.orgs["owner"].org_number,
            "kind": "kommun",
            "area_code": "1270",
            "description": "Ändrad i matrisen",
        },
    ),
    # --- federation members and shares ---------------------------------------------------------
    "accounts:federation_edit": FederationEntry(
        kwargs=lambda w: _pk(w.orgs["federation"]),
        federation=ADMIN,
        note="Tomelilla (own column) is a member of the förbund: members may not manage it",
    ),
    "accounts:federation_edit#post": FederationEntry(
        method="POST",
        kwargs=lambda w: _pk(w.orgs["federation"]),
        federation=ADMIN,
        ok_statuses=REDIRECT,
        data=lambda w: {"member": w.orgs["unrelated"].pk, "financing_share": "10"},
    ),
    # --- members and invitations ---------------------------------------------------------------
    "accounts:my_members": Entry(
        own=ADMIN,
        partner=ADMIN,
        unrelated=ADMIN,
        ok_statuses=REDIRECT,
        note="each admin is sent to the members of their own organisation",
    ),
    "accounts:members": Entry(kwargs=lambda w: _pk(w.orgs["owner"]), own=ADMIN),
    "accounts:members#post": Entry(
        method="POST",
        kwargs=lambda w: _pk(w.orgs["owner"]),
        own=ADMIN,
        ok_statuses=REDIRECT,
        data=lambda w: {"email": "ny.kollega@tomelilla.test", "role": Role.ANALYST.value},
    ),
    "accounts:membership_remove": Entry(
        method="POST", kwargs=lambda w: _pk(extra_membership(w)), own=ADMIN, ok_statuses=REDIRECT
    ),
    "accounts:invitation_revoke": Entry(
        method="POST", kwargs=lambda w: _pk(invitation(w, "revoke")[0]), own=ADMIN, ok_statuses=REDIRECT
    ),
    # --- partnerships --------------------------------------------------------------------------
    "accounts:partnerships": Entry(
        own=ALL,
        partner=ALL,
        unrelated=ALL,
        note="the list shows only one's own partnerships (tested in the view tests)",
    ),
    "accounts:partnerships#post": Entry(
        method="POST",
        own=ADMIN,
        partner=ADMIN,
        unrelated=ADMIN,
        ok_statuses=REDIRECT,
        data=lambda w: {"partner": w.orgs["federation"].pk, "level": "2", "valid_from": "2026-01-01"},
        note="every admin may register a partnership of their own organisation",
    ),
    "accounts:partnership": Entry(
        kwargs=lambda w: _pk(partnership(w)), own=ALL, partner=ALL, note="both parties see their partnership"
    ),
    "accounts:partnership#post": Entry(
        method="POST",
        kwargs=lambda w: _pk(partnership(w)),
        own=ADMIN,
        partner=ADMIN,
        ok_statuses=REDIRECT,
        data=lambda w: {"form": "level", "level-level": "4", "level-valid_from": "2026-03-01"},
        note="either party's admin records a level change",
    ),
    # --- governance bodies ---------------------------------------------------------------------
    "accounts:bodies": Entry(
        own=ALL, partner=ALL, unrelated=ALL, note="the list is scoped to one's own and one's förbund's bodies"
    ),
    "accounts:bodies#post": Entry(
        method="POST",
        own=ADMIN,
        partner=ADMIN,
        unrelated=ADMIN,
        ok_statuses=REDIRECT,
        data=lambda w: {"kind": "arbetsgrupp", "name": "Ny arbetsgrupp", "description": ""},
    ),
    "accounts:body": Entry(kwargs=lambda w: _pk(body(w)), own=ALL),
    "accounts:body#federation": FederationEntry(
        kwargs=lambda w: _pk(body(w, "federation")),
        own=ALL,
        federation=ALL,
        note="the förbund's board: seen by the förbund and its member Tomelilla, not by RISE or Familjeforum",
    ),
    "accounts:body#post": Entry(
        method="POST",
        kwargs=lambda w: _pk(body(w)),
        own=ADMIN,
        ok_statuses=REDIRECT,
        data=lambda w: {
            "person_name": "Alva Berg",
            "represents": w.orgs["owner"].pk,
            "role": "politician",
            "term_start": "2026-01-01",
        },
    ),
    "accounts:body#federation-post": FederationEntry(
        method="POST",
        kwargs=lambda w: _pk(body(w, "federation")),
        federation=ADMIN,
        ok_statuses=REDIRECT,
        data=lambda w: {
            "person_name": "Alva Berg",
            "represents": w.orgs["owner"].pk,
            "role": "politician",
            "term_start": "2026-01-01",
        },
        note="a member municipality's admin may not add seats to the förbund's board",
    ),
    "accounts:seat_end": Entry(
        method="POST",
        kwargs=lambda w: _pk(seat(w)),
        own=ADMIN,
        ok_statuses=REDIRECT,
        data=lambda w: {"ended_on": "2026-12-31"},
    ),
}


# --- explicit sharing -------------------------------------------------------------------------
SHARERS = frozenset(
    {Role.ADMIN.value, Role.ANALYST.value, Role.CONTRACT_MANAGER.value, Role.PROCUREMENT.value}
)


def shared_body(w):
    """A steering group of the owner shared with the unrelated organisation ("ny utförare")."""

    def make(w):
        b = services.body_create(
            actor=_admin(w), organisation=w.orgs["owner"], kind="styrgrupp", name="Styrgrupp delad"
        )
        services.share_grant(
            actor=_admin(w),
            owner=w.orgs["owner"],
            obj=b,
            organisation=w.orgs["unrelated"],
            purpose="ny utförare i styrgruppen",
        )
        return b

    return ensure(w, "shared_body", make)


def _share_of(w):
    from insats.accounts.models import Share

    return Share.objects.get(object_id=str(shared_body(w).pk), organisation=w.orgs["unrelated"])


ENTRIES.update(
    {
        "accounts:body#shared": Entry(
            kwargs=lambda w: _pk(shared_body(w)),
            own=ALL,
            unrelated=ALL,
            note="shared explicitly with Familjeforum: every role there sees it; the partner RISE does not",
        ),
        "accounts:shares": Entry(
            kwargs=lambda w: {"type_label": "accounts.governancebody", "pk": shared_body(w).pk},
            own=SHARERS,
        ),
        "accounts:shares#post": Entry(
            method="POST",
            kwargs=lambda w: {"type_label": "accounts.governancebody", "pk": body(w).pk},
            own=SHARERS,
            ok_statuses=REDIRECT,
            data=lambda w: {"organisation": w.orgs["partner"].pk, "purpose": "gemensam styrgrupp"},
        ),
        "accounts:share_revoke": Entry(
            method="POST",
            kwargs=lambda w: _pk(_share_of(w)),
            own=SHARERS,
            ok_statuses=REDIRECT,
        ),
    }
)
