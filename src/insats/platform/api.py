"""What every JSON API router shares: problem+json errors, pagination, the body parser, date input.

App APIs import from here, not from the top router (``insats.api``), which only builds the NinjaAPI
and its authentication. This module knows no domain app.

**Errors** are RFC 7807 ``application/problem+json`` (as the Swedish public-sector REST API profile
asks), always with the same members::

    {"type": "urn:insats:problem:invalid", "title": "Ogiltiga uppgifter", "status": 422,
     "detail": "Ogiltiga uppgifter.", "code": "invalid", "instance": "/api/v1/partnerships",
     "errors": [{"field": "level", "location": "body", "message": "…", "type": "less_than_equal"}]}

``errors`` only on 422. ``code`` is stable and one of :data:`CODES`; ``title`` and ``detail`` follow
the request's language.
"""

from __future__ import annotations

import datetime
import functools
import json
import logging
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination
from ninja.parser import Parser
from pydantic import BeforeValidator

logger = logging.getLogger("insats.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Far beyond any real list (200 × 10⁶ items), far below the databases' 64-bit OFFSET.
MAX_PAGE = 1_000_000

CODES: dict[str, tuple[int, Any]] = {
    "bad_request": (400, gettext_lazy("Felaktig begäran")),
    "unauthenticated": (401, gettext_lazy("Inloggning krävs")),
    "forbidden": (403, gettext_lazy("Inte tillåtet")),
    "not_found": (404, gettext_lazy("Hittades inte")),
    "method_not_allowed": (405, gettext_lazy("Metoden stöds inte")),
    "conflict": (409, gettext_lazy("Konflikt")),
    "too_large": (413, gettext_lazy("För stor begäran")),
    "invalid": (422, gettext_lazy("Ogiltiga uppgifter")),
    "throttled": (429, gettext_lazy("För många förfrågningar")),
    "server_error": (500, gettext_lazy("Internt fel")),
}
CODE_BY_STATUS = {status: code for code, (status, _title) in CODES.items()}


# --- schemas ---------------------------------------------------------------------------------------


class Problem(Schema):
    """An error (RFC 7807)."""

    type: str = Field(description="urn:insats:problem:<code>.")
    title: str = Field(description="A short summary of the kind of error, in the request's language.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong, in the request's language.")
    code: str = Field(description=", ".join(CODES) + ".")
    instance: str = Field(description="The path of the request.")


class FieldProblem(Schema):
    field: str = Field(description="The offending field, dotted for nested fields; empty for the whole body.")
    location: str = Field(description="body, query or path.")
    message: str
    type: str


class ValidationProblem(Problem):
    """A 422: ``errors`` names every offending field."""

    errors: list[FieldProblem]


# Kept for the routers' ``response=`` dicts; the OpenAPI document adds the rest (see _declare_errors).
ErrorOut = Problem
ValidationErrorOut = ValidationProblem
ERRORS = {401: Problem, 403: Problem, 404: Problem}
WRITE_ERRORS = {**ERRORS, 422: ValidationProblem}


# --- input types -----------------------------------------------------------------------------------


def actor_of(request: HttpRequest) -> Any:
    """The actor an API operation runs as: set on ``request.auth`` by the API's authentication
    (``insats.api``), an ``accounts.access.Actor``. 401 if there is none."""
    actor = getattr(request, "auth", None)
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise HttpError(401, _("Inloggning krävs."))
    return actor


def _date_text_only(value: Any) -> Any:
    """A date in JSON is the text ``YYYY-MM-DD``: pydantic would take 0 as 1970-01-01."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(_("Ange datumet som text på formen ÅÅÅÅ-MM-DD."))
    return value


Date = Annotated[datetime.date, BeforeValidator(_date_text_only)]


# --- pagination ------------------------------------------------------------------------------------


class Pagination(PageNumberPagination):
    """``?page=1&page_size=50`` (at most 200). Answers ``count``, ``page``, ``page_size``, ``items``."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
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


# --- bodies and queries ----------------------------------------------------------------------------


def _nul_paths(value: Any, path: tuple = ()) -> list[tuple]:
    """Where a NUL character hides in decoded JSON (PostgreSQL refuses it; SQLite would store it)."""
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if "\x00" in str(key):
                found.append((*path, key))
            found += _nul_paths(item, (*path, key))
        return found
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _nul_paths(item, (*path, i))]
    return []


def _nul_error(loc: tuple) -> dict:
    return {"loc": loc, "msg": _("Tecknet NUL är inte tillåtet i text."), "type": "nul_character"}


class ProblemParser(Parser):
    """JSON bodies and query strings without NUL characters; a body that is too large is a 413."""

    def parse_body(self, request: HttpRequest):
        try:
            raw = request.body
        except RequestDataTooBig as exc:
            raise _TooLarge from exc
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _NotJson from exc
        bad = _nul_paths(data)
        if bad:
            raise _BodyNul(bad)
        return data

    def parse_querydict(self, data, list_fields, request: HttpRequest):
        bad = [key for key, values in data.lists() if "\x00" in key or any("\x00" in v for v in values)]
        if bad:
            raise NinjaValidationError([_nul_error(("query", key)) for key in bad])
        return super().parse_querydict(data, list_fields, request)


class _TooLarge(Exception):
    pass


class _NotJson(Exception):
    pass


class _BodyNul(Exception):
    def __init__(self, paths: list[tuple]):
        super().__init__(paths)
        self.paths = paths


# --- error responses -------------------------------------------------------------------------------


def problem(request: HttpRequest, status: int, detail: str, *, code: str = "", **extra: Any) -> HttpResponse:
    """The problem+json response for ``status`` (``code`` defaults to the status's)."""
    code = code or CODE_BY_STATUS.get(status, "error")
    title = CODES[code][1] if code in CODES else detail
    body = {
        "type": f"urn:insats:problem:{code}",
        "title": str(title),
        "status": status,
        "detail": str(detail),
        "code": code,
        "instance": request.path,
        **extra,
    }
    return JsonResponse(
        body, status=status, content_type=PROBLEM_CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )


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


def _field_of(loc: tuple | list) -> tuple[str, str]:
    """(location, field) from ninja's loc: ("body", "payload", "level") → ("body", "level")."""
    parts = [str(p) for p in loc]
    location = parts[0] if parts else ""
    rest = parts[1:]
    if location == "body" and rest:
        rest = rest[1:]  # the operation's parameter name ("payload") is not part of the JSON
    return location, ".".join(rest)


def _field_problems(errors) -> list[dict]:
    out = []
    for err in errors:
        location, field = _field_of(err.get("loc", ()))
        out.append(
            {
                "field": field,
                "location": location,
                "message": str(err.get("msg", "")),
                "type": err.get("type", ""),
            }
        )
    return out


def install_error_handlers(api: NinjaAPI) -> None:
    """Every exception an operation may raise becomes a problem+json response."""

    def on_validation(request, exc: NinjaValidationError):
        return problem(request, 422, _("Ogiltiga uppgifter."), errors=_field_problems(exc.errors))

    def on_body_nul(request, exc: _BodyNul):
        errors = [
            {
                "field": ".".join(str(p) for p in path),
                "location": "body",
                "message": _nul_error(())["msg"],
                "type": "nul_character",
            }
            for path in exc.paths
        ]
        return problem(request, 422, _("Ogiltiga uppgifter."), errors=errors)

    def on_unauthenticated(request, exc):
        response = problem(request, 401, _("Inloggning krävs: skicka Authorization: Bearer <nyckel>."))
        response["WWW-Authenticate"] = 'Bearer realm="insats"'
        return response

    def on_http_error(request, exc: HttpError):
        # ninja wraps whatever the parser raises in a 400; answer for the cause.
        cause = exc.__cause__
        if isinstance(cause, _BodyNul):
            return on_body_nul(request, cause)
        if isinstance(cause, (_TooLarge, RequestDataTooBig)):
            return on_too_large(request, cause)
        if isinstance(cause, _NotJson):
            return problem(request, 400, _("Innehållet är inte giltig JSON."))
        response = problem(request, exc.status_code, str(exc))
        wait = getattr(exc, "retry_after", None)
        if wait is not None:
            response["Retry-After"] = str(wait)
        return response

    def on_forbidden(request, exc):
        return problem(request, 403, _("Din roll får inte göra detta."))

    def on_not_found(request, exc):
        return problem(request, 404, _("Hittades inte."))

    def on_too_large(request, exc):
        return problem(request, 413, _("Begäran är för stor."))

    def on_server_error(request, exc):
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return problem(request, 500, _("Ett internt fel inträffade. Försök igen senare."))

    api.add_exception_handler(Exception, on_server_error)
    api.add_exception_handler(NinjaValidationError, on_validation)
    api.add_exception_handler(_BodyNul, on_body_nul)
    api.add_exception_handler(AuthenticationError, on_unauthenticated)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(PermissionDenied, on_forbidden)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(_TooLarge, on_too_large)
    api.add_exception_handler(RequestDataTooBig, on_too_large)


class Throttled(HttpError):
    """A 429 with ``Retry-After`` (seconds)."""

    def __init__(self, retry_after: int):
        super().__init__(429, _("För många förfrågningar från din adress. Försök igen om en stund."))
        self.retry_after = retry_after


# --- the NinjaAPI ----------------------------------------------------------------------------------

# Declared on every operation (besides what the operation itself declares).
COMMON_ERRORS = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    422: ValidationProblem,
    429: Problem,
    500: Problem,
}
BODY_ERRORS = {413: Problem}


class ProblemNinjaAPI(NinjaAPI):
    """A NinjaAPI whose errors are problem+json, in the responses and in the OpenAPI document."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("parser", ProblemParser())
        super().__init__(*args, **kwargs)
        install_error_handlers(self)

    def _get_urls(self):
        """ninja answers a method an operation lacks with an empty text 405; make it a problem."""
        patterns = super()._get_urls()
        for pattern in patterns:
            callback = getattr(pattern, "callback", None)
            if callback is not None and getattr(callback, "__module__", "") == "ninja.operation":
                pattern.callback = _problem_405(callback)
        return patterns

    def create_temporal_response(self, request: HttpRequest) -> HttpResponse:
        """Called first inside every operation's error handling: refuse NUL in path parameters here
        (the parser sees only bodies and queries)."""
        match = getattr(request, "resolver_match", None)
        kwargs = match.kwargs if match else {}
        bad = [name for name, value in kwargs.items() if isinstance(value, str) and "\x00" in value]
        if bad:
            raise NinjaValidationError([_nul_error(("path", name)) for name in bad])
        return super().create_temporal_response(request)

    def set_default_exception_handlers(self) -> None:
        """None of ninja's defaults (text/plain 500s); install_error_handlers sets ours."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any):
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (Problem, FieldProblem, ValidationProblem):
            components.setdefault(model.__name__, _component(model))
        for _path, operations in schema.get("paths", {}).items():
            for _method, operation in operations.items():
                # ninja keys the operation's own responses by int; JSON makes every key a string, so
                # mixing 401 and "401" would write the key twice (Swagger UI refuses such a document).
                responses = {str(k): v for k, v in operation.get("responses", {}).items()}
                operation["responses"] = responses
                wanted = dict(COMMON_ERRORS)
                if "requestBody" in operation:
                    wanted.update(BODY_ERRORS)
                for status in wanted:
                    responses.setdefault(str(status), {"description": str(CODES[CODE_BY_STATUS[status]][1])})
                for status, response in responses.items():
                    if int(status) < 400:
                        continue
                    model = ValidationProblem if int(status) == 422 else Problem
                    response["content"] = {
                        PROBLEM_CONTENT_TYPE: {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
                    }
                    if int(status) == 429:
                        response["headers"] = {
                            "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
                        }
                    if int(status) == 401:
                        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
        return schema


def _problem_405(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            PROBLEM_CONTENT_TYPE
        ):
            problem_response = problem(
                request, 405, _("Metoden %(method)s stöds inte här.") % {"method": request.method}
            )
            problem_response["Allow"] = response.get("Allow", "")
            return problem_response
        return response

    return wrapped


def _component(model) -> dict:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return schema


# --- outside the operations ------------------------------------------------------------------------


def is_api_path(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def api_not_found(request: HttpRequest) -> HttpResponse:
    return problem(request, 404, _("Hittades inte."))


def api_server_error(request: HttpRequest) -> HttpResponse:
    return problem(request, 500, _("Ett internt fel inträffade. Försök igen senare."))


def api_bad_request(request: HttpRequest) -> HttpResponse:
    return problem(request, 400, _("Felaktig begäran."))
