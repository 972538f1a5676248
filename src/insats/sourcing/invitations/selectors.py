"""The Samverkan start page: one's own processes, what was sent to one and what one sent.

Models are looked up with ``apps.get_model`` so a sub-domain that does not exist yet is skipped;
every query goes through ``access.scope``. Splitting "ours" from "sent to us" by owner only sorts
what the actor may already see."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from insats.accounts import access
from insats.accounts.models import OrganisationKind

# Organisations that commission: they see their own processes' sections (with empty states).
BUYER_KINDS = {
    OrganisationKind.KOMMUN,
    OrganisationKind.REGION,
    OrganisationKind.MYNDIGHET,
    OrganisationKind.SAMORDNINGSFORBUND,
    OrganisationKind.POLIS,
}
ROWS = 25


@dataclass
class Row:
    title: str
    url: str | None
    owner: object | None = None
    status: str = ""
    note: str = ""


@dataclass
class Section:
    key: str
    title: str
    empty: str
    create_label: str = ""
    create_url: str | None = None
    rows: list[Row] = field(default_factory=list)


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _url(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _status(obj) -> str:
    display = getattr(obj, "get_status_display", None)
    return str(display()) if callable(display) else ""


def _owner_field(model) -> str:
    return getattr(model, "access_owner_field", "organisation")


# (key, model, view ability, create ability, create URL, detail URL, title, empty text, create label)
OWN_SPECS = [
    (
        "decisions",
        "sourcing.FormDecision",
        "formdecision.view",
        "formdecision.edit",
        "sourcing:decision_create",
        "sourcing:decision_detail",
        _("Val av samverkansform"),
        _("Inga val av samverkansform ännu."),
        _("Välj samverkansform för ett behov"),
    ),
    (
        "rfis",
        "sourcing.Rfi",
        "rfi.view",
        "rfi.edit",
        "sourcing:rfi_create",
        "sourcing:rfi_detail",
        _("Marknadsdialoger (RFI)"),
        _("Inga marknadsdialoger ännu."),
        _("Starta en marknadsdialog"),
    ),
    (
        "grants",
        "sourcing.GrantRound",
        "grant.view",
        "grant.manage",
        "sourcing:grant_round_create",
        "sourcing:grant_round_detail",
        _("Bidragsomgångar"),
        _("Inga bidragsomgångar ännu."),
        _("Skapa en bidragsomgång"),
    ),
    (
        "iops",
        "sourcing.IopAgreement",
        "iop.view",
        "iop.create",
        "sourcing:iop_create",
        "sourcing:iop_detail",
        _("Idéburet-offentliga partnerskap (IOP)"),
        _("Inga partnerskap ännu."),
        _("Starta ett IOP"),
    ),
]


def own_sections(actor) -> list[Section]:
    """The organisation's own form decisions, RFIs, grant rounds and IOPs (IOPs: also as a party)."""
    org_id = actor.organisation_id
    is_buyer = actor.organisation is not None and actor.organisation.kind in BUYER_KINDS
    sections = []
    for key, label, view, create, create_url, detail, title, empty, create_label in OWN_SPECS:
        model = _model(label)
        if model is None:
            continue
        qs = access.scope(actor, model.objects.all(), view)
        if key != "iops":
            qs = qs.filter(**{_owner_field(model): org_id})
        rows = [Row(str(o), _url(detail, pk=o.pk), status=_status(o)) for o in qs[:ROWS]]
        if not rows and not is_buyer:
            continue
        section = Section(key, str(title), str(empty), str(create_label))
        if is_buyer and access.can(actor, create):
            section.create_url = _url(create_url)
        section.rows = rows
        sections.append(section)
    return sections


def sent_to_us(actor) -> list[Row]:
    """RFIs and grant rounds shared with or published to the organisation (not drafts)."""
    rows: list[Row] = []
    for label, view, detail, what in (
        ("sourcing.Rfi", "rfi.view", "sourcing:rfi_detail", _("Marknadsdialog")),
        ("sourcing.GrantRound", "grant.view", "sourcing:grant_round_detail", _("Bidragsomgång")),
    ):
        model = _model(label)
        if model is None:
            continue
        qs = access.scope(actor, model.objects.all(), view).exclude(
            **{_owner_field(model): actor.organisation_id}
        )
        if any(f.name == "status" for f in model._meta.get_fields()):
            qs = qs.exclude(status="draft")
        for o in qs.select_related(_owner_field(model))[:ROWS]:
            rows.append(
                Row(str(o), _url(detail, pk=o.pk), getattr(o, _owner_field(model)), _status(o), str(what))
            )
    return rows


def sent_by_us(actor) -> list[Row]:
    """The organisation's own RFI responses and grant applications (never another respondent's)."""
    rows: list[Row] = []
    for label, view, parent, detail, what in (
        (
            "sourcing.RfiResponse",
            "rfi.response.view",
            "rfi",
            "sourcing:rfi_respond",
            _("Svar på marknadsdialog"),
        ),
        (
            "sourcing.GrantApplication",
            "grant.application.view",
            "round",
            "sourcing:grant_apply",
            _("Bidragsansökan"),
        ),
    ):
        model = _model(label)
        if model is None:
            continue
        qs = access.scope(actor, model.objects.all(), view).filter(
            **{_owner_field(model): actor.organisation_id}
        )
        for o in qs[:ROWS]:
            target = getattr(o, parent, None)
            rows.append(
                Row(
                    str(target) if target is not None else str(o),
                    _url(detail, pk=target.pk) if target is not None else None,
                    getattr(target, "organisation", None),
                    _status(o),
                    str(what),
                )
            )
    return rows
