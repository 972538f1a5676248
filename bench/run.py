"""Run every benchmark and print each figure against its target.

    .venv/bin/python bench/run.py            # all
    .venv/bin/python bench/run.py payments   # those whose module name contains "payments"

Each ``bench/bench_*.py`` exposes ``main()`` returning a list of
``{"name", "value", "unit", "target", "ok"}``. Exits 1 if any figure misses its target.
Benchmarks are kept out of the test suite on purpose: timings belong here, not in unit tests.
"""

from __future__ import annotations

import importlib.util
import platform
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


def main(argv: list[str]) -> int:
    pattern = argv[0] if argv else ""
    print(
        f"# Insats benchmarks — {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, {time.strftime('%Y-%m-%d %H:%M')}"
    )
    results = []
    for path in sorted(HERE.glob("bench_*.py")):
        if pattern and pattern not in path.stem:
            continue
        print(f"\n## {path.stem}")
        results += load(path).main() or []
    print("\n## Summary")
    for r in results:
        verdict = "PASS" if r["ok"] else "FAIL"
        print(f"{verdict}  {r['name']}: {r['value']:.4g} {r['unit']} (target {r['target']})")
    return 0 if results and all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
