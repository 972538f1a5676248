"""Matrix entries for the lägesbild's export jobs (views_exports.py): the download of a finished
export is personal, like the job itself — only the analyst who started it."""

from __future__ import annotations

from django.conf import settings

from insats.accounts.models import BackgroundJob, Role

from . import Entry

ANALYST = frozenset({Role.ANALYST.value})


def _export_job(w) -> dict:
    from pathlib import Path

    from insats.situation import export_jobs

    job = BackgroundJob.objects.create(
        user=w.user("owner", Role.ANALYST.value),
        organisation=w.orgs["owner"],
        kind=export_jobs.JOB_KIND,
        title="Matrisexport",
        status=BackgroundJob.Status.DONE,
    )
    name = f"{job.pk}-matrix.xlsx"
    folder = Path(settings.VAR_DIR) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(b"PK matrix")
    job.result = {"file": name, "filename": "lagesbild.xlsx", "format": "xlsx"}
    job.save()
    return {"pk": job.pk}


ENTRIES: dict[str, Entry] = {
    "situation:export_download": Entry(
        kwargs=_export_job,
        own=ANALYST,
        ok_statuses=frozenset({200}),
        note="an export job's file is personal: only the analyst who started it, not even the admin",
    ),
}
