"""Property tests for tender scoring: order independence, the qualification rule, totals."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from insats.core.scoring import qualifies, run

REQS = ["r1", "r2", "r3", "r4"]


@st.composite
def tenders(draw, models=(None, "relative", "absolute", "value_deduction")):
    n_crit = draw(st.integers(1, 3))
    model = draw(st.sampled_from(models))
    criteria = []
    for k in range(n_crit):
        c = {
            "id": f"c{k}",
            "text": f"criterion {k}",
            "scale_min": 0,
            "scale_max": draw(st.sampled_from([5, 10])),
        }
        if model == "value_deduction":
            c["deduction"] = str(draw(st.integers(0, 50)) * 1000)
        else:
            c["weight"] = draw(st.integers(1, 60))
        criteria.append(c)
    qualification = [
        {
            "id": "Q1",
            "text": "q",
            "any_of": draw(
                st.lists(st.lists(st.sampled_from(REQS), min_size=1, max_size=3), min_size=1, max_size=3)
            ),
        }
    ]
    evaluators = ["E1", "E2", "E3", "E4"]
    n_bids = draw(st.integers(1, 6))
    bids = []
    for b in range(n_bids):
        scores = {}
        for c in criteria:
            who = draw(st.lists(st.sampled_from(evaluators), min_size=1, max_size=4, unique=True))
            scores[c["id"]] = [
                {"evaluator": e, "score": draw(st.integers(0, c["scale_max"] * 2)) / 2} for e in who
            ]
        bid = {
            "id": f"bid{b}",
            "price": str(draw(st.integers(50, 400)) * 1000),
            "requirements": {r: draw(st.sampled_from([True, True, True, True, False])) for r in REQS},
            "scores": scores,
        }
        if draw(st.booleans()):
            c = criteria[0]
            bid["consensus"] = {c["id"]: {"score": draw(st.integers(0, c["scale_max"])), "reason": "agreed"}}
        bids.append(bid)
    data = {
        "criteria": criteria,
        "qualification": qualification,
        "bids": bids,
        "aggregation": draw(st.sampled_from(["mean", "median"])),
    }
    if draw(st.booleans()):
        data["lottery_seed"] = draw(st.integers(0, 10**6))
    if model == "relative":
        data["price_model"] = {"type": "relative", "weight": draw(st.integers(1, 60))}
    elif model == "absolute":
        data["price_model"] = {
            "type": "absolute",
            "weight": draw(st.integers(1, 60)),
            "bands": [{"up_to": "100000", "points": 10}, {"up_to": "200000", "points": 5}],
        }
    elif model == "value_deduction":
        data["price_model"] = {"type": "value_deduction"}
    return data


def summary(out: dict) -> dict:
    return {
        b["id"]: (b["qualified"], b["total_points"], b["comparison_price"], b["rank"], b["position"])
        for b in out["bids"]
    }


@settings(max_examples=60, deadline=None)
@given(tenders(), st.randoms(use_true_random=False))
def test_independent_of_evaluator_and_bid_order(data, rnd):
    out = run(data)
    shuffled = {**data, "bids": [dict(b) for b in data["bids"]]}
    for b in shuffled["bids"]:
        b["scores"] = {k: rnd.sample(v, len(v)) for k, v in b["scores"].items()}
    rnd.shuffle(shuffled["bids"])
    again = run(shuffled)
    assert summary(again) == summary(out)
    assert again["winner"] == out["winner"]
    assert again["ties"] == out["ties"]
    assert again["rank_reversals"] == out["rank_reversals"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(REQS), min_size=1, max_size=4), min_size=1, max_size=4),
    st.dictionaries(st.sampled_from(REQS), st.booleans()),
)
def test_qualification_equals_its_boolean_definition(any_of, met):
    true_set = {r for r, ok in met.items() if ok}
    expected = False
    for group in any_of:  # OR over groups of AND over requirements, written out as sets
        if set(group) <= true_set:
            expected = True
    assert qualifies(any_of, met) is expected


@settings(max_examples=60, deadline=None)
@given(tenders())
def test_excluded_exactly_when_a_criterion_fails(data):
    out = run(data)
    any_of = data["qualification"][0]["any_of"]
    for bid in data["bids"]:
        true_set = {r for r, ok in bid["requirements"].items() if ok}
        ok = any(set(g) <= true_set for g in any_of)
        res = next(b for b in out["bids"] if b["id"] == bid["id"])
        assert res["qualified"] is ok
        assert bool(res["exclusion_reasons"]) is (not ok)
        assert (res["rank"] is None) is (not ok)


def _fraction_totals(data: dict, ids: list[str]) -> dict[str, Fraction]:
    """Totals computed independently with exact fractions (higher = better)."""
    bids = {b["id"]: b for b in data["bids"]}
    model = data.get("price_model")
    out = {}
    prices = {i: Fraction(bids[i]["price"]) for i in ids}
    lowest = min(prices.values()) if ids else None
    for i in ids:
        quality = Fraction(0)
        deduction = Fraction(0)
        for c in data["criteria"]:
            cons = bids[i].get("consensus", {}).get(c["id"])
            if cons is not None:
                s = Fraction(cons["score"])
            else:
                vals = sorted(Fraction(str(e["score"])) for e in bids[i]["scores"][c["id"]])
                if data["aggregation"] == "mean":
                    s = sum(vals) / len(vals)
                else:
                    m = len(vals) // 2
                    s = vals[m] if len(vals) % 2 else (vals[m - 1] + vals[m]) / 2
            norm = (s - c["scale_min"]) / (c["scale_max"] - c["scale_min"])
            if model and model["type"] == "value_deduction":
                deduction += round(Fraction(c["deduction"]) * norm * 100) / Fraction(100)
            else:
                quality += c["weight"] * norm
        if model is None:
            out[i] = quality
        elif model["type"] == "relative":
            out[i] = quality + model["weight"] * lowest / prices[i]
        elif model["type"] == "absolute":
            pts = 10 if prices[i] <= 100000 else 5 if prices[i] <= 200000 else 0
            out[i] = quality + Fraction(model["weight"] * pts, 10)
        else:
            out[i] = -(prices[i] - deduction)
    return out


@settings(max_examples=80, deadline=None)
@given(st.one_of(tenders(), tenders(models=("relative",))))
def test_totals_and_reversals_match_an_exact_recomputation(data):
    out = run(data)
    qualified = [b["id"] for b in out["bids"] if b["qualified"]]
    exact = _fraction_totals(data, qualified)
    res = {b["id"]: b for b in out["bids"]}
    model = (data.get("price_model") or {}).get("type")
    for i in qualified:
        if model == "value_deduction":
            assert abs(
                Decimal(res[i]["comparison_price"]) - Decimal(-exact[i].numerator) / exact[i].denominator
            ) < Decimal("0.011")
        else:
            assert abs(Fraction(res[i]["total_points"]) - exact[i]) <= Fraction(1, 10**6)
    # ranks: 1 + number of bids strictly better (with the six-decimal rounding of totals)
    key = {
        i: (
            Decimal(res[i]["total_points"])
            if model != "value_deduction"
            else -Decimal(res[i]["comparison_price"])
        )
        for i in qualified
    }
    for i in qualified:
        assert res[i]["rank"] == 1 + sum(key[j] > key[i] for j in qualified)
    # rank reversal: only the relative model can produce it; absolute and deduction are
    # independent of the other bids by construction
    if model != "relative":
        assert out["rank_reversals"] == []
    else:
        winners = {i for i in qualified if res[i]["rank"] == 1}
        expected = []
        for removed in sorted(set(qualified) - winners) if len(qualified) >= 3 else []:
            rest = [i for i in qualified if i != removed]
            after = _fraction_totals(data, rest)
            after = {i: Decimal(after[i].numerator) / after[i].denominator for i in rest}
            after = {i: v.quantize(Decimal("0.000001")) for i, v in after.items()}
            pairs = [
                [a, b]
                for x, a in enumerate(sorted(rest))
                for b in sorted(rest)[x + 1 :]
                if (key[a] > key[b]) - (key[a] < key[b]) != (after[a] > after[b]) - (after[a] < after[b])
            ]
            if pairs:
                expected.append((removed, pairs))
        assert [(r["removed_bid"], r["changed_pairs"]) for r in out["rank_reversals"]] == expected


@settings(max_examples=100, deadline=None)
@given(
    st.integers(50, 200),  # price A (thousands), the lowest
    st.integers(1, 200),  # B's price above A
    st.integers(1, 400),  # C's price above B
    st.integers(10, 80),  # price weight
    st.integers(0, 400),  # B's quality score on a 0-1000 scale
)
def test_constructed_rank_reversals_are_detected(pa, db, dc, w, qb):
    """A cheap, weak bid A decides between B (cheaper) and C (better): removing A flips B and C."""
    pa, pb, pc = pa * 1000, (pa + db) * 1000, (pa + db + dc) * 1000
    gap_with_a = Fraction(w * pa) * (Fraction(1, pb) - Fraction(1, pc))  # C needs more quality than this
    gap_without_a = Fraction(w * pb) * (Fraction(1, pb) - Fraction(1, pc))  # ... and less than this
    # quality points = 100 * score / 1000 = score / 10; put C's extra quality between the two gaps
    extra = (gap_with_a + gap_without_a) / 2
    qc = qb + round(extra * 10)
    assume(qc <= 1000)
    delta = Fraction(qc - qb, 10)
    assume(gap_with_a < delta < gap_without_a)
    totals_a = w
    totals_c = Fraction(qc, 10) + Fraction(w * pa, pc)
    assume(totals_c > totals_a)  # A does not win
    data = {
        "criteria": [{"id": "q", "text": "quality", "weight": 100, "scale_min": 0, "scale_max": 1000}],
        "price_model": {"type": "relative", "weight": w},
        "bids": [
            {"id": "A", "price": str(pa), "scores": {"q": [{"evaluator": "E", "score": 0}]}},
            {"id": "B", "price": str(pb), "scores": {"q": [{"evaluator": "E", "score": qb}]}},
            {"id": "C", "price": str(pc), "scores": {"q": [{"evaluator": "E", "score": qc}]}},
        ],
    }
    out = run(data)
    found = {r["removed_bid"]: r["changed_pairs"] for r in out["rank_reversals"]}
    assert found.get("A") == [["B", "C"]]
    assert any(w_["code"] == "rank_reversal_detected" for w_ in out["warnings"])
