"""The lägesbild page: every figure equals insats.core's answer for the same inputs from the DB.

The demo data is built once per module (a subset of indicators, all 290 kommuner) inside a
transaction rolled back at the end. Expected figures are computed here independently: the DB
values are read with plain queries and sent through the core's **JSON interface**
(``insats.core.indicators.analyse``) — the page uses the batch API, so the two paths only agree if
the page reads the right cells, the right year, the right group and the right covariates.
"""

from __future__ import annotations

import math
import re
from html import unescape

import numpy as np
import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from insats.core import indicators as core
from insats.platform.charts import fmt
from insats.situation import lagesbild
from insats.situation.demo_data import build_demo_indicators
from insats.situation.models import Area, AreaGroup, AreaKind, Gender, Indicator, Observation
from insats.situation.services import load_areas
from tests.conftest import build_world, login

CODES = ["N15505", "N15428", "N15419", "DEMO01", "DEMO02", "DEMO13", "DEMO20", "DEMO23"]
SCHOOL = ["N15505", "N15428", "N15419"]

# Every test touches the database: this also makes pytest-django set up the test database when
# the module runs on its own (it sets up only the aliases that marked tests ask for).
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """World + demo indicators (CODES) for the whole module, rolled back at the end."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            if not Area.objects.filter(kind=AreaKind.KOMMUN).exists():
                load_areas()  # flushed by a transactional test earlier in this worker
            world = build_world()
            build_demo_indicators(codes=CODES)
            yield world
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def client_as(demo_db):
    def make(org="owner", role="viewer"):
        c = Client()
        login(c, demo_db.user(org, role), demo_db.orgs[org])
        return c

    return make


@pytest.fixture
def rollback(demo_db):
    """For tests that change data: undo it afterwards."""
    sid = transaction.savepoint()
    yield
    transaction.savepoint_rollback(sid)


# --- independent computation from the DB ---------------------------------------------------------------


def kommun_values(code: str, year: int, gender: str = Gender.TOTAL) -> dict[str, float]:
    """{kommun code: value} of one indicator in one year, straight from the table."""
    rows = Observation.objects.filter(
        indicator__code=code, period=year, gender=gender, area__kind=AreaKind.KOMMUN, value__isnull=False
    ).values_list("area__code", "value", "count")
    return {a: float(v) for a, v, c in rows if c is None or c >= lagesbild.MIN_COUNT}


def latest_year(code: str, area: str) -> int:
    return max(
        Observation.objects.filter(
            indicator__code=code, area__code=area, gender=Gender.TOTAL, value__isnull=False
        ).values_list("period", flat=True)
    )


def hib(code: str) -> bool | None:
    pol = Indicator.objects.get(code=code).polarity
    return {"higher_better": True, "lower_better": False}.get(pol)


def core_json(code: str, area: str, *, peers: list[str], covariates: list[str] | None = None):
    """Rank, peer position, trend+forecast and expected value for (code, area) via core.analyse."""
    year = latest_year(code, area)
    values = kommun_values(code, year)
    obs = [{"area": a, "indicator": code, "year": year, "value": v} for a, v in values.items()]
    series = Observation.objects.filter(
        indicator__code=code, area__code=area, gender=Gender.TOTAL
    ).values_list("period", "value")
    for y, v in series:
        if y != year:
            obs.append({"area": area, "indicator": code, "year": y, "value": None if v is None else float(v)})
    specs = [{"id": code, "higher_is_better": hib(code)}]
    req = {
        "indicators": specs,
        "observations": obs,
        "trends": [{"indicator": code, "area": area, "forecast_years": [year + 1, year + 2, year + 3]}],
    }
    if hib(code) is not None:
        req["ranks"] = [{"indicator": code, "year": year, "areas": [area]}]
        req["peers"] = [{"indicator": code, "year": year, "area": area, "peers": peers}]
    if covariates:
        for cov in covariates:
            cy = max(
                y
                for y in Observation.objects.filter(
                    indicator__code=cov, area__code=area, value__isnull=False, period__lte=year
                ).values_list("period", flat=True)
            )
            # The page uses the covariate's latest year ≤ the outcome's year; say so explicitly here.
            for a, v in kommun_values(cov, cy).items():
                req["observations"].append({"area": a, "indicator": cov, "year": year, "value": v})
            specs.append({"id": cov})
        req["expected"] = [{"indicator": code, "year": year, "covariates": covariates, "areas": [area]}]
    return year, core.analyse(core.RankInput.model_validate(req))


def peer_codes(area: Area) -> list[str]:
    group = AreaGroup.objects.get(kolada_id=f"DEMO-LK-{area.code}")
    return list(group.members.values_list("code", flat=True))


# --- tests ------------------------------------------------------------------------------------------


def test_tomelilla_is_in_the_lowest_quartile_raw_and_adjusted(demo_db):
    """Seed 000: grade-9 results in the lowest quarter, 'även med hänsyn tagen till socioekonomi'."""
    tomelilla = Area.objects.get(code="1270")
    for code in SCHOOL:
        year, out = core_json(
            code, "1270", peers=peer_codes(tomelilla), covariates=lagesbild.SCHOOL_COVARIATES
        )
        assert out.ranks[0].areas[0].quartile == 4, code
        # adjusted: rank the deviations (observed − expected) of every kommun by the polarity
        expected = core.analyse(
            core.RankInput.model_validate(
                {
                    "observations": [
                        {"area": a, "indicator": code, "year": year, "value": v}
                        for a, v in kommun_values(code, year).items()
                    ]
                    + [
                        {"area": a, "indicator": c, "year": year, "value": v}
                        for c in lagesbild.SCHOOL_COVARIATES
                        for a, v in kommun_values(c, min(year, 2024)).items()
                    ],
                    "expected": [
                        {"indicator": code, "year": year, "covariates": lagesbild.SCHOOL_COVARIATES}
                    ],
                }
            )
        ).expected[0]
        residuals = {e.area: e.residual for e in expected.areas if e.residual is not None}
        ranks = core.rank_areas(np.array(list(residuals.values())), True)
        me = list(residuals).index("1270")
        assert ranks.quartile[me] == 4, code
        assert residuals["1270"] < 0


def test_every_figure_equals_the_core(demo_db):
    tomelilla = Area.objects.get(code="1270")
    lb = lagesbild.build(tomelilla, organisation=demo_db.orgs["owner"])
    assert {f.code for f in lb.figures} == set(CODES)
    assert lb.group.kolada_id == "DEMO-LK-1270"
    peers = peer_codes(tomelilla)
    for f in lb.figures:
        covs = lagesbild.ADJUSTMENTS.get(f.code)
        year, out = core_json(f.code, "1270", peers=peers, covariates=covs)
        assert f.year == year
        assert f.value == pytest.approx(
            float(
                Observation.objects.get(
                    indicator__code=f.code, area__code="1270", period=year, gender="T"
                ).value
            )
        )
        if hib(f.code) is None:
            assert f.rank is None and f.peer is None
        else:
            r = out.ranks[0].areas[0]
            assert (f.rank.rank, f.rank.n, f.rank.quartile) == (r.rank, r.n, r.quartile), f.code
            assert f.rank.percentile == pytest.approx(r.percentile)
            p = out.peers[0]
            assert (f.peer.rank, f.peer.n) == (p.rank, p.n), f.code
            # best first (ties may be listed in another order: compare the values)
            values = kommun_values(f.code, year)
            assert [v for _name, v, _me in f.peer.members][: p.n] == [values[c] for c in p.group][: p.n]
            assert {name for name, _v, _me in f.peer.members} == set(
                Area.objects.filter(code__in=p.group).values_list("name", flat=True)
            )
        t = out.trends[0]
        assert f.trend.slope == pytest.approx(t.slope)
        assert f.trend.n == t.n
        for (y, v, lo, hi), fp in zip(f.trend.forecasts, t.forecasts, strict=True):
            assert y == fp.year
            assert v == pytest.approx(fp.value)
            assert lo == pytest.approx(fp.lower) and hi == pytest.approx(fp.upper)
        if covs:
            e = out.expected[0]
            assert f.expected.expected == pytest.approx(e.areas[0].expected)
            assert f.expected.residual == pytest.approx(e.areas[0].residual)
            assert f.expected.standardised == pytest.approx(e.areas[0].standardised)
            assert f.expected.r2 == pytest.approx(e.r2)
            assert f.expected.n == e.n
        else:
            assert f.expected is None


def test_the_page_shows_the_core_figures(demo_db, client_as):
    response = client_as("owner", "viewer").get(reverse("situation:home"))
    assert response.status_code == 200
    html = unescape(response.content.decode())
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Lägesbild: Tomelilla" in text
    assert 'aria-describedby="lb-pdf-hint"' in html and "kan ta några sekunder" in text  # slow PDF
    tomelilla = Area.objects.get(code="1270")
    # the page opens on the curated default (docs/lagesbild.md): here the 6 of CODES in it
    shown = lagesbild.default_codes(None)
    assert set(SCHOOL) <= set(shown) and len(shown) == 6
    for code in SCHOOL:
        year, out = core_json(
            code, "1270", peers=peer_codes(tomelilla), covariates=lagesbild.SCHOOL_COVARIATES
        )
        r = out.ranks[0].areas[0]
        assert f"Rang {r.rank} av {r.n} , kvartil 4" in text or f"Rang {r.rank} av {r.n}, kvartil 4" in text
        e = out.expected[0].areas[0]
        assert f"avvikelse {fmt(e.residual, 1)}" in text, code
        assert f"Prognos {year + 3}: {fmt(out.trends[0].forecasts[-1].value, 1)}" in text
    # every figure has a "how it was computed" disclosure naming method, n and source
    assert html.count("<details>") >= 4 * len(shown)
    assert "Theil–Sen" in text and "OLS" in text
    assert "Demodata." in text  # the banner
    assert text.count("demodata") >= len(shown)  # a badge per indicator
    # charts: one trend chart and one strip chart per indicator, accessible SVG
    assert html.count('role="img"') == 2 * len(shown)


def test_another_area_and_group_can_be_chosen(demo_db, client_as):
    c = client_as("unrelated", "analyst")  # Familjeforum has no area code: the page asks for one
    response = c.get(reverse("situation:home"))
    assert response.status_code == 200
    assert "Välj en kommun" in response.content.decode()
    hbg_group = AreaGroup.objects.get(kolada_id="DEMO-LK-1283")
    response = c.get(reverse("situation:home"), {"area": "1283", "group": hbg_group.pk, "ind": ["DEMO13"]})
    text = unescape(response.content.decode())
    assert "Lägesbild: Helsingborg" in text
    assert "Elever i grundskolan med mer än 15 % frånvaro" in text
    assert (
        "Elever i åk 9, meritvärde"
        not in text.split("<main")[1].split("Välj indikatorer")[1].split("</form>")[1]
    )
    assert c.get(reverse("situation:home"), {"area": "9999"}).status_code == 404
    assert c.get(reverse("situation:home"), {"area": "12"}).status_code == 404  # a region, not a kommun
    assert c.get(reverse("situation:home"), {"area": "1270", "group": "x"}).status_code == 404


def test_another_organisations_own_group_is_not_usable(demo_db, client_as, rollback):
    from insats.situation.services import area_group_create

    secret = area_group_create(
        actor=None,
        organisation=demo_db.orgs["unrelated"],
        name="Familjeforums egna",
        members=Area.objects.filter(code__in=["1270", "1283"]),
    )
    assert (
        client_as("owner", "viewer").get(reverse("situation:home"), {"group": secret.pk}).status_code == 404
    )
    response = client_as("unrelated", "viewer").get(
        reverse("situation:home"), {"area": "1270", "group": secret.pk}
    )
    assert response.status_code == 200
    lb = response.context["lb"]
    ranked = [f for f in lb.figures if f.peer]
    assert ranked and all(f.peer.group_name == "Familjeforums egna" for f in ranked)
    assert all(f.peer.n <= 2 for f in ranked)


def test_small_counts_are_hidden_with_secondary_suppression(demo_db, rollback):
    tomelilla = Area.objects.get(code="1270")
    year = latest_year("DEMO20", "1270")
    cells = Observation.objects.filter(indicator__code="DEMO20", area=tomelilla, period=year)
    cells.filter(gender=Gender.WOMEN).update(count=3)  # a primary cell
    lb = lagesbild.build(tomelilla, organisation=demo_db.orgs["owner"], codes=["DEMO20"])
    f = lb.figures[0]
    rows = {g.gender: g for g in f.gender}
    assert rows["K"].hidden and rows["K"].reason == "primary"
    # one hidden cell in the row would be recomputable from the total: one more is hidden
    assert sum(g.hidden for g in f.gender) >= 2
    assert rows["K"].value_text == "dold" and rows["K"].count_text == "dold"
    # a total resting on fewer than 5: the value is hidden, not ranked and not drawn
    cells.update(count=2)
    lb = lagesbild.build(tomelilla, organisation=demo_db.orgs["owner"], codes=["DEMO20"])
    f = lb.figures[0]
    assert f.hidden and f.value is None and f.rank is None
    assert f.peer is None or f.peer.rank is None
    assert "Tomelilla" not in [name for name, _v in f.strip]
    assert "dold" in f.value_text


def test_a_small_count_elsewhere_is_treated_as_missing(demo_db, rollback):
    tomelilla = Area.objects.get(code="1270")
    year = latest_year("DEMO20", "1270")
    before = lagesbild.build(tomelilla, codes=["DEMO20"]).figures[0]
    Observation.objects.filter(indicator__code="DEMO20", area__code="1283", period=year, gender="T").update(
        count=4
    )
    after = lagesbild.build(tomelilla, codes=["DEMO20"]).figures[0]
    assert after.rank.n == before.rank.n - 1
    assert len(after.strip) == len(before.strip) - 1


def test_a_kolada_value_is_cited_as_kolada_and_derived_figures_as_own_processing(demo_db, rollback):
    tomelilla = Area.objects.get(code="1270")
    Observation.objects.filter(indicator__code="DEMO23").update(source="kolada")
    f = lagesbild.build(tomelilla, codes=["DEMO23"]).figures[0]
    assert f.provenance.raw_label == "Källa: Kolada"
    assert "Egen bearbetning av data från Kolada" in f.provenance.derived_label
    assert not f.provenance.is_demo
    g = lagesbild.build(tomelilla, codes=["DEMO13"]).figures[0]
    assert g.provenance.is_demo and "Demodata" in g.provenance.raw_label


def test_trend_direction_follows_the_polarity(demo_db):
    lb = lagesbild.build(Area.objects.get(code="1283"), codes=["DEMO13", "DEMO23"])
    by = {f.code: f for f in lb.figures}
    # Helsingborg's share with high absence rises (seed 002): lower is better, so it worsens
    assert by["DEMO13"].trend.slope > 0 and by["DEMO13"].trend.direction == "worsening"
    assert by["DEMO23"].trend.direction == "unknown"  # neutral indicator


def test_nan_safety_of_expected_when_covariates_are_missing(demo_db):
    """An outcome whose covariates are not visible gets no expected value rather than an error."""
    lb = lagesbild.build(Area.objects.get(code="1270"), codes=["DEMO23"])
    assert lb.figures[0].expected is None
    assert not math.isnan(lb.figures[0].value)


def test_the_page_in_english_uses_english_titles_and_labels(demo_db, client_as):
    from django.conf import settings

    c = client_as("owner", "viewer")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = unescape(c.get(reverse("situation:home"), {"ind": ["N15505"]}).content.decode())
    assert '<html lang="en">' in text
    assert "Year 9 pupils, merit value (17 subjects)" in text
    assert "Elever i åk 9, meritvärde" not in text.split("</form>")[1]  # the chooser keeps Swedish
    assert "How the rank is calculated" in text


def test_changes_of_percentage_indicators_are_in_percentage_points(demo_db, client_as):
    from django.conf import settings

    from insats.situation.numbers import is_percent_unit

    pct = [c for c in CODES if is_percent_unit(Indicator.objects.get(code=c).unit)]
    assert pct, "the demo has percentage indicators"
    c = client_as("owner", "viewer")
    sv = re.sub(r"\s+", " ", unescape(c.get(reverse("situation:home"), {"ind": pct[:1]}).content.decode()))
    assert re.search(r"[−\d,]+ procentenheter per år", sv)
    assert not re.search(r"\d procent per år", sv)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = re.sub(r"\s+", " ", unescape(c.get(reverse("situation:home"), {"ind": pct[:1]}).content.decode()))
    slope = re.search(r"([−+]?[\d,.]+) percentage points", en)
    assert slope and "," not in slope.group(1)  # dot decimal on the English page
