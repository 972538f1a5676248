"""API operations for organisations, memberships and partnerships.

Thin, like the views: parse input (the schemas), ask :mod:`insats.accounts.access`, call a service,
answer with an explicit output schema.
"""

import datetime
from enum import Enum

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from ninja.responses import Status

from insats.audit.reads import log_read
from insats.platform.api import ERRORS, WRITE_ERRORS, Date, ErrorOut, Pagination, actor_of, field_errors

from . import access, services
from .models import (
    CollaborationLevel,
    Membership,
    Organisation,
    OrganisationKind,
    Partnership,
    PartnershipLevel,
)

router = Router(tags=["accounts"])

OrganisationKindParam = Enum("OrganisationKindParam", {k: k for k in OrganisationKind.values}, type=str)


# --- schemas -------------------------------------------------------------------------------------------


class OrganisationRef(Schema):
    id: int
    name: str


class OrganisationOut(Schema):
    id: int
    name: str
    org_number: str = Field(description="Organisationsnummer, NNNNNN-NNNN.")
    kind: str = Field(description="One of: " + ", ".join(OrganisationKind.values))
    kind_label: str
    area_code: str = Field(description="SCB kommunkod (4 digits) or länskod (2 digits), or empty.")
    description: str

    @staticmethod
    def resolve_kind_label(obj: Organisation) -> str:
        return str(obj.get_kind_display())


class OrganisationFilters(Schema):
    kind: OrganisationKindParam | None = Field(None, description="Only organisations of this kind.")
    q: str | None = Field(None, max_length=100, description="Part of the name, case-insensitive.")


class UserRef(Schema):
    id: int
    full_name: str
    email: str


class MembershipOut(Schema):
    id: int
    user: UserRef
    role: str
    role_label: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_role_label(obj: Membership) -> str:
        return str(obj.get_role_display())


class LevelOut(Schema):
    level: int = Field(description="1 Information … 5 Partnerskap (Helsingborg's five levels).")
    level_label: str
    valid_from: datetime.date
    note: str
    recorded_by: str | None = Field(description="Name of the person who recorded the level.")
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_level_label(obj: PartnershipLevel) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_recorded_by(obj: PartnershipLevel) -> str | None:
        return str(obj.recorded_by) if obj.recorded_by_id else None


class PartnershipOut(Schema):
    id: int
    organisation: OrganisationRef
    partner: OrganisationRef
    description: str
    created_at: datetime.datetime
    ended_on: datetime.date | None
    level: int | None = Field(description="The latest recorded level, or null.")
    level_label: str | None

    @staticmethod
    def _current(obj: Partnership) -> PartnershipLevel | None:
        # ``levels`` is prefetched newest first (see _partnerships).
        return next(iter(obj.levels.all()), None)

    @staticmethod
    def resolve_level(obj: Partnership) -> int | None:
        current = PartnershipOut._current(obj)
        return current.level if current else None

    @staticmethod
    def resolve_level_label(obj: Partnership) -> str | None:
        current = PartnershipOut._current(obj)
        return str(current.get_level_display()) if current else None


class PartnershipDetailOut(PartnershipOut):
    levels: list[LevelOut] = Field(description="The level history, newest first.")

    @staticmethod
    def resolve_levels(obj: Partnership) -> list[PartnershipLevel]:
        return list(obj.levels.all())


LEVEL_FIELD = Field(ge=CollaborationLevel.INFORMATION, le=CollaborationLevel.PARTNERSKAP, description="1–5.")


class PartnershipIn(Schema):
    partner_id: int = Field(description="The other organisation's id (see GET /organisations).")
    level: int = LEVEL_FIELD
    valid_from: Date
    description: str = Field("", max_length=5000)
    note: str = Field("", max_length=500, description="Why the level was set.")


class LevelIn(Schema):
    level: int = LEVEL_FIELD
    valid_from: Date
    note: str = Field("", max_length=500)


class PartnershipFilters(Schema):
    active: bool | None = Field(None, description="true: not ended; false: ended.")


# --- selectors ------------------------------------------------------------------------------------------


def _partnerships(actor):
    qs = Partnership.objects.select_related("organisation", "partner").prefetch_related(
        Prefetch(
            "levels",
            queryset=PartnershipLevel.objects.select_related("recorded_by").order_by("-valid_from", "-id"),
        )
    )
    return access.scope(actor, qs, "partnership.view")


def _own_organisation(actor) -> Organisation:
    if actor.organisation is None:  # pragma: no cover - auth requires a membership
        raise HttpError(403, _("Du agerar inte för någon organisation."))
    return actor.organisation


# --- organisations ---------------------------------------------------------------------------------------


@router.get(
    "/organisations",
    response={200: list[OrganisationOut], **ERRORS},
    operation_id="organisations_list",
    summary="List organisations",
)
@paginate(Pagination)
def organisations_list(request, filters: Query[OrganisationFilters]):
    """The directory of organisations, by name. Filter by `kind` and by part of the name (`q`)."""
    actor = actor_of(request)
    access.check(actor, "organisation.view")
    qs = access.scope(actor, Organisation.objects.all(), "organisation.view")
    if filters.kind is not None:
        qs = qs.filter(kind=filters.kind.value)
    if filters.q:
        qs = qs.filter(name__icontains=filters.q.strip())
    return qs.order_by("name", "pk")


@router.get(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, **ERRORS},
    operation_id="organisations_detail",
    summary="One organisation",
)
def organisations_detail(request, organisation_id: int):
    actor = actor_of(request)
    return access.get_or_404(actor, Organisation.objects.all(), "organisation.view", pk=organisation_id)


# --- memberships ------------------------------------------------------------------------------------------


@router.get(
    "/memberships",
    response={200: list[MembershipOut], **ERRORS},
    operation_id="memberships_list",
    summary="Members of your organisation (admins)",
)
@paginate(Pagination)
def memberships_list(request):
    """Who holds which role in the organisation the token acts for. Only its administrators may ask."""
    actor = actor_of(request)
    org = _own_organisation(actor)
    access.check(actor, "membership.view", org)
    qs = access.scope(actor, Membership.objects.select_related("user"), "membership.view")
    log_read(request, org, "accounts.members.read", members=qs.filter(organisation=org).count())
    return qs.filter(organisation=org).order_by("user__full_name", "role", "pk")


# --- partnerships ------------------------------------------------------------------------------------------


@router.get(
    "/partnerships",
    response={200: list[PartnershipOut], **ERRORS},
    operation_id="partnerships_list",
    summary="Partnerships of your organisation",
)
@paginate(Pagination)
def partnerships_list(request, filters: Query[PartnershipFilters]):
    """Partnerships your organisation is a party to, either side."""
    actor = actor_of(request)
    access.check(actor, "partnership.view")
    qs = _partnerships(actor)
    if filters.active is True:
        qs = qs.filter(ended_on__isnull=True)
    elif filters.active is False:
        qs = qs.filter(ended_on__isnull=False)
    return qs.order_by("organisation__name", "partner__name", "pk")


@router.get(
    "/partnerships/{partnership_id}",
    response={200: PartnershipDetailOut, **ERRORS},
    operation_id="partnerships_detail",
    summary="One partnership with its level history",
)
def partnerships_detail(request, partnership_id: int):
    actor = actor_of(request)
    return access.get_or_404(actor, _partnerships(actor), "partnership.view", pk=partnership_id)


@router.post(
    "/partnerships",
    response={201: PartnershipDetailOut, **WRITE_ERRORS},
    operation_id="partnerships_create",
    summary="Register a partnership (admins)",
)
def partnerships_create(request, payload: PartnershipIn):
    """Your organisation enters a partnership with `partner_id` at a level from `valid_from`."""
    actor = actor_of(request)
    org = _own_organisation(actor)
    access.check(actor, "partnership.manage", org)
    partner = access.scope(actor, Organisation.objects.all(), "organisation.view").filter(
        pk=payload.partner_id
    )
    partner = partner.first()
    problem = None
    if partner is None:
        problem = _("Det finns ingen organisation med id %(id)s.") % {"id": payload.partner_id}
    elif partner.pk == org.pk:
        problem = _("En organisation kan inte samverka med sig själv.")
    elif Partnership.objects.filter(
        Q(organisation=org, partner=partner) | Q(organisation=partner, partner=org)
    ).exists():
        problem = _("Det finns redan ett partnerskap mellan organisationerna.")
    if problem:
        raise NinjaValidationError(
            [{"loc": ("body", "payload", "partner_id"), "msg": problem, "type": "value_error"}]
        )
    try:
        partnership = services.partnership_create(
            actor=actor.user,
            organisation=org,
            partner=partner,
            level=payload.level,
            valid_from=payload.valid_from,
            description=payload.description,
            note=payload.note,
        )
    except ValidationError as exc:
        raise field_errors(exc, rename={"partner": "partner_id"})
    return Status(201, _partnerships(actor).get(pk=partnership.pk))


@router.post(
    "/partnerships/{partnership_id}/levels",
    response={201: LevelOut, 409: ErrorOut, **WRITE_ERRORS},
    operation_id="partnerships_set_level",
    summary="Record a new collaboration level (admins)",
)
def partnerships_set_level(request, partnership_id: int, payload: LevelIn):
    """Adds an entry to the level history, valid from `valid_from`. Earlier entries are kept."""
    actor = actor_of(request)
    partnership = access.get_or_404(actor, _partnerships(actor), "partnership.manage", pk=partnership_id)
    if partnership.ended_on is not None:
        raise HttpError(409, _("Partnerskapet är avslutat; nivån kan inte ändras."))
    try:
        entry = services.partnership_set_level(
            actor=actor.user,
            partnership=partnership,
            level=payload.level,
            valid_from=payload.valid_from,
            note=payload.note,
            acting_for=actor.organisation,
        )
    except ValidationError as exc:
        raise field_errors(exc)
    return Status(201, entry)


# --- who am I ----------------------------------------------------------------------------------------------


class MeOut(Schema):
    user: UserRef
    organisation: OrganisationRef
    role: str
    role_label: str
    via_token: bool = Field(description="true when authenticated by a personal API token.")


@router.get("/me", response={200: MeOut, **ERRORS}, operation_id="me", summary="Who the request acts as")
def me(request):
    """The user, organisation and role the token (or session) acts as."""
    actor = actor_of(request)
    access.check(actor, "api.use")
    return {
        "user": actor.user,
        "organisation": actor.organisation,
        "role": actor.role,
        "role_label": str(actor.membership.get_role_display()),
        "via_token": actor.via_token,
    }
