"""Sessions end after SESSION_TIMEOUT_MINUTES without activity; requests extend them."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.conftest import login

from .test_security_support import checked_client  # noqa: F401


def stored_session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_timeout_is_thirty_minutes_by_default_and_refreshed_at_most_every_minute():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is False  # insats.web.sessions refreshes instead
    assert settings.SESSION_REFRESH_SECONDS == 60


def test_each_request_moves_the_expiry(client, world):
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=1))
    before = timezone.now()
    assert client.get(reverse("web:home")).status_code == 200
    expiry = stored_session(client).expire_date
    age = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert before + age - timedelta(seconds=5) <= expiry <= timezone.now() + age


def test_an_idle_session_past_the_timeout_is_logged_out(client, world):
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    assert client.get(reverse("web:home")).status_code == 200
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("web:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


def test_a_session_just_inside_the_timeout_is_kept(client, world):
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(seconds=30))
    assert client.get(reverse("web:home")).status_code == 200
