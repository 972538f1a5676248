"""Pages: the Samverkan start page and invitations (create, accept, revoke).

Thin: access, a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from insats.accounts import access
from insats.accounts.access import actor_for, public, require
from insats.accounts.models import Organisation

from . import registry, selectors, services
from .forms import InvitationForm
from .models import ProcessInvitation

NAV = "sourcing"


@require("sourcing.view")
def home(request):
    actor = actor_for(request)
    if actor.organisation is None:
        raise Http404
    return render(
        request,
        "sourcing/invitations/home.html",
        {
            "nav_active": NAV,
            "own_sections": selectors.own_sections(actor),
            "sent_to_us": selectors.sent_to_us(actor),
            "sent_by_us": selectors.sent_by_us(actor),
            "can_verify": access.can(actor, "organisation.verify"),
        },
    )


def _kind_and_object(actor, kind: str, pk: int):
    entry = registry.get(kind)
    if entry is None:
        raise Http404
    obj = access.get_or_404(actor, entry.model.objects.all(), entry.ability, pk=pk)
    return entry, obj


@require("sourcing.invite")
def invitation_create(request, kind: str, pk: int):
    """Invite organisations from the directory and/or by e-mail; below, the object's invitations."""
    actor = actor_for(request)
    entry, obj = _kind_and_object(actor, kind, pk)
    directory = access.scope(
        actor, Organisation.objects.exclude(pk=obj.organisation_id), "organisation.view"
    ).order_by("name")
    form = InvitationForm(request.POST or None, organisations=directory)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.invitation_create(
                actor=actor,
                kind=kind,
                obj=obj,
                organisations=form.cleaned_data["organisations"],
                emails=form.cleaned_data["emails"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("%(n)d inbjudningar skickade.") % {"n": len(made)}
                if len(made) != 1
                else _("Inbjudan skickad."),
            )
            return redirect("sourcing:invitation_create", kind=kind, pk=obj.pk)
    return render(
        request,
        "sourcing/invitations/create.html",
        {
            "nav_active": NAV,
            "entry": entry,
            "obj": obj,
            "obj_url": entry.detail_link(obj),
            "form": form,
            "invitations": services.invitations_of(obj),
        },
    )


@require("sourcing.invite")
def invitation_revoke(request, pk: int):
    """Confirm, then revoke an open invitation (its link stops working)."""
    actor = actor_for(request)
    invitation = access.get_or_404(
        actor, ProcessInvitation.objects.select_related("invited_organisation"), "sourcing.invite", pk=pk
    )
    back = reverse("sourcing:invitation_create", kwargs={"kind": invitation.kind, "pk": invitation.object_id})
    if request.method == "POST":
        try:
            services.invitation_revoke(actor=actor, invitation=invitation)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Inbjudan är återkallad."))
        return redirect(back)
    return render(
        request,
        "sourcing/invitations/revoke.html",
        {"nav_active": NAV, "invitation": invitation, "back": back, "obj": invitation.target},
    )


@public
@never_cache
def invitation_accept(request, token: str):
    """The link in the e-mail. Logged in: accept for the active organisation. Otherwise: log in or
    register (the registration remembers who invited) and come back here."""
    invitation = services.invitation_for_token(token)
    entry = registry.get(invitation.kind) if invitation is not None else None
    obj = invitation.target if entry is not None else None
    if invitation is None or obj is None:
        return render(request, "sourcing/invitations/accept_invalid.html", {"status": None}, status=404)
    actor = actor_for(request)
    if (
        invitation.accepted_at
        and actor.organisation_id is not None
        and invitation.accepted_by_organisation_id == actor.organisation_id
    ):
        return redirect(entry.detail_link(obj))
    if not invitation.is_open:
        return render(
            request,
            "sourcing/invitations/accept_invalid.html",
            {"status": invitation.status_label, "invitation": invitation},
            status=410,
        )
    here = request.path
    if request.method == "POST" and actor.is_authenticated:
        try:
            services.invitation_accept(actor=actor, invitation=invitation)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Tack! %(org)s har nu tillgång till %(what)s.")
                % {"org": actor.organisation.name, "what": entry.label},
            )
            return redirect(entry.detail_link(obj))
    return render(
        request,
        "sourcing/invitations/accept.html",
        {
            "invitation": invitation,
            "entry": entry,
            "obj": obj,
            "actor_": actor,
            "login_url": reverse("accounts:login") + "?" + urlencode({"next": here}),
            "register_url": reverse("accounts:register_organisation") + "?" + urlencode({"next": here}),
        },
    )
