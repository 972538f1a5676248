"""Payments per payer and the fund's ledger after approvals — hand figures and the core recomputed
independently from the database rows.

Hand figures (docs/resultat-och-betalningar.md, from docs/core/payments.md example 2 and a 5 %
waterfall worked by hand):

=====  ==========  =========  =========  =========  ========  ===========  ==========  =========
year   placed      due        drawn      outst.     return    to principal  to return   surplus f/p
=====  ==========  =========  =========  =========  ========  ===========  ==========  =========
2026   46          0          1 600 000  1 600 000  80 000    0             0           0 / 0
2027   43          1 750 000  1 600 000  3 200 000  240 000   1 750 000     0           0 / 0
2028   39          2 750 000  1 600 000  3 050 000  392 500   2 750 000     0           0 / 0
2029   37          3 250 000  1 600 000  1 900 000  487 500   1 900 000     487 500     345 000 / 517 500
2030   35          4 250 000  1 600 000  1 600 000  80 000    1 600 000     80 000      1 028 000 / 1 542 000
=====  ==========  =========  =========  =========  ========  ===========  ==========  =========

(return = return due before the payment: 5 % of what is outstanding after the draw, accrued.)
Totals: principal 8 000 000 + return 567 500 + surplus 1 373 000 / 2 059 500 = 12 000 000 paid in.
Fund receipts 9 940 500; multiple 9 940 500 / 8 000 000 = 1.2425625.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insats.contracts import core_inputs
from insats.contracts import services_payments as sp
from insats.contracts import services_results as sr
from insats.contracts.models import LedgerEntry, PaymentLine, PaymentStatus
from insats.core import financing as fin
from insats.core import payments as pay

from .test_results_world import DUE, PLACED, actor, make_contract, provider, validator

pytestmark = pytest.mark.django_db

LEDGER = {
    # period: (draw, principal, return, surplus fund, surplus provider)
    "2026": ("1600000", "0", "0", "0", "0"),
    "2027": ("1600000", "1750000", "0", "0", "0"),
    "2028": ("1600000", "2750000", "0", "0", "0"),
    "2029": ("1600000", "1900000", "487500", "345000", "517500"),
    "2030": ("1600000", "1600000", "80000", "1028000", "1542000"),
}


def approve_all(world, contract, placed=PLACED):
    metric = contract.metrics.get(code="placeringar")
    for period, value in placed.items():
        r = sr.result_report(
            actor=provider(world), contract=contract, metric=metric, period=period, value=Decimal(value)
        )
        sr.result_approve(actor=validator(world), report=r)


def independent_core(contract):
    """The core, called here from the DB rows (not through services_payments)."""
    from insats.contracts.models import ResultReport

    obs = [
        {"metric": r.metric.code, "period": r.period, "value": str(r.value)}
        for r in ResultReport.objects.filter(contract=contract, status="approved").select_related("metric")
    ]
    core_contract = core_inputs.build_payment_contract(contract)
    return pay.calculate(core_contract, pay.Results.model_validate({"observations": obs}))


def test_payments_per_payer_equal_the_hand_figures_and_the_core(world):
    contract = make_contract(world)
    approve_all(world, contract)
    lines = {line.period: line for line in PaymentLine.objects.filter(contract=contract)}
    assert {p: str(line.due) for p, line in lines.items()} == DUE
    assert sum(line.due for line in lines.values()) == Decimal("12000000.00")
    output = independent_core(contract)
    payer_id = f"party-{contract.parties.get(role='commissioner').pk}"
    for prow in output.periods:
        assert lines[prow.period].due == next(p.amount_due for p in prow.payers if p.payer == payer_id)
    # the disclosure: the 2030 line shows the settlement of 1 000 000 and the metric cap of 500 000
    calc = lines["2030"].calculation
    metric_row = calc["metrics"][0]
    assert Decimal(metric_row["settlement"]) == Decimal("1000000")
    assert [(c["cap"], Decimal(c["reduced_by"])) for c in metric_row["caps_applied"]] == [
        ("metric_total", Decimal("500000"))
    ]
    assert lines["2027"].status == PaymentStatus.DUE and lines["2026"].status == PaymentStatus.PLANNED


def test_several_payers_split_to_the_ore(world):
    contract = make_contract(world)
    # the fund's party is not a payer; give the commissioner 2/3 and the validator's förbund 1/3
    com = contract.parties.get(role="commissioner")
    com.payer_share = Decimal("66.6667")
    com.save()
    from insats.contracts.models import ContractParty, PartyRole

    extra = ContractParty.objects.create(
        contract=contract,
        organisation=world.orgs["unrelated"],
        role=PartyRole.PAYER,
        payer_share=Decimal("33.3333"),
    )
    approve_all(world, contract)
    by_period: dict[str, list] = {}
    for line in PaymentLine.objects.filter(contract=contract):
        by_period.setdefault(line.period, []).append(line)
    for period, lines in by_period.items():
        assert sum(line.due for line in lines) == Decimal(DUE[period])
    # 2027: 1 750 000 × 0.666667 = 1 166 667.25 → largest remainder: 1 166 667.25 / 583 332.75
    l27 = {line.payer_id: line.due for line in by_period["2027"]}
    assert l27[com.pk] == Decimal("1166667.25") and l27[extra.pk] == Decimal("583332.75")


def test_the_ledger_equals_the_hand_waterfall_and_balances(world):
    contract = make_contract(world)
    approve_all(world, contract)
    entries = LedgerEntry.objects.filter(contract=contract)
    got: dict[str, dict[str, Decimal]] = {}
    for e in entries:
        got.setdefault(e.period, {})[e.kind] = e.amount
    kinds = ["draw", "repayment_principal", "return", "surplus_fund", "surplus_provider"]
    for period, figures in LEDGER.items():
        for kind, amount in zip(kinds, figures, strict=True):
            assert got[period].get(kind, Decimal(0)) == Decimal(amount), (period, kind)
    assert not entries.filter(kind="loss").exists()
    # balance: payments in = principal + return + surplus, every period and in total
    for period, due in DUE.items():
        parts = sum(got[period].get(k, Decimal(0)) for k in kinds[1:])
        assert parts == Decimal(due), period
    ledger = sp.ledger_report(contract)
    assert ledger.output.fund_receipts == Decimal("9940500.00")
    assert ledger.output.money_multiple == pytest.approx(1.2425625)


def test_a_shortfall_books_the_loss_once_the_last_year_is_approved(world):
    contract = make_contract(world)
    # no year reaches 10 % fewer, the contract does not reach 20 %: nothing is paid
    weak = {"2026": "49", "2027": "48", "2028": "47", "2029": "48", "2030": "49"}
    approve_all(world, contract, {p: v for p, v in weak.items() if p != "2030"})
    assert not LedgerEntry.objects.filter(contract=contract, kind="loss").exists()
    approve_all(world, contract, {"2030": weak["2030"]})
    loss = LedgerEntry.objects.get(contract=contract, kind="loss")
    assert loss.amount == Decimal("8000000.00")  # everything drawn, nothing repaid


def test_mark_invoiced_and_paid(world):
    contract = make_contract(world)
    approve_all(world, contract)
    line = PaymentLine.objects.get(contract=contract, period="2027")
    commissioner = actor(world, "owner", "contract_manager")
    sp.payment_mark(actor=commissioner, line=line, status=PaymentStatus.INVOICED)
    sp.payment_mark(actor=commissioner, line=line, status=PaymentStatus.PAID)
    line.refresh_from_db()
    assert line.status == PaymentStatus.PAID and line.paid_amount == Decimal("1750000.00")
    with pytest.raises(ValidationError):
        sp.payment_mark(actor=commissioner, line=line, status=PaymentStatus.PAID)
    zero = PaymentLine.objects.get(contract=contract, period="2026")
    with pytest.raises(ValidationError):
        sp.payment_mark(actor=commissioner, line=zero, status=PaymentStatus.INVOICED)
    for org, role in [
        ("fund", "admin"),
        ("owner", "viewer"),
        ("unrelated", "admin"),
        ("federation", "admin"),
    ]:
        with pytest.raises(PermissionDenied):
            sp.payment_mark(actor=actor(world, org, role), line=line, status=PaymentStatus.PAID)


def test_a_recalculation_keeps_paid_lines(world):
    contract = make_contract(world)
    approve_all(world, contract, {"2027": "43"})
    line = PaymentLine.objects.get(contract=contract, period="2027")
    sp.payment_mark(actor=actor(world, "owner", "admin"), line=line, status=PaymentStatus.PAID)
    approve_all(world, contract, {"2028": "39"})
    line.refresh_from_db()
    assert line.status == PaymentStatus.PAID and line.due == Decimal("1750000.00")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(placed=st.lists(st.integers(min_value=20, max_value=60), min_size=5, max_size=5))
def test_ledger_always_balances(world, placed):
    """Property: for any outcomes, the stored ledger balances and equals the core's waterfall."""
    from django.db import transaction

    with transaction.atomic():
        contract = make_contract(world, reference=f"prop-{'-'.join(map(str, placed))}")
        approve_all(world, contract, dict(zip(DUE, map(str, placed), strict=True)))
        output = independent_core(contract)
        waterfall = fin.waterfall(
            core_inputs.build_financing_terms(contract), [p.amount_due for p in output.periods]
        )
        rows = LedgerEntry.objects.filter(contract=contract)
        paid_in = sum((p.amount_due for p in output.periods), Decimal(0))
        distributed = sum(
            (
                e.amount
                for e in rows
                if e.kind in ("repayment_principal", "return", "surplus_fund", "surplus_provider")
            ),
            Decimal(0),
        )
        assert distributed == paid_in
        assert sum((e.amount for e in rows if e.kind == "draw"), Decimal(0)) == waterfall.total_drawn
        loss = sum((e.amount for e in rows if e.kind == "loss"), Decimal(0))
        assert loss == waterfall.loss
        assert (
            sum((e.amount for e in rows if e.kind == "repayment_principal"), Decimal(0)) + loss
            == waterfall.total_drawn
        )
        transaction.set_rollback(True)
