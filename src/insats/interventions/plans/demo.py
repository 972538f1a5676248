"""Demo: a draft social plan for Tomelilla built on Familjeforum's structure (seed 003) — for each
entity a vision, goals, organisation and responsibilities, process description, competence
requirements, tools and resource needs; the interventions of the map each entity runs or will start
(linked by name only when the catalogue demo made them); measurable success factors linked to
Tomelilla's lägesbild results (seed 000, ``situation/demo_plans.py``); an evaluation plan.

All texts are **demo data** (invented, plausible Swedish). Idempotent: every object is looked up by
its natural key (plan title, entity name, factor title, evaluation measure, linked intervention) and
made through the audited services only when missing, so a second run changes nothing and writes no
audit entry or version.
"""

from __future__ import annotations

from decimal import Decimal

from insats.accounts.models import Organisation
from insats.interventions.catalogue.models import Intervention
from insats.situation.models import Indicator
from insats.situation.models_plans import Result

from . import services as svc
from .models import EntityKind, EvaluationItem, InterventionRole, PlanEntity, SocialPlan, SuccessFactor

TOMELILLA_ORG = "212000-0886"
PLAN_TITLE = "Social plan för barn och unga i Tomelilla 2026–2030 (utkast, demodata)"

ENTITIES = [
    {
        "kind": EntityKind.BOARD,
        "name": "Socialnämnden – individ- och familjeomsorgen",
        "vision": "Varje familj i Tomelilla som behöver stöd får det tidigt, nära och utan att behöva "
        "söka sig fram mellan förvaltningarna.",
        "goals": "Fler ärenden möts med tidigt stöd före utredning; färre upprepade orosanmälningar för "
        "samma barn; föräldraskapsstöd erbjuds alla familjer med barn 6–10 år i riskzonen.",
        "responsibilities": "Nämnden beslutar om biståndsprövade insatser och ansvarar för "
        "förebyggande familjestöd. Enhetschefen för barn och familj samordnar planens insatser med "
        "skolan och fritid.",
        "process": "Orosanmälan → förhandsbedömning inom 14 dagar → erbjudande om tidigt stöd utan "
        "utredning när det räcker → gemensam plan med skola (SIP) vid behov → uppföljning efter "
        "tre månader.",
        "competence": "Utbildning i BBIC för alla handläggare; två familjebehandlare med utbildning i "
        "ett evidensbaserat föräldraskapsprogram; grundläggande kunskap om motiverande samtal.",
        "tools": "BBIC, gemensam mall för SIP, Insats för lägesbild och uppföljning.",
        "resources": "1,0 årsarbetskraft familjebehandlare för tidigt stöd; handledning fyra gånger "
        "per termin.",
        "interventions": [
            ("föräldraskapsstöd", InterventionRole.RUNS, None),
            ("familjebehandling", InterventionRole.RUNS, None),
        ],
    },
    {
        "kind": EntityKind.BOARD,
        "name": "Barn- och utbildningsnämnden",
        "vision": "Alla elever i Tomelilla går i skolan, känner sig trygga där och lämnar grundskolan "
        "med godkända betyg.",
        "goals": "Ökad närvaro i åk 1–6; fler elever med godkänt i alla ämnen i åk 6 och 9; tidig "
        "upptäckt av frånvaro och signaler på ohälsa.",
        "responsibilities": "Rektorerna ansvarar för närvaroarbetet på sin skola; elevhälsan för "
        "tidig upptäckt och samverkan med socialtjänsten.",
        "process": "Frånvaro följs varje vecka; vid mer än 10 % frånvaro kontaktas hemmet inom en "
        "vecka och elevhälsan kallar till möte; vid oro görs orosanmälan och gemensam plan.",
        "competence": "Elevhälsoteam med kurator, skolsköterska och specialpedagog på varje skola; "
        "fortbildning i främjande och förebyggande elevhälsoarbete.",
        "tools": "Närvarosystemet, elevhälsoplan, gemensam rutin för samverkan skola–socialtjänst.",
        "resources": "Samordnare för närvaro 0,5 årsarbetskraft; tid för elevhälsomöten varje vecka.",
        "interventions": [
            ("läs", InterventionRole.RUNS, None),
            ("närvaro", InterventionRole.WILL_START, 2027),
        ],
    },
    {
        "kind": EntityKind.ADMINISTRATION,
        "name": "Kultur- och fritidsförvaltningen",
        "vision": "Alla barn i Tomelilla har en meningsfull fritid med vuxna förebilder.",
        "goals": "Fler barn 6–13 år deltar i organiserad fritid; fritidsgården når barn som inte är "
        "med i föreningslivet.",
        "responsibilities": "Förvaltningen driver fritidsgården och biblioteket och fördelar "
        "föreningsbidrag med krav på öppen verksamhet för barn.",
        "process": "Fritidsledare möter barnen där de är; kontakt med skolan vid oro; samverkan med "
        "föreningar om öppna aktiviteter på loven.",
        "competence": "Fritidsledarutbildning; kunskap om normkritik och om att upptäcka barn som far illa.",
        "tools": "Gemensam kalender för lovaktiviteter; avtal om idéburet offentligt partnerskap (IOP).",
        "resources": "Öppettider på fritidsgården även lördagar; medel för lovaktiviteter.",
        "interventions": [("fritid", InterventionRole.RUNS, None)],
    },
    {
        "kind": EntityKind.PARTNER,
        "name": "Region Skåne – barnhälsovården (BVC)",
        "vision": "Alla föräldrar till små barn i Tomelilla får stöd i föräldraskapet från start.",
        "goals": "Alla familjer erbjuds hembesök; föräldragrupper för förstagångsföräldrar; tidig "
        "kontakt med socialtjänsten när familjen behöver mer.",
        "responsibilities": "BVC ansvarar för hälsoövervakning och föräldrastöd 0–5 år och "
        "samverkar med socialtjänsten i familjecentralen.",
        "process": "Hembesök vid 1–2 veckor och 8 månader; föräldragrupp under första året; "
        "remiss eller kontakt med socialtjänsten med föräldrarnas samtycke.",
        "competence": "BVC-sjuksköterskor med utbildning i föräldraskapsstöd och i att fråga om våld.",
        "tools": "Rikshandboken i barnhälsovård; gemensam rutin för familjecentralen.",
        "resources": "Lokaler i familjecentralen delas med kommunens öppna förskola.",
        "interventions": [("familjecentral", InterventionRole.WILL_START, 2027)],
    },
    {
        "kind": EntityKind.PARTNER,
        "name": "Föreningslivet i Tomelilla (idrotts- och kulturföreningar)",
        "vision": "Föreningarna är en trygg plats och en väg in för barn som annars står utanför.",
        "goals": "Öppna aktiviteter varje lov; ledare som vet vart de vänder sig vid oro.",
        "responsibilities": "Föreningarna står för aktiviteterna och ledarna; kommunen för "
        "bidrag, lokaler och utbildning av ledare.",
        "process": "Årlig dialog med kultur- och fritidsförvaltningen; IOP för öppna lovaktiviteter.",
        "competence": "Ledarutbildning om barns rättigheter och om att upptäcka barn som far illa.",
        "tools": "IOP-avtal; kontaktlista till socialtjänsten.",
        "resources": "Föreningsbidrag och fria lokaler för öppna aktiviteter.",
        "interventions": [("förening", InterventionRole.RUNS, None)],
    },
]

# (title, entity name, result title, indicator code, own target (baseline, year, target, year) or None)
FACTORS = [
    (
        "Fler elever med godkänt i alla ämnen",
        "Barn- och utbildningsnämnden",
        "Ökad skolnärvaro och förbättrade skolresultat",
        "DEMO10",
        None,
    ),
    (
        "Färre elever med hög frånvaro",
        "Barn- och utbildningsnämnden",
        "Ökad skolnärvaro och förbättrade skolresultat",
        "DEMO13",
        ("12", 2024, "9", 2028),
    ),
    (
        "Färre upprepade orosanmälningar",
        "Socialnämnden – individ- och familjeomsorgen",
        "Stärkta relationer mellan barnen och vuxna förebilder",
        "DEMO23",
        None,
    ),
    (
        "Fler barn som känner sig trygga",
        "Kultur- och fritidsförvaltningen",
        "Starkare tilltro till sig själva och sina möjligheter i livet",
        "DEMO14",
        None,
    ),
]

EVALUATION = [
    (
        "Andel elever med godkänt i alla ämnen, åk 9",
        "Kolada (demoindikator) jämförs med målet i lägesbilden.",
        "Kommunens analytiker",
        "Årligen i oktober",
        "Fler elever med godkänt i alla ämnen",
    ),
    (
        "Andel elever med mer än 15 % frånvaro",
        "Skolans närvarosystem, per termin.",
        "Samordnaren för närvaro",
        "Varje termin",
        "Färre elever med hög frånvaro",
    ),
    (
        "Upprepade orosanmälningar för samma barn",
        "Verksamhetssystemet; jämförelse med basåret 2024.",
        "Enhetschefen för barn och familj",
        "Halvårsvis",
        "Färre upprepade orosanmälningar",
    ),
]


def _find_intervention(org, fragment: str):
    return Intervention.objects.filter(organisation=org, name__icontains=fragment).order_by("name").first()


def build() -> list[str]:
    lines: list[str] = []
    org = Organisation.objects.filter(org_number=TOMELILLA_ORG).first()
    if org is None:
        return ["socialplan: Tomelilla saknas (kör manage.py demo först) – hoppar över"]
    plan = SocialPlan.objects.filter(organisation=org, title=PLAN_TITLE).first()
    if plan is None:
        plan = svc.plan_create(
            actor=None,
            organisation=org,
            values={
                "title": PLAN_TITLE,
                "period_start": 2026,
                "period_end": 2030,
                "vision": "Alla barn och unga i Tomelilla växer upp tryggt, med vuxna som ser dem, och "
                "lämnar skolan med framtidstro.",
                "goals": "1. Tidigt stöd till familjer i stället för sena insatser.\n"
                "2. Ökad skolnärvaro och förbättrade skolresultat.\n"
                "3. Stärkta relationer mellan barnen och vuxna förebilder.\n"
                "(Demodata efter Familjeforums struktur för en långsiktig social plan.)",
            },
        )
        lines.append(f"socialplan: {PLAN_TITLE}")
    entities = {}
    for spec in ENTITIES:
        spec = dict(spec)
        wanted = spec.pop("interventions")
        entity = plan.entities.filter(name=spec["name"]).first()
        if entity is None:
            entity = svc.row_save(actor=None, obj=PlanEntity(plan=plan), values=spec)
            lines.append(f"socialplan: entitet {spec['name']}")
        entities[entity.name] = entity
        for fragment, role, year in wanted:
            intervention = _find_intervention(org, fragment)
            if intervention is None:
                lines.append(f"socialplan: ingen insats med ”{fragment}” i Tomelillas katalog – hoppar över")
                continue
            if entity.interventions.filter(intervention=intervention).exists():
                continue
            svc.intervention_add(
                actor=None, entity=entity, intervention=intervention, role=role, start_year=year
            )
            lines.append(f"socialplan: {entity.name} – {intervention.name}")
    factors = {}
    for title, entity_name, result_title, code, own in FACTORS:
        factor = plan.success_factors.filter(title=title).first()
        if factor is None:
            result = Result.objects.filter(organisation=org, title=result_title).first()
            indicator = Indicator.objects.filter(code=code, organisation__isnull=True).first()
            if result is None and indicator is None:
                lines.append(
                    f"socialplan: resultatet ”{result_title}” saknas (kör lägesbildens demo) – hoppar över"
                )
                continue
            values = {
                "title": title,
                "entity": entities.get(entity_name),
                "result": result,
                "indicator": indicator,
                "description": "Demodata.",
            }
            if own:
                values |= {
                    "baseline_value": Decimal(own[0]),
                    "baseline_year": own[1],
                    "target_value": Decimal(own[2]),
                    "target_year": own[3],
                    "description": "Eget mål i planen (demomål); lägesbilden sätter inget mål för "
                    "indikatorn.",
                }
            factor = svc.row_save(actor=None, obj=SuccessFactor(plan=plan), values=values)
            lines.append(f"socialplan: framgångsfaktor {title}")
        factors[title] = factor
    for measure, method, responsible, timing, factor_title in EVALUATION:
        if plan.evaluation_items.filter(measure=measure).exists():
            continue
        factor = factors.get(factor_title)
        svc.row_save(
            actor=None,
            obj=EvaluationItem(plan=plan),
            values={
                "measure": measure,
                "method": method,
                "responsible": responsible,
                "timing": timing,
                "success_factor": factor,
                "target_note": "" if factor else factor_title,
            },
        )
        lines.append(f"socialplan: utvärdering {measure}")
    return lines
