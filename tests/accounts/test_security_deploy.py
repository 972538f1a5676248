"""Production settings: ``manage.py check --deploy`` is clean, and no start without SECRET_KEY."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


# Only what a real server's environment would have: the test process's own variables (pytest's,
# Playwright's DJANGO_ALLOW_ASYNC_UNSAFE …) must not leak into a production check.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "DATABASE_URL")


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: os.environ[k] for k in PASSED_THROUGH if k in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def random_key(length: int = 50) -> str:
    alphabet = string.ascii_letters + string.digits + "!#%&()*+,-./:;<=>?@[]^_{|}~"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def test_check_deploy_is_clean_in_production():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        INSATS_ENV="production",
        SECRET_KEY=random_key(),
        AUDIT_HMAC_KEYS="k1:" + secrets.token_urlsafe(48),  # without it: audit.W001 (docs/operators.md)
        ALLOWED_HOSTS="insats.example.se",
        DEBUG="0",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_does_complain_about_a_weak_setup():
    """The control: the same check fails with DEBUG on and a short key, so the test above can fail."""
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        INSATS_ENV="production",
        SECRET_KEY="short",
        ALLOWED_HOSTS="insats.example.se",
        DEBUG="1",
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout  # weak SECRET_KEY
    assert "security.W018" in result.stderr + result.stdout  # DEBUG on


def test_production_refuses_to_start_without_secret_key():
    result = manage("check", INSATS_ENV="production", ALLOWED_HOSTS="insats.example.se", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr
