"""Sharing an intervention with a named organisation, and the catalogue's settings (the public
listing, the organisation's own age bands and methods). Every change is audited.

Sharing goes through the one mechanism in :mod:`insats.accounts.services` (``share_create``,
``share_end``, ``share_notify``), like the situation's cause analyses.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext as _

from insats.accounts import services as accounts_services
from insats.accounts.models import Organisation, Share
from insats.audit.services import diff_fields, log_action, snapshot
from insats.interventions.catalogue.models import (
    AgeBand,
    CatalogueSettings,
    EvidenceLevel,
    Intervention,
    InterventionReach,
    Method,
)

DEFAULT_PURPOSE = "samverkan"
MAX_AGE = 120


def _user(actor):
    return getattr(actor, "user", actor)


# --- sharing ---------------------------------------------------------------------------------------


def intervention_shares(intervention: Intervention):
    return accounts_services.active_shares(intervention).order_by("organisation__name")


@transaction.atomic
def intervention_share(
    *, actor, intervention: Intervention, organisation: Organisation, purpose: str
) -> Share:
    """Share ``intervention`` (read-only) with ``organisation`` and tell its administrators."""
    share = accounts_services.share_create(
        actor=actor,
        owner=intervention.organisation,
        obj=intervention,
        organisation=organisation,
        purpose=purpose or DEFAULT_PURPOSE,
        action="interventions.intervention.shared",
        changes={
            "organisation": organisation.name,
            "organisation_id": organisation.pk,
            "purpose": (purpose or DEFAULT_PURPOSE).strip(),
        },
    )
    accounts_services.share_notify(
        share,
        what=_("insatsen ”%(name)s”") % {"name": intervention.name},
        link=settings.SITE_URL.rstrip("/") + reverse("interventions:home"),
    )
    return share


@transaction.atomic
def intervention_unshare(*, actor, intervention: Intervention, share: Share) -> None:
    accounts_services.share_end(
        actor=actor,
        share=share,
        action="interventions.intervention.unshared",
        obj=intervention,
        changes={"organisation": share.organisation.name, "organisation_id": share.organisation_id},
    )


# --- the public listing ----------------------------------------------------------------------------


def catalogue_settings_for(organisation: Organisation) -> CatalogueSettings:
    """The organisation's settings; an unsaved default (listing off) when it has none yet."""
    found = CatalogueSettings.objects.filter(organisation=organisation).first()
    return found or CatalogueSettings(organisation=organisation, public_listing=False)


@transaction.atomic
def public_listing_set(*, actor, organisation: Organisation, on: bool) -> CatalogueSettings:
    current, _created = CatalogueSettings.objects.select_for_update().get_or_create(organisation=organisation)
    if current.public_listing == bool(on):
        return current
    before = current.public_listing
    current.public_listing = bool(on)
    current.save()
    log_action(
        "interventions.catalogue.public_listing_on" if on else "interventions.catalogue.public_listing_off",
        actor=_user(actor),
        organisation=organisation,
        obj=current,
        object_label=organisation.name,
        changes={"public_listing": [before, current.public_listing]},
    )
    return current


# --- own age bands ---------------------------------------------------------------------------------


def own_age_bands(organisation: Organisation):
    return AgeBand.objects.filter(organisation=organisation).order_by("age_from", "age_to")


def _check_band(organisation, band: AgeBand, label: str, age_from, age_to) -> None:
    errors = {}
    if not (label or "").strip():
        errors["label"] = _("Ange ett namn.")
    if age_from is None:
        errors["age_from"] = _("Ange åldern från.")
    elif not 0 <= age_from <= MAX_AGE:
        errors["age_from"] = _("Åldern ska vara mellan 0 och %(max)s år.") % {"max": MAX_AGE}
    if age_to is None:
        errors["age_to"] = _("Ange åldern till.")
    elif not 0 <= age_to <= MAX_AGE:
        errors["age_to"] = _("Åldern ska vara mellan 0 och %(max)s år.") % {"max": MAX_AGE}
    if errors:
        raise ValidationError(errors)
    if age_to < age_from:
        raise ValidationError({"age_to": _("Åldern till får inte vara lägre än åldern från.")})
    others = own_age_bands(organisation).exclude(pk=band.pk)
    if others.annotate(l=Lower("label")).filter(l=label.strip().lower()).exists():
        raise ValidationError({"label": _("Det finns redan en åldersgrupp med det namnet.")})
    # One child, one column: a band may not overlap another of the organisation's bands.
    clash = others.filter(age_from__lte=age_to, age_to__gte=age_from).first()
    if clash:
        raise ValidationError(
            {
                "age_from": _("Åldrarna överlappar åldersgruppen %(band)s (%(a)s–%(b)s år).")
                % {"band": clash.label, "a": clash.age_from, "b": clash.age_to}
            }
        )


@transaction.atomic
def age_band_save(
    *, actor, organisation: Organisation, label: str, age_from: int, age_to: int, band: AgeBand | None = None
) -> AgeBand:
    """Add (``band`` None) or change one of the organisation's own age bands."""
    band = band or AgeBand(organisation=organisation)
    if band.organisation_id != organisation.pk:
        raise ValidationError(_("Åldersgruppen tillhör en annan organisation."))
    _check_band(organisation, band, label, age_from, age_to)
    created = band.pk is None
    before = None if created else snapshot(band, ["label", "age_from", "age_to"])
    band.label, band.age_from, band.age_to = label.strip(), age_from, age_to
    band.full_clean()
    band.save()
    # Position follows age, so the map's columns read from youngest to oldest.
    for i, b in enumerate(own_age_bands(organisation)):
        if b.position != i:
            AgeBand.objects.filter(pk=b.pk).update(position=i)
    after = snapshot(band, ["label", "age_from", "age_to"])
    log_action(
        "interventions.age_band.created" if created else "interventions.age_band.changed",
        actor=_user(actor),
        organisation=organisation,
        obj=band,
        changes=diff_fields(before, after),
    )
    return band


def age_band_uses(band: AgeBand) -> int:
    return band.interventions.count() + InterventionReach.objects.filter(age_band=band).count()


@transaction.atomic
def age_band_delete(*, actor, organisation: Organisation, band: AgeBand) -> None:
    if band.organisation_id != organisation.pk:
        raise ValidationError(_("Åldersgruppen tillhör en annan organisation."))
    uses = age_band_uses(band)
    if uses:
        raise ValidationError(
            _("Åldersgruppen används av %(n)s insatser eller räckviddsrader och kan inte tas bort.")
            % {"n": uses}
        )
    log_action(
        "interventions.age_band.removed",
        actor=_user(actor),
        organisation=organisation,
        obj=band,
        changes={"label": band.label, "age_from": band.age_from, "age_to": band.age_to},
    )
    band.delete()


# --- own methods -----------------------------------------------------------------------------------

METHOD_FIELDS = ["name", "description", "url", "evidence_level", "evidence_sources"]


def own_methods(organisation: Organisation):
    return Method.objects.filter(organisation=organisation).order_by("name")


@transaction.atomic
def method_save(
    *,
    actor,
    organisation: Organisation,
    name: str,
    description: str = "",
    url: str = "",
    evidence_level: str = EvidenceLevel.NOT_ASSESSED,
    evidence_sources: str = "",
    method: Method | None = None,
) -> Method:
    """Add (``method`` None) or change one of the organisation's own named methods."""
    method = method or Method(organisation=organisation)
    if method.organisation_id != organisation.pk:
        raise ValidationError(_("Metoden tillhör en annan organisation."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Ange metodens namn.")})
    same = (
        Method.objects.filter(Q(organisation__isnull=True) | Q(organisation=organisation))
        .exclude(pk=method.pk)
        .values_list("name", flat=True)
    )
    if name.lower() in {n.lower() for n in same}:
        raise ValidationError({"name": _("Det finns redan en metod med namnet %(name)s.") % {"name": name}})
    created = method.pk is None
    before = None if created else snapshot(method, METHOD_FIELDS)
    method.name, method.description, method.url = name, description or "", url or ""
    method.evidence_level, method.evidence_sources = evidence_level, evidence_sources or ""
    method.full_clean()
    method.save()
    log_action(
        "interventions.method.created" if created else "interventions.method.changed",
        actor=_user(actor),
        organisation=organisation,
        obj=method,
        changes=diff_fields(before, snapshot(method, METHOD_FIELDS)),
    )
    return method


@transaction.atomic
def method_delete(*, actor, organisation: Organisation, method: Method) -> None:
    if method.organisation_id != organisation.pk:
        raise ValidationError(_("Metoden tillhör en annan organisation."))
    uses = method.interventions.count()
    if uses:
        raise ValidationError(_("Metoden används av %(n)s insatser och kan inte tas bort.") % {"n": uses})
    log_action(
        "interventions.method.removed",
        actor=_user(actor),
        organisation=organisation,
        obj=method,
        changes={"name": method.name},
    )
    method.delete()
