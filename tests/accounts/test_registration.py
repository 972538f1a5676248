"""Self-registration of an outside organisation (issue 10 item 1) and its verification."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insats.accounts.middleware import SESSION_KEY
from insats.accounts.models import Membership, Organisation, Role, User
from insats.audit.models import AuditEntry
from tests.conftest import PASSWORD, login, org_number

URL = "/konto/registrera/"


def _data(**overrides):
    data = {
        "name": "Föreningen Exempel",
        "org_number": org_number(7001),
        "kind": "ideburen",
        "contact_email": "kontakt@exempel.example",
        "full_name": "Eva Exempel",
        "email": "eva@exempel.example",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def test_the_url_is_the_agreed_one():
    assert reverse("accounts:register_organisation") == URL


@pytest.mark.django_db
def test_registers_organisation_user_and_admin_membership_and_logs_in(client):
    response = client.post(URL, _data(next="/samverkan/"))
    # An administrator must set up two-factor authentication first; then the way goes on to ``next``.
    assert response.status_code == 302 and response["Location"] == reverse("accounts:two_factor")
    assert client.session["insats_after_2fa_setup_next"] == "/samverkan/"
    org = Organisation.objects.get(name="Föreningen Exempel")
    assert org.self_registered and org.verified_at is None and org.invited_by is None
    assert org.contact_email == "kontakt@exempel.example" and org.kind == "ideburen"
    user = User.objects.get(email="eva@exempel.example")
    assert user.full_name == "Eva Exempel" and user.check_password(PASSWORD)
    membership = Membership.objects.get(user=user, organisation=org)
    assert membership.role == Role.ADMIN
    assert client.session[SESSION_KEY] == membership.pk
    assert int(client.session["_auth_user_id"]) == user.pk
    actions = set(AuditEntry.objects.filter(organisation_id=org.pk).values_list("action", flat=True))
    assert {
        "accounts.organisation.registered",
        "accounts.user.created",
        "accounts.membership.added",
    } <= actions


@pytest.mark.django_db
@pytest.mark.parametrize(
    "number, message",
    [
        ("12345", "NNNNNN-NNNN"),
        ("551000-0000", "tredje siffran"),  # third digit 1
    ],
)
def test_bad_organisation_number_is_named_and_nothing_is_saved(client, number, message):
    before = (Organisation.objects.count(), User.objects.count())
    response = client.post(URL, _data(org_number=number))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (Organisation.objects.count(), User.objects.count()) == before


@pytest.mark.django_db
def test_wrong_check_digit_is_refused(client):
    # 556036-079?: doubling every other digit from the left, 5·2=10→1, 5, 6·2=12→3, 0, 3·2=6, 6, 0·2=0,
    # 7, 9·2=18→9; the sum is 37, so the check digit is 3 (37 + 3 = 40). -0793 is right, -0794 is not.
    ok = client.post(URL, _data(org_number="556036-0793", email="ok@example.example"))
    assert ok.status_code == 302
    client.logout()
    bad = client.post(URL, _data(org_number="556036-0794", email="bad@example.example", name="Annan"))
    assert bad.status_code == 200
    assert "Kontrollsiffran" in bad.content.decode()
    assert not Organisation.objects.filter(name="Annan").exists()


@pytest.mark.django_db
def test_an_organisation_number_already_in_insats_says_only_that(client, world):
    taken = world.orgs["unrelated"].org_number
    response = client.post(URL, _data(org_number=taken))
    text = response.content.decode()
    assert response.status_code == 200
    assert "finns redan" in text and "be organisationens administratör om en inbjudan" in text
    assert world.orgs["unrelated"].name not in text  # no leak of who holds it
    assert not User.objects.filter(email="eva@exempel.example").exists()


@pytest.mark.django_db
def test_public_bodies_cannot_register_themselves(client):
    response = client.post(URL, _data(kind="kommun"))
    assert response.status_code == 200
    assert not Organisation.objects.filter(name="Föreningen Exempel").exists()


@pytest.mark.django_db
def test_weak_password_is_refused_by_djangos_validators(client):
    response = client.post(URL, _data(password1="123", password2="123"))
    assert response.status_code == 200
    assert not Organisation.objects.filter(name="Föreningen Exempel").exists()
    assert not User.objects.filter(email="eva@exempel.example").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_next_to_another_site_is_refused(client, next_url):
    response = client.post(URL, _data(next=next_url))
    assert response.status_code == 302
    assert client.session["insats_after_2fa_setup_next"] == reverse("sourcing:home")


@pytest.mark.django_db
def test_registration_is_throttled_per_address(client, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    for i in range(3):
        response = client.post(URL, _data(org_number="12"))
        assert response.status_code == 200, i
    response = client.post(URL, _data())
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert not Organisation.objects.filter(name="Föreningen Exempel").exists()
    assert AuditEntry.objects.filter(action="accounts.registration.throttled").count() == 1


# --- verification --------------------------------------------------------------------------------


def _self_registered(world, invited_by="owner") -> Organisation:
    from insats.accounts.registration import services

    return services.organisation_register(
        name="Föreningen Inbjuden",
        org_number=org_number(7100),
        kind="ideburen",
        contact_email="k@inbjuden.example",
        full_name="Ivar Inbjuden",
        email="ivar@inbjuden.example",
        password=PASSWORD,
        invited_by=world.orgs[invited_by] if invited_by else None,
    ).organisation


@pytest.mark.django_db
def test_the_inviters_admin_verifies_after_confirmation(client, world):
    org = _self_registered(world)
    admin = world.user("owner", "admin")
    login(client, admin, world.orgs["owner"])
    listing = client.get(reverse("accounts:unverified_organisations")).content.decode()
    assert "Föreningen Inbjuden" in listing and "Självregistrerad – ej verifierad" in listing
    confirm = client.get(reverse("accounts:organisation_verify", args=[org.pk]))
    assert confirm.status_code == 200
    org.refresh_from_db()
    assert org.verified_at is None  # the GET only asks
    response = client.post(reverse("accounts:organisation_verify", args=[org.pk]))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.verified_at is not None and org.verified_by == admin
    entry = AuditEntry.objects.get(action="accounts.organisation.verified")
    assert entry.organisation_id == org.pk
    listing = client.get(reverse("accounts:unverified_organisations")).content.decode()
    assert "<td>Föreningen Inbjuden" not in listing and "Inga organisationer väntar" in listing


@pytest.mark.django_db
def test_another_organisations_admin_may_not_verify(client, world):
    org = _self_registered(world)
    login(client, world.user("partner", "admin"), world.orgs["partner"])
    assert client.post(reverse("accounts:organisation_verify", args=[org.pk])).status_code == 403
    assert (
        "Föreningen Inbjuden" not in client.get(reverse("accounts:unverified_organisations")).content.decode()
    )
    org.refresh_from_db()
    assert org.verified_at is None


@pytest.mark.django_db
def test_an_operator_verifies_any_and_lists_all(client, world):
    org = _self_registered(world, invited_by=None)
    operator = User.objects.create_user("drift@insats.example", PASSWORD, full_name="Drift", is_operator=True)
    login(client, operator)
    listing = client.get(reverse("accounts:unverified_organisations")).content.decode()
    assert "Föreningen Inbjuden" in listing
    assert client.post(reverse("accounts:organisation_verify", args=[org.pk])).status_code == 302
    org.refresh_from_db()
    assert org.verified_by == operator
