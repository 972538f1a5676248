"""Invariants of the payment engine on random contracts (hypothesis).

- the vectorised engine equals the exact one to the öre;
- no cap is ever exceeded (metric per period and total, contract per period and total, payer);
- payer parts sum exactly to the period total;
- carry-forward neither loses nor creates money:
  before caps = due + carried remaining + removed by hard caps;
- more outcome never pays less (without payer caps; see docs: the largest-remainder split can
  move one öre between payers).
"""

from __future__ import annotations

import copy
from decimal import Decimal

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from insats.core.payments import (
    Draws,
    calculate,
    calculate_draws,
    draws_from_results,
    parse_input,
)

MONEY = st.integers(0, 30_000_000).map(lambda c: str(Decimal(c) / 100))
SMALL = st.integers(-2000, 8000).map(lambda c: str(Decimal(c) / 100))  # -20.00 .. 80.00
FRAC = st.integers(0, 100).map(lambda c: str(Decimal(c) / 100))


def optional(s):
    return st.none() | s


@st.composite
def shares(draw):
    denom = draw(st.sampled_from([1, 4, 8, 10, 16, 20, 64]))
    n = draw(st.integers(1, 4))
    cuts = sorted(draw(st.lists(st.integers(0, denom), min_size=n - 1, max_size=n - 1)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, denom], strict=True)]
    return [str(Decimal(p) / denom) for p in parts]


def period_cap(periods):
    return optional(MONEY) | st.dictionaries(st.sampled_from(periods), MONEY, max_size=len(periods))


def threshold():
    return st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["absolute", "relative"]),
            "value": st.integers(0, 40).map(lambda c: str(Decimal(c) / 100 if c < 20 else Decimal(c - 20))),
            "pays": st.sampled_from(["all_units", "above_threshold"]),
        }
    )


@st.composite
def contracts(draw, payer_caps=True):
    periods = [f"P{i}" for i in range(draw(st.integers(1, 4)))]
    cohorts = [f"C{i}" for i in range(draw(st.integers(0, 2)))]
    sh = draw(shares())
    payers = [
        {"id": f"y{i}", "share": s, **({"cap": draw(MONEY)} if payer_caps and draw(st.booleans()) else {})}
        for i, s in enumerate(sh)
    ]
    metrics = []
    n_metrics = draw(st.integers(1, 3))
    has_condition = draw(st.booleans())
    if has_condition:
        metrics.append(
            {
                "id": "cond",
                "kind": "condition",
                "direction": draw(st.sampled_from(["increase", "decrease"])),
                "counterfactual": {"kind": "target", "value": draw(SMALL)},
            }
        )
    for i in range(n_metrics):
        kind = draw(st.sampled_from(["improvement", "blended", "savings", "rate_card"]))
        m: dict = {"id": f"m{i}", "kind": kind}
        if draw(st.booleans()):
            m["cap_total"] = draw(MONEY)
        cap = draw(period_cap(periods))
        if cap is not None:
            m["cap_per_period"] = cap
        if kind in ("improvement", "blended"):
            if kind == "improvement":
                m["direction"] = draw(st.sampled_from(["increase", "decrease"]))
                cfk = draw(st.sampled_from(["baseline", "comparison", "target"]))
                m["counterfactual"] = {"kind": cfk}
                if cfk != "comparison":
                    m["counterfactual"]["value"] = draw(SMALL)
            else:
                w = draw(st.integers(0, 100))
                m["evaluations"] = [
                    {"id": "rct", "weight": str(Decimal(w) / 100)},
                    {"id": "did", "weight": str(Decimal(100 - w) / 100)},
                ]
            if draw(st.booleans()):
                m["price"] = draw(MONEY)
            else:
                n_tiers = draw(st.integers(1, 3))
                ups = sorted(
                    set(draw(st.lists(st.integers(1, 60), min_size=n_tiers - 1, max_size=n_tiers - 1)))
                )
                m["tiers"] = [{"up_to": str(u), "price": draw(MONEY)} for u in ups] + [{"price": draw(MONEY)}]
            if draw(st.booleans()):
                m["threshold"] = draw(threshold())
            if draw(st.booleans()):
                m["contract_threshold"] = draw(threshold())
                if draw(st.booleans()):
                    m["settlement_period"] = draw(st.sampled_from(periods))
        elif kind == "savings":
            m["counterfactual"] = {"kind": "baseline", "value": draw(SMALL)}
            m["share"] = draw(FRAC)
            if draw(st.booleans()):
                m["cap"] = draw(MONEY)
            if draw(st.booleans()):
                bonus = {"above": str(Decimal(draw(st.integers(0, 3000))) / 100), "share": draw(FRAC)}
                if draw(st.booleans()):
                    bonus["cap"] = draw(MONEY)
                if has_condition and draw(st.booleans()):
                    bonus["condition"] = {"metric": "cond", "threshold": draw(threshold())}
                m["bonus"] = bonus
        else:
            m["outcomes"] = [
                {"id": "a", "price": draw(MONEY), "sustain_periods": draw(st.integers(0, 1))},
                {"id": "b", "price": draw(MONEY), "repeatable": True},
            ]
            if draw(st.booleans()):
                m["cap_per_participant"] = draw(MONEY)
        metrics.append(m)
    if has_condition and draw(st.booleans()):
        metrics.append(metrics.pop(0))
    caps = {}
    if draw(st.booleans()):
        caps["total"] = draw(MONEY)
    cap = draw(period_cap(periods))
    if cap is not None:
        caps["per_period"] = cap
    contract = {
        "periods": periods,
        "cohorts": [{"id": c} for c in cohorts],
        "payers": payers,
        "metrics": metrics,
        "caps": caps,
        "carry_forward": draw(st.booleans()),
    }
    observations = []
    participants = []
    for m in metrics:
        if m["kind"] == "rate_card":
            rows = draw(
                st.lists(
                    st.tuples(
                        st.sampled_from(["p1", "p2", "p3"]),
                        st.sampled_from(["a", "b"]),
                        st.sampled_from(periods),
                        st.sampled_from([None, *periods]),
                    ),
                    max_size=8,
                    unique_by=lambda r: (r[0], r[1]) if r[1] == "a" else object(),
                )
            )
            rows = [
                (p, o, a, t if t is None or periods.index(t) >= periods.index(a) else None)
                for p, o, a, t in rows
            ]
            participants.append(
                {
                    "metric": m["id"],
                    "participant": [r[0] for r in rows],
                    "outcome": [r[1] for r in rows],
                    "achieved": [r[2] for r in rows],
                    "sustained_through": [r[3] for r in rows],
                }
            )
            continue
        for period in periods:
            for cohort in [None, *cohorts]:
                if not draw(st.booleans()):
                    continue
                obs: dict = {"metric": m["id"], "period": period, "cohort": cohort}
                if m["kind"] == "blended":
                    obs["estimates"] = {"rct": draw(SMALL), "did": draw(SMALL)}
                    relative = any(
                        m.get(t, {}).get("kind") == "relative" for t in ("threshold", "contract_threshold")
                    )
                    if relative or draw(st.booleans()):
                        obs["counterfactual"] = draw(SMALL)
                else:
                    obs["value"] = draw(SMALL)
                    if m["counterfactual"]["kind"] == "comparison":
                        obs["counterfactual"] = draw(SMALL)
                observations.append(obs)
    return {"contract": contract, "results": {"observations": observations, "participants": participants}}


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ore(x) -> int:
    return int(round(float(x) * 100))


@SETTINGS
@given(contracts())
def test_vectorised_equals_exact(data):
    inp = parse_input(data)
    out = calculate(inp.contract, inp.results)
    totals = calculate_draws(inp.contract, draws_from_results(inp.contract, inp.results, n_draws=2))
    for m in inp.contract.metrics:
        expected = [ore(r.amount_due) for r in out.metrics if r.metric == m.id]
        assert (np.round(totals.by_metric[m.id] * 100).astype(np.int64) == expected).all(), m.id
    for k, payer in enumerate(inp.contract.payers):
        expected = [ore(row.payers[k].amount_due) for row in out.periods]
        assert (np.round(totals.by_payer[payer.id] * 100).astype(np.int64) == expected).all()
    assert (np.round(totals.total * 100).astype(np.int64) == [ore(r.amount_due) for r in out.periods]).all()
    assert (np.round(totals.before_caps * 100) == [ore(r.amount_before_caps) for r in out.periods]).all()
    assert (totals.cap_bound == [r.some_cap_bound for r in out.periods]).all()
    assert (np.round(totals.carried_remaining * 100) == ore(out.totals.carried_remaining)).all()


def _cap_for(cap, period):
    if cap is None:
        return None
    if isinstance(cap, dict):
        return cap.get(period)
    return cap


@SETTINGS
@given(contracts())
def test_caps_never_exceeded_and_money_is_conserved(data):
    inp = parse_input(data)
    c = inp.contract
    out = calculate(c, inp.results)
    for m in c.metrics:
        rows = [r for r in out.metrics if r.metric == m.id]
        for r in rows:
            cap = _cap_for(m.cap_per_period, r.period)
            assert cap is None or r.amount_due <= cap
            assert r.amount_due >= 0 and r.carried_out >= 0
            # per metric: offered = due + carried + removed
            offered = r.amount_before_caps + r.carried_in
            assert offered == r.amount_due + r.carried_out + sum(
                x.reduced_by for x in r.caps_applied if not x.carried
            )
        if m.cap_total is not None:
            assert rows[-1].cumulative_due <= m.cap_total
        if m.kind == "savings" and m.cap is not None:
            pass  # tranche caps are part of amount_before_caps -> checked via the conservation above
    for row in out.periods:
        cap = _cap_for(c.caps.per_period, row.period)
        assert cap is None or row.amount_due <= cap
        # payer parts sum exactly to the period total, before and after payer caps
        assert sum(x.amount_due for x in row.payers) == row.amount_due
        assert sum(x.share_of_total for x in row.payers) == row.amount_due + sum(
            x.cap_reduced_by for x in row.payers
        )
    if c.caps.total is not None:
        assert out.totals.amount_due <= c.caps.total
    for payer in c.payers:
        if payer.cap is not None:
            assert out.totals.by_payer[payer.id] <= payer.cap
    t = out.totals
    assert t.amount_before_caps == t.amount_due + t.carried_remaining + sum(t.removed_by_cap.values())
    if not c.carry_forward:
        assert t.carried_remaining == 0


def _improve(data, rng_choice):
    """A copy of the results where one observation shows more improvement."""
    better = copy.deepcopy(data)
    metrics = {m["id"]: m for m in better["contract"]["metrics"]}
    obs = better["results"]["observations"]
    if not obs:
        return None
    o = obs[rng_choice % len(obs)]
    m = metrics[o["metric"]]
    step = Decimal("3.17")
    if m["kind"] == "blended":
        o["estimates"] = {k: str(Decimal(v) + step) for k, v in o["estimates"].items()}
    else:
        direction = "decrease" if m["kind"] == "savings" else m["direction"]
        delta = -step if direction == "decrease" else step
        o["value"] = str(Decimal(o["value"]) + delta)
    return better


@SETTINGS
@given(contracts(payer_caps=False), st.integers(0, 1000))
def test_more_outcome_never_pays_less(data, choice):
    better = _improve(data, choice)
    assume(better is not None)
    a = calculate(*_split(parse_input(data)))
    b = calculate(*_split(parse_input(better)))
    assert b.totals.amount_due >= a.totals.amount_due
    assert b.totals.amount_before_caps >= a.totals.amount_before_caps


def _split(inp):
    return inp.contract, inp.results


@SETTINGS
@given(contracts(payer_caps=False), st.integers(0, 1000))
def test_more_outcome_never_pays_less_vectorised(data, choice):
    """Both results as two draws of one run: draw 1 (better) pays at least draw 0, per cumulative period."""
    better = _improve(data, choice)
    assume(better is not None)
    inp_a, inp_b = parse_input(data), parse_input(better)
    da = draws_from_results(inp_a.contract, inp_a.results)
    db = draws_from_results(inp_b.contract, inp_b.results)
    both = Draws(
        n_draws=2,
        values={k: np.concatenate([v, db.values[k]]) for k, v in da.values.items()},
        counterfactuals={
            k: np.concatenate([v, db.counterfactuals[k]]) for k, v in da.counterfactuals.items()
        },
        estimates={k: np.concatenate([v, db.estimates[k]]) for k, v in da.estimates.items()},
        rate_card_amounts={
            k: np.concatenate([v, db.rate_card_amounts[k]]) for k, v in da.rate_card_amounts.items()
        },
    )
    totals = calculate_draws(inp_a.contract, both)
    assert totals.total[1].sum() >= totals.total[0].sum()


@settings(max_examples=100, deadline=None)
@given(contracts())
def test_outcome_counts_price_like_participant_records(data):
    """Rate cards given as counts per outcome equal the participant route when no participant cap binds."""
    for m in data["contract"]["metrics"]:
        m.pop("cap_per_participant", None)
    inp = parse_input(data)
    draws = draws_from_results(inp.contract, inp.results)
    periods = inp.contract.period_ids
    for rec in inp.results.participants:
        metric = inp.contract.metric(rec.metric)
        for p in periods:
            draws.rate_card_amounts.pop((rec.metric, p))
            draws.rate_card_gross.pop((rec.metric, p))
        sustain = {o.id: o.sustain_periods for o in metric.outcomes}
        through = rec.sustained_through or [None] * len(rec.outcome)
        for o, a, t in zip(rec.outcome, rec.achieved, through, strict=True):
            at = periods.index(a) + sustain[o]
            if at >= len(periods) or (sustain[o] and (t is None or periods.index(t) < at)):
                continue
            key = (rec.metric, periods[at], o)
            draws.outcome_counts[key] = draws.outcome_counts.get(key, np.zeros(1)) + 1
    out = calculate(inp.contract, inp.results)
    totals = calculate_draws(inp.contract, draws)
    assert (
        np.round(totals.total[0] * 100).astype(np.int64) == [ore(r.amount_due) for r in out.periods]
    ).all()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 10**12), min_size=1, max_size=20), shares())
def test_vectorised_split_equals_money_allocate(totals_ore, share_list):
    from insats.core.money import allocate
    from insats.core.payments_vector import _allocate_ore

    shares_d = [Decimal(s) for s in share_list]
    parts = _allocate_ore(np.array(totals_ore, dtype=np.int64), shares_d)
    for i, total in enumerate(totals_ore):
        expected = [int(x * 100) for x in allocate(Decimal(total) / 100, shares_d)]
        assert [int(p[i]) for p in parts] == expected


@SETTINGS
@given(contracts(), st.data())
def test_each_draw_equals_its_own_exact_calculation(data, more):
    """Several different draws in one vectorised run: each equals calculate() on its own results."""
    variants = [data]
    for _ in range(3):
        v = copy.deepcopy(data)
        for o in v["results"]["observations"]:
            if "value" in o:
                o["value"] = more.draw(SMALL)
            if "counterfactual" in o:
                o["counterfactual"] = more.draw(SMALL)
            if "estimates" in o:
                o["estimates"] = {k: more.draw(SMALL) for k in o["estimates"]}
        variants.append(v)
    inputs = [parse_input(v) for v in variants]
    contract = inputs[0].contract
    single = [draws_from_results(contract, i.results) for i in inputs]

    def stack(field):
        return {k: np.concatenate([getattr(d, field)[k] for d in single]) for k in getattr(single[0], field)}

    draws = Draws(
        n_draws=len(single),
        values=stack("values"),
        counterfactuals=stack("counterfactuals"),
        estimates=stack("estimates"),
        rate_card_amounts=stack("rate_card_amounts"),
        rate_card_gross=stack("rate_card_gross"),
    )
    totals = calculate_draws(contract, draws)
    for i, inp in enumerate(inputs):
        out = calculate(contract, inp.results)
        assert (
            np.round(totals.total[i] * 100).astype(np.int64) == [ore(r.amount_due) for r in out.periods]
        ).all()
        for k, payer in enumerate(contract.payers):
            expected = [ore(row.payers[k].amount_due) for row in out.periods]
            assert (np.round(totals.by_payer[payer.id][i] * 100).astype(np.int64) == expected).all()
        assert (totals.cap_bound[i] == [r.some_cap_bound for r in out.periods]).all()
