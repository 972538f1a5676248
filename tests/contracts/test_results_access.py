"""The results/payments matrix entries (tests/matrix/contracts_results.py), walked here for this area
alone: every role of the commissioner (own), the validator (partner) and an unrelated organisation
against every page and API operation C3 added. Let in → an OK status; refused → 403/404 (API also
401); the unrelated organisation never gets in. (The project-wide matrix runs the same entries.)"""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.conftest import ROLES, login
from tests.matrix.contracts_results import ENTRIES

pytestmark = pytest.mark.django_db

COLUMNS = {"owner": "own", "partner": "partner", "unrelated": "unrelated"}


def _url(key: str, kwargs: dict) -> str:
    name = key.split("#", 1)[0]
    if name.startswith("api:"):
        path = name.split(" ", 1)[1]
        for k, v in kwargs.items():
            path = path.replace("{" + k + "}", str(v))
        return path
    return reverse(name, kwargs=kwargs)


def _token(user, membership) -> str:
    from insats.accounts import access, tokens

    _, key = tokens.token_create(
        actor=access.Actor(user=user, membership=membership), membership=membership, name="t"
    )
    return key


def test_every_entry(world):
    """One world for all entries (each request rolled back) keeps this fast."""
    from tests.test_permission_matrix import enrol_second_factor

    enrol_second_factor(world.users.values())
    failures = []
    for key in sorted(ENTRIES):
        try:
            check_entry(world, key)
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n\n".join(failures)


def check_entry(world, key):
    entry = ENTRIES[key]
    kwargs, data = dict(entry.kwargs(world)), dict(entry.data(world))
    url = _url(key, kwargs)
    api = key.startswith("api:")
    problems = []
    for org, column in COLUMNS.items():
        allowed = getattr(entry, column)
        for role in ROLES:
            user = world.user(org, role)
            client = Client()
            headers = {}
            if api:
                headers = {"HTTP_AUTHORIZATION": f"Bearer {_token(user, world.membership(org, role))}"}
            else:
                login(client, user, world.orgs[org])
            sid = transaction.savepoint()
            try:
                if entry.method == "POST":
                    if api:
                        r = client.post(
                            url, data=json.dumps(data), content_type="application/json", **headers
                        )
                    else:
                        r = client.post(url, data=data)
                else:
                    r = client.get(url, **headers)
            finally:
                transaction.savepoint_rollback(sid)
            ok = r.status_code in entry.ok_statuses
            refused = r.status_code in ({401, 403, 404} if api else {403, 404})
            if role in allowed and not ok:
                problems.append(f"{role}@{org}: expected in, got {r.status_code}")
            if role not in allowed and not refused:
                problems.append(f"{role}@{org}: expected refused, got {r.status_code}")
    anon = Client().post(url) if entry.method == "POST" else Client().get(url)
    if api:
        assert anon.status_code == 401, key
    else:
        assert anon.status_code == 302 and "logga-in" in anon["Location"], key
    assert not problems, f"{key} {url}:\n" + "\n".join(problems)
