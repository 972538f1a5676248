"""The lägesbild on the full demo database: building the demo data and serving the page and exports.

Targets (the brief): the whole demo dataset (20 indicators × 290 kommuner × 2010–2025, ~158,000
observations) in at most ~20 s on SQLite; a re-run that changes nothing; one page for one area with
all 20 indicators "well under a second" (target 1 s for the whole request, 0.25 s for the figures).
Runs against a throw-away SQLite database (migrated first; not counted). Each figure is wall-clock
time; CPU time of the process is printed beside it, since a loaded machine stretches wall time.

    .venv/bin/python bench/run.py lagesbild
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_BUILD_S = 20.0
TARGET_FIGURES_S = 0.25
TARGET_PAGE_S = 1.0


def _setup():
    tmp = tempfile.mkdtemp(prefix="insats-bench-lagesbild-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insats.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _timed(fn, runs: int = 1):
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
    from django.test.utils import setup_test_environment

    from insats.accounts import services
    from insats.accounts.models import Membership, User
    from insats.situation import lagesbild
    from insats.situation.demo_data import build_demo_indicators
    from insats.situation.models import Area, Observation

    setup_test_environment()
    results = []

    def row(name, wall, cpu, target, unit="s"):
        results.append(
            {
                "name": f"{name} (cpu {cpu:.2f} s)",
                "value": wall,
                "unit": unit,
                "target": target,
                "ok": target is None or wall <= target,
            }
        )

    wall, cpu, report = _timed(build_demo_indicators)
    row(f"demo data, first build ({Observation.objects.count()} observations)", wall, cpu, TARGET_BUILD_S)
    wall, cpu, again = _timed(build_demo_indicators)
    assert again.changes == 0
    row("demo data, re-run (nothing to change)", wall, cpu, TARGET_BUILD_S)

    tomelilla = Area.objects.get(code="1270")
    wall, cpu, lb = _timed(lambda: lagesbild.build(tomelilla), runs=10)
    row(f"figures for Tomelilla, {len(lb.figures)} indicators (lagesbild.build)", wall, cpu, TARGET_FIGURES_S)

    org = services.organisation_create(
        actor=None, name="Benchkommun", org_number="212000-0886", kind="kommun", area_code="1270"
    )
    user = User.objects.create_user("bench@example.test", "Bench-lösenord-123", full_name="Bench")
    services.membership_add(actor=None, user=user, organisation=org, role="viewer")
    client = Client()
    client.force_login(user, backend="insats.accounts.backends.EmailBackend")
    session = client.session
    from insats.accounts import security
    from insats.accounts.middleware import SESSION_KEY

    session[SESSION_KEY] = Membership.objects.get(user=user).pk
    security.mark_verified(session, user)
    session.save()

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    get("/lagesbild/")  # warm-up (template compilation)
    wall, cpu, _ = _timed(lambda: get("/lagesbild/"), runs=10)
    row("page /lagesbild/ (Tomelilla, 20 indicators, 40 charts)", wall, cpu, TARGET_PAGE_S)
    wall, cpu, _ = _timed(lambda: get("/lagesbild/export.xlsx?area=1270"), runs=3)
    row("Excel export (20 indicators)", wall, cpu, None)
    wall, cpu, _ = _timed(lambda: get("/lagesbild/export.pdf?area=1270"), runs=3)
    row("PDF export (20 indicators, WeasyPrint)", wall, cpu, None)
    for r in results:
        target = "" if r["target"] is None else f" (target ≤ {r['target']} {r['unit']})"
        verdict = "" if r["target"] is None else (" PASS" if r["ok"] else " FAIL")
        print(f"{r['name']}: {r['value']:.3f} {r['unit']} median{target}{verdict}")
    return results


if __name__ == "__main__":
    main()
