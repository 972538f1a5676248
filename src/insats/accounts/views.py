"""Pages for organisations, members, invitations, partnerships, federations, bodies and the profile.

Thin: parse the form, ask access.py, call a service, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from insats.audit.reads import log_read

from . import access, services
from .access import actor_for, login_only, public, require
from .forms import (
    AcceptForm,
    BodyForm,
    EndForm,
    FederationMemberForm,
    InviteForm,
    LevelForm,
    OrganisationForm,
    PartnershipForm,
    SeatForm,
)
from .middleware import SESSION_KEY
from .models import (
    BackgroundJob,
    FederationMember,
    GovernanceBody,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    Partnership,
    PartnershipLevel,
    Seat,
)


def _form_errors_to(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _active_org_or_404(actor):
    if actor.organisation is None:
        raise Http404
    return actor.organisation


# --- switching organisation -------------------------------------------------------------------


@login_only
@require_POST
def switch(request):
    membership = Membership.objects.filter(user=request.user, pk=request.POST.get("membership")).first()
    if membership is None:
        messages.error(request, _("Du har inget sådant medlemskap."))
    else:
        request.session[SESSION_KEY] = membership.pk
        messages.success(
            request,
            _("Du agerar nu för %(org)s som %(role)s.")
            % {"org": membership.organisation.name, "role": membership.get_role_display()},
        )
    # Back to the page the switch was made on (only a path on this site), else the start page.
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("web:home")


# --- organisations --------------------------------------------------------------------------


@require("organisation.view")
def organisation_list(request):
    actor = actor_for(request)
    orgs = access.scope(actor, Organisation.objects.all(), "organisation.view")
    kind = request.GET.get("kind", "")
    if kind in OrganisationKind.values:
        orgs = orgs.filter(kind=kind)
    q = request.GET.get("q", "").strip()
    if q:
        orgs = orgs.filter(name__icontains=q)
    return render(
        request,
        "accounts/organisation_list.html",
        {
            "organisations": orgs,
            "kinds": OrganisationKind.choices,
            "kind": kind,
            "q": q,
            "nav_active": "organisation",
        },
    )


@require("organisation.view")
def my_organisation(request):
    org = _active_org_or_404(actor_for(request))
    return redirect("accounts:organisation", pk=org.pk)


@require("organisation.view")
def organisation_detail(request, pk):
    actor = actor_for(request)
    org = access.get_or_404(actor, Organisation.objects.all(), "organisation.view", pk=pk)
    federation_rows = None
    if org.kind == OrganisationKind.SAMORDNINGSFORBUND and access.can(actor, "federation.view", org):
        federation_rows = FederationMember.objects.filter(federation=org).select_related("member")
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "org": org,
            "federation_rows": federation_rows,
            "federations": FederationMember.objects.filter(member=org).select_related("federation"),
            "can_edit": access.can(actor, "organisation.edit", org),
            "can_members": access.can(actor, "membership.view", org),
            "can_manage_federation": access.can(actor, "federation.manage", org),
            "nav_active": "organisation",
        },
    )


@require("organisation.edit")
def organisation_edit(request, pk):
    actor = actor_for(request)
    org = access.get_or_404(actor, Organisation.objects.all(), "organisation.edit", pk=pk)
    form = OrganisationForm(request.POST or None, instance=Organisation.objects.get(pk=org.pk))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.organisation_update(actor=request.user, organisation=org, **fields)
        except ValidationError as exc:
            _form_errors_to(form, exc)
        else:
            messages.success(request, _("Organisationen är sparad."))
            return redirect("accounts:organisation", pk=org.pk)
    return render(
        request, "accounts/organisation_edit.html", {"org": org, "form": form, "nav_active": "organisation"}
    )


# --- federation (samordningsförbund members and shares) ---------------------------------------


@require("federation.manage")
def federation_edit(request, pk):
    actor = actor_for(request)
    org = access.get_or_404(actor, Organisation.objects.all(), "federation.manage", pk=pk)
    if org.kind != OrganisationKind.SAMORDNINGSFORBUND:
        raise Http404
    form = FederationMemberForm(request.POST or None)
    form.fields["member"].queryset = Organisation.objects.exclude(pk=org.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.federation_set_member(actor=request.user, federation=org, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors_to(form, exc)
        else:
            messages.success(request, _("Medlemmens andel är sparad."))
            return redirect("accounts:organisation", pk=org.pk)
    return render(
        request,
        "accounts/federation_edit.html",
        {
            "org": org,
            "form": form,
            "rows": FederationMember.objects.filter(federation=org).select_related("member"),
            "nav_active": "organisation",
        },
    )


# --- members and invitations ------------------------------------------------------------------


@require("membership.view")
def my_members(request):
    org = _active_org_or_404(actor_for(request))
    return redirect("accounts:members", pk=org.pk)


@require("membership.view")
def members(request, pk):
    actor = actor_for(request)
    org = access.get_or_404(actor, Organisation.objects.all(), "membership.view", pk=pk)
    can_manage = access.can(actor, "membership.manage", org)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        access.check(actor, "membership.manage", org)
        if form.is_valid():
            try:
                services.invitation_create(
                    actor=request.user,
                    organisation=org,
                    base_url=request.build_absolute_uri("/"),
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                _form_errors_to(form, exc)
            else:
                messages.success(request, _("En inbjudan har skickats till %(email)s.") % form.cleaned_data)
                return redirect("accounts:members", pk=org.pk)
    log_read(request, org, "accounts.members.read", members=org.memberships.count())
    return render(
        request,
        "accounts/members.html",
        {
            "org": org,
            "form": form,
            "can_manage": can_manage,
            # Not "memberships": that name is the header's organisation switcher (web.context.shell).
            "member_rows": org.memberships.select_related("user").order_by("user__full_name", "role"),
            "invitations": [i for i in org.invitations.all() if i.is_open],
            "nav_active": "organisation",
        },
    )


@require("membership.manage")
@require_POST
def membership_remove(request, pk):
    actor = actor_for(request)
    membership = access.get_or_404(
        actor, Membership.objects.select_related("organisation", "user"), "membership.manage", pk=pk
    )
    try:
        services.membership_remove(actor=request.user, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(user)s har inte längre rollen %(role)s.")
            % {"user": membership.user, "role": membership.get_role_display()},
        )
    return redirect("accounts:members", pk=membership.organisation_id)


@require("membership.manage")
@require_POST
def invitation_revoke(request, pk):
    actor = actor_for(request)
    invitation = access.get_or_404(actor, Invitation.objects.all(), "membership.manage", pk=pk)
    services.invitation_revoke(actor=request.user, invitation=invitation)
    messages.success(request, _("Inbjudan till %(email)s är återkallad.") % {"email": invitation.email})
    return redirect("accounts:members", pk=invitation.organisation_id)


@public
def accept(request, token):
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "accounts/accept_invalid.html", status=404)
    user = request.user if request.user.is_authenticated else None
    form = AcceptForm(request.POST or None) if user is None else None
    if request.method == "POST":
        try:
            if user is not None:
                membership = services.invitation_accept(invitation=invitation, user=user)
            elif form.is_valid():
                membership = services.invitation_accept(
                    invitation=invitation,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
                login(request, membership.user, backend="insats.accounts.backends.EmailBackend")
            else:
                membership = None
        except ValidationError as exc:
            if form is not None:
                _form_errors_to(form, exc)
            else:
                messages.error(request, " ".join(exc.messages))
            membership = None
        if membership is not None:
            request.session[SESSION_KEY] = membership.pk
            messages.success(request, _("Välkommen till %(org)s!") % {"org": membership.organisation.name})
            return redirect("web:home")
    return render(request, "accounts/accept.html", {"invitation": invitation, "form": form, "user_": user})


# --- partnerships ------------------------------------------------------------------------------


@require("partnership.view")
def partnerships(request):
    actor = actor_for(request)
    org = _active_org_or_404(actor)
    qs = access.scope(
        actor, Partnership.objects.select_related("organisation", "partner"), "partnership.view"
    )
    qs = qs.prefetch_related(
        Prefetch("levels", queryset=PartnershipLevel.objects.order_by("-valid_from", "-id"))
    )
    rows = []
    for p in qs:
        current = next(iter(p.levels.all()), None)
        other = p.partner if p.organisation_id == org.pk else p.organisation
        rows.append({"p": p, "other": other, "current": current})
    rows.sort(key=lambda r: (-(r["current"].level if r["current"] else 0), r["other"].name))
    can_manage = access.can(actor, "partnership.manage", org)
    form = PartnershipForm(request.POST or None, organisation=org)
    if request.method == "POST":
        access.check(actor, "partnership.manage", org)
        if form.is_valid():
            try:
                p = services.partnership_create(actor=request.user, organisation=org, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors_to(form, exc)
            else:
                messages.success(request, _("Partnerskapet med %(org)s är registrerat.") % {"org": p.partner})
                return redirect("accounts:partnership", pk=p.pk)
    return render(
        request,
        "accounts/partnerships.html",
        {"org": org, "rows": rows, "form": form, "can_manage": can_manage, "nav_active": "partnerships"},
    )


@require("partnership.view")
def partnership_detail(request, pk):
    actor = actor_for(request)
    p = access.get_or_404(
        actor, Partnership.objects.select_related("organisation", "partner"), "partnership.view", pk=pk
    )
    can_manage = access.can(actor, "partnership.manage", p)
    level_form = LevelForm(request.POST if request.POST.get("form") == "level" else None, prefix="level")
    end_form = EndForm(request.POST if request.POST.get("form") == "end" else None, prefix="end")
    if request.method == "POST":
        access.check(actor, "partnership.manage", p)
        if request.POST.get("form") == "level" and level_form.is_valid():
            services.partnership_set_level(
                actor=request.user, partnership=p, acting_for=actor.organisation, **level_form.cleaned_data
            )
            messages.success(request, _("Samverkansnivån är ändrad."))
            return redirect("accounts:partnership", pk=p.pk)
        if request.POST.get("form") == "end" and end_form.is_valid():
            services.partnership_end(
                actor=request.user, partnership=p, acting_for=actor.organisation, **end_form.cleaned_data
            )
            messages.success(request, _("Partnerskapet är avslutat."))
            return redirect("accounts:partnership", pk=p.pk)
    return render(
        request,
        "accounts/partnership_detail.html",
        {
            "p": p,
            "levels": p.levels.select_related("recorded_by"),
            "current": p.current_level_entry(),
            "can_manage": can_manage,
            "level_form": level_form,
            "end_form": end_form,
            "nav_active": "partnerships",
        },
    )


# --- governance bodies ---------------------------------------------------------------------


@require("governance.view")
def bodies(request):
    actor = actor_for(request)
    org = _active_org_or_404(actor)
    qs = access.scope(actor, GovernanceBody.objects.select_related("organisation"), "governance.view")
    can_manage = access.can(actor, "governance.manage", org)
    form = BodyForm(request.POST or None)
    if request.method == "POST":
        access.check(actor, "governance.manage", org)
        if form.is_valid():
            try:
                body = services.body_create(actor=request.user, organisation=org, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors_to(form, exc)
            else:
                messages.success(request, _("Organet %(name)s är skapat.") % {"name": body.name})
                return redirect("accounts:body", pk=body.pk)
    return render(
        request,
        "accounts/bodies.html",
        {
            "org": org,
            "bodies": qs.prefetch_related("seats"),
            "form": form,
            "can_manage": can_manage,
            "nav_active": "bodies",
        },
    )


def _represents_choices(org):
    ids = [org.pk, *FederationMember.objects.filter(federation=org).values_list("member_id", flat=True)]
    return Organisation.objects.filter(pk__in=ids)


@require("governance.view")
def body_detail(request, pk):
    actor = actor_for(request)
    body = access.get_or_404(
        actor, GovernanceBody.objects.select_related("organisation"), "governance.view", pk=pk
    )
    can_manage = access.can(actor, "governance.manage", body)
    form = SeatForm(request.POST or None, represents_choices=_represents_choices(body.organisation))
    if request.method == "POST":
        access.check(actor, "governance.manage", body)
        if form.is_valid():
            services.seat_add(actor=request.user, body=body, **form.cleaned_data)
            messages.success(request, _("Ledamoten är tillagd."))
            return redirect("accounts:body", pk=body.pk)
    return render(
        request,
        "accounts/body_detail.html",
        {
            "body": body,
            "seats": body.seats.select_related("represents"),
            "form": form,
            "can_manage": can_manage,
            "can_share": access.can(actor, "share.manage", body),
            "nav_active": "bodies",
        },
    )


@require("governance.manage")
@require_POST
def seat_end(request, pk):
    actor = actor_for(request)
    seat = access.get_or_404(
        actor, Seat.objects.select_related("body__organisation"), "governance.manage", pk=pk
    )
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.seat_end(actor=request.user, seat=seat, term_end=form.cleaned_data["ended_on"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Mandatperioden för %(name)s är avslutad.") % {"name": seat.person_name}
            )
    else:
        messages.error(request, _("Ange ett giltigt slutdatum."))
    return redirect("accounts:body", pk=seat.body_id)


# --- profile and background jobs ----------------------------------------------------------------


@login_only
def profile(request):
    actor = actor_for(request)
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": getattr(request, "memberships", []),
            "jobs": access.scope(actor, BackgroundJob.objects.all(), "job.view")[:10],
        },
    )


@require("job.view")
def job_detail(request, pk):
    actor = actor_for(request)
    job = get_object_or_404(access.scope(actor, BackgroundJob.objects.all(), "job.view"), pk=pk)
    template = (
        "accounts/job_progress.html" if request.headers.get("HX-Request") else "accounts/job_detail.html"
    )
    return render(request, template, {"job": job})


# --- explicit sharing -------------------------------------------------------------------------


def _shareable_object(actor, type_label: str, pk: str):
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    try:
        model = apps.get_model(type_label)
    except (LookupError, ValueError):
        raise Http404 from None
    if not getattr(model, "shareable", False):
        raise Http404
    obj = access.get_or_404(actor, model.objects.all(), "share.manage", pk=pk)
    return obj, ContentType.objects.get_for_model(model)


@require("share.manage")
def shares(request, type_label, pk):
    from .forms import ShareForm
    from .models import Share

    actor = actor_for(request)
    obj, ct = _shareable_object(actor, type_label, pk)
    form = ShareForm(request.POST or None, owner=actor.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.share_grant(actor=request.user, owner=actor.organisation, obj=obj, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors_to(form, exc)
        else:
            messages.success(
                request,
                _("%(obj)s är delat med %(org)s.") % {"obj": obj, "org": form.cleaned_data["organisation"]},
            )
            return redirect("accounts:shares", type_label=type_label, pk=pk)
    active = Share.objects.filter(content_type=ct, object_id=str(obj.pk), revoked_at__isnull=True)
    return render(
        request,
        "accounts/shares.html",
        {
            "obj": obj,
            "form": form,
            "shares": active.select_related("organisation", "granted_by"),
            "back": obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None,
        },
    )


@require("share.manage")
@require_POST
def share_revoke(request, pk):
    from .models import Share

    actor = actor_for(request)
    share = access.get_or_404(
        actor,
        Share.objects.filter(revoked_at__isnull=True).select_related("content_type", "organisation", "owner"),
        "share.manage",
        pk=pk,
    )
    services.share_revoke(actor=request.user, share=share)
    messages.success(request, _("Delningen med %(org)s är återkallad.") % {"org": share.organisation})
    return redirect(
        "accounts:shares",
        type_label=f"{share.content_type.app_label}.{share.content_type.model}",
        pk=share.object_id,
    )
