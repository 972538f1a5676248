"""Background work for the lägesbild: a Kolada sync the UI can start and the user can follow."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from insats.accounts.models import BackgroundJob, User
from insats.platform.jobs import job_progress, job_result, job_start, running_job

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
