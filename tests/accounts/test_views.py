"""The accounts pages end to end: invitations by e-mail, members, partnerships, federations, seats."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from insats.accounts.middleware import SESSION_KEY
from insats.accounts.models import (
    FederationMember,
    GovernanceBody,
    Invitation,
    Membership,
    Partnership,
    PartnershipLevel,
    Seat,
    User,
)
from insats.audit.models import AuditEntry
from tests.conftest import login

LINK_RE = re.compile(r"https?://\S+/konto/inbjudan/(?P<token>[\w-]+)/")


@pytest.fixture
def admin_client(client, world):
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    return client


def invite(admin_client, world, email="ny.kollega@example.test", role="analyst", capture=None):
    url = reverse("accounts:members", kwargs={"pk": world.orgs["owner"].pk})
    with capture(execute=True):
        response = admin_client.post(url, {"email": email, "role": role})
    assert response.status_code == 302, response.content[:500]
    message = mail.outbox[-1]
    match = LINK_RE.search(message.body)
    assert match, message.body
    return message, match.group(0), match.group("token")


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- invitations ----------------------------------------------------------------------------------


def test_invitation_mail_link_creates_the_account_once(
    admin_client, world, django_capture_on_commit_callbacks
):
    message, link, token = invite(admin_client, world, capture=django_capture_on_commit_callbacks)
    assert message.to == ["ny.kollega@example.test"]
    assert "Tomelilla kommun" in message.subject
    assert "Tomelilla kommun" in message.body and "Admin Owner" in message.body
    path = reverse("accounts:accept", kwargs={"token": token})
    assert link.endswith(path)

    visitor = type(admin_client)()
    page = visitor.get(path)
    assert page.status_code == 200
    assert "ny.kollega@example.test" in page.content.decode()
    response = visitor.post(
        path, {"full_name": "Nora Ny", "password1": "Ett-långt-lösen-42", "password2": "Ett-långt-lösen-42"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("web:home")
    user = User.objects.get(email="ny.kollega@example.test")
    assert user.full_name == "Nora Ny" and user.check_password("Ett-långt-lösen-42")
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role) == (world.orgs["owner"], "analyst")
    assert visitor.session[SESSION_KEY] == membership.pk
    assert visitor.get(reverse("web:home")).status_code == 200

    # The link works once.
    again = type(admin_client)()
    assert again.get(path).status_code == 404
    assert (
        again.post(
            path, {"full_name": "X", "password1": "Ett-långt-lösen-43", "password2": "Ett-långt-lösen-43"}
        ).status_code
        == 404
    )
    assert Membership.objects.filter(user=user).count() == 1
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["accounts.user.created", "accounts.membership.added", "auth.login"]
    # Neither the token nor the password is written to the log.
    for entry in AuditEntry.objects.all():
        assert token not in str(entry.changes) and "Ett-långt-lösen-42" not in str(entry.changes)


def test_expired_invitation_link_fails(admin_client, world, django_capture_on_commit_callbacks):
    _, _, token = invite(admin_client, world, capture=django_capture_on_commit_callbacks)
    Invitation.objects.filter(email="ny.kollega@example.test").update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    path = reverse("accounts:accept", kwargs={"token": token})
    visitor = type(admin_client)()
    assert visitor.get(path).status_code == 404
    response = visitor.post(
        path, {"full_name": "Sen", "password1": "Ett-långt-lösen-42", "password2": "Ett-långt-lösen-42"}
    )
    assert response.status_code == 404
    assert not User.objects.filter(email="ny.kollega@example.test").exists()


def test_revoked_invitation_link_fails(admin_client, world, django_capture_on_commit_callbacks):
    _, _, token = invite(admin_client, world, capture=django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(email="ny.kollega@example.test")
    response = admin_client.post(reverse("accounts:invitation_revoke", kwargs={"pk": invitation.pk}))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEntry.objects.filter(
        action="accounts.invitation.revoked", object_id=str(invitation.pk)
    ).exists()
    visitor = type(admin_client)()
    assert visitor.get(reverse("accounts:accept", kwargs={"token": token})).status_code == 404


def test_invitation_for_another_email_is_refused_to_a_logged_in_user(
    admin_client, world, django_capture_on_commit_callbacks
):
    _, _, token = invite(admin_client, world, capture=django_capture_on_commit_callbacks)
    other = type(admin_client)()
    login(other, world.user("unrelated", "analyst"), world.orgs["unrelated"])
    path = reverse("accounts:accept", kwargs={"token": token})
    response = other.post(path, follow=True)
    assert any("annan e-postadress" in m for m in messages_of(response))
    assert not Membership.objects.filter(
        user=world.user("unrelated", "analyst"), organisation=world.orgs["owner"]
    ).exists()
    assert Invitation.objects.get(email="ny.kollega@example.test").accepted_at is None


def test_invitation_to_an_existing_address_needs_a_login_first(
    admin_client, world, django_capture_on_commit_callbacks
):
    existing = world.user("unrelated", "analyst")
    _, _, token = invite(
        admin_client, world, email=existing.email, capture=django_capture_on_commit_callbacks
    )
    path = reverse("accounts:accept", kwargs={"token": token})
    anonymous = type(admin_client)()
    response = anonymous.post(
        path, {"full_name": "Dubbel", "password1": "Ett-långt-lösen-42", "password2": "Ett-långt-lösen-42"}
    )
    assert response.status_code == 200
    assert "Logga in först" in response.content.decode()
    assert not existing.check_password("Ett-långt-lösen-42")
    # Logged in as that person, the same link adds the role.
    logged_in = type(admin_client)()
    login(logged_in, existing, world.orgs["unrelated"])
    assert logged_in.post(path).status_code == 302
    assert Membership.objects.filter(user=existing, organisation=world.orgs["owner"], role="analyst").exists()


def test_invite_form_names_the_bad_field_and_sends_nothing(admin_client, world):
    url = reverse("accounts:members", kwargs={"pk": world.orgs["owner"].pk})
    response = admin_client.post(url, {"email": "inte-en-adress", "role": "analyst"})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    response = admin_client.post(url, {"email": world.user("owner", "viewer").email, "role": "viewer"})
    assert "email" in response.context["form"].errors  # already holds that role
    assert mail.outbox == [] and not Invitation.objects.exists()


# --- members ----------------------------------------------------------------------------------------


def test_the_last_admin_cannot_be_removed(admin_client, world):
    own = world.membership("owner", "admin")
    response = admin_client.post(reverse("accounts:membership_remove", kwargs={"pk": own.pk}), follow=True)
    assert any("minst en administratör" in m for m in messages_of(response))
    assert Membership.objects.filter(pk=own.pk).exists()
    assert not AuditEntry.objects.filter(action="accounts.membership.removed").exists()


def test_an_admin_can_be_removed_when_another_remains(admin_client, world):
    from insats.accounts import services

    services.membership_add(
        actor=None, user=world.user("owner", "analyst"), organisation=world.orgs["owner"], role="admin"
    )
    own = world.membership("owner", "admin")
    response = admin_client.post(reverse("accounts:membership_remove", kwargs={"pk": own.pk}))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=own.pk).exists()
    entry = AuditEntry.objects.get(action="accounts.membership.removed")
    assert entry.changes == {"user": world.user("owner", "admin").email, "role": "admin"}


def test_members_page_lists_only_own_members(admin_client, world):
    page = admin_client.get(
        reverse("accounts:members", kwargs={"pk": world.orgs["owner"].pk})
    ).content.decode()
    assert world.user("owner", "viewer").email in page
    assert world.user("partner", "viewer").email not in page


# --- partnerships --------------------------------------------------------------------------------------


def test_partnership_level_history(admin_client, world):
    p = Partnership.objects.get(organisation=world.orgs["owner"], partner=world.orgs["partner"])
    url = reverse("accounts:partnership", kwargs={"pk": p.pk})
    response = admin_client.post(
        url,
        {"form": "level", "level-level": "3", "level-valid_from": "2026-02-01", "level-note": "Ny styrgrupp"},
    )
    assert response.status_code == 302
    levels = list(p.levels.order_by("valid_from").values_list("valid_from", "level", "note"))
    assert levels == [(datetime.date(2024, 1, 1), 5, ""), (datetime.date(2026, 2, 1), 3, "Ny styrgrupp")]
    assert p.level_on(datetime.date(2025, 12, 31)) == 5
    assert p.level_on(datetime.date(2026, 2, 1)) == 3
    assert p.level_on(datetime.date(2023, 12, 31)) is None
    entry = AuditEntry.objects.filter(action="accounts.partnership.level_changed").latest("seq")
    assert entry.changes["level"] == [5, 3] and entry.changes["valid_from"] == "2026-02-01"
    page = admin_client.get(url).content.decode()
    # The newest level first, the older one still shown.
    assert page.index("2026-02-01") < page.index("2024-01-01")
    assert "Ny styrgrupp" in page


def test_partnership_level_form_errors_save_nothing(admin_client, world):
    p = Partnership.objects.get(organisation=world.orgs["owner"], partner=world.orgs["partner"])
    response = admin_client.post(
        reverse("accounts:partnership", kwargs={"pk": p.pk}),
        {"form": "level", "level-level": "9", "level-valid_from": "inte ett datum"},
    )
    assert response.status_code == 200
    assert set(response.context["level_form"].errors) == {"level", "valid_from"}
    assert PartnershipLevel.objects.filter(partnership=p).count() == 1


def test_partnership_list_shows_only_own_partnerships(client, world):
    login(client, world.user("unrelated", "admin"), world.orgs["unrelated"])
    assert client.get(reverse("accounts:partnerships")).context["rows"] == []
    login(client, world.user("partner", "viewer"), world.orgs["partner"])
    rows = client.get(reverse("accounts:partnerships")).context["rows"]
    assert [(r["other"], r["current"].level) for r in rows] == [(world.orgs["owner"], 5)]


# --- federations -----------------------------------------------------------------------------------


@pytest.fixture
def federation_admin(client, world):
    login(client, world.user("federation", "admin"), world.orgs["federation"])
    return client


def test_federation_shares_over_100_percent_are_refused(federation_admin, world):
    url = reverse("accounts:federation_edit", kwargs={"pk": world.orgs["federation"].pk})
    before = AuditEntry.objects.count()
    response = federation_admin.post(url, {"member": world.orgs["partner"].pk, "financing_share": "75.0001"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["financing_share"]
    assert "100" in errors["financing_share"][0] and "100.0001" in errors["financing_share"][0]
    assert not FederationMember.objects.filter(member=world.orgs["partner"]).exists()
    assert AuditEntry.objects.count() == before


def test_federation_shares_up_to_exactly_100_percent_are_saved(federation_admin, world):
    url = reverse("accounts:federation_edit", kwargs={"pk": world.orgs["federation"].pk})
    response = federation_admin.post(url, {"member": world.orgs["partner"].pk, "financing_share": "75"})
    assert response.status_code == 302
    shares = dict(
        FederationMember.objects.filter(federation=world.orgs["federation"]).values_list(
            "member__name", "financing_share"
        )
    )
    assert shares == {"Tomelilla kommun": Decimal("25"), "RISE Research Institutes of Sweden": Decimal("75")}
    # Raising an existing member's share counts the others, not its own old share.
    response = federation_admin.post(url, {"member": world.orgs["owner"].pk, "financing_share": "26"})
    assert response.status_code == 200 and "financing_share" in response.context["form"].errors
    assert FederationMember.objects.get(member=world.orgs["owner"]).financing_share == Decimal("25")


def test_federation_edit_is_only_for_a_samordningsforbund(client, world):
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    response = client.get(reverse("accounts:federation_edit", kwargs={"pk": world.orgs["owner"].pk}))
    assert response.status_code == 404


# --- governance bodies and seats --------------------------------------------------------------------


@pytest.fixture
def body(admin_client, world):
    response = admin_client.post(
        reverse("accounts:bodies"), {"kind": "styrelse", "name": "Styrelsen", "description": ""}
    )
    assert response.status_code == 302
    return GovernanceBody.objects.get(name="Styrelsen")


def test_seat_term_cannot_end_before_it_starts(admin_client, world, body):
    url = reverse("accounts:body", kwargs={"pk": body.pk})
    response = admin_client.post(
        url,
        {
            "person_name": "Per Persson",
            "represents": world.orgs["owner"].pk,
            "role": "politician",
            "term_start": "2026-01-01",
            "term_end": "2025-12-31",
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["term_end"]
    assert not Seat.objects.exists()


def test_seat_may_represent_only_the_body_organisation_or_its_members(federation_admin, world):
    from insats.accounts import services

    fed_body = services.body_create(
        actor=None, organisation=world.orgs["federation"], kind="styrelse", name="Förbundsstyrelsen"
    )
    url = reverse("accounts:body", kwargs={"pk": fed_body.pk})
    ok = federation_admin.post(
        url,
        {
            "person_name": "Eva Ek",
            "represents": world.orgs["owner"].pk,
            "role": "politician",
            "term_start": "2026-01-01",
        },
    )
    assert ok.status_code == 302  # Tomelilla is a member of the förbund
    refused = federation_admin.post(
        url,
        {
            "person_name": "Ola Ek",
            "represents": world.orgs["unrelated"].pk,
            "role": "politician",
            "term_start": "2026-01-01",
        },
    )
    assert refused.status_code == 200 and "represents" in refused.context["form"].errors
    assert list(Seat.objects.values_list("person_name", flat=True)) == ["Eva Ek"]


def test_ending_a_seat_before_its_start_is_refused(admin_client, world, body):
    url = reverse("accounts:body", kwargs={"pk": body.pk})
    admin_client.post(
        url,
        {
            "person_name": "Per Persson",
            "represents": world.orgs["owner"].pk,
            "role": "official",
            "term_start": "2026-01-01",
        },
    )
    seat = Seat.objects.get()
    end = reverse("accounts:seat_end", kwargs={"pk": seat.pk})
    response = admin_client.post(end, {"ended_on": "2025-06-30"}, follow=True)
    assert any("innan den börjar" in m for m in messages_of(response))
    seat.refresh_from_db()
    assert seat.term_end is None
    assert admin_client.post(end, {"ended_on": "2026-06-30"}).status_code == 302
    seat.refresh_from_db()
    assert seat.term_end == datetime.date(2026, 6, 30)
    entry = AuditEntry.objects.get(action="accounts.seat.ended")
    # Only what changed: services._save_logged diffs a partial "before" against a full snapshot,
    # which reports every other field as changed from None (reported as a bug).
    assert entry.changes == {"term_end": [None, "2026-06-30"]}


# --- switching organisation ----------------------------------------------------------------------------


def test_switch_only_to_own_memberships(client, world):
    from insats.accounts import services

    user = world.user("owner", "analyst")
    second = services.membership_add(
        actor=None, user=user, organisation=world.orgs["unrelated"], role="viewer"
    )
    login(client, user, world.orgs["owner"])
    foreign = world.membership("partner", "admin")
    client.post(reverse("accounts:switch"), {"membership": foreign.pk})
    assert client.session[SESSION_KEY] != foreign.pk
    client.post(reverse("accounts:switch"), {"membership": second.pk})
    assert client.session[SESSION_KEY] == second.pk
    assert "Familjeforum" in client.get(reverse("web:home")).content.decode()


@pytest.mark.django_db
def test_members_page_header_switcher_lists_only_the_users_own_memberships(client, world):
    """Regression: the members list was passed as "memberships" and replaced the header's switcher."""
    from insats.accounts import services

    admin = world.user("owner", "admin")
    services.membership_add(actor=None, user=admin, organisation=world.orgs["partner"], role="viewer")
    login(client, admin, world.orgs["owner"])
    html = client.get(reverse("accounts:members", args=[world.orgs["owner"].pk])).content.decode()
    switcher = re.search(r'<select id="switch-membership".*?</select>', html, re.S).group(0)
    assert switcher.count("<option") == 2
    assert "RISE" in switcher and "Viewer Owner" not in switcher
