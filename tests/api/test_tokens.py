"""The token service: stored hashed, scoped to one membership, audited without the secret."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insats.accounts import access, services, tokens
from insats.accounts.models import ApiToken
from insats.audit.models import AuditEntry

from .conftest import make_token


def actor_of(membership):
    return access.Actor(user=membership.user, membership=membership)


def test_it_stores_only_the_sha256_of_the_secret(world):
    m = world.membership("owner", "analyst")
    token, key = tokens.token_create(actor=actor_of(m), membership=m, name="Power BI")
    row = ApiToken.objects.get(pk=token.pk)
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert row.prefix == key[:12] and key.startswith("ins_")
    # The secret itself is in no column of the row.
    assert all(key not in str(getattr(row, f.attname)) for f in ApiToken._meta.concrete_fields)
    assert len(key) >= 40


def test_each_token_has_its_own_secret(world):
    m = world.membership("owner", "analyst")
    keys = {make_token(m, f"t{i}") for i in range(5)}
    assert len(keys) == 5


def test_creation_and_revocation_are_audited_without_the_secret(world):
    m = world.membership("owner", "analyst")
    token, key = tokens.token_create(actor=actor_of(m), membership=m, name="Skript")
    tokens.token_revoke(actor=actor_of(m), token=token)
    entries = list(AuditEntry.objects.filter(action__startswith="api.token.").order_by("seq"))
    assert [e.action for e in entries] == ["api.token.created", "api.token.revoked"]
    for e in entries:
        assert e.actor_id == m.user_id
        assert e.organisation_id == world.orgs["owner"].pk
        assert e.object_id == str(token.pk)
        dumped = json.dumps(e.changes) + e.object_label
        assert key not in dumped and key[12:] not in dumped and token.key_hash not in dumped
    assert entries[0].changes["name"] == "Skript"
    assert entries[0].changes["prefix"] == key[:12]


def test_revoking_twice_logs_once(world):
    m = world.membership("owner", "analyst")
    token, _ = tokens.token_create(actor=actor_of(m), membership=m, name="x")
    tokens.token_revoke(actor=actor_of(m), token=token)
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    tokens.token_revoke(actor=actor_of(m), token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first
    assert AuditEntry.objects.filter(action="api.token.revoked").count() == 1


def test_it_refuses_a_membership_of_someone_else(world):
    mine = world.membership("owner", "admin")
    theirs = world.membership("owner", "viewer")
    with pytest.raises(PermissionDenied):
        tokens.token_create(actor=actor_of(mine), membership=theirs, name="steal")
    assert not ApiToken.objects.exists()


def test_it_refuses_revoking_someone_elses_token(world):
    owner_m = world.membership("owner", "analyst")
    token, _ = tokens.token_create(actor=actor_of(owner_m), membership=owner_m, name="x")
    other = world.membership("owner", "admin")
    with pytest.raises(PermissionDenied):
        tokens.token_revoke(actor=actor_of(other), token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_it_needs_a_name_and_a_membership(world):
    m = world.membership("owner", "analyst")
    with pytest.raises(ValidationError) as exc:
        tokens.token_create(actor=actor_of(m), membership=m, name="   ")
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        tokens.token_create(actor=actor_of(m), membership=None, name="x")
    assert "membership" in exc.value.message_dict


def test_it_caps_active_tokens_per_user(world, monkeypatch):
    monkeypatch.setattr(tokens, "MAX_TOKENS_PER_USER", 2)
    m = world.membership("owner", "analyst")
    first, _ = tokens.token_create(actor=actor_of(m), membership=m, name="1")
    tokens.token_create(actor=actor_of(m), membership=m, name="2")
    with pytest.raises(ValidationError):
        tokens.token_create(actor=actor_of(m), membership=m, name="3")
    tokens.token_revoke(actor=actor_of(m), token=first)
    tokens.token_create(actor=actor_of(m), membership=m, name="3")  # a revoked one frees a place


# --- authenticate ---------------------------------------------------------------------------------


def test_a_valid_secret_acts_as_its_membership(world):
    m = world.membership("partner", "evaluator")
    actor = tokens.authenticate(make_token(m))
    assert actor is not None and actor.via_token
    assert actor.user.pk == m.user_id
    assert actor.membership.pk == m.pk
    assert actor.organisation_id == world.orgs["partner"].pk and actor.role == "evaluator"


def test_a_user_with_two_memberships_gets_exactly_the_tokens_one(world):
    user = world.user("owner", "viewer")
    extra = services.membership_add(actor=None, user=user, organisation=world.orgs["unrelated"], role="admin")
    actor = tokens.authenticate(make_token(world.membership("owner", "viewer")))
    assert (actor.organisation_id, actor.role) == (world.orgs["owner"].pk, "viewer")
    actor = tokens.authenticate(make_token(extra))
    assert (actor.organisation_id, actor.role) == (world.orgs["unrelated"].pk, "admin")


def test_unknown_malformed_and_revoked_secrets_fail(world):
    m = world.membership("owner", "analyst")
    token, key = tokens.token_create(actor=actor_of(m), membership=m, name="x")
    assert tokens.authenticate(key[:-1]) is None
    assert tokens.authenticate(key + "x") is None
    assert tokens.authenticate("") is None
    assert tokens.authenticate(token.key_hash) is None  # the stored hash is not a secret
    tokens.token_revoke(actor=actor_of(m), token=token)
    assert tokens.authenticate(key) is None


def test_tokens_stop_working_when_the_user_is_deactivated(world):
    m = world.membership("owner", "analyst")
    key = make_token(m)
    m.user.is_active = False
    m.user.save()
    assert tokens.authenticate(key) is None


def test_tokens_stop_working_when_the_membership_is_removed(world):
    m = world.membership("owner", "analyst")
    key = make_token(m)
    services.membership_remove(actor=None, membership=m)
    assert tokens.authenticate(key) is None


def test_use_records_last_used_at_at_most_once_a_minute(world):
    m = world.membership("owner", "analyst")
    token, key = tokens.token_create(actor=actor_of(m), membership=m, name="x")
    assert token.last_used_at is None
    before = timezone.now()
    tokens.authenticate(key)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None and first >= before
    tokens.authenticate(key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    tokens.authenticate(key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first - timedelta(minutes=2)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    guess=st.one_of(
        st.text(max_size=60),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC-_0123456789", min_size=40, max_size=40).map(
            lambda s: "ins_" + s
        ),
    )
)
def test_no_other_string_authenticates(world, guess):
    m = world.membership("owner", "analyst")
    if not ApiToken.objects.filter(membership=m, name="prop").exists():
        make_token(m, "prop")
    real = ApiToken.objects.get(membership=m, name="prop")
    actor = tokens.authenticate(guess)
    if ApiToken.hash(guess) == real.key_hash:  # pragma: no cover - a 2**-240 chance
        assert actor is not None
    else:
        assert actor is None
