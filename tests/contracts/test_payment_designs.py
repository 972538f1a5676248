"""Issue 14's payment designs in the contract app: the metric form reads a stored rule back into the
same rule, refuses what the core refuses on the right field in Swedish; caps and due dates per
period on the contract; results of a ratio metric with their denominator priced by the core; the
rule in plain Swedish; the preview of a ratio metric."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from insats.contracts import core_inputs, rule_text, services, services_preview
from insats.contracts import services_results as sr
from insats.contracts.forms import PaymentTermsForm
from insats.contracts.forms_metrics import MetricForm, initial_from_metric
from insats.contracts.models import OutcomeMetric, PaymentLine
from tests.matrix.contracts import actor, draft_contract

from .test_results_world import make_contract, provider, validator

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "core" / "examples"
PERIODS = ["2026", "2027", "2028", "2029", "2030"]


def example_metric(name: str, index: int = 0) -> dict:
    data = json.loads((EXAMPLES / f"payments_{name}.json").read_text(encoding="utf-8"))
    return data["contract"]["metrics"][index]


def rule_of(metric: dict) -> dict:
    return {k: v for k, v in metric.items() if k not in ("id", "kind", "name", "unit")}


@pytest.mark.parametrize(
    ("name", "index"),
    [("ratio", 0), ("rate_cohorts", 0), ("contract_bonus", 0), ("contract_bonus", 1), ("steps", 0)],
)
def test_a_stored_rule_reads_back_into_the_same_rule(name, index):
    m = example_metric(name, index)
    stored = OutcomeMetric(
        code=m["id"], name=m["name"], kind=m["kind"], unit=m.get("unit", ""), rule=rule_of(m)
    )
    initial = initial_from_metric(stored)
    form = MetricForm({k: str(v) for k, v in initial.items()}, kind=m["kind"], periods=PERIODS)
    assert form.is_valid(), form.errors
    assert form.to_rule() == rule_of(m)
    assert not form.errors


def _form(kind, **data):
    return MetricForm({"code": "m", "name": "Mått", "order": "0", **data}, kind=kind, periods=PERIODS)


def test_badly_written_steps_are_refused_on_the_steps_field():
    form = _form(
        "improvement", direction="decrease", cf_kind="baseline", cf_value="50", steps_kind="relative"
    )
    form.data = {**form.data, "steps": "tio procent"}
    assert form.is_valid()
    form.to_rule()
    assert form.errors["steps"] == ["Rad 1: skriv 'nivå: belopp'."]


def test_steps_without_a_kind_and_a_measure_per_without_a_kind_are_refused():
    form = _form(
        "improvement",
        direction="decrease",
        cf_kind="baseline",
        cf_value="50",
        price="1",
        steps="10: 5",
        measure_per="100",
    )
    assert form.is_valid()
    form.to_rule()
    assert "steps_kind" in form.errors and "measure_kind" in form.errors


def test_one_cap_for_all_periods_or_one_per_period_not_both():
    form = _form(
        "improvement",
        direction="decrease",
        cf_kind="baseline",
        cf_value="50",
        price="100",
        cap_per_period="1000",
        cap_by_period="2029: 500",
    )
    assert form.is_valid()
    form.to_rule()
    assert form.errors["cap_by_period"] == ["Ange ett tak för alla perioder eller ett per period, inte båda."]
    unknown = _form(
        "improvement",
        direction="decrease",
        cf_kind="baseline",
        cf_value="50",
        price="100",
        cap_by_period="2031: 5",
    )
    assert unknown.is_valid()
    unknown.to_rule()
    assert unknown.errors["cap_by_period"] == ["Perioden '2031' finns inte i kontraktet."]


def test_steps_with_a_contract_threshold_are_refused_by_the_core_on_the_steps_field(world):
    c = draft_contract(world)
    form = _form(
        "improvement",
        direction="decrease",
        cf_kind="baseline",
        cf_value="50",
        steps_kind="relative",
        steps="10: 500000",
        contract_threshold_kind="relative",
        contract_threshold_value="20",
    )
    assert form.is_valid()
    fields = form.metric_fields()
    with pytest.raises(ValidationError) as exc:
        services.metric_save(actor=actor(world, "owner"), contract=c, **fields)
    form.add_core_errors(exc.value.message_dict)
    assert form.errors["steps"] == ["Stegvisa belopp kan inte kombineras med en tröskel för hela kontraktet."]


def test_caps_and_due_dates_per_period_on_the_contract(world):
    c = draft_contract(world)
    form = PaymentTermsForm(
        {"cap_by_period": "2026: 2 000 000\n2030: 1500000,50", "payment_due": "2030: 2031-03-31"},
        periods=c.period_ids(),
    )
    assert form.is_valid(), form.errors
    services.payment_terms_update(actor=actor(world, "owner"), contract=c, **form.cleaned_data)
    c.refresh_from_db()
    assert c.payment_terms == {
        "caps": {"per_period": {"2026": "2000000.00", "2030": "1500000.50"}},
        "carry_forward": False,
        "payment_due": {"2030": "2031-03-31"},
    }
    core = core_inputs.build_payment_contract(c)
    assert core.caps.per_period == {"2026": Decimal("2000000.00"), "2030": Decimal("1500000.50")}
    assert [p.payment_due for p in core.periods] == [None, None, None, None, datetime.date(2031, 3, 31)]
    assert c.payment_due_date("2030") == datetime.date(2031, 3, 31)
    assert c.payment_due_date("2026") == datetime.date(2026, 12, 31) + datetime.timedelta(days=c.payment_days)
    assert PaymentTermsForm.initial_for(c)["cap_by_period"] == "2026: 2000000.00\n2030: 1500000.50"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"cap_by_period": "2031: 100"}, "cap_by_period"),
        ({"cap_by_period": "2026: tusen"}, "cap_by_period"),
        ({"cap_by_period": "2026: 1.005"}, "cap_by_period"),
        ({"payment_due": "2026: 31/3"}, "payment_due"),
        ({"payment_due": "2031: 2032-01-31"}, "payment_due"),
        ({"cap_per_period": "100", "cap_by_period": "2026: 100"}, "cap_by_period"),
    ],
)
def test_bad_period_lines_are_refused_on_their_field(world, data, field):
    c = draft_contract(world)
    form = PaymentTermsForm(data, periods=c.period_ids())
    assert not form.is_valid()
    assert field in form.errors


def test_the_service_refuses_a_period_outside_the_contract(world):
    c = draft_contract(world)
    with pytest.raises(ValidationError) as exc:
        services.payment_terms_update(
            actor=actor(world, "owner"), contract=c, payment_due={"2031": datetime.date(2032, 1, 1)}
        )
    assert "payment_due" in exc.value.message_dict


def _ratio_contract(world):
    contract = make_contract(world)
    m = example_metric("ratio")
    contract.metrics.update(
        code=m["id"], name=m["name"], unit=m["unit"], rule=rule_of(m), whole_numbers=False
    )
    return contract, contract.metrics.get()


def test_results_of_a_ratio_metric_carry_their_denominator_to_the_payments(world):
    contract, metric = _ratio_contract(world)
    with pytest.raises(ValidationError) as exc:
        sr.result_report(
            actor=provider(world), contract=contract, metric=metric, period="2026", value=Decimal(2700)
        )
    assert exc.value.message_dict["denominator"] == [
        "Ange nämnaren, t.ex. antal barndygn eller deltagare, för kvotmåttet."
    ]
    for period, care_days, child_days in (("2026", 2700, 73000), ("2027", 3100, 91250)):
        r = sr.result_report(
            actor=provider(world),
            contract=contract,
            metric=metric,
            period=period,
            value=Decimal(care_days),
            denominator=Decimal(child_days),
        )
        sr.result_approve(actor=validator(world), report=r)
    # example 7 of docs/core/payments.md: 220 and 550 care days avoided at 3 500 kr
    lines = {line.period: line.due for line in PaymentLine.objects.filter(contract=contract)}
    assert lines["2026"] == Decimal("770000.00") and lines["2027"] == Decimal("1925000.00")


def test_a_denominator_for_a_metric_without_a_measure_is_refused(world):
    contract = make_contract(world)
    metric = contract.metrics.get()
    with pytest.raises(ValidationError) as exc:
        sr.result_report(
            actor=provider(world),
            contract=contract,
            metric=metric,
            period="2026",
            value=Decimal(46),
            denominator=Decimal(10),
        )
    assert "denominator" in exc.value.message_dict


def test_the_import_reads_the_denominator_column(world):
    contract, metric = _ratio_contract(world)
    assert sr.template_csv(contract).splitlines()[0].endswith("namnare")
    content = b"matt;period;varde;namnare\r\nvardygn;2026;2700;73000\r\n"
    result = sr.results_import(actor=provider(world), contract=contract, content=content, filename="r.csv")
    assert result.ok, [str(p) for p in result.problems]
    assert result.reports[0].denominator == Decimal(73000)


def test_rule_text_for_the_new_designs():
    ratio = " ".join(rule_text.describe_rule(example_metric("ratio"), "vårddygn"))
    assert "Måttet är en kvot" in ratio and "per 1\u00a0000 i nämnaren" in ratio
    rate = " ".join(rule_text.describe_rule(example_metric("rate_cohorts"), "elever"))
    assert "vägs de efter storlek" in rate
    steps = " ".join(rule_text.describe_rule(example_metric("steps"), "placeringar"))
    assert "500\u00a0000,00\u00a0kr vid mer än 10\u00a0% av jämförelsevärdet" in steps
    assert "1\u00a0200\u00a0000,00\u00a0kr vid mer än 15\u00a0% av jämförelsevärdet" in steps
    assert "2029: 1\u00a0000\u00a0000,00\u00a0kr" in steps
    bonus = " ".join(rule_text.describe_rule(example_metric("contract_bonus"), ""))
    assert "besparingen över hela kontraktet utöver 1\u00a0500\u00a0000,00\u00a0kr" in bonus
    assert "om måttet 'maende' över hela kontraktet har förbättrats mer än 0 enheter" in bonus


def test_threshold_checks_say_more_than_for_a_strict_threshold():
    rule = {"threshold": {"kind": "absolute", "value": "5", "inclusive": False}}
    row = {"improvement": "5", "counterfactual": "50", "units_paid": "0"}
    [text] = rule_text.threshold_checks(rule, "placeringar", row, [])
    assert "tröskel mer än 5 placeringar — inte uppnådd" in text
    rule["threshold"]["inclusive"] = True
    [text] = rule_text.threshold_checks(rule, "placeringar", {**row, "units_paid": "5"}, [])
    assert "tröskel minst 5 placeringar — uppnådd" in text


def test_preview_of_a_ratio_metric_uses_the_denominator_entered(world):
    c = draft_contract(world)
    m = example_metric("ratio")
    c.metrics.update(code=m["id"], name=m["name"], unit=m["unit"], rule={**rule_of(m)})
    # 10 % better than 40 per 1 000 on 73 000 child days: 2 920 expected, 2 628 measured, 292 avoided
    [scenario] = services_preview.preview(c, [Decimal("0.10")], {"vardygn__den": Decimal(73000)})
    obs = scenario.results.observations[0]
    assert (obs.value, obs.denominator) == (Decimal("2628"), Decimal("73000"))
    assert scenario.output.metrics[0].amount_due == Decimal("1022000.00")  # 292 x 3 500
