"""The lägesbild's PDF and Excel exports of many indicators as background jobs.

A PDF costs about 0.2 s per indicator (the charts and WeasyPrint), an Excel file less but still
grows with the selection: a selection of at most :data:`AT_ONCE_MAX_INDICATORS` indicators is
rendered in the request as before; a larger one (or no selection when the organisation sees more
indicators than that) returns at once with a job page that shows the progress and then the
download (docs/lagesbild.md, "Export som bakgrundsjobb").

The file is kept under ``VAR_DIR/exports/`` named by the job and a random token; only the user who
started the job may download it (``job.view``: a job is personal). The job builds the same
lägesbild (:func:`insats.situation.lagesbild.build`) and renders the same template and workbook as
the direct export, so the file's content is the same.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_tasks import task

from insats.accounts.models import BackgroundJob
from insats.audit.services import log_action
from insats.platform.jobs import job_progress, job_result, job_start, running_job
from insats.platform.spreadsheets import XLSX_CONTENT_TYPE

from . import exports, lagesbild, selectors
from .models import Area, AreaKind

#: selections up to this many indicators are exported in the request; larger ones as a job
AT_ONCE_MAX_INDICATORS = 20
JOB_KIND = "situation.export"
FORMATS = {"pdf": "application/pdf", "xlsx": XLSX_CONTENT_TYPE}


def selection_size(organisation, codes: list[str]) -> int:
    """How many indicators an export of ``codes`` holds at most (no selection: every indicator the
    organisation sees)."""
    if codes:
        return len(set(codes))
    return selectors.indicators_for(organisation).count()


def runs_as_job(organisation, codes: list[str]) -> bool:
    return selection_size(organisation, codes) > AT_ONCE_MAX_INDICATORS


def export_dir() -> Path:
    return Path(settings.VAR_DIR) / "exports"


def filename(area: Area, fmt: str) -> str:
    return f"lagesbild-{slugify(area.name)}.{fmt}"


def start_export(
    *, user, organisation, fmt: str, area: Area, group_id: int | None, codes: list[str]
) -> BackgroundJob:
    """Create the job for ``user`` and enqueue the export (runs at once with the immediate backend)."""
    assert fmt in FORMATS
    title = _("Lägesbild %(area)s som %(fmt)s") % {"area": area.name, "fmt": fmt.upper()}
    return job_start(
        user=user,
        organisation=organisation,
        kind=JOB_KIND,
        title=title,
        task=export_task,
        fmt=fmt,
        area_code=area.code,
        group_id=group_id,
        codes=list(codes),
    )


def render(fmt: str, lb: lagesbild.Lagesbild, on_progress=None) -> bytes:
    """The export's bytes: what the direct export renders, from the same lägesbild."""
    if fmt == "xlsx":
        data = exports.workbook_bytes(lb)
        if on_progress is not None:
            on_progress(1, 1)
        return data
    from .views_lagesbild import chart_pair  # the page's charts, drawn the same way

    total = len(lb.figures) + 1
    drawn = {}
    for i, f in enumerate(lb.figures, start=1):
        drawn[id(f)] = chart_pair(lb, f)
        if on_progress is not None:
            on_progress(i, total)
    ctx = {
        "area": lb.area,
        "lb": lb,
        "sections": [(name, [(f, drawn[id(f)]) for f in figs]) for name, figs in lb.sections],
        "method_notes": exports.method_notes(lb),
    }
    html = render_to_string("situation/lagesbild_pdf.html", ctx)
    data = exports.pdf_from_html(html)
    if on_progress is not None:
        on_progress(total, total)
    return data


@task()
def export_task(job_id: int, fmt: str, area_code: str, group_id: int | None, codes: list[str]) -> dict:
    """Build the lägesbild, render it, keep the file for the job's user and point the job at it."""
    job = BackgroundJob.objects.select_related("user", "organisation").get(pk=job_id)
    with running_job(job_id):
        org = job.organisation
        area = Area.objects.get(code=area_code, kind=AreaKind.KOMMUN)
        group = selectors.area_groups_for(org).filter(pk=group_id).first() if group_id else None
        job_progress(job_id, 0, 1, _("Räknar fram lägesbilden …"))
        lb = lagesbild.build(area, organisation=org, codes=codes or None, group=group)

        def progress(done: int, total: int) -> None:
            text = _("Skapar filen: steg %(done)s av %(total)s") % {"done": done, "total": total}
            job_progress(job_id, done, total, text)

        data = render(fmt, lb, progress)
        token = secrets.token_urlsafe(16)
        export_dir().mkdir(parents=True, exist_ok=True)
        (export_dir() / f"{job_id}-{token}.{fmt}").write_bytes(data)
        log_action(
            "situation.exported",
            actor=job.user,
            organisation=org,
            obj=area,
            changes={
                "format": fmt,
                "indicators": [f.code for f in lb.figures],
                "group": lb.group.pk if lb.group else None,
                "job": job_id,
            },
        )
        job_result(
            job_id,
            message=_("Klart: %(n)s indikatorer, %(kb)s kB.")
            % {"n": len(lb.figures), "kb": len(data) // 1024},
            url=reverse("situation:export_download", kwargs={"pk": job_id}),
            file=f"{job_id}-{token}.{fmt}",
            filename=filename(area, fmt),
            format=fmt,
        )
    return {"bytes": len(data)}


def job_file(job: BackgroundJob) -> Path | None:
    """The finished export's file, or None (not done, not an export, or gone)."""
    name = (job.result or {}).get("file", "")
    if job.kind != JOB_KIND or job.status != BackgroundJob.Status.DONE or not name or "/" in name:
        return None
    path = export_dir() / name
    return path if path.is_file() else None
