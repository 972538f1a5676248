"""Invitations to a process (RFI, grant round, IOP) by e-mail: create, accept, revoke. Each audited.

Creating sends the link (``sourcing:invitation_accept``) after commit: to the typed address, or — for
an organisation picked from the directory — to that organisation's administrators. Accepting, as a
member of an organisation, runs the kind's accept hook (default ``accounts.services.share_create``)
so the organisation sees the object; the invitation is used up.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.accounts.models import Membership, Organisation, Role
from insats.accounts.services import active_shares, share_create
from insats.audit.services import log_action

from . import registry
from .models import ProcessInvitation

INVITATION_DAYS = 30


def _user_of(actor):
    return getattr(actor, "user", actor)


def invitations_of(obj):
    """Every invitation to ``obj``, newest first, with the organisations named."""
    return ProcessInvitation.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("invited_organisation", "accepted_by_organisation", "invited_by", "organisation")


def invitation_for_token(token: str) -> ProcessInvitation | None:
    """The invitation the token belongs to, whatever its status (None for an unknown token)."""
    if not token:
        return None
    return (
        ProcessInvitation.objects.select_related("organisation", "invited_organisation", "content_type")
        .filter(token_hash=ProcessInvitation.hash(token))
        .first()
    )


def _admin_emails(organisation: Organisation) -> list[str]:
    return sorted(
        set(
            Membership.objects.filter(
                organisation=organisation, role=Role.ADMIN, user__is_active=True
            ).values_list("user__email", flat=True)
        )
    )


def _send(invitation: ProcessInvitation, obj, kind, token: str, base_url: str | None) -> None:
    link = (base_url or settings.SITE_URL).rstrip("/") + reverse(
        "sourcing:invitation_accept", kwargs={"token": token}
    )
    if invitation.invited_organisation_id:
        recipients = _admin_emails(invitation.invited_organisation)
        if invitation.email and invitation.email not in recipients:
            recipients.append(invitation.email)
    else:
        recipients = [invitation.email]
    if not recipients:
        return
    body = render_to_string(
        "sourcing/invitations/email.txt",
        {
            "invitation": invitation,
            "title": str(obj),
            "what": kind.label,
            "link": link,
            "inviter": invitation.invited_by,
            "days": INVITATION_DAYS,
            "expires": invitation.expires_at,
        },
    )
    subject = _("Inbjudan från %(org)s: %(title)s") % {
        "org": invitation.organisation.name,
        "title": str(obj)[:120],
    }
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients))


@transaction.atomic
def invitation_create(
    *,
    actor,
    kind: str,
    obj,
    organisations=(),
    emails=(),
    base_url: str | None = None,
) -> list[tuple[ProcessInvitation, str]]:
    """Invite each organisation and each address to ``obj``; all or nothing. Returns (invitation, token).

    Refused, naming the row: an organisation that owns the object, already sees it or has an open
    invitation; an address with an open invitation. The caller checked ``kind``'s ability on ``obj``.
    """
    entry = registry.get(kind)
    if entry is None or not isinstance(obj, entry.model):
        raise ValidationError({"kind": _("Okänd typ av process.")})
    organisations = list(organisations)
    emails = [e.strip().lower() for e in emails if e and e.strip()]
    if not organisations and not emails:
        raise ValidationError(
            {"organisations": _("Välj minst en organisation eller skriv minst en e-postadress.")}
        )
    owner = obj.organisation
    user = _user_of(actor)
    ct = ContentType.objects.get_for_model(obj)
    open_invitations = [i for i in invitations_of(obj) if i.is_open]
    shared_with = set(active_shares(obj).values_list("organisation_id", flat=True))
    errors: dict[str, list[str]] = {}
    for org in organisations:
        if org.pk == owner.pk:
            errors.setdefault("organisations", []).append(
                _("%(org)s äger redan processen.") % {"org": org.name}
            )
        elif org.pk in shared_with:
            errors.setdefault("organisations", []).append(
                _("%(org)s har redan tillgång till processen.") % {"org": org.name}
            )
        elif any(i.invited_organisation_id == org.pk for i in open_invitations):
            errors.setdefault("organisations", []).append(
                _("%(org)s har redan en öppen inbjudan.") % {"org": org.name}
            )
    seen: set[str] = set()
    for line, email in enumerate(emails, start=1):
        if email in seen:
            errors.setdefault("emails", []).append(
                _("Rad %(line)d: %(email)s står redan på en tidigare rad.") % {"line": line, "email": email}
            )
        elif any(i.email == email and not i.invited_organisation_id for i in open_invitations):
            errors.setdefault("emails", []).append(
                _("Rad %(line)d: %(email)s har redan en öppen inbjudan.") % {"line": line, "email": email}
            )
        seen.add(email)
    if errors:
        raise ValidationError(errors)

    expires = timezone.now() + timedelta(days=INVITATION_DAYS)
    made: list[tuple[ProcessInvitation, str]] = []
    targets = [(org, org.contact_email) for org in organisations] + [(None, e) for e in emails]
    for org, email in targets:
        token, token_hash = ProcessInvitation.new_token()
        invitation = ProcessInvitation(
            organisation=owner,
            kind=kind,
            content_type=ct,
            object_id=str(obj.pk),
            email=email or "",
            invited_organisation=org,
            token_hash=token_hash,
            expires_at=expires,
            invited_by=user,
        )
        invitation.full_clean()
        invitation.save()
        log_action(
            "sourcing.invitation.sent",
            actor=user,
            organisation=owner,
            obj=obj,
            changes={
                "invitation": invitation.pk,
                "kind": kind,
                "organisation": org.name if org else None,
                "email": email or None,
                "expires_at": expires,
            },
        )
        _send(invitation, obj, entry, token, base_url)
        made.append((invitation, token))
    return made


@transaction.atomic
def invitation_revoke(*, actor, invitation: ProcessInvitation) -> ProcessInvitation:
    invitation = ProcessInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(
            _("Inbjudan är inte öppen längre (%(status)s).") % {"status": invitation.status_label}
        )
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    log_action(
        "sourcing.invitation.revoked",
        actor=_user_of(actor),
        organisation=invitation.organisation,
        obj=invitation.target,
        changes={"invitation": invitation.pk, "to": str(invitation)},
    )
    return invitation


@transaction.atomic
def invitation_accept(*, actor, invitation: ProcessInvitation):
    """Accept for the actor's organisation: the kind's hook (default: share the object). The object."""
    invitation = ProcessInvitation.objects.select_for_update().get(pk=invitation.pk)
    organisation = actor.organisation
    if organisation is None:
        raise ValidationError(_("Du måste agera för en organisation för att tacka ja."))
    if not invitation.is_open:
        raise ValidationError(
            _("Inbjudan gäller inte längre (%(status)s).") % {"status": invitation.status_label}
        )
    if invitation.invited_organisation_id and invitation.invited_organisation_id != organisation.pk:
        raise ValidationError(
            _("Inbjudan gäller %(org)s. Byt till den organisationen för att tacka ja.")
            % {"org": invitation.invited_organisation.name}
        )
    entry = registry.get(invitation.kind)
    obj = invitation.target
    if entry is None or obj is None:
        raise ValidationError(_("Processen finns inte längre."))
    if organisation.pk == invitation.organisation_id:
        raise ValidationError(_("Er organisation äger processen själv."))
    hook = entry.hook_function()
    if hook is not None:
        hook(actor, obj, organisation)
    elif not active_shares(obj).filter(organisation=organisation).exists():
        share_create(
            actor=actor,
            owner=invitation.organisation,
            obj=obj,
            organisation=organisation,
            purpose=entry.purpose,
            action="sourcing.invitation.shared",
            changes={"shared_with": organisation.name, "purpose": entry.purpose, "invitation": invitation.pk},
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by_organisation = organisation
    invitation.save(update_fields=["accepted_at", "accepted_by_organisation"])
    log_action(
        "sourcing.invitation.accepted",
        actor=_user_of(actor),
        organisation=organisation,
        obj=obj,
        changes={"invitation": invitation.pk, "organisation": organisation.name},
    )
    return obj
