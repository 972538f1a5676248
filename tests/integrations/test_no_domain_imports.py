"""Integrations take plain data and import no domain app (DEVELOPERS.md, layering): the contracts,
situation and accounts apps call them, never the other way round, so there is no import circle.
Only ``insats.core`` (pure Python) may be used."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import insats.integrations

INTEGRATIONS_DIR = Path(insats.integrations.__file__).parent
DOMAIN = ("contracts", "situation", "accounts", "audit", "web", "sourcing", "interventions", "followup")


def imports(path: Path) -> list[str]:
    """Every module a source file imports, at the top or inside a function, absolute or relative."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from .. import x / from ..contracts import y
                base = "insats" if node.level >= 2 else "insats.integrations"
                found.append(f"{base}.{node.module}" if node.module else base)
                if node.level >= 2 and not node.module:
                    found += [f"insats.{alias.name}" for alias in node.names]
            elif node.module:
                found.append(node.module)
                if node.module == "insats":
                    found += [f"insats.{alias.name}" for alias in node.names]
    return found


def test_no_integration_imports_a_domain_app():
    offenders = [
        f"{path.name}: {name}"
        for path in sorted(INTEGRATIONS_DIR.rglob("*.py"))
        for name in imports(path)
        if name.split(".")[0] == "insats" and len(name.split(".")) > 1 and name.split(".")[1] in DOMAIN
    ]
    assert offenders == []


def test_the_checker_sees_every_form_of_import(tmp_path):
    source = (
        "import insats.contracts.models\n"
        "from insats import accounts\n"
        "from insats.situation import services\n"
        "from ..contracts import exports\n"
        "def f():\n"
        "    from insats.audit.services import log_action\n"
    )
    path = tmp_path / "x.py"
    path.write_text(source)
    found = imports(path)
    for name in (
        "insats.contracts.models",
        "insats.accounts",
        "insats.situation",
        "insats.contracts",
        "insats.audit.services",
    ):
        assert any(f == name or f.startswith(name + ".") for f in found), name


def test_indigo_imports_without_django_or_any_app():
    code = (
        "import sys\n"
        "import insats.integrations.indigo\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith(('django.', 'insats.'))"
        " and not m.startswith(('insats.integrations', 'insats.core'))))\n"
    )
    env = {"PYTHONPATH": str(INTEGRATIONS_DIR.parent.parent), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "[]"
