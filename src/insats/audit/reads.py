"""Logging reads and exports from views and API operations, one line each (docs/operators.md,
"What the audit log records").

``log_read(request, obj, action, **details)`` appends an entry for a read of sensitive data (the
fund's ledger, payments, outcome metrics and prices, member lists with names and e-mail addresses)
or a finished export. Call it after the access check and once the data has been fetched, so a
refused or failed read writes no read entry. The entry names the reader, the reader's organisation,
the object and ``via`` (``page`` or ``api``).

``@export_audited(action)`` (under ``@require``) logs an export that fails: when the view raises
anything but 404/403, or answers with a server error, ``<action>.export_failed`` is appended
(outside the view's transaction, so it stays) naming the error type and the path; then the error
goes on as before.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from ninja.errors import HttpError

from insats.accounts.access import Actor, actor_for

from .models import AuditEntry
from .services import log_action


def _via(request) -> str:
    return "api" if request.path.startswith("/api/") else "page"


def _actor(request) -> Actor:
    auth = getattr(request, "auth", None)  # the API's authenticated actor (token or session)
    return auth if isinstance(auth, Actor) else actor_for(request)


def log_read(request, obj: models.Model, action: str, **details: Any) -> AuditEntry:
    """Append ``action`` (e.g. ``contract.ledger.read``) for the request's actor reading ``obj``."""
    actor = _actor(request)
    return log_action(
        action,
        actor=actor.user if actor.is_authenticated else None,
        organisation=actor.organisation,
        obj=obj,
        changes={"via": _via(request), **details},
    )


@contextmanager
def export_failures(request, action: str, **kwargs: Any):
    """``with export_failures(request, "contract", pk=pk): ...``: the block's failure is logged as
    ``<action>.export_failed`` and raised on (for API operations, where a decorator would hide the
    signature ninja reads)."""
    try:
        yield
    except (Http404, PermissionDenied, HttpError):
        raise
    except Exception as exc:
        _failed(request, action, kwargs, type(exc).__name__)
        raise


def export_audited(action: str):
    """View decorator: a failing export is logged as ``<action>.export_failed``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            with export_failures(request, action, **kwargs):
                response = view(request, *args, **kwargs)
            if getattr(response, "status_code", 200) >= 500:
                _failed(request, action, kwargs, f"HTTP {response.status_code}")
            return response

        return wrapped

    return decorator


def _failed(request, action: str, kwargs: dict, error: str) -> None:
    actor = _actor(request)
    log_action(
        f"{action}.export_failed",
        actor=actor.user if actor.is_authenticated else None,
        organisation=actor.organisation,
        object_type=action,
        object_id=str(kwargs.get("pk", "")),
        changes={
            "via": _via(request),
            "path": request.path,
            "query": request.GET.urlencode(),
            "error": error,
        },
    )
