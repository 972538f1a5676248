"""The preview for every price model at once: rate card with cohorts and a participant cap, savings
with a conditional tranche, a condition metric, a blended estimate and a comparison group — equal to
``insats.core.payments.calculate`` on results written out by hand, and to a hand calculation.

Contract 2026–2028 (years), cohorts A (starts 2026, 10 planned) and B (starts 2027, 20 planned),
example outcome 20 %:

* rate card: 20 % of 10 = 2 participants from 2026, 20 % of 20 = 4 from 2027, each reaching both
  outcomes in the cohort's first year and still so at the end. *Åter* 20 000 kr paid when reached;
  *närvaro* 30 000 kr paid a year later; at most 40 000 kr per participant, so each närvaro pays
  20 000. 2026: 2 × 20 000 = 40 000; 2027: 2 × 20 000 + 4 × 20 000 = 120 000; 2028: 4 × 20 000 = 80 000.
* savings: expected cost 1 000 000 a year, measured 800 000, savings 200 000; 50 % = 100 000 a year
  (cap 600 000 not reached); bonus 25 % of the savings above 100 000 = 25 000 a year when the
  condition metric improved by ≥ 1 (it did: 84 vs 70), bonus cap 50 000 → 25 000, 25 000, 0.
* blended: both evaluations estimate 20 % × 50 = 10 units; 0.6 × 10 + 0.4 × 10 = 10 × 1 000 = 10 000.
* comparison: the comparison group at 20, measured 16, 4 units × 40 000 = 160 000.

Totals: 2026 335 000; 2027 415 000; 2028 350 000.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from insats.contracts import core_inputs, services, services_preview
from insats.core import payments
from tests.matrix.contracts import actor, add_orgs

pytestmark = pytest.mark.django_db
D = Decimal


def _contract(world):
    add_orgs(world)
    owner = actor(world, "owner")
    c = services.contract_create(
        actor=owner,
        owner=world.orgs["owner"],
        title="Alla modeller",
        reference="alla",
        term_start=datetime.date(2026, 1, 1),
        term_end=datetime.date(2028, 12, 31),
    )
    services.party_add(actor=owner, contract=c, organisation=world.orgs["provider"], role="provider")
    for code, start, size in (("A", datetime.date(2026, 2, 1), 10), ("B", datetime.date(2027, 2, 1), 20)):
        services.cohort_save(
            actor=owner,
            contract=c,
            code=code,
            name=code,
            entry_start=start,
            entry_end=start + datetime.timedelta(days=90),
            planned_size=size,
        )
    metrics = [
        (
            "ater",
            "rate_card",
            {
                "outcomes": [
                    {"id": "ater", "price": "20000"},
                    {"id": "narvaro", "price": "30000", "sustain_periods": 1},
                ],
                "cap_per_participant": "40000",
            },
        ),
        (
            "valmaende",
            "condition",
            {"direction": "increase", "counterfactual": {"kind": "target", "value": "70"}},
        ),
        (
            "kostnad",
            "savings",
            {
                "counterfactual": {"kind": "baseline", "value": "1000000"},
                "share": "0.5",
                "cap": "600000",
                "bonus": {
                    "above": "100000",
                    "share": "0.25",
                    "cap": "50000",
                    "condition": {"metric": "valmaende", "threshold": {"kind": "absolute", "value": "1"}},
                },
            },
        ),
        (
            "effekt",
            "blended",
            {
                "evaluations": [{"id": "rct", "weight": "0.6"}, {"id": "did", "weight": "0.4"}],
                "price": "1000",
            },
        ),
        (
            "franvaro",
            "improvement",
            {
                "direction": "decrease",
                "counterfactual": {"kind": "comparison"},
                "price": "40000",
            },
        ),
    ]
    for i, (code, kind, rule) in enumerate(metrics):
        services.metric_save(actor=owner, contract=c, code=code, name=code, kind=kind, order=i, rule=rule)
    return c


def test_every_design_previews_as_the_core_computes_it(world):
    c = _contract(world)
    (s,) = services_preview.preview(c, [D("0.2")], {"effekt": D(50), "franvaro": D(20)})
    years = ["2026", "2027", "2028"]
    rows = (
        [{"metric": "valmaende", "period": y, "value": "84"} for y in years]
        + [{"metric": "kostnad", "period": y, "value": "800000"} for y in years]
        + [
            {"metric": "effekt", "period": y, "counterfactual": "50", "estimates": {"rct": "10", "did": "10"}}
            for y in years
        ]
        + [{"metric": "franvaro", "period": y, "value": "16", "counterfactual": "20"} for y in years]
    )
    people = [("P1", "2026"), ("P2", "2026"), ("P3", "2027"), ("P4", "2027"), ("P5", "2027"), ("P6", "2027")]
    cols = {"metric": "ater", "participant": [], "outcome": [], "achieved": [], "sustained_through": []}
    for code, start in people:
        for outcome in ("ater", "narvaro"):
            cols["participant"].append(code)
            cols["outcome"].append(outcome)
            cols["achieved"].append(start)
            cols["sustained_through"].append("2028")
    results = payments.Results.model_validate({"observations": rows, "participants": [cols]})
    direct = payments.calculate(core_inputs.build_payment_contract(c), results)
    assert direct == s.output
    assert [p.amount_due for p in s.output.periods] == [D("335000"), D("415000"), D("350000")]
    by_metric = {(m.metric, m.period): m.amount_due for m in s.output.metrics}
    assert [by_metric[("ater", y)] for y in years] == [D("40000"), D("120000"), D("80000")]
    assert [by_metric[("kostnad", y)] for y in years] == [D("125000"), D("125000"), D("100000")]
    assert by_metric[("valmaende", "2026")] == 0
