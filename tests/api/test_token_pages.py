"""The token pages: reachable from the profile, secret shown once, list, revoke with confirmation."""

from __future__ import annotations

import hashlib

from insats.accounts.models import ApiToken
from tests.conftest import login

from .conftest import bearer, make_token

TOKENS = "/konto/api-nycklar/"


def revoke_url(token) -> str:
    return f"/konto/api-nycklar/{token.pk}/aterkalla/"


def test_the_profile_links_to_the_token_page(world, client):
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    assert f'href="{TOKENS}"' in client.get("/konto/profil/").content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(db, client):
    response = client.get(TOKENS)
    assert response.status_code == 302 and response["Location"].startswith("/konto/logga-in/")


def test_creating_shows_the_secret_once_and_stores_its_hash(world, client):
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    response = client.post(TOKENS, {"name": "Power BI"})
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    key = response.context["key"]
    html = response.content.decode()
    assert key in html and key.startswith("ins_")
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.membership == world.membership("owner", "analyst")  # the active membership by default
    listing = client.get(TOKENS).content.decode()
    assert "Power BI" in listing and token.prefix in listing and key not in listing
    assert client.get("/api/v1/me", **bearer(key)).json()["role"] == "analyst"


def test_a_token_can_act_as_another_of_the_users_memberships(world, client):
    from insats.accounts import services

    user = world.user("owner", "viewer")
    other = services.membership_add(actor=None, user=user, organisation=world.orgs["partner"], role="analyst")
    login(client, user, world.orgs["owner"])
    response = client.post(TOKENS, {"name": "RISE", "membership": other.pk})
    assert response.status_code == 201
    assert ApiToken.objects.get().membership == other


def test_it_refuses_someone_elses_membership(world, client):
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    response = client.post(TOKENS, {"name": "x", "membership": world.membership("owner", "admin").pk})
    assert response.status_code == 200
    assert "membership" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_it_requires_a_name(world, client):
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    response = client.post(TOKENS, {"name": ""})
    assert response.status_code == 200 and "name" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_the_list_shows_only_the_users_own_tokens(world, client):
    make_token(world.membership("owner", "admin"), "Adminens nyckel")
    make_token(world.membership("owner", "viewer"), "Min nyckel")
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    html = client.get(TOKENS).content.decode()
    assert "Min nyckel" in html and "Adminens nyckel" not in html


def test_revoking_asks_first_then_revokes(world, client):
    m = world.membership("owner", "viewer")
    key = make_token(m, "Skript")
    token = ApiToken.objects.get()
    login(client, m.user, world.orgs["owner"])
    confirm = client.get(revoke_url(token))
    assert confirm.status_code == 200 and '<form method="post">' in confirm.content.decode()
    assert ApiToken.objects.get().revoked_at is None
    done = client.post(revoke_url(token))
    assert done.status_code == 302 and done["Location"] == TOKENS
    assert ApiToken.objects.get().revoked_at is not None
    assert client.get("/api/v1/me", **bearer(key)).status_code == 401


def test_nobody_else_can_revoke_a_token(world, client):
    key = make_token(world.membership("owner", "viewer"))
    token = ApiToken.objects.get()
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    assert client.get(revoke_url(token)).status_code == 404
    assert client.post(revoke_url(token)).status_code == 404
    assert ApiToken.objects.get().revoked_at is None
    assert client.get("/api/v1/me", **bearer(key)).status_code == 200
