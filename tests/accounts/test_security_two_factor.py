"""TOTP (RFC 6238), recovery codes, the two-step login and the 2FA set-up page."""

from __future__ import annotations

import base64
import json
import re
import time
import urllib.parse
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from insats.accounts import security
from insats.accounts.models import RecoveryCode, User
from insats.audit.models import AuditEntry
from tests.conftest import PASSWORD, login

from .test_security_support import checked_client, enrol, entries, hotp, totp  # noqa: F401

# RFC 6238 appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [  # (Unix time, 8-digit TOTP from the RFC) — six digits are its last six
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_LOCKOUT_MINUTES = 15


def at(unix: int) -> datetime:
    return datetime.fromtimestamp(unix, tz=UTC)


# --- TOTP -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("unix", "expected"), RFC_VECTORS)
def test_rfc_6238_vectors(unix, expected):
    assert security.code_at_step(RFC_SECRET, security.time_step(at(unix))) == expected[-6:]
    assert security.matching_step(RFC_SECRET, expected[-6:], now=at(unix)) == unix // 30


@hsettings(max_examples=60)
@given(st.binary(min_size=20, max_size=40), st.integers(min_value=0, max_value=2**40))
def test_codes_match_an_independent_implementation(key, step):
    secret = base64.b32encode(key).decode().rstrip("=")
    assert security.code_at_step(secret, step) == hotp(secret, step)


def test_one_step_either_side_is_accepted_two_are_not():
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    now = at(1_700_000_015)
    step = 1_700_000_015 // 30
    codes = {offset: hotp(secret, step + offset) for offset in (-2, -1, 0, 1, 2)}
    assert len(set(codes.values())) == 5  # no accidental collision for this secret and time
    for offset in (-1, 0, 1):
        assert security.matching_step(secret, codes[offset], now=now) == step + offset
    for offset in (-2, 2):
        assert security.matching_step(secret, codes[offset], now=now) is None


@pytest.mark.parametrize("bad", ["", "12345", "1234567", "abcdef", "12 34 5x", None])
def test_malformed_codes_are_refused(bad):
    assert security.matching_step("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", bad) is None


def test_spaces_in_a_code_are_ignored():
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    code = totp(secret)
    assert security.matching_step(secret, f"{code[:3]} {code[3:]}") is not None


def test_a_step_is_never_accepted_twice_nor_an_older_one(world):
    user = world.user("owner", "viewer")
    secret, _codes = enrol(user)
    now = timezone.now()
    step = security.time_step(now)
    assert security.verify_totp(user, hotp(secret, step), now=now)
    assert not security.verify_totp(user, hotp(secret, step), now=now), "replay accepted"
    assert not security.verify_totp(user, hotp(secret, step - 1), now=now), "older step accepted"
    assert security.verify_totp(user, hotp(secret, step + 1), now=now)
    user.refresh_from_db()
    assert user.totp_last_step == step + 1


def test_secret_is_160_bits_of_base32():
    secret = security.new_secret()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert len(base64.b32decode(secret)) == 20
    assert security.new_secret() != secret


def test_qr_code_is_an_svg_data_uri_carrying_the_provisioning_uri(world):
    user = world.user("owner", "viewer")
    uri = security.provisioning_uri(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    parsed = urllib.parse.urlparse(uri)
    query = urllib.parse.parse_qs(parsed.query)
    assert parsed.scheme == "otpauth" and parsed.netloc == "totp"
    assert query["secret"] == ["JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"] and query["issuer"] == ["Insats"]
    assert urllib.parse.unquote(parsed.path) == f"/Insats:{user.email}"
    data = security.qr_svg_data_uri(uri)
    assert data.startswith("data:image/svg+xml")
    svg = urllib.parse.unquote(data.split(",", 1)[1])
    assert svg.lstrip().startswith("<svg") and "<script" not in svg


# --- set-up page ---------------------------------------------------------------------------------------


def setup_secret(client) -> str:
    return client.session[security.SETUP_KEY]


def test_set_up_page_shows_qr_and_secret_and_confirm_shows_ten_codes_once(client, world):
    user = world.user("owner", "viewer")
    login(client, user, world.orgs["owner"])
    page = client.get(reverse("accounts:two_factor"))
    html = page.content.decode()
    secret = setup_secret(client)
    assert 'src="data:image/svg+xml' in html
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert '<label for="id_code"' in html
    # The page is the same secret on reload until confirmed.
    client.get(reverse("accounts:two_factor"))
    assert setup_secret(client) == secret

    response = client.post(reverse("accounts:two_factor"), {"code": totp(secret)})
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    user.refresh_from_db()
    assert user.has_two_factor and user.totp_secret == secret
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert stored == {RecoveryCode.hash(c) for c in codes}
    assert not stored & set(codes)
    assert security.SETUP_KEY not in client.session
    # Shown once: the page now shows status, not the codes.
    html = client.get(reverse("accounts:two_factor")).content.decode()
    assert not any(c in html for c in codes)
    assert "10 oanvända återställningskoder" in html


def test_wrong_confirmation_code_does_not_enable(client, world):
    user = world.user("owner", "viewer")
    login(client, user, world.orgs["owner"])
    client.get(reverse("accounts:two_factor"))
    secret = setup_secret(client)
    wrong = hotp(secret, security.time_step() + 5)
    response = client.post(reverse("accounts:two_factor"), {"code": wrong})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
    user.refresh_from_db()
    assert not user.has_two_factor and RecoveryCode.objects.filter(user=user).count() == 0
    assert not entries("auth.2fa.enabled")


def test_no_secret_or_code_reaches_the_audit_log(client, world):
    user = world.user("owner", "viewer")
    login(client, user, world.orgs["owner"])
    client.get(reverse("accounts:two_factor"))
    secret = setup_secret(client)
    first = client.post(reverse("accounts:two_factor"), {"code": totp(secret)})
    codes = re.findall(r"<code>([a-z0-9-]{11})</code>", first.content.decode())
    new = client.post(reverse("accounts:recovery_regenerate"), {"regen-code": totp(secret, offset_steps=1)})
    codes += re.findall(r"<code>([a-z0-9-]{11})</code>", new.content.decode())
    assert len(codes) == 20
    assert len(entries("auth.2fa.enabled")) == 1 and len(entries("auth.2fa.recovery_regenerated")) == 1
    dump = json.dumps([[e.changes, e.object_label] for e in AuditEntry.objects.all()], ensure_ascii=False)
    assert secret not in dump
    assert not any(c in dump or c.replace("-", "") in dump for c in codes)


def test_regenerate_needs_a_code_and_invalidates_old_codes(world):
    user = world.user("owner", "viewer")
    secret, old = enrol(user)
    with pytest.raises(ValidationError, match="stämmer inte"):
        security.regenerate_recovery_codes(user, "000000" if totp(secret) != "000000" else "111111")
    new = security.regenerate_recovery_codes(user, totp(secret))
    assert not security.use_recovery_code(user, old[0])
    assert security.use_recovery_code(user, new[0])
    assert security.unused_recovery_codes(user) == 9


def test_recovery_code_works_once_case_and_dash_insensitive(world):
    user = world.user("owner", "viewer")
    _secret, codes = enrol(user)
    assert security.use_recovery_code(user, codes[3].upper().replace("-", ""))
    assert not security.use_recovery_code(user, codes[3])
    used = entries("auth.2fa.recovery_used")
    assert len(used) == 1 and used[0].changes == {"remaining": 9}


def test_disable_needs_a_current_code(client, world):
    user = world.user("owner", "viewer")
    secret, _codes = enrol(user)
    login(client, user, world.orgs["owner"])
    response = client.post(reverse("accounts:two_factor_disable"), {"disable-code": hotp(secret, 1)})
    user.refresh_from_db()
    html = response.content.decode()
    assert user.has_two_factor and response.status_code == 200
    assert 'id="id_disable-code_error"' in html and "stämmer inte" in html
    client.post(reverse("accounts:two_factor_disable"), {"disable-code": totp(secret)})
    user.refresh_from_db()
    assert not user.has_two_factor and user.totp_secret == ""
    assert RecoveryCode.objects.filter(user=user).count() == 0
    assert len(entries("auth.2fa.disabled")) == 1


@pytest.mark.parametrize("role", ["admin", "caseworker"])
def test_disable_is_refused_while_a_required_role_is_held(client, world, role):
    user = world.user("owner", role)
    login(client, user, world.orgs["owner"])  # enrols: the role requires 2FA
    secret = User.objects.get(pk=user.pk).totp_secret
    User.objects.filter(pk=user.pk).update(totp_last_step=0)
    response = client.post(reverse("accounts:two_factor_disable"), {"disable-code": totp(secret)})
    user.refresh_from_db()
    assert user.has_two_factor
    assert "kräver tvåfaktorsinloggning" in response.content.decode()
    assert not entries("auth.2fa.disabled")
    assert (
        'action="/konto/tvafaktor/stang-av/"'
        not in client.get(reverse("accounts:two_factor")).content.decode()
    )


def test_replacing_the_app_with_a_recovery_code(client, world):
    user = world.user("owner", "admin")
    old_secret, codes = enrol(user)
    login(client, user, world.orgs["owner"])
    client.get(reverse("accounts:two_factor") + "?byt=1")
    new_secret = setup_secret(client)
    assert new_secret != old_secret
    refused = client.post(
        reverse("accounts:two_factor"), {"byt": "1", "code": totp(new_secret), "current_code": "wrong-code"}
    )
    assert refused.status_code == 200 and "<code>" not in refused.content.decode()
    user.refresh_from_db()
    assert user.totp_secret == old_secret
    response = client.post(
        reverse("accounts:two_factor"), {"byt": "1", "code": totp(new_secret), "current_code": codes[0]}
    )
    assert len(re.findall(r"<code>([a-z0-9-]{11})</code>", response.content.decode())) == 10
    user.refresh_from_db()
    assert user.totp_secret == new_secret
    assert not security.use_recovery_code(user, codes[1]), "old codes must be replaced"
    assert [e.changes["replaced"] for e in entries("auth.2fa.enabled")] == [False, True]


# --- the two-step login -----------------------------------------------------------------------------------


def password_step(client, user, password=PASSWORD, next_url=None):
    data = {"email": user.email, "password": password}
    url = reverse("accounts:login") + (f"?next={urllib.parse.quote(next_url)}" if next_url else "")
    return client.post(url, data)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_password_alone_does_not_log_in_a_user_with_two_factor(client, world):
    user = world.user("owner", "analyst")
    secret, _codes = enrol(user)
    response = password_step(client, user, next_url="/konto/profil/")
    assert response.status_code == 302 and response.url == reverse("accounts:two_factor_login")
    assert not logged_in(client)
    assert client.get(reverse("web:home")).status_code == 302  # still anonymous
    page = client.get(reverse("accounts:two_factor_login")).content.decode()
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    response = client.post(reverse("accounts:two_factor_login"), {"code": totp(secret)})
    assert response.status_code == 302 and response.url == "/konto/profil/"
    assert logged_in(client) and int(client.session["_auth_user_id"]) == user.pk
    assert client.session[security.VERIFIED_KEY] == user.pk
    assert security.PENDING_KEY not in client.session
    assert client.get(reverse("web:home")).status_code == 200
    assert len(entries("auth.login", object_id=str(user.pk))) == 1


def test_wrong_codes_count_as_failed_logins_and_lock(client, world):
    user = world.user("owner", "analyst")
    secret, _codes = enrol(user)
    password_step(client, user)
    good = totp(secret)
    wrong = next(
        f"{n:06d}"
        for n in range(1000)
        if f"{n:06d}" not in {totp(secret, offset_steps=o) for o in (-1, 0, 1)}
    )
    for _ in range(4):
        response = client.post(reverse("accounts:two_factor_login"), {"code": wrong})
        assert response.status_code == 200 and "stämmer inte" in response.content.decode()
    response = client.post(reverse("accounts:two_factor_login"), {"code": wrong})
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    user.refresh_from_db()
    assert user.is_locked()
    reasons = [e.changes["reason"] for e in entries("auth.login_failed")]
    assert reasons == ["second_factor"] * 5
    # The right code no longer helps: the pending login is gone and the account is locked.
    response = client.post(reverse("accounts:two_factor_login"), {"code": good})
    assert not logged_in(client)
    password_step(client, user)
    assert not logged_in(client) and security.PENDING_KEY not in client.session


def test_pending_login_expires_after_five_minutes(client, world):
    user = world.user("owner", "analyst")
    secret, _codes = enrol(user)
    password_step(client, user)
    session = client.session
    pending = session[security.PENDING_KEY]
    pending["started"] = int(time.time()) - security.PENDING_SECONDS - 1
    session[security.PENDING_KEY] = pending
    session.save()
    response = client.post(reverse("accounts:two_factor_login"), {"code": totp(secret)})
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert not logged_in(client)
    user.refresh_from_db()
    assert user.totp_last_step == 0, "an expired login must not consume the code"


def test_pending_login_just_inside_five_minutes_still_works(client, world):
    user = world.user("owner", "analyst")
    secret, _codes = enrol(user)
    password_step(client, user)
    session = client.session
    pending = session[security.PENDING_KEY]
    pending["started"] = int(time.time()) - security.PENDING_SECONDS + 20
    session[security.PENDING_KEY] = pending
    session.save()
    client.post(reverse("accounts:two_factor_login"), {"code": totp(secret)})
    assert logged_in(client)


def test_a_used_code_cannot_log_in_again(client, world):
    user = world.user("owner", "analyst")
    secret, _codes = enrol(user)
    code = totp(secret)
    password_step(client, user)
    client.post(reverse("accounts:two_factor_login"), {"code": code})
    assert logged_in(client)
    client.post(reverse("accounts:logout"))
    assert not logged_in(client)
    password_step(client, user)
    response = client.post(reverse("accounts:two_factor_login"), {"code": code})
    assert response.status_code == 200 and not logged_in(client)


def test_login_with_a_recovery_code(client, world):
    user = world.user("owner", "analyst")
    _secret, codes = enrol(user)
    password_step(client, user)
    page = client.get(reverse("accounts:recovery_login")).content.decode()
    assert 'autocomplete="one-time-code"' in page and '<label for="id_recovery_code"' in page
    response = client.post(reverse("accounts:recovery_login"), {"recovery_code": codes[0]})
    assert response.status_code == 302 and logged_in(client)
    assert len(entries("auth.2fa.recovery_used")) == 1
    client.post(reverse("accounts:logout"))
    password_step(client, user)
    response = client.post(reverse("accounts:recovery_login"), {"recovery_code": codes[0]})
    assert response.status_code == 200 and not logged_in(client)


def test_second_step_pages_without_a_pending_login_go_to_the_login_page(client, world):
    for name in ("accounts:two_factor_login", "accounts:recovery_login"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url == reverse("accounts:login")


def test_external_next_is_ignored(client, world):
    user = world.user("owner", "viewer")
    response = password_step(client, user, next_url="https://evil.example/")
    assert response.status_code == 302 and response.url == reverse("web:home")


def test_a_session_logged_in_without_the_second_step_must_take_it(client, world):
    """E.g. a user with 2FA who accepts an invitation is logged in by that page: step-up first."""
    user = world.user("owner", "analyst")
    secret, _codes = enrol(user)
    client.force_login(user, backend=security.BACKEND_PATH)
    response = client.get(reverse("web:home"))
    assert response.status_code == 302 and response.url == reverse("accounts:two_factor_login")
    response = client.post(reverse("accounts:two_factor_login"), {"code": totp(secret)})
    assert response.status_code == 302
    assert client.get(reverse("web:home")).status_code == 200


def test_password_step_does_not_reset_the_count_of_wrong_codes(client, world):
    """Else knowing the password would allow guessing codes forever, four at a time."""
    user = world.user("owner", "analyst")
    secret, _codes = enrol(user)
    wrong = next(
        f"{n:06d}"
        for n in range(1000)
        if f"{n:06d}" not in {totp(secret, offset_steps=o) for o in (-1, 0, 1)}
    )
    password_step(client, user)
    for _ in range(4):
        client.post(reverse("accounts:two_factor_login"), {"code": wrong})
    password_step(client, user)
    client.post(reverse("accounts:two_factor_login"), {"code": wrong})
    user.refresh_from_db()
    assert user.is_locked() and user.failed_logins == 5


def test_operator_reset_removes_2fa_and_the_person_must_set_it_up_again(client, world):
    user = world.user("owner", "caseworker")
    secret, codes = enrol(user)
    security.reset_two_factor(user, reason="lost phone and codes")
    user.refresh_from_db()
    assert not user.has_two_factor and RecoveryCode.objects.filter(user=user).count() == 0
    (entry,) = entries("auth.2fa.disabled")
    assert entry.changes == {"by_operator": True, "reason": "lost phone and codes"}
    # Password login now goes straight in, and the required role sends the person to set-up.
    response = password_step(client, user)
    assert response.status_code == 302 and logged_in(client)
    assert client.get(reverse("web:home")).url == reverse("accounts:two_factor")


def test_unlock_lifts_a_lock_early(client, world):
    user = world.user("owner", "viewer")
    for _ in range(5):
        password_step(client, user, password="wrong")
    user.refresh_from_db()
    assert user.is_locked()
    security.unlock(user)
    assert len(entries("auth.unlocked")) == 1
    password_step(client, user)
    assert logged_in(client)
