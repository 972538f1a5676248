"""Login hardening: lock-out after failed logins, two-factor authentication (TOTP) and recovery codes.

Everything that decides whether a login succeeds lives here; ``auth_views.py`` only parses forms and
renders. Operators' and admins' view of it: ``docs/security.md``.

**Lock-out.** Each failed login for an existing account is counted with one conditional ``UPDATE``
(``F`` expressions, so concurrent attempts are never lost): the counter restarts at 1 when the
previous failure is older than ``LOGIN_LOCKOUT_MINUTES``, otherwise it grows by one. When it reaches
``LOGIN_FAILURE_LIMIT`` a second conditional ``UPDATE`` sets ``locked_until = now + window``; only
the request whose ``UPDATE`` wins logs ``auth.locked``. While locked, attempts are refused (even
with the right password), logged as ``auth.login_failed`` and not counted. A successful login
clears the counter with an ``UPDATE`` that only matches an unlocked row, so a lock set by a
concurrent request cannot be overtaken.

**Two-factor authentication.** TOTP after RFC 6238 (HMAC-SHA1, 30-second steps, six digits); a code
of the previous, current or next step is accepted, and each step at most once per user
(``User.totp_last_step`` is raised with a conditional ``UPDATE``). Ten one-time recovery codes are
stored as SHA-256 hashes (``RecoveryCode``) and shown once.

**The session.** After the password step a user with 2FA is *pending* (``PENDING_KEY``: user id and
start time, valid ``PENDING_SECONDS``); only after the second step is ``django.contrib.auth.login``
called and the session marked with :func:`mark_verified`. ``TwoFactorRequiredMiddleware`` sends a
logged-in session that is not marked back to the second step (if the user has 2FA) and users whose
role requires 2FA but who have none to the set-up page.
"""

from __future__ import annotations

import hmac
import ipaddress
import math
import re
import secrets
import time
from datetime import datetime, timedelta

import pyotp
import segno
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insats.audit.services import log_action
from insats.platform.api import problem

from .backends import EmailBackend
from .models import RecoveryCode, ThrottleBucket, User

BACKEND_PATH = "insats.accounts.backends.EmailBackend"

# The one message every refused login gets: it does not say which part was wrong.
FAILURE_MESSAGE = gettext_lazy("Fel e-postadress eller lösenord, eller så är kontot tillfälligt låst.")

PENDING_KEY = "insats_2fa_pending"
VERIFIED_KEY = "insats_2fa_verified"
SETUP_KEY = "insats_2fa_setup_secret"
PENDING_SECONDS = 5 * 60

TOTP_INTERVAL = 30
TOTP_DIGITS = 6
TOTP_VALID_WINDOW = 1  # steps either side of the current one
ISSUER = "Insats"

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: easy to read off paper. 10 characters ≈ 49 bits each.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10

CODE_RE = re.compile(rf"^\d{{{TOTP_DIGITS}}}$")


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _unlocked(now: datetime) -> Q:
    return Q(locked_until__isnull=True) | Q(locked_until__lte=now)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


# --- lock-out ------------------------------------------------------------------------------------


def is_locked(user: User, *, now: datetime | None = None) -> bool:
    """Read from the database, not the (possibly stale) instance."""
    return User.objects.filter(pk=user.pk).exclude(_unlocked(_now(now))).exists()


def record_failure(user: User, *, reason: str = "password", now: datetime | None = None) -> bool:
    """Count one failed login for ``user`` and log it (once). True if this failure locked the account.

    ``reason`` is ``"password"`` or ``"second_factor"``; an attempt on a locked account is logged
    with reason ``"locked"`` and not counted.
    """
    now = _now(now)
    window_start = now - _window()
    counted = User.objects.filter(_unlocked(now), pk=user.pk).update(
        failed_logins=Case(
            When(last_failed_login__gt=window_start, then=F("failed_logins") + 1), default=Value(1)
        ),
        last_failed_login=now,
    )
    locked = False
    if counted:
        locked = bool(
            User.objects.filter(
                _unlocked(now), pk=user.pk, failed_logins__gte=settings.LOGIN_FAILURE_LIMIT
            ).update(locked_until=now + _window())
        )
    log_action("auth.login_failed", obj=user, changes={"reason": reason if counted else "locked"})
    if locked:
        log_action(
            "auth.locked",
            obj=user,
            changes={
                "locked_until": now + _window(),
                "limit": settings.LOGIN_FAILURE_LIMIT,
                "minutes": settings.LOGIN_LOCKOUT_MINUTES,
            },
        )
    return locked


def clear_failures(user: User, *, now: datetime | None = None) -> bool:
    """Reset the counter after a successful login. False (and nothing changed) if the account is locked."""
    now = _now(now)
    return bool(
        User.objects.filter(_unlocked(now), pk=user.pk).update(
            failed_logins=0, last_failed_login=None, locked_until=None
        )
    )


def unlock(user: User, *, actor=None) -> None:
    """Lift a lock-out early (an operator's or admin's decision; audited)."""
    User.objects.filter(pk=user.pk).update(failed_logins=0, last_failed_login=None, locked_until=None)
    log_action("auth.unlocked", actor=actor, obj=user)


# --- limits per address ----------------------------------------------------------------------------
#
# The lock-out above is per account, so whoever knows an address could lock its owner out at will.
# The limits here are per client address, counted in the database (ThrottleBucket, one row per key
# with a fixed window; the counting UPDATE uses F expressions like record_failure) so every worker
# sees the same count. Logins: failed attempts per address; once an address has
# LOGIN_IP_FAILURE_LIMIT failures in the window it is answered 429 before any password is checked,
# so its further attempts no longer count towards any account's lock-out. API: every request that
# carries a bearer token counts; over API_RATE_LIMIT it is answered 429. Each crossing is logged
# once per window (auth.ip_throttled, api.throttled).


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies the address they saw."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if hops:
            remote = hops[-trusted] if len(hops) >= trusted else hops[0]
    try:
        return str(ipaddress.ip_address(remote))
    except ValueError:
        return "unknown"


def _bucket(key: str, now: datetime, window: timedelta) -> ThrottleBucket | None:
    return ThrottleBucket.objects.filter(key=key, window_start__gt=now - window).first()


def _retry_after(bucket: ThrottleBucket, now: datetime, window: timedelta) -> int:
    return max(1, math.ceil((bucket.window_start + window - now).total_seconds()))


def _count(key: str, now: datetime, window: timedelta) -> ThrottleBucket:
    """Add one to ``key``'s counter (a new window when the last has ended); the row after the update.

    One conditional UPDATE in the common case; the first request of an address creates the row
    (and clears rows idle for a day, so the table stays the size of the recent addresses).
    """
    current = Q(window_start__gt=now - window)
    rows = ThrottleBucket.objects.filter(key=key)

    def add_one() -> int:
        return rows.update(
            count=Case(When(current, then=F("count") + 1), default=Value(1)),
            window_start=Case(When(current, then=F("window_start")), default=Value(now)),
        )

    # One transaction: the UPDATE's row lock keeps others off until this request has read its count.
    created = False
    with transaction.atomic():
        if not add_one():
            try:
                with transaction.atomic():
                    ThrottleBucket.objects.create(key=key, window_start=now, count=1)
                created = True
            except IntegrityError:  # another worker created it first
                add_one()
        bucket = rows.get()
    if created:
        ThrottleBucket.objects.filter(window_start__lt=now - max(window, timedelta(days=1))).delete()
    return bucket


def _login_window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_IP_WINDOW_MINUTES)


def login_retry_after(request, *, now: datetime | None = None) -> int | None:
    """Seconds this address must wait before it may try to log in again, or None."""
    now = _now(now)
    bucket = _bucket(f"login:{client_ip(request)}", now, _login_window())
    if bucket is None or bucket.count < settings.LOGIN_IP_FAILURE_LIMIT:
        return None
    return _retry_after(bucket, now, _login_window())


def record_ip_failure(request, *, now: datetime | None = None) -> None:
    """Count one failed login (either step) for the request's address; log when it reaches the limit."""
    now = _now(now)
    ip = client_ip(request)
    bucket = _count(f"login:{ip}", now, _login_window())
    if bucket.count == settings.LOGIN_IP_FAILURE_LIMIT:
        log_action(
            "auth.ip_throttled",
            object_type="accounts.address",
            object_label=ip,
            changes={
                "ip": ip,
                "limit": settings.LOGIN_IP_FAILURE_LIMIT,
                "minutes": settings.LOGIN_IP_WINDOW_MINUTES,
            },
        )


def api_retry_after(request, *, now: datetime | None = None) -> int | None:
    """Count one token call for the request's address: seconds to wait when over the limit, else None."""
    limit = settings.API_RATE_LIMIT
    if limit <= 0:
        return None
    now = _now(now)
    window = timedelta(seconds=settings.API_RATE_WINDOW_SECONDS)
    ip = client_ip(request)
    bucket = _count(f"api:{ip}", now, window)
    if bucket.count <= limit:
        return None
    if bucket.count == limit + 1:
        log_action(
            "api.throttled",
            object_type="accounts.address",
            object_label=ip,
            changes={"ip": ip, "limit": limit, "seconds": settings.API_RATE_WINDOW_SECONDS},
        )
    return _retry_after(bucket, now, window)


# --- the password step ---------------------------------------------------------------------------


def password_step(request, email: str, password: str, *, now: datetime | None = None) -> User | None:
    """Check e-mail and password. The user if they may continue, else None (already counted and logged).

    Calls the backend directly rather than ``django.contrib.auth.authenticate`` so that the
    ``user_login_failed`` signal (logged by ``insats.audit.signals``) does not log the same failure
    a second time: here the entry carries the user as object when the address exists.
    A user without 2FA has their counter cleared here; a user with 2FA when the second step passes.
    """
    now = _now(now)
    email = normalise_email(email)
    user = EmailBackend().authenticate(request, email=email, password=password)
    if user is None:
        record_ip_failure(request, now=now)
        target = User.objects.filter(email=email).first() if email else None
        if target is None:
            log_action(
                "auth.login_failed",
                object_type="accounts.user",
                object_label=email[:300],
                changes={"email": email[:300], "reason": "unknown"},
            )
        else:
            record_failure(target, reason="password", now=now)
        return None
    if user.has_two_factor:
        if is_locked(user, now=now):
            log_action("auth.login_failed", obj=user, changes={"reason": "locked"})
            return None
        return user
    if not clear_failures(user, now=now):
        log_action("auth.login_failed", obj=user, changes={"reason": "locked"})
        return None
    return user


def safe_next(request, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def start_second_step(request, user: User, next_url: str = "") -> None:
    """Remember the user who passed the password step; the second step must follow within 5 minutes."""
    request.session.cycle_key()
    request.session[PENDING_KEY] = {"user_id": user.pk, "started": int(time.time()), "next": next_url}


def pending_user(request) -> User | None:
    """The user waiting for the second step: pending after the password step (not expired), or a
    logged-in user with 2FA whose session has not passed it (e.g. logged in by accepting an invitation).
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        if user.has_two_factor and not is_verified(request.session, user):
            return user
        return None
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None
    if time.time() - pending.get("started", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    found = User.objects.filter(pk=pending.get("user_id"), is_active=True).first()
    return found if found is not None and found.has_two_factor else None


def pending_next(request) -> str:
    return (request.session.get(PENDING_KEY) or {}).get("next", "")


def cancel_second_step(request) -> None:
    request.session.pop(PENDING_KEY, None)


def finish_login(request, user: User, *, second_factor: bool, now: datetime | None = None) -> bool:
    """Log the user in (or mark an already logged-in session verified). False if the account got locked."""
    if second_factor and not clear_failures(user, now=now):
        log_action("auth.login_failed", obj=user, changes={"reason": "locked"})
        cancel_second_step(request)
        return False
    cancel_second_step(request)
    if not (request.user.is_authenticated and request.user.pk == user.pk):
        auth_login(request, user, backend=BACKEND_PATH)
    else:
        request.session.cycle_key()
    mark_verified(request.session, user)
    return True


def second_step(
    request, user: User, *, code: str = "", recovery_code: str = "", now: datetime | None = None
) -> bool:
    """Check a TOTP code or a recovery code for ``user``; count and log a failure."""
    now = _now(now)
    if is_locked(user, now=now):
        log_action("auth.login_failed", obj=user, changes={"reason": "locked"})
        return False
    if recovery_code:
        ok = use_recovery_code(user, recovery_code, now=now)
    else:
        ok = verify_totp(user, code, now=now)
    if not ok:
        record_ip_failure(request, now=now)
        record_failure(user, reason="second_factor", now=now)
    return ok


# --- the verified session --------------------------------------------------------------------------


def mark_verified(session, user: User) -> None:
    """Record in ``session`` that this session passed the second factor for ``user``.

    Called after the second login step and after set-up is confirmed (the user just proved they
    hold the device). Tests call it through ``tests/conftest.py``'s ``login()`` after enrolling
    users whose role requires 2FA with :func:`enable_two_factor`; it grants nothing by itself to a
    user whose role requires 2FA but who has none.
    """
    session[VERIFIED_KEY] = user.pk


def is_verified(session, user: User) -> bool:
    return session.get(VERIFIED_KEY) == user.pk


# --- TOTP ------------------------------------------------------------------------------------------


def new_secret() -> str:
    """A random base32 secret of 160 bits (RFC 4226 recommends at least that)."""
    return pyotp.random_base32(32)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL)


def time_step(now: datetime | None = None) -> int:
    return int(_now(now).timestamp()) // TOTP_INTERVAL


def code_at_step(secret: str, step: int) -> str:
    return _totp(secret).generate_otp(step)


def matching_step(secret: str, code: str, *, now: datetime | None = None) -> int | None:
    """The time step (previous, current or next) whose code equals ``code``, or None."""
    code = re.sub(r"\s", "", code or "")
    if not secret or not CODE_RE.match(code):
        return None
    current = time_step(now)
    found = None
    for step in range(current - TOTP_VALID_WINDOW, current + TOTP_VALID_WINDOW + 1):
        if hmac.compare_digest(code_at_step(secret, step), code) and found is None:
            found = step
    return found


def verify_totp(user: User, code: str, *, now: datetime | None = None) -> bool:
    """True if ``code`` is valid for the user's confirmed secret and its step was not used before."""
    if not user.has_two_factor:
        return False
    step = matching_step(user.totp_secret, code, now=now)
    if step is None:
        return False
    if not User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step):
        return False  # replay of a step already used
    user.totp_last_step = step
    return True


def provisioning_uri(user: User, secret: str) -> str:
    return _totp(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    """The QR code as an SVG ``data:`` URI for an ``<img>`` (allowed by the CSP's ``img-src data:``)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff")


def grouped(secret: str) -> str:
    """``ABCD EFGH …`` — the secret in groups of four for typing into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def requires_two_factor(user: User, memberships=None) -> bool:
    """True if the user holds a membership whose role requires 2FA (``TWO_FACTOR_REQUIRED_ROLES``)."""
    required = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    if memberships is not None:
        return any(m.role in required for m in memberships)
    return user.memberships.filter(role__in=required).exists()


# --- recovery codes ----------------------------------------------------------------------------------


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _replace_recovery_codes(user: User) -> list[str]:
    codes: list[str] = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = _new_recovery_code()
        if code not in codes:
            codes.append(code)
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=RecoveryCode.hash(c)) for c in codes)
    return codes


def unused_recovery_codes(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def use_recovery_code(user: User, code: str, *, now: datetime | None = None) -> bool:
    """Spend one recovery code (each works once). Audited as ``auth.2fa.recovery_used``."""
    code = re.sub(r"\s", "", code or "")
    if not code or not user.has_two_factor:
        return False
    now = _now(now)
    used = RecoveryCode.objects.filter(
        user=user, code_hash=RecoveryCode.hash(code), used_at__isnull=True
    ).update(used_at=now)
    if not used:
        return False
    log_action("auth.2fa.recovery_used", obj=user, changes={"remaining": unused_recovery_codes(user)})
    return True


def _current_factor_ok(user: User, code: str, *, allow_recovery: bool, now: datetime) -> bool:
    if verify_totp(user, code, now=now):
        return True
    return allow_recovery and use_recovery_code(user, code, now=now)


def _code_error(message: str) -> ValidationError:
    return ValidationError({"code": [message]})


# --- enabling, disabling, regenerating -----------------------------------------------------------------


def enable_two_factor(
    user: User, secret: str, code: str, *, current_code: str = "", now: datetime | None = None
) -> list[str]:
    """Confirm set-up of ``secret`` with a ``code`` from the app; returns the ten recovery codes (show once).

    For a user who already has 2FA this replaces the authenticator (a new phone) and also needs
    ``current_code``: a code from the old app or an unused recovery code. Audited as
    ``auth.2fa.enabled``; neither the secret nor the codes go to the log.
    Raises ``ValidationError`` naming ``code`` or ``current_code``.
    """
    now = _now(now)
    replacing = user.has_two_factor
    if replacing and not _current_factor_ok(user, current_code, allow_recovery=True, now=now):
        message = _("Koden från din nuvarande app eller återställningskoden stämmer inte.")
        raise ValidationError({"current_code": [message]})
    step = matching_step(secret, code, now=now)
    if step is None:
        raise _code_error(_("Koden stämmer inte. Kontrollera att telefonens klocka går rätt."))
    with transaction.atomic():
        # Only the state the user saw may change: replace a confirmed set-up, or enable a missing one.
        row = User.objects.filter(pk=user.pk, totp_confirmed_at__isnull=not replacing)
        if not row.update(totp_secret=secret, totp_confirmed_at=now, totp_last_step=step):
            raise _code_error(_("Tvåfaktorsinloggningen ändrades samtidigt. Ladda om sidan och försök igen."))
        codes = _replace_recovery_codes(user)
        log_action("auth.2fa.enabled", obj=user, changes={"replaced": replacing, "codes_issued": len(codes)})
    user.totp_secret, user.totp_confirmed_at, user.totp_last_step = secret, now, step
    return codes


def disable_two_factor(user: User, code: str, *, now: datetime | None = None) -> None:
    """Turn 2FA off; needs a current code from the app and is refused while a required role is held."""
    now = _now(now)
    if not user.has_two_factor:
        raise _code_error(_("Tvåfaktorsinloggning är inte aktiverad."))
    if requires_two_factor(user):
        raise _code_error(_("Din roll kräver tvåfaktorsinloggning, så den kan inte stängas av."))
    if not verify_totp(user, code, now=now):
        raise _code_error(_("Koden stämmer inte eller har redan använts."))
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(totp_secret="", totp_confirmed_at=None, totp_last_step=0)
        RecoveryCode.objects.filter(user=user).delete()
        log_action("auth.2fa.disabled", obj=user)
    user.totp_secret, user.totp_confirmed_at, user.totp_last_step = "", None, 0


def reset_two_factor(user: User, *, actor=None, reason: str = "") -> None:
    """An operator's last resort for a person who lost both the app and the recovery codes.

    Removes the secret and the codes without a code; the person sets 2FA up again at the next login
    (required roles are sent there). Audited as ``auth.2fa.disabled`` with ``by_operator``.
    """
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(totp_secret="", totp_confirmed_at=None, totp_last_step=0)
        RecoveryCode.objects.filter(user=user).delete()
        log_action(
            "auth.2fa.disabled", actor=actor, obj=user, changes={"by_operator": True, "reason": reason}
        )
    user.totp_secret, user.totp_confirmed_at, user.totp_last_step = "", None, 0


def regenerate_recovery_codes(user: User, code: str, *, now: datetime | None = None) -> list[str]:
    """Ten new recovery codes; all old ones stop working. Needs a current code from the app."""
    now = _now(now)
    if not verify_totp(user, code, now=now):
        raise _code_error(_("Koden stämmer inte eller har redan använts."))
    with transaction.atomic():
        codes = _replace_recovery_codes(user)
        log_action("auth.2fa.recovery_regenerated", obj=user, changes={"codes_issued": len(codes)})
    return codes


# --- the middleware ----------------------------------------------------------------------------------

# URL names a session may reach before its second factor is settled.
STEP_ALLOWED = frozenset(
    {
        "accounts:two_factor_login",
        "accounts:recovery_login",
        "accounts:logout",
        "set_language",
    }
)
SETUP_ALLOWED = STEP_ALLOWED | {"accounts:two_factor"}


def _redirect(request, url: str, *, is_api: bool, detail: str):
    if is_api:
        return problem(request, 403, detail)
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _is_api(match) -> bool:
    return match is not None and "ninja" in match.app_names


class TwoFactorRequiredMiddleware:
    """Sends users whose roles require two-factor authentication to set it up first.

    Acts only on sessions (``request.user`` from ``AuthenticationMiddleware``). API requests that
    carry an ``Authorization`` header are authenticated by their token, never by the cookie
    (``insats.api.SessionActorAuth``), and pass untouched; a session's own API calls get a JSON
    403 instead of a redirect. A session that has not passed the second factor of a user with 2FA
    goes to the second step; a user holding a role in ``TWO_FACTOR_REQUIRED_ROLES`` without 2FA
    goes to the set-up page. Static files, logout and the language switch stay reachable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        is_api = _is_api(match)
        if is_api and request.headers.get("Authorization"):
            return None
        actor = getattr(request, "actor", None)
        if actor is not None and getattr(actor, "via_token", False):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if settings.STATIC_URL and request.path.startswith(settings.STATIC_URL):
            return None
        name = match.view_name if match else ""
        if user.has_two_factor:
            if is_verified(request.session, user) or name in STEP_ALLOWED:
                return None
            detail = _("Logga in med din andra faktor först.")
            return _redirect(request, reverse("accounts:two_factor_login"), is_api=is_api, detail=detail)
        memberships = getattr(request, "memberships", None)
        if requires_two_factor(user, memberships) and name not in SETUP_ALLOWED:
            # The set-up page itself explains why (no message: it would say it twice).
            detail = _("Din roll kräver tvåfaktorsinloggning. Aktivera den för att fortsätta.")
            return _redirect(request, reverse("accounts:two_factor"), is_api=is_api, detail=detail)
        return None
