"""Helpers for the API tests: real tokens made by the token service, and JSON requests."""

from __future__ import annotations

import json

import pytest

from insats.accounts import access, tokens


def make_token(membership, name: str = "test") -> str:
    """A personal token acting as ``membership``; returns the secret."""
    actor = access.Actor(user=membership.user, membership=membership)
    _, key = tokens.token_create(actor=actor, membership=membership, name=name)
    return key


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


class Api:
    """A test client speaking JSON with one token."""

    def __init__(self, client, key: str | None):
        self.client = client
        self.headers = bearer(key) if key else {}

    def get(self, path: str, **params):
        return self.client.get(path, params, **self.headers)

    def post(self, path: str, body):
        data = body if isinstance(body, str) else json.dumps(body)
        return self.client.post(path, data=data, content_type="application/json", **self.headers)


@pytest.fixture
def api_as(world, client):
    """``api_as("owner", "admin")``: an :class:`Api` with a fresh token of that membership."""

    def make(org: str, role: str) -> Api:
        return Api(client, make_token(world.membership(org, role)))

    return make
