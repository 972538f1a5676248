"""The Swagger page in a real Chromium: it renders every operation under our CSP, from our origin."""

from __future__ import annotations

import shutil
from urllib.parse import urlparse

import pytest

from .test_openapi_and_docs import operations

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def page():
    if not shutil.which(CHROMIUM):
        pytest.skip("Chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        try:
            yield browser.new_page()
        finally:
            browser.close()


LISTEN = """document.addEventListener('securitypolicyviolation', function (e) {
  console.error('CSP-VIOLATION ' + e.violatedDirective + ' ' + e.blockedURI);
});"""


def test_swagger_renders_every_operation_without_csp_violations(live_server, page):
    messages, requests = [], []
    page.on("console", lambda m: messages.append(m.text))
    page.on("request", lambda r: requests.append(r.url))
    page.add_init_script(LISTEN)
    page.goto(live_server.url + "/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=20000)
    shown = page.eval_on_selector_all(
        ".opblock",
        """blocks => blocks.map(b => [
            b.querySelector('.opblock-summary-method').textContent.trim(),
            b.querySelector('.opblock-summary-path').getAttribute('data-path')])""",
    )
    document = page.request.get(live_server.url + "/api/v1/openapi.json").json()
    assert {(method, path) for method, path in shown} == set(operations(document))
    assert not [m for m in messages if "CSP-VIOLATION" in m or "Content Security Policy" in m], messages
    origin = urlparse(live_server.url).netloc
    assert {urlparse(u).netloc for u in requests if not u.startswith("data:")} == {origin}

    # Guard: the listener does report a violation (an inline script added to the same page).
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = '1'; document.body.append(s); }"
    )
    page.wait_for_timeout(300)
    assert any("CSP-VIOLATION script-src" in m for m in messages), messages
