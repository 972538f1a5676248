"""Logins, logouts and failed logins go to the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .services import log_action


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    log_action("auth.login", actor=user, obj=user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        log_action("auth.logout", actor=user, obj=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    email = (credentials or {}).get("username") or (credentials or {}).get("email") or ""
    log_action(
        "auth.login_failed",
        object_type="accounts.user",
        object_label=str(email)[:300],
        changes={"email": email},
    )
