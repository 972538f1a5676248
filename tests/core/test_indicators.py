"""Indicator statistics: worked examples computed by hand (docs/core/indicators.md), batch API
checked against independent references, bad input, and every example through the CLI."""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from scipy import stats

from insats.core import indicators as ind
from insats.core.indicators import FieldError, run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "core" / "examples"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def cli(command: str, path: Path) -> tuple[int, dict]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-m", "insats.core", command, str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    return proc.returncode, json.loads(proc.stdout)


# --- worked example 1: ranks, percentiles, quartiles, both polarities -----------------------


def test_ranks_higher_is_better_by_hand():
    out = run(example("rank_ranks.json"))
    merit = {r["area"]: r for r in out["ranks"][0]["areas"]}
    # 250, 230, 230, 220, 210, 200, 190 and one missing: n = 7, B and C tied at rank 2
    assert {a: merit[a]["rank"] for a in "ABCDEFG"} == {
        "A": 1,
        "B": 2,
        "C": 2,
        "D": 4,
        "E": 5,
        "F": 6,
        "G": 7,
    }
    assert merit["H"]["rank"] is None and merit["H"]["quartile"] is None and merit["H"]["percentile"] is None
    assert all(merit[a]["n"] == 7 for a in "ABCDEFGH")
    # quartile = ceil(4k/7): k=1 -> 1, k=2 -> 2, k=4,5 -> 3, k=6,7 -> 4
    assert {a: merit[a]["quartile"] for a in "ABCDEFG"} == {
        "A": 1,
        "B": 2,
        "C": 2,
        "D": 3,
        "E": 3,
        "F": 4,
        "G": 4,
    }
    # percentile = 100 (worse + tied/2) / n
    expected = {"A": 6.5, "B": 5.0, "C": 5.0, "D": 3.5, "E": 2.5, "F": 1.5, "G": 0.5}
    for a, num in expected.items():
        assert merit[a]["percentile"] == pytest.approx(100 * num / 7)


def test_ranks_lower_is_better_by_hand():
    out = run(example("rank_ranks.json"))
    absence = {r["area"]: r for r in out["ranks"][1]["areas"]}
    # 9 (C), 11 (G), 12 (A), 14 (H), 15 (D), 18 (B), 21 (F); E missing
    assert {a: absence[a]["rank"] for a in "CGAHDBF"} == {
        "C": 1,
        "G": 2,
        "A": 3,
        "H": 4,
        "D": 5,
        "B": 6,
        "F": 7,
    }
    assert absence["E"]["rank"] is None
    assert absence["F"]["quartile"] == 4 and absence["C"]["quartile"] == 1
    assert absence["C"]["percentile"] == pytest.approx(100 * 6.5 / 7)


def test_peer_position_by_hand():
    out = run(example("rank_ranks.json"))
    peer = out["peers"][0]
    # D 220 among A 250, E 210, G 190 (H has no value): second of four
    assert (peer["rank"], peer["n"]) == (2, 4)
    assert peer["group"] == ["A", "D", "E", "G", "H"]


# --- worked example 2: trend, forecast, prediction interval -------------------------------


def test_theil_sen_and_ols_by_hand():
    out = run(example("rank_trend.json"))
    ts, ols = out["trends"]
    # pairwise slopes sorted: -7, -3, 0.5, 2/3, 1, 1, 1, 2, 5, 8 -> median 1; intercept median(y - x) = -2000
    assert ts["slope"] == pytest.approx(1.0)
    assert ts["intercept"] == pytest.approx(-2000.0)
    assert ts["fitted"]["2024"] == pytest.approx(24.0)
    assert ts["direction"] == "worsening"  # absence rising, lower is better
    f = ts["forecasts"][0]
    assert f["value"] == pytest.approx(26.0)
    # residuals 0, 1, 8, 0, 0 -> s = sqrt(65/3); t(0.975; 3) = 3.182446; sqrt(1 + 1/5 + 16/10)
    half = 3.182446 * math.sqrt(65 / 3) * math.sqrt(2.8)
    assert f["lower"] == pytest.approx(26.0 - half, abs=1e-4)
    assert f["upper"] == pytest.approx(26.0 + half, abs=1e-4)
    # OLS: Sxy = 9, Sxx = 10 -> slope 0.9; forecast 23.8 + 0.9 * 4 = 27.4; RSS = 48.7
    assert ols["slope"] == pytest.approx(0.9)
    g = ols["forecasts"][0]
    assert g["value"] == pytest.approx(27.4)
    half = 3.182446 * math.sqrt(48.7 / 3) * math.sqrt(2.8)
    assert g["lower"] == pytest.approx(27.4 - half, abs=1e-4)
    assert g["upper"] == pytest.approx(27.4 + half, abs=1e-4)
    assert half == pytest.approx(21.4558, abs=1e-3)


# --- worked example 3: expected value from covariates ------------------------------------


def test_expected_value_by_hand():
    out = run(example("rank_expected.json"))["expected"][0]
    # x̄ = 50, ȳ = 222.5, Sxx = 1000, Sxy = 1150 -> slope 1.15, intercept 165
    assert out["coefficients"]["intercept"] == pytest.approx(165.0)
    assert out["coefficients"]["parents_edu"] == pytest.approx(1.15)
    assert out["n"] == 6
    assert out["r2"] == pytest.approx(1 - 215 / 1537.5)
    assert out["s"] == pytest.approx(math.sqrt(215 / 4))
    areas = {a["area"]: a for a in out["areas"]}
    assert areas["F"]["expected"] == pytest.approx(222.5)
    assert areas["F"]["residual"] == pytest.approx(-12.5)
    assert areas["F"]["standardised"] == pytest.approx(-12.5 / math.sqrt(53.75))
    # leverage of F: 1/6 + 0/1000
    assert areas["F"]["studentised"] == pytest.approx(-12.5 / (math.sqrt(53.75) * math.sqrt(5 / 6)))
    assert areas["F"]["better_than_expected"] is False
    assert areas["D"]["residual"] == pytest.approx(6.0) and areas["D"]["better_than_expected"] is True


# --- worked example 4: progress towards a target ------------------------------------------


def test_target_progress_by_hand():
    t = run(example("rank_target.json"))["targets"][0]
    # baseline 25.0 (2022), -20 % -> 20.0 by 2026; 2024: 23.0
    assert t["target"] == pytest.approx(20.0)
    assert t["current_year"] == 2024 and t["current"] == 23.0
    assert t["achieved_share"] == pytest.approx(0.4)  # (23 - 25) / (20 - 25)
    assert t["elapsed_share"] == pytest.approx(0.5)  # 2 of 4 years
    assert t["path_value"] == pytest.approx(22.5)
    assert t["on_track"] is False
    # Theil-Sen over 2022-2024: slopes -0.5, -1, -1.5 -> -1; intercept median(y + x) = 2047 -> 21.0 in 2026
    assert t["projected"] == pytest.approx(21.0)


def test_target_progress_other_forms():
    data = example("rank_target.json")
    data["targets"] = [
        {
            "indicator": "absence15_soc",
            "area": "HBG",
            "baseline_year": 2022,
            "target_year": 2026,
            "change_absolute": -4.0,
            "current_year": 2023,
        },
        {
            "indicator": "absence15_soc",
            "area": "HBG",
            "baseline_year": 2022,
            "target_year": 2024,
            "target_value": 23.0,
        },
    ]
    a, b = run(data)["targets"]
    assert (
        a["target"] == 21.0 and a["achieved_share"] == pytest.approx(0.5 / 4) and a["elapsed_share"] == 0.25
    )
    assert a["on_track"] is False
    assert b["achieved_share"] == pytest.approx(1.0) and b["on_track"] is True


def test_target_progress_higher_is_better_direction():
    p = ind.target_progress(200.0, 220.0, 215.0, 2020, 2024, 2022)  # merit value up by 20
    assert p["achieved"] == pytest.approx(0.75) and p["elapsed"] == pytest.approx(0.5)
    assert bool(p["on_track"]) is True
    p = ind.target_progress(np.array([200.0, 200.0]), 220.0, np.array([205.0, np.nan]), 2020, 2024, 2022)
    assert p["on_track"].tolist() == [False, False]
    assert np.isnan(p["achieved"][1])


# --- batch API against independent references ---------------------------------------------


def test_rank_areas_3d_polarity_per_indicator_and_nan():
    rng = np.random.default_rng(3)
    v = rng.integers(0, 6, size=(9, 4, 3)).astype(float)
    v[rng.random(v.shape) < 0.2] = np.nan
    hib = np.array([True, False, True, False])
    r = ind.rank_areas(v, hib)
    for i in range(4):
        for y in range(3):
            col = v[:, i, y]
            for a in range(9):
                if np.isnan(col[a]):
                    assert np.isnan(r.rank[a, i, y])
                    continue
                others = col[~np.isnan(col)]
                better = (others > col[a]).sum() if hib[i] else (others < col[a]).sum()
                assert r.rank[a, i, y] == 1 + better
                assert r.n[a, i, y] == len(others)
                assert r.quartile[a, i, y] == math.ceil(4 * (1 + better) / len(others))


def test_peer_positions_against_loops():
    rng = np.random.default_rng(5)
    v = rng.integers(0, 5, size=(12, 3)).astype(float)
    v[rng.random(v.shape) < 0.15] = np.nan
    peers = rng.integers(-1, 12, size=(12, 4))
    rank, n = ind.peer_positions(v, [True, False, True], peers)
    for a in range(12):
        group = {int(p) for p in peers[a] if p >= 0 and p != a}
        for i, hib in enumerate([True, False, True]):
            if np.isnan(v[a, i]):
                assert np.isnan(rank[a, i])
                continue
            vals = [v[p, i] for p in group if not np.isnan(v[p, i])]
            better = sum((x > v[a, i]) if hib else (x < v[a, i]) for x in vals)
            assert rank[a, i] == 1 + better and n[a, i] == 1 + len(vals)


def test_group_ranks_rank_within_groups_only():
    v = np.array([10.0, 20.0, 30.0, 5.0, 1.0])
    r = ind.group_ranks(v, True, ["x", "x", "y", "y", "y"])
    assert r.rank.tolist() == [2.0, 1.0, 1.0, 2.0, 3.0]
    assert r.n.tolist() == [2.0, 2.0, 3.0, 3.0, 3.0]


def test_theil_sen_matches_scipy_with_missing_years():
    rng = np.random.default_rng(11)
    years = np.arange(2005, 2025, dtype=float)
    y = rng.normal(50, 5, size=(30, 20)) + 0.7 * (years - 2005)
    y[rng.random(y.shape) < 0.25] = np.nan
    t = ind.theil_sen(y, years, chunk=7)  # small chunk: the chunking is exercised too
    for k in range(30):
        ok = ~np.isnan(y[k])
        ref = stats.theilslopes(y[k, ok], years[ok], method="joint")
        assert t.slope[k] == pytest.approx(ref.slope, abs=1e-9)
        assert t.intercept[k] == pytest.approx(ref.intercept, abs=1e-6)


def test_ols_trend_matches_polyfit():
    rng = np.random.default_rng(12)
    years = np.arange(2010, 2020, dtype=float)
    y = rng.normal(size=(5, 10))
    y[0, 3] = np.nan
    t = ind.ols_trend(y, years)
    for k in range(5):
        ok = ~np.isnan(y[k])
        slope, intercept = np.polyfit(years[ok], y[k, ok], 1)
        assert t.slope[k] == pytest.approx(slope)
        assert t.intercept[k] + t.slope[k] * 2015 == pytest.approx(intercept + slope * 2015)


def test_trend_needs_two_points_and_interval_three():
    t = ind.theil_sen(np.array([[1.0, np.nan, np.nan], [1.0, 2.0, np.nan]]), [1, 2, 3])
    assert np.isnan(t.slope[0]) and t.slope[1] == 1.0
    v, lo, hi = ind.forecast(t, 4)
    assert v[1] == pytest.approx(4.0) and np.isnan(lo[1]) and np.isnan(hi[1])


def test_expected_values_two_covariates_against_normal_equations():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(40, 2))
    y = 3 + 2 * x[:, 0] - x[:, 1] + rng.normal(scale=0.5, size=40)
    y[4] = np.nan
    x[7, 1] = np.nan
    e = ind.expected_values(y, x)
    ok = ~np.isnan(y) & ~np.isnan(x).any(axis=1)
    d = np.column_stack([np.ones(ok.sum()), x[ok]])
    beta = np.linalg.solve(d.T @ d, d.T @ y[ok])
    assert e["coefficients"] == pytest.approx(beta)
    assert e["n"] == 38 and np.isnan(e["expected"][4]) and np.isnan(e["residual"][7])
    resid = y[ok] - d @ beta
    assert e["r2"] == pytest.approx(1 - resid @ resid / ((y[ok] - y[ok].mean()) ** 2).sum())
    assert np.nanmean(e["residual"]) == pytest.approx(0, abs=1e-9)


def test_expected_r2_equals_squared_correlation_for_one_covariate():
    x = np.array([1.0, 2.0, 4.0, 5.0, 9.0])
    y = np.array([2.0, 1.0, 5.0, 4.0, 8.0])
    assert ind.expected_values(y, x)["r2"] == pytest.approx(np.corrcoef(x, y)[0, 1] ** 2)


def test_theil_sen_median_by_statistics_module():
    y = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0])
    x = np.arange(6.0)
    slopes = [(y[j] - y[i]) / (x[j] - x[i]) for i in range(6) for j in range(i + 1, 6)]
    assert ind.theil_sen(y, x).slope == pytest.approx(statistics.median(slopes))


# --- bad input ----------------------------------------------------------------------------


def test_unknown_indicator_and_missing_polarity_name_the_field():
    data = example("rank_ranks.json")
    data["ranks"][0]["indicator"] = "nope"
    with pytest.raises(FieldError) as exc:
        run(data)
    assert exc.value.field == "ranks.0.indicator"
    data = example("rank_expected.json")
    data["ranks"] = [{"indicator": "parents_edu", "year": 2023}]
    with pytest.raises(FieldError) as exc:
        run(data)
    assert exc.value.field == "ranks.0.indicator" and "higher_is_better" in str(exc.value)


def test_duplicate_and_unknown_observations():
    data = example("rank_trend.json")
    data["observations"].append(dict(data["observations"][0]))
    with pytest.raises(FieldError) as exc:
        run(data)
    assert exc.value.field == "observations.5"
    data = example("rank_trend.json")
    data["observations"][2]["area"] = "X"
    with pytest.raises(FieldError) as exc:
        run(data)
    assert exc.value.field == "observations.2.area"


def test_target_needs_exactly_one_form():
    data = example("rank_target.json")
    data["targets"][0]["target_value"] = 20.0
    with pytest.raises(ValidationError) as exc:
        run(data)
    assert "targets.0" in str(exc.value).replace("\n", ".").replace(" ", "") or "targets" in str(exc.value)
    data = example("rank_target.json")
    data["targets"][0]["baseline_year"] = 2019
    with pytest.raises(FieldError) as exc:
        run(data)
    assert exc.value.field == "targets.0.baseline_year"


def test_expected_with_too_few_areas_names_request():
    data = example("rank_expected.json")
    data["observations"] = [o for o in data["observations"] if o["area"] in ("A", "B")]
    with pytest.raises(FieldError) as exc:
        run(data)
    assert exc.value.field == "expected.0"


def test_schema_has_descriptions():
    schema = ind.RankInput.model_json_schema()
    assert schema["properties"]["trends"]["description"]
    assert schema["$defs"]["TrendRequest"]["properties"]["level"]["description"]


# --- every example through the CLI --------------------------------------------------------


HAND_VALUES = {  # one hand-computed figure per example, checked on the CLI's output
    "rank_ranks.json": lambda out: out["ranks"][0]["areas"][3]["rank"] == 4,
    "rank_trend.json": lambda out: abs(out["trends"][0]["forecasts"][0]["value"] - 26.0) < 1e-9,
    "rank_expected.json": lambda out: abs(out["expected"][0]["areas"][5]["residual"] + 12.5) < 1e-9,
    "rank_target.json": lambda out: abs(out["targets"][0]["achieved_share"] - 0.4) < 1e-9,
    "rank_suppression.json": lambda out: out["suppression"][0]["cells"][0] == [12, None, None],
}


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("rank_*.json")))
def test_cli_runs_every_example(name):
    code, out = cli("rank", EXAMPLES / name)
    assert code == 0, out
    assert out == json.loads(json.dumps(run(example(name))))
    assert HAND_VALUES[name](out)


def test_cli_bad_input_exits_2(tmp_path):
    data = example("rank_ranks.json")
    data["peers"][0]["peers"].append("Z")
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out = cli("rank", path)
    assert code == 2 and out["errors"][0]["field"] == "peers.0.peers.4"


def test_unknown_covariate_names_the_field():
    data = example("rank_expected.json")
    data["expected"][0]["covariates"] = ["parents_edu", "nope"]
    with pytest.raises(FieldError) as exc:
        run(data)
    assert exc.value.field == "expected.0.covariates.1"
