"""Upload limits: a CSV file of 20,000 columns is refused fast instead of being mapped.

Before the limits (issue 8, item 15) such a file was kept and its mapping step took ~19 s (the
duplicate-header check was quadratic and the mapping form offered 20,000 choices six times). Now
the upload reads the header row, counts the columns against ``IMPORT_MAX_COLUMNS`` and refuses it.
Measured: the upload (``upload_create``) plus, if the file is kept, what the mapping page does
(``suggest_mapping`` and rendering the mapping form). Target: refused in under 0.5 s.

    .venv/bin/python bench/run.py upload_limits
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

COLUMNS = 20_000
TARGET_S = 0.5


def _setup():
    tmp = tempfile.mkdtemp(prefix="insats-bench-upload-")
    os.environ["INSATS_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insats.settings")
    if not os.environ.get("BENCH_SRC"):
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    else:  # measure another checkout (e.g. the code before the limits)
        sys.path.insert(0, os.environ["BENCH_SRC"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> list[dict]:
    _setup()
    from django.core.exceptions import ValidationError

    from insats.accounts.models import Organisation
    from insats.situation import services_import as si
    from insats.situation.forms_plans import MappingForm

    org = Organisation.objects.create(
        name="Benchkommun", org_number="212000-9998", kind="kommun", area_code="1270"
    )
    header = ";".join(f"kolumn{i}" for i in range(COLUMNS))
    content = (header + "\n" + ";".join("1" for _ in range(COLUMNS)) + "\n").encode()
    start = time.perf_counter()
    outcome = "refused"
    try:
        imp = si.upload_create(actor=None, organisation=org, filename="bred.csv", content=content)
    except ValidationError:
        pass
    else:
        outcome = "mapped"
        columns, constants = si.suggest_mapping(org, imp.headers)
        form = MappingForm(initial={}, headers=imp.headers, indicators=[])
        form.as_div()
    seconds = time.perf_counter() - start
    return [
        {
            "name": f"CSV upload of {COLUMNS:,} columns ({outcome})",
            "value": round(seconds, 3),
            "unit": "s",
            "target": TARGET_S,
            "ok": outcome == "refused" and seconds < TARGET_S,
        }
    ]


if __name__ == "__main__":
    for line in main():
        print(line)
