"""Own data import: 50,000 rows from CSV and from Excel, validated and written in one transaction.

Target (the brief: "50,000 rows should import in seconds"): a 50,000-row CSV file imports in under
10 s on SQLite, both as new rows and as a re-import that changes nothing; an Excel file of the same
rows in under 20 s (openpyxl's read-only reader is the slower part). Runs against a throw-away SQLite
database in a temporary directory (migrated first; that time is not counted).

    .venv/bin/python bench/run.py import
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROWS = 50_000
TARGET_CSV_S = 10.0
TARGET_XLSX_S = 20.0


def _setup():
    tmp = tempfile.mkdtemp(prefix="insats-bench-import-")
    os.environ["INSATS_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insats.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _rows(area_codes):
    out = []
    for year in range(2010, 2026):
        for month in range(1, 13):
            for code in area_codes:
                value = f"{(hash((code, year, month)) % 2000) / 100:.2f}".replace(".", ",")
                out.append([code, "BENCH1", f"{year}-{month:02d}", "T", value, str(hash((code, year)) % 500)])
                if len(out) == ROWS:
                    return out
    return out


def main() -> list[dict]:
    _setup()
    from openpyxl import Workbook

    from insats.accounts.models import Organisation
    from insats.situation import services_import as si
    from insats.situation.models import Area, AreaKind, Observation

    org = Organisation.objects.create(
        name="Benchkommun", org_number="212000-9999", kind="kommun", area_code="1270"
    )
    si.indicator_create(actor=None, organisation=org, code="BENCH1", title_sv="Bench")
    rows = _rows(list(Area.objects.filter(kind=AreaKind.KOMMUN).values_list("code", flat=True)))
    header = ["omrade", "indikator", "period", "kon", "varde", "antal"]
    csv_bytes = ("\n".join(";".join(r) for r in [header, *rows]) + "\n").encode()
    columns = dict(zip(["area", "indicator", "period", "gender", "value", "count"], header, strict=True))

    def timed(content, name):
        start = time.perf_counter()
        imp = si.upload_create(actor=None, organisation=org, filename=name, content=content)
        report = si.import_run(actor=None, imp=imp, columns=columns, constants={})
        assert report.ok, report.issues[:3]
        return time.perf_counter() - start, report

    t_new, r_new = timed(csv_bytes, "bench.csv")
    assert r_new.inserted == ROWS and Observation.objects.count() == ROWS
    t_same, r_same = timed(csv_bytes, "bench.csv")
    assert r_same.unchanged == ROWS
    Observation.objects.all().delete()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    t_xlsx, r_xlsx = timed(buf.getvalue(), "bench.xlsx")
    assert r_xlsx.inserted == ROWS
    return [
        {
            "name": f"CSV {ROWS:,} rows, new",
            "value": round(t_new, 2),
            "unit": "s",
            "target": TARGET_CSV_S,
            "ok": t_new < TARGET_CSV_S,
        },
        {
            "name": f"CSV {ROWS:,} rows, re-import unchanged",
            "value": round(t_same, 2),
            "unit": "s",
            "target": TARGET_CSV_S,
            "ok": t_same < TARGET_CSV_S,
        },
        {
            "name": f"Excel {ROWS:,} rows, new",
            "value": round(t_xlsx, 2),
            "unit": "s",
            "target": TARGET_XLSX_S,
            "ok": t_xlsx < TARGET_XLSX_S,
        },
    ]


if __name__ == "__main__":
    for line in main():
        print(line)
