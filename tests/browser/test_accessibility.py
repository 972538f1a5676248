"""axe-core on every page, in Swedish and in English.

The page list is not written here: it comes from the URL resolver and the permission matrix
(``tests/matrix/``). Every GET entry whose URL exists is visited as a role its ``own`` column lets
in (an admin when admins may, else the first such role), and entries open to anonymous visitors are
also visited logged out. A new page with a matrix entry is therefore checked automatically.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from tests.test_permission_matrix import ENTRIES, base_key, url_map

from .conftest import describe, language_cookie, run_axe, session_cookie_for

pytestmark = pytest.mark.browser

ROLE_PREFERENCE = ["admin", "analyst", "contract_manager", "procurement", "evaluator", "caseworker", "viewer"]


@dataclass(frozen=True)
class Visit:
    key: str
    role: str | None  # None: logged out


def visits() -> list[Visit]:
    pages = url_map().pages
    out = []
    for key, entry in sorted(ENTRIES.items()):
        if entry.method.upper() != "GET" or base_key(key) not in pages:
            continue
        if entry.anonymous:
            out.append(Visit(key, None))
        allowed = [r for r in ROLE_PREFERENCE if r in entry.own]
        if allowed:
            out.append(Visit(key, allowed[0]))
    return out


def test_the_page_list_is_driven_by_the_matrix():
    keys = {v.key for v in visits()}
    # Pages from three areas, and nothing that is not a GET.
    assert {"web:home", "accounts:organisations", "audit:search", "accounts:login"} <= keys
    assert all(ENTRIES[k].method.upper() == "GET" for k in keys)
    assert Visit("accounts:login", None) in visits()


CHUNK = 25  # pages per test: small enough for the two workers of `pytest -n 2` to share the crawl


def _groups() -> list[tuple[str | None, int]]:
    """(role, chunk) pairs: each role's pages in chunks of CHUNK, in a stable order."""
    groups: list[tuple[str | None, int]] = []
    counts: dict[str | None, int] = {}
    for v in visits():
        counts[v.role] = counts.get(v.role, 0) + 1
    for role, n in counts.items():
        groups += [(role, i) for i in range((n + CHUNK - 1) // CHUNK)]
    return groups


def _group_id(group: tuple[str | None, int]) -> str:
    role, chunk = group
    return f"{role or 'anonymous'}-{chunk}"


@pytest.mark.parametrize("group", _groups(), ids=_group_id)
@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_page_has_no_serious_or_critical_axe_violations(
    language, group, context, page, live_server, bworld
):
    role, chunk = group
    cookies = [language_cookie(live_server, language)]
    if role is not None:
        cookies.append(session_cookie_for(live_server, bworld.user("owner", role), bworld.orgs["owner"]))
    context.add_cookies(cookies)
    problems, checked, not_pages = [], 0, 0
    mine = [v for v in visits() if v.role == role][chunk * CHUNK : (chunk + 1) * CHUNK]
    downloads: list = []
    page.on("download", lambda d: downloads.append(d))
    for v in mine:
        entry = ENTRIES[v.key]
        url = reverse(base_key(v.key), kwargs=entry.kwargs(bworld))
        try:
            response = page.goto(url)
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):
                # The download event may not be dispatched yet: wait for it, then for the whole file,
                # so the next page does not race the export for the database.
                download = downloads.pop() if downloads else page.wait_for_event("download")
                download.path()
                not_pages += 1
                continue  # an export (xlsx, PDF, CSV): not a page
            raise
        if response is not None and "text/html" not in response.headers.get("content-type", ""):
            not_pages += 1
            continue  # JSON and the like, shown by the browser as text: not a page
        where = f"{v.key} as {role or 'anonymous'} ({url} → {page.url})"
        status = response.status if response else 0
        if status >= 400:
            if status not in entry.ok_statuses:
                problems.append(f"{where}: HTTP {status}")
            continue  # an expected error answer (the matrix says so) is not a page to check
        lang = page.locator("html").get_attribute("lang")
        if lang != language:
            problems.append(f"{where}: <html lang={lang!r}>, expected {language!r}")
        violations = run_axe(page)
        checked += 1
        if violations:
            problems.append(f"{where}:\n    {describe(violations)}")
    assert checked >= 1 or not_pages == len(mine), "no page was checked"
    assert not problems, f"axe ({language}), {len(problems)} pages with problems:\n" + "\n".join(problems)
