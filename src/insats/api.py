"""The JSON API at ``/api/v1/``: one NinjaAPI that mounts each app's router.

What every router shares lives here: authentication (a personal token as ``Authorization: Bearer``,
or the browser session with its CSRF token), the actor of a request (:func:`actor_of`), page-number
pagination (:class:`Pagination`), the error bodies and the handlers that produce them, and
:func:`field_errors` to turn a service's ``ValidationError`` into a 422 naming the fields.

Routers are mounted when the API is first built (:func:`get_api`), not at import time, so a router
module may import from here without an import cycle. ``from insats.api import api`` still works.

Errors all have ``detail`` (a sentence in the request's language) and ``code``:

=====  ==================  ==========================================================
400    ``bad_request``     the body is not JSON
401    ``unauthenticated`` no or an unknown/revoked token and no session
403    ``forbidden``       authenticated, but the role or relation does not allow it
404    ``not_found``       no such object, or one the actor may not know exists
409    ``conflict``        the object's state does not allow the change
422    ``invalid``         ``errors``: ``[{field, location, message, type}]``
=====  ==================  ==========================================================
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger
from ninja.pagination import PageNumberPagination
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from insats.accounts import access, tokens
from insats.accounts.access import Actor

API_TITLE = "Insats API"
API_VERSION = "1"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


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


def actor_of(request: HttpRequest) -> Actor:
    """The actor an operation runs as (set by the authentication above)."""
    actor = getattr(request, "auth", None)
    if not isinstance(actor, Actor):  # pragma: no cover - every operation requires auth
        raise HttpError(401, _("Inloggning krävs."))
    return actor


# --- shared schemas --------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in the request's language.")
    code: str = Field(description="unauthenticated, forbidden, not_found, conflict or invalid.")


class FieldErrorOut(Schema):
    field: str = Field(description="The offending field, dotted for nested fields; empty for the whole body.")
    location: str = Field(description="body, query or path.")
    message: str
    type: str


class ValidationErrorOut(ErrorOut):
    errors: list[FieldErrorOut]


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**ERRORS, 422: ValidationErrorOut}


class Pagination(PageNumberPagination):
    """``?page=1&page_size=50`` (at most 200). Answers ``count``, ``page``, ``page_size``, ``items``."""

    class Input(Schema):
        page: int = Field(1, ge=1, description="Page number, from 1.")
        page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")

    class Output(Schema):
        count: int = Field(description="Items on all pages together.")
        page: int
        page_size: int
        items: list[Any]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=DEFAULT_PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs)

    def paginate_queryset(self, queryset, pagination: Input, request: HttpRequest, **params: Any):
        size = pagination.page_size
        offset = (pagination.page - 1) * size
        return {
            "count": self._items_count(queryset),
            "page": pagination.page,
            "page_size": size,
            "items": queryset[offset : offset + size],
        }

    async def apaginate_queryset(self, *args, **kwargs):  # pragma: no cover - the API is synchronous
        raise NotImplementedError


def field_errors(exc: DjangoValidationError, *, rename: dict[str, str] | None = None) -> NinjaValidationError:
    """A service's ValidationError as a 422 that names the API's fields (``rename`` maps model→API)."""
    rename = rename or {}
    errors = []
    items = exc.message_dict.items() if hasattr(exc, "error_dict") else [("__all__", exc.messages)]
    for name, messages in items:
        api_name = rename.get(name, "" if name == "__all__" else name)
        for message in messages:
            loc = ("body", "payload", api_name) if api_name else ("body", "payload")
            errors.append({"loc": loc, "msg": str(message), "type": "value_error"})
    return NinjaValidationError(errors)


# --- error handlers ---------------------------------------------------------------------------------


def _error(api: NinjaAPI, request, status: int, code: str, detail: str, **extra):
    return api.create_response(request, {"detail": detail, "code": code, **extra}, status=status)


def _field_of(loc: tuple | list) -> tuple[str, str]:
    """(location, field) from ninja's loc: ("body", "payload", "level") → ("body", "level")."""
    parts = [str(p) for p in loc]
    location = parts[0] if parts else ""
    rest = parts[1:]
    if location == "body" and rest:
        rest = rest[1:]  # the operation's parameter name ("payload") is not part of the JSON
    return location, ".".join(rest)


def install_error_handlers(api: NinjaAPI) -> None:
    def on_validation(request, exc: NinjaValidationError):
        errors = []
        for err in exc.errors:
            location, field = _field_of(err.get("loc", ()))
            errors.append(
                {
                    "field": field,
                    "location": location,
                    "message": err.get("msg", ""),
                    "type": err.get("type", ""),
                }
            )
        return _error(api, request, 422, "invalid", _("Ogiltiga uppgifter."), errors=errors)

    def on_unauthenticated(request, exc):
        response = _error(
            api,
            request,
            401,
            "unauthenticated",
            _("Inloggning krävs: skicka Authorization: Bearer <nyckel>."),
        )
        response["WWW-Authenticate"] = 'Bearer realm="insats"'
        return response

    def on_http_error(request, exc: HttpError):
        codes = {
            400: "bad_request",
            401: "unauthenticated",
            403: "forbidden",
            404: "not_found",
            409: "conflict",
        }
        return _error(api, request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))

    def on_forbidden(request, exc):
        return _error(api, request, 403, "forbidden", _("Din roll får inte göra detta."))

    def on_not_found(request, exc):
        return _error(api, request, 404, "not_found", _("Hittades inte."))

    api.add_exception_handler(NinjaValidationError, on_validation)
    api.add_exception_handler(AuthenticationError, on_unauthenticated)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(PermissionDenied, on_forbidden)
    api.add_exception_handler(Http404, on_not_found)


# --- the docs page -------------------------------------------------------------------------------------


class InsatsSwagger(Swagger):
    """Swagger UI from our own static files (ninja's vendored bundle), no inline script (CSP)."""

    template = "api/docs.html"


# --- the API ---------------------------------------------------------------------------------------------


@functools.cache
def get_api() -> NinjaAPI:
    api = NinjaAPI(
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
    install_error_handlers(api)
    api.add_router("", "insats.accounts.api.router")
    api.add_router("/situation", "insats.situation.api.router")
    api.add_router("/plans", "insats.situation.api_plans.router")
    api.add_router("", "insats.contracts.api.router")  # C1: contracts and metrics
    api.add_router("", "insats.contracts.api_results.router")  # C3: results, payments, ledger, INDIGO
    return api


def __getattr__(name: str):
    if name == "api":
        return get_api()
    raise AttributeError(name)
