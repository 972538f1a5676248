"""API: an organisation's public listing (mounted under /api/v1/interventions/public by insats.api).

The one public operation of the API: it needs no token (``auth=None``) and answers 404
(problem+json) unless the organisation has switched its public listing on. It carries exactly what
the public page shows: no personal data, and reach only with small counts hidden."""

from __future__ import annotations

import datetime

from django.http import Http404
from ninja import Field, Router, Schema

from insats.platform.api import Problem

from . import selectors

router = Router(tags=["Insatser"])


class PublicInterventionOut(Schema):
    id: int = Field(description="The intervention's id.")
    name: str
    description: str
    intensity: str = Field(description="allmant, tidig, riktad or behandling (seed 003's rows).")
    intensity_label: str
    status: str = Field(description="The status as shown (planerad, pågående, avslutad).")
    age_bands: list[str] = Field(description="Labels of the age bands it serves.")
    method: str = Field(description="Named method or programme; empty if none.")
    evidence_level: str = Field(
        description="svenska_studier, internationellt, lovande, otillrackligt, ej_bedomd."
    )
    evidence_label: str
    evidence_assessed_on: datetime.date | None
    providers: list[str] = Field(description="Providing organisations (never people).")
    areas: list[str] = Field(description="Municipalities where it is given.")
    participants: int | None = Field(
        description="Participants in `reach.year` as published; null when hidden or not reported."
    )


class PublicReachOut(Schema):
    year: int
    min_count: int = Field(description="Counts under this are never published.")
    rows: list[str] = Field(description="Interventions with reported reach that year.")
    columns: list[str] = Field(description="Age bands.")
    cells: list[list[int | None]] = Field(description="Participants; null where hidden.")
    row_totals: list[int | None]
    column_totals: list[int | None]
    grand_total: int | None


class PublicListingOut(Schema):
    organisation: str
    organisation_id: int
    interventions: list[PublicInterventionOut]
    reach: PublicReachOut | None = Field(
        description="Reach of the latest reported year, suppressed (primary and secondary); null if none."
    )


@router.get(
    "/{org_id}",
    auth=None,
    response={200: PublicListingOut, 404: Problem},
    operation_id="interventions_public_listing",
    summary="An organisation's public listing of interventions",
)
def public_listing(request, org_id: int):
    """Open to anyone, without a token, when the organisation has switched its public listing on;
    404 otherwise. No personal data; counts under the threshold are hidden."""
    org = selectors.listed_organisation(org_id)
    if org is None:
        raise Http404
    listing = selectors.public_listing(org)
    reach = None
    if listing.reach is not None:
        t = listing.reach
        reach = PublicReachOut(
            year=listing.reach_year,
            min_count=t.min_count,
            rows=t.rows,
            columns=t.columns,
            cells=t.cells,
            row_totals=t.row_totals,
            column_totals=t.column_totals,
            grand_total=t.grand_total,
        )
    return PublicListingOut(
        organisation=org.name,
        organisation_id=org.pk,
        interventions=[
            PublicInterventionOut(
                id=i.pk,
                name=i.name,
                description=i.description,
                intensity=i.intensity,
                intensity_label=i.intensity_label,
                status=i.status_label,
                age_bands=i.age_bands,
                method=i.method,
                evidence_level=i.evidence_level,
                evidence_label=i.evidence,
                evidence_assessed_on=i.evidence_assessed_on,
                providers=i.providers,
                areas=i.areas,
                participants=i.participants,
            )
            for i in listing.interventions
        ],
        reach=reach,
    )
