"""Lock-out after repeated failed logins, counted atomically, each failure logged exactly once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from insats.accounts import security
from insats.accounts.models import User
from insats.audit.models import AuditEntry
from insats.audit.services import verify_chain
from tests.conftest import PASSWORD

from .test_security_support import checked_client, entries  # noqa: F401

MESSAGE = "Fel e-postadress eller lösenord, eller så är kontot tillfälligt låst."
LIMIT = 5
MINUTES = 15


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.LOGIN_FAILURE_LIMIT = LIMIT
    settings.LOGIN_LOCKOUT_MINUTES = MINUTES


def post_login(client, email, password):
    return client.post(reverse("accounts:login"), {"email": email, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_right_password_logs_in_and_resets_the_counter(client, world):
    user = world.user("owner", "viewer")
    for _ in range(LIMIT - 1):
        post_login(client, user.email, "wrong-password")
    user.refresh_from_db()
    assert user.failed_logins == LIMIT - 1
    response = post_login(client, user.email.upper(), PASSWORD)
    assert response.status_code == 302 and response.url == reverse("web:home")
    assert logged_in(client)
    user.refresh_from_db()
    assert (user.failed_logins, user.last_failed_login, user.locked_until) == (0, None, None)


def test_limit_th_failure_locks_and_the_right_password_is_then_refused(client, world):
    user = world.user("owner", "analyst")
    for i in range(LIMIT - 1):
        response = post_login(client, user.email, f"wrong-{i}")
        assert MESSAGE in response.content.decode()
    user.refresh_from_db()
    assert user.locked_until is None, "locked one failure too early"
    before = timezone.now()
    post_login(client, user.email, "wrong-last")
    user.refresh_from_db()
    assert user.failed_logins == LIMIT
    # Locked for the window, counted from the failure that reached the limit.
    assert (
        before + timedelta(minutes=MINUTES)
        <= user.locked_until
        <= timezone.now() + timedelta(minutes=MINUTES)
    )

    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 200 and not logged_in(client)
    assert MESSAGE in response.content.decode()
    user.refresh_from_db()
    assert user.failed_logins == LIMIT, "attempts while locked are not counted"


def test_the_message_is_the_same_for_unknown_address_wrong_password_and_locked(client, world):
    user = world.user("owner", "viewer")
    unknown = post_login(client, "nobody@nowhere.test", PASSWORD).content.decode()
    wrong = post_login(client, user.email, "wrong").content.decode()
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
    locked = post_login(client, user.email, PASSWORD).content.decode()

    def error_of(html):
        start = html.index('role="alert"')
        return html[start : html.index("</div>", start)]

    assert MESSAGE in error_of(unknown)
    assert error_of(unknown) == error_of(wrong) == error_of(locked)


def test_each_failure_is_logged_once_with_the_user_as_object_and_the_lock_once(client, world):
    user = world.user("owner", "procurement")
    for _ in range(LIMIT + 2):  # two more while locked
        post_login(client, user.email, "wrong")
    failed = entries("auth.login_failed")
    assert len(failed) == LIMIT + 2
    assert {(e.object_type, e.object_id) for e in failed} == {("accounts.user", str(user.pk))}
    assert [e.changes["reason"] for e in failed] == ["password"] * LIMIT + ["locked"] * 2
    locks = entries("auth.locked")
    assert len(locks) == 1 and locks[0].object_id == str(user.pk)
    assert locks[0].seq == failed[LIMIT - 1].seq + 1, "the lock follows the failure that caused it"
    assert verify_chain().ok


def test_unknown_address_is_logged_once_without_an_object(client, world):
    post_login(client, "Nobody@Nowhere.test", "whatever")
    failed = entries("auth.login_failed")
    assert len(failed) == 1
    assert failed[0].object_id == "" and failed[0].object_label == "nobody@nowhere.test"
    assert failed[0].changes["reason"] == "unknown"
    assert AuditEntry.objects.filter(action="auth.locked").count() == 0


def test_lock_ends_after_the_window(client, world):
    user = world.user("owner", "evaluator")
    for _ in range(LIMIT):
        post_login(client, user.email, "wrong")
    # Move the lock (and the failures) 1 s past the window instead of sleeping.
    shift = timedelta(minutes=MINUTES, seconds=1)
    user.refresh_from_db()
    User.objects.filter(pk=user.pk).update(
        locked_until=user.locked_until - shift, last_failed_login=user.last_failed_login - shift
    )
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_failures_further_apart_than_the_window_start_the_count_again(world):
    user = world.user("owner", "viewer")
    t0 = timezone.now()
    for i in range(LIMIT - 1):
        security.record_failure(user, now=t0 + timedelta(minutes=i))
    # The next failure comes exactly one window after the previous one: a fresh count.
    security.record_failure(user, now=t0 + timedelta(minutes=LIMIT - 2 + MINUTES))
    user.refresh_from_db()
    assert user.failed_logins == 1 and user.locked_until is None


def test_stale_instances_do_not_lose_counts(world):
    """Two requests that loaded the user before either counted (the race an ORM save would lose)."""
    first = User.objects.get(pk=world.user("owner", "viewer").pk)
    second = User.objects.get(pk=first.pk)
    security.record_failure(first)
    security.record_failure(second)
    first.refresh_from_db()
    assert first.failed_logins == 2


def test_backend_refuses_a_locked_account_but_keeps_its_open_sessions(client, world):
    from insats.accounts.backends import EmailBackend

    user = world.user("owner", "viewer")
    from tests.conftest import login

    login(client, user, world.orgs["owner"])
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
    assert EmailBackend().authenticate(None, email=user.email, password=PASSWORD) is None
    assert client.get(reverse("web:home")).status_code == 200


# --- the counter against a reference model --------------------------------------------------------


def reference(events):
    """The documented rule, written independently: returns (count, locked_until) in minutes."""
    count, last, locked_until = 0, None, None
    for t, ok in events:
        locked = locked_until is not None and t < locked_until
        if ok:
            if not locked:
                count, last, locked_until = 0, None, None
            continue
        if locked:
            continue
        count = count + 1 if last is not None and t - last < MINUTES else 1
        last = t
        if count >= LIMIT:
            locked_until = t + MINUTES
    return count, locked_until


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=20), st.sampled_from([False, False, False, True])),
        max_size=14,
    )
)
def test_counter_follows_the_rule(world, steps):
    user = world.user("owner", "viewer")
    User.objects.filter(pk=user.pk).update(failed_logins=0, last_failed_login=None, locked_until=None)
    t0 = timezone.now().replace(microsecond=0)
    t, events = 0, []
    for gap, ok in steps:
        t += gap
        events.append((t, ok))
        when = t0 + timedelta(minutes=t)
        if ok:
            security.clear_failures(user, now=when)
        else:
            security.record_failure(user, now=when)
    count, locked_until = reference(events)
    user.refresh_from_db()
    assert user.failed_logins == count
    assert user.locked_until == (None if locked_until is None else t0 + timedelta(minutes=locked_until))


# --- real concurrency (PostgreSQL: SQLite serialises writers anyway) ------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)")
def test_concurrent_failures_all_count_and_lock_once(settings):
    settings.LOGIN_FAILURE_LIMIT = 4
    user = User.objects.create_user("race@example.test", PASSWORD, full_name="Race")
    threads_n = 10
    barrier = threading.Barrier(threads_n)
    errors = []

    def attempt():
        from django.db import connections

        try:
            barrier.wait()
            security.record_failure(User.objects.get(pk=user.pk))
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
    user.refresh_from_db()
    assert user.locked_until is not None
    assert AuditEntry.objects.filter(action="auth.login_failed").count() == threads_n
    assert AuditEntry.objects.filter(action="auth.locked").count() == 1
    counted = AuditEntry.objects.filter(action="auth.login_failed", changes__reason="password").count()
    assert user.failed_logins == counted >= 4
