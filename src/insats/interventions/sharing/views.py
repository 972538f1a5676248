"""Pages: sharing an intervention, the shares list, the catalogue settings, the public listing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from insats.accounts import access
from insats.accounts.access import actor_for, public, require
from insats.interventions.catalogue.models import AgeBand, Intervention, Method

from . import selectors, services
from .forms import AgeBandForm, InterventionShareForm, MethodForm, PublicListingForm

NAV = "interventions"


def _errors_to(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for f, errs in exc.message_dict.items():
            form.add_error(f if f in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _org(actor):
    if actor.organisation is None:
        raise Http404
    return actor.organisation


# --- sharing an intervention -----------------------------------------------------------------------


def _intervention(actor, pk: int) -> Intervention:
    return access.get_or_404(
        actor, Intervention.objects.select_related("organisation"), "intervention.share", pk=pk
    )


@require("intervention.share")
def intervention_share(request, pk):
    actor = actor_for(request)
    intervention = _intervention(actor, pk)
    form = InterventionShareForm(
        request.POST if request.method == "POST" else None, owner=intervention.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.intervention_share(actor=actor, intervention=intervention, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(
                request,
                _("%(obj)s är delad med %(org)s; dess administratörer har fått e-post.")
                % {"obj": intervention.name, "org": form.cleaned_data["organisation"].name},
            )
            return redirect("interventions:intervention_share", pk=pk)
    return render(
        request,
        "interventions/sharing_share.html",
        {
            "intervention": intervention,
            "form": form,
            "shares": services.intervention_shares(intervention),
            "section": "shares",
            "nav_active": NAV,
        },
    )


@require("intervention.share")
def intervention_unshare(request, pk, share_pk):
    """GET: the confirmation; POST: revoke."""
    actor = actor_for(request)
    intervention = _intervention(actor, pk)
    share = services.intervention_shares(intervention).filter(pk=share_pk).first()
    if share is None:
        raise Http404
    if request.method == "POST":
        services.intervention_unshare(actor=actor, intervention=intervention, share=share)
        messages.success(
            request,
            _("Delningen av %(obj)s med %(org)s är återkallad.")
            % {"obj": intervention.name, "org": share.organisation.name},
        )
        return redirect("interventions:intervention_share", pk=pk)
    return render(
        request,
        "interventions/sharing_confirm.html",
        {
            "title": _("Återkalla delningen?"),
            "question": _("%(org)s kommer inte längre att se insatsen %(obj)s.")
            % {"org": share.organisation.name, "obj": intervention.name},
            "submit": _("Återkalla delningen"),
            "back": ("interventions:intervention_share", pk),
            "section": "shares",
            "nav_active": NAV,
        },
    )


@require("intervention.view")
def shares(request):
    """What the organisation has shared, and what others share with it."""
    actor = actor_for(request)
    org = _org(actor)
    return render(
        request,
        "interventions/sharing_list.html",
        {
            "given": selectors.shares_given(org),
            "received": selectors.shares_received(org),
            "can_share": access.can(actor, "intervention.share"),
            "section": "shares",
            "nav_active": NAV,
        },
    )


# --- catalogue settings ----------------------------------------------------------------------------


@require("catalogue.settings")
def catalogue_settings(request):
    actor = actor_for(request)
    org = _org(actor)
    current = services.catalogue_settings_for(org)
    form = PublicListingForm(
        request.POST if request.method == "POST" else None, initial={"public_listing": current.public_listing}
    )
    if request.method == "POST" and form.is_valid():
        on = form.cleaned_data["public_listing"]
        services.public_listing_set(actor=actor, organisation=org, on=on)
        messages.success(
            request,
            _("Den publika förteckningen är påslagen.")
            if on
            else _("Den publika förteckningen är avstängd."),
        )
        return redirect("interventions:catalogue_settings")
    return render(
        request,
        "interventions/sharing_settings.html",
        {
            "org": org,
            "form": form,
            "listing_on": current.public_listing,
            "bands": services.own_age_bands(org),
            "default_bands": AgeBand.objects.filter(organisation__isnull=True),
            "methods": services.own_methods(org),
            "shared_methods": Method.objects.filter(organisation__isnull=True).order_by("name"),
            "min_count": selectors.MIN_COUNT,
            "section": "settings",
            "nav_active": NAV,
        },
    )


def _form_page(request, form, *, title, submit, intro=""):
    return render(
        request,
        "interventions/sharing_form.html",
        {
            "form": form,
            "title": title,
            "submit": submit,
            "intro": intro,
            "section": "settings",
            "nav_active": NAV,
        },
    )


def _own(actor, model, pk):
    return access.get_or_404(
        actor, model.objects.filter(organisation__isnull=False), "catalogue.settings", pk=pk
    )


def _band_page(request, band: AgeBand | None):
    actor = actor_for(request)
    org = _org(actor)
    initial = {"label": band.label, "age_from": band.age_from, "age_to": band.age_to} if band else None
    form = AgeBandForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.age_band_save(actor=actor, organisation=org, band=band, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Åldersgruppen är sparad."))
            return redirect("interventions:catalogue_settings")
    intro = (
        ""
        if band or services.own_age_bands(org).exists()
        else _(
            "När organisationen har egna åldersgrupper ersätter de standardgrupperna i kartan och katalogen."
        )
    )
    return _form_page(
        request,
        form,
        title=_("Ändra åldersgrupp") if band else _("Ny åldersgrupp"),
        submit=_("Spara åldersgruppen"),
        intro=intro,
    )


@require("catalogue.settings")
def age_band_add(request):
    return _band_page(request, None)


@require("catalogue.settings")
def age_band_edit(request, pk):
    return _band_page(request, _own(actor_for(request), AgeBand, pk))


def _delete_page(request, *, obj, title, question, submit, delete):
    actor = actor_for(request)
    error = ""
    if request.method == "POST":
        try:
            delete(actor=actor, organisation=_org(actor), **obj)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Borttaget."))
            return redirect("interventions:catalogue_settings")
    return render(
        request,
        "interventions/sharing_confirm.html",
        {
            "title": title,
            "question": question,
            "submit": submit,
            "error": error,
            "back": ("interventions:catalogue_settings", None),
            "section": "settings",
            "nav_active": NAV,
        },
    )


@require("catalogue.settings")
def age_band_delete(request, pk):
    band = _own(actor_for(request), AgeBand, pk)
    return _delete_page(
        request,
        obj={"band": band},
        title=_("Ta bort åldersgruppen?"),
        question=_("Åldersgruppen %(label)s (%(a)s–%(b)s år) tas bort.")
        % {"label": band.label, "a": band.age_from, "b": band.age_to},
        submit=_("Ta bort åldersgruppen"),
        delete=services.age_band_delete,
    )


def _method_page(request, method: Method | None):
    actor = actor_for(request)
    org = _org(actor)
    initial = {f: getattr(method, f) for f in services.METHOD_FIELDS} if method else None
    form = MethodForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.method_save(actor=actor, organisation=org, method=method, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Metoden är sparad."))
            return redirect("interventions:catalogue_settings")
    return _form_page(
        request, form, title=_("Ändra metod") if method else _("Ny metod"), submit=_("Spara metoden")
    )


@require("catalogue.settings")
def method_add(request):
    return _method_page(request, None)


@require("catalogue.settings")
def method_edit(request, pk):
    return _method_page(request, _own(actor_for(request), Method, pk))


@require("catalogue.settings")
def method_delete(request, pk):
    method = _own(actor_for(request), Method, pk)
    return _delete_page(
        request,
        obj={"method": method},
        title=_("Ta bort metoden?"),
        question=_("Metoden %(name)s tas bort från organisationens lista.") % {"name": method.name},
        submit=_("Ta bort metoden"),
        delete=services.method_delete,
    )


# --- the public listing ----------------------------------------------------------------------------


@public
def public_listing(request, org_pk):
    """An organisation's interventions for anyone, when it has switched the listing on (else 404)."""
    org = selectors.listed_organisation(org_pk)
    if org is None:
        raise Http404
    return render(request, "interventions/public_listing.html", {"listing": selectors.public_listing(org)})
