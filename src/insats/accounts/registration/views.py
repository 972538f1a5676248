"""Self-registration of an outside organisation, verification, and the list of unverified ones.

Thin: the form, ``access``, a service from :mod:`.services`, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from insats.accounts import access, security
from insats.accounts.access import actor_for, public, require
from insats.accounts.auth_views import AFTER_SETUP_KEY
from insats.accounts.middleware import SESSION_KEY
from insats.accounts.models import Organisation

from . import services
from .forms import RegistrationForm


def local_next(request, url: str | None) -> str:
    """``url`` if it is a path on this site (``/…``, not ``//host``), else ""."""
    url = (url or "").strip()
    if not url.startswith("/") or url.startswith("//") or url.startswith("/\\"):
        return ""
    return security.safe_next(request, url)


def inviting_organisation(next_url: str) -> Organisation | None:
    """The organisation whose open process invitation ``next_url`` is the link of, or None."""
    if not next_url:
        return None
    try:
        match = resolve(next_url.split("?", 1)[0])
    except Resolver404:
        return None
    if match.view_name != "sourcing:invitation_accept":
        return None
    from insats.sourcing.invitations.services import invitation_for_token

    invitation = invitation_for_token(match.kwargs.get("token", ""))
    return invitation.organisation if invitation is not None else None


def _throttled(request, wait: int):
    response = render(
        request,
        "accounts/registration/throttled.html",
        {"minutes": max(1, -(-wait // 60))},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


@public
@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
def register_organisation(request):
    next_url = local_next(request, request.POST.get("next") or request.GET.get("next"))
    invited_by = inviting_organisation(next_url)
    if request.user.is_authenticated and request.method != "POST":
        messages.info(
            request, _("Du är redan inloggad. Logga ut först för att registrera en ny organisation.")
        )
    form = RegistrationForm(request.POST or None)
    if request.method == "POST":
        if wait := services.retry_after(request):
            return _throttled(request, wait)
        services.count_attempt(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                membership = services.organisation_register(
                    name=data["name"],
                    org_number=data["org_number"],
                    kind=data["kind"],
                    contact_email=data["contact_email"],
                    full_name=data["full_name"],
                    email=data["email"],
                    password=data["password1"],
                    invited_by=invited_by,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                login(request, membership.user, backend=security.BACKEND_PATH)
                security.mark_verified(request.session, membership.user)
                request.session[SESSION_KEY] = membership.pk
                messages.success(
                    request,
                    _("%(org)s är registrerad och du är dess administratör.")
                    % {"org": membership.organisation.name},
                )
                if security.requires_two_factor(membership.user):
                    # An administrator sets up two-factor authentication first, then continues.
                    request.session[AFTER_SETUP_KEY] = next_url or reverse("sourcing:home")
                    messages.info(
                        request,
                        _("Som administratör behöver du tvåfaktorsinloggning. Aktivera den först."),
                    )
                    return redirect("accounts:two_factor")
                return redirect(next_url or "sourcing:home")
    return render(
        request,
        "accounts/registration/register.html",
        {"form": form, "next": next_url, "invited_by": invited_by},
    )


def _verifiable_or_404(actor, pk: int) -> Organisation:
    org = get_object_or_404(Organisation, pk=pk, self_registered=True)
    if actor.is_operator and access.can(actor, "organisation.verify"):
        return org
    return access.get_or_404(
        actor, Organisation.objects.filter(self_registered=True), "organisation.verify", pk=pk
    )


@require("organisation.verify")
def organisation_verify(request, pk: int):
    """Confirm, then verify a self-registered organisation (the inviter's admin, or an operator)."""
    actor = actor_for(request)
    org = _verifiable_or_404(actor, pk)
    if request.method == "POST":
        try:
            services.organisation_verify(actor=actor, organisation=org)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(org)s är verifierad.") % {"org": org.name})
        return redirect("accounts:unverified_organisations")
    return render(request, "accounts/registration/verify.html", {"org": org})


@require("organisation.verify")
def unverified_organisations(request):
    """Operators: every unverified self-registered organisation. Admins: those their organisation invited."""
    actor = actor_for(request)
    qs = services.unverified()
    if not actor.is_operator:
        qs = access.scope(actor, qs, "organisation.verify")
    if actor.membership is None and not actor.is_operator:  # pragma: no cover - require() refused already
        raise Http404
    return render(
        request,
        "accounts/registration/unverified.html",
        {"organisations": list(qs), "operator": actor.is_operator},
    )
