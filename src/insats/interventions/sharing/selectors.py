"""Read queries of sharing and the public listing.

The public listing shows, per intervention of an organisation that has switched it on, only what
describes the service: name, description, intensity, age bands, method, evidence, providers (as
organisations), where it is given and the contact e-mail of the function. Never a person's name
(staff, contact person, who changed what), never budget or funding, and reach only as the
table of :func:`insats.core.reach.public_table`, small counts hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.utils.translation import gettext as _

from insats.accounts.models import Organisation, Share
from insats.core import reach as core_reach
from insats.core.disclosure import SuppressionResult
from insats.interventions.catalogue.models import (
    EVIDENCE_HELP,
    INTENSITY_HELP,
    CatalogueSettings,
    Intervention,
    InterventionReach,
)
from insats.interventions.catalogue.selectors import age_bands_for

MIN_COUNT = core_reach.MIN_COUNT


def shares_given(organisation: Organisation) -> list[tuple[Intervention, list[Share]]]:
    """Every intervention the organisation owns, with the organisations it is shared with."""
    ct = ContentType.objects.get_for_model(Intervention)
    by_object: dict[str, list[Share]] = {}
    for share in (
        Share.objects.filter(content_type=ct, owner=organisation, revoked_at__isnull=True)
        .select_related("organisation")
        .order_by("organisation__name")
    ):
        by_object.setdefault(share.object_id, []).append(share)
    return [
        (i, by_object.get(str(i.pk), []))
        for i in Intervention.objects.filter(organisation=organisation).order_by("name")
    ]


def shares_received(organisation: Organisation):
    ct = ContentType.objects.get_for_model(Intervention)
    shares = list(
        Share.objects.filter(content_type=ct, organisation=organisation, revoked_at__isnull=True)
        .select_related("owner")
        .order_by("owner__name", "granted_at")
    )
    by_pk = Intervention.objects.filter(pk__in=[int(s.object_id) for s in shares]).in_bulk()
    return [(by_pk[int(s.object_id)], s) for s in shares if int(s.object_id) in by_pk]


def listed_organisation(org_pk: int) -> Organisation | None:
    """The organisation if its public listing is switched on, else None."""
    if not CatalogueSettings.objects.filter(organisation_id=org_pk, public_listing=True).exists():
        return None
    return Organisation.objects.filter(pk=org_pk).first()


@dataclass
class PublicIntervention:
    pk: int
    name: str
    description: str
    intensity: str
    intensity_label: str
    intensity_help: str
    status_label: str
    age_bands: list[str]
    method: str
    method_url: str
    evidence: str
    evidence_level: str
    evidence_help: str
    evidence_assessed_on: object
    providers: list[str]
    areas: list[str]
    participants: int | None = None  # the row total as published (None: hidden or not reported)


@dataclass
class PublicListing:
    organisation: Organisation
    interventions: list[PublicIntervention]
    reach_year: int | None = None
    reach: SuppressionResult | None = None
    min_count: int = MIN_COUNT
    reach_rows: list[tuple[str, list[int | None], int | None]] = field(default_factory=list)


def public_listing(organisation: Organisation) -> PublicListing:
    qs = (
        Intervention.objects.filter(organisation=organisation)
        .select_related("method")
        .prefetch_related("age_bands", "providers", "areas")
        .order_by("name")
    )
    items = []
    for i in qs:
        method = i.method.name if i.method else ""
        if i.method_name and i.method_name != method:
            method = f"{method} ({i.method_name})" if method else i.method_name
        providers = [p.name for p in i.providers.all()]
        providers += [n.strip() for n in i.provider_names.split(",") if n.strip()]
        items.append(
            PublicIntervention(
                pk=i.pk,
                name=i.name,
                description=i.description,
                intensity=i.intensity,
                intensity_label=i.get_intensity_display(),
                intensity_help=str(INTENSITY_HELP.get(i.intensity, "")),
                status_label=i.get_status_display(),
                age_bands=[b.label for b in sorted(i.age_bands.all(), key=lambda b: (b.age_from, b.age_to))],
                method=method,
                method_url=i.method.url if i.method else "",
                evidence=i.get_evidence_level_display(),
                evidence_level=i.evidence_level,
                evidence_help=str(EVIDENCE_HELP.get(i.evidence_level, "")),
                evidence_assessed_on=i.evidence_assessed_on,
                providers=providers,
                areas=[a.name for a in i.areas.all()],
            )
        )
    listing = PublicListing(organisation=organisation, interventions=items)
    _add_reach(listing)
    return listing


def _add_reach(listing: PublicListing) -> None:
    """The latest year with reported reach, as one table (interventions × age bands), suppressed."""
    ids = [i.pk for i in listing.interventions]
    year = InterventionReach.objects.filter(intervention_id__in=ids).aggregate(y=Max("year"))["y"]
    if year is None:
        return
    rows = list(
        InterventionReach.objects.filter(intervention_id__in=ids, year=year).values_list(
            "intervention_id", "age_band_id", "area_id", "gender", "participants"
        )
    )
    reported = [i for i in listing.interventions if any(r[0] == i.pk for r in rows)]
    bands = age_bands_for(listing.organisation.pk)
    band_ids: list[int | None] = [b.pk for b in bands]
    labels = [b.label for b in bands]
    extra = sorted({r[1] for r in rows if r[1] is not None and r[1] not in band_ids})
    if extra:  # reach recorded in a band outside the organisation's set: its own column
        from insats.interventions.catalogue.models import AgeBand

        names = dict(AgeBand.objects.filter(pk__in=extra).values_list("pk", "label"))
        band_ids += extra
        labels += [names[pk] for pk in extra]
    if any(r[1] is None for r in rows):
        band_ids.append(None)
        labels.append(_("Ålder ej angiven"))
    table = core_reach.public_table(
        [core_reach.ReachRow(*r) for r in rows],
        [i.pk for i in reported],
        band_ids,
        row_labels=[i.name for i in reported],
        column_labels=labels,
        min_count=MIN_COUNT,
    )
    listing.reach_year, listing.reach = year, table
    for i, item in enumerate(reported):
        item.participants = table.row_totals[i]
        listing.reach_rows.append((item.name, table.cells[i], table.row_totals[i]))
