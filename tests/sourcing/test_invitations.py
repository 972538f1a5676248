"""Invitations to an RFI by e-mail (issue 10 item 1) and the Samverkan start page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from insats.accounts.access import Actor
from insats.accounts.services import active_shares
from insats.audit.models import AuditEntry
from insats.sourcing.invitations import registry, services
from insats.sourcing.invitations.models import ProcessInvitation
from insats.sourcing.rfi.models import Rfi, RfiResponse
from tests.conftest import login


def _officer(world):
    return Actor(user=world.user("owner", "procurement"), membership=world.membership("owner", "procurement"))


def _rfi(world, **extra) -> Rfi:
    return Rfi.objects.create(
        organisation=world.orgs["owner"], title="Trygga vuxna 6–10 år", status="published", **extra
    )


def _invite(world, rfi, **kwargs):
    return services.invitation_create(actor=_officer(world), kind="rfi", obj=rfi, **kwargs)


def test_registry_skips_kinds_whose_model_is_missing():
    assert registry.get("rfi").model is Rfi
    assert registry.get("nonsense") is None
    for key in ("grant", "iop"):
        entry = registry.KINDS[key]
        assert (registry.get(key) is None) == (entry.model is None)


@pytest.mark.django_db(transaction=True)
def test_create_page_sends_one_mail_per_address_and_notifies_an_existing_organisations_admins(client, world):
    rfi = _rfi(world)
    login(client, world.user("owner", "procurement"), world.orgs["owner"])
    url = reverse("sourcing:invitation_create", kwargs={"kind": "rfi", "pk": rfi.pk})
    response = client.post(
        url,
        {"organisations": [world.orgs["unrelated"].pk], "emails": "a@forening.example\n\nB@Forening.example"},
    )
    assert response.status_code == 302
    invitations = ProcessInvitation.objects.filter(object_id=str(rfi.pk))
    assert invitations.count() == 3
    assert {i.email for i in invitations if not i.invited_organisation_id} == {
        "a@forening.example",
        "b@forening.example",
    }
    to = sorted(tuple(m.to) for m in mail.outbox)
    assert ("a@forening.example",) in to and ("b@forening.example",) in to
    assert (world.user("unrelated", "admin").email,) in to  # the organisation's only admin
    link_mail = next(m for m in mail.outbox if m.to == ["a@forening.example"])
    assert "/samverkan/inbjudan/" in link_mail.body and rfi.title in link_mail.body
    assert AuditEntry.objects.filter(action="sourcing.invitation.sent").count() == 3
    page = client.get(url).content.decode()
    assert "a@forening.example" in page and "Öppen" in page


@pytest.mark.django_db
def test_a_bad_address_is_named_by_line_and_nothing_is_sent(client, world):
    rfi = _rfi(world)
    login(client, world.user("owner", "procurement"), world.orgs["owner"])
    url = reverse("sourcing:invitation_create", kwargs={"kind": "rfi", "pk": rfi.pk})
    response = client.post(url, {"emails": "ok@forening.example\ninte-en-adress"})
    assert response.status_code == 200
    assert "Rad 2" in response.content.decode() and "inte-en-adress" in response.content.decode()
    assert not ProcessInvitation.objects.exists()


@pytest.mark.django_db
def test_accept_when_logged_in_shares_the_rfi_and_redirects(client, world):
    rfi = _rfi(world)
    [(invitation, token)] = _invite(world, rfi, emails=["x@familjeforum.example"])
    login(client, world.user("unrelated", "analyst"), world.orgs["unrelated"])
    url = reverse("sourcing:invitation_accept", kwargs={"token": token})
    assert client.get(url).status_code == 200
    assert not active_shares(rfi).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == registry.get("rfi").detail_link(rfi)
    share = active_shares(rfi).get()
    assert share.organisation == world.orgs["unrelated"] and share.purpose == "Inbjuden till marknadsdialog"
    invitation.refresh_from_db()
    assert invitation.accepted_by_organisation == world.orgs["unrelated"] and invitation.status == "accepted"
    # Used up: another organisation's member cannot use the same link.
    login(client, world.user("partner", "admin"), world.orgs["partner"])
    assert client.post(url).status_code == 410
    assert active_shares(rfi).count() == 1


@pytest.mark.django_db
def test_an_invitation_to_a_named_organisation_is_for_that_organisation_only(client, world):
    rfi = _rfi(world)
    [(invitation, token)] = _invite(world, rfi, organisations=[world.orgs["unrelated"]])
    login(client, world.user("partner", "admin"), world.orgs["partner"])
    url = reverse("sourcing:invitation_accept", kwargs={"token": token})
    response = client.post(url, follow=True)
    assert "Inbjudan gäller Familjeforum i Lund AB" in response.content.decode()
    assert not active_shares(rfi).exists()


@pytest.mark.django_db
def test_anonymous_visitor_is_offered_login_or_registration_that_remembers_the_inviter(client, world):
    rfi = _rfi(world)
    [(_, token)] = _invite(world, rfi, emails=["ny@forening.example"])
    url = reverse("sourcing:invitation_accept", kwargs={"token": token})
    page = client.get(url).content.decode()
    assert "/konto/registrera/?next=" in page and "/konto/logga-in/?next=" in page
    register = client.get(reverse("accounts:register_organisation"), {"next": url}).content.decode()
    assert "via en inbjudan från Tomelilla kommun" in register


@pytest.mark.django_db
def test_expired_and_revoked_invitations_cannot_be_accepted(client, world):
    rfi = _rfi(world)
    [(expired, t1), (revoked, t2)] = _invite(world, rfi, emails=["a@x.example", "b@x.example"])
    ProcessInvitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    services.invitation_revoke(actor=_officer(world), invitation=revoked)
    login(client, world.user("unrelated", "admin"), world.orgs["unrelated"])
    for token, word in ((t1, "Utgången"), (t2, "Återkallad")):
        response = client.post(reverse("sourcing:invitation_accept", kwargs={"token": token}))
        assert response.status_code == 410 and word in response.content.decode()
    assert not active_shares(rfi).exists()
    assert client.get(reverse("sourcing:invitation_accept", kwargs={"token": "okand"})).status_code == 404


@pytest.mark.django_db
def test_revoke_asks_first_then_revokes_and_audits(client, world):
    rfi = _rfi(world)
    [(invitation, _)] = _invite(world, rfi, emails=["a@x.example"])
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    url = reverse("sourcing:invitation_revoke", kwargs={"pk": invitation.pk})
    assert "Återkalla inbjudan" in client.get(url).content.decode()
    invitation.refresh_from_db()
    assert invitation.is_open
    assert client.post(url).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    assert AuditEntry.objects.filter(action="sourcing.invitation.revoked").count() == 1
    # A second revoke is refused with a message and changes nothing.
    client.post(url)
    assert AuditEntry.objects.filter(action="sourcing.invitation.revoked").count() == 1


@pytest.mark.django_db
def test_duplicate_open_invitation_is_refused(world):
    from django.core.exceptions import ValidationError

    rfi = _rfi(world)
    _invite(world, rfi, emails=["a@x.example"])
    with pytest.raises(ValidationError) as exc:
        _invite(world, rfi, emails=["b@x.example", "A@x.example"])
    assert "Rad 2" in str(exc.value)
    assert ProcessInvitation.objects.count() == 1


# --- the start page --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_buyer_sees_empty_sections_with_create_links_only_when_allowed(client, world):
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    page = client.get(reverse("sourcing:home")).content.decode()
    assert "Inga marknadsdialoger ännu." in page and "Skickat till oss" in page and "Det vi skickat" in page


@pytest.mark.django_db
def test_home_outside_organisation_sees_what_was_sent_to_it_and_only_its_own_response(client, world):
    rfi = _rfi(world)
    Rfi.objects.create(organisation=world.orgs["owner"], title="Inte till er", status="published")
    [(_, token)] = _invite(world, rfi, organisations=[world.orgs["unrelated"]])
    services.invitation_accept(
        actor=Actor(user=world.user("unrelated", "admin"), membership=world.membership("unrelated", "admin")),
        invitation=ProcessInvitation.objects.get(),
    )
    RfiResponse.objects.create(rfi=rfi, organisation=world.orgs["unrelated"], status="submitted")
    # Another respondent (the partner) answered the same RFI: that must never show to the unrelated one.
    RfiResponse.objects.create(rfi=rfi, organisation=world.orgs["partner"], status="submitted")
    Rfi.objects.create(organisation=world.orgs["partner"], title="Partnerns egen dialog")
    login(client, world.user("unrelated", "admin"), world.orgs["unrelated"])
    page = client.get(reverse("sourcing:home")).content.decode()
    assert page.count(rfi.title) == 2  # under "Skickat till oss" and under "Det vi skickat"
    assert "Inte till er" not in page and "Partnerns egen dialog" not in page
    assert world.orgs["partner"].name not in page
    assert "Inga marknadsdialoger ännu." not in page  # an outside organisation has no buyer sections


# --- the API ---------------------------------------------------------------------------------------


def _bearer(world, org="owner", role="procurement") -> dict:
    from insats.accounts import tokens

    membership = world.membership(org, role)
    _, key = tokens.token_create(
        actor=Actor(user=membership.user, membership=membership), membership=membership, name="test"
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.mark.django_db
def test_api_creates_lists_and_revokes_and_names_a_bad_address(client, world):
    import json

    rfi = _rfi(world)
    headers = _bearer(world)
    url = "/api/v1/sourcing/invitations"
    bad = client.post(
        url,
        json.dumps({"kind": "rfi", "object_id": rfi.pk, "emails": ["ok@x.example", "nej"]}),
        content_type="application/json",
        **headers,
    )
    assert bad.status_code == 422 and "Rad 2" in bad.content.decode()
    assert not ProcessInvitation.objects.exists()
    made = client.post(
        url,
        json.dumps(
            {"kind": "rfi", "object_id": rfi.pk, "organisation_ids": [world.orgs["partner"].pk], "emails": []}
        ),
        content_type="application/json",
        **headers,
    )
    assert made.status_code == 201
    [row] = made.json()
    assert row["invited_organisation_id"] == world.orgs["partner"].pk and row["status"] == "open"
    assert "token" not in json.dumps(row)
    listed = client.get(url, {"kind": "rfi", "object_id": rfi.pk}, **headers).json()
    assert [r["id"] for r in listed] == [row["id"]]
    revoked = client.post(f"{url}/{row['id']}/revoke", **headers)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    again = client.post(f"{url}/{row['id']}/revoke", **headers)
    assert again.status_code == 422
    # Another organisation's officer does not even see the RFI.
    other = client.get(url, {"kind": "rfi", "object_id": rfi.pk}, **_bearer(world, "partner", "admin"))
    assert other.status_code == 404
