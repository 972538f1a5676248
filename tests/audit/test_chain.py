"""The audit chain: every service call is logged with secrets masked; tampering is found by `audit verify`."""

from __future__ import annotations

import datetime
import inspect
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from insats.accounts import services
from insats.accounts.models import Invitation, Membership, Organisation, Partnership, User
from insats.audit.models import AppendOnlyError, AuditEntry
from insats.audit.services import MASK, log_action, verify_chain
from tests.conftest import org_number

TABLE = AuditEntry._meta.db_table


def last(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("seq")


# --- every workflow in accounts.services writes its entry ----------------------------------------------

# Service → the actions it must append (in order).
EXPECTED = {
    "organisation_create": ["accounts.organisation.created"],
    "organisation_update": ["accounts.organisation.changed"],
    "membership_add": ["accounts.membership.added"],
    "membership_remove": ["accounts.membership.removed"],
    "invitation_create": ["accounts.invitation.sent"],
    "invitation_accept": ["accounts.user.created", "accounts.membership.added"],
    "invitation_revoke": ["accounts.invitation.revoked"],
    "partnership_create": ["accounts.partnership.created", "accounts.partnership.level_changed"],
    "partnership_set_level": ["accounts.partnership.level_changed"],
    "partnership_end": ["accounts.partnership.ended"],
    "federation_set_member": ["accounts.federation.member_set"],
    "body_create": ["accounts.body.created"],
    "seat_add": ["accounts.seat.added"],
    "seat_end": ["accounts.seat.ended"],
    "share_grant": ["accounts.share.granted"],
    "share_revoke": ["accounts.share.revoked"],
}
# Reads, an e-mail, and the sharing primitives that audit under their caller's action (the
# generic share_grant/share_revoke above; tests/interventions/test_sharing.py checks the callers').
NOT_WORKFLOWS = {"invitation_for_token", "active_shares", "share_notify", "share_create", "share_end"}


def test_every_accounts_workflow_is_listed_here():
    workflows = {
        name
        for name, fn in inspect.getmembers(services, inspect.isfunction)
        if fn.__module__ == services.__name__ and not name.startswith("_")
    } - NOT_WORKFLOWS
    assert workflows == set(EXPECTED), "update EXPECTED for new or removed services"


@pytest.mark.django_db
def test_every_workflow_appends_its_entries_with_actor_and_organisation():
    def run(service, **kwargs):
        before = AuditEntry.objects.count()
        result = getattr(services, service)(**kwargs)
        new = list(AuditEntry.objects.filter(seq__gt=before).order_by("seq"))
        assert [e.action for e in new] == EXPECTED[service], service
        return result, new

    boss = User.objects.create_user("boss@test.se", "x-Lösenord-123", full_name="Bo Ss")
    org, _ = run(
        "organisation_create",
        actor=boss,
        name="Ystads kommun",
        org_number=org_number(1),
        kind="kommun",
        area_code="1286",
    )
    assert isinstance(org, Organisation)
    other, _ = run(
        "organisation_create", actor=boss, name="Förening", org_number=org_number(2), kind="ideburen"
    )
    fed, _ = run(
        "organisation_create",
        actor=boss,
        name="Förbundet",
        org_number=org_number(3),
        kind="samordningsforbund",
    )
    _, new = run("organisation_update", actor=boss, organisation=org, description="Skåne")
    assert new[0].changes == {"description": ["", "Skåne"]}
    assert new[0].actor == boss and new[0].organisation == org
    m, new = run("membership_add", actor=boss, user=boss, organisation=org, role="admin")
    assert new[0].changes == {"user": "boss@test.se", "role": "admin"}
    helper = User.objects.create_user("hj@test.se", "x-Lösenord-123", full_name="Hj Älp")
    m2, _ = run("membership_add", actor=boss, user=helper, organisation=org, role="viewer")
    run("membership_remove", actor=boss, membership=m2)
    (inv, token), new = run(
        "invitation_create",
        actor=boss,
        organisation=org,
        email="Ny@Test.se",
        role="analyst",
        base_url="http://x/",
    )
    assert new[0].changes == {"email": "ny@test.se", "role": "analyst"}
    _, new = run("invitation_accept", invitation=inv, full_name="Ny Person", password="Hemligt-lösen-99")
    assert "Hemligt-lösen-99" not in str([e.changes for e in new]) and token not in str(
        [e.changes for e in new]
    )
    (inv2, _), _ = run("invitation_create", actor=boss, organisation=org, email="b@test.se", role="viewer")
    run("invitation_revoke", actor=boss, invitation=inv2)
    p, new = run(
        "partnership_create",
        actor=boss,
        organisation=org,
        partner=other,
        level=2,
        valid_from=datetime.date(2025, 1, 1),
    )
    assert new[1].changes["level"] == [None, 2]
    _, new = run(
        "partnership_set_level", actor=boss, partnership=p, level=4, valid_from=datetime.date(2026, 1, 1)
    )
    assert new[0].changes["level"] == [2, 4]
    run("partnership_end", actor=boss, partnership=p, ended_on=datetime.date(2026, 6, 30))
    _, new = run(
        "federation_set_member", actor=boss, federation=fed, member=org, financing_share=Decimal("40")
    )
    assert new[0].changes["financing_share"] == [None, "40"] and new[0].organisation == fed
    body, _ = run("body_create", actor=boss, organisation=org, kind="styrgrupp", name="Styrgruppen")
    seat, _ = run(
        "seat_add",
        actor=boss,
        body=body,
        person_name="Anna",
        represents=org,
        role="official",
        term_start=datetime.date(2026, 1, 1),
    )
    run("seat_end", actor=boss, seat=seat, term_end=datetime.date(2026, 12, 31))
    share, new = run("share_grant", actor=boss, owner=org, obj=body, organisation=other, purpose="styrgrupp")
    assert (
        new[0].changes == {"shared_with": "Förening", "purpose": "styrgrupp"} and new[0].organisation == org
    )
    _, new = run("share_revoke", actor=boss, share=share)
    assert new[0].object_id == str(body.pk) and new[0].organisation == org
    assert isinstance(inv, Invitation) and isinstance(m, Membership) and isinstance(p, Partnership)
    assert verify_chain().ok


@pytest.mark.django_db
def test_secrets_are_masked_at_any_depth_and_the_hash_covers_the_masked_form():
    entry = log_action(
        "test.secrets",
        changes={
            "password": "hunter22",
            "api_token": "ins_abc",
            "name": "Synligt",
            "nested": {"totp_secret": "JBSWY3DP", "recovery_codes": ["a", "b"], "level": 3},
            "amount": Decimal("12.50"),
            "day": datetime.date(2026, 1, 2),
        },
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.changes == {
        "password": MASK,
        "api_token": MASK,
        "name": "Synligt",
        "nested": {"totp_secret": MASK, "recovery_codes": MASK, "level": 3},
        "amount": "12.50",
        "day": "2026-01-02",
    }
    assert stored.compute_hash() == stored.entry_hash
    for secret in ("hunter22", "ins_abc", "JBSWY3DP"):
        assert secret not in str(stored.changes)


@pytest.mark.django_db
def test_the_orm_refuses_to_change_or_delete_entries():
    entry = log_action("test.one")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


# --- tampering with raw SQL is found, naming the first broken entry ----------------------------------------


@pytest.fixture
def chain(db):
    """Five entries, seq 1..5, on a fresh chain."""
    assert AuditEntry.objects.count() == 0
    entries = [log_action(f"test.step{i}", changes={"i": i}) for i in range(1, 6)]
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    call_command("audit", "verify")  # intact to begin with
    return entries


def verify_fails_at(seq: int) -> str:
    with pytest.raises(CommandError) as info:
        call_command("audit", "verify")
    message = str(info.value)
    assert f"entry {seq}:" in message, message
    return message


def test_verify_reports_ok_with_the_count(chain, capsys):
    call_command("audit", "verify")
    assert "5 entries verified" in capsys.readouterr().out


def test_raw_update_of_changes_is_found(chain):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET changes = %s WHERE seq = %s", ['{"i": 99}', 3])
    message = verify_fails_at(3)
    assert "content does not match" in message and "2 entries verified" in message


def test_raw_update_that_also_recomputes_the_hash_breaks_the_next_link(chain):
    tampered = AuditEntry.objects.get(seq=3)
    tampered.changes = {"i": 99}
    new_hash = tampered.compute_hash()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET changes = %s, entry_hash = %s WHERE seq = %s", ['{"i": 99}', new_hash, 3]
        )
    assert "previous-hash link" in verify_fails_at(4)


def test_raw_delete_of_a_middle_row_is_found(chain):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq = %s", [2])
    assert "missing" in verify_fails_at(2)


def test_raw_delete_of_the_last_row_is_found(chain):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq = %s", [5])
    assert "chain head" in verify_fails_at(5)


def test_raw_delete_of_the_first_row_is_found(chain):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq = %s", [1])
    verify_fails_at(1)
