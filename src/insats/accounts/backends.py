"""Log in by e-mail address and password. Lock-out is decided in security.py.

The backend refuses a locked account even with the right password (so every caller of
``authenticate`` respects the lock), but ``get_user`` does not: a lock stops new logins, it does
not end sessions that were already open (else anybody could log a user out by mistyping their
password five times).
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .models import User


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = (email or username or "").strip().lower()
        if not email or password is None:
            return None
        try:
            user = User.objects.get(email=email)
        except User.DoesNotExist:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user) and not user.is_locked():
            return user
        return None

    def get_user(self, user_id):
        try:
            user = User.objects.get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
