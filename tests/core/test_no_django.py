"""insats.core is a library of its own: importing every module of it must not import Django."""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import insats.core

CORE_DIR = Path(insats.core.__file__).parent


def core_modules() -> list[str]:
    return sorted(f"insats.core.{m.name}" for m in pkgutil.iter_modules([str(CORE_DIR)]))


def test_core_has_the_five_engines():
    names = set(core_modules())
    for module in ("payments", "financing", "simulation", "scoring", "indicators", "money"):
        assert f"insats.core.{module}" in names


def test_no_core_source_file_imports_django():
    offenders = []
    for path in CORE_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}"
                for n in names
                if n.split(".")[0] in ("django", "ninja", "insats") and not n.startswith("insats.core")
            ]
    assert offenders == []


def test_importing_all_of_core_loads_no_django_module():
    code = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    env = {"PYTHONPATH": str(CORE_DIR.parent.parent), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "[]"
