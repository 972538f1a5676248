"""Demo: Tomelilla kommun's market dialogue from seed 000 (published 2022, deadline 27 May 2022), its
nine questions, three figures from the lägesbild, and five invented responses from outside
organisations: two ask for secrecy on parts, three answer yes to outcome-based payment, two yes to
the pilot. Everything but the dates goes through the services (so it is audited); the RFI is built
and answered as if before the deadline, then its dates are set to 2022's (the server refuses answers
after a deadline, so the past cannot be built any other way). Idempotent: the RFI is found by its
title; nothing is written when it exists.
"""

from __future__ import annotations

import datetime
import importlib
from zoneinfo import ZoneInfo

from django.utils import timezone

from insats.accounts import services as accounts
from insats.accounts.demo_data import invented_org_number
from insats.accounts.models import Organisation
from insats.situation.models import Area, Indicator
from insats.situation.models_plans import Result, TargetGroup

from . import selectors, services
from .models import Rfi, RfiResponse

TITLE = "Barn 6–10 år i riskzon: tidiga insatser för trygga vuxenrelationer, självkänsla och skolnärvaro"
BUYER = "Tomelilla kommun"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
PUBLISHED_AT = datetime.datetime(2022, 4, 29, 10, 0, tzinfo=STOCKHOLM)
DEADLINE = datetime.datetime(2022, 5, 27, 23, 59, tzinfo=STOCKHOLM)

BACKGROUND = (
    "Under 2022 arbetar Tomelilla kommun i ett innovationsprojekt som syftar till att hitta nya sätt att "
    "arbeta förebyggande med barn som riskerar att hamna utanför samhället. Projektet genomförs i "
    "samverkan med RISE, Karolinska Institutet Innovations AB och Leksell Social Ventures. I projektet vill "
    "vi samla såväl lokala som nationella organisationer, företag och individer som har kunskap om "
    "utmaningen och idéer om lösningar."
)
PURPOSE = (
    "I projektet har vi en ambition att genomföra en så kallad förkommersiell upphandling eller en liknande "
    "innovationsprocess. Den innebär att kommunen tillsammans med ett antal utvalda aktörer diskuterar och "
    "samskapar lösningar och koncept kring en specifik utmaning. Denna förfrågan om information (RFI) är "
    "ytterligare ett steg i att förstå utmaningen: vi ber potentiella lösningsägare att informera oss om "
    "vad ni kan bidra med, innan vi tar beslut om hur vi går vidare. Svaren används internt i projektet."
)
CHALLENGE = (
    "I kommunen ser vi en fallande trend vad gäller till exempel skolresultat. Såväl elevernas resultat i "
    "årskurs 6 som årskurs 9 tillhör den lägsta fjärdedelen av kommuner i landet, även med hänsyn tagen "
    "till bakomliggande socioekonomiska parametrar. Barn och unga i Tomelilla upplever ett svagare "
    "familjestöd i jämförelse med andra kommuner i Skåne, och av orosanmälningarna 2021 var en majoritet "
    "relaterade till problematik i familjen. Kommunen vill i högre grad än idag utveckla tidiga stödjande "
    "insatser för barn i riskzonen, i ökad samverkan mellan skola, polis, socialtjänst, föreningar, det "
    "lokala näringslivet och sociala entreprenörer. Barnen bör ha ett aktivt deltagande i processen."
)
# Lägesbild figures of the challenge (the demo's indicators for Tomelilla, 1270), the year before 2022.
FIGURES = ("DEMO10", "DEMO13", "DEMO23")
FIGURE_YEAR = 2021

# The outside organisations (invented; self-registered). The first three are the invitations
# engineer's names when its demo provides them; two more are added here.
FALLBACK_ORGS = [
    ("Stiftelsen Trygga Barn", "ideburen", "802599471"),
    ("Läsfrämjandet Syd", "ideburen", "802599472"),
    ("Nova Skolstöd AB", "foretag", "559900471"),
    ("Föreningen Mentorer i Österlen", "ideburen", "802599473"),
    ("Familjekraft Skåne AB", "socialt_foretag", "559900472"),
]

# Per organisation: answers by question key, competences, resources.
RESPONSES = [
    {
        "answers": {
            "experience": {
                "text": "Vi driver mentorsprogram för barn 6–12 år i fyra skånska kommuner sedan 2015."
            },
            "needs": {"text": "En trygg vuxen utanför familjen och stöd till föräldrarna i vardagen."},
            "ongoing": {"yes": True, "follow_up_text": "Mentorsprogrammet Trygg vuxen i Ystad och Sjöbo."},
            "effects": {
                "text": "Uppföljning med skattningsskalor före och efter; "
                "70 % av barnen rapporterar ökad trygghet.",
                "secrecy_requested": True,
                "secrecy_reason": "Uppföljningsdata och metodbeskrivning är affärshemligheter "
                "(31 kap. 16 § OSL); ett utlämnande skulle skada oss i kommande upphandlingar.",
            },
            "outcome_payment": {"yes": True, "follow_up_text": "Intresse, ingen egen erfarenhet ännu."},
            "pilot": {"yes": True, "follow_up_text": ""},
            "pilot_resources": {"text": "Två samordnare på halvtid och ett tjugotal volontärer."},
        },
        "competences": "Mentorskap, föräldrastöd, volontärsamordning.",
        "resources": "Två samordnare (1,0 årsarbetare), volontärer, egen lokal i Ystad.",
    },
    {
        "answers": {
            "experience": {"text": "Läsfrämjande arbete med barn och föräldrar i skolor och bibliotek."},
            "needs": {"text": "Läsförmåga och skolnärvaro; föräldrar som läser med sina barn."},
            "ongoing": {"yes": True, "follow_up_text": "Läsvänner i åk 1–3."},
            "outcome_payment": {"yes": False, "follow_up_text": "Vi saknar kapital att bära risken."},
            "pilot": {"yes": False, "follow_up_text": ""},
        },
        "competences": "Läsfrämjande, föräldrasamverkan.",
        "resources": "",
    },
    {
        "answers": {
            "experience": {"text": "Läxhjälp och studiecoachning för elever i åk 4–9."},
            "needs": {"text": "Struktur i skolarbetet och en vuxen som följer upp närvaron."},
            "ongoing": {"yes": True, "follow_up_text": "Studiecoachning i tre kommuner."},
            "effects": {"text": "Närvaron följs månadsvis med skolorna; i snitt 8 procentenheter högre."},
            "outcome_payment": {
                "yes": True,
                "follow_up_text": "Erfarenhet av prestationsbaserad ersättning i ett kommunalt avtal.",
                "secrecy_requested": True,
                "secrecy_reason": "Avtalets villkor och vår prissättning är affärshemligheter; "
                "de skulle ge konkurrenter en fördel om de blev kända.",
            },
            "outcome_support": {"text": "Hjälp med mätning och en tredje part som validerar utfallen."},
            "pilot": {"yes": True, "follow_up_text": ""},
            "pilot_resources": {"text": "Studiecoacher och ett system för närvarouppföljning."},
        },
        "competences": "Studiecoachning, närvarouppföljning, dataanalys.",
        "resources": "Fem studiecoacher, egen finansiering av utvecklingsarbete.",
    },
    {
        "answers": {
            "experience": {"text": "Idrotts- och fritidsaktiviteter med vuxna förebilder på landsbygden."},
            "needs": {"text": "Meningsfull fritid och vuxna som finns kvar över tid."},
            "ongoing": {"yes": False, "follow_up_text": ""},
            "collaboration": {"text": "Gemensamma aktiviteter med skolan efter skoltid."},
            "outcome_payment": {"yes": True, "follow_up_text": "Intresse om kommunen står för mätningen."},
            "pilot": {"yes": False, "follow_up_text": ""},
        },
        "competences": "Ledare och tränare, fritidsverksamhet.",
        "resources": "Ideella ledare, idrottshall två kvällar i veckan.",
    },
    {
        "answers": {
            "experience": {"text": "Familjebehandling och föräldragrupper på uppdrag av kommuner."},
            "needs": {"text": "Stärkta föräldrar och relationer mellan föräldrar och barn."},
            "ongoing": {"yes": True, "follow_up_text": "Föräldragrupper enligt ett evidensbaserat program."},
            "outcome_payment": {"yes": False, "follow_up_text": ""},
            "pilot": {"yes": False, "follow_up_text": "Inte under 2022."},
        },
        "competences": "Familjebehandling, gruppledare för föräldraprogram.",
        "resources": "",
    },
]


def outside_organisations() -> list[Organisation]:
    """The five respondents: the invitations demo's organisations when it provides them, else ours."""
    orgs: list[Organisation] = []
    try:
        module = importlib.import_module("insats.sourcing.invitations.demo")
        provided = getattr(module, "outside_organisations", None)
        if provided is not None:
            orgs = [o for o in provided() if isinstance(o, Organisation)]
    except ModuleNotFoundError:
        orgs = []
    names = {o.name for o in orgs}
    for name, kind, base in FALLBACK_ORGS:
        if len(orgs) >= len(RESPONSES):
            break
        if name in names:
            continue
        org = Organisation.objects.filter(name=name).first()
        if org is None:
            org = accounts.organisation_create(
                actor=None, name=name, org_number=invented_org_number(base), kind=kind
            )
            org = accounts.organisation_update(actor=None, organisation=org, self_registered=True)
        orgs.append(org)
    return orgs[: len(RESPONSES)]


def build() -> list[str]:
    buyer = Organisation.objects.filter(name=BUYER).first()
    if buyer is None:
        return [f"Marknadsdialog: {BUYER} saknas (kör manage.py demo först) – hoppar över."]
    existing = Rfi.objects.filter(organisation=buyer, title=TITLE).first()
    if existing is not None:
        return [f"Marknadsdialog: ”{TITLE}” finns redan ({existing.responses.count()} svar)."]

    group = TargetGroup.objects.filter(organisation=buyer, name="Barn 6–10 år i riskzonen").first()
    results = list(Result.objects.filter(organisation=buyer, target_group=group)) if group else []
    # Built as if in April 2022 (before the deadline), dated afterwards: see the module docstring.
    rfi = services.rfi_create(
        actor=None,
        organisation=buyer,
        values={
            "title": TITLE,
            "background": BACKGROUND,
            "purpose": PURPOSE,
            "challenge": CHALLENGE,
            "target_group": group,
            "compensation": "Ingen ersättning utgår för att svara på denna RFI.",
            "deadline": timezone.now() + datetime.timedelta(days=1),
            "contact_name": "Stefan Persson",
            "contact_email": "stefan.b.persson@tomelilla.se",
            "is_public": True,
        },
        results=results,
    )
    services.questions_add_seed_set(actor=None, rfi=rfi)
    area = Area.objects.filter(code="1270").first()
    figures = 0
    for code in FIGURES:
        ind = Indicator.objects.filter(code=code, organisation__isnull=True).first()
        if ind is None or area is None:
            continue
        years = ind.observations.filter(area=area, value__isnull=False, period__lte=FIGURE_YEAR)
        latest = years.order_by("-period").values_list("period", flat=True).first()
        if latest is None:
            latest = selectors.latest_period(ind, area)
        if latest is not None:
            services.figure_add(actor=None, rfi=rfi, indicator=ind, area=area, period=latest)
            figures += 1
    rfi = services.rfi_publish(actor=None, rfi=rfi)

    questions = {q.key: q for q in rfi.questions.all()}
    submitted_at = [datetime.datetime(2022, 5, d, 14, 0, tzinfo=STOCKHOLM) for d in (9, 13, 18, 24, 27)]
    orgs = outside_organisations()
    for org, spec, when in zip(orgs, RESPONSES, submitted_at, strict=False):
        answers = {questions[k].pk: v for k, v in spec["answers"].items()}
        response = services.response_save(
            actor=None,
            rfi=rfi,
            organisation=org,
            values={"competences": spec["competences"], "resources": spec["resources"]},
            answers=answers,
        )
        response = services.response_submit(actor=None, response=response)
        RfiResponse.objects.filter(pk=response.pk).update(submitted_at=when)
    Rfi.objects.filter(pk=rfi.pk).update(published_at=PUBLISHED_AT, deadline=DEADLINE)
    return [
        f"Marknadsdialog: ”{TITLE}” (publicerad 2022, sista svarsdag 27 maj 2022), 9 frågor, "
        f"{figures} siffror ur lägesbilden, {len(orgs)} svar."
    ]
