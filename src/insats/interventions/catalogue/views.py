"""Catalogue pages: the list (the app's start page) with search and filters, the Excel export, an
intervention's page, create and edit (one form plus rows for staffing, funding and reach), delete
with confirmation, and the history of versions with what changed between two of them.

Thin: parse the form, ask access.py, call ``services``, render. An intervention another organisation
may not see answers 404; one it may see but not change answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.accounts import access
from insats.accounts.access import actor_for, require
from insats.accounts.models import Organisation
from insats.audit.reads import export_audited, log_read
from insats.platform import spreadsheets

from . import selectors
from . import services as svc
from .forms import InterventionForm, ListFilterForm, formset_rows, row_formsets
from .models import EVIDENCE_HELP, INTENSITY_HELP, Intervention

NAV = "interventions"


def _org(actor):
    from django.http import Http404

    if actor.organisation is None:
        raise Http404
    return actor.organisation


def _list_context(request, actor):
    bands = selectors.age_bands_for(actor.organisation_id)
    visible = selectors.visible_interventions(actor)
    providers = Organisation.objects.filter(provided_interventions__in=visible).distinct().order_by("name")
    form = ListFilterForm(request.GET or None, bands=bands, providers=providers)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    items = selectors.filtered(actor, filters).prefetch_related("age_bands", "providers")
    return form, filters, items


@require("intervention.view")
def home(request):
    actor = actor_for(request)
    form, filters, items = _list_context(request, actor)
    items = list(items)
    return render(
        request,
        "interventions/catalogue_list.html",
        {
            "form": form,
            "filtered": any(filters.values()) if filters else False,
            "interventions": items,
            "query": request.GET.urlencode(),
            "can_edit": access.can(actor, "intervention.edit"),
            "can_export": access.can(actor, "intervention.export"),
            "can_settings": access.can(actor, "catalogue.settings"),
            "section": "catalogue",
            "nav_active": NAV,
        },
    )


@require("intervention.export")
@export_audited("interventions.catalogue")
def catalogue_xlsx(request):
    actor = actor_for(request)
    _form, _filters, items = _list_context(request, actor)
    items = list(items.prefetch_related("areas"))
    wb = spreadsheets.new_workbook()
    ws = wb.active
    ws.title = _("Insatser")[:31]
    spreadsheets.append(
        ws,
        [
            _("Namn"),
            _("Ägande organisation"),
            _("Utförare"),
            _("Metod eller program"),
            _("Status"),
            _("Intensitet"),
            _("Åldersgrupper"),
            _("Var insatsen ges"),
            _("Evidensnivå"),
            _("Platser per år"),
            _("Årsbudget (kr)"),
            _("Budgetår"),
            _("Start"),
            _("Slut"),
        ],
    )
    for i in items:
        providers = [o.name for o in i.providers.all()] + ([i.provider_names] if i.provider_names else [])
        spreadsheets.append(
            ws,
            [
                i.name,
                i.organisation.name,
                ", ".join(providers),
                i.method_name or (i.method.name if i.method_id else ""),
                i.get_status_display(),
                i.get_intensity_display(),
                ", ".join(b.label for b in i.age_bands.all()),
                ", ".join(a.name for a in i.areas.all()),
                i.get_evidence_level_display(),
                i.capacity_per_year,
                i.annual_budget,
                i.budget_year,
                i.start,
                i.end,
            ],
        )
    data = spreadsheets.workbook_bytes(wb)
    log_read(request, _org(actor), "interventions.catalogue.exported", format="xlsx", count=len(items))
    stamp = timezone.localdate().isoformat()
    return spreadsheets.xlsx_response(data, f"insatser-{stamp}.xlsx")


def _get(request, ability: str, pk: int) -> Intervention:
    actor = actor_for(request)
    qs = Intervention.objects.select_related("organisation", "method", "governance_body")
    return access.get_or_404(actor, qs, ability, pk=pk)


@require("intervention.view")
def intervention_detail(request, pk):
    actor = actor_for(request)
    intervention = _get(request, "intervention.view", pk)
    intervention = (
        Intervention.objects.filter(pk=intervention.pk)
        .select_related("organisation", "method", "governance_body")
        .prefetch_related(
            "providers",
            "areas",
            "age_bands",
            "factors",
            "indicators",
            "results",
            "target_groups",
            "funding__funder",
            "staffing__employer",
        )
        .get()
    )
    people, fte = svc.staffing_totals(intervention)
    body = intervention.governance_body
    seats = []
    if body is not None and access.can(actor, "governance.view", body):
        seats = list(body.seats.select_related("represents").order_by("role", "person_name"))
    factors = {}
    for f in intervention.factors.all():
        factors.setdefault(f.get_bbic_side_display(), []).append(f)
    return render(
        request,
        "interventions/catalogue_detail.html",
        {
            "i": intervention,
            "intensity_help": INTENSITY_HELP.get(intervention.intensity, ""),
            "evidence_help": EVIDENCE_HELP.get(intervention.evidence_level, ""),
            "domain_labels": _domain_labels(intervention.domains),
            "factors_by_side": sorted(factors.items()),
            "budget": svc.budget_figures(intervention),
            "reach": svc.reach_table(intervention),
            "staffing": list(intervention.staffing.all()),
            "staff_people": people,
            "staff_fte": fte,
            "seats": seats,
            "can_edit": access.can(actor, "intervention.edit", intervention),
            "version_count": intervention.versions.count(),
            "section": "catalogue",
            "nav_active": NAV,
        },
    )


def _domain_labels(values) -> list[str]:
    from insats.situation.models_plans import BbicSide

    return [str(BbicSide(v).label) for v in values or [] if v in BbicSide.values]


FORM_GROUPS = [
    (
        "Grunduppgifter",
        [
            "name",
            "description",
            "status",
            "start",
            "end",
            "providers",
            "provider_names",
            "method",
            "method_name",
        ],
    ),
    ("Målgrupp och innehåll", ["intensity", "age_bands", "areas", "domains", "factors"]),
    ("Evidens", ["evidence_level", "evidence_sources", "evidence_assessed_on"]),
    ("Mål och uppföljning", ["goals", "outcome_measures", "indicators", "results", "target_groups"]),
    ("Kapacitet och budget", ["capacity_per_year", "annual_budget", "budget_year"]),
    ("Styrning och kontakt", ["governance_body", "contact_name", "contact_email", "contact_phone"]),
]
GROUP_TITLES = {
    "Grunduppgifter": _("Grunduppgifter"),
    "Målgrupp och innehåll": _("Målgrupp och innehåll"),
    "Evidens": _("Evidens"),
    "Mål och uppföljning": _("Mål och uppföljning"),
    "Kapacitet och budget": _("Kapacitet och budget"),
    "Styrning och kontakt": _("Styrning och kontakt"),
}


def _error_lines(form, sets) -> list[str]:
    """Every error as a line naming the field, or the row and the field."""
    lines = [str(e) for e in form.non_field_errors()]
    for name, errs in form.errors.items():
        if name == "__all__":
            continue
        label = form.fields[name].label if name in form.fields else name
        lines += [f"{label}: {e}" for e in errs]
    for kind, fs in sets.items():
        lines += [str(e) for e in fs.non_form_errors()]
        for index, f in enumerate(fs.forms):
            for name, errs in f.errors.items():
                where = _("%(kind)s, rad %(row)s") % {"kind": svc.ROW_TITLES[kind], "row": index + 1}
                if name != "__all__":
                    where += f": {f.fields[name].label}"
                lines += [f"{where}: {e}" for e in errs]
    return lines


def _edit_page(request, intervention: Intervention, *, title: str):
    actor = actor_for(request)
    org = intervention.organisation
    data = request.POST if request.method == "POST" else None
    form = InterventionForm(data, instance=intervention, organisation=org)
    sets = row_formsets(data, organisation=org, intervention=intervention)
    errors: list[str] = []
    if data is not None:
        ok = form.is_valid()
        valid_sets = [fs.is_valid() for fs in sets.values()]  # every formset, for every error
        ok = all(valid_sets) and ok
        if ok:
            values = {n: form.cleaned_data[n] for n in svc.FIELDS if n in form.cleaned_data}
            links = {n: form.cleaned_data[n] for n in svc.M2M if n in form.cleaned_data}
            rows = {k: formset_rows(fs) for k, fs in sets.items()}
            target = intervention if intervention.pk is None else Intervention.objects.get(pk=intervention.pk)
            try:
                saved = svc.save_intervention(
                    actor=actor, intervention=target, values=values, links=links, rows=rows
                )
            except ValidationError as exc:
                for name, errs in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errs)
            else:
                messages.success(request, _("Insatsen är sparad."))
                return redirect("interventions:intervention_detail", pk=saved.pk)
        errors = _error_lines(form, sets)
    groups = [(GROUP_TITLES[key], [form[n] for n in names]) for key, names in FORM_GROUPS]
    back = (
        reverse("interventions:intervention_detail", args=[intervention.pk])
        if intervention.pk
        else reverse("interventions:home")
    )
    return render(
        request,
        "interventions/catalogue_form.html",
        {
            "title": title,
            "form": form,
            "groups": groups,
            "formsets": [(svc.ROW_TITLES[k], k, fs) for k, fs in sets.items()],
            "errors": errors,
            "back": back,
            "i": intervention,
            "section": "catalogue",
            "nav_active": NAV,
        },
        status=422 if errors else 200,
    )


@require("intervention.edit")
def intervention_create(request):
    actor = actor_for(request)
    return _edit_page(request, Intervention(organisation=_org(actor)), title=_("Ny insats"))


@require("intervention.edit")
def intervention_edit(request, pk):
    intervention = _get(request, "intervention.edit", pk)
    return _edit_page(request, intervention, title=_("Ändra %(name)s") % {"name": intervention.name})


@require("intervention.edit")
def intervention_delete(request, pk):
    actor = actor_for(request)
    intervention = _get(request, "intervention.edit", pk)
    if request.method == "POST":
        name = intervention.name
        svc.delete_intervention(actor=actor, intervention=intervention)
        messages.success(request, _("%(name)s är borttagen.") % {"name": name})
        return redirect("interventions:home")
    return render(
        request,
        "interventions/catalogue_delete.html",
        {
            "i": intervention,
            "goes": svc.what_goes_with(intervention),
            "section": "catalogue",
            "nav_active": NAV,
        },
    )


@require("intervention.view")
def intervention_history(request, pk):
    intervention = _get(request, "intervention.view", pk)
    versions = list(intervention.versions.select_related("changed_by").order_by("-number"))
    by_number = {v.number: v for v in versions}

    def pick(key: str, default):
        try:
            return by_number.get(int(request.GET.get(key, "")), default)
        except ValueError:
            return default

    newest = versions[0] if versions else None
    second = versions[1] if len(versions) > 1 else None
    b = pick("b", newest)
    a = pick("a", second if b is newest else by_number.get(b.number - 1) if b else None)
    changes = svc.diff(a.data if a else None, b.data) if b is not None else []
    return render(
        request,
        "interventions/catalogue_history.html",
        {
            "i": intervention,
            "versions": versions,
            "a": a,
            "b": b,
            "changes": changes,
            "section": "catalogue",
            "nav_active": NAV,
        },
    )
