"""API: invitations to an RFI, a grant round or an IOP (mounted at /api/v1/sourcing/invitations).

Thin like the pages: ``access`` on the invited-to object, the services, schemas out. The token is sent
by e-mail only; the API never returns it."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from insats.accounts import access
from insats.accounts.models import Organisation
from insats.platform.api import ERRORS, WRITE_ERRORS, actor_of, field_errors

from . import registry, services
from .models import ProcessInvitation

router = Router(tags=["Samverkan"])


class InvitationOut(Schema):
    id: int
    kind: str = Field(description="rfi, grant or iop.")
    object_id: str
    organisation_id: int = Field(description="The inviting organisation.")
    invited_organisation_id: int | None = Field(description="An organisation picked from the directory.")
    email: str
    status: str = Field(description="open, accepted, revoked or expired.")
    created_at: datetime.datetime
    expires_at: datetime.datetime
    accepted_at: datetime.datetime | None
    accepted_by_organisation_id: int | None
    revoked_at: datetime.datetime | None


class InvitationIn(Schema):
    kind: str = Field(description="rfi, grant or iop.")
    object_id: int
    organisation_ids: list[int] = Field(default_factory=list, description="Organisations in the directory.")
    emails: list[str] = Field(default_factory=list, description="Addresses of organisations not in Insats.")


def _out(inv: ProcessInvitation) -> dict:
    return {
        "id": inv.pk,
        "kind": inv.kind,
        "object_id": inv.object_id,
        "organisation_id": inv.organisation_id,
        "invited_organisation_id": inv.invited_organisation_id,
        "email": inv.email,
        "status": inv.status,
        "created_at": inv.created_at,
        "expires_at": inv.expires_at,
        "accepted_at": inv.accepted_at,
        "accepted_by_organisation_id": inv.accepted_by_organisation_id,
        "revoked_at": inv.revoked_at,
    }


def _object(actor, kind: str, object_id: int):
    entry = registry.get(kind)
    if entry is None:
        raise Http404
    return access.get_or_404(actor, entry.model.objects.all(), entry.ability, pk=object_id)


@router.get(
    "",
    response={200: list[InvitationOut], **ERRORS},
    operation_id="sourcing_invitations_list",
    summary="The invitations to one RFI, grant round or IOP, with their status",
)
def invitations_list(request, kind: str = Query(...), object_id: int = Query(...)):
    actor = actor_of(request)
    access.check(actor, "sourcing.invite")
    obj = _object(actor, kind, object_id)
    return [_out(i) for i in services.invitations_of(obj)]


@router.post(
    "",
    response={201: list[InvitationOut], **WRITE_ERRORS},
    operation_id="sourcing_invitations_create",
    summary="Invite organisations (from the directory) and e-mail addresses; each gets a link by e-mail",
)
def invitations_create(request, payload: InvitationIn):
    actor = actor_of(request)
    access.check(actor, "sourcing.invite")
    obj = _object(actor, payload.kind, payload.object_id)
    directory = access.scope(actor, Organisation.objects.all(), "organisation.view")
    orgs = list(directory.filter(pk__in=payload.organisation_ids))
    missing = sorted(set(payload.organisation_ids) - {o.pk for o in orgs})
    errors: dict[str, list[str]] = {}
    if missing:
        errors["organisation_ids"] = [
            _("Okänd organisation: %(ids)s") % {"ids": ", ".join(str(m) for m in missing)}
        ]
    for number, email in enumerate(payload.emails, start=1):
        try:
            validate_email((email or "").strip())
        except ValidationError:
            errors.setdefault("emails", []).append(
                _("Rad %(line)d: ”%(text)s” är ingen giltig e-postadress.")
                % {"line": number, "text": email[:80]}
            )
    try:
        if errors:
            raise ValidationError(errors)
        made = services.invitation_create(
            actor=actor,
            kind=payload.kind,
            obj=obj,
            organisations=orgs,
            emails=payload.emails,
            base_url=request.build_absolute_uri("/"),
        )
    except ValidationError as exc:
        raise field_errors(exc, rename={"organisations": "organisation_ids"}) from None
    return Status(201, [_out(i) for i, _token in made])


@router.post(
    "/{invitation_id}/revoke",
    response={200: InvitationOut, **WRITE_ERRORS},
    operation_id="sourcing_invitations_revoke",
    summary="Revoke an open invitation: its link stops working",
)
def invitations_revoke(request, invitation_id: int):
    actor = actor_of(request)
    invitation = access.get_or_404(
        actor, ProcessInvitation.objects.all(), "sourcing.invite", pk=invitation_id
    )
    try:
        invitation = services.invitation_revoke(actor=actor, invitation=invitation)
    except ValidationError as exc:
        raise field_errors(exc) from None
    return _out(invitation)
