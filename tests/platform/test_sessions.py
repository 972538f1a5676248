"""No session write on every request; a session is still extended by activity (item 16)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import login


def _session_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]


def test_a_fresh_unchanged_session_is_not_written_again(client, world):
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    assert client.get(reverse("web:home")).status_code == 200  # settles anything the first page sets
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("web:home")).status_code == 200
    assert _session_writes(queries.captured_queries) == []


def test_a_session_older_than_the_refresh_interval_is_extended(client, world, settings):
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    key = client.session.session_key
    age, refresh = settings.SESSION_COOKIE_AGE, settings.SESSION_REFRESH_SECONDS
    stale = timezone.now() + timedelta(seconds=age - refresh - 5)
    Session.objects.filter(session_key=key).update(expire_date=stale)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("web:home")).status_code == 200
    assert len(_session_writes(queries.captured_queries)) == 1
    assert Session.objects.get(session_key=key).expire_date > stale + timedelta(seconds=4)


def test_a_session_within_the_refresh_interval_is_left_alone(client, world, settings):
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    key = client.session.session_key
    age, refresh = settings.SESSION_COOKIE_AGE, settings.SESSION_REFRESH_SECONDS
    recent = timezone.now() + timedelta(seconds=age - refresh + 10)
    Session.objects.filter(session_key=key).update(expire_date=recent)
    assert client.get(reverse("web:home")).status_code == 200
    assert Session.objects.get(session_key=key).expire_date == recent
