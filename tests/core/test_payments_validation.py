"""Bad input is refused with an error that names the offending field."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from pydantic import ValidationError

from insats.core.payments import Contract, Draws, DrawsError, calculate_draws, parse_input, run

BASE = {
    "contract": {
        "periods": ["2026", "2027"],
        "cohorts": [{"id": "A"}],
        "payers": [{"id": "k1", "share": "0.5"}, {"id": "k2", "share": "0.5"}],
        "metrics": [
            {
                "id": "pl",
                "kind": "improvement",
                "direction": "decrease",
                "counterfactual": {"kind": "baseline", "value": "50"},
                "price": "1000",
            },
            {
                "id": "rc",
                "kind": "rate_card",
                "outcomes": [{"id": "o1", "price": "100"}],
            },
            {
                "id": "bl",
                "kind": "blended",
                "evaluations": [{"id": "rct", "weight": "0.5"}, {"id": "did", "weight": "0.5"}],
                "price": "10",
            },
        ],
    },
    "results": {
        "observations": [
            {"metric": "pl", "period": "2026", "value": "45"},
            {"metric": "bl", "period": "2026", "estimates": {"rct": "1", "did": "2"}},
        ],
        "participants": [{"metric": "rc", "participant": ["a"], "outcome": ["o1"], "achieved": ["2026"]}],
    },
}


def locs(exc: ValidationError) -> list[str]:
    return [".".join(str(p) for p in e["loc"]) for e in exc.errors()]


def mutated(path: list, value) -> dict:
    data = copy.deepcopy(BASE)
    target = data
    for p in path[:-1]:
        target = target[p]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


def test_base_is_valid():
    out = run(copy.deepcopy(BASE))
    # 5 placements x 1000 + 1.5 x 10 + 1 x 100, split 50/50
    assert out["totals"]["amount_due"] == "5115.00"
    assert out["totals"]["by_payer"] == {"k1": "2557.50", "k2": "2557.50"}


@pytest.mark.parametrize(
    ("path", "value", "loc", "words"),
    [
        (["contract", "payers", 1, "share"], "0.4", "contract.payers.share", "sum to 1"),
        (["contract", "payers", 1, "share"], "1.5", "contract.payers.1.share", "between 0 and 1"),
        (["contract", "metrics", 0, "price"], "10.001", "contract.metrics.0.improvement.price", "öre"),
        (["contract", "metrics", 0, "price"], "-1", "contract.metrics.0.improvement.price", "negative"),
        (["contract", "metrics", 1, "id"], "pl", "contract.metrics.id", "duplicate"),
        (["contract", "periods"], ["2026", "2026"], "contract.periods.id", "duplicate"),
        (
            ["contract", "metrics", 0, "counterfactual"],
            {"kind": "comparison", "value": "3"},
            "contract.metrics.0.improvement.counterfactual.value",
            "comparison",
        ),
        (
            ["contract", "metrics", 0, "counterfactual"],
            {"kind": "baseline"},
            "contract.metrics.0.improvement.counterfactual.value",
            "baseline",
        ),
        (
            ["contract", "metrics", 0, "counterfactual", "by_period"],
            {"2031": "4"},
            "contract.metrics.0.counterfactual.by_period",
            "2031",
        ),
        (
            ["contract", "metrics", 0, "settlement_period"],
            "2026",
            "contract.metrics.0.settlement_period",
            "only",
        ),
        (
            ["contract", "metrics", 2, "evaluations", 1, "weight"],
            "0.4",
            "contract.metrics.2.blended.evaluations.weight",
            "sum",
        ),
        (
            ["contract", "metrics", 0, "tiers"],
            [{"price": "1"}],
            "contract.metrics.0.improvement.price",
            "exactly one",
        ),
        (["contract", "caps"], {"per_period": {"2040": "5"}}, "contract.caps.per_period", "2040"),
        (["contract", "metrics", 0, "kind"], "magic", "contract.metrics.0", "magic"),
        (["results", "observations", 0, "metric"], "nope", "results.observations.0.metric", "nope"),
        (["results", "observations", 0, "period"], "1999", "results.observations.0.period", "1999"),
        (["results", "observations", 0, "cohort"], "Z", "results.observations.0.cohort", "Z"),
        (["results", "observations", 0, "value"], KeyError, "results.observations.0.value", "required"),
        (
            ["results", "observations", 0, "counterfactual"],
            "50",
            "results.observations.0.counterfactual",
            "baseline",
        ),
        (
            ["results", "observations", 1, "estimates"],
            {"rct": "1"},
            "results.observations.1.estimates",
            "did",
        ),
        (["results", "observations", 1, "metric"], "rc", "results.observations.1.metric", "participants"),
        (["results", "participants", 0, "outcome"], ["o9"], "results.participants.0.outcome.0", "o9"),
        (["results", "participants", 0, "achieved"], ["2040"], "results.participants.0.achieved.0", "2040"),
        (["results", "participants", 0, "achieved"], [], "results.participants.0.achieved", "rows"),
        (["results", "participants", 0, "metric"], "pl", "results.participants.0.metric", "not a rate card"),
    ],
)
def test_errors_name_the_field(path, value, loc, words):
    with pytest.raises(ValidationError) as info:
        parse_input(mutated(path, value))
    errors = info.value.errors()
    assert loc in locs(info.value), locs(info.value)
    message = next(e["msg"] for e in errors if ".".join(str(p) for p in e["loc"]) == loc)
    assert words in message or words in str(info.value)


def test_repeated_outcome_is_refused_unless_repeatable():
    data = mutated(
        ["results", "participants", 0],
        {
            "metric": "rc",
            "participant": ["a", "b", "a"],
            "outcome": ["o1", "o1", "o1"],
            "achieved": ["2026"] * 3,
        },
    )
    with pytest.raises(ValidationError) as info:
        parse_input(data)
    assert locs(info.value) == ["results.participants.0.outcome.2"]
    data["contract"]["metrics"][1]["outcomes"][0]["repeatable"] = True
    out = run(data)
    assert out["totals"]["by_metric"]["rc"] == "300.00"


def test_comparison_needs_the_measured_comparison_value():
    data = mutated(["contract", "metrics", 0, "counterfactual"], {"kind": "comparison"})
    with pytest.raises(ValidationError) as info:
        parse_input(data)
    assert locs(info.value) == ["results.observations.0.counterfactual"]


def test_condition_must_point_to_a_measured_metric():
    data = copy.deepcopy(BASE)
    data["contract"]["metrics"].append(
        {
            "id": "sv",
            "kind": "savings",
            "counterfactual": {"kind": "baseline", "value": "10"},
            "bonus": {
                "above": "1",
                "share": "0.5",
                "condition": {"metric": "rc", "threshold": {"kind": "absolute", "value": "0"}},
            },
        }
    )
    with pytest.raises(ValidationError) as info:
        parse_input(data)
    assert "contract.metrics.3.bonus.condition.metric" in locs(info.value)


def test_draws_with_unknown_ids_are_refused_naming_the_key():
    contract = Contract.model_validate(BASE["contract"])
    with pytest.raises(DrawsError) as info:
        calculate_draws(contract, Draws(n_draws=2, values={("px", "2026", None): np.zeros(2)}))
    assert info.value.field == "values['px', '2026', None]"
    with pytest.raises(DrawsError) as info:
        calculate_draws(contract, Draws(n_draws=2, values={("pl", "2026", None): np.zeros(3)}))
    assert "expected (2,)" in str(info.value)
    with pytest.raises(DrawsError):
        calculate_draws(contract, Draws(n_draws=2, estimates={("bl", "2026", None, "rct"): np.zeros(2)}))
    with pytest.raises(DrawsError):
        calculate_draws(contract, Draws(n_draws=2, outcome_counts={("rc", "2026", "o7"): np.zeros(2)}))
    relative = copy.deepcopy(BASE["contract"])
    relative["metrics"][2]["threshold"] = {"kind": "relative", "value": "0.1"}
    est = {("bl", "2026", None, "rct"): np.ones(2), ("bl", "2026", None, "did"): np.ones(2)}
    with pytest.raises(DrawsError) as info:
        calculate_draws(Contract.model_validate(relative), Draws(n_draws=2, estimates=est))
    assert info.value.field == "counterfactuals['bl', '2026', None]"


def test_every_field_of_the_json_form_is_described():
    from insats.core.payments import Input, Output

    missing = []
    for model in (Input, Output):
        schema = model.model_json_schema()
        for name, definition in schema.get("$defs", {}).items():
            for field, spec in definition.get("properties", {}).items():
                if "description" not in spec:
                    missing.append(f"{name}.{field}")
    assert missing == []
