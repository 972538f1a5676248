"""The permission matrix: every page and API operation, tried by every role of three organisations.

How it works (docs/testing.md has the long version):

* ``ENTRIES`` is merged from every module in ``tests/matrix/`` (imported dynamically, so a new area
  only adds ``tests/matrix/<area>.py``). A key is a URL name (``"accounts:members"``) or an API
  operation (``"api:GET /api/v1/…"``); ``name#variant`` keys try the same URL another way (POST, or
  another object).
* ``test_every_url_has_an_entry`` walks the URL resolver recursively (and the API's OpenAPI document)
  and lists every URL name and operation without an entry.
* ``test_matrix[<key>]`` requests the entry's URL anonymously and then as each role acting for the
  owning, the partner and the unrelated organisation (and the samordningsförbund for entries with a
  ``federation`` column). Let in → status in ``entry.ok_statuses``; refused → 403/404 (API 401/403/404);
  anonymous on protected pages → redirect to the login page (API 401). POSTs run in a transaction that
  is rolled back, so no case sees another's changes.

The world is built once per module (and per xdist worker) inside a transaction rolled back at the end.
"""

from __future__ import annotations

import ast
import copy
import functools
import importlib
import json
import logging
import pkgutil
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse

import tests.matrix as matrix_pkg
from insats.accounts import access
from tests.conftest import ROLES, build_world, login

# Tells pytest-django to create the test database even when only matrix tests are selected
# (it sets up databases for the django_db marks it sees); the matrix fixture manages its own transaction.
pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parent.parent / "src" / "insats"
COLUMNS = {"owner": "own", "partner": "partner", "unrelated": "unrelated", "federation": "federation"}
API_PREFIX = "api:"
DEFAULT_OPENAPI_URL = "/api/v1/openapi.json"
REFUSED = frozenset({403, 404})
API_REFUSED = frozenset({401, 403, 404})


# --- the entries ---------------------------------------------------------------------------------


def load_entries():
    """(entries, origin module per key, duplicate keys) from every module of tests/matrix/."""
    entries, origin, duplicates = {}, {}, []
    for info in sorted(pkgutil.iter_modules(matrix_pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{matrix_pkg.__name__}.{info.name}")
        for key, entry in getattr(module, "ENTRIES", {}).items():
            if key in entries:
                duplicates.append(f"{key} (in {origin[key]} and {info.name})")
                continue
            entries[key] = entry
            origin[key] = info.name
    return entries, origin, duplicates


ENTRIES, ORIGIN, DUPLICATES = load_entries()


def base_key(key: str) -> str:
    return key.split("#", 1)[0]


# --- the URLs ------------------------------------------------------------------------------------


def _callback_module(pattern: URLPattern) -> str:
    cb = pattern.callback
    while isinstance(cb, functools.partial):
        cb = cb.func
    return getattr(cb, "__module__", "") or getattr(getattr(cb, "view_class", None), "__module__", "")


def _is_static(pattern: URLPattern, route: str) -> bool:
    module = _callback_module(pattern)
    if module in ("django.views.static", "django.contrib.staticfiles.views"):
        return True
    prefixes = [
        p.lstrip("/") for p in (settings.STATIC_URL, getattr(settings, "MEDIA_URL", "")) if p and p != "/"
    ]
    return any(route.lstrip("^/").startswith(p) for p in prefixes)


def _is_api(pattern: URLPattern) -> bool:
    """A ninja API operation (its docs and schema pages are ordinary pages with URL names)."""
    return _callback_module(pattern) == "ninja.operation"


def walk(patterns=None, namespaces=(), route=""):
    """(namespaces, pattern, full route) for every leaf pattern, recursively."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespaces + ((p.namespace,) if p.namespace else ())
            yield from walk(p.url_patterns, ns, route + str(p.pattern))
        else:
            yield namespaces, p, route + str(p.pattern)


@dataclass
class UrlMap:
    pages: dict[str, str] = field(default_factory=dict)  # URL name (or route when unnamed) → route
    api_patterns: list[str] = field(default_factory=list)
    openapi_url: str | None = None


def url_map() -> UrlMap:
    found = UrlMap()
    for namespaces, pattern, route in walk():
        if _is_static(pattern, route):
            continue
        name = ":".join((*namespaces, pattern.name)) if pattern.name else None
        if pattern.name == "openapi-json" and _callback_module(pattern).startswith("ninja."):
            found.openapi_url = reverse(name)
        if _is_api(pattern):
            found.api_patterns.append(route)
            continue
        found.pages[name or route] = route
    if found.api_patterns and found.openapi_url is None:
        found.openapi_url = DEFAULT_OPENAPI_URL
    return found


def api_operations(client: Client, openapi_url: str) -> dict[str, dict]:
    """``"api:<METHOD> <path>"`` → operation, from the OpenAPI document."""
    response = client.get(openapi_url)
    assert response.status_code == 200, f"{openapi_url} answered {response.status_code}"
    doc = json.loads(response.content)
    ops = {}
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if method.lower() in ("get", "post", "put", "patch", "delete"):
                ops[f"{API_PREFIX}{method.upper()} {path}"] = op
    return ops


# --- the module-wide world, clients and resolved entries ------------------------------------------


@dataclass
class Case:
    label: str
    client: Client
    cookies: object
    api_headers: dict
    org: str | None = None
    role: str | None = None


@dataclass
class Matrix:
    world: object
    anonymous: Case
    cases: dict[tuple[str, str], Case]
    resolved: dict[str, tuple[dict, dict]]
    errors: dict[str, str]
    urls: UrlMap
    operations: dict[str, dict]
    openapi_error: str = ""


def _api_token(membership) -> str:
    """A personal API token acting as ``membership``, made by the real service."""
    from insats.accounts import tokens

    _, key = tokens.token_create(
        actor=access.Actor(user=membership.user, membership=membership), membership=membership, name="matrix"
    )
    return key


def enrol_second_factor(users) -> None:
    """Give every user whose role requires 2FA an authenticator (as the set-up page would)."""
    import pyotp

    from insats.accounts import security

    enable = getattr(security, "enable_two_factor", None)
    if enable is None:
        return
    for user in users:
        if not user.has_two_factor and security.requires_two_factor(user):
            secret = security.new_secret()
            enable(user, secret, pyotp.TOTP(secret).now())


@pytest.fixture(scope="module")
def quiet_request_log():
    """403/404 are the point here: keep django.request's warnings out of failure reports."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, quiet_request_log):
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            w = build_world()
            enrol_second_factor(w.users.values())
            cases = {}
            urls = url_map()
            for org in COLUMNS:
                for role in ROLES:
                    user = w.user(org, role)
                    client = Client()
                    login(client, user, w.orgs[org])
                    headers = {}
                    if urls.api_patterns:
                        headers = {"HTTP_AUTHORIZATION": f"Bearer {_api_token(w.membership(org, role))}"}
                    cases[(org, role)] = Case(
                        f"{role}@{org}", client, copy.deepcopy(client.cookies), headers, org, role
                    )
            anonymous = Case("anonymous", Client(), None, {})
            operations, openapi_error = {}, ""
            if urls.openapi_url:
                try:
                    operations = api_operations(cases[("owner", "admin")].client, urls.openapi_url)
                except Exception as exc:  # reported by test_every_url_has_an_entry
                    openapi_error = f"{urls.openapi_url}: {exc!r}"
            resolved, errors = {}, {}
            for key, entry in ENTRIES.items():
                try:
                    resolved[key] = (dict(entry.kwargs(w)), dict(entry.data(w)))
                except Exception as exc:  # reported by the entry's own test
                    errors[key] = f"building kwargs/data failed: {exc!r}"
            yield Matrix(w, anonymous, cases, resolved, errors, urls, operations, openapi_error)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def unblocked(matrix, django_db_blocker):
    with django_db_blocker.unblock():
        yield matrix


# --- coverage of URLs and operations ---------------------------------------------------------------


def test_matrix_modules_have_no_duplicate_keys():
    assert not DUPLICATES, "keys defined twice: " + ", ".join(DUPLICATES)


def test_every_url_has_an_entry(unblocked):
    m = unblocked
    assert not m.openapi_error, (
        f"cannot read the API's operations from the OpenAPI document: {m.openapi_error}"
    )
    covered = {base_key(k) for k in ENTRIES}
    missing = sorted(set(m.urls.pages) - covered)
    missing_ops = sorted(set(m.operations) - covered)
    assert not missing and not missing_ops, (
        "no permission-matrix entry (add one to tests/matrix/<area>.py):\n  "
        + "\n  ".join(missing + missing_ops)
    )


def test_every_entry_names_an_existing_url(unblocked):
    m = unblocked
    if m.openapi_error:
        pytest.skip("the OpenAPI document is unreadable (see test_every_url_has_an_entry)")
    known = set(m.urls.pages) | set(m.operations)
    stale = sorted(k for k in ENTRIES if base_key(k) not in known)
    assert not stale, "entries for URLs or operations that do not exist: " + ", ".join(stale)


def test_walker_sees_nested_patterns_and_skips_static():
    """The walker itself: a namespaced include two levels deep is found; static serving is not."""
    from django.urls import include, path
    from django.views.static import serve

    def view(request):  # pragma: no cover - never called
        raise AssertionError

    inner = ([path("b/", view, name="leaf")], "inner")
    outer = ([path("a/", include(inner))], "outer")
    patterns = [path("x/", include(outer)), path("static/<path:p>", serve), path("top/", view, name="top")]
    leaves = [(":".join((*ns, p.name)) if p.name else None, r) for ns, p, r in walk(patterns)]
    assert ("outer:inner:leaf", "x/a/b/") in leaves
    assert ("top", "top/") in leaves
    static = [p for ns, p, r in walk(patterns) if _is_static(p, r)]
    assert len(static) == 1 and static[0].callback is serve


# --- the matrix itself ----------------------------------------------------------------------------


def _url(key: str, kwargs: dict) -> str:
    if key.startswith(API_PREFIX):
        path = base_key(key)[len(API_PREFIX) :].split(" ", 1)[1]
        return re.sub(r"\{(\w+)\}", lambda mo: str(kwargs[mo.group(1)]), path)
    return reverse(base_key(key), kwargs=kwargs)


def _request(case: Case, method: str, url: str, data: dict, api: bool):
    client = case.client
    if case.cookies is not None:
        client.cookies = copy.deepcopy(case.cookies)
    headers = case.api_headers if api else {}
    with transaction.atomic():
        try:
            if api and method not in ("GET", "DELETE"):
                response = getattr(client, method.lower())(
                    url, data=json.dumps(data), content_type="application/json", **headers
                )
            elif method == "GET":
                response = client.get(url, data, **headers)
            else:
                response = getattr(client, method.lower())(url, data, **headers)
        finally:
            transaction.set_rollback(True)
    return response


def _redirect_target(response) -> str | None:
    if response.status_code not in (301, 302, 303, 307, 308):
        return None
    return urlparse(response["Location"]).path


def _is_login_or_second_factor(path: str | None) -> bool:
    if path is None:
        return False
    if path == reverse(settings.LOGIN_URL):
        return True
    try:
        name = resolve(path).url_name or ""
    except Exception:
        return False
    return "two_factor" in name or "2fa" in name or "otp" in name


def judge(entry, response, *, allowed: bool, anonymous: bool, api: bool) -> str | None:
    """None if the response is right for the case, else what is wrong."""
    status = response.status_code
    target = _redirect_target(response)
    if allowed:
        if status not in entry.ok_statuses:
            return f"expected {sorted(entry.ok_statuses)}, got {status}" + (f" → {target}" if target else "")
        if not entry.anonymous and _is_login_or_second_factor(target):
            return f"let in by status but sent to {target}"
        return None
    if anonymous and not api:
        if target != reverse(settings.LOGIN_URL):
            return f"anonymous: expected a redirect to the login page, got {status}" + (
                f" → {target}" if target else ""
            )
        return None
    refused = API_REFUSED if api else REFUSED
    if anonymous and api:
        refused = frozenset({401})
    if status not in refused:
        return f"expected refusal {sorted(refused)}, got {status}" + (f" → {target}" if target else "")
    return None


@pytest.mark.parametrize("key", sorted(ENTRIES))
def test_matrix(key, unblocked):
    m = unblocked
    entry = ENTRIES[key]
    if key in m.errors:
        pytest.fail(f"{key}: {m.errors[key]}")
    api = key.startswith(API_PREFIX)
    if api:
        method = base_key(key)[len(API_PREFIX) :].split(" ", 1)[0]
    else:
        method = entry.method.upper()
    kwargs, data = m.resolved[key]
    try:
        url = _url(key, kwargs)
    except (NoReverseMatch, KeyError) as exc:
        pytest.fail(f"{key}: cannot build the URL from kwargs {kwargs}: {exc}")

    failures = []
    runs = [(m.anonymous, entry.anonymous, True)]
    for org, column in COLUMNS.items():
        if not hasattr(entry, column):
            continue
        allowed_roles = getattr(entry, column)
        for role in ROLES:
            runs.append((m.cases[(org, role)], role in allowed_roles, False))
    for case, allowed, is_anonymous in runs:
        try:
            response = _request(case, method, url, data, api)
        except Exception as exc:
            failures.append(f"{case.label}: raised {exc!r}")
            continue
        problem = judge(entry, response, allowed=allowed, anonymous=is_anonymous, api=api)
        if problem is None and allowed and entry.content is not None and not is_anonymous:
            problem = entry.content(m.world, case.org, case.role, response)
        if problem:
            failures.append(f"{case.label} ({'allowed' if allowed else 'refused'}): {problem}")
    assert not failures, f"{method} {url} [{key}, tests/matrix/{ORIGIN[key]}.py]:\n  " + "\n  ".join(failures)


# --- the judge itself (so a broken judge cannot pass everything) -------------------------------------


class _Resp:
    def __init__(self, status, location=None):
        self.status_code = status
        self._h = {"Location": location} if location else {}

    def __getitem__(self, k):
        return self._h[k]


def test_judge_refuses_wrong_answers():
    from tests.matrix import Entry

    e = Entry(ok_statuses=frozenset({200}))
    login_url = reverse(settings.LOGIN_URL)
    assert judge(e, _Resp(200), allowed=True, anonymous=False, api=False) is None
    assert judge(e, _Resp(403), allowed=True, anonymous=False, api=False)
    assert judge(e, _Resp(200), allowed=False, anonymous=False, api=False)
    assert judge(e, _Resp(403), allowed=False, anonymous=False, api=False) is None
    assert judge(e, _Resp(404), allowed=False, anonymous=False, api=False) is None
    assert judge(e, _Resp(401), allowed=False, anonymous=False, api=False)
    assert judge(e, _Resp(302, "/elsewhere/"), allowed=False, anonymous=True, api=False)
    assert judge(e, _Resp(302, login_url + "?next=/x/"), allowed=False, anonymous=True, api=False) is None
    assert judge(e, _Resp(401), allowed=False, anonymous=True, api=True) is None
    assert judge(e, _Resp(403), allowed=False, anonymous=True, api=True)
    assert judge(e, _Resp(401), allowed=False, anonymous=False, api=True) is None
    redirecting = Entry(ok_statuses=frozenset({302}))
    assert judge(redirecting, _Resp(302, login_url), allowed=True, anonymous=False, api=False)


# --- the abilities in access.RULES match the abilities the code asks for ------------------------------

ACCESS_CALLS = {"require", "can", "check", "scope", "get_or_404", "require_api", "NavItem", "Step"}
ABILITY_RE = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")


def _call_name(node: ast.Call) -> str:
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")


def _reverses(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch as exc:
        # A name that exists but needs arguments still counts as existing.
        return "with no arguments not found" in str(exc) or "arguments '()'" in str(exc)
    return True


def ability_usage():
    """(abilities the code asks access.py about, abilities mentioned anywhere) outside access.py."""
    asked: dict[str, list[str]] = {}
    mentioned: set[str] = set()
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "access.py" or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(SRC.parent))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and ABILITY_RE.match(node.value)
            ):
                mentioned.add(node.value)
            if not isinstance(node, ast.Call):
                continue
            name = _call_name(node)
            strings = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            strings += [
                k.value.value
                for k in node.keywords
                if k.arg == "ability" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)
            ]
            if name in ("NavItem", "Step"):
                url_names = [s for s in strings if ":" in s]
                if url_names and not all(_reverses(u) for u in url_names):
                    continue  # the page does not exist yet: the item is dormant
            if name in ACCESS_CALLS or any(k.arg == "ability" for k in node.keywords):
                for s in strings:
                    if ABILITY_RE.match(s):
                        asked.setdefault(s, []).append(f"{where}:{node.lineno}")
    for path in sorted(SRC.rglob("*.html")):
        mentioned.update(re.findall(r"[\"']([a-z_]+\.[a-z_]+)[\"']", path.read_text(encoding="utf-8")))
    return asked, mentioned


def test_every_ability_asked_for_is_defined():
    asked, _ = ability_usage()
    unknown = {a: where for a, where in asked.items() if a not in access.RULES}
    assert not unknown, "abilities used but missing from access.RULES: " + "; ".join(
        f"{a} at {', '.join(w)}" for a, w in sorted(unknown.items())
    )


def test_every_defined_ability_is_used():
    asked, mentioned = ability_usage()
    unused = sorted(a for a in access.RULES if a not in asked and a not in mentioned)
    assert not unused, "abilities in access.RULES that no view, endpoint or nav item uses: " + ", ".join(
        unused
    )
