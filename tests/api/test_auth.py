"""Authentication: bearer tokens, the browser session with CSRF, and what fails with 401."""

from __future__ import annotations

import json

from django.test import Client

from insats.accounts import access, services, tokens
from tests.conftest import ROLES, login

from .conftest import Api, bearer, make_token

ME = "/api/v1/me"


def test_a_token_authenticates_and_acts_as_its_membership(world, client):
    m = world.membership("partner", "evaluator")
    response = client.get(ME, **bearer(make_token(m)))
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == "evaluator@partner.test"
    assert body["organisation"] == {"id": world.orgs["partner"].pk, "name": world.orgs["partner"].name}
    assert body["role"] == "evaluator" and body["via_token"] is True


def test_without_credentials_it_answers_401_with_a_bearer_challenge(db, client):
    response = client.get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "unauthenticated"


def test_unknown_token_fails(world, client):
    make_token(world.membership("owner", "admin"))
    response = client.get(ME, **bearer("ins_" + "A" * 40))
    assert response.status_code == 401


def test_revoked_token_fails(world, client):
    m = world.membership("owner", "admin")
    key = make_token(m)
    assert client.get(ME, **bearer(key)).status_code == 200
    token = tokens.tokens_of(access.Actor(user=m.user, membership=m)).get()
    tokens.token_revoke(actor=access.Actor(user=m.user, membership=m), token=token)
    assert client.get(ME, **bearer(key)).status_code == 401


def test_token_of_a_removed_membership_fails(world, client):
    m = world.membership("owner", "analyst")
    key = make_token(m)
    services.membership_remove(actor=None, membership=m)
    assert client.get(ME, **bearer(key)).status_code == 401


def test_token_of_an_inactive_user_fails(world, client):
    m = world.membership("owner", "analyst")
    key = make_token(m)
    m.user.is_active = False
    m.user.save()
    assert client.get(ME, **bearer(key)).status_code == 401


def test_other_schemes_and_malformed_headers_fail(world, client):
    key = make_token(world.membership("owner", "admin"))
    for header in (f"Basic {key}", f"Token {key}", key, "Bearer", "Bearer "):
        assert client.get(ME, HTTP_AUTHORIZATION=header).status_code == 401, header


def test_a_token_does_not_carry_the_users_other_memberships(world, client):
    """The viewer of owner is also admin of unrelated; a token for the viewer role is only a viewer."""
    user = world.user("owner", "viewer")
    services.membership_add(actor=None, user=user, organisation=world.orgs["unrelated"], role="admin")
    viewer = Api(client, make_token(world.membership("owner", "viewer")))
    assert viewer.get("/api/v1/memberships").status_code == 403
    assert viewer.get(ME).json()["organisation"]["id"] == world.orgs["owner"].pk
    admin_elsewhere = Api(client, make_token(user.memberships.get(organisation=world.orgs["unrelated"])))
    listed = admin_elsewhere.get("/api/v1/memberships").json()["items"]
    assert {row["user"]["email"] for row in listed} == {f"{r}@unrelated.test" for r in ROLES} | {
        "viewer@owner.test"
    }


# --- the session ----------------------------------------------------------------------------------


def test_the_browser_session_is_accepted_for_reading(world, client):
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json()["via_token"] is False and response.json()["role"] == "analyst"


def test_session_writes_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    partnership = world.orgs["owner"].partnerships.get()
    url = f"/api/v1/partnerships/{partnership.pk}/levels"
    body = json.dumps({"level": 2, "valid_from": "2025-03-01"})
    refused = client.post(url, data=body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert partnership.levels.count() == 1
    # The token a same-origin page has (from any form on our pages) is accepted.
    page = client.get("/konto/api-nycklar/")
    csrf = page.context["csrf_token"]
    accepted = client.post(url, data=body, content_type="application/json", HTTP_X_CSRFTOKEN=str(csrf))
    assert accepted.status_code == 201, accepted.content
    assert partnership.levels.count() == 2


def test_a_token_needs_no_csrf(world):
    client = Client(enforce_csrf_checks=True)
    partnership = world.orgs["owner"].partnerships.get()
    response = client.post(
        f"/api/v1/partnerships/{partnership.pk}/levels",
        data=json.dumps({"level": 2, "valid_from": "2025-03-01"}),
        content_type="application/json",
        **bearer(make_token(world.membership("owner", "admin"))),
    )
    assert response.status_code == 201


def test_the_token_wins_over_the_session(world, client):
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    response = client.get(ME, **bearer(make_token(world.membership("unrelated", "viewer"))))
    assert response.json()["user"]["email"] == "viewer@unrelated.test"


def test_a_bad_token_is_not_rescued_by_the_session(world, client):
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    assert client.get(ME, **bearer("ins_wrong")).status_code == 401


def test_a_secret_sent_with_the_wrong_scheme_is_not_logged(world, client, settings, caplog):
    settings.DEBUG = True
    key = make_token(world.membership("owner", "admin"))
    with caplog.at_level("DEBUG"):
        assert client.get(ME, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert key not in caplog.text
