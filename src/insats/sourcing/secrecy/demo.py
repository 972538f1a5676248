"""Demo: one completed secrecy assessment of one of the responses to Tomelilla's RFI that asked for
secrecy, with its hand-out (issue 10 item 7). Idempotent: nothing is added when a decided assessment
of a demo response already exists. Run by ``manage.py demo_sourcing`` after the RFI's demo."""

from __future__ import annotations

import datetime

from insats.accounts.access import Actor
from insats.accounts.models import Membership, Organisation
from insats.sourcing.rfi.models import ResponseStatus, Rfi

from . import services
from .models import AssessmentStatus, SecrecyAssessment

RFI_TITLE = "Barn 6–10 år i riskzon: tidiga insatser för trygga vuxenrelationer, självkänsla och skolnärvaro"
REGISTRAR_EMAIL = "upphandlare@tomelilla.demo"
REQUESTER = ("Johan Ek", "Ystads Allehanda")


def _registrar(org) -> Actor | None:
    m = (
        Membership.objects.filter(organisation=org, user__email=REGISTRAR_EMAIL)
        .select_related("user")
        .first()
        or Membership.objects.filter(organisation=org, role__in=["procurement", "admin"])
        .select_related("user")
        .order_by("role", "pk")
        .first()
    )
    return Actor(user=m.user, membership=m) if m else None


def build() -> list[str]:
    tomelilla = Organisation.objects.filter(name="Tomelilla kommun").first()
    rfi = Rfi.objects.filter(title=RFI_TITLE, organisation=tomelilla).first() if tomelilla else None
    if rfi is None:
        return ["Sekretessprövning: Tomelillas marknadsdialog finns inte i demon – hoppar över."]
    responses = (
        rfi.responses.filter(status=ResponseStatus.SUBMITTED, answers__secrecy_requested=True)
        .distinct()
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )
    response = responses.first()
    if response is None:
        return ["Sekretessprövning: inget svar på Tomelillas marknadsdialog begär sekretess – hoppar över."]
    done = SecrecyAssessment.objects.filter(
        document_kind="rfi_response",
        object_id__in=[str(r.pk) for r in responses],
        status=AssessmentStatus.DECIDED,
    ).first()
    if done is not None:
        return [f"Sekretessprövning finns redan: {done.document_title} ({done.get_decision_display()})."]

    actor = _registrar(tomelilla)
    parts = []
    kept_secret = False
    for p in response.secrecy_parts():
        # The registrar keeps the first part the sender asked about secret (its method: business
        # conditions, OSL 31:16) and finds the others can be disclosed: the request alone decides nothing.
        secret = p.requested and not kept_secret
        kept_secret = kept_secret or secret
        parts.append(
            services.PartInput(
                key=p.key,
                secret=secret,
                legal_ground="31:16" if secret else "",
                motivation=(
                    "Uppgiften beskriver bolagets egen metod och prissättning. Det kan antas att "
                    "bolaget lider skada om uppgiften röjs (OSL 31 kap. 16 §)."
                    if secret
                    else ""
                ),
            )
        )
    received = (response.submitted_at.date() if response.submitted_at else datetime.date(2022, 6, 1)) + (
        datetime.timedelta(days=14)
    )
    assessment = services.assessment_create(
        actor=actor,
        kind_key="rfi_response",
        document=response,
        requester_name=REQUESTER[0],
        requester_organisation=REQUESTER[1],
        received_on=min(received, datetime.date.today()),
        parts=parts,
        decide=True,
    )
    lines = [f"Sekretessprövning: {assessment.document_title} – {assessment.get_decision_display()}."]
    if assessment.decision != "withhold":
        handout = services.handout_record(
            actor=actor, assessment=assessment, recipient=", ".join(REQUESTER), fmt="pdf"
        )
        lines.append(f"  Maskerad kopia utlämnad till {handout.recipient} (SHA-256 {handout.sha256[:12]}…).")
    return lines
