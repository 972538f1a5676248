"""Login (password step, second step with a code or a recovery code), logout and the 2FA page.

Thin: parse the form, call ``security.py``, render. Every decision is made there.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from . import security
from .access import login_only, public

AFTER_SETUP_KEY = "insats_after_2fa_setup_next"

CODE_ATTRS = {
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "pattern": "[0-9 ]*",
    "maxlength": "8",
    "size": "8",
    "spellcheck": "false",
}
RECOVERY_ATTRS = {
    "autocomplete": "one-time-code",
    "autocapitalize": "none",
    "spellcheck": "false",
    "maxlength": "20",
    "size": "14",
}


class LoginForm(forms.Form):
    # A CharField, not an EmailField: a mistyped address is a failed login like any other.
    email = forms.CharField(
        label=gettext_lazy("E-postadress"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=gettext_lazy("Lösenord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Sexsiffrig kod från appen"),
        max_length=8,
        widget=forms.TextInput(attrs=CODE_ATTRS),
    )


class RecoveryForm(forms.Form):
    recovery_code = forms.CharField(
        label=gettext_lazy("Återställningskod"),
        max_length=20,
        help_text=gettext_lazy(
            "En av återställningskoderna du sparade när du aktiverade tvåfaktorsinloggning."
        ),
        widget=forms.TextInput(attrs=RECOVERY_ATTRS),
    )


class ReplaceForm(CodeForm):
    current_code = forms.CharField(
        label=gettext_lazy("Kod från din nuvarande app eller en återställningskod"),
        max_length=20,
        widget=forms.TextInput(attrs=RECOVERY_ATTRS),
    )


def _after_login_url(request, next_url: str) -> str:
    return next_url or settings.LOGIN_REDIRECT_URL


@public
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    next_url = security.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(_after_login_url(request, next_url))
    if request.method == "POST" and (wait := security.login_retry_after(request)):
        return _throttled(request, wait)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = security.password_step(request, form.cleaned_data["email"], form.cleaned_data["password"])
        if user is None:
            form.add_error(None, security.FAILURE_MESSAGE)
        elif user.has_two_factor:
            security.start_second_step(request, user, next_url)
            return redirect("accounts:two_factor_login")
        elif security.finish_login(request, user, second_factor=False):
            return redirect(_after_login_url(request, next_url))
        else:  # pragma: no cover - finish_login without a second factor cannot fail
            form.add_error(None, security.FAILURE_MESSAGE)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def _throttled(request, wait: int):
    """429: this address has failed too often; it may try again after ``wait`` seconds."""
    response = render(request, "accounts/throttled.html", {"minutes": max(1, -(-wait // 60))}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _second_step(request, form_class, template: str, field: str):
    user = security.pending_user(request)
    if user is None:
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        if request.method == "POST":
            messages.error(request, _("Inloggningen tog för lång tid. Logga in igen."))
        return redirect("accounts:login")
    if request.method == "POST" and (wait := security.login_retry_after(request)):
        return _throttled(request, wait)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        next_url = security.pending_next(request)
        if security.second_step(request, user, **{field: form.cleaned_data[field]}):
            if security.finish_login(request, user, second_factor=True):
                return redirect(_after_login_url(request, security.safe_next(request, next_url)))
            messages.error(request, security.FAILURE_MESSAGE)
            return redirect("accounts:login")
        if security.is_locked(user):
            security.cancel_second_step(request)
            messages.error(request, security.FAILURE_MESSAGE)
            return redirect("accounts:login")
        form.add_error(field, _("Koden stämmer inte eller har redan använts."))
    return render(request, template, {"form": form})


@public
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def two_factor_login(request):
    """The second login step: a six-digit code from the authenticator app."""
    return _second_step(request, CodeForm, "accounts/two_factor_login.html", "code")


@public
@sensitive_post_parameters("recovery_code")
@csrf_protect
@never_cache
def recovery_login(request):
    """The second login step with a recovery code instead of the app."""
    return _second_step(request, RecoveryForm, "accounts/recovery_login.html", "recovery_code")


def _setup_secret(request) -> str:
    secret = request.session.get(security.SETUP_KEY)
    if not secret:
        secret = security.new_secret()
        request.session[security.SETUP_KEY] = secret
    return secret


def _add_errors(form, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _status_page(request, *, regenerate_form=None, disable_form=None, status=200):
    user = request.user
    required = security.requires_two_factor(user, getattr(request, "memberships", None))
    return render(
        request,
        "accounts/two_factor_status.html",
        {
            "confirmed_at": user.totp_confirmed_at,
            "unused": security.unused_recovery_codes(user),
            "required": required,
            "regenerate_form": regenerate_form or CodeForm(prefix="regen"),
            "disable_form": None if required else (disable_form or CodeForm(prefix="disable")),
        },
        status=status,
    )


@login_only
@sensitive_post_parameters("code", "current_code")
@never_cache
def two_factor(request):
    """Status of two-factor authentication; set-up (QR code, secret, confirm) when it is off or
    when the user replaces the app (``?byt=1``)."""
    user = request.user
    replacing = user.has_two_factor and (request.GET.get("byt") or request.POST.get("byt"))
    if user.has_two_factor and not replacing:
        return _status_page(request)
    secret = _setup_secret(request)
    form_class = ReplaceForm if replacing else CodeForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = security.enable_two_factor(
                user,
                secret,
                form.cleaned_data["code"],
                current_code=form.cleaned_data.get("current_code", ""),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            request.session.pop(security.SETUP_KEY, None)
            security.mark_verified(request.session, user)
            # Where a just-registered user was going (accounts/registration sets it), else the start page.
            after = security.safe_next(request, request.session.pop(AFTER_SETUP_KEY, ""))
            context = {"codes": codes, "first_time": not replacing, "continue_url": after}
            return render(request, "accounts/recovery_codes.html", context)
    return _setup_page(request, form, replacing=bool(replacing))


def _setup_page(request, form=None, *, replacing: bool = False):
    user = request.user
    secret = _setup_secret(request)
    uri = security.provisioning_uri(user, secret)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form or (ReplaceForm() if replacing else CodeForm()),
            "qr": security.qr_svg_data_uri(uri),
            "secret": security.grouped(secret),
            "replacing": replacing,
            "required": security.requires_two_factor(user, getattr(request, "memberships", None)),
        },
    )


def _not_enabled(request):
    messages.error(request, _("Tvåfaktorsinloggning är inte aktiverad."))
    return _setup_page(request)


@login_only
@require_POST
@sensitive_post_parameters("disable-code")
def two_factor_disable(request):
    """Turn 2FA off (a current code; refused while a role requires 2FA). Errors re-render the page."""
    form = CodeForm(request.POST, prefix="disable")
    if form.is_valid():
        try:
            security.disable_two_factor(request.user, form.cleaned_data["code"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Tvåfaktorsinloggning är avstängd."))
            return redirect("accounts:two_factor")
    if not request.user.has_two_factor:
        return _not_enabled(request)
    if security.requires_two_factor(request.user, getattr(request, "memberships", None)):
        messages.error(request, _("Din roll kräver tvåfaktorsinloggning, så den kan inte stängas av."))
    return _status_page(request, disable_form=form)


@login_only
@require_POST
@sensitive_post_parameters("regen-code")
@never_cache
def recovery_regenerate(request):
    """Ten new recovery codes (a current code from the app); the old ones stop working."""
    form = CodeForm(request.POST, prefix="regen")
    if form.is_valid():
        try:
            codes = security.regenerate_recovery_codes(request.user, form.cleaned_data["code"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "first_time": False})
    if not request.user.has_two_factor:
        return _not_enabled(request)
    return _status_page(request, regenerate_form=form)


logout_view = public(auth_views.LogoutView.as_view())
