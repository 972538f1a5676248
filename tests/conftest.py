"""Shared fixtures: a small world of organisations and a user for every role in each.

``world`` builds, per test, an owning organisation (Tomelilla kommun), a partner of it (RISE), an
unrelated organisation (Familjeforum i Lund AB) and a samordningsförbund with Tomelilla as member,
each with one user per role. ``login(client, user, org)`` logs a user in acting for ``org``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest

from insats.accounts import services
from insats.accounts.middleware import SESSION_KEY
from insats.accounts.models import Membership, Organisation, Role, User
from insats.accounts.validators import luhn_ok

ROLES = [r.value for r in Role]
PASSWORD = "Testlösenord-123"


def org_number(seed: int) -> str:
    """A valid organisationsnummer (third digit ≥ 2, Luhn check digit) derived from ``seed``."""
    base = f"55{seed:07d}"[:9]
    base = base[:2] + "2" + base[3:]
    for check in range(10):
        if luhn_ok(base + str(check)):
            return f"{base[:6]}-{base[6:]}{check}"
    raise AssertionError("unreachable")


@dataclass
class World:
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[tuple[str, str], User] = field(default_factory=dict)

    def user(self, org: str, role: str) -> User:
        return self.users[(org, role)]

    def membership(self, org: str, role: str) -> Membership:
        return Membership.objects.get(user=self.users[(org, role)], organisation=self.orgs[org], role=role)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def build_world() -> World:
    w = World()
    specs = {
        "owner": ("Tomelilla kommun", "kommun", "1270"),
        "partner": ("RISE Research Institutes of Sweden", "larosate", ""),
        "unrelated": ("Familjeforum i Lund AB", "foretag", ""),
        "federation": ("Samordningsförbundet Test", "samordningsforbund", ""),
    }
    for i, (key, (name, kind, code)) in enumerate(specs.items()):
        w.orgs[key] = services.organisation_create(
            actor=None, name=name, org_number=org_number(1000 + i), kind=kind, area_code=code
        )
    for key in specs:
        for role in ROLES:
            user = User.objects.create_user(
                f"{role}@{key}.test", PASSWORD, full_name=f"{role.title()} {key.title()}"
            )
            services.membership_add(actor=None, user=user, organisation=w.orgs[key], role=role)
            w.users[(key, role)] = user
    services.partnership_create(
        actor=None,
        organisation=w.orgs["owner"],
        partner=w.orgs["partner"],
        level=5,
        valid_from=datetime.date(2024, 1, 1),
        description="Innovationspartnerskap",
    )
    services.federation_set_member(
        actor=None, federation=w.orgs["federation"], member=w.orgs["owner"], financing_share=25
    )
    return w


@pytest.fixture
def world(db) -> World:
    return build_world()


def login(client, user: User, org: Organisation | None = None) -> None:
    """Log ``user`` in (second factor passed) acting for their membership in ``org``.

    A user whose role requires two-factor authentication and who has none is first enrolled the
    real way (``security.enable_two_factor`` with a secret and a current code), so the session is
    an honest "passed the second factor" one and TwoFactorRequiredMiddleware lets it through.
    """
    client.force_login(user, backend="insats.accounts.backends.EmailBackend")
    session = client.session
    membership = user.memberships.filter(organisation=org).first() if org else user.memberships.first()
    if membership:
        session[SESSION_KEY] = membership.pk
    mark_second_factor_passed(session, user)
    session.save()


def mark_second_factor_passed(session, user: User) -> None:
    """Record in ``session`` that the user passed the second factor (see accounts/security.py)."""
    import pyotp

    from insats.accounts import security

    if security.requires_two_factor(user) and not user.has_two_factor:
        secret = security.new_secret()
        security.enable_two_factor(user, secret, pyotp.TOTP(secret).now())
    security.mark_verified(session, user)


# --- the lists the migrations seed, back after a flush ---------------------------------------------

# Browser tests run in transactions that commit (the live server's thread must see the data), so
# pytest-django empties every table after them — including what data migrations seeded: the areas,
# the shared risk and protective factors, the default age bands and named methods. A later test in
# the same worker would then find them missing. Each test that uses the database gets them back.
SEEDING_MIGRATIONS = [
    ("situation", "0002_load_areas", "load"),
    ("situation", "0005_seed_factors", "load"),
    ("situation", "0007_factor_source_titles", "forwards"),
    ("interventions", "0002_default_age_bands_and_methods", "forwards"),
    ("sourcing", "0004_thresholds_data", "forwards"),
]


def reseed_if_flushed() -> bool:
    """Run the seeding migrations again if a flush emptied their tables; True if it did."""
    import importlib

    from django.apps import apps

    from insats.interventions.catalogue.models import AgeBand
    from insats.situation.models import Area
    from insats.situation.models_plans import Factor

    seeded = (
        Area.objects.exists()
        and Factor.objects.filter(organisation__isnull=True).exists()
        and AgeBand.objects.filter(organisation__isnull=True).exists()
    )
    if seeded:
        return False
    for app, name, function in SEEDING_MIGRATIONS:
        module = importlib.import_module(f"insats.{app}.migrations.{name}")
        getattr(module, function)(apps, None)
    return True


@pytest.fixture(autouse=True)
def _seeded_lists(request):
    if request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames):
        request.getfixturevalue("_django_db_helper")
        reseed_if_flushed()
    yield
