"""The map page: seed 003's matrix with gaps against the lägesbild's needs; exports; need placement."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from insats.accounts import access
from insats.accounts.access import actor_for, require
from insats.audit.reads import export_audited, log_read

from . import exports, selectors, services
from .forms import COLOUR_CHOICES, MapFilterForm, NeedAssignmentForm

NAV = "interventions"


def _map(request):
    actor = actor_for(request)
    data = selectors.inputs(actor)
    form = MapFilterForm(request.GET or None, data)
    return actor, data, form, selectors.build(data, form.filters())


@require("intervention.view")
def map_page(request):
    actor, data, form, result = _map(request)
    can_place = access.can(actor, "intervention.edit")
    return render(
        request,
        "interventions/map_page.html",
        {
            "map": result,
            "form": form,
            "query": form.query(),
            "has_interventions": bool(data.interventions),
            "has_groups": bool(data.target_groups),
            "can_place": can_place,
            "need_form": NeedAssignmentForm(None, data.target_groups) if can_place else None,
            "intensity_choices": NeedAssignmentForm.base_fields["intensity"].choices,
            "legend": selectors.evidence_level_names()
            if result.colour == "evidence"
            else selectors.level_names(),
            "colour_label": dict(COLOUR_CHOICES)[result.colour],
            "words": {"places": _("platser"), "reach": _("räckvidd")},
            "section": "map",
            "nav_active": NAV,
        },
    )


@require("intervention.edit")
@require_POST
def map_need(request):
    actor = actor_for(request)
    data = selectors.inputs(actor)
    form = NeedAssignmentForm(request.POST, data.target_groups)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            messages.error(request, f"{label}: {' '.join(errors)}")
        return redirect(reverse("interventions:map") + "#malgrupper")
    group = form.groups[form.cleaned_data["target_group"]]
    try:
        services.assign_need(actor=actor, target_group=group, intensity=form.cleaned_data["intensity"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Behovet för %(group)s är sparat.") % {"group": group.name})
    return redirect(reverse("interventions:map") + "#malgrupper")


def _filename(ext: str) -> str:
    return f"karta-{timezone.localdate():%Y-%m-%d}.{ext}"


@require("intervention.export")
@export_audited("interventions.map")
def map_xlsx(request):
    actor, _data, _form, result = _map(request)
    response = HttpResponse(
        exports.map_xlsx(result, actor.organisation),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    log_read(request, actor.organisation, "interventions.map.exported", format="xlsx")
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response


@require("intervention.export")
@export_audited("interventions.map")
def map_pdf(request):
    actor, _data, _form, result = _map(request)
    response = HttpResponse(exports.map_pdf(result, actor.organisation), content_type="application/pdf")
    log_read(request, actor.organisation, "interventions.map.exported", format="pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename("pdf")}"'
    return response
