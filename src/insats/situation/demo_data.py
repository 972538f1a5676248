"""Demo indicator data: a synthetic, realistic panel for all 290 kommuner, 2010–2025.

About twenty indicators in the spirit of SKR's "Nyckeltal för barn och unga" (school results in
grade 6 and 9, parents' education, children in economically vulnerable families, out-of-home care
and its cost per care day, reports of concern, high absence, financial assistance …). **Every value
is invented** by the seeded model below; indicators and observations carry ``source = "demo"`` and
the label :data:`~insats.situation.models.DEMO_SOURCE_LABEL`, so the lägesbild, the exports and the
API say "demodata" wherever they show one.

The model (docs/lagesbild.md has it in words):

* socio-economy per kommun: a latent education level ``z_edu`` (larger kommuner a little higher)
  drives the share of pupils whose parents have post-secondary education; children in economically
  vulnerable families fall with it and rise with a second latent factor; financial assistance
  follows the vulnerability;
* school results = national level + β₁·(parents' education − mean) + β₂·(vulnerability − mean)
  + an **area effect** ``u`` (and a small area-specific slope over the years) + noise; Tomelilla's
  area effect is −1.8 standard deviations with a falling slope (−1.2 merit points a year against the
  country), so it sits in the lowest quartile both raw and after adjustment for the two covariates
  (the RFI in seed 000);
* social services: placements, reports of concern and costs depend on vulnerability and a second
  area effect ``v`` (weak family support; Tomelilla +1.0);
* gender: girls and boys are the total ± half a gap typical of the indicator (plus noise), so the
  total is their mean and always lies between them;
* about 1.5 % of the values are missing at random, costs per care day more often in small kommuner;
  placements carry counts, which are small (< 5) in the smallest kommuner;
* Helsingborg's share of pupils with more than 15 % absence rises over 2015–2025, so a −20 % target
  (seed 002) has a history to be set against.

Real Kolada KPI ids are used only where the repository's recorded Kolada responses confirm them
(N15419, N15428) and for the merit value (N15505); every other indicator has a ``DEMOnn`` code.
Riket (``0000``) gets the population-weighted mean of the kommuner.

:func:`build_demo_indicators` writes it all (bulk inserts, idempotent: a second run changes nothing
and writes no audit entry). :func:`generate` is the pure NumPy part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from insats.audit.services import log_action

from .models import (
    DEMO_SOURCE_LABEL,
    Area,
    AreaGroup,
    AreaGroupKind,
    AreaKind,
    Gender,
    Indicator,
    IndicatorSource,
    Observation,
    PeriodType,
    Polarity,
)
from .services import observation_rows_write

SEED = 20220527  # the RFI's answer date
YEARS = list(range(2010, 2026))
TOMELILLA = "1270"
HELSINGBORG = "1283"
RIKET = "0000"
GENDERS = (Gender.TOTAL, Gender.WOMEN, Gender.MEN)
PEER_GROUP_SIZE = 7
PEER_GROUP_PREFIX = "DEMO-LK-"
BATCH = 5000

HIGHER = Polarity.HIGHER_BETTER
LOWER = Polarity.LOWER_BETTER
NEUTRAL = Polarity.NEUTRAL

SCHOOL = "Grundskola och gymnasieskola"
SOCIAL = "Individ- och familjeomsorg, barn och unga"
BACKGROUND = "Socioekonomiska förutsättningar"


@dataclass(frozen=True)
class Spec:
    code: str
    title_sv: str
    title_en: str
    unit: str
    polarity: str
    operating_area: str
    gender: bool = False
    decimals: int = 1
    first_year: int = 2010
    last_year: int = 2025
    kolada: str = ""
    counts: bool = False  # observations carry the number of children behind the share


SPECS: list[Spec] = [
    # --- covariates: socio-economic background --------------------------------------------------
    Spec(
        "DEMO01",
        "Elever i åk 9 med föräldrar med eftergymnasial utbildning, andel (%)",
        "Pupils in year 9 whose parents have post-secondary education, share (%)",
        "procent",
        NEUTRAL,
        BACKGROUND,
    ),
    Spec(
        "DEMO02",
        "Barn 0–17 år i ekonomiskt utsatta familjer, andel (%)",
        "Children 0–17 in economically vulnerable families, share (%)",
        "procent",
        LOWER,
        BACKGROUND,
        gender=True,
        last_year=2024,
    ),
    Spec(
        "DEMO03",
        "Invånare som fått ekonomiskt bistånd, andel (%)",
        "Residents receiving financial assistance, share (%)",
        "procent",
        LOWER,
        BACKGROUND,
        last_year=2024,
    ),
    # --- school -----------------------------------------------------------------------------------
    Spec(
        "N15505",
        "Elever i åk 9, meritvärde hemkommun, genomsnitt (17 ämnen)",
        "Year 9 pupils, merit value (17 subjects), mean, by home municipality",
        "meritpoäng",
        HIGHER,
        SCHOOL,
        gender=True,
        kolada="N15505",
    ),
    Spec(
        "N15428",
        "Elever i åk 9 som är behöriga till yrkesprogram, hemkommun, andel (%)",
        "Year 9 pupils eligible for a vocational programme, share (%)",
        "procent",
        HIGHER,
        SCHOOL,
        gender=True,
        kolada="N15428",
    ),
    Spec(
        "N15419",
        "Elever i åk 9 som uppnått kunskapskraven i alla ämnen, hemkommun, andel (%)",
        "Year 9 pupils who passed all subjects, share (%)",
        "procent",
        HIGHER,
        SCHOOL,
        gender=True,
        kolada="N15419",
    ),
    Spec(
        "DEMO10",
        "Elever i åk 6 med lägst betyget E i alla ämnen, hemkommun, andel (%)",
        "Year 6 pupils with at least grade E in all subjects, share (%)",
        "procent",
        HIGHER,
        SCHOOL,
        gender=True,
        first_year=2013,
    ),
    Spec(
        "DEMO11",
        "Elever i åk 6, genomsnittlig betygspoäng i matematik",
        "Year 6 pupils, mean grade points in mathematics",
        "betygspoäng",
        HIGHER,
        SCHOOL,
        gender=True,
        first_year=2013,
    ),
    Spec(
        "DEMO12",
        "Gymnasieelever med examen inom 4 år, hemkommun, andel (%)",
        "Upper-secondary pupils with a diploma within 4 years, share (%)",
        "procent",
        HIGHER,
        SCHOOL,
        last_year=2024,
    ),
    Spec(
        "DEMO13",
        "Elever i grundskolan med mer än 15 % frånvaro, andel (%)",
        "Compulsory-school pupils absent more than 15 % of the time, share (%)",
        "procent",
        LOWER,
        SCHOOL,
        gender=True,
        first_year=2015,
    ),
    Spec(
        "DEMO14",
        "Elever i åk 5 som känner sig trygga i skolan, andel (%)",
        "Year 5 pupils who feel safe at school, share (%)",
        "procent",
        HIGHER,
        SCHOOL,
        first_year=2012,
    ),
    Spec(
        "DEMO15",
        "Barn 1–5 år inskrivna i förskola, andel (%)",
        "Children aged 1–5 enrolled in preschool, share (%)",
        "procent",
        HIGHER,
        SCHOOL,
    ),
    # --- social services ----------------------------------------------------------------------------
    Spec(
        "DEMO20",
        "Barn och unga 0–20 år med heldygnsinsats (placerade), andel (%)",
        "Children and young people 0–20 in out-of-home care, share (%)",
        "procent",
        LOWER,
        SOCIAL,
        gender=True,
        decimals=2,
        counts=True,
        last_year=2024,
    ),
    Spec(
        "DEMO21",
        "Kostnad per vårddygn i HVB, barn och unga (kr)",
        "Cost per care day in residential care (HVB), children and young people (SEK)",
        "kr",
        LOWER,
        SOCIAL,
        decimals=0,
        last_year=2024,
    ),
    Spec(
        "DEMO22",
        "Kostnad per vårddygn i familjehem, barn och unga (kr)",
        "Cost per care day in family homes, children and young people (SEK)",
        "kr",
        LOWER,
        SOCIAL,
        decimals=0,
        last_year=2024,
    ),
    Spec(
        "DEMO23",
        "Orosanmälningar avseende barn 0–17 år, antal per 1 000 barn",
        "Reports of concern about children 0–17, per 1,000 children",
        "per 1 000 barn",
        NEUTRAL,
        SOCIAL,
        first_year=2014,
    ),
    Spec(
        "DEMO24",
        "Barn 0–12 år med insatser i öppenvård, andel (%)",
        "Children 0–12 receiving non-institutional care, share (%)",
        "procent",
        NEUTRAL,
        SOCIAL,
    ),
    Spec(
        "DEMO25",
        "Unga 16–20 år som varken arbetar eller studerar, andel (%)",
        "Young people 16–20 neither working nor studying, share (%)",
        "procent",
        LOWER,
        SOCIAL,
        gender=True,
        last_year=2023,
    ),
    Spec(
        "DEMO26",
        "Barn 0–17 år i familjer med långvarigt ekonomiskt bistånd, andel (%)",
        "Children 0–17 in families with long-term financial assistance, share (%)",
        "procent",
        LOWER,
        SOCIAL,
        last_year=2024,
    ),
    Spec(
        "DEMO27",
        "Nettokostnad för individ- och familjeomsorg barn och unga, kr per invånare 0–20 år",
        "Net cost of social services for children and young people, SEK per resident 0–20",
        "kr/inv",
        NEUTRAL,
        SOCIAL,
        decimals=0,
        last_year=2024,
    ),
]
SPEC_BY_CODE = {s.code: s for s in SPECS}

# Covariates used for the "modellberäknat värde" of the school results (docs/lagesbild.md).
SCHOOL_COVARIATES = ["DEMO01", "DEMO02"]

FIXED_POPULATION = {  # children and young people 0–20, roughly right
    "0180": 220_000,
    "1480": 135_000,
    "1280": 92_000,
    "0380": 55_000,
    HELSINGBORG: 36_000,
    TOMELILLA: 3_100,
}


@dataclass
class DemoDataset:
    """The generated panel: ``values[code]`` shape ``(areas, years, 3)`` (T, K, M), NaN = missing."""

    codes: list[str]
    years: list[int]
    values: dict[str, np.ndarray]
    counts: dict[str, np.ndarray]
    population: np.ndarray
    peers: dict[str, list[str]] = field(default_factory=dict)
    riket: dict[str, np.ndarray] = field(default_factory=dict)  # code -> (years, 3)
    riket_counts: dict[str, np.ndarray] = field(default_factory=dict)


def generate(codes: list[str]) -> DemoDataset:
    """The synthetic panel for the kommuner ``codes`` (SCB codes, e.g. the 290 kommuner)."""
    rng = np.random.default_rng(SEED)
    a = len(codes)
    years = np.array(YEARS, dtype=float)
    y = len(years)
    t = years - 2017.5  # centred time
    ix = {c: i for i, c in enumerate(codes)}

    def fix(arr: np.ndarray, code: str, value: float) -> None:
        if code in ix:
            arr[ix[code]] = value

    def area_noise(sd: float) -> np.ndarray:
        return rng.normal(0.0, sd, size=(a, y))

    # --- population and latent factors --------------------------------------------------------------
    pop = np.exp(rng.normal(np.log(4_500), 0.85, size=a)).clip(300, 250_000)
    for code, p in FIXED_POPULATION.items():
        fix(pop, code, p)
    logpop = np.log(pop)
    size = (logpop - logpop.mean()) / logpop.std()
    z_edu = rng.normal(0, 1, a) * 0.9 + 0.35 * size
    e_vuln = rng.normal(0, 1, a)
    u = rng.normal(0, 1, a)  # school area effect
    s = rng.normal(0, 0.25, a)  # school slope (merit points per year)
    v = rng.normal(0, 1, a)  # weak family support (social services)
    for arr, tom, hbg in (
        (z_edu, -0.7, 0.4),
        (e_vuln, 0.6, 1.2),
        (u, -1.8, -0.2),
        (s, -1.2, 0.0),
        (v, 1.0, 0.5),
    ):
        fix(arr, TOMELILLA, tom)
        fix(arr, HELSINGBORG, hbg)
    small = np.sqrt(4_500 / pop).clip(0.6, 2.5)[:, None]  # small kommuner are noisier

    col = lambda x: x[:, None]  # noqa: E731 - per-area column broadcast over years

    edu = (58 + 11 * col(z_edu) + 0.6 * t + area_noise(1.0) * small).clip(20, 90)
    vuln = (11 - 2.8 * col(z_edu) + 2.5 * col(e_vuln) - 0.15 * t + area_noise(0.6) * small).clip(2, 35)
    fin = (2.2 + 0.3 * (vuln - 11) + col(rng.normal(0, 0.5, a)) + area_noise(0.2)).clip(0.4, 10)
    de, dv = edu - 58, vuln - 11

    def school(level, b_edu, b_vuln, b_u, noise, lo, hi, trend=0.0):
        slope = col(s) * (b_u / 5.5)
        return (
            level
            + b_edu * de
            + b_vuln * dv
            + b_u * col(u)
            + slope * t
            + trend * t
            + area_noise(noise) * small
        ).clip(lo, hi)

    values: dict[str, np.ndarray] = {}
    gaps: dict[str, float] = {}

    values["DEMO01"] = edu
    values["DEMO02"] = vuln
    gaps["DEMO02"] = 0.0
    values["DEMO03"] = fin
    values["N15505"] = school(221, 1.0, -1.4, 5.5, 3.5, 150, 290, trend=-0.2)
    gaps["N15505"] = 14.0
    values["N15428"] = school(85, 0.35, -0.5, 2.6, 2.0, 50, 99.5, trend=-0.1)
    gaps["N15428"] = 2.0
    values["N15419"] = school(75, 0.45, -0.6, 3.2, 2.5, 40, 99, trend=0.1)
    gaps["N15419"] = 3.0
    values["DEMO10"] = school(78, 0.35, -0.5, 3.0, 2.5, 45, 99, trend=0.15)
    gaps["DEMO10"] = 2.5
    values["DEMO11"] = school(12.4, 0.06, -0.09, 0.55, 0.45, 8, 17)
    gaps["DEMO11"] = 0.1
    values["DEMO12"] = school(70, 0.3, -0.4, 2.0, 3.0, 35, 95, trend=0.2)
    bump = np.where((years >= 2020) & (years <= 2021), 4.0, 0.0)
    absence = 13 - 0.10 * de + 0.25 * dv - 1.0 * col(u) + 0.35 * t + bump + area_noise(1.0) * small
    if HELSINGBORG in ix:  # a clearly rising history for the −20 % target
        absence[ix[HELSINGBORG]] += 0.5 * np.clip(years - 2015, 0, None)
    values["DEMO13"] = absence.clip(2, 45)
    gaps["DEMO13"] = 0.8
    values["DEMO14"] = (88 - 1.2 * col(v) + 0.8 * col(u) - 0.2 * t + area_noise(2.5) * small).clip(55, 99.5)
    values["DEMO15"] = (86 + 0.15 * de - 0.25 * dv + 0.4 * t + area_noise(1.5)).clip(60, 99)

    placed = (1.0 + 0.06 * dv + 0.25 * col(v) + 0.01 * t + area_noise(0.12) * small).clip(0.15, 4.0)
    values["DEMO20"] = placed
    gaps["DEMO20"] = -0.12
    values["DEMO21"] = (4_000 + col(rng.normal(0, 700, a)) + 120 * t + area_noise(350) * small).clip(
        1_800, 12_000
    )
    values["DEMO22"] = (1_300 + col(rng.normal(0, 200, a)) + 40 * t + area_noise(120) * small).clip(
        500, 4_000
    )
    values["DEMO23"] = (45 + 1.5 * dv + 6 * col(v) + 2.0 * t + area_noise(4) * small).clip(8, 160)
    values["DEMO24"] = (2.5 + 0.1 * dv + 0.3 * col(v) + 0.05 * t + area_noise(0.3) * small).clip(0.3, 8)
    values["DEMO25"] = (5 + 0.25 * dv - 0.04 * de - 0.1 * t + area_noise(0.6) * small).clip(0.5, 20)
    gaps["DEMO25"] = -0.6
    values["DEMO26"] = (1.6 + 0.3 * dv + area_noise(0.25) * small).clip(0.1, 12)
    values["DEMO27"] = (9_000 + 300 * dv + 1_500 * col(v) + 250 * t + area_noise(500) * small).clip(
        3_000, 30_000
    )

    out: dict[str, np.ndarray] = {}
    counts: dict[str, np.ndarray] = {}
    for spec in SPECS:
        total = values[spec.code].astype(float)
        cube = np.full((a, y, 3), np.nan)
        cube[:, :, 0] = total
        if spec.gender:
            # Girls and boys lie symmetrically around the total, which is their mean: a total is
            # never outside the girls/boys range. (The same draws as before, so the rest of the
            # panel is unchanged; the girls − boys difference has the same distribution.)
            gap = gaps.get(spec.code, 0.0)
            if spec.code == "DEMO20":
                e_girls, e_boys = area_noise(0.05) * small, area_noise(0.05) * small
                diff = -0.24 * total + e_girls - e_boys  # girls ≈ 0.88, boys ≈ 1.12 × the total
            else:
                jitter = 0.15 * abs(gap) + 0.05 * np.nanstd(total)
                e_girls, e_boys = area_noise(jitter), area_noise(jitter)
                diff = gap + e_girls - e_boys
            cube[:, :, 1] = total + diff / 2
            cube[:, :, 2] = total - diff / 2
            cube[:, :, 1:] = np.maximum(cube[:, :, 1:], 0.0)
        before = years < spec.first_year
        after = years > spec.last_year
        cube[:, before | after, :] = np.nan
        missing = rng.random((a, y)) < 0.015
        if spec.code in ("DEMO21", "DEMO22"):
            missing |= (rng.random((a, y)) < 0.25) & (pop < 2_000)[:, None]
        for k in (TOMELILLA, HELSINGBORG):
            if k in ix:
                missing[ix[k]] = False  # the two seed kommuner have complete histories
        cube[missing, :] = np.nan
        cube = np.round(cube, spec.decimals)
        out[spec.code] = cube
        if spec.counts:
            base = np.stack([pop, pop / 2, pop / 2], axis=-1)[:, None, :]
            counts[spec.code] = np.round(cube / 100 * base)
    data = DemoDataset(codes=list(codes), years=list(YEARS), values=out, counts=counts, population=pop)
    # Riket: population-weighted mean of the kommuner (counts: sums).
    for code, cube in out.items():
        w = np.where(np.isnan(cube), 0.0, pop[:, None, None])
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(cube * w, axis=0) / w.sum(axis=0)
        if SPEC_BY_CODE[code].gender:
            # Each kommun's total lies between its girls and boys; the weighted means of rounded
            # values can miss that by a rounding unit, so widen the nearer gender to the total.
            lo, hi = np.minimum(mean[:, 1], mean[:, 2]), np.maximum(mean[:, 1], mean[:, 2])
            girls_low = mean[:, 1] <= mean[:, 2]
            below, above = mean[:, 0] < lo, mean[:, 0] > hi
            mean[below & girls_low, 1] = mean[below & girls_low, 0]
            mean[below & ~girls_low, 2] = mean[below & ~girls_low, 0]
            mean[above & girls_low, 2] = mean[above & girls_low, 0]
            mean[above & ~girls_low, 1] = mean[above & ~girls_low, 0]
        data.riket[code] = np.round(mean, SPEC_BY_CODE[code].decimals)
        if code in counts:
            data.riket_counts[code] = np.where(np.isnan(mean), np.nan, np.nansum(counts[code], axis=0))
    # "Liknande kommuner": the 7 nearest in (education, vulnerability, size), standardised.
    feats = np.column_stack([z_edu, e_vuln, size * 0.7])
    dist = ((feats[:, None, :] - feats[None, :, :]) ** 2).sum(axis=-1)
    np.fill_diagonal(dist, np.inf)
    nearest = np.argsort(dist, axis=1)[:, :PEER_GROUP_SIZE]
    data.peers = {codes[i]: [codes[j] for j in nearest[i]] for i in range(a)}
    return data


# ---------------------------------------------------------------------------------------------- DB


@dataclass
class BuildReport:
    indicators_created: list[str] = field(default_factory=list)
    indicators_updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # a real (non-demo) indicator has the code
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    groups_created: int = 0
    groups_updated: int = 0

    @property
    def changes(self) -> int:
        return (
            len(self.indicators_created)
            + len(self.indicators_updated)
            + self.inserted
            + self.updated
            + self.groups_created
            + self.groups_updated
        )

    def as_dict(self) -> dict:
        return {
            "indicators_created": self.indicators_created,
            "indicators_updated": self.indicators_updated,
            "skipped": self.skipped,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "groups_created": self.groups_created,
            "groups_updated": self.groups_updated,
        }


DESCRIPTION = (
    "DEMODATA: syntetiska värden som Insats har genererat för att visa funktionerna; inte verklig "
    "statistik. Modellen beskrivs i docs/lagesbild.md."
)


def _indicator_fields(spec: Spec) -> dict:
    return {
        "title_sv": spec.title_sv,
        "title_en": spec.title_en,
        "unit": spec.unit,
        "polarity": spec.polarity,
        "source": IndicatorSource.DEMO,
        "kolada_kpi_id": spec.kolada,
        "divided_by_gender": spec.gender,
        "operating_area": spec.operating_area,
        "description": DESCRIPTION,
    }


def _upsert_indicators(specs: list[Spec], report: BuildReport) -> dict[str, Indicator]:
    existing = {
        i.code: i
        for i in Indicator.objects.filter(organisation__isnull=True, code__in=[s.code for s in specs])
    }
    by_kpi = {
        i.kolada_kpi_id: i
        for i in Indicator.objects.filter(
            organisation__isnull=True, kolada_kpi_id__in=[s.kolada for s in specs if s.kolada]
        )
    }
    result = {}
    for spec in specs:
        ind = existing.get(spec.code) or (by_kpi.get(spec.kolada) if spec.kolada else None)
        if ind is not None and ind.source != IndicatorSource.DEMO:
            report.skipped.append(spec.code)  # real data is never overwritten by demo data
            continue
        values = _indicator_fields(spec)
        if ind is None:
            ind = Indicator(code=spec.code, **values)
            ind.full_clean()
            ind.save()
            report.indicators_created.append(spec.code)
        else:
            changed = [k for k, v in values.items() if getattr(ind, k) != v]
            if changed:
                for k in changed:
                    setattr(ind, k, values[k])
                ind.save()
                report.indicators_updated.append(spec.code)
        result[spec.code] = ind
    return result


def _dec(value: float, decimals: int) -> Decimal:
    return Decimal(f"{value:.{decimals}f}")


def _cells(data: DemoDataset, indicators: dict[str, Indicator], area_ids: dict[str, int]):
    """Yield (indicator_id, area_id, year, gender, Decimal value, count) for every generated cell."""
    riket_id = area_ids.get(RIKET)
    for code, ind in indicators.items():
        spec = SPEC_BY_CODE[code]
        cube = data.values[code]
        cnt = data.counts.get(code)
        genders = GENDERS if spec.gender else (Gender.TOTAL,)
        rows = [(area_ids[c], cube[i], None if cnt is None else cnt[i]) for i, c in enumerate(data.codes)]
        if riket_id is not None:
            rows.append((riket_id, data.riket[code], data.riket_counts.get(code)))
        for area_id, series, counts in rows:
            for yi, year in enumerate(data.years):
                for gi, g in enumerate(genders):
                    v = series[yi, gi]
                    if np.isnan(v):
                        continue
                    c = None if counts is None or np.isnan(counts[yi, gi]) else int(counts[yi, gi])
                    yield ind.pk, area_id, year, g, _dec(float(v), spec.decimals), c


def _sync_groups(
    data: DemoDataset, area_ids: dict[str, int], names: dict[str, str], report: BuildReport
) -> None:
    through = AreaGroup.members.through
    existing = {
        g.kolada_id: g
        for g in AreaGroup.objects.filter(kind=AreaGroupKind.KOLADA, kolada_id__startswith=PEER_GROUP_PREFIX)
    }
    wanted = {
        f"{PEER_GROUP_PREFIX}{c}": (f"Liknande kommuner, barn och unga, {names[c]} (demo)", peers)
        for c, peers in data.peers.items()
    }
    new = [
        AreaGroup(name=name, kind=AreaGroupKind.KOLADA, kolada_id=kid)
        for kid, (name, _p) in wanted.items()
        if kid not in existing
    ]
    if new:
        AreaGroup.objects.bulk_create(new)
        report.groups_created = len(new)
        existing = {
            g.kolada_id: g
            for g in AreaGroup.objects.filter(
                kind=AreaGroupKind.KOLADA, kolada_id__startswith=PEER_GROUP_PREFIX
            )
        }
    current: dict[int, set[int]] = {}
    for gid, aid in through.objects.filter(areagroup__in=existing.values()).values_list(
        "areagroup_id", "area_id"
    ):
        current.setdefault(gid, set()).add(aid)
    add, drop_groups = [], []
    for kid, (name, peers) in wanted.items():
        group = existing[kid]
        members = {area_ids[p] for p in peers}
        renamed = group.name != name
        if renamed:
            group.name = name
            group.save(update_fields=["name", "updated_at"])
        if current.get(group.pk, set()) != members:
            if group.pk in current:
                drop_groups.append(group.pk)
                if not renamed:
                    report.groups_updated += 1
            add += [through(areagroup_id=group.pk, area_id=m) for m in sorted(members)]
        elif renamed:
            report.groups_updated += 1
    if drop_groups:
        through.objects.filter(areagroup_id__in=drop_groups).delete()
    through.objects.bulk_create(add, batch_size=BATCH)


def _fingerprint(cells) -> dict:
    out: dict[tuple[int, str], list] = {}
    for ind, _area, _year, g, value, count in cells:
        acc = out.setdefault((ind, g), [0, Decimal(0), 0])
        acc[0] += 1
        acc[1] += value
        acc[2] += count or 0
    return {k: (n, round(float(v), 3), c) for k, (n, v, c) in out.items()}


def _db_fingerprint(rows) -> dict:
    agg = (
        rows.filter(source=IndicatorSource.DEMO)
        .values("indicator_id", "gender")
        .annotate(n=Count("id"), sv=Sum("value"), sc=Sum("count"))
    )
    found = {
        (a["indicator_id"], a["gender"]): (a["n"], round(float(a["sv"] or 0), 3), a["sc"] or 0) for a in agg
    }
    if sum(n for n, _v, _c in found.values()) != rows.count():
        return {}  # cells from another source: compare cell by cell
    return found


def _insert_observations(rows: list[tuple]) -> None:
    """New demo cells, written with the shared fast writer (``services.observation_rows_write``)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    adapt = connection.ops.adapt_decimalfield_value
    params = [
        (
            ind,
            area,
            PeriodType.YEAR,
            year,
            0,
            g,
            adapt(value, 20, 6),
            count,
            "",
            False,
            now,
            IndicatorSource.DEMO,
            DEMO_SOURCE_LABEL,
        )
        for area, ind, year, g, value, count in rows
    ]
    observation_rows_write(params, upsert=False, batch=BATCH)


@transaction.atomic
def build_demo_indicators(*, actor=None, codes: list[str] | None = None) -> BuildReport:
    """Create or bring up to date the demo indicators, observations and peer groups.

    ``codes`` limits the indicators written (tests use a few); all kommuner are always generated,
    since ranks and the regression need every one. Idempotent; one audit entry when anything changed.
    """
    report = BuildReport()
    kommuner = list(
        Area.objects.filter(kind=AreaKind.KOMMUN).order_by("code").values_list("code", "id", "name")
    )
    if not kommuner:
        raise RuntimeError("no kommuner: run migrate (the areas are loaded by situation's migration 0002)")
    area_ids = {c: i for c, i, _n in kommuner}
    names = {c: n for c, _i, n in kommuner}
    riket = Area.objects.filter(code=RIKET).values_list("id", flat=True).first()
    if riket:
        area_ids[RIKET] = riket
    specs = [s for s in SPECS if codes is None or s.code in codes]
    unknown = sorted(set(codes or []) - set(SPEC_BY_CODE))
    if unknown:
        raise ValueError(f"codes: unknown demo indicator(s) {', '.join(unknown)}")
    data = generate([c for c, _i, _n in kommuner])
    indicators = _upsert_indicators(specs, report)

    cells = list(_cells(data, indicators, area_ids))
    rows = Observation.objects.filter(
        indicator__in=indicators.values(), period_type=PeriodType.YEAR, period_part=0
    )
    if _fingerprint(cells) == _db_fingerprint(rows):
        # Every (indicator, gender) has the same number of cells, value sum and count sum as
        # generated: nothing to do (a re-run of the demo takes a fraction of a second).
        report.unchanged = len(cells)
        cells = []
        existing = {}
    else:
        existing = {
            (ind, area, year, g): (pk, val, cnt)
            for pk, ind, area, year, g, val, cnt in rows.values_list(
                "pk", "indicator_id", "area_id", "period", "gender", "value", "count"
            )
        }
    to_create, to_update = [], []
    for ind, area, year, g, value, count in cells:
        old = existing.get((ind, area, year, g))
        if old is None:
            to_create.append((area, ind, year, g, value, count))
        elif old[1] != value or old[2] != count:
            to_update.append(
                Observation(
                    pk=old[0],
                    value=value,
                    count=count,
                    source=IndicatorSource.DEMO,
                    source_label=DEMO_SOURCE_LABEL,
                )
            )
        else:
            report.unchanged += 1
    _insert_observations(to_create)
    Observation.objects.bulk_update(to_update, ["value", "count", "source", "source_label"], batch_size=BATCH)
    report.inserted, report.updated = len(to_create), len(to_update)
    _sync_groups(data, area_ids, names, report)
    if report.changes:
        log_action(
            "situation.demo_indicators.built",
            actor=actor,
            object_type="situation.indicator",
            object_label="Demodata för lägesbilden",
            changes=report.as_dict(),
        )
    return report
