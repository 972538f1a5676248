"""``manage.py demo``: refuses without DEBUG, is idempotent, and builds what the seeds describe.

Expected figures are taken from the seeds, not from the demo module: seed 001 says the förbund has
seven members, a board of "fem politiker och två tjänstemän samt deras respektive ersättare", a
beredningsgrupp of "tolv tjänstemän" and steering groups for NOVA, Enter and FIA with "drygt 20
personer, varav några ingår i två eller alla tre styrgrupperna"; seed 002 lists five collaboration
levels. Kommun and län codes are SCB's (Habo 0643, Jönköping 0680, Mullsjö 0642, Vaggeryd 0665,
Tomelilla 1270, Helsingborg 1283, Jönköpings län 06).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from decimal import Decimal
from io import StringIO

import pyotp
import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError

from insats.accounts import security
from insats.accounts.models import (
    FederationMember,
    GovernanceBody,
    Invitation,
    Membership,
    Organisation,
    Partnership,
    PartnershipLevel,
    RecoveryCode,
    Role,
    Seat,
    User,
)
from insats.accounts.validators import normalise_org_number
from insats.audit.models import AuditEntry
from insats.audit.services import verify_chain

pytestmark = pytest.mark.django_db

MODELS = [
    Organisation,
    User,
    Membership,
    Invitation,
    FederationMember,
    Partnership,
    PartnershipLevel,
    GovernanceBody,
    Seat,
    RecoveryCode,
    AuditEntry,
]


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    return settings


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo built once for the read-only structure tests, rolled back when the module ends."""
    from django.db import transaction
    from django.test import override_settings

    from insats.accounts.demo_data import build_demo

    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_demo()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def org(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


FORBUND = "Samordningsförbundet Södra Vätterbygden"


def test_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo", stdout=StringIO())
    assert Organisation.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_refusal_exits_non_zero(settings):
    """Through the real command line path, a CommandError becomes exit status 1."""
    settings.DEBUG = False
    from django.core.management import ManagementUtility

    utility = ManagementUtility(["manage.py", "demo"])
    with pytest.raises(SystemExit) as exc:
        utility.execute()
    assert exc.value.code == 1


def test_second_run_changes_nothing(debug):
    first_output = run_demo()
    after_first = counts()
    hashes = dict(User.objects.values_list("email", "password"))
    secrets = dict(User.objects.values_list("email", "totp_secret"))
    assert after_first["AuditEntry"] > 0
    second_output = run_demo()
    assert counts() == after_first
    assert dict(User.objects.values_list("email", "password")) == hashes
    assert dict(User.objects.values_list("email", "totp_secret")) == secrets
    assert "nothing to change" in second_output
    # The printout is the same both times (same passwords, secrets and codes).
    assert first_output.split("Demo ready")[0] == second_output.split("Demo ready")[0]


def test_audit_chain_verifies_and_every_entry_is_from_the_demo(debug):
    run_demo()
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "Audit chain OK" in out.getvalue()
    assert verify_chain().ok
    labels = set(AuditEntry.objects.values_list("actor_label", flat=True))
    # The set-up is logged as "manage.py demo"; the demo contracts are worked through as the
    # parties' own demo users (a provider reports, a validator approves), so those appear too.
    assert "manage.py demo" in labels
    assert all(label == "manage.py demo" or label.endswith(".demo") for label in labels), labels
    actions = Counter(AuditEntry.objects.values_list("action", flat=True))
    # Outside organisations of the Samverkan demo register themselves (issue 10): "registered".
    created = actions["accounts.organisation.created"] + actions.get("accounts.organisation.registered", 0)
    assert created == Organisation.objects.count()
    assert actions["accounts.membership.added"] == Membership.objects.count()
    assert actions["accounts.seat.added"] == Seat.objects.count()
    assert actions["accounts.partnership.level_changed"] == PartnershipLevel.objects.count()
    assert actions["accounts.federation.member_set"] == FederationMember.objects.count()


def test_only_real_changes_are_audited_on_a_rerun(debug):
    run_demo()
    user = User.objects.get(email="analytiker@tomelilla.demo")
    user.set_password("Något-annat-lösenord-9")
    user.save()
    seat = Seat.objects.get(body__name="Beredningsgruppen", person_name="Petra Ohlsson")
    seat.delete()
    before = AuditEntry.objects.count()
    output = run_demo()
    new = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True)[before:])
    assert sorted(new) == ["accounts.seat.added", "accounts.user.password_reset"]
    assert "2 audited changes" in output
    assert authenticate(email="analytiker@tomelilla.demo", password=printed_passwords(output)[user.email])
    assert verify_chain().ok


def test_federation_members_and_shares(demo_world):
    federation = org(FORBUND)
    assert federation.kind == "samordningsforbund"
    rows = {
        r.member.name: r
        for r in FederationMember.objects.filter(federation=federation).select_related("member")
    }
    assert set(rows) == {
        "Habo kommun",
        "Jönköpings kommun",
        "Mullsjö kommun",
        "Vaggeryds kommun",
        "Region Jönköpings län",
        "Försäkringskassan",
        "Arbetsförmedlingen",
    }
    assert sum(r.financing_share for r in rows.values()) == Decimal(100)
    # Finsam: state 50 %, region 25 %, municipalities 25 %.
    assert rows["Försäkringskassan"].financing_share + rows["Arbetsförmedlingen"].financing_share == 50
    assert rows["Region Jönköpings län"].financing_share == 25
    kommuner = [r for r in rows.values() if r.member.kind == "kommun"]
    assert len(kommuner) == 4 and sum(r.financing_share for r in kommuner) == 25
    assert all(r.financing_share > 0 for r in rows.values())
    codes = {r.member.name: r.member.area_code for r in rows.values()}
    assert codes["Habo kommun"] == "0643"
    assert codes["Jönköpings kommun"] == "0680"
    assert codes["Mullsjö kommun"] == "0642"
    assert codes["Vaggeryds kommun"] == "0665"
    assert codes["Region Jönköpings län"] == "06"
    assert rows["Försäkringskassan"].member.kind == rows["Arbetsförmedlingen"].member.kind == "myndighet"


def test_governance_bodies_follow_seed_001(demo_world):
    federation = org(FORBUND)
    member_ids = set(
        FederationMember.objects.filter(federation=federation).values_list("member_id", flat=True)
    )
    board = GovernanceBody.objects.get(organisation=federation, kind="styrelse")
    roles = Counter(board.seats.values_list("role", flat=True))
    assert roles == {"politician": 5, "official": 2, "alternate": 7}
    # Every regular member of the board has an alternate from the same member organisation.
    regular = Counter(board.seats.exclude(role="alternate").values_list("represents_id", flat=True))
    alternates = Counter(board.seats.filter(role="alternate").values_list("represents_id", flat=True))
    assert regular == alternates
    assert set(regular) <= member_ids

    prep = GovernanceBody.objects.get(organisation=federation, kind="beredningsgrupp")
    assert prep.seats.count() == 12
    assert set(prep.seats.values_list("role", flat=True)) == {"official"}
    assert set(prep.seats.values_list("represents_id", flat=True)) <= member_ids
    assert len(set(prep.seats.values_list("person_name", flat=True))) == 12

    steering = GovernanceBody.objects.filter(organisation=federation, kind="styrgrupp")
    assert sorted(b.name for b in steering) == ["Styrgrupp Enter", "Styrgrupp FIA", "Styrgrupp NOVA"]
    people = Counter(Seat.objects.filter(body__in=steering).values_list("person_name", flat=True))
    assert 20 < len(people) < 25  # "drygt 20 personer"
    assert max(people.values()) == 3  # some sit in all three groups
    assert any(n == 2 for n in people.values())  # and some in two
    others = set(Seat.objects.filter(body__in=[board, prep]).values_list("person_name", flat=True))
    assert len(set(people) & others) >= 2  # "flera även ingår i beredningsgrupp eller styrelse"


def test_partnerships_follow_seeds_000_002_004(demo_world):
    tomelilla = org("Tomelilla kommun")
    assert (tomelilla.kind, tomelilla.area_code) == ("kommun", "1270")
    partners = Partnership.objects.filter(organisation=tomelilla).select_related("partner")
    assert {p.partner.name for p in partners} == {
        "RISE Research Institutes of Sweden",
        "Karolinska Institutet Innovations AB",
        "Leksell Social Ventures",
    }
    assert {p.current_level_entry().level for p in partners} == {5}

    helsingborg = org("Helsingborgs stad")
    assert (helsingborg.kind, helsingborg.area_code) == ("kommun", "1283")
    hbg = list(Partnership.objects.filter(organisation=helsingborg).select_related("partner"))
    assert sorted(p.current_level_entry().level for p in hbg) == [1, 2, 3, 4, 5]
    assert {p.partner.kind for p in hbg} == {"ideburen"}
    histories = [list(p.levels.order_by("valid_from").values_list("level", "valid_from")) for p in hbg]
    assert sum(len(h) > 1 for h in histories) >= 3  # dated history, not just a current level
    for history in histories:
        days = [d for _, d in history]
        assert days == sorted(days) and len(set(days)) == len(days)
    # The level on a given day follows the history: the level-5 partner was at 4 in mid-2023.
    top = next(p for p in hbg if p.current_level_entry().level == 5)
    assert top.level_on(date(2023, 6, 1)) == 4
    assert top.level_on(date(2020, 1, 1)) is None

    assert org("Familjeforum i Lund AB").kind in ("foretag", "socialt_foretag")
    assert org("Barnens Väl").kind == "ideburen"
    fund = org("Utfallsfonden")
    assert fund.kind == "utfallsfond"
    assert Partnership.objects.filter(organisation=fund, partner=org("Barnens Väl")).exists()


def test_org_numbers_are_valid_and_unique(demo_world):
    numbers = list(Organisation.objects.values_list("org_number", flat=True))
    assert len(numbers) == len(set(numbers))
    for number in numbers:
        assert normalise_org_number(number) == number
    for kommun in Organisation.objects.filter(kind="kommun"):
        assert kommun.org_number.startswith("212000-"), kommun.name
    # Checked against public registers (see demo_data's docstring).
    assert org("Tomelilla kommun").org_number == "212000-0886"
    assert org("Helsingborgs stad").org_number == "212000-1157"
    assert org("Försäkringskassan").org_number == "202100-5521"
    assert org("Arbetsförmedlingen").org_number == "202100-2114"


def printed_passwords(output: str) -> dict[str, str]:
    found = {}
    for line in output.splitlines():
        match = re.match(r"^(\S+@\S+\.demo)\s+(\S+)\s+\S", line)
        if match and "-" in match.group(2) and not match.group(2).startswith(("ja", "–")):
            found.setdefault(match.group(1), match.group(2))
    return found


def printed_two_factor(output: str) -> dict[str, tuple[str, list[str]]]:
    # The account table's section, and the Samverkan demo's for the outside organisations' admins.
    sections = [part.split("Organisationer", 1)[0] for part in output.split("Tvåfaktorsinloggning")[1:]]
    found = {}
    for line in "\n".join(sections).splitlines():
        match = re.match(r"^(\S+@\S+\.demo)\s+([A-Z2-7]{32})\s+(.*)$", line)
        if match:
            found[match.group(1)] = (match.group(2), match.group(3).split())
    return found


def test_every_role_exists_and_printed_passwords_log_in(debug):
    output = run_demo()
    assert "DEMODATA" in output and "http://127.0.0.1:8000/konto/logga-in/" in output
    passwords = printed_passwords(output)
    users = User.objects.filter(email__endswith=".demo")
    assert set(passwords) == set(users.values_list("email", flat=True))
    for user in users:
        assert authenticate(email=user.email, password=passwords[user.email]) == user
        validate_password(passwords[user.email], user)  # the project's own password rules
    assert len(set(passwords.values())) == len(passwords)  # one password per user
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {r.value for r in Role}
    for role in Role:
        assert Membership.objects.filter(organisation__name="Tomelilla kommun", role=role).exists(), role
    assert User.objects.get(email="analytiker@tomelilla.demo").memberships.get().role == "analyst"
    multi = [u for u in users if u.memberships.values("organisation").distinct().count() >= 2]
    assert multi, "someone must be able to switch organisation"


def test_two_factor_accounts_get_a_working_printed_secret_and_recovery_codes(debug):
    output = run_demo()
    printed = printed_two_factor(output)
    required = {
        m.user.email
        for m in Membership.objects.filter(role__in=["admin", "caseworker"]).select_related("user")
    }
    assert set(printed) == required
    for email, (secret, codes) in printed.items():
        user = User.objects.get(email=email)
        assert user.has_two_factor
        code = pyotp.TOTP(secret).now()
        assert security.verify_totp(user, code), email  # the other helper's verifier accepts it
        assert codes, email
        assert security.use_recovery_code(user, codes[0]), email
        assert not security.use_recovery_code(user, codes[0])  # one-time
    # A rerun prints only the codes that were not used yet, and changes nothing else.
    before = AuditEntry.objects.count()
    again = printed_two_factor(run_demo())
    assert AuditEntry.objects.count() == before
    for email, (secret, codes) in printed.items():
        assert again[email] == (secret, codes[1:])


def test_board_member_and_federation_chief_are_linked_to_their_seats(demo_world):
    viewer = User.objects.get(email="lasare@sodravatterbygden.demo")
    seat = Seat.objects.get(user=viewer)
    assert (seat.body.kind, seat.role) == ("styrelse", "politician")
    assert viewer.memberships.get().role == "viewer"


def test_a_newcomer_gets_in_through_the_login_pages_with_the_printout(debug, client):
    """Password step, then the TOTP code from the printed secret, then the start page (no set-up detour)."""
    output = run_demo()
    email = "admin@tomelilla.demo"
    password = printed_passwords(output)[email]
    secret, _codes = printed_two_factor(output)[email]
    response = client.post("/konto/logga-in/", {"email": email, "password": password})
    assert response.status_code == 302 and response.url.endswith("/konto/logga-in/kod/")
    response = client.post("/konto/logga-in/kod/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    home = client.get(response.url, follow=True)
    assert home.status_code == 200
    assert home.wsgi_request.user.email == email
    assert not any("/tvafaktor/" in url for url, _status in home.redirect_chain)  # no forced set-up
    assert AuditEntry.objects.filter(action="auth.login", actor__email=email).exists()


def test_a_user_without_two_factor_logs_in_with_the_password_only(debug, client):
    output = run_demo()
    email = "analytiker@tomelilla.demo"
    response = client.post("/konto/logga-in/", {"email": email, "password": printed_passwords(output)[email]})
    assert response.status_code == 302 and "/logga-in/" not in response.url
    assert client.get(response.url).status_code == 200
