"""Background work for the lägesbild: a Kolada sync the UI can start and the user can follow."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from insats.accounts.models import BackgroundJob, User
from insats.platform.jobs import job_progress, job_result, job_start, running_job

from . import cross_sections
from .services import sync_kolada

KOLADA_JOB_KIND = "situation.kolada_sync"


@task()
def kolada_sync_task(
    job_id: int,
    kpis: list[str],
    years: list[int] | None = None,
    municipalities: list[str] | None = None,
) -> dict:
    """Run :func:`~insats.situation.services.sync_kolada`, reporting progress on the job row."""
    job = BackgroundJob.objects.select_related("user", "organisation").get(pk=job_id)
    with running_job(job_id):

        def progress(done: int, total: int) -> None:
            job_progress(
                job_id,
                done,
                total,
                _("Hämtar från Kolada: anrop %(done)s av %(total)s") % {"done": done, "total": total},
            )

        report = sync_kolada(
            kpis=kpis,
            years=years,
            municipalities=municipalities,
            actor=job.user,
            organisation=job.organisation,
            on_progress=progress,
        )
        summary = report.to_dict(max_revisions=200)
        message = _(
            "Klart: %(ins)s nya, %(upd)s ändrade, %(unch)s oförändrade värden, %(rev)s revideringar."
        ) % {
            "ins": report.inserted,
            "upd": report.updated,
            "unch": report.unchanged,
            "rev": len(report.revisions),
        }
        if report.missing_kpis:
            message += " " + _("Hoppade över nyckeltal som inte längre finns i Kolada: %(ids)s.") % {
                "ids": ", ".join(report.missing_kpis)
            }
        # the changed observations' cross-sections, recomputed here in the background
        cross_sections.refresh_stale()
        job_result(job_id, message=message, url=reverse("situation:home"), **summary)
    return {k: summary[k] for k in ("inserted", "updated", "unchanged", "revisions_total")}


def start_kolada_sync(
    *,
    user: User,
    organisation,
    kpis: list[str],
    years: list[int] | None = None,
    municipalities: list[str] | None = None,
) -> BackgroundJob:
    """Create a job for ``user`` and enqueue the sync (runs at once with the immediate backend)."""
    return job_start(
        user=user,
        organisation=organisation,
        kind=KOLADA_JOB_KIND,
        title=_("Hämtning från Kolada: %(kpis)s") % {"kpis": ", ".join(kpis)[:150]},
        task=kolada_sync_task,
        kpis=list(kpis),
        years=list(years) if years else None,
        municipalities=list(municipalities) if municipalities else None,
    )


CROSS_SECTION_JOB_KIND = "situation.cross_sections"


@task()
def cross_section_refresh_task(job_id: int | None = None) -> dict:
    """Recompute the stale cross-sections (after an import or a demo build; the Kolada sync does it
    in its own job). A page never waits for this: it recomputes a stale one it needs itself."""
    if job_id is None:
        return {"written": cross_sections.refresh_stale()}
    with running_job(job_id) as progress:
        written = cross_sections.refresh_stale(progress)
        job_result(
            job_id,
            message=_("Klart: %(n)s tvärsnitt beräknade.") % {"n": written},
            url=reverse("situation:home"),
            written=written,
        )
    return {"written": written}


def refresh_cross_sections_later(*, user: User | None = None, organisation=None) -> BackgroundJob | None:
    """Recompute the stale cross-sections in the background once the transaction commits: a job
    the user can follow when there is one (an import), else a plain task (a demo build)."""
    if user is not None:
        return job_start(
            user=user,
            organisation=organisation,
            kind=CROSS_SECTION_JOB_KIND,
            title=_("Beräknar lägesbildens tvärsnitt"),
            task=cross_section_refresh_task,
        )
    transaction.on_commit(lambda: cross_section_refresh_task.enqueue())
    return None
