"""Sessions that are extended by activity without a database write on every request.

Django's ``SESSION_SAVE_EVERY_REQUEST`` writes the session row on each request to move its
expiry; with SQLite that makes every click of every user a write that waits for the others.
Instead, :class:`SessionStore` remembers the expiry it read from the database and
:class:`SessionRefreshMiddleware` saves the session only when its stored expiry lags the one a
save now would give by more than ``SESSION_REFRESH_SECONDS`` (default 60). The idle timeout is
thus ``SESSION_COOKIE_AGE`` minus at most that margin. Changed sessions are saved as always.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.utils import timezone


class SessionStore(DbSessionStore):
    stored_expiry = None

    def _get_session_from_db(self):
        session = super()._get_session_from_db()
        self.stored_expiry = session.expire_date if session is not None else None
        return session


class SessionRefreshMiddleware:
    """Sits just after ``SessionMiddleware``; marks a stale, unchanged session for saving."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or session.is_empty():
            return response
        stored = getattr(session, "stored_expiry", None)
        if stored is None:
            return response
        margin = timedelta(seconds=getattr(settings, "SESSION_REFRESH_SECONDS", 60))
        if timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE) - stored > margin:
            session.modified = True
        return response
