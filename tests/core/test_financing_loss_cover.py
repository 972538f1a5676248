"""Financing with investor tranches (senior/junior, first and second loss) and guarantees.

The worked example is computed by hand in docs/core/financing.md ("Worked example 4"); the numbers
below are copied from there, not from the engine's output. The properties check, for random terms,
that every krona is accounted for, that no loss is negative, that no guarantee pays more than its
cap, and that the vectorised engine gives the same öre as the exact one.
"""

from __future__ import annotations

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
from insats.core.financing import FinancingTerms, Guarantee, Tranche, waterfall, waterfall_draws

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "core" / "examples" / "financing_guarantees.json"


def example():
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def sek(values):
    return [D(int(round(x * 100))) / 100 for x in values]


def by_name(rows):
    return {r.name: r for r in rows}


def test_worked_example_matches_the_hand_calculation():
    inp = fin.Input.model_validate(example())
    out = waterfall(inp.terms, inp.payments)
    # the fund as a whole: as worked example 3 (shortfall) — 1 500 000 back, 500 000 lost
    assert out.fund_receipts == D("1500000.00")
    assert out.loss == D("500000.00")
    cover = out.loss_cover
    t = by_name(cover.tranches)
    senior, junior = t["Pensionsstiftelsen"], t["Impactfonden"]
    assert (senior.drawn, junior.drawn) == (D("1200000.00"), D("800000.00"))
    # year 1: 300 000 to the senior; year 2: 800 000 to the senior; year 3: 100 000 senior, 300 000 junior
    assert senior.principal_by_period == [D("300000.00"), D("800000.00"), D("100000.00")]
    assert junior.principal_by_period == [D("0.00"), D("0.00"), D("300000.00")]
    assert (senior.loss, junior.loss) == (D("0.00"), D("500000.00"))
    g = by_name(cover.guarantees)
    first, second = g["Stiftelsen Barnens Framtid"], g["Regionförbundet"]
    # 50 % of 500 000 = 250 000, capped at 200 000
    assert (first.covered_loss, first.paid) == (D("500000.00"), D("200000.00"))
    assert first.by_tranche == {"Impactfonden": D("200000.00")}
    # 300 000 left, of which the first 100 000 stays with the investors: pays 200 000
    assert (second.covered_loss, second.paid) == (D("300000.00"), D("200000.00"))
    assert second.by_tranche == {"Pensionsstiftelsen": D("0.00"), "Impactfonden": D("200000.00")}
    assert junior.guarantee_received == D("400000.00")
    assert junior.loss_borne == D("100000.00")
    assert junior.money_multiple_with_guarantees == pytest.approx(0.875)
    assert cover.guarantee_payments == D("400000.00")
    assert cover.loss_borne == D("100000.00")
    assert cover.investor_receipts_with_guarantees == D("1900000.00")


def test_worked_example_through_the_command_line():
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run(
        [sys.executable, "-m", "insats.core", "financing", str(EXAMPLE)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["currency"] == "SEK"
    assert out["loss"] == "500000.00"  # guarantee payments are not outcome payments
    assert out["fund_receipts"] == "1500000.00"
    cover = out["loss_cover"]
    assert cover["guarantee_payments"] == "400000.00"
    assert cover["loss_borne"] == "100000.00"
    assert [(r["name"], r["loss_borne"]) for r in cover["tranches"]] == [
        ("Pensionsstiftelsen", "0.00"),
        ("Impactfonden", "100000.00"),
    ]


def test_vectorised_engine_on_the_worked_example():
    inp = fin.Input.model_validate(example())
    w = waterfall_draws(inp.terms, np.array([[float(p) for p in inp.payments]] * 2))
    assert w.tranche_loss.tolist() == [[0.0, 500000.0]] * 2
    assert w.guarantee_paid.tolist() == [[200000.0, 200000.0]] * 2
    assert w.loss_borne.tolist() == [[0.0, 100000.0]] * 2


def test_without_tranches_or_guarantees_nothing_changes():
    data = example()
    del data["terms"]["tranches"], data["terms"]["guarantees"]
    out = fin.run(data)
    assert out["loss_cover"] is None
    w = waterfall_draws(fin.Input.model_validate(data).terms, np.array([[300000.0, 800000.0, 400000.0]]))
    assert w.tranche_loss is None and w.guarantee_paid is None and w.loss_borne is None


def test_a_guarantee_alone_covers_the_fund():
    data = example()
    del data["terms"]["tranches"]
    data["terms"]["guarantees"] = [{"name": "Stiftelsen", "share": "0.25"}]
    cover = waterfall(*(lambda i: (i.terms, i.payments))(fin.Input.model_validate(data))).loss_cover
    assert [t.name for t in cover.tranches] == ["fund"]
    assert cover.guarantee_payments == D("125000.00")  # 25 % of 500 000
    assert cover.loss_borne == D("375000.00")


def test_pari_passu_tranches_share_the_loss_by_what_they_have_outstanding():
    data = example()
    data["terms"]["tranches"] = [{"name": "A", "share": "0.6"}, {"name": "B", "share": "0.4"}]
    data["terms"].pop("guarantees")
    cover = fin.waterfall(*(lambda i: (i.terms, i.payments))(fin.Input.model_validate(data))).loss_cover
    assert [t.loss for t in cover.tranches] == [D("300000.00"), D("200000.00")]


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"tranches": [{"name": "A", "share": "0.6"}, {"name": "B", "share": "0.3"}]}, "sum to exactly 1"),
        ({"tranches": [{"name": "A", "share": "0.5"}, {"name": "A", "share": "0.5"}]}, "its own name"),
        ({"tranches": []}, "at least one tranche"),
        ({"guarantees": [{"name": "G", "covers": ["Nobody"]}]}, "no tranche is called"),
        ({"guarantees": [{"name": "G", "cap": "-1"}]}, "cap"),
        ({"guarantees": [{"name": "G", "share": "1.5"}]}, "share"),
    ],
)
def test_bad_loss_cover_is_refused_with_the_field(patch, message):
    data = example()
    data["terms"].update(patch)
    with pytest.raises(ValidationError, match=message):
        fin.Input.model_validate(data)


@pytest.mark.parametrize("code", ["JPY", "KWD", "XYZ", "kronor"])
def test_currencies_without_two_decimals_are_refused(code):
    data = example()
    data["currency"] = code
    with pytest.raises(ValidationError, match="currency"):
        fin.Input.model_validate(data)


def test_currency_is_echoed_upper_case():
    data = example()
    data["currency"] = "eur"
    assert fin.run(data)["currency"] == "EUR"
    data.pop("currency")
    assert fin.run(data)["currency"] == "SEK"


# ---------------------------------------------------------------------------------------------
# properties


@st.composite
def loss_cover_terms(draw):
    k = draw(st.integers(1, 4))
    cuts = sorted(draw(st.lists(st.integers(1, 999), min_size=k - 1, max_size=k - 1, unique=True)))
    bounds = [0, *cuts, 1000]
    tranches = [
        Tranche(name=f"T{i}", share=D(bounds[i + 1] - bounds[i]) / 1000, rank=draw(st.integers(1, 3)))
        for i in range(k)
    ]
    names = [t.name for t in tranches]
    guarantees = [
        Guarantee(
            name=f"G{j}",
            share=draw(st.decimals(D("0.01"), 1, places=2)),
            cap=draw(st.none() | st.decimals(0, 3_000_000, places=2)),
            attachment=draw(st.decimals(0, 1_000_000, places=2)),
            covers=draw(st.none() | st.lists(st.sampled_from(names), min_size=1, max_size=k, unique=True)),
        )
        for j in range(draw(st.integers(0, 3)))
    ]
    basis = draw(st.sampled_from(["fixed_rate", "capped_multiple"]))
    return FinancingTerms(
        commitment=draw(st.decimals(0, 5_000_000, places=2)),
        provider_costs=draw(st.lists(st.decimals(0, 2_000_000, places=2), min_size=1, max_size=5)),
        return_basis=basis,
        annual_rate=draw(st.decimals(0, 1, places=4)) if basis == "fixed_rate" else None,
        multiple_cap=draw(st.decimals(1, 3, places=3)) if basis == "capped_multiple" else None,
        fund_surplus_share=draw(st.decimals(0, 1, places=6)),
        tranches=tranches,
        guarantees=guarantees or None,
    )


payments_st = st.lists(st.decimals(0, 3_000_000, places=2), min_size=0, max_size=7)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(loss_cover_terms(), payments_st)
def test_every_krona_is_accounted_for_with_guarantees(terms, payments):
    out = waterfall(terms, payments)
    cover = out.loss_cover
    rows = cover.tranches
    # what the investors put in comes back as principal, guarantee payments or loss they bear
    for r in rows:
        assert r.drawn == r.principal_repaid + r.guarantee_received + r.loss_borne
        assert r.loss == r.drawn - r.principal_repaid
        assert r.loss >= 0 and r.loss_borne >= 0 and r.guarantee_received >= 0
        assert r.principal_repaid == sum(r.principal_by_period, D(0))
    assert sum((r.drawn for r in rows), D(0)) == out.total_drawn
    assert sum((r.loss for r in rows), D(0)) == out.loss
    assert sum((r.receipts for r in rows), D(0)) == out.fund_receipts
    assert sum((r.principal_repaid for r in rows), D(0)) == out.total_to_principal
    assert sum((r.return_received for r in rows), D(0)) == out.total_to_return
    assert sum((r.surplus_received for r in rows), D(0)) == out.total_surplus_to_fund
    # guarantee payments + investors' receipts + losses borne = all the investors are owed
    assert (
        cover.guarantee_payments + out.fund_receipts + cover.loss_borne
        == out.total_drawn + out.total_to_return + out.total_surplus_to_fund
    )
    assert cover.investor_receipts_with_guarantees == out.fund_receipts + cover.guarantee_payments
    assert cover.guarantee_payments == sum((g.paid for g in cover.guarantees), D(0))
    assert cover.guarantee_payments == sum((r.guarantee_received for r in rows), D(0))
    for g, spec in zip(cover.guarantees, terms.guarantees or [], strict=True):
        assert g.paid >= 0
        assert g.paid == sum(g.by_tranche.values(), D(0))
        assert g.paid <= g.covered_loss
        if spec.cap is not None:
            assert g.paid <= spec.cap
        assert all(v >= 0 for v in g.by_tranche.values())
    # senior before junior: with everything drawn at the start, a junior gets principal back only
    # once every more senior tranche is repaid (later drawdowns can leave a senior unpaid after a
    # junior was repaid)
    if not any(terms.drawdowns()[1:]):
        for r in rows:
            if r.loss > 0:
                assert all(o.principal_repaid == 0 for o in rows if o.rank > r.rank)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(loss_cover_terms(), st.lists(payments_st, min_size=1, max_size=4))
def test_vectorised_loss_cover_equals_the_exact_one(terms, many):
    width = max(len(p) for p in many)
    rows = [list(p) + [D(0)] * (width - len(p)) for p in many]
    arr = np.array([[float(x) for x in r] for r in rows], dtype=float).reshape(len(rows), width)
    w = waterfall_draws(terms, arr)
    for i, r in enumerate(rows):
        cover = waterfall(terms, r).loss_cover
        assert [D(int(round(x * 100))) / 100 for x in w.tranche_loss[i]] == [t.loss for t in cover.tranches]
        assert [D(int(round(x * 100))) / 100 for x in w.loss_borne[i]] == [
            t.loss_borne for t in cover.tranches
        ]
        assert [D(int(round(x * 100))) / 100 for x in w.guarantee_paid[i]] == [
            g.paid for g in cover.guarantees
        ]


def test_vectorised_loss_cover_at_the_largest_amounts_is_exact():
    """Commitment and payments at MAX_AMOUNT: the split of principal within a rank needs products
    of two öre amounts (up to 10^24), which the int64 engine computes in two halves."""
    big = fin.MAX_AMOUNT
    terms = FinancingTerms(
        commitment=big, provider_costs=[big / 2 + D("0.07"), big / 2 - D("0.07")], return_basis="fixed_rate",
        annual_rate=D("0.05"), fund_surplus_share=D("0.5"),
        tranches=[Tranche(name="A", share=D("0.333333")), Tranche(name="B", share=D("0.666667"))],
        guarantees=[Guarantee(name="G", share=D("0.999999"))],
    )  # fmt: skip
    payments = [D("1234567890.13"), D("3333333333.33"), D("17.01")]
    cover = waterfall(terms, payments).loss_cover
    w = waterfall_draws(terms, np.array([[float(p) for p in payments]]))
    assert [D(int(round(x * 100))) / 100 for x in w.tranche_loss[0]] == [t.loss for t in cover.tranches]
    assert [D(int(round(x * 100))) / 100 for x in w.guarantee_paid[0]] == [g.paid for g in cover.guarantees]
