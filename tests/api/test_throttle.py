"""Issue 8 item 12: per-address limits on login and on token calls to the API, kept in the database.

The login limit counts *failed* logins per address; an address over it is answered 429 before the
password is checked, so its attempts no longer count towards any account's lock-out. The API limit
counts every request that carries a bearer token. Both are logged to the audit log once per window.
"""

from __future__ import annotations

import datetime
import json
import threading

import pytest
from django.db import connection
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from insats.accounts import security
from insats.accounts.models import ThrottleBucket
from insats.audit.models import AuditEntry
from tests.api.conftest import bearer, make_token
from tests.conftest import PASSWORD

ATTACKER = "203.0.113.7"
OFFICE = "198.51.100.20"


def _login(client, email: str, password: str, ip: str, **extra):
    return client.post(
        reverse("accounts:login"), {"email": email, "password": password}, REMOTE_ADDR=ip, **extra
    )


# --- login --------------------------------------------------------------------------------------------


@override_settings(LOGIN_IP_FAILURE_LIMIT=3, LOGIN_IP_WINDOW_MINUTES=15, LOGIN_FAILURE_LIMIT=5)
def test_an_address_hammering_one_account_is_slowed_before_the_account_locks(world, client):
    victim = world.user("owner", "viewer")
    for _ in range(3):
        assert _login(client, victim.email, "fel", ATTACKER).status_code == 200
    for _ in range(5):
        refused = _login(client, victim.email, "fel", ATTACKER)
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        assert "För många misslyckade inloggningar" in refused.content.decode()
    victim.refresh_from_db()
    assert victim.failed_logins == 3 and victim.locked_until is None  # the refused ones were not counted
    # The real user, from another address, gets in.
    response = _login(client, victim.email, PASSWORD, OFFICE)
    assert response.status_code == 302, response.content[:500]
    entries = AuditEntry.objects.filter(action="auth.ip_throttled")
    assert entries.count() == 1
    assert entries.get().changes["ip"] == ATTACKER


@override_settings(LOGIN_IP_FAILURE_LIMIT=2)
def test_the_refusal_page_is_translated(world, client):
    email = world.user("owner", "viewer").email
    for _ in range(2):
        _login(client, email, "fel", ATTACKER)
    client.cookies["django_language"] = "en"
    page = _login(client, email, "fel", ATTACKER).content.decode()
    assert "Too many failed logins" in page


@override_settings(LOGIN_IP_FAILURE_LIMIT=2)
def test_successful_logins_from_one_address_are_not_limited(world, client):
    """A whole municipality may sit behind one address: only failures count."""
    for role in ("viewer", "analyst", "contract_manager", "evaluator"):
        user = world.user("owner", role)
        if user.has_two_factor:
            continue
        client.logout()
        assert _login(client, user.email, PASSWORD, OFFICE).status_code == 302


@override_settings(LOGIN_IP_FAILURE_LIMIT=2, LOGIN_IP_WINDOW_MINUTES=15)
def test_the_limit_ends_with_its_window(world, client):
    email = world.user("owner", "viewer").email
    for _ in range(2):
        _login(client, email, "fel", ATTACKER)
    assert _login(client, email, "fel", ATTACKER).status_code == 429
    ThrottleBucket.objects.update(window_start=timezone.now() - datetime.timedelta(minutes=16))
    assert _login(client, email, "fel", ATTACKER).status_code == 200


@override_settings(LOGIN_IP_FAILURE_LIMIT=2, TRUSTED_PROXY_COUNT=0)
def test_x_forwarded_for_is_ignored_unless_a_proxy_is_trusted(world, client):
    email = world.user("owner", "viewer").email
    for i in range(3):
        _login(client, email, "fel", ATTACKER, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    # Each attempt claimed another address, but the header is not trusted: one address, throttled.
    assert _login(client, email, "fel", ATTACKER, HTTP_X_FORWARDED_FOR="10.0.0.99").status_code == 429


@override_settings(LOGIN_IP_FAILURE_LIMIT=2, TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_forwarded_address_counts(world, client):
    email = world.user("owner", "viewer").email
    proxy = "10.1.1.1"
    for _ in range(2):
        _login(client, email, "fel", proxy, HTTP_X_FORWARDED_FOR=f"spoofed, {ATTACKER}")
    assert _login(client, email, "fel", proxy, HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 429
    # Another client behind the same proxy is not affected.
    assert _login(client, email, "fel", proxy, HTTP_X_FORWARDED_FOR=OFFICE).status_code == 200


# --- the API --------------------------------------------------------------------------------------------


@override_settings(API_RATE_LIMIT=3, API_RATE_WINDOW_SECONDS=60)
def test_token_calls_are_limited_per_address(world, client):
    key = make_token(world.membership("owner", "viewer"))
    for _ in range(3):
        assert client.get("/api/v1/me", REMOTE_ADDR=ATTACKER, **bearer(key)).status_code == 200
    for _ in range(3):
        refused = client.get("/api/v1/me", REMOTE_ADDR=ATTACKER, **bearer(key))
        assert refused.status_code == 429
        assert refused["Content-Type"].startswith("application/problem+json")
        assert 0 < int(refused["Retry-After"]) <= 60
        body = json.loads(refused.content)
        assert body["code"] == "throttled" and body["status"] == 429
    # Guessing tokens is limited as well, and another address is not affected.
    assert client.get("/api/v1/me", REMOTE_ADDR=ATTACKER, **bearer("ins_guess")).status_code == 429
    assert client.get("/api/v1/me", REMOTE_ADDR=OFFICE, **bearer(key)).status_code == 200
    entries = AuditEntry.objects.filter(action="api.throttled")
    assert entries.count() == 1 and entries.get().changes["ip"] == ATTACKER


@override_settings(API_RATE_LIMIT=0)
def test_zero_turns_the_api_limit_off(world, client):
    key = make_token(world.membership("owner", "viewer"))
    for _ in range(5):
        assert client.get("/api/v1/me", REMOTE_ADDR=ATTACKER, **bearer(key)).status_code == 200
    assert not ThrottleBucket.objects.exists()


def test_the_429_is_declared_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").json()
    response = doc["paths"]["/api/v1/me"]["get"]["responses"]["429"]
    assert "Retry-After" in response["headers"]
    assert list(response["content"]) == ["application/problem+json"]


@override_settings(API_RATE_LIMIT=5, API_RATE_WINDOW_SECONDS=60)
def test_counters_of_addresses_idle_for_a_day_are_cleared(world, client):
    key = make_token(world.membership("owner", "viewer"))
    client.get("/api/v1/me", REMOTE_ADDR=ATTACKER, **bearer(key))
    ThrottleBucket.objects.update(window_start=timezone.now() - datetime.timedelta(days=2))
    client.get("/api/v1/me", REMOTE_ADDR=OFFICE, **bearer(key))
    assert set(ThrottleBucket.objects.values_list("key", flat=True)) == {f"api:{OFFICE}"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)")
def test_concurrent_requests_from_one_address_are_all_counted_and_logged_once(settings):
    """Many workers, one address: the first requests race to create the row; none is lost."""
    settings.API_RATE_LIMIT = 5
    threads_n = 12
    barrier = threading.Barrier(threads_n)
    waits, errors = [], []

    def attempt():
        from django.db import connections

        try:
            barrier.wait()
            waits.append(security.api_retry_after(RequestFactory().get("/api/v1/me", REMOTE_ADDR=ATTACKER)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(threads_n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert ThrottleBucket.objects.get(key=f"api:{ATTACKER}").count == threads_n
    assert sum(w is None for w in waits) == 5
    assert AuditEntry.objects.filter(action="api.throttled").count() == 1
