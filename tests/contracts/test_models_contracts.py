"""Single-object rules of the contract models and the translation to the core's inputs."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from insats.contracts import core_inputs
from insats.contracts.models import Contract, period_of, period_schedule
from tests.matrix.contracts import BASELINE_RULE, draft_contract

pytestmark = pytest.mark.django_db


def test_period_ids_per_period_type():
    start, end = datetime.date(2026, 5, 10), datetime.date(2027, 2, 1)
    assert [p["id"] for p in period_schedule(start, end, "year")] == ["2026", "2027"]
    assert [p["id"] for p in period_schedule(start, end, "half")] == ["2026-H1", "2026-H2", "2027-H1"]
    assert [p["id"] for p in period_schedule(start, end, "quarter")] == [
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
        "2027-Q1",
    ]
    months = period_schedule(start, end, "month")
    assert months[0]["id"] == "2026-05" and months[-1]["id"] == "2027-02" and len(months) == 10
    assert months[1]["end"] == datetime.date(2026, 6, 30)
    assert period_of(datetime.date(2027, 12, 31), "quarter") == "2027-Q4"


def test_term_end_before_start_is_refused_naming_the_field(world):
    c = Contract(
        owner=world.orgs["owner"],
        title="x",
        reference="x",
        term_start=datetime.date(2027, 1, 1),
        term_end=datetime.date(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as exc:
        c.clean()
    assert list(exc.value.message_dict) == ["term_end"]


def test_core_contract_is_built_from_the_database(world):
    c = draft_contract(world)
    core = core_inputs.build_payment_contract(c)
    assert core.id == "barnens-val"
    assert core.period_ids == ["2026", "2027", "2028", "2029", "2030"]
    assert [(p.id, p.share) for p in core.payers] == [
        (f"party-{c.parties.get(role='commissioner').pk}", Decimal(1))
    ]
    assert [(x.id, x.start_period, x.size) for x in core.cohorts] == [("k2026", "2026", 40)]
    (m,) = core.metrics
    assert (m.id, m.kind, m.price, m.cap_total) == (
        "placeringar",
        "improvement",
        Decimal(250000),
        Decimal(12000000),
    )
    assert m.contract_threshold.value == Decimal("0.20")
    terms = core_inputs.build_financing_terms(c)
    assert (terms.commitment, terms.annual_rate, terms.fund_surplus_share) == (
        Decimal(5000000),
        Decimal("0.05"),
        Decimal("0.4"),
    )
    assert terms.provider_costs == [Decimal(1000000)] * 5 and terms.periods_per_year == 1


def test_metric_core_json_takes_identity_from_the_model(world):
    c = draft_contract(world)
    m = c.metrics.get()
    m.rule = dict(BASELINE_RULE, id="other", name="ignored")
    assert m.core_json()["id"] == "placeringar" and m.core_json()["name"] == "Placeringar som undvikits"


def test_party_roles_per_organisation(world):
    c = draft_contract(world)
    assert c.access_party_roles(world.orgs["partner"].pk) == {"validator"}
    assert c.access_party_roles(world.orgs["unrelated"].pk) == set()
    assert c.access_party_roles(None) == set()
    assert c.metrics.get().access_party_roles(world.orgs["fund"].pk) == {"fund"}
