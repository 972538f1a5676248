"""The project is an installable package (issue 8, item 17): a wheel built from the checkout holds
every module, template, static file, translation and data file, and ``python -m insats.core``
runs from it in any directory without PYTHONPATH=src."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tracked_package_files() -> set[str]:
    out = subprocess.run(
        ["git", "ls-files", "src/insats"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return {line.removeprefix("src/") for line in out.stdout.splitlines()}


def test_a_wheel_holds_the_whole_package_and_runs_the_core_cli(tmp_path):
    source = tmp_path / "source"
    for name in ("pyproject.toml", "README.md", "requirements.txt"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--disable-pip-version-check"]
        + ["-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("insats-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    missing = {f for f in _tracked_package_files() if f not in names}
    assert missing == set(), sorted(missing)[:20]

    example = ROOT / "docs" / "core" / "examples" / "payments_baseline.json"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(tmp_path / "site")  # the installed wheel, not the checkout's src
    done = subprocess.run(
        [sys.executable, "-m", "insats.core", "payments", str(example)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["contract"] == "barnens-val"


def test_setup_installs_the_project_into_the_venv():
    setup = (ROOT / "bin" / "setup").read_text(encoding="utf-8")
    assert "pip install -q --disable-pip-version-check --no-deps -e ." in setup
