"""The lägesbild at national scale: load ~8.7 million observations into PostgreSQL, then measure.

    .venv/bin/python bench/national.py all --db insats_national          # load (full scale) + bench
    .venv/bin/python bench/national.py load --db insats_national --scale 0.1
    .venv/bin/python bench/national.py bench --db insats_national --users 1,50

``load`` (re)creates the database, migrates it, writes 500 indicators (the demo catalogue's
child-and-youth indicators first, so the curated default page has values, then synthetic ones) and
290 kommuner + 21 regioner + Riket × 500 indicators × 20 years × 3 genders of synthetic
observations through PostgreSQL ``COPY`` (psycopg's copy API), with the observation table's
indexes dropped during the copy and rebuilt after (Django's own index definitions), then
``ANALYZE`` and the cross-sections (:mod:`insats.situation.cross_sections`). About one indicator
in ten is not divided by gender (total only), which gives ~8.7 M rows. ``--scale`` takes a share
of the indicators (0.1 → 50 indicators, ~0.9 M rows) for quick trials.

``bench`` starts gunicorn (4 workers, DEBUG off, ``--no-control-socket``) on that database, logs
in one user per concurrent client (each with its own session) and measures p50/p95 for the
default lägesbild, 20 indicators, 1 indicator and the observation API with and without filters,
at each number of concurrent users (threads with ``http.client``; the venv has neither httpx nor
aiohttp). Every value is invented (``source = demo``).
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
YEARS = list(range(2006, 2026))  # 20 years
N_INDICATORS = 500
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PASSWORD = "Bench-lösenord-123"
PORT = int(os.environ.get("BENCH_PORT", "8765"))


def _setup(db: str) -> None:
    os.environ["DATABASE_URL"] = f"{PG}/{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insats.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _recreate_db(db: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (db,))
        conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
        conn.execute(f'CREATE DATABASE "{db}"')


# ------------------------------------------------------------------------------------------ load


def _indicators(n: int):
    """(code, fields) for n indicators: the demo catalogue first, then synthetic ones."""
    from insats.situation.demo_data import SPECS
    from insats.situation.models import IndicatorSource, Polarity

    out = []
    for s in SPECS[:n]:
        out.append(
            dict(  # noqa: C408
                code=s.code,
                title_sv=s.title_sv,
                title_en=s.title_en,
                unit=s.unit,
                polarity=s.polarity,
                operating_area=s.operating_area,
                divided_by_gender=True,
                source=IndicatorSource.DEMO,
                counts=s.counts,
            )
        )
    areas = ["Grundskola", "Gymnasieskola", "Förskola", "Barn och unga", "Ekonomi", "Hälsa", "Kultur"]
    pols = [Polarity.HIGHER_BETTER, Polarity.LOWER_BETTER, Polarity.NEUTRAL]
    k = 0
    while len(out) < n:
        k += 1
        out.append(
            dict(  # noqa: C408
                code=f"NAT{k:04d}",
                title_sv=f"Syntetiskt nyckeltal {k}, andel (%)",
                title_en=f"Synthetic indicator {k}, share (%)",
                unit="procent",
                polarity=pols[k % 3],
                operating_area=areas[k % len(areas)],
                divided_by_gender=k % 10 != 0,  # one in ten: total only
                source=IndicatorSource.DEMO,
                counts=k % 25 == 0,
            )
        )
    return out


def load(db: str, scale: float = 1.0, seed: int = 13) -> dict:
    t0 = time.perf_counter()
    _recreate_db(db)
    _setup(db)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    t_migrate = time.perf_counter() - t0
    from insats.situation.models import (
        DEMO_SOURCE_LABEL,
        Area,
        AreaGroup,
        AreaGroupKind,
        AreaKind,
        Indicator,
        Observation,
    )

    n = max(1, round(N_INDICATORS * scale))
    specs = _indicators(n)
    Indicator.objects.bulk_create([Indicator(**{k: v for k, v in s.items() if k != "counts"}) for s in specs])
    ind_ids = dict(Indicator.objects.values_list("code", "id"))
    areas = list(Area.objects.order_by("code").values_list("id", "code", "kind", "name", "county_code"))
    rng = np.random.default_rng(seed)
    a = len(areas)
    is_kommun = np.array([k == AreaKind.KOMMUN for _i, _c, k, _n, _cc in areas])
    size = np.where(is_kommun, rng.lognormal(9.8, 1.0, a), 0.0)  # inhabitants (kommuner)
    size[~is_kommun] = 500_000

    # Comparison groups: "Liknande kommuner …, <name>" — seven kommuner close in a latent profile.
    profile = rng.normal(0, 1, a)
    kommun_ix = np.flatnonzero(is_kommun)
    groups = []
    for i in kommun_ix:
        near = kommun_ix[np.argsort(np.abs(profile[kommun_ix] - profile[i]))[:8]]
        groups.append((areas[i], [areas[j][0] for j in near]))
    objs = AreaGroup.objects.bulk_create(
        [
            AreaGroup(
                name=f"Liknande kommuner, barn och unga, {ar[3]}",
                kind=AreaGroupKind.KOLADA,
                kolada_id=f"NAT-LK-{ar[1]}",
            )
            for ar, _m in groups
        ]
    )
    Through = AreaGroup.members.through
    Through.objects.bulk_create(
        [Through(areagroup_id=g.pk, area_id=m) for g, (_ar, ms) in zip(objs, groups, strict=True) for m in ms]
    )

    # Drop the observation table's indexes for the copy; rebuilt from Django's definitions below.
    meta = Observation._meta
    with connection.schema_editor() as se:
        # triggers off during the copy (foreign-key checks: the ids come from the database; the
        # cross-section triggers: every cross-section is computed after)
        se.execute(f"ALTER TABLE {meta.db_table} DISABLE TRIGGER ALL")
        for c in meta.constraints:
            se.remove_constraint(Observation, c)
        for ix in meta.indexes:
            se.remove_index(Observation, ix)

    years = np.array(YEARS)
    y = len(years)
    t = (years - years.mean())[None, :]
    fetched = "2026-01-15 06:00:00+00"
    label = DEMO_SOURCE_LABEL
    cols = (
        "area_id, indicator_id, period_type, period, period_part, gender, value, count, status, "
        "preliminary, fetched_at, source, source_label"
    )
    area_ids = [ar[0] for ar in areas]
    rows = 0
    t1 = time.perf_counter()
    with connection.cursor() as cur:
        pcur = cur.cursor
        with pcur.copy(f"COPY {meta.db_table} ({cols}) FROM STDIN") as copy:
            for s in specs:
                ind = ind_ids[s["code"]]
                level = rng.uniform(5, 90)
                spread = level * rng.uniform(0.05, 0.3)
                effect = rng.normal(0, spread, a)[:, None]
                slope = rng.normal(0, spread / 40) + rng.normal(0, spread / 80, a)[:, None]
                total = (level + effect + slope * t + rng.normal(0, spread / 6, (a, y))).clip(0.1, None)
                missing = rng.random((a, y)) < 0.015
                gap = rng.normal(0, spread / 4)
                genders = [("T", total)]
                if s["divided_by_gender"]:
                    noise = rng.normal(0, spread / 10, (a, y))
                    genders += [("K", total + gap / 2 + noise), ("M", total - gap / 2 - noise)]
                counts = None
                if s["counts"]:
                    counts = np.rint(size[:, None] * 0.002 * (1 + 0.02 * t) * rng.uniform(0.7, 1.3, (a, y)))
                buf = io.StringIO()
                for g, vals in genders:
                    vtext = np.char.mod("%.3f", vals)
                    for i, aid in enumerate(area_ids):
                        for j, year in enumerate(YEARS):
                            v = "\\N" if missing[i, j] else vtext[i, j]
                            c = "\\N" if counts is None else str(int(counts[i, j] * (0.5 if g != "T" else 1)))
                            buf.write(
                                f"{aid}\t{ind}\tyear\t{year}\t0\t{g}\t{v}\t{c}\t\tf\t{fetched}\tdemo\t{label}\n"
                            )
                            rows += 1
                copy.write(buf.getvalue())
    t_copy = time.perf_counter() - t1
    t2 = time.perf_counter()
    with connection.schema_editor() as se:
        for c in meta.constraints:
            se.add_constraint(Observation, c)
        for ix in meta.indexes:
            se.add_index(Observation, ix)
        se.execute(f"ALTER TABLE {meta.db_table} ENABLE TRIGGER ALL")
    t_index = time.perf_counter() - t2
    t3 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    t_analyze = time.perf_counter() - t3
    t4 = time.perf_counter()
    from insats.situation import cross_sections

    computed = cross_sections.load_all()
    t_cross = time.perf_counter() - t4
    total_s = time.perf_counter() - t0
    out = {
        "indicators": n,
        "observations": rows,
        "migrate_s": t_migrate,
        "copy_s": t_copy,
        "index_s": t_index,
        "analyze_s": t_analyze,
        "cross_sections": computed,
        "cross_sections_s": t_cross,
        "total_s": total_s,
    }
    print(
        f"loaded {rows:,} observations of {n} indicators into {db} in {total_s:.0f} s "
        f"(migrate {t_migrate:.0f} s, COPY {t_copy:.0f} s, indexes {t_index:.0f} s, "
        f"ANALYZE {t_analyze:.0f} s, {computed} cross-sections {t_cross:.0f} s)"
    )
    return out


# ----------------------------------------------------------------------------------------- bench


def _sessions(db: str, n: int) -> list[str]:
    """n logged-in sessions (one user each) of a viewer at an organisation in Tomelilla."""
    _setup(db)
    from django.conf import settings
    from django.test import Client

    from insats.accounts import security, services
    from insats.accounts.middleware import SESSION_KEY
    from insats.accounts.models import Membership, Organisation, User

    org = Organisation.objects.filter(org_number="212000-0886").first() or services.organisation_create(
        actor=None, name="Benchkommun", org_number="212000-0886", kind="kommun", area_code="1270"
    )
    cookies = []
    for k in range(n):
        email = f"bench{k}@example.test"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, PASSWORD, full_name=f"Bench {k}"
        )
        services.membership_add(actor=None, user=user, organisation=org, role="viewer")
        client = Client()
        client.force_login(user, backend="insats.accounts.backends.EmailBackend")
        session = client.session
        session[SESSION_KEY] = Membership.objects.get(user=user, organisation=org).pk
        security.mark_verified(session, user)
        session.save()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    return cookies


def _get(conn: http.client.HTTPConnection, path: str, cookie: str) -> tuple[int, int, float]:
    t = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie, "Host": "localhost"})
    resp = conn.getresponse()
    body = resp.read()
    return resp.status, len(body), time.perf_counter() - t


def _drive(path: str, cookies: list[str], users: int, per_user: int) -> dict:
    """``users`` threads, each with its own session and keep-alive connection, ``per_user`` requests."""
    times: list[float] = []
    sizes: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(users)

    def worker(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=300)
        start.wait()
        for _ in range(per_user):
            status, size, dt = _get(conn, path, cookies[k % len(cookies)])
            with lock:
                times.append(dt)
                sizes.append(size)
                if status != 200:
                    errors.append(str(status))
        conn.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(users)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    q = np.quantile(times, [0.5, 0.95])
    return {
        "n": len(times),
        "p50": float(q[0]),
        "p95": float(q[1]),
        "max": max(times),
        "rps": len(times) / wall,
        "kb": statistics.mean(sizes) / 1024,
        "errors": len(errors),
    }


def cases(db: str) -> list[tuple[str, str]]:
    _setup(db)
    from insats.situation.models import Indicator

    codes = list(Indicator.objects.order_by("code").values_list("code", flat=True)[:20])
    twenty = "&".join(f"ind={c}" for c in codes)
    one = codes[0] if "N15505" not in codes else "N15505"
    return [
        ("default lägesbild", "/lagesbild/"),
        ("20 indicators", f"/lagesbild/?area=1270&{twenty}"),
        ("1 indicator", f"/lagesbild/?area=1270&ind={one}"),
        ("API observations, filtered", f"/api/v1/situation/observations?indicator={one}&area=1270"),
        ("API observations, no filter", "/api/v1/situation/observations"),
        (
            "API observations, one indicator nationally, one year",
            f"/api/v1/situation/observations?indicator={one}&period_from=2024&period_to=2024",
        ),
    ]


def bench(db: str, users: list[int], per_user: int = 6, jit: bool = False, single: int = 20) -> list[dict]:
    cookies = _sessions(db, max(users))
    env = dict(
        os.environ,
        DATABASE_URL=f"{PG}/{db}",
        DEBUG="0",
        ALLOWED_HOSTS="localhost,127.0.0.1",
        API_RATE_LIMIT="1000000",  # 50 clients from one address: measure speed, not the throttle
        PYTHONPATH=str(ROOT / "src"),
    )
    if jit:
        env["INSATS_PG_JIT"] = "1"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "insats.wsgi",
            "-w",
            "4",
            "-b",
            f"127.0.0.1:{PORT}",
            "--no-control-socket",
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    results = []
    try:
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
                status, _s, _t = _get(conn, "/lagesbild/", cookies[0])
                if status == 200:
                    break
                raise RuntimeError(f"warm-up: HTTP {status}")
            except (ConnectionRefusedError, OSError):
                time.sleep(0.5)
        for name, path in cases(db):
            for _w in range(4):  # the workers warm (templates, connections)
                _drive(path, cookies, 1, 1)
            for u in users:
                r = _drive(path, cookies, u, per_user if u > 1 else single)
                r.update(name=name, users=u)
                results.append(r)
                print(
                    f"{name:55s} users={u:3d} n={r['n']:4d} p50={r['p50'] * 1000:8.0f} ms "
                    f"p95={r['p95'] * 1000:8.0f} ms max={r['max'] * 1000:8.0f} ms "
                    f"{r['rps']:6.1f} req/s {r['kb']:8.0f} KiB errors={r['errors']}",
                    flush=True,
                )
    finally:
        proc.terminate()
        proc.wait(30)
    return results


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("what", choices=["load", "bench", "all"])
    p.add_argument("--db", default="insats_national")
    p.add_argument("--scale", type=float, default=1.0, help="share of the 500 indicators (0.1 for a trial)")
    p.add_argument("--users", default="1,50", help="concurrent users, comma-separated")
    p.add_argument("--per-user", type=int, default=6, help="requests per user and case")
    p.add_argument("--single", type=int, default=20, help="requests per case with one user")
    p.add_argument("--jit", action="store_true", help="leave PostgreSQL's JIT on (to compare)")
    args = p.parse_args(argv)
    if args.what in ("load", "all"):
        if args.what == "all":
            # the load runs in its own process so the bench's Django setup starts clean
            subprocess.run(
                [sys.executable, __file__, "load", "--db", args.db, "--scale", str(args.scale)], check=True
            )
        else:
            load(args.db, args.scale)
    if args.what in ("bench", "all"):
        bench(args.db, [int(u) for u in args.users.split(",")], args.per_user, args.jit, args.single)


if __name__ == "__main__":
    main()
