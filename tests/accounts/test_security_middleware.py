"""TwoFactorRequiredMiddleware: roles admin and caseworker must have 2FA; tokens are not affected."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insats.accounts import security, services, tokens
from insats.accounts.access import Actor
from insats.accounts.models import Membership
from tests.conftest import login

from .test_security_support import checked_client, totp  # noqa: F401

SETUP = "/konto/tvafaktor/"


def force(client, user, org=None):
    """Logged in by session only: no enrolment, no verified marker."""
    client.force_login(user, backend=security.BACKEND_PATH)
    if org is not None:
        session = client.session
        session["insats_membership_id"] = Membership.objects.filter(user=user, organisation=org).first().pk
        session.save()


@pytest.mark.parametrize("role", ["admin", "caseworker"])
def test_required_roles_are_sent_to_set_up(client, world, role):
    force(client, world.user("owner", role))
    for url in (reverse("web:home"), reverse("accounts:profile"), reverse("accounts:partnerships")):
        response = client.get(url)
        assert response.status_code == 302 and response.url == SETUP, url
    page = client.get(SETUP)
    assert page.status_code == 200
    assert "Din roll kräver tvåfaktorsinloggning" in page.content.decode()


@pytest.mark.parametrize("role", ["analyst", "procurement", "evaluator", "contract_manager", "viewer"])
def test_other_roles_are_not_sent_to_set_up(client, world, role):
    force(client, world.user("owner", role))
    assert client.get(reverse("web:home")).status_code == 200


def test_a_required_role_in_any_membership_counts(client, world):
    user = world.user("partner", "viewer")
    services.membership_add(actor=None, user=user, organisation=world.orgs["unrelated"], role="caseworker")
    force(client, user, world.orgs["partner"])  # acting as viewer, but also holds caseworker elsewhere
    response = client.get(reverse("web:home"))
    assert response.status_code == 302 and response.url == SETUP


def test_set_up_logout_and_language_stay_reachable(client, world):
    force(client, world.user("owner", "admin"))
    response = client.post(reverse("set_language"), {"language": "en", "next": SETUP})
    assert response.status_code == 302 and response.url == SETUP
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_after_confirming_set_up_the_user_gets_in(client, world):
    user = world.user("owner", "admin")
    force(client, user)
    client.get(SETUP)
    secret = client.session[security.SETUP_KEY]
    response = client.post(SETUP, {"code": totp(secret)})
    assert response.status_code == 200 and response.content.decode().count("<code>") == 10
    assert client.get(reverse("web:home")).status_code == 200


def test_htmx_requests_get_a_client_side_redirect(client, world):
    force(client, world.user("owner", "admin"))
    response = client.get(reverse("web:home"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == SETUP


def test_conftest_login_enrols_through_the_service_and_marks_the_session(client, world):
    user = world.user("owner", "admin")
    assert not user.has_two_factor
    login(client, user, world.orgs["owner"])
    user.refresh_from_db()
    assert user.has_two_factor and user.recovery_codes.count() == 10
    assert client.session[security.VERIFIED_KEY] == user.pk
    assert client.get(reverse("web:home")).status_code == 200


def test_api_token_requests_are_not_affected(client, world):
    user = world.user("owner", "admin")  # no 2FA
    membership = world.membership("owner", "admin")
    _token, key = tokens.token_create(
        actor=Actor(user=user, membership=membership), membership=membership, name="t"
    )
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200, response.content
    assert response.json()["via_token"] is True
    # Even with the (unenrolled) user's session cookie present, the token decides.
    force(client, user)
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200


def test_a_session_without_2fa_gets_a_json_403_from_the_api(client, world):
    force(client, world.user("owner", "admin"))
    response = client.get("/api/v1/me")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_an_authorization_header_does_not_open_web_pages(client, world):
    force(client, world.user("owner", "admin"))
    response = client.get(reverse("web:home"), HTTP_AUTHORIZATION="Bearer ins_nonsense")
    assert response.status_code == 302 and response.url == SETUP
