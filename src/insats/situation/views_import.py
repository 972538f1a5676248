"""Pages for the own data import and the organisation's own indicators (docs/import.md)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from insats.accounts import access
from insats.accounts.access import actor_for, require
from insats.platform import spreadsheets

from . import services_import as svc
from . import tasks
from .forms_plans import IndicatorForm, MappingForm, UploadForm
from .models import Indicator, IndicatorSource
from .models_import import IMPORT_FIELDS, ImportStatus, ObservationImport

NAV = "situation"
ERRORS_SHOWN = 200


def _org(actor):
    if actor.organisation is None:
        raise Http404
    return actor.organisation


def _own_indicators(org):
    return Indicator.objects.filter(organisation=org, source=IndicatorSource.OWN).order_by("code")


@require("situation.import")
def import_start(request):
    actor = actor_for(request)
    org = _org(actor)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            spreadsheets.check_size(upload.size)  # before reading it into memory
            imp = svc.upload_create(
                actor=actor, organisation=org, filename=upload.name, content=upload.read()
            )
        except ValidationError as exc:
            for msg in exc.message_dict.get("file", exc.messages):
                form.add_error("file", msg)
        else:
            return redirect("situation:import_map", pk=imp.pk)
    return render(
        request,
        "situation/import_start.html",
        {
            "form": form,
            "imports": ObservationImport.objects.filter(organisation=org).defer("content")[:20],
            "indicators": _own_indicators(org),
            "section": "import",
            "nav_active": NAV,
        },
        status=400 if form.errors else 200,
    )


def _import(actor, pk):
    imp = ObservationImport.objects.filter(pk=pk, organisation_id=actor.organisation_id).first()
    if imp is None:
        raise Http404
    return imp


@require("situation.import")
def import_map(request, pk):
    """Map the file's columns; POST runs the import. A failed run shows its error report here."""
    actor = actor_for(request)
    imp = _import(actor, pk)
    indicators = _own_indicators(imp.organisation)
    status, preview = 200, []
    if imp.status == ImportStatus.UPLOADED:
        try:
            preview = svc.upload_preview(imp)
        except spreadsheets.UploadError as exc:
            imp = svc.import_fail(actor=actor, imp=imp, error=exc)
            status = 400
    if imp.status != ImportStatus.UPLOADED:
        return render(
            request,
            "situation/import_result.html",
            {
                "imp": imp,
                "errors": imp.errors[:ERRORS_SHOWN],
                "shown": min(len(imp.errors), ERRORS_SHOWN),
                "section": "import",
                "nav_active": NAV,
            },
            status=status,
        )
    if request.method == "POST":
        form = MappingForm(request.POST, headers=imp.headers, indicators=indicators)
    else:
        columns, constants = svc.suggest_mapping(imp.organisation, imp.headers)
        initial = {f"col_{f}": columns.get(f, "") for f in IMPORT_FIELDS} | {
            f"const_{f}": v for f, v in constants.items()
        }
        form = MappingForm(initial=initial, headers=imp.headers, indicators=indicators)
    if request.method == "POST" and form.is_valid():
        columns, constants = form.mapping()
        try:
            report = svc.import_run(actor=actor, imp=imp, columns=columns, constants=constants)
        except ValidationError as exc:
            for f, errs in exc.message_dict.items():
                key = f"col_{f}" if f"col_{f}" in form.fields else None
                form.add_error(key, errs)
        else:
            if report.ok:
                tasks.refresh_cross_sections_later(user=request.user, organisation=imp.organisation)
                messages.success(
                    request,
                    _("%(rows)s rader importerade: %(new)s nya, %(upd)s uppdaterade, %(same)s oförändrade.")
                    % {
                        "rows": report.rows,
                        "new": report.inserted,
                        "upd": report.updated,
                        "same": report.unchanged,
                    },
                )
            return redirect("situation:import_map", pk=imp.pk)
    return render(
        request,
        "situation/import_map.html",
        {
            "imp": imp,
            "form": form,
            "section": "import",
            "nav_active": NAV,
            "preview": preview,
        },
    )


@require("situation.import")
def import_errors_csv(request, pk):
    actor = actor_for(request)
    imp = _import(actor, pk)
    response = HttpResponse(svc.errors_csv(imp), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="importfel-{imp.pk}.csv"'
    return response


@require("situation.import")
def import_template(request, fmt):
    org = _org(actor_for(request))
    if fmt == "csv":
        response = HttpResponse(svc.template_csv(org), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            svc.template_xlsx(org),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="importmall.{fmt}"'
    return response


@require("situation.import")
def indicator_create(request):
    actor = actor_for(request)
    org = _org(actor)
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ind = svc.indicator_create(actor=actor, organisation=org, **form.cleaned_data)
        except ValidationError as exc:
            for f, errs in exc.message_dict.items():
                form.add_error(f if f in form.fields else None, errs)
        else:
            messages.success(request, _("Indikatorn %(code)s är skapad.") % {"code": ind.code})
            return redirect("situation:import_start")
    return render(
        request,
        "situation/import_indicator_form.html",
        {
            "form": form,
            "section": "import",
            "nav_active": NAV,
            "can": access.can(actor, "situation.import"),
        },
    )
