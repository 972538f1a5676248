"""The runtime install is complete: every package the application imports is pinned in
requirements.txt (what the README's install and bin/setup put on a server), not only in
requirements-test.txt. CI installs requirements-test.txt, which is requirements.txt plus the test
tools — so a module missing from the runtime list would pass CI and fail in production (an INDIGO
export answered 500 because jsonschema was a test dependency)."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "insats"


def requirement_names(path: Path) -> set[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        names.add(canonical(re.split(r"[\[=<>!~; ]", line, maxsplit=1)[0]))
    return names


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_top_level_modules() -> dict[str, set[str]]:
    """Top-level modules imported anywhere in src/insats (also inside functions) → the files."""
    found: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_imported_package_is_a_pinned_runtime_requirement():
    runtime = requirement_names(ROOT / "requirements.txt")
    dists = packages_distributions()
    missing = {}
    for module, files in sorted(imported_top_level_modules().items()):
        if module == "insats" or module in sys.stdlib_module_names or module == "__future__":
            continue
        candidates = {canonical(d) for d in dists.get(module, [])}
        assert candidates, f"{module} (imported in {sorted(files)}) is not installed at all"
        if not candidates & runtime:
            missing[module] = sorted(files)
    assert missing == {}, f"imported by the application but not in requirements.txt: {missing}"


def test_runtime_requirements_are_pinned_and_the_test_install_includes_them():
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][0-9A-Za-z.]*", line), line
    test_lines = (ROOT / "requirements-test.txt").read_text(encoding="utf-8").splitlines()
    assert "-r requirements.txt" in [line.strip() for line in test_lines]
    # and the test list adds test tools only: nothing the application imports
    app_modules = set(imported_top_level_modules())
    dists = packages_distributions()
    for name in requirement_names(ROOT / "requirements-test.txt"):
        modules = {m for m, ds in dists.items() if name in {canonical(d) for d in ds}}
        assert not modules & app_modules, (
            f"{name} is imported by the application: move it to requirements.txt"
        )
