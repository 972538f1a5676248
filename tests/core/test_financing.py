"""Financing: the fund's waterfall, losses, IRR and multiple.

The worked examples are computed by hand in docs/core/financing.md; the numbers below are copied
from there, not from the engine's output.
"""

import json
import os
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from insats.core import financing as fin
from insats.core.financing import FinancingTerms, irr, irr_many, waterfall, waterfall_draws

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "core" / "examples"


def load(name):
    data = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    inp = fin.Input.model_validate(data)
    return inp.terms, inp.payments


def cols(out, *names):
    return [tuple(getattr(r, n) for n in names) for r in out.ledger]


def npv(flows, r):
    return sum(float(f) / (1 + r) ** k for k, f in enumerate(flows))


# ---------------------------------------------------------------------------------------------
# worked examples


def test_fixed_rate_example_matches_the_hand_calculation():
    terms, payments = load("financing_fixed_rate.json")
    out = waterfall(terms, payments)
    # period: drawn, return due, payment, to principal, to return, surplus fund, surplus provider, left
    assert cols(
        out, "drawn", "return_due", "payments_in", "to_principal", "to_return",
        "surplus_to_fund", "surplus_to_provider", "outstanding_end",
    ) == [
        (D("1000000"), D("50000"), D("0"), D("0"), D("0"), D("0"), D("0"), D("1000000")),
        (D("1000000"), D("150000"), D("1200000"), D("1200000"), D("0"), D("0"), D("0"), D("800000")),
        (D("1000000"), D("240000"), D("1500000"), D("1500000"), D("0"), D("0"), D("0"), D("300000")),
        (D("0"), D("255000"), D("1000000"), D("300000"), D("255000"), D("178000"), D("267000"), D("0")),
    ]  # fmt: skip
    assert out.fund_receipts == D("3433000")
    assert out.loss == 0 and out.repaid_in_full and out.unpaid_return == 0
    assert out.money_multiple == pytest.approx(3433000 / 3000000, rel=1e-15)
    assert out.fund_cashflows == [D("-1000000"), D("-1000000"), D("200000"), D("1500000"), D("733000")]
    assert out.provider_net == D("267000")
    # the IRR makes the NPV of the cash flows zero; the hand value is 7.4825 %
    assert out.irr_periodic == pytest.approx(0.074825, abs=5e-7)
    assert abs(npv(out.fund_cashflows, out.irr_periodic)) < 1e-6
    assert out.irr_annual == out.irr_periodic


def test_capped_multiple_example_matches_the_hand_calculation():
    terms, payments = load("financing_capped_multiple.json")
    out = waterfall(terms, payments)
    assert cols(out, "return_due") == [(D("200000"),), (D("400000"),), (D("400000"),)]
    last = out.ledger[-1]
    assert (last.to_principal, last.to_return, last.surplus_to_fund, last.surplus_to_provider) == (
        D("2000000"), D("400000"), D("100000"), D("100000"),
    )  # fmt: skip
    assert out.fund_receipts == D("2500000")
    assert out.money_multiple == 1.25
    # -1 - x + 2.5 x^3 = 0 (millions, x = 1/(1+r)); by hand r = 9.2931 %
    assert out.irr_periodic == pytest.approx(0.092931, abs=5e-7)
    assert out.provider_net == D("100000")


def test_shortfall_example_reports_the_loss_and_the_unpaid_return():
    terms, payments = load("financing_shortfall.json")
    out = waterfall(terms, payments)
    assert cols(out, "return_due", "to_principal", "outstanding_end") == [
        (D("60000"), D("300000"), D("700000")),
        (D("162000"), D("800000"), D("900000")),
        (D("216000"), D("400000"), D("500000")),
    ]
    assert out.loss == D("500000")
    assert out.unpaid_return == D("216000")
    assert not out.repaid_in_full
    assert out.money_multiple == 0.75
    assert out.total_to_return == 0 and out.total_surplus_to_provider == 0
    # -1 - 0.7x + 0.8x^2 + 0.4x^3 = 0; by hand r = -16.591 %
    assert out.irr_periodic == pytest.approx(-0.165912, abs=5e-7)
    assert out.provider_net == 0


def test_costs_beyond_the_commitment_are_carried_by_the_provider():
    terms = FinancingTerms(
        commitment=D("1500000"), provider_costs=[D("1000000"), D("1000000")],
        return_basis="capped_multiple", multiple_cap=D("1"), fund_surplus_share=D("0.25"),
    )  # fmt: skip
    assert terms.drawdowns() == [D("1000000"), D("500000")]
    out = waterfall(terms, [D("0"), D("1900000")])
    # principal 1 500 000, no return (multiple 1), surplus 400 000: fund 100 000, provider 300 000
    assert out.total_surplus_to_fund == D("100000")
    assert out.provider_unfinanced_costs == D("500000")
    assert out.provider_net == D("300000") - D("500000")


def test_quarterly_rate_is_a_quarter_of_the_annual_rate_and_irr_is_annualised():
    terms = FinancingTerms(
        commitment=D("100000"), provider_costs=[D("100000")], periods_per_year=4,
        return_basis="fixed_rate", annual_rate=D("0.1"), fund_surplus_share=D("0"),
    )  # fmt: skip
    out = waterfall(terms, [D("0"), D("0"), D("0"), D("110000")])
    # 2 500 per quarter on 100 000 outstanding, four quarters: 10 000
    assert [r.return_due for r in out.ledger] == [D("2500"), D("5000"), D("7500"), D("10000")]
    assert out.total_to_return == D("10000")
    # -100 000 at 0, +110 000 after 4 quarters: (1+q)^4 = 1.1
    assert out.irr_periodic == pytest.approx(1.1**0.25 - 1, abs=1e-12)
    assert out.irr_annual == pytest.approx(0.1, abs=1e-12)


def test_return_rounds_half_up_to_the_ore():
    # 0.05 öre * 10 ... 100.10 SEK * 5 % = 5.005 SEK -> 5.01
    terms = FinancingTerms(
        commitment=D("100.10"), provider_costs=[D("100.10")], return_basis="fixed_rate",
        annual_rate=D("0.05"), fund_surplus_share=D("0.5"),
    )  # fmt: skip
    out = waterfall(terms, [D("200")])
    assert out.ledger[0].return_due == D("5.01")
    # surplus 200 - 100.10 - 5.01 = 94.89, split 47.445 / 47.445 -> the odd öre goes to the fund
    assert (out.ledger[0].surplus_to_fund, out.ledger[0].surplus_to_provider) == (D("47.45"), D("47.44"))


# ---------------------------------------------------------------------------------------------
# IRR


@pytest.mark.parametrize(
    ("flows", "expected"),
    [
        ([-100, 110], 0.10),
        ([-1_000_000, 0, 1_210_000], 0.10),
        # 100 y^2 - 60 y - 60 = 0 with y = 1 + r: y = (60 + sqrt(3600 + 24000)) / 200
        ([-100, 60, 60], (60 + 27600**0.5) / 200 - 1),
        ([-200, 100, 100], 0.0),
        ([-100, 50], -0.5),
    ],
)
def test_irr_of_simple_flows(flows, expected):
    assert irr(flows) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    "flows",
    [
        [-100, -50],  # nothing comes back
        [0, 0, 0],  # nothing at all
        [100, 50],  # only receipts
        [-100, 230, -132],  # two roots, 10 % and 20 %
        [],
    ],
)
def test_irr_is_none_when_undefined(flows):
    assert irr(flows) is None


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.floats(1, 1e7), min_size=1, max_size=3),
    st.lists(st.one_of(st.just(0.0), st.floats(1, 1e7)), min_size=1, max_size=6),
)
def test_irr_agrees_with_polynomial_roots_when_flows_change_sign_once(outs, ins):
    flows = [-x for x in outs] + ins
    if sum(ins) == 0:
        assert irr(flows) is None
        return
    # one sign change: exactly one positive root x = 1/(1+r) of sum c_k x^k (Descartes)
    roots = np.roots(np.array(flows[::-1], dtype=float))
    xs = [z.real for z in roots if abs(z.imag) < 1e-9 * max(1, abs(z)) and z.real > 0]
    rates = [1 / x - 1 for x in xs]
    r = irr(flows)
    in_grid = [q for q in rates if -0.95 <= q <= 50]
    if len(in_grid) != 1:
        return  # outside the searched range (or numerically degenerate roots)
    assert r is not None
    assert r == pytest.approx(in_grid[0], rel=1e-7, abs=1e-9)


def test_irr_many_rows_are_independent_of_each_other():
    rng = np.random.default_rng(3)
    flows = np.concatenate([-rng.random((50, 2)) * 100, rng.random((50, 4)) * 60], axis=1)
    together = irr_many(flows)
    alone = np.array([irr_many(flows[i : i + 1])[0] for i in range(50)])
    assert np.array_equal(together, alone, equal_nan=True)


# ---------------------------------------------------------------------------------------------
# invariants and the vectorised engine


terms_st = st.builds(
    lambda commitment, costs, basis, rate, multiple, share, ppy: FinancingTerms(
        commitment=commitment,
        provider_costs=costs,
        return_basis=basis,
        annual_rate=rate if basis == "fixed_rate" else None,
        multiple_cap=multiple if basis == "capped_multiple" else None,
        fund_surplus_share=share,
        periods_per_year=ppy,
    ),  # fmt: skip
    st.decimals(0, 5_000_000, places=2),
    st.lists(st.decimals(0, 2_000_000, places=2), min_size=1, max_size=6),
    st.sampled_from(["fixed_rate", "capped_multiple"]),
    st.decimals(0, 1, places=4),
    st.decimals(1, 3, places=3),
    st.decimals(0, 1, places=6),
    st.sampled_from([1, 2, 4, 12]),
)
payments_st = st.lists(st.decimals(0, 3_000_000, places=2), min_size=0, max_size=8)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(terms_st, payments_st)
def test_every_krona_is_accounted_for(terms, payments):
    out = waterfall(terms, payments)
    for row in out.ledger:
        parts = row.to_principal + row.to_return + row.surplus_to_fund + row.surplus_to_provider
        assert parts == row.payments_in
        assert row.to_principal <= row.outstanding_start
        assert row.outstanding_end >= 0
        assert row.to_return <= row.return_due
        assert row.surplus_to_fund >= 0 and row.surplus_to_provider >= 0
        # nothing goes to return before principal is cleared, nor to surplus before return
        if row.to_return > 0:
            assert row.outstanding_end == 0
        if row.surplus_to_fund + row.surplus_to_provider > 0:
            assert row.to_return == row.return_due
        for v in (row.to_principal, row.to_return, row.surplus_to_fund, row.surplus_to_provider):
            assert v == v.quantize(D("0.01"))
    total_in = sum((r.payments_in for r in out.ledger), D(0))
    assert total_in == sum(payments, D(0))
    assert (
        out.total_to_principal
        + out.total_to_return
        + out.total_surplus_to_fund
        + out.total_surplus_to_provider
        == total_in
    )
    assert out.fund_receipts <= total_in
    assert out.loss == out.total_drawn - out.total_to_principal
    assert out.total_drawn == min(terms.commitment, sum(terms.provider_costs, D(0)))
    assert sum(out.fund_cashflows, D(0)) == out.fund_receipts - out.total_drawn
    if terms.return_basis == "capped_multiple":
        assert out.total_to_return <= (terms.multiple_cap - 1) * out.total_drawn + D("0.005")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(terms_st, st.lists(payments_st, min_size=1, max_size=5))
def test_vectorised_waterfall_equals_the_exact_one(terms, many):
    width = max(len(p) for p in many)
    rows = [list(p) + [D(0)] * (width - len(p)) for p in many]
    arr = np.array([[float(x) for x in r] for r in rows], dtype=float).reshape(len(rows), width)
    w = waterfall_draws(terms, arr)
    for i, r in enumerate(rows):
        out = waterfall(terms, r)
        n = len(out.ledger)
        for name in ("to_principal", "to_return", "surplus_to_fund", "surplus_to_provider", "payments_in"):
            exact = [getattr(row, name) for row in out.ledger]
            vec = [D(int(round(v * 100))) / 100 for v in getattr(w, name)[i][:n]]
            assert vec == exact, name
        assert D(int(round(w.loss[i] * 100))) / 100 == out.loss
        assert D(int(round(w.unpaid_return[i] * 100))) / 100 == out.unpaid_return
        assert D(int(round(w.provider_net[i] * 100))) / 100 == out.provider_net
        assert bool(w.repaid_in_full[i]) == out.repaid_in_full
        if out.money_multiple is None:
            assert np.isnan(w.money_multiple[i])
        else:
            assert w.money_multiple[i] == pytest.approx(out.money_multiple, rel=1e-12)
        if out.irr_periodic is None:
            assert np.isnan(w.irr_periodic[i])
        else:
            assert w.irr_periodic[i] == pytest.approx(out.irr_periodic, rel=1e-9, abs=1e-12)


def test_vectorised_waterfall_on_a_worked_example():
    terms, payments = load("financing_fixed_rate.json")
    w = waterfall_draws(terms, np.array([[float(p) for p in payments]] * 3))
    assert w.to_return.tolist() == [[0, 0, 0, 255000.0]] * 3
    assert w.surplus_to_fund[:, 3].tolist() == [178000.0] * 3
    assert w.fund_receipts.tolist() == [3433000.0] * 3


def test_vectorised_waterfall_rejects_negative_payments():
    terms, _ = load("financing_fixed_rate.json")
    with pytest.raises(ValueError, match="payments"):
        waterfall_draws(terms, np.array([[-1.0, 0.0]]))


# ---------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"return_basis": "fixed_rate", "annual_rate": None}, "annual_rate"),
        ({"return_basis": "capped_multiple", "multiple_cap": None}, "multiple_cap"),
        ({"fund_surplus_share": "1.5"}, "fund_surplus_share"),
        ({"annual_rate": "0.0512345"}, "annual_rate"),
        ({"provider_costs": ["100", "-1"]}, "provider_costs"),
        ({"commitment": "-5"}, "commitment"),
        ({"periods_per_year": 3}, "periods_per_year"),
    ],
)
def test_bad_terms_name_the_field(patch, field):
    data = json.loads((EXAMPLES / "financing_fixed_rate.json").read_text())
    data["terms"].update(patch)
    with pytest.raises(ValidationError) as exc:
        fin.Input.model_validate(data)
    assert field in str(exc.value)


def test_negative_payment_names_the_period():
    data = json.loads((EXAMPLES / "financing_fixed_rate.json").read_text())
    data["payments"][2] = "-1"
    with pytest.raises(ValidationError, match=r"payments\[2\]"):
        fin.run(data)


# ---------------------------------------------------------------------------------------------
# command line


def cli(*args, stdin=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.run(
        [sys.executable, "-m", "insats.core", *args], capture_output=True, text=True, env=env, input=stdin,
        cwd=ROOT, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "receipts", "loss", "multiple"),
    [
        ("financing_fixed_rate.json", "3433000.00", "0.00", 1.1443333),
        ("financing_capped_multiple.json", "2500000.00", "0.00", 1.25),
        ("financing_shortfall.json", "1500000.00", "500000.00", 0.75),
    ],
)
def test_examples_run_through_the_command_line(name, receipts, loss, multiple):
    proc = cli("financing", str(EXAMPLES / name))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["fund_receipts"] == receipts
    assert out["loss"] == loss
    assert out["money_multiple"] == pytest.approx(multiple, abs=1e-7)


def test_command_line_reports_the_bad_field():
    data = json.loads((EXAMPLES / "financing_fixed_rate.json").read_text())
    del data["terms"]["fund_surplus_share"]
    proc = cli("financing", "-", stdin=json.dumps(data))
    assert proc.returncode == 2
    fields = [e["field"] for e in json.loads(proc.stdout)["errors"]]
    assert "terms.fund_surplus_share" in fields


def test_split_ledger_adds_up_to_the_whole_schedule():
    """What has happened plus what is planned is everything drawn; outstanding is the last begun
    period's closing principal (issue 8, item 3). Figures from the fixed-rate worked example:
    1 000 000 drawn in each of periods 1–3; principal left 1 000 000, 800 000, 300 000, 0."""
    terms, payments = load("financing_fixed_rate.json")
    out = waterfall(terms, payments)
    expected = {0: (D("0"), D("3000000"), D("0")), 1: (D("1000000"), D("2000000"), D("1000000")),
                2: (D("2000000"), D("1000000"), D("800000")), 3: (D("3000000"), D("0"), D("300000")),
                4: (D("3000000"), D("0"), D("0"))}  # fmt: skip
    for begun, (drawn, planned, outstanding) in expected.items():
        split = fin.split_ledger(out, range(1, begun + 1))
        assert (split.drawn, split.planned_draws, split.outstanding) == (drawn, planned, outstanding)
        assert split.drawn + split.planned_draws == out.total_drawn
