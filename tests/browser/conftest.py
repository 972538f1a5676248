"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

One browser per session (per xdist worker), a fresh context per test. The live server picks a free
port, so ``pytest -n 2`` works. Pages are checked with axe-core from ``node_modules`` (``npm ci``).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django must allow ORM calls next to it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def bworld(transactional_db, world):
    """The test world, committed so the live server's thread sees it."""
    return world


@pytest.fixture
def context(chromium, live_server):
    # bypass_csp: axe is injected as an inline script, which the app's CSP (rightly) forbids.
    ctx = chromium.new_context(base_url=live_server.url, locale="sv-SE", bypass_csp=True)
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


def session_cookie_for(live_server, user, org) -> dict:
    """A logged-in (second factor passed) session for ``user`` acting for ``org``, as a browser cookie."""
    from django.conf import settings
    from django.test import Client

    from tests.conftest import login

    client = Client()
    login(client, user, org)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


def language_cookie(live_server, code: str) -> dict:
    from django.conf import settings

    return {"name": settings.LANGUAGE_COOKIE_NAME, "value": code, "url": live_server.url}


def totp_code(user, offset_steps: int = 0) -> str:
    import pyotp

    return pyotp.TOTP(user.totp_secret).at(time.time() + 30 * offset_steps)


def run_axe(page) -> list[dict]:
    """axe-core's violations of impact serious or critical on the current page."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` in {ROOT}")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    # The rules of WCAG 2.0/2.1 A and AA (the Swedish DOS law's level); best-practice rules are not run.
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag',"
        " values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = ["/".join(map(str, n.get("target", []))) for n in v.get("nodes", [])[:5]]
        lines.append(f"{v['impact']}: {v['id']} – {v['help']} ({len(v.get('nodes', []))} nodes: {targets})")
    return "\n    ".join(lines)
