"""The current request's id, user and address, for the audit log.

Held in a contextvar, so it is safe under threads and async."""

from __future__ import annotations

import contextvars
from typing import Any

_meta: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("insats_request", default=None)


def set_request_meta(meta: dict[str, Any] | None) -> contextvars.Token:
    return _meta.set(meta)


def reset_request_meta(token: contextvars.Token) -> None:
    _meta.reset(token)


def current_request_meta() -> dict[str, Any]:
    meta = _meta.get()
    if meta is None:
        return {}
    user = (
        meta.get("request").user
        if meta.get("request") is not None and hasattr(meta["request"], "user")
        else None
    )
    return {**meta, "user": user}
