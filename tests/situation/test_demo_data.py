"""The synthetic demo panel: the model's promises (Tomelilla lowest quartile raw and adjusted,
Helsingborg's rising absence, gender split, missing values, small counts, peers) and the build
(bulk, idempotent, audited once, never over real data, DEBUG only)."""

from __future__ import annotations

from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from insats.audit.models import AuditEntry
from insats.core import indicators as core
from insats.situation.demo_data import (
    HELSINGBORG,
    SPEC_BY_CODE,
    SPECS,
    TOMELILLA,
    YEARS,
    build_demo_indicators,
    generate,
)
from insats.situation.lagesbild import SCHOOL_COVARIATES
from insats.situation.models import AreaGroup, Indicator, IndicatorSource, Observation
from insats.situation.services import read_area_file

KOMMUNER = [r.code for r in read_area_file() if r.kind == "kommun"]


@pytest.fixture(scope="module")
def panel():
    return generate(KOMMUNER)


def test_there_are_290_kommuner_and_about_twenty_indicators(panel):
    assert len(KOMMUNER) == 290
    assert 18 <= len(SPECS) <= 24
    assert panel.years == list(range(2010, 2026))
    for code, cube in panel.values.items():
        assert cube.shape == (290, 16, 3), code


def test_generation_is_deterministic(panel):
    again = generate(KOMMUNER)
    for code in panel.values:
        np.testing.assert_array_equal(panel.values[code], again.values[code])


@pytest.mark.parametrize("code", ["N15505", "N15428", "N15419", "DEMO10", "DEMO11"])  # grade 9 and grade 6
def test_tomelilla_is_in_the_lowest_quartile_raw_and_adjusted(panel, code):
    i = KOMMUNER.index(TOMELILLA)
    spec = SPEC_BY_CODE[code]
    for year in range(spec.last_year - 2, spec.last_year + 1):  # the three latest years
        yi = YEARS.index(year)
        y = panel.values[code][:, yi, 0]
        cy = min(year, SPEC_BY_CODE["DEMO02"].last_year)
        x = np.column_stack([panel.values[c][:, YEARS.index(cy), 0] for c in SCHOOL_COVARIATES])
        assert core.rank_areas(y, True).quartile[i] == 4, (code, year)
        e = core.expected_values(y, x)
        assert e["residual"][i] < 0
        assert core.rank_areas(e["residual"], True).quartile[i] == 4, (code, year)
        assert e["r2"] > 0.4  # the covariates do explain much of the variation


def test_tomelillas_grade_9_results_fall(panel):
    i = KOMMUNER.index(TOMELILLA)
    t = core.theil_sen(panel.values["N15505"][i, :, 0], np.array(YEARS, dtype=float))
    assert t.slope < 0


def test_helsingborgs_high_absence_history_rises_from_2015(panel):
    h = KOMMUNER.index(HELSINGBORG)
    series = panel.values["DEMO13"][h, :, 0]
    observed = [y for y, v in zip(YEARS, series, strict=True) if not np.isnan(v)]
    assert observed == list(range(2015, 2026))
    assert core.theil_sen(series, np.array(YEARS, dtype=float)).slope > 0


def test_gender_split_only_where_the_indicator_is_divided(panel):
    for spec in SPECS:
        cube = panel.values[spec.code]
        has_gender = not np.isnan(cube[:, :, 1:]).all()
        assert has_gender == spec.gender, spec.code
    merit = panel.values["N15505"]
    ok = ~np.isnan(merit[:, -1, 1]) & ~np.isnan(merit[:, -1, 2])
    assert np.mean(merit[ok, -1, 1] > merit[ok, -1, 2]) > 0.9  # girls' merit value is higher, as in Sweden


def test_some_values_are_missing_and_some_counts_small(panel):
    merit = panel.values["N15505"][:, :, 0]
    share_missing = np.isnan(merit).mean()
    assert 0.005 < share_missing < 0.05
    counts = panel.counts["DEMO20"]
    assert np.nansum(counts[:, :, 1] < 5) > 0  # small counts by gender in small kommuner
    assert np.nanmin(counts[:, :, 0]) >= 0


def test_riket_is_the_population_weighted_mean(panel):
    yi = YEARS.index(2024)
    v = panel.values["DEMO02"][:, yi, 0]
    ok = ~np.isnan(v)
    expected = round(float(np.sum(v[ok] * panel.population[ok]) / np.sum(panel.population[ok])), 1)
    assert panel.riket["DEMO02"][yi, 0] == pytest.approx(expected)


def test_every_kommun_has_seven_similar_kommuner(panel):
    assert set(panel.peers) == set(KOMMUNER)
    for code, peers in panel.peers.items():
        assert len(set(peers)) == 7 and code not in peers


# --- the database build ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def areas(request):
    """The kommuner (a data migration; flushed if a transactional test ran before in this worker)."""
    if "db" in request.fixturenames:
        request.getfixturevalue("db")
        from insats.situation.models import Area
        from insats.situation.services import load_areas

        if not Area.objects.exists():
            load_areas()


def test_build_is_idempotent_audited_once_and_labelled(db):
    codes = ["N15505", "DEMO13"]
    report = build_demo_indicators(codes=codes)
    assert sorted(report.indicators_created) == sorted(codes)
    # (290 kommuner + Riket) × years with values × genders, less the missing cells
    assert report.inserted == Observation.objects.count() > 290 * 11 * 3
    assert report.groups_created == 290
    assert AuditEntry.objects.filter(action="situation.demo_indicators.built").count() == 1
    assert set(Observation.objects.values_list("source", flat=True)) == {IndicatorSource.DEMO}
    assert set(Indicator.objects.values_list("source", flat=True)) == {IndicatorSource.DEMO}
    assert all("DEMODATA" in d for d in Indicator.objects.values_list("description", flat=True))
    again = build_demo_indicators(codes=codes)
    assert again.changes == 0 and again.unchanged == report.inserted
    assert AuditEntry.objects.filter(action="situation.demo_indicators.built").count() == 1
    tomelilla = AreaGroup.objects.get(kolada_id="DEMO-LK-1270")
    assert tomelilla.name == "Liknande kommuner, barn och unga, Tomelilla (demo)"
    assert tomelilla.members.count() == 7
    assert AreaGroup.objects.filter(kolada_id="DEMO-LK-1283").exists()


def test_a_changed_value_is_put_back(db):
    build_demo_indicators(codes=["DEMO01"])
    cell = Observation.objects.filter(indicator__code="DEMO01", area__code="1270").first()
    right = cell.value
    cell.value = right + 5
    cell.save()
    report = build_demo_indicators(codes=["DEMO01"])
    assert report.updated == 1 and report.inserted == 0
    cell.refresh_from_db()
    assert cell.value == right


def test_real_data_is_never_overwritten(db):
    Indicator.objects.create(code="N15505", kolada_kpi_id="N15505", title_sv="Meritvärde", source="kolada")
    report = build_demo_indicators(codes=["N15505", "DEMO01"])
    assert report.skipped == ["N15505"]
    assert not Observation.objects.filter(indicator__code="N15505").exists()
    assert Indicator.objects.get(code="N15505").source == "kolada"


def test_command_refuses_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_indicators", stdout=StringIO())
    assert not Observation.objects.exists()


def test_command_names_unknown_codes(db, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="codes: unknown demo indicator.*NOPE"):
        call_command("demo_indicators", "--codes", "NOPE", stdout=StringIO())


def test_command_builds_with_debug_on(db, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("demo_indicators", "--codes", "DEMO03", stdout=out)
    assert "1 indicators created" in out.getvalue()
    assert AuditEntry.objects.get(action="situation.demo_indicators.built").actor_label == (
        "manage.py demo_indicators"
    )


def test_every_total_lies_between_girls_and_boys(panel):
    """A total is a mean of girls and boys: never below both nor above both (kommuner and Riket)."""
    for spec in SPECS:
        if not spec.gender:
            continue
        for label, cube in (("kommuner", panel.values[spec.code]), ("Riket", panel.riket[spec.code])):
            total, girls, boys = cube[..., 0], cube[..., 1], cube[..., 2]
            ok = ~np.isnan(total) & ~np.isnan(girls) & ~np.isnan(boys)
            lo, hi = np.minimum(girls, boys)[ok], np.maximum(girls, boys)[ok]
            outside = int(np.sum((total[ok] < lo) | (total[ok] > hi)))
            assert outside == 0, f"{spec.code} ({label}): {outside} totals outside the girls/boys range"
