"""Demo: Samordningsförbundet Södra Vätterbygden's genomlysning of NOVA, Enter and FIA (seed 001),
in phase C, with findings from the seed and the procured consultant invited by share.

Runs after the catalogue's demo: NOVA, Enter and FIA are looked up by name in the förbund's
catalogue (skipped with a line when they are missing). The consultant is Familjeforum i Lund AB
(the demo's consulting firm; seed 001 does not name the firm that won the procurement). The
inhabitants 18–29 per member municipality are rounded, invented demo figures in the size of SCB's.
Idempotent: the review is found by its title; nothing is written when it exists.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from insats.accounts.models import GovernanceBody, Organisation
from insats.situation.models import Area

from . import services
from .models import PortfolioBudget, Review

FORBUND = "Samordningsförbundet Södra Vätterbygden"
CONSULTANT = "Familjeforum i Lund AB"
TITLE = "Genomlysning 2024: NOVA, Enter och FIA"
NAMES = ("NOVA", "Enter", "FIA")
TOTAL_BUDGET_2024 = Decimal("11400000")  # seed 001: "förbundets budget 2024 om 11,4 milj kr"
# Invented, rounded inhabitants 18–29 år (demodata), by SCB code.
POPULATION_18_29 = {"0680": 24_500, "0665": 1_900, "0643": 1_600, "0642": 850}

NEEDS = (
    "Prioriterade målgrupper är unga vuxna (18–29 år) med diffus eller komplex problematik och nyanlända "
    "med behov av samordnad rehabilitering. Verksamhetsutvecklaren har i samråd med beredningsgruppen "
    "uppdaterat behovsanalysen (moment A)."
)
FINDINGS = [
    (None, "Över 70 % av förbundets budget 2024 går till tre långsiktiga insatser: NOVA, Enter och FIA."),
    ("NOVA", "NOVA har redan medarbetare anställda i respektive kommun."),
    ("Enter", "Enter utgår från Jönköping; medarbetare åker till kranskommunerna vid behov."),
    ("FIA", "FIA utgår från Jönköping med två medarbetare; deltagare från kranskommunerna är få."),
    (
        None,
        "De mindre medlemskommunerna har en lägre andel av deltagarna än av finansieringen (se siffrorna).",
    ),
    (
        None,
        "Arbetsgruppens förslag: fyra lokala samverkansinsatsteam med motsvarande ansvar och metoder som "
        "de tre nuvarande insatserna, men utförda på plats i de fyra kommunerna.",
    ),
]


def build() -> list[str]:
    forbund = Organisation.objects.filter(name=FORBUND).first()
    if forbund is None:
        return [f"Genomlysning: {FORBUND} saknas (kör manage.py demo först) – hoppar över."]
    existing = Review.objects.filter(organisation=forbund, title=TITLE).first()
    if existing is not None:
        return [f"Genomlysning: ”{TITLE}” finns redan (fas {existing.phase})."]
    from insats.interventions.catalogue.models import Intervention

    found = {i.name: i for i in Intervention.objects.filter(organisation=forbund, name__in=NAMES)}
    missing = [n for n in NAMES if n not in found]
    if missing:
        return [f"Genomlysning: {', '.join(missing)} saknas i {FORBUND}s katalog – hoppar över."]
    consultant = Organisation.objects.filter(name=CONSULTANT).first()
    if not PortfolioBudget.objects.filter(organisation=forbund, year=2024).exists():
        services.budget_set(
            actor=None,
            organisation=forbund,
            year=2024,
            total_budget=TOTAL_BUDGET_2024,
            note="Förbundets budget 2024 enligt upphandlingsunderlaget för genomlysningen (11,4 mnkr)",
        )
    review = services.review_create(
        actor=None,
        organisation=forbund,
        values={
            "title": TITLE,
            "year": 2024,
            "period_start": datetime.date(2024, 6, 3),
            "period_end": datetime.date(2025, 12, 31),
            "owner_name": "Daniel Ahlberg, verksamhetsutvecklare",
            "reviewer_name": f"Ingrid Söderlund, {CONSULTANT}",
            "target_age_from": 18,
            "target_age_to": 29,
            "needs": NEEDS,
        },
        interventions=[found[n] for n in NAMES],
    )
    areas = {a.code: a for a in Area.objects.filter(code__in=POPULATION_18_29)}
    services.populations_set(
        actor=None,
        review=review,
        rows={areas[c]: n for c, n in POPULATION_18_29.items() if c in areas},
        source="Demodata: avrundade antal invånare 18–29 år",
    )
    lines = [f"Genomlysning: ”{TITLE}” skapad."]
    if consultant is not None:
        services.reviewer_invite(actor=None, review=review, organisation=consultant)
        lines.append(f"Genomlysning: {CONSULTANT} inbjuden som extern granskare (syfte: genomlysning).")
    services.phase_move(actor=None, review=review, to_phase="B", note="Behovsanalysen (moment A) är klar.")
    for name, text in FINDINGS:
        services.finding_add(
            actor=None, review=review, text=text, intervention=found[name] if name else None, phase="B"
        )
    services.phase_move(
        actor=None, review=review, to_phase="C", note="Nulägesbeskrivningen lämnad till beredningsgruppen."
    )
    services.finding_add(
        actor=None,
        review=review,
        text="Beredningsgruppen ser att behoven i kranskommunerna inte möts i samma grad som i Jönköping.",
    )
    styrelse = GovernanceBody.objects.filter(organisation=forbund, kind="styrelse").first()
    if styrelse is not None:
        services.decision_record(
            actor=None,
            review=review,
            body=styrelse,
            decided_on=datetime.date(2024, 10, 14),
            minutes_reference="Styrelsens protokoll 2024-10-14, § 9 (demodata)",
            text="Styrelsen tar del av nulägesbeskrivningen och uppdrar åt beredningsgruppen att analysera "
            "om insatserna möter behoven (moment C).",
        )
    services.recommendation_add(
        actor=None,
        review=review,
        values={
            "text": "Pröva fyra lokala samverkansinsatsteam i Habo, Jönköping, Mullsjö och Vaggeryd.",
            "owner_organisation": forbund,
            "owner_person": "Helena Wikström, förbundschef",
            "due_on": datetime.date(2025, 3, 31),
        },
    )
    lines.append("Genomlysning: i fas C med iakttagelser, ett styrelsebeslut och en rekommendation.")
    return lines
