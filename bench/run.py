"""Run every benchmark and print each figure against its target.

    .venv/bin/python bench/run.py            # all
    .venv/bin/python bench/run.py payments   # those whose module name contains "payments"

Each ``bench/bench_*.py`` (and ``bench/floor_simulation.py``, the Monte Carlo against its NumPy
floor) exposes ``main()`` returning a list of ``{"name", "value", "unit", "target", "ok"}``. Each
runs in its own fresh interpreter (Django set up once per process, no state or memory peak carried
from one benchmark to the next). Exits 1 if any figure misses its target. Benchmarks are kept out of
the test suite on purpose: timings belong here, not in unit tests. They need only the runtime
install (``bin/setup`` without ``--test``), never the test suite.
"""

from __future__ import annotations

import importlib.util
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MARK = "@@bench-results "


def run_one(path: Path) -> list[dict]:
    """Run one benchmark module's ``main()`` in a fresh interpreter; its printed lines pass through."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--one", str(path)],
        stdout=subprocess.PIPE, text=True, cwd=HERE,
    )  # fmt: skip
    results: list[dict] = []
    for line in proc.stdout.splitlines():
        if line.startswith(MARK):
            results = json.loads(line[len(MARK) :])
        else:
            print(line, flush=True)
    if proc.returncode not in (0, 1) and not results:
        crash = {"name": f"{path.stem} crashed", "value": proc.returncode, "unit": "exit", "target": 0}
        results = [{**crash, "ok": False}]
    return results


def main(argv: list[str]) -> int:
    pattern = argv[0] if argv else ""
    print(
        f"# Insats benchmarks — {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, {time.strftime('%Y-%m-%d %H:%M')}"
    )
    results = []
    for path in sorted([*HERE.glob("bench_*.py"), HERE / "floor_simulation.py"]):
        if pattern and pattern not in path.stem:
            continue
        print(f"\n## {path.stem}", flush=True)
        results += run_one(path)
    print("\n## Summary")
    for r in results:
        verdict = "PASS" if r["ok"] else "FAIL"
        print(f"{verdict}  {r['name']}: {r['value']:.4g} {r['unit']} (target {r['target']})")
    return 0 if results and all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        out = load(Path(sys.argv[2])).main() or []
        print(MARK + json.dumps(out, default=float), flush=True)
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
