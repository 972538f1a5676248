"""Workflows for organisations, memberships, invitations, partnerships and bodies. Each one audits."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.audit.services import diff_fields, log_action, snapshot

from .models import (
    FederationMember,
    GovernanceBody,
    Invitation,
    Membership,
    Organisation,
    Partnership,
    PartnershipLevel,
    Role,
    Seat,
    User,
)

INVITATION_DAYS = 14


def _save_logged(obj, *, action: str, actor, organisation, before: dict | None = None):
    obj.full_clean()
    obj.save()
    after = snapshot(obj, list(before) if before else None)
    log_action(action, actor=actor, organisation=organisation, obj=obj, changes=diff_fields(before, after))
    return obj


@transaction.atomic
def organisation_create(
    *, actor, name: str, org_number: str, kind: str, area_code: str = "", description: str = ""
) -> Organisation:
    org = Organisation(
        name=name, org_number=org_number, kind=kind, area_code=area_code, description=description
    )
    return _save_logged(org, action="accounts.organisation.created", actor=actor, organisation=org)


@transaction.atomic
def organisation_update(*, actor, organisation: Organisation, **fields) -> Organisation:
    before = snapshot(organisation)
    for key, value in fields.items():
        setattr(organisation, key, value)
    return _save_logged(
        organisation,
        action="accounts.organisation.changed",
        actor=actor,
        organisation=organisation,
        before=before,
    )


@transaction.atomic
def membership_add(*, actor, user: User, organisation: Organisation, role: str) -> Membership:
    membership, created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    if created:
        log_action(
            "accounts.membership.added",
            actor=actor,
            organisation=organisation,
            obj=membership,
            changes={"user": user.email, "role": role},
        )
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    org = membership.organisation
    if (
        membership.role == Role.ADMIN
        and not org.memberships.filter(role=Role.ADMIN).exclude(pk=membership.pk).exists()
    ):
        raise ValidationError(_("Organisationen måste ha minst en administratör."))
    log_action(
        "accounts.membership.removed",
        actor=actor,
        organisation=org,
        obj=membership,
        changes={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def invitation_create(
    *, actor, organisation: Organisation, email: str, role: str, base_url: str | None = None
) -> tuple[Invitation, str]:
    email = email.strip().lower()
    if Membership.objects.filter(user__email=email, organisation=organisation, role=role).exists():
        raise ValidationError({"email": _("Personen har redan den rollen i organisationen.")})
    token, token_hash = Invitation.new_token()
    invitation = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=token_hash,
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    log_action(
        "accounts.invitation.sent",
        actor=actor,
        organisation=organisation,
        obj=invitation,
        object_label=email,
        changes={"email": email, "role": role},
    )
    link = (base_url or settings.SITE_URL).rstrip("/") + reverse("accounts:accept", args=[token])
    body = render_to_string(
        "accounts/email/invitation.txt",
        {
            "invitation": invitation,
            "link": link,
            "inviter": actor,
            "days": INVITATION_DAYS,
            "role": Role(role).label,
        },
    )
    transaction.on_commit(
        lambda: send_mail(
            _("Inbjudan till Insats från %(org)s") % {"org": organisation.name},
            body,
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
    )
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("organisation").filter(token_hash=Invitation.hash(token)).first()
    )
    return invitation if invitation and invitation.is_open else None


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: User | None = None, full_name: str = "", password: str = ""
) -> Membership:
    """Accept as the logged-in ``user``, or create the account for the invited e-mail address."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("Inbjudan är inte längre giltig."))
    if user is None:
        if User.objects.filter(email=invitation.email).exists():
            raise ValidationError(_("Det finns redan ett konto för adressen. Logga in först."))
        user = User.objects.create_user(invitation.email, password, full_name=full_name)
        log_action(
            "accounts.user.created",
            actor=user,
            organisation=invitation.organisation,
            obj=user,
            changes={"email": user.email, "full_name": full_name},
        )
    elif user.email != invitation.email:
        raise ValidationError(_("Inbjudan gäller en annan e-postadress."))
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership_add(actor=user, user=user, organisation=invitation.organisation, role=invitation.role)


@transaction.atomic
def invitation_revoke(*, actor, invitation: Invitation) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    log_action(
        "accounts.invitation.revoked",
        actor=actor,
        organisation=invitation.organisation,
        obj=invitation,
        object_label=invitation.email,
    )


@transaction.atomic
def partnership_create(
    *,
    actor,
    organisation: Organisation,
    partner: Organisation,
    level: int,
    valid_from: date,
    description: str = "",
    note: str = "",
) -> Partnership:
    if Partnership.objects.filter(organisation=partner, partner=organisation).exists():
        raise ValidationError({"partner": _("Det finns redan ett partnerskap mellan organisationerna.")})
    partnership = Partnership(organisation=organisation, partner=partner, description=description)
    partnership.full_clean()
    partnership.save()
    log_action(
        "accounts.partnership.created",
        actor=actor,
        organisation=organisation,
        obj=partnership,
        changes={"partner": partner.name, "description": description},
    )
    partnership_set_level(actor=actor, partnership=partnership, level=level, valid_from=valid_from, note=note)
    return partnership


@transaction.atomic
def partnership_set_level(
    *,
    actor,
    partnership: Partnership,
    level: int,
    valid_from: date,
    note: str = "",
    acting_for: Organisation | None = None,
) -> PartnershipLevel:
    """Record a new level from ``valid_from``. The log entry is filed under ``acting_for`` (the side
    that made the change), so that side's admins find it in their log."""
    previous = partnership.level_on(valid_from)
    entry = PartnershipLevel(
        partnership=partnership, level=level, valid_from=valid_from, note=note, recorded_by=actor
    )
    entry.full_clean()
    entry.save()
    log_action(
        "accounts.partnership.level_changed",
        actor=actor,
        organisation=acting_for or partnership.organisation,
        obj=partnership,
        changes={"level": [previous, level], "valid_from": valid_from.isoformat(), "note": note},
    )
    return entry


@transaction.atomic
def partnership_end(
    *, actor, partnership: Partnership, ended_on: date, acting_for: Organisation | None = None
) -> Partnership:
    before = snapshot(partnership, ["ended_on"])
    partnership.ended_on = ended_on
    return _save_logged(
        partnership,
        action="accounts.partnership.ended",
        actor=actor,
        organisation=acting_for or partnership.organisation,
        before=before,
    )


@transaction.atomic
def federation_set_member(
    *, actor, federation: Organisation, member: Organisation, financing_share: Decimal
) -> FederationMember:
    row = FederationMember.objects.filter(federation=federation, member=member).first()
    before = snapshot(row, ["financing_share"]) if row else None
    row = row or FederationMember(federation=federation, member=member)
    row.financing_share = Decimal(financing_share)
    row.full_clean()
    others = sum(
        FederationMember.objects.filter(federation=federation)
        .exclude(member=member)
        .values_list("financing_share", flat=True),
        Decimal(0),
    )
    if others + row.financing_share > Decimal(100):
        raise ValidationError(
            {
                "financing_share": _("Andelarna blir %(total)s %% tillsammans; de får inte överstiga 100 %%.")
                % {"total": others + row.financing_share}
            }
        )
    row.save()
    log_action(
        "accounts.federation.member_set",
        actor=actor,
        organisation=federation,
        obj=row,
        object_label=f"{federation} / {member}",
        changes=diff_fields(before, snapshot(row, ["financing_share"])) | {"member": member.name},
    )
    return row


@transaction.atomic
def body_create(
    *, actor, organisation: Organisation, kind: str, name: str, description: str = ""
) -> GovernanceBody:
    body = GovernanceBody(organisation=organisation, kind=kind, name=name, description=description)
    return _save_logged(body, action="accounts.body.created", actor=actor, organisation=organisation)


@transaction.atomic
def seat_add(
    *,
    actor,
    body: GovernanceBody,
    person_name: str,
    represents: Organisation,
    role: str,
    term_start: date,
    term_end: date | None = None,
    user: User | None = None,
) -> Seat:
    seat = Seat(
        body=body,
        person_name=person_name,
        represents=represents,
        role=role,
        term_start=term_start,
        term_end=term_end,
        user=user,
    )
    return _save_logged(seat, action="accounts.seat.added", actor=actor, organisation=body.organisation)


@transaction.atomic
def seat_end(*, actor, seat: Seat, term_end: date) -> Seat:
    before = snapshot(seat, ["term_end"])
    seat.term_end = term_end
    return _save_logged(
        seat, action="accounts.seat.ended", actor=actor, organisation=seat.body.organisation, before=before
    )


def _user_of(actor):
    """The user behind ``actor`` (an ``access.Actor`` or a user, or None)."""
    if actor is None or isinstance(actor, User):
        return actor
    return getattr(actor, "user", actor)


def active_shares(obj):
    """The shares of ``obj`` that have not been revoked, with the receiving organisation."""
    from django.contrib.contenttypes.models import ContentType

    from .models import Share

    return Share.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk), revoked_at__isnull=True
    ).select_related("organisation", "granted_by", "owner")


@transaction.atomic
def share_create(
    *, actor, owner: Organisation, obj, organisation: Organisation, purpose: str, action: str, changes=None
):
    """THE way an object is shared: check, create the :class:`Share` and audit it as ``action``.

    Domain services that share their own objects (a cause analysis, an intervention) call this with
    their own audit action; :func:`share_grant` is the generic sharing page's entry."""
    from django.contrib.contenttypes.models import ContentType

    from .models import Share

    if organisation.pk == owner.pk:
        raise ValidationError({"organisation": _("Organisationen äger redan objektet.")})
    if not (purpose or "").strip():
        raise ValidationError({"purpose": _("Ange syftet med delningen.")})
    if active_shares(obj).filter(organisation=organisation).exists():
        raise ValidationError(
            {"organisation": _("Objektet är redan delat med %(org)s.") % {"org": organisation}}
        )
    user = _user_of(actor)
    share = Share(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        owner=owner,
        organisation=organisation,
        purpose=purpose.strip(),
        granted_by=user,
    )
    share.full_clean()
    share.save()
    if changes is None:
        changes = {"shared_with": organisation.name, "purpose": share.purpose}
    log_action(action, actor=user, organisation=owner, obj=obj, changes=changes)
    return share


@transaction.atomic
def share_end(*, actor, share, action: str, obj=None, changes=None) -> None:
    """Revoke ``share`` and audit it as ``action`` (on ``obj`` when given, else the share's target)."""
    share.revoked_at = timezone.now()
    share.save(update_fields=["revoked_at"])
    if changes is None:
        changes = {"shared_with": share.organisation.name, "purpose": share.purpose}
    if obj is not None:
        log_action(action, actor=_user_of(actor), organisation=share.owner, obj=obj, changes=changes)
        return
    log_action(
        action,
        actor=_user_of(actor),
        organisation=share.owner,
        object_type=share.content_type.app_label + "." + share.content_type.model,
        object_id=share.object_id,
        object_label=str(share.target)[:300],
        changes=changes,
    )


def share_notify(share, *, what: str, link: str) -> int:
    """E-mail the receiving organisation's administrators that ``share`` was granted (after commit).

    ``what`` names the object for people (”insatsen Enter”), ``link`` is where they find it.
    Returns the number of recipients."""
    recipients = sorted(
        set(
            Membership.objects.filter(
                organisation=share.organisation, role=Role.ADMIN, user__is_active=True
            ).values_list("user__email", flat=True)
        )
    )
    if not recipients:
        return 0
    body = render_to_string(
        "accounts/email/share.txt",
        {"share": share, "what": what, "link": link, "granted_by": share.granted_by},
    )
    subject = _("%(owner)s har delat %(what)s med %(org)s") % {
        "owner": share.owner.name,
        "what": what,
        "org": share.organisation.name,
    }
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients))
    return len(recipients)


@transaction.atomic
def share_grant(*, actor, owner: Organisation, obj, organisation: Organisation, purpose: str):
    """Share ``obj`` (owned by ``owner``) with ``organisation`` for a named ``purpose``."""
    if not getattr(obj, "shareable", False):
        raise ValidationError(_("Den här sortens objekt kan inte delas."))
    return share_create(
        actor=actor,
        owner=owner,
        obj=obj,
        organisation=organisation,
        purpose=purpose,
        action="accounts.share.granted",
    )


@transaction.atomic
def share_revoke(*, actor, share) -> None:
    share_end(actor=actor, share=share, action="accounts.share.revoked")
