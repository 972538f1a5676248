"""The lägesbild's exports: a selection rendered in the request against the same selection as a job.

On the demo database (20 indicators × 290 kommuner), with the database task queue
(``INSATS_TASKS=db``, as in production with a worker): the PDF and Excel of all 20 indicators
rendered in the request, then the same exports as background jobs — the request returns at once
with the job page (target ≤ 1 s), and the job's own run (the task, as the worker runs it).

    .venv/bin/python bench/run.py export_jobs
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_START_S = 1.0


def _setup():
    tmp = tempfile.mkdtemp(prefix="insats-bench-exports-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["INSATS_VAR_DIR"] = tmp
    os.environ["INSATS_TASKS"] = "db"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insats.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _timed(fn, runs: int = 3):
    walls, cpus, result = [], [], None
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> list[dict]:
    _setup()
    from django.test import Client

    from insats.accounts import security, services
    from insats.accounts.middleware import SESSION_KEY
    from insats.accounts.models import BackgroundJob, Membership, User
    from insats.situation import export_jobs
    from insats.situation.demo_data import build_demo_indicators

    build_demo_indicators()
    org = services.organisation_create(
        actor=None, name="Benchkommun", org_number="212000-0886", kind="kommun", area_code="1270"
    )
    user = User.objects.create_user("bench@example.test", "Bench-lösenord-123", full_name="Bench")
    services.membership_add(actor=None, user=user, organisation=org, role="viewer")
    client = Client()
    client.force_login(user, backend="insats.accounts.backends.EmailBackend")
    session = client.session
    session[SESSION_KEY] = Membership.objects.get(user=user).pk
    security.mark_verified(session, user)
    session.save()
    n = export_jobs.selection_size(org, [])
    results = []

    def row(name, wall, cpu, target):
        ok = target is None or wall <= target
        results.append(
            {"name": f"{name} (cpu {cpu:.2f} s)", "value": wall, "unit": "s", "target": target, "ok": ok}
        )
        target_text = "" if target is None else f" (target ≤ {target} s){' PASS' if ok else ' FAIL'}"
        print(f"{name}: {wall:.3f} s median, cpu {cpu:.2f} s{target_text}")

    def get(url, status):
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code)
        return response

    get("/lagesbild/export.pdf?area=1270", 200)  # warm-up
    for fmt in ("xlsx", "pdf"):
        wall, cpu, _ = _timed(lambda fmt=fmt: get(f"/lagesbild/export.{fmt}?area=1270", 200))
        row(f"{fmt.upper()} export of {n} indicators in the request", wall, cpu, None)
    export_jobs.AT_ONCE_MAX_INDICATORS = 0  # the same selection as a job (as for any larger one)
    for fmt in ("xlsx", "pdf"):
        wall, cpu, _ = _timed(lambda fmt=fmt: get(f"/lagesbild/export.{fmt}?area=1270", 302))
        row(f"{fmt.upper()} export of {n} indicators as a job: request returns", wall, cpu, TARGET_START_S)
        job = BackgroundJob.objects.filter(kind=export_jobs.JOB_KIND).latest("pk")
        w, c = time.perf_counter(), time.process_time()
        export_jobs.export_task.call(job_id=job.pk, fmt=fmt, area_code="1270", group_id=None, codes=[])
        wall, cpu = time.perf_counter() - w, time.process_time() - c
        job.refresh_from_db()
        assert job.status == BackgroundJob.Status.DONE, job.message
        row(f"{fmt.upper()} export of {n} indicators as a job: the job's run", wall, cpu, None)
    return results


if __name__ == "__main__":
    main()
