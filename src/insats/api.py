"""The JSON API at ``/api/v1/``: one NinjaAPI that mounts each app's router.

Here: authentication (a personal token as ``Authorization: Bearer``, or the browser session with
its CSRF token) and the per-address limit on token calls. What the routers share (the actor of a
request, :func:`actor_of`; problem+json errors, pagination, the date type,
:func:`field_errors`) lives in the low module :mod:`insats.platform.api`; app routers import it from
there.

Routers are mounted when the API is first built (:func:`get_api`), not at import time, so a router
module never needs to import from here (tests/platform/test_layering.py).
``from insats.api import api`` still works.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.openapi.docs import Swagger
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from insats.accounts import access, security, tokens
from insats.accounts.access import Actor

API_TITLE = "Insats API"
API_VERSION = "1"


# --- authentication ------------------------------------------------------------------------------


def _usable(actor: Actor) -> Actor:
    """An authenticated actor must act through a membership to use the API at all."""
    if not access.can(actor, "api.use"):
        raise HttpError(403, _("Du agerar inte för någon organisation."))
    return actor


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer ins_…``: a personal token acting as one membership."""

    def __call__(self, request: HttpRequest) -> Actor | None:
        # Not ninja's own parsing: in DEBUG it logs a header with another scheme verbatim, and
        # that header may hold a secret.
        scheme, _sep, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        # Per address, before the token is looked up: guessing tokens is limited too.
        wait = security.api_retry_after(request)
        if wait is not None:
            raise Throttled(wait)
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        actor = tokens.authenticate(token.strip())
        if actor is None:
            return None
        request.actor = actor
        request.membership = actor.membership
        return _usable(actor)


class SessionActorAuth(APIKeyCookie):
    """The logged-in browser session (same origin). Unsafe methods need the CSRF token.

    A request that carries an ``Authorization`` header is never authenticated by its cookie: a
    wrong token must answer 401, not silently fall back to whoever is logged in.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Actor | None:
        if request.headers.get("Authorization"):
            return None
        actor = access.actor_for(request)
        if not actor.is_authenticated:
            return None
        if check_csrf(request):
            raise HttpError(403, _("CSRF-kontrollen misslyckades; skicka X-CSRFToken."))
        return _usable(actor)

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:  # pragma: no cover
        return self(request)


# --- shared pieces (kept importable from here for older callers) ------------------------------------

from insats.platform.api import (  # noqa: E402
    DEFAULT_PAGE_SIZE,
    ERRORS,
    MAX_PAGE_SIZE,
    WRITE_ERRORS,
    ErrorOut,
    FieldProblem,
    Pagination,
    Problem,
    ProblemNinjaAPI,
    Throttled,
    ValidationErrorOut,
    ValidationProblem,
    actor_of,
    field_errors,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "ERRORS",
    "MAX_PAGE_SIZE",
    "WRITE_ERRORS",
    "ErrorOut",
    "FieldProblem",
    "Pagination",
    "Problem",
    "ValidationErrorOut",
    "ValidationProblem",
    "actor_of",
    "field_errors",
    "get_api",
]


# --- the docs page -------------------------------------------------------------------------------------


class InsatsSwagger(Swagger):
    """Swagger UI from our own static files (ninja's vendored bundle), no inline script (CSP)."""

    template = "api/docs.html"


# --- the API ---------------------------------------------------------------------------------------------


@functools.cache
def get_api() -> ProblemNinjaAPI:
    api = ProblemNinjaAPI(
        title=API_TITLE,
        version=API_VERSION,
        description=(
            "Insats JSON API. Authenticate with a personal API token (`Authorization: Bearer ins_…`), "
            "created on your profile page; the token acts as one organisation and role. "
            "See docs/api.md."
        ),
        urls_namespace="api-v1",
        auth=[BearerTokenAuth(), SessionActorAuth()],
        docs=InsatsSwagger(
            # deepLinking off: its links inside the operation buttons are nested controls (WCAG 4.1.2).
            settings={"deepLinking": False, "persistAuthorization": False, "tryItOutEnabled": False}
        ),
        docs_url="/docs",
        openapi_url="/openapi.json",
        docs_decorator=access.public,
    )
    api.add_router("", "insats.accounts.api.router")
    api.add_router("/situation", "insats.situation.api.router")
    api.add_router("/plans", "insats.situation.api_plans.router")
    api.add_router("/interventions/map", "insats.interventions.map.api.router")
    api.add_router("/interventions/reviews", "insats.interventions.reviews.api.router")
    api.add_router("/interventions/plans", "insats.interventions.plans.api.router")
    api.add_router("/interventions/public", "insats.interventions.sharing.api.router")
    # After the sub-paths above: its /{int:intervention_id} must not shadow /interventions/plans.
    api.add_router("/interventions", "insats.interventions.catalogue.api.router")
    api.add_router("", "insats.contracts.api.router")  # C1: contracts and metrics
    api.add_router("", "insats.contracts.api_results.router")  # C3: results, payments, ledger, INDIGO
    api.add_router("/sourcing/decisions", "insats.sourcing.advisor.api.router")
    api.add_router("/sourcing/rfis", "insats.sourcing.rfi.api.router")
    api.add_router("/sourcing/rfis", "insats.sourcing.rfi.analysis.api.router")
    api.add_router("/sourcing/secrecy", "insats.sourcing.secrecy.api.router")
    api.add_router("/sourcing/grants", "insats.sourcing.grants.api.router")
    api.add_router("/sourcing/iop", "insats.sourcing.iop.api.router")
    api.add_router("/sourcing/invitations", "insats.sourcing.invitations.api.router")
    return api


def __getattr__(name: str):
    if name == "api":
        return get_api()
    raise AttributeError(name)
