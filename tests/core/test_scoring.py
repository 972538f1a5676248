"""Tender scoring: worked examples computed by hand (see docs/core/scoring.md) and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from insats.core import scoring
from insats.core.scoring import FieldError, aggregate, qualifies, run

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


def by_id(out: dict) -> dict[str, dict]:
    return {b["id"]: b for b in out["bids"]}


# --- building blocks ------------------------------------------------------------------------


def test_qualifies_any_group_all_requirements():
    any_of = [["a"], ["b", "c"]]
    assert qualifies(any_of, {"a": True})
    assert qualifies(any_of, {"b": True, "c": True})
    assert not qualifies(any_of, {"b": True})  # c missing counts as not met
    assert not qualifies(any_of, {"a": False, "b": True, "c": False})


def test_aggregate_mean_and_median_by_hand():
    s = [Decimal(9), Decimal(8), Decimal(4)]
    assert aggregate(s, "mean") == Decimal(7)
    assert aggregate(s, "median") == Decimal(8)
    assert aggregate([Decimal(4), Decimal(9), Decimal(6), Decimal(8)], "median") == Decimal(7)


# --- worked example 1: the seed-001 tender (qualification, mean, consensus) ----------------


def test_seed_001_qualification_consensus_and_ranking():
    out = run(example("score_qualification.json"))
    bids = by_id(out)
    # C is late (K1) and does not cover step E (K3): excluded with both reasons.
    assert not bids["C"]["qualified"]
    assert len(bids["C"]["exclusion_reasons"]) == 2
    assert "K1" in bids["C"]["exclusion_reasons"][0] and "on_time" in bids["C"]["exclusion_reasons"][0]
    assert "K3" in bids["C"]["exclusion_reasons"][1] and "covers_E" in bids["C"]["exclusion_reasons"][1]
    # D meets K2 through its second group (price within frame AND hourly rate given).
    assert bids["D"]["qualified"]
    # A: competence (8+7+9)/3 = 8, plan (6+7+5)/3 = 6 -> 14
    assert Decimal(bids["A"]["total_points"]) == Decimal("14")
    # B: competence (7+6+6)/3 = 6.333333, plan mean 7 replaced by consensus 8 -> 14.333333
    plan_b = next(c for c in bids["B"]["criteria"] if c["criterion"] == "plan")
    assert Decimal(plan_b["aggregate"]) == Decimal(7)
    assert Decimal(plan_b["consensus"]) == Decimal(8)
    assert Decimal(plan_b["score"]) == Decimal(8)
    assert plan_b["consensus_reason"].startswith("E3 hade missat")
    assert Decimal(bids["B"]["total_points"]) == Decimal("14.333333")
    # D: (5+6+7)/3 = 6, 7 -> 13
    assert Decimal(bids["D"]["total_points"]) == Decimal(13)
    assert [b["id"] for b in out["bids"]] == ["B", "A", "D", "C"]
    assert [bids[i]["rank"] for i in "BAD"] == [1, 2, 3]
    assert out["winner"] == "B"
    assert out["ties"] == []
    kinds = [s["step"] for s in out["steps"]]
    assert kinds.count("qualification") == 4 and kinds.count("criterion") == 6
    assert all(s["text_sv"] and s["text_en"] for s in out["steps"])
    consensus_step = next(s for s in out["steps"] if s["bid"] == "B" and "Konsensus" in s["text_sv"])
    assert "7,00" in consensus_step["text_sv"] and "8,00" in consensus_step["text_sv"]


def test_seed_001_with_median():
    data = example("score_qualification.json")
    data["aggregation"] = "median"
    bids = by_id(run(data))
    # A: median(8,7,9)=8, median(6,7,5)=6 -> 14; B: median(7,6,6)=6 + consensus 8 -> 14; D: 6 + 7 = 13
    assert Decimal(bids["A"]["total_points"]) == 14
    assert Decimal(bids["B"]["total_points"]) == 14
    assert bids["A"]["rank"] == bids["B"]["rank"] == 1
    assert bids["A"]["position"] is None  # tie, no seed: not broken


# --- worked example 2: relative price and rank reversal -------------------------------------


def test_relative_price_points_and_rank_reversal():
    out = run(example("score_relative_price.json"))
    bids = by_id(out)
    # price points = 40 x 100000 / price: A 40, B 26.666667, C 13.333333
    assert Decimal(bids["A"]["price_points"]) == Decimal("40")
    assert Decimal(bids["B"]["price_points"]) == Decimal("26.666667")
    assert Decimal(bids["C"]["price_points"]) == Decimal("13.333333")
    # quality = 60 x mean/10: A 12, B 30, C 45
    assert [Decimal(bids[i]["quality_points"]) for i in "ABC"] == [12, 30, 45]
    assert [Decimal(bids[i]["total_points"]) for i in "ABC"] == [
        Decimal("52"),
        Decimal("56.666667"),
        Decimal("58.333333"),
    ]
    assert out["winner"] == "C"
    # Without A, lowest price is B's: B 30 + 40 = 70 beats C 45 + 20 = 65. Removing B changes nothing.
    assert len(out["rank_reversals"]) == 1
    rv = out["rank_reversals"][0]
    assert rv["removed_bid"] == "A"
    assert rv["changed_pairs"] == [["B", "C"]]
    assert rv["order_before"] == [["C"], ["B"]]
    assert rv["order_after"] == [["B"], ["C"]]
    codes = [w["code"] for w in out["warnings"]]
    assert codes == ["relative_price_rank_reversal_risk", "rank_reversal_detected"]


def test_relative_price_without_reversal_still_warns():
    data = example("score_relative_price.json")
    data["bids"][0]["price"] = "150000"  # A no longer lowest: B and A share the lowest price
    out = run(data)
    assert out["rank_reversals"] == []
    assert [w["code"] for w in out["warnings"]] == ["relative_price_rank_reversal_risk"]


# --- worked example 3: absolute price bands with median ------------------------------------


def test_absolute_price_bands():
    out = run(example("score_absolute_price.json"))
    bids = by_id(out)
    # medians: A 5, B 8, C 10 -> quality 30, 48, 60; bands: 95000 -> 10, 140000 -> 6, 210000 -> above (0)
    assert [Decimal(bids[i]["quality_points"]) for i in "ABC"] == [30, 48, 60]
    assert [Decimal(bids[i]["price_points"]) for i in "ABC"] == [40, 24, 0]
    assert [Decimal(bids[i]["total_points"]) for i in "ABC"] == [70, 72, 60]
    assert out["winner"] == "B"
    assert out["warnings"] == [] and out["rank_reversals"] == []


def test_absolute_band_boundary_is_inclusive():
    data = example("score_absolute_price.json")
    data["bids"][0]["price"] = "100000"  # exactly the band limit -> still 10 points
    data["bids"][1]["price"] = "100000.01"  # just above -> next band, 6 points
    bids = by_id(run(data))
    assert Decimal(bids["A"]["price_points"]) == 40
    assert Decimal(bids["B"]["price_points"]) == 24


# --- worked example 4: value deduction (jämförelsepris) ------------------------------------


def test_value_deduction_comparison_price():
    out = run(example("score_value_deduction.json"))
    bids = by_id(out)
    a = {c["criterion"]: c for c in bids["A"]["criteria"]}
    # A competence mean (7+8+8)/3 = 23/3; 20000 x 23/30 = 15333.333... -> 15333.33 (öre)
    assert Decimal(a["competence"]["deduction"]) == Decimal("15333.33")
    assert Decimal(a["plan"]["deduction"]) == Decimal("18000.00")
    assert Decimal(bids["A"]["comparison_price"]) == Decimal("106666.67")
    assert Decimal(bids["B"]["comparison_price"]) == Decimal("95000.00")
    assert Decimal(bids["C"]["comparison_price"]) == Decimal("103000.00")
    assert [b["id"] for b in out["bids"]] == ["B", "C", "A"]
    assert out["winner"] == "B"
    assert bids["A"]["total_points"] is None


# --- worked example 5: ties and the lottery -------------------------------------------------


def test_tie_reported_without_seed():
    data = example("score_lottery.json")
    del data["lottery_seed"]
    out = run(data)
    bids = by_id(out)
    assert out["winner"] is None
    assert out["ties"] == [{"rank": 1, "bids": ["A", "B"], "broken_by_lottery": False, "lottery_order": None}]
    assert bids["A"]["rank"] == bids["B"]["rank"] == 1 and bids["C"]["rank"] == 3
    assert bids["A"]["position"] is None and bids["C"]["position"] == 3
    assert out["lottery_seed"] is None


def test_lottery_with_seed_is_recorded_and_repeatable():
    data = example("score_lottery.json")
    out = run(data)
    assert out["lottery_seed"] == 20240527
    tie = out["ties"][0]
    assert tie["broken_by_lottery"] and sorted(tie["lottery_order"]) == ["A", "B"]
    assert out["winner"] == tie["lottery_order"][0]
    bids = by_id(out)
    assert [bids[i]["position"] for i in tie["lottery_order"]] == [1, 2]
    assert bids["C"]["position"] == 3
    # the same seed gives the same draw, whatever the order of the bids
    data["bids"].reverse()
    again = run(data)
    assert again["ties"] == out["ties"] and again["winner"] == out["winner"]
    # the draw can be recomputed from the documented method: random.Random(seed).shuffle(sorted ids)
    import random

    order = ["A", "B"]
    random.Random(20240527).shuffle(order)
    assert tie["lottery_order"] == order


# --- bad input ------------------------------------------------------------------------------


def _base() -> dict:
    return example("score_relative_price.json")


def test_score_outside_scale_names_field():
    data = _base()
    data["bids"][1]["scores"]["quality"][0]["score"] = 11
    with pytest.raises(FieldError) as exc:
        run(data)
    assert exc.value.field == "bids.1.scores.quality.0.score"


def test_missing_price_names_field():
    data = _base()
    del data["bids"][2]["price"]
    with pytest.raises(FieldError) as exc:
        run(data)
    assert exc.value.field == "bids.2.price"


def test_missing_score_for_qualified_bid_names_field():
    data = _base()
    del data["bids"][0]["scores"]["quality"]
    with pytest.raises(FieldError) as exc:
        run(data)
    assert exc.value.field == "bids.0.scores.quality"


def test_consensus_needs_reason():
    data = _base()
    data["bids"][0]["consensus"] = {"quality": {"score": 5, "reason": ""}}
    with pytest.raises(ValidationError) as exc:
        run(data)
    assert "reason" in str(exc.value)


def test_duplicate_bid_and_evaluator():
    data = _base()
    data["bids"][1]["id"] = "A"
    with pytest.raises(FieldError) as exc:
        run(data)
    assert exc.value.field == "bids.1.id"
    data = _base()
    data["bids"][0]["scores"]["quality"][1]["evaluator"] = "E1"
    with pytest.raises(FieldError) as exc:
        run(data)
    assert exc.value.field == "bids.0.scores.quality.1.evaluator"


def test_weight_required_unless_value_deduction():
    data = _base()
    del data["criteria"][0]["weight"]
    with pytest.raises(FieldError) as exc:
        run(data)
    assert exc.value.field == "criteria.0.weight"
    data = example("score_value_deduction.json")
    del data["criteria"][1]["deduction"]
    with pytest.raises(FieldError) as exc:
        run(data)
    assert exc.value.field == "criteria.1.deduction"


def test_unknown_price_model_and_bad_bands():
    data = _base()
    data["price_model"] = {"type": "cheapest"}
    with pytest.raises(ValidationError):
        run(data)
    data = example("score_absolute_price.json")
    data["price_model"]["bands"][1]["up_to"] = "90000"
    with pytest.raises(ValidationError) as exc:
        run(data)
    assert "bands[1].up_to" in str(exc.value)


def test_excluded_bid_needs_no_scores():
    data = example("score_qualification.json")
    out = run(data)  # bid C has no scores at all and is excluded: not an error
    assert by_id(out)["C"]["criteria"] == []


def test_model_is_exported():
    assert scoring.ScoreInput.model_json_schema()["properties"]["bids"]["description"]


# --- every example through the CLI ----------------------------------------------------------

EXPECTED_WINNERS = {
    "score_qualification.json": "B",
    "score_relative_price.json": "C",
    "score_absolute_price.json": "B",
    "score_value_deduction.json": "B",
}


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("score_*.json")))
def test_cli_runs_every_example(name):
    code, out = cli("score", EXAMPLES / name)
    assert code == 0, out
    assert out == json.loads(json.dumps(run(example(name)), default=str))
    if name in EXPECTED_WINNERS:
        assert out["winner"] == EXPECTED_WINNERS[name]


def test_cli_bad_input_exits_2_naming_field(tmp_path):
    data = _base()
    data["bids"][1]["scores"]["quality"][0]["score"] = -1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out = cli("score", path)
    assert code == 2
    assert out["errors"][0]["field"] == "bids.1.scores.quality.0.score"


def test_absolute_price_with_mean_lets_one_evaluator_decide():
    """docs: with the mean, E3's 9 lifts A to 6 -> 36 + 40 = 76 against B's 44 + 24 = 68."""
    data = example("score_absolute_price.json")
    data["aggregation"] = "mean"
    out = run(data)
    bids = by_id(out)
    assert Decimal(bids["A"]["total_points"]) == 76
    assert Decimal(bids["B"]["total_points"]) == Decimal("68")  # 60 x (22/3)/10 = 44, + 24
    assert out["winner"] == "A"


def test_without_consensus_a_would_win():
    data = example("score_qualification.json")
    del data["bids"][1]["consensus"]
    out = run(data)
    assert Decimal(by_id(out)["B"]["total_points"]) == Decimal("13.333333")
    assert out["winner"] == "A"


def test_all_bids_excluded():
    data = example("score_qualification.json")
    data["bids"] = [data["bids"][2]]  # only the late bid C
    out = run(data)
    assert out["winner"] is None and out["ties"] == []
    assert [b["id"] for b in out["bids"]] == ["C"] and out["bids"][0]["rank"] is None
    assert out["steps"][-1]["text_en"] == "No bid meets the qualification criteria."
