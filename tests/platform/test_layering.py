"""Nothing below the web layer imports from it: helpers every layer uses live in insats.platform."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "insats"
ALLOWED = {"urls.py", "api.py"}  # the project's own URL and API roots


def _imports(path: Path) -> list[str]:
    package = ".".join(("insats", *path.relative_to(SRC).parent.parts))
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in node.names]
    return found


def test_no_module_outside_web_imports_insats_web():
    offenders = {}
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC)
        if relative.parts[0] == "web" or str(relative) in ALLOWED:
            continue
        bad = [name for name in _imports(path) if name == "insats.web" or name.startswith("insats.web.")]
        if bad:
            offenders[str(relative)] = sorted(set(bad))
    assert offenders == {}


def test_the_platform_imports_no_domain_app_at_import_time():
    offenders = {}
    for path in (SRC / "platform").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        names = [n.module or "" for n in top if isinstance(n, ast.ImportFrom)]
        names += [a.name for n in top if isinstance(n, ast.Import) for a in n.names]
        bad = [
            n for n in names if n.split(".")[:2][-1] in {"accounts", "audit", "situation", "contracts", "web"}
        ]
        if bad:
            offenders[str(path.relative_to(SRC))] = bad
    assert offenders == {}


def test_app_apis_take_shared_pieces_from_the_platform_not_the_top_router():
    """``insats.api`` mounts the routers; a router importing from it would make an import circle
    waiting to happen. What routers share (errors, pagination, ``actor_of``) is in insats.platform.api."""
    offenders = {}
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC)
        if str(relative) in ALLOWED:
            continue
        bad = [name for name in _imports(path) if name == "insats.api" or name.startswith("insats.api.")]
        if bad:
            offenders[str(relative)] = sorted(set(bad))
    assert offenders == {}
