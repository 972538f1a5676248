"""Matrix entries for the JSON API (``/api/v1/``) and the API-token pages.

Written from DESIGN.md's "Tenancy and trust" and the brief, not copied from ``access.RULES``:

* every logged-in role may read the organisation directory and ask who it acts as (``/me``);
* only an organisation's administrators list its members and register partnerships for it;
* a partnership belongs to both parties: every role of either party reads it, either party's
  administrators record a new level; an unrelated organisation gets 404 (it may not learn it exists);
* a personal API token belongs to the person who made it: only they may revoke it.

**Keys.** API operations are keyed ``"api:<METHOD> <path>"`` with the path exactly as in
``/api/v1/openapi.json`` (``"api:GET /api/v1/partnerships/{partnership_id}"``). Pages are keyed by URL
name: the token pages (``accounts:tokens``, ``accounts:token_revoke``) and the three URL patterns
django-ninja adds beside the operations — ``api-v1:openapi-json`` (the OpenAPI document),
``api-v1:openapi-view`` (the Swagger page) and ``api-v1:api-root`` (ninja's marker for the API's base path,
which answers 404 to everyone; the entry says exactly that).

**Path parameters.** An entry's ``kwargs(w)`` returns the path parameters by the names inside the
braces (``{"partnership_id": 1}``); the runner substitutes ``{name}`` in the OpenAPI path with
``str(kwargs[name])``. For page entries the same dict goes to ``reverse()``. ``data(w)`` of an API
entry is the JSON body (the runner sends it with ``content_type="application/json"``).

**Columns.** ``own``/``partner``/``unrelated`` are the users acting for the world's "owner"
(Tomelilla), "partner" (RISE) and "unrelated" (Familjeforum). For operations that are not about one
object (lists, ``/me``, creating a partnership) each column acts on *its own* organisation, so the
same roles are allowed in all three; the isolation of lists (an unrelated organisation sees none of
the owner's partnerships) is tested in ``tests/api/test_isolation.py``. API requests carry the case's
own token; a refusal is 401 (anonymous), 403 (visible but not allowed) or 404 (invisible).
"""

from __future__ import annotations

from insats.accounts import access, tokens
from insats.accounts.models import ApiToken, Partnership
from tests.matrix import ADMIN, ALL, NONE, Entry

REVOKE_TOKEN_NAME = "matrix: to be revoked"


def _partnership(w) -> int:
    """The world's partnership between owner (Tomelilla) and partner (RISE)."""
    return Partnership.objects.get(organisation=w.orgs["owner"], partner=w.orgs["partner"]).pk


def _owner_admin_token(w) -> dict:
    """A token of the owner's admin (made once per world by the real service)."""
    membership = w.membership("owner", "admin")
    token = ApiToken.objects.filter(membership=membership, name=REVOKE_TOKEN_NAME).first()
    if token is None:
        actor = access.Actor(user=membership.user, membership=membership)
        token, _ = tokens.token_create(actor=actor, membership=membership, name=REVOKE_TOKEN_NAME)
    return {"pk": token.pk}


EVERYONE = {"own": ALL, "partner": ALL, "unrelated": ALL}
ADMINS_EVERYWHERE = {"own": ADMIN, "partner": ADMIN, "unrelated": ADMIN}
PARTIES = {"own": ALL, "partner": ALL, "unrelated": NONE}

ENTRIES: dict[str, Entry] = {
    # --- the API's own pages (public: the description is not a secret) ---
    "api-v1:openapi-json": Entry(anonymous=True, ok_statuses=frozenset({200}), **EVERYONE),
    "api-v1:openapi-view": Entry(anonymous=True, ok_statuses=frozenset({200}), **EVERYONE),
    "api-v1:api-root": Entry(
        anonymous=True,
        ok_statuses=frozenset({404}),
        note="django-ninja's base-path marker: 404 for everyone, by design",
        **EVERYONE,
    ),
    # --- operations ---
    "api:GET /api/v1/me": Entry(ok_statuses=frozenset({200}), **EVERYONE),
    "api:GET /api/v1/organisations": Entry(ok_statuses=frozenset({200}), **EVERYONE),
    "api:GET /api/v1/organisations/{organisation_id}": Entry(
        kwargs=lambda w: {"organisation_id": w.orgs["owner"].pk}, ok_statuses=frozenset({200}), **EVERYONE
    ),
    "api:GET /api/v1/memberships": Entry(
        ok_statuses=frozenset({200}), note="each admin lists its own organisation", **ADMINS_EVERYWHERE
    ),
    "api:GET /api/v1/partnerships": Entry(
        ok_statuses=frozenset({200}), note="each organisation lists its own partnerships", **EVERYONE
    ),
    "api:GET /api/v1/partnerships/{partnership_id}": Entry(
        kwargs=lambda w: {"partnership_id": _partnership(w)}, ok_statuses=frozenset({200}), **PARTIES
    ),
    "api:POST /api/v1/partnerships": Entry(
        method="POST",
        data=lambda w: {"partner_id": w.orgs["federation"].pk, "level": 2, "valid_from": "2025-01-01"},
        ok_statuses=frozenset({201}),
        note="each admin registers a partnership of its own organisation with the samordningsförbund",
        **ADMINS_EVERYWHERE,
    ),
    "api:POST /api/v1/partnerships/{partnership_id}/levels": Entry(
        method="POST",
        kwargs=lambda w: {"partnership_id": _partnership(w)},
        data=lambda w: {"level": 4, "valid_from": "2025-06-01", "note": "matris"},
        ok_statuses=frozenset({201}),
        own=ADMIN,
        partner=ADMIN,
        unrelated=NONE,
    ),
    # --- token pages ---
    "accounts:tokens": Entry(ok_statuses=frozenset({200}), **EVERYONE),
    "accounts:tokens#create": Entry(
        method="POST",
        data=lambda w: {"name": "matris"},
        ok_statuses=frozenset({201}),
        note="creates a token for the active membership and shows it once",
        **EVERYONE,
    ),
    "accounts:token_revoke": Entry(
        kwargs=_owner_admin_token,
        ok_statuses=frozenset({200}),
        own=ADMIN,
        note="the confirmation page; the token is the owner admin's own",
    ),
    "accounts:token_revoke#post": Entry(
        method="POST",
        kwargs=_owner_admin_token,
        ok_statuses=frozenset({302}),
        own=ADMIN,
        note="only the token's owner revokes it; everyone else gets 404",
    ),
}
