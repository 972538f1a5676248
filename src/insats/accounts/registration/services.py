"""Self-registration of an outside organisation and its verification (issue 10 item 1).

An idéburen organisation, a social enterprise, a company or a university that is not yet in Insats
registers itself: the organisation (``self_registered``, ``invited_by`` when it came through a
process invitation), its first user and that user's admin membership, in one transaction and audited.
It stays "Självregistrerad – ej verifierad" until the inviting organisation's admin or an operator
verifies it. Registrations are counted per client address like failed logins (``ThrottleBucket``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insats.accounts import security
from insats.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from insats.accounts.services import membership_add
from insats.accounts.validators import normalise_org_number
from insats.audit.services import log_action

# Outside organisations only: public bodies are set up by an operator.
OUTSIDE_KINDS = (
    OrganisationKind.IDEBUREN,
    OrganisationKind.SOCIALT_FORETAG,
    OrganisationKind.FORETAG,
    OrganisationKind.LAROSATE,
)

# Says no more than that the number is taken: not who holds it, nor whether it was verified.
DUPLICATE_MESSAGE = gettext_lazy(
    "Organisationsnumret finns redan i Insats — be organisationens administratör om en inbjudan."
)


# --- throttling -------------------------------------------------------------------------------------


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_IP_WINDOW_MINUTES)


def _key(request) -> str:
    return f"register:{security.client_ip(request)}"


def retry_after(request, *, now: datetime | None = None) -> int | None:
    """Seconds this address must wait before it may try to register again, or None.

    Every registration attempt (a POST, successful or not) counts; the limit and the window are the
    login's per-address ones (``LOGIN_IP_FAILURE_LIMIT`` in ``LOGIN_IP_WINDOW_MINUTES``)."""
    now = now or timezone.now()
    bucket = security._bucket(_key(request), now, _window())
    if bucket is None or bucket.count < settings.LOGIN_IP_FAILURE_LIMIT:
        return None
    return security._retry_after(bucket, now, _window())


def count_attempt(request, *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    bucket = security._count(_key(request), now, _window())
    if bucket.count == settings.LOGIN_IP_FAILURE_LIMIT:
        ip = security.client_ip(request)
        log_action(
            "accounts.registration.throttled",
            object_type="accounts.address",
            object_label=ip,
            changes={
                "ip": ip,
                "limit": settings.LOGIN_IP_FAILURE_LIMIT,
                "minutes": settings.LOGIN_IP_WINDOW_MINUTES,
            },
        )


# --- registration -----------------------------------------------------------------------------------


def check_org_number(value: str) -> str:
    """The normalised number; ValidationError (format, checksum, or taken) naming the field."""
    try:
        number = normalise_org_number(value)
    except ValidationError as exc:
        raise ValidationError({"org_number": exc.messages}) from None
    if Organisation.objects.filter(org_number=number).exists():
        raise ValidationError({"org_number": [DUPLICATE_MESSAGE]})
    return number


@transaction.atomic
def organisation_register(
    *,
    name: str,
    org_number: str,
    kind: str,
    contact_email: str,
    full_name: str,
    email: str,
    password: str,
    invited_by: Organisation | None = None,
) -> Membership:
    """Create the organisation, its first user and the user's admin membership (all or nothing)."""
    errors: dict[str, list] = {}
    name = (name or "").strip()
    full_name = (full_name or "").strip()
    email = security.normalise_email(email)
    if not name:
        errors["name"] = [_("Ange organisationens namn.")]
    if kind not in OUTSIDE_KINDS:
        errors["kind"] = [
            _("Välj idéburen organisation, socialt företag, företag eller lärosäte/forskningsinstitut.")
        ]
    try:
        number = check_org_number(org_number)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        number = ""
    if not full_name:
        errors["full_name"] = [_("Ange ditt namn.")]
    if not email:
        errors["email"] = [_("Ange din e-postadress.")]
    elif User.objects.filter(email=email).exists():
        errors["email"] = [
            _("Det finns redan ett konto för adressen. Logga in och be er administratör om en inbjudan.")
        ]
    try:
        validate_password(password, User(email=email, full_name=full_name))
    except ValidationError as exc:
        errors["password1"] = exc.messages
    if errors:
        raise ValidationError(errors)

    org = Organisation(
        name=name,
        org_number=number,
        kind=kind,
        contact_email=(contact_email or "").strip().lower(),
        self_registered=True,
        invited_by=invited_by,
    )
    try:
        org.full_clean()
        with transaction.atomic():
            org.save()
    except ValidationError as exc:
        if "org_number" in exc.message_dict:
            raise ValidationError({"org_number": [DUPLICATE_MESSAGE]}) from None
        raise
    except IntegrityError:  # registered a moment ago by someone else
        raise ValidationError({"org_number": [DUPLICATE_MESSAGE]}) from None
    user = User.objects.create_user(email, password, full_name=full_name)
    log_action(
        "accounts.organisation.registered",
        actor=user,
        organisation=org,
        obj=org,
        changes={
            "name": org.name,
            "org_number": org.org_number,
            "kind": org.kind,
            "contact_email": org.contact_email,
            "invited_by": invited_by.name if invited_by else None,
        },
    )
    log_action(
        "accounts.user.created",
        actor=user,
        organisation=org,
        obj=user,
        changes={"email": user.email, "full_name": full_name},
    )
    return membership_add(actor=user, user=user, organisation=org, role=Role.ADMIN)


# --- verification -----------------------------------------------------------------------------------


def unverified():
    """Self-registered organisations nobody has verified yet, newest first."""
    return (
        Organisation.objects.filter(self_registered=True, verified_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )


@transaction.atomic
def organisation_verify(*, actor, organisation: Organisation) -> Organisation:
    """Mark a self-registered organisation verified (who and when); audited. The caller checked access."""
    user = getattr(actor, "user", actor)
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not org.self_registered:
        raise ValidationError(_("Organisationen är inte självregistrerad."))
    if org.verified_at is not None:
        raise ValidationError(_("Organisationen är redan verifierad."))
    org.verified_at = timezone.now()
    org.verified_by = user
    org.save(update_fields=["verified_at", "verified_by"])
    log_action(
        "accounts.organisation.verified",
        actor=user,
        organisation=org,
        obj=org,
        changes={"verified_by": getattr(user, "email", None), "verified_at": org.verified_at},
    )
    return org
