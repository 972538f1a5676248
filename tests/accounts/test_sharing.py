"""Explicit sharing: an object shared with a named organisation for a named purpose, revocable, audited."""

import pytest
from django.urls import reverse

from insats.accounts import services
from insats.accounts.models import Share
from insats.audit.models import AuditEntry
from tests.conftest import login


@pytest.fixture
def body(world):
    return services.body_create(
        actor=None, organisation=world.orgs["owner"], kind="styrgrupp", name="Styrgrupp NOVA"
    )


def share_url(body):
    return reverse("accounts:shares", args=["accounts.governancebody", body.pk])


@pytest.mark.django_db
def test_analyst_shares_a_body_and_the_named_organisation_sees_it(client, world, body):
    outsider = world.user("unrelated", "viewer")
    login(client, outsider, world.orgs["unrelated"])
    assert client.get(reverse("accounts:body", args=[body.pk])).status_code == 404

    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    response = client.post(
        share_url(body), {"organisation": world.orgs["unrelated"].pk, "purpose": "ny utförare"}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="accounts.share.granted").get()
    assert entry.changes == {"shared_with": "Familjeforum i Lund AB", "purpose": "ny utförare"}
    assert entry.object_id == str(body.pk)

    login(client, outsider, world.orgs["unrelated"])
    assert client.get(reverse("accounts:body", args=[body.pk])).status_code == 200
    # The partner was not named, so it still sees nothing.
    login(client, world.user("partner", "viewer"), world.orgs["partner"])
    assert client.get(reverse("accounts:body", args=[body.pk])).status_code == 404


@pytest.mark.django_db
def test_revoking_a_share_hides_the_object_again(client, world, body):
    share = services.share_grant(
        actor=None,
        owner=world.orgs["owner"],
        obj=body,
        organisation=world.orgs["unrelated"],
        purpose="granskning",
    )
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    assert client.post(reverse("accounts:share_revoke", args=[share.pk])).status_code == 302
    share.refresh_from_db()
    assert share.revoked_at is not None
    assert AuditEntry.objects.filter(action="accounts.share.revoked").count() == 1
    login(client, world.user("unrelated", "admin"), world.orgs["unrelated"])
    assert client.get(reverse("accounts:body", args=[body.pk])).status_code == 404


@pytest.mark.django_db
def test_the_receiver_cannot_revoke_or_reshare(client, world, body):
    share = services.share_grant(
        actor=None,
        owner=world.orgs["owner"],
        obj=body,
        organisation=world.orgs["unrelated"],
        purpose="granskning",
    )
    login(client, world.user("unrelated", "admin"), world.orgs["unrelated"])
    assert client.post(reverse("accounts:share_revoke", args=[share.pk])).status_code in (403, 404)
    assert client.get(share_url(body)).status_code in (403, 404)
    assert Share.objects.get(pk=share.pk).revoked_at is None


@pytest.mark.django_db
def test_sharing_twice_or_without_purpose_names_the_field_and_saves_nothing(client, world, body):
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    first = client.post(share_url(body), {"organisation": world.orgs["partner"].pk, "purpose": "styrgrupp"})
    assert first.status_code == 302
    again = client.post(share_url(body), {"organisation": world.orgs["partner"].pk, "purpose": "igen"})
    assert again.status_code == 200
    assert "redan delat med RISE" in again.content.decode()
    empty = client.post(share_url(body), {"organisation": world.orgs["unrelated"].pk, "purpose": ""})
    assert "purpose" in empty.context["form"].errors
    assert Share.objects.count() == 1


@pytest.mark.django_db
def test_only_shareable_kinds_of_object_can_be_shared(client, world):
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    url = reverse("accounts:shares", args=["accounts.membership", world.membership("owner", "viewer").pk])
    assert client.get(url).status_code == 404
