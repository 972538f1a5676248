"""CSRF on every POST endpoint; the CSP header and no inline code on every page.

The CSRF walk collects every URL from the resolver (dummy values for path converters: the CSRF
middleware refuses before any view or object lookup runs) and POSTs without a token, with a real
CSRF cookie, anonymously and logged in. A failure view installed for the test marks CSRF
refusals, so a 403 from a permission check cannot pass for one. API operations with an unsafe
method, called with the session cookie and no ``X-CSRFToken``, must answer 403 too.

The CSP walk opens every page of the permission matrix (tests/matrix/*.py) as a role allowed to
see it; the checking client (test_security_support.CheckedClient) fails on a missing header,
inline ``<script>``, ``on*=`` or ``style=`` attributes.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.http import HttpResponseForbidden
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from insats.api import get_api
from tests.conftest import login

from .test_security_support import CheckedClient, assert_csp_clean

DUMMY = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": str(uuid.uuid4())}


def csrf_failure(request, reason=""):
    response = HttpResponseForbidden("csrf")
    response["X-Test-CSRF-Rejected"] = reason or "1"
    return response


@pytest.fixture(autouse=True)
def _csrf_marker(settings):
    settings.CSRF_FAILURE_VIEW = "tests.accounts.test_security_csrf_csp.csrf_failure"


def _callback_module(pattern: URLPattern) -> str:
    cb = pattern.callback
    return getattr(cb, "__module__", "") or ""


def web_urls(patterns=None, prefix=""):
    """(route, concrete URL) for every non-API, non-static URL pattern."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from web_urls(p.url_patterns, route)
            continue
        if _callback_module(p).startswith("ninja.") or _callback_module(p) in (
            "django.views.static",
            "django.contrib.staticfiles.views",
        ):
            continue
        assert "(?P" not in route, f"regex route {route!r}: give it a converter-based path()"
        url = "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: DUMMY.get(m.group(1) or "str", "x"), route)
        yield route, url


def test_the_walker_finds_known_post_endpoints():
    routes = dict(web_urls())
    assert routes["konto/logga-in/"] == "/konto/logga-in/"
    assert routes["konto/tvafaktor/stang-av/"] == "/konto/tvafaktor/stang-av/"
    assert routes["konto/medlemskap/<int:pk>/ta-bort/"] == "/konto/medlemskap/1/ta-bort/"
    assert "i18n/setlang/" in routes


def _clients(world):
    anonymous = CheckedClient(enforce_csrf_checks=True)
    anonymous.get(reverse("accounts:login"))
    admin = CheckedClient(enforce_csrf_checks=True)
    login(admin, world.user("owner", "admin"), world.orgs["owner"])
    admin.get(reverse("web:home"))
    for c in (anonymous, admin):
        assert c.cookies.get("csrftoken"), "the page should have set a CSRF cookie"
    return {"anonymous": anonymous, "admin": admin}


def test_every_post_without_a_csrf_token_is_refused(world):
    clients = _clients(world)
    urls = sorted({url for _route, url in web_urls()})
    assert len(urls) > 20
    let_through = []
    for url in urls:
        for who, c in clients.items():
            response = c.post(url, {"anything": "1"})
            if response.status_code != 403 or not response.has_header("X-Test-CSRF-Rejected"):
                let_through.append(f"{who} POST {url} -> {response.status_code}")
    assert not let_through, "\n".join(let_through)


def test_the_same_post_with_the_token_gets_past_csrf(world):
    """The control: the 403s above are about the token, not the URL."""
    clients = _clients(world)
    c = clients["anonymous"]
    token = c.cookies["csrftoken"].value
    response = c.post(
        reverse("accounts:login"), {"email": "x@y.se", "password": "p", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200 and not response.has_header("X-Test-CSRF-Rejected")


def test_unsafe_api_operations_need_the_csrf_token_with_a_session(world):
    clients = _clients(world)
    schema = get_api().get_openapi_schema()
    unsafe = [
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if method.lower() in ("post", "put", "patch", "delete")
    ]
    assert unsafe, "expected at least one API operation that changes data"
    let_through = []
    for method, path in unsafe:
        url = re.sub(r"\{\w+\}", "1", path)
        response = getattr(clients["admin"], method.lower())(url, data="{}", content_type="application/json")
        if response.status_code != 403:
            let_through.append(f"{method.upper()} {url} -> {response.status_code}")
    assert not let_through, "\n".join(let_through)


# --- CSP on every page ----------------------------------------------------------------------------


def test_every_page_of_the_matrix_has_the_csp_and_no_inline_code(world):
    from tests.test_permission_matrix import ENTRIES, base_key

    clients: dict[tuple[str, str], CheckedClient] = {}
    checked = []
    for key, entry in sorted(ENTRIES.items()):
        if key.startswith("api:") or entry.method != "GET" or not entry.own:
            continue
        role = "admin" if "admin" in entry.own else sorted(entry.own)[0]
        try:
            kwargs = dict(entry.kwargs(world))
            url = reverse(base_key(key), kwargs=kwargs)
        except Exception:  # noqa: BLE001 - the permission-matrix test reports broken entries
            continue
        if ("owner", role) not in clients:
            c = CheckedClient()
            login(c, world.user("owner", role), world.orgs["owner"])
            clients[("owner", role)] = c
        response = clients[("owner", role)].get(url)  # CheckedClient asserts on every HTML page
        page = "text/html" in response.get("Content-Type", "")
        download = response.get("Content-Disposition", "").startswith("attachment")
        if response.status_code == 200 and page and not download:
            checked.append(url)
    anonymous = CheckedClient()
    for name in ("accounts:login", "web:home"):
        response = anonymous.get(reverse(name), follow=True)
        assert_csp_clean(response)
    assert len(checked) >= 15, checked
    assert "/konto/tvafaktor/" in checked


def test_the_checker_catches_inline_code():
    from django.http import HttpResponse

    from .test_security_support import InlineCodeFinder

    for bad in (
        "<script>alert(1)</script>",
        '<a href="#" onclick="x()">a</a>',
        '<p style="color:red">x</p>',
        "<style>p{}</style>",
        '<a href="javascript:x()">a</a>',
    ):
        finder = InlineCodeFinder()
        finder.feed(bad)
        assert finder.problems, bad
    finder = InlineCodeFinder()
    finder.feed('<script src="/static/a.js" defer></script><img src="data:image/svg+xml,x" alt="">')
    assert not finder.problems
    response = HttpResponse("<p>x</p>", content_type="text/html")
    with pytest.raises(AssertionError):
        assert_csp_clean(response)  # no header
