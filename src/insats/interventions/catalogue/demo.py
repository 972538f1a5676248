"""Demo catalogue (called by ``manage.py demo_interventions``). Idempotent; returns lines to print.

All figures are **demo data** (invented), shaped by the seeds:

* **Samordningsförbundet Södra Vätterbygden** (seed 001): NOVA (7 staff, employed in each member
  municipality), Enter (6) and FIA (2), run from Jönköping, funded by the förbund, each steered by its
  styrgrupp. Budgets 2024: NOVA 4,1 + Enter 3,3 + FIA 0,9 = 8,3 mnkr of the förbund's 11,4 mnkr,
  i.e. 72,8 % ("över 70 %", seed 001). Reach 2024 per member municipality: Jönköping takes more than
  its share of the municipalities' financing (80 %: 20 of the municipalities' 25 %), the smaller members
  (Vaggeryd 8 %, Habo 8 %, Mullsjö 4 %) less — the question the genomlysning asks.
* **Helsingborgs stad** (seed 002/003): a preventive catalogue — Familjen läser, föräldraskapsstöd
  (ABC, Komet), familjecentraler and the demo associations' activities — spread over the map, with NO
  riktad tidig insats for 7–13 år, so the map shows a gap against the target group of pupils 6–16 who
  receive social services.
* **Tomelilla kommun** (seed 000/003): its own age bands (0–2, 3–5, 6–10, 11–13, 14–18 år, so the
  target group "Barn 6–10 år i riskzonen" is a column of its map) and interventions for 6–10.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from insats.accounts.models import GovernanceBody, Organisation
from insats.audit.services import log_action
from insats.situation.models import Area
from insats.situation.models_plans import Factor, TargetGroup

from .models import AgeBand, Intervention, Method
from .services import save_intervention

FORBUND = "Samordningsförbundet Södra Vätterbygden"
HELSINGBORG = "Helsingborgs stad"
TOMELILLA = "Tomelilla kommun"
YEAR = 2024
FORBUND_BUDGET = Decimal("11400000")  # seed 001: "förbundets budget 2024 om 11,4 milj kr"

# Municipalities of the förbund: (organisation name, area code).
MEMBERS = {
    "jonkoping": ("Jönköpings kommun", "0680"),
    "vaggeryd": ("Vaggeryds kommun", "0665"),
    "habo": ("Habo kommun", "0643"),
    "mullsjo": ("Mullsjö kommun", "0642"),
}

# name → (budget, staffing rows (profession, people, fte, employer key), reach 2024 per member
# {key: (women, men)}, intensity, bands, description)
FINSAM = {
    "NOVA": {
        "budget": Decimal("4100000"),
        "staffing": [
            ("Arbetskonsulent", 4, Decimal("4"), "jonkoping"),
            ("Arbetskonsulent", 1, Decimal("1"), "vaggeryd"),
            ("Arbetskonsulent", 1, Decimal("1"), "habo"),
            ("Arbetskonsulent", 1, Decimal("1"), "mullsjo"),
        ],
        "reach": {"jonkoping": (31, 39), "vaggeryd": (2, 3), "habo": (2, 2), "mullsjo": (0, 1)},
        "intensity": "riktad",
        "bands": ["18–29 år"],
        "capacity": 90,
        "method": "Individual Placement and Support (IPS)",
        "description": (
            "Samverkansinsats för unga vuxna som varken arbetar eller studerar. Medarbetarna är anställda "
            "i respektive medlemskommun. (Demobeskrivning.)"
        ),
        "factors": ["Låg tilltro till den egna förmågan", "Psykisk ohälsa hos barnet"],
    },
    "Enter": {
        "budget": Decimal("3300000"),
        "staffing": [("Arbetsterapeut", 2, Decimal("2"), None), ("Coach", 4, Decimal("3.5"), None)],
        "reach": {"jonkoping": (26, 29), "vaggeryd": (1, 2), "habo": (1, 1), "mullsjo": (0, 0)},
        "intensity": "riktad",
        "bands": ["18–29 år"],
        "capacity": 70,
        "method": "",
        "description": (
            "Arbetslivsinriktad rehabilitering för personer långt från arbetsmarknaden. Utgår från "
            "Jönköping; medarbetarna åker till kranskommunerna vid behov. (Demobeskrivning.)"
        ),
        "factors": ["Låg tilltro till den egna förmågan"],
    },
    "FIA": {
        "budget": Decimal("900000"),
        "staffing": [("Samordnare", 2, Decimal("2"), None)],
        "reach": {"jonkoping": (8, 10), "vaggeryd": (1, 0), "habo": (0, 1), "mullsjo": (0, 0)},
        "intensity": "tidig",
        "bands": ["18–29 år"],
        "capacity": 25,
        "method": "",
        "description": (
            "Förberedande insats i samverkan mellan myndigheterna för deltagare i behov av samordnat "
            "stöd. Utgår från Jönköping. (Demobeskrivning.)"
        ),
        "factors": ["Tilltro till den egna förmågan"],
    },
}

# Helsingborg: (name, intensity, bands, provider org name or None, provider_names, method, capacity,
# evidence, factors). No "riktad" row covers 7–13 år: the map's gap.
HELSINGBORG_ITEMS = [
    (
        "Familjen läser",
        "allmant",
        ["0–2 år", "3–6 år"],
        "Läsfrämjarna Nordvästra Skåne",
        "Stadsbiblioteket",
        "Familjen läser",
        300,
        "lovande",
        ["Föräldrar med låg läs- och skrivförmåga"],
    ),
    (
        "Familjecentralen Drottninghög",
        "allmant",
        ["0–2 år", "3–6 år"],
        None,
        "Region Skåne (barnavårdscentral, mödravård)",
        "",
        400,
        "ej_bedomd",
        ["Nära och trygg relation till en förälder"],
    ),
    (
        "Familjecentralen Söder",
        "tidig",
        ["0–2 år", "3–6 år"],
        "Kvartersföreningen Söder i Helsingborg",
        "",
        "",
        250,
        "ej_bedomd",
        ["Ekonomisk utsatthet i familjen"],
    ),
    (
        "Föräldraskapsstöd ABC",
        "tidig",
        ["3–6 år", "7–13 år"],
        "Föräldranätverket Helsingborg",
        "",
        "ABC – Alla barn i centrum",
        96,
        "svenska_studier",
        ["Bristande tillsyn och gränssättning", "Relationsproblem och konflikter i familjen"],
    ),
    (
        "Komet för föräldrar till förskolebarn",
        "riktad",
        ["3–6 år"],
        None,
        "",
        "Komet",
        24,
        "svenska_studier",
        ["Bristande tillsyn och gränssättning"],
    ),
    (
        "Läxhjälp och fritid på Söder",
        "allmant",
        ["7–13 år"],
        "Kvartersföreningen Söder i Helsingborg",
        "",
        "",
        120,
        "ej_bedomd",
        ["Låga skolresultat", "Meningsfull fritid"],
    ),
    (
        "Idrott för alla i Drottninghög",
        "allmant",
        ["7–13 år", "14–18 år"],
        "Idrottsalliansen Drottninghög",
        "",
        "",
        200,
        "ej_bedomd",
        ["Meningsfull fritid", "Prosociala kamrater"],
    ),
    (
        "Föräldranätverkets samtalsgrupper",
        "tidig",
        ["7–13 år", "14–18 år"],
        "Föräldranätverket Helsingborg",
        "",
        "",
        60,
        "otillrackligt",
        ["Relationsproblem och konflikter i familjen"],
    ),
    (
        "Trygga vuxna på stan",
        "allmant",
        ["14–18 år"],
        "Föreningen Trygga Vuxna",
        "",
        "",
        150,
        "ej_bedomd",
        ["Otrygga offentliga platser"],
    ),
    (
        "Connect för föräldrar till tonåringar",
        "riktad",
        ["14–18 år"],
        None,
        "",
        "Connect",
        30,
        "lovande",
        ["Relationsproblem och konflikter i familjen"],
    ),
    (
        "Familjebehandling",
        "behandling",
        ["7–13 år", "14–18 år"],
        None,
        "",
        "Funktionell familjeterapi (FFT)",
        40,
        "internationellt",
        ["Våld i familjen", "Missbruk hos förälder"],
    ),
]

TOMELILLA_BANDS = [
    ("0–2 år", 0, 2),
    ("3–5 år", 3, 5),
    ("6–10 år", 6, 10),
    ("11–13 år", 11, 13),
    ("14–18 år", 14, 18),
]
TOMELILLA_TARGET_GROUP = "Barn 6–10 år i riskzonen"
# (name, intensity, bands, method, capacity, evidence, linked to the target group, factors)
TOMELILLA_ITEMS = [
    (
        "Fritidsklubb med vuxna förebilder",
        "allmant",
        ["6–10 år", "11–13 år"],
        "",
        80,
        "ej_bedomd",
        False,
        ["Meningsfull fritid"],
    ),
    (
        "Föräldraskapsstöd ABC i Tomelilla",
        "tidig",
        ["3–5 år", "6–10 år"],
        "ABC – Alla barn i centrum",
        24,
        "svenska_studier",
        False,
        ["Bristande tillsyn och gränssättning"],
    ),
    (
        "Elevhälsans tidiga samtal",
        "tidig",
        ["6–10 år"],
        "",
        40,
        "ej_bedomd",
        True,
        ["Hög skolfrånvaro", "Svag anknytning till skolan"],
    ),
    (
        "Komet i Tomelilla",
        "riktad",
        ["3–5 år", "6–10 år"],
        "Komet",
        12,
        "svenska_studier",
        True,
        ["Bristande tillsyn och gränssättning"],
    ),
    (
        "Familjebehandling i Tomelilla",
        "behandling",
        ["6–10 år", "11–13 år", "14–18 år"],
        "",
        15,
        "ej_bedomd",
        False,
        ["Våld i familjen", "Bristande omsorg"],
    ),
]


def _org(name: str) -> Organisation | None:
    return Organisation.objects.filter(name=name).first()


def _method(name: str) -> Method | None:
    return Method.objects.filter(organisation=None, name=name).first() if name else None


def _factors(names: list[str]) -> list[Factor]:
    return list(Factor.objects.filter(organisation=None, name_sv__in=names))


def _bands(org: Organisation | None, labels: list[str]) -> list[AgeBand]:
    own = AgeBand.objects.filter(organisation=org) if org is not None else AgeBand.objects.none()
    pool = own if own.exists() else AgeBand.objects.filter(organisation=None)
    return list(pool.filter(label__in=labels))


def _create(lines: list[str], org: Organisation, name: str, values: dict, links: dict, rows: dict) -> bool:
    if Intervention.objects.filter(organisation=org, name=name).exists():
        return False
    save_intervention(
        actor=None,
        intervention=Intervention(organisation=org),
        values={"name": name, "status": "pagaende", **values},
        links=links,
        rows=rows,
    )
    lines.append(f"  insats: {org.name} – {name}")
    return True


def _forbund(lines: list[str]) -> None:
    forbund = _org(FORBUND)
    if forbund is None:
        lines.append(f"  (hoppar över {FORBUND}: saknas, kör manage.py demo)")
        return
    members = {key: _org(name) for key, (name, _code) in MEMBERS.items()}
    areas = {key: Area.objects.filter(code=code).first() for key, (_name, code) in MEMBERS.items()}
    jonkoping_area = areas["jonkoping"]
    for name, spec in FINSAM.items():
        staffing = [
            {
                "profession": p,
                "people": n,
                "fte": fte,
                "employer": members.get(emp) if emp else members["jonkoping"],
            }
            for p, n, fte, emp in spec["staffing"]
        ]
        bands = _bands(None, spec["bands"])
        reach = []
        for key, (women, men) in spec["reach"].items():
            for gender, n in (("K", women), ("M", men)):
                if n:
                    reach.append(
                        {
                            "year": YEAR,
                            "area": areas[key],
                            "gender": gender,
                            "age_band": bands[0] if bands else None,
                            "participants": n,
                        }
                    )
        _create(
            lines,
            forbund,
            name,
            {
                "description": spec["description"],
                "intensity": spec["intensity"],
                "method": _method(spec["method"]),
                "method_name": "",
                "domains": ["barnets_behov", "familj_och_miljo"],
                "evidence_level": "ej_bedomd",
                "goals": "Fler deltagare i arbete eller studier efter avslutad insats. (Demo.)",
                "outcome_measures": "Andel deltagare till arbete eller studier inom 90 dagar. (Demo.)",
                "capacity_per_year": spec["capacity"],
                "annual_budget": spec["budget"],
                "budget_year": YEAR,
                "governance_body": GovernanceBody.objects.filter(
                    organisation=forbund, name=f"Styrgrupp {name}"
                ).first(),
                "contact_name": "Förbundskansliet",
                "provider_names": "",
            },
            {
                "providers": [m for m in (members["jonkoping"],) if m is not None],
                "areas": [a for a in areas.values() if a is not None] if name == "NOVA" else [jonkoping_area],
                "age_bands": bands,
                "factors": _factors(spec["factors"]),
            },
            {
                "staffing": staffing,
                "funding": [{"funder": forbund, "year": YEAR, "amount": spec["budget"]}],
                "reach": reach,
            },
        )


def _helsingborg(lines: list[str]) -> None:
    org = _org(HELSINGBORG)
    if org is None:
        lines.append(f"  (hoppar över {HELSINGBORG}: saknas, kör manage.py demo)")
        return
    area = Area.objects.filter(code="1283").first()
    group = TargetGroup.objects.filter(organisation=org).first()
    for (
        name,
        intensity,
        bands,
        provider,
        provider_names,
        method,
        capacity,
        evidence,
        factors,
    ) in HELSINGBORG_ITEMS:
        provider_org = _org(provider) if provider else org
        band_objs = _bands(org, bands)
        reach_n = capacity * 3 // 4
        _create(
            lines,
            org,
            name,
            {
                "intensity": intensity,
                "method": _method(method),
                "method_name": "",
                "provider_names": provider_names,
                "evidence_level": evidence,
                "capacity_per_year": capacity,
                "domains": sorted({f.bbic_side for f in _factors(factors)}),
                "description": "Demobeskrivning av Helsingborgs förebyggande utbud.",
            },
            {
                "providers": [provider_org] if provider_org else [],
                "areas": [area] if area else [],
                "age_bands": band_objs,
                "factors": _factors(factors),
                "target_groups": [group]
                if group and intensity in ("tidig", "behandling") and "7–13 år" in bands
                else [],
            },
            {"reach": [{"year": YEAR, "area": area, "participants": reach_n}]},
        )


def _tomelilla(lines: list[str]) -> None:
    org = _org(TOMELILLA)
    if org is None:
        lines.append(f"  (hoppar över {TOMELILLA}: saknas, kör manage.py demo)")
        return
    if not AgeBand.objects.filter(organisation=org).exists():
        for position, (label, age_from, age_to) in enumerate(TOMELILLA_BANDS):
            band = AgeBand.objects.create(
                organisation=org, label=label, age_from=age_from, age_to=age_to, position=position
            )
            log_action(
                "interventions.age_band.created",
                organisation=org,
                obj=band,
                changes={"label": label, "age_from": age_from, "age_to": age_to},
            )
        lines.append(f"  åldersgrupper: {TOMELILLA} – " + ", ".join(b[0] for b in TOMELILLA_BANDS))
    area = Area.objects.filter(code="1270").first()
    group = TargetGroup.objects.filter(organisation=org, name=TOMELILLA_TARGET_GROUP).first()
    for name, intensity, bands, method, capacity, evidence, linked, factors in TOMELILLA_ITEMS:
        _create(
            lines,
            org,
            name,
            {
                "intensity": intensity,
                "method": _method(method),
                "method_name": "",
                "evidence_level": evidence,
                "capacity_per_year": capacity,
                "domains": sorted({f.bbic_side for f in _factors(factors)}),
                "description": "Demobeskrivning av Tomelillas insatser för barn 6–10 år.",
            },
            {
                "providers": [org],
                "areas": [area] if area else [],
                "age_bands": _bands(org, bands),
                "factors": _factors(factors),
                "target_groups": [group] if group and linked else [],
            },
            {"reach": [{"year": YEAR, "area": area, "participants": capacity * 2 // 3}]},
        )


@transaction.atomic
def build() -> list[str]:
    lines: list[str] = []
    _forbund(lines)
    _helsingborg(lines)
    _tomelilla(lines)
    if lines:
        lines.insert(0, "Insatskatalogen:")
    return lines
