"""The metric form: every price model's fields become the core's JSON form; the core's validation
errors land on the form field they concern; stored rules read back into the same form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insats.contracts import services
from insats.contracts.forms_metrics import MetricForm, initial_from_metric
from insats.contracts.models import OutcomeMetric
from tests.conftest import login
from tests.matrix.contracts import actor, draft_contract

pytestmark = pytest.mark.django_db
PERIODS = ["2026", "2027", "2028", "2029", "2030"]


def _form(kind, **data):
    base = {"code": "m", "name": "Mått", "order": "0"}
    return MetricForm({**base, **data}, kind=kind, periods=PERIODS)


def _save(world, c, form):
    """Validate the form, save through the service, and put the service's errors on the form."""
    from django.core.exceptions import ValidationError

    assert form.is_valid(), form.errors
    fields = form.metric_fields()
    if form.errors:
        return None
    try:
        return services.metric_save(actor=actor(world, "owner"), contract=c, **fields)
    except ValidationError as exc:
        form.add_core_errors(exc.message_dict)
        return None


def test_improvement_with_tiers_and_both_thresholds_in_the_core_form():
    form = _form(
        "improvement",
        direction="decrease",
        cf_kind="comparison",
        tiers="5: 40000\nresten: 20000",
        threshold_kind="absolute",
        threshold_value="1",
        contract_threshold_kind="relative",
        contract_threshold_value="15",
        contract_threshold_pays="above_threshold",
        settlement_period="2029",
        cap_per_period="300000",
    )
    assert form.is_valid(), form.errors
    assert form.to_rule() == {
        "direction": "decrease",
        "counterfactual": {"kind": "comparison"},
        "tiers": [{"up_to": "5", "price": "40000"}, {"price": "20000"}],
        "threshold": {"kind": "absolute", "value": "1"},
        "contract_threshold": {"kind": "relative", "value": "0.15", "pays": "above_threshold"},
        "settlement_period": "2029",
        "cap_per_period": "300000",
    }


def test_rate_card_savings_and_blended_rules():
    rc = _form(
        "rate_card",
        outcomes="ater; Åter i skolan; 20000\nnarvaro; Närvaro; 30000; 2; nej",
        cap_per_participant="40000",
    )
    assert rc.is_valid()
    assert rc.to_rule() == {
        "outcomes": [
            {"id": "ater", "label": "Åter i skolan", "price": "20000"},
            {
                "id": "narvaro",
                "label": "Närvaro",
                "price": "30000",
                "sustain_periods": 2,
                "repeatable": False,
            },
        ],
        "cap_per_participant": "40000",
    }
    sv = _form(
        "savings",
        cf_kind="baseline",
        cf_value="5000000",
        share="50",
        savings_cap="1000000",
        bonus_above="1000000",
        bonus_share="25",
        bonus_cap="200000",
        bonus_condition_metric="valmaende",
        bonus_condition_kind="relative",
        bonus_condition_value="10",
    )
    assert sv.is_valid()
    assert sv.to_rule() == {
        "counterfactual": {"kind": "baseline", "value": "5000000"},
        "share": "0.5",
        "cap": "1000000",
        "bonus": {
            "above": "1000000",
            "share": "0.25",
            "cap": "200000",
            "condition": {"metric": "valmaende", "threshold": {"kind": "relative", "value": "0.1"}},
        },
    }
    bl = _form("blended", evaluations="rct; randomiserad studie; 60\ndid; diff-in-diff; 40 %", price="1000")
    assert bl.is_valid()
    assert bl.to_rule()["evaluations"] == [
        {"id": "rct", "method": "randomiserad studie", "weight": "0.6"},
        {"id": "did", "method": "diff-in-diff", "weight": "0.4"},
    ]


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        # the core: "give exactly one of price and tiers"
        (
            "improvement",
            {
                "direction": "decrease",
                "cf_kind": "baseline",
                "cf_value": "50",
                "price": "1",
                "tiers": "resten: 2",
            },
            "price",
        ),
        # the core: bands must increase
        (
            "improvement",
            {
                "direction": "decrease",
                "cf_kind": "baseline",
                "cf_value": "5",
                "tiers": "5: 2\n3: 1\nresten: 1",
            },
            "tiers",
        ),
        # the core: a baseline needs a value
        ("improvement", {"direction": "decrease", "cf_kind": "baseline", "price": "1"}, "cf_value"),
        # the core: unknown period in by_period (checked against the contract)
        (
            "improvement",
            {"direction": "decrease", "cf_kind": "baseline", "cf_by_period": "2040: 5", "price": "1"},
            "cf_by_period",
        ),
        # the core: weights must sum to 1
        ("blended", {"evaluations": "a; x; 60\nb; y; 30", "price": "1"}, "evaluations"),
        # the core: the condition refers to an unknown metric
        (
            "savings",
            {
                "cf_kind": "baseline",
                "cf_value": "100",
                "bonus_above": "1",
                "bonus_share": "10",
                "bonus_condition_metric": "finns-ej",
                "bonus_condition_kind": "absolute",
                "bonus_condition_value": "1",
            },
            "bonus_condition_metric",
        ),
        # the core: a comparison group is not fixed in the contract
        ("condition", {"direction": "increase", "cf_kind": "comparison", "cf_value": "3"}, "cf_value"),
        # the form: a badly written tier line
        (
            "improvement",
            {"direction": "decrease", "cf_kind": "baseline", "cf_value": "5", "tiers": "fem 2"},
            "tiers",
        ),
    ],
)
def test_core_errors_land_on_the_right_field(world, kind, data, field):
    c = draft_contract(world)
    form = _form(kind, **data)
    assert _save(world, c, form) is None
    assert field in form.errors, form.errors
    assert not OutcomeMetric.objects.filter(contract=c, code="m").exists()


def test_stored_rule_reads_back_into_the_form(world):
    c = draft_contract(world)
    form = _form(
        "improvement",
        direction="increase",
        cf_kind="target",
        cf_by_period="2026: 20\n2027: 25",
        price="15000",
        threshold_kind="relative",
        threshold_value="12.5",
        threshold_pays="above_threshold",
        cap_total="900000",
    )
    metric = _save(world, c, form)
    assert metric is not None
    again = MetricForm(
        initial_from_metric(metric) | {"kind": "improvement"}, kind="improvement", periods=PERIODS
    )
    assert again.is_valid(), again.errors
    assert again.to_rule() == metric.rule


def test_field_error_is_shown_next_to_the_field_on_the_page(client, world):
    c = draft_contract(world)
    login(client, world.user("owner", "contract_manager"), world.orgs["owner"])
    url = reverse("contracts:metric_create", kwargs={"pk": c.pk})
    response = client.post(
        url,
        {
            "kind": "improvement",
            "code": "dygn",
            "name": "Dygn",
            "order": "1",
            "direction": "decrease",
            "cf_kind": "baseline",
            "cf_value": "100",
            "price": "10",
            "tiers": "resten: 5",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        'id="id_price_error"' in page and "antingen ett pris per enhet eller prisintervall, inte båda" in page
    )
    assert "Vad betyder detta?" in page
    ok = client.post(
        url,
        {
            "kind": "improvement",
            "code": "dygn",
            "name": "Dygn",
            "order": "1",
            "direction": "decrease",
            "cf_kind": "baseline",
            "cf_value": "100",
            "price": "10",
        },
    )
    assert ok.status_code == 302
    assert c.metrics.get(code="dygn").rule == {
        "direction": "decrease",
        "counterfactual": {"kind": "baseline", "value": "100"},
        "price": "10",
    }
