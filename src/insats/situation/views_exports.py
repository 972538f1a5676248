"""The lägesbild's exports: a small selection rendered in the request (the lägesbild's own export
views), a large one started as a background job (:mod:`insats.situation.export_jobs`), and the
job's file downloaded by the user who started it.

Thin: parse the query, ask access.py, delegate.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import redirect

from insats.accounts import access
from insats.accounts.access import actor_for, require
from insats.accounts.models import BackgroundJob
from insats.audit.reads import export_audited

from . import export_jobs, lagesbild, selectors, views_lagesbild
from .models import AreaKind


def _selection(request):
    """(area, group id, codes) from the query string, as the lägesbild reads it; 404 for an unknown
    area or group, None for the area when the organisation has none to show."""
    org = actor_for(request).organisation
    code = (request.GET.get("area") or "").strip()
    area = selectors.area_by_code(code) if code else lagesbild.default_area(org)
    if code and (area is None or area.kind != AreaKind.KOMMUN):
        raise Http404
    if area is not None and area.kind != AreaKind.KOMMUN:
        area = None
    group_id = None
    group_param = (request.GET.get("group") or "").strip()
    if group_param:
        groups = selectors.area_groups_for(org)
        if not group_param.isdigit() or not groups.filter(pk=int(group_param)).exists():
            raise Http404
        group_id = int(group_param)
    return area, group_id, [c for c in request.GET.getlist("ind") if c]


def _export(request, fmt: str, direct):
    actor = actor_for(request)
    area, group_id, codes = _selection(request)
    if area is None or not export_jobs.runs_as_job(actor.organisation, codes):
        return direct(request)
    job = export_jobs.start_export(
        user=request.user, organisation=actor.organisation, fmt=fmt, area=area, group_id=group_id, codes=codes
    )
    return redirect("accounts:job", pk=job.pk)


@require("situation.export")
def export_pdf(request):
    return _export(request, "pdf", views_lagesbild.export_pdf)


@require("situation.export")
def export_xlsx(request):
    return _export(request, "xlsx", views_lagesbild.export_xlsx)


@require("situation.export")
@export_audited("situation")
def export_download(request, pk):
    """The finished export's file: only for the user who started the job (a job is personal)."""
    job = access.get_or_404(
        actor_for(request), BackgroundJob.objects.filter(kind=export_jobs.JOB_KIND), "job.view", pk=pk
    )
    path = export_jobs.job_file(job)
    if path is None:
        raise Http404
    fmt = job.result.get("format", "")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.result.get("filename") or path.name,
        content_type=export_jobs.FORMATS.get(fmt, "application/octet-stream"),
    )
