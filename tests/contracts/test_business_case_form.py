"""The inputs form: what it shows for a scenario is what it reads back (per cent ↔ share, Swedish
decimal commas), for every kind of distribution."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from insats.contracts import business_case as bc
from insats.contracts.forms_business_case import ScenarioForm

pct = st.decimals(min_value=0, max_value=100, places=2).map(lambda d: float(d / 100))
money = st.integers(min_value=0, max_value=20_000)


@st.composite
def effect(draw):
    kind = draw(
        st.sampled_from(["fixed", "uniform", "normal", "lognormal", "triangular", "pert", "beta", "discrete"])
    )
    a, b, c = sorted(draw(st.lists(pct, min_size=3, max_size=3)))
    if kind == "fixed":
        return {"kind": "fixed", "value": b}
    if kind == "uniform":
        return {"kind": "uniform", "low": a, "high": c}
    if kind == "normal":
        return {"kind": "normal", "mean": b, "sd": a, "low": None, "high": None}
    if kind == "lognormal":
        return {"kind": "lognormal", "mean": max(b, 0.01), "sd": a}
    if kind in ("triangular", "pert"):
        d = {"kind": kind, "low": a, "mode": b, "high": c}
        if kind == "pert":
            d["weight"] = float(draw(st.integers(min_value=1, max_value=8)))
        return d
    if kind == "beta":
        return {
            "kind": "beta",
            "alpha": float(draw(st.integers(1, 20))),
            "beta": float(draw(st.integers(1, 20))),
            "low": a,
            "high": c,
        }
    return {"kind": "discrete", "values": [a, b, c], "probabilities": [0.25, 0.5, 0.25]}


@settings(max_examples=60, deadline=None)
@given(
    eff=effect(),
    hvb=money,
    share=st.integers(0, 100),
    rate=st.decimals(min_value=0, max_value=20, places=1),
    own=st.integers(0, 10_000_000),
    baseline=st.decimals(min_value=0, max_value=500, places=1),
)
def test_what_the_form_shows_it_reads_back(eff, hvb, share, rate, own, baseline):
    original = bc.ScenarioInputs.model_validate(
        {
            "effect": eff,
            "baseline_placements": float(baseline),
            "hvb_share": share / 100,
            "hvb_day_cost": {"kind": "fixed", "value": hvb},
            "family_home_day_cost": {"kind": "triangular", "low": 900, "mode": 1250.5, "high": 1800},
            "days_per_placement": {"kind": "fixed", "value": 200},
            "days_following": {"kind": "fixed", "value": 0},
            "cashable_share": "0.75",
            "own_costs_per_year": str(own),
            "horizon_years": 6,
            "discount_rate": str(rate / 100),
            "draws": 1000,
            "seed": 3,
        }
    )
    initial = ScenarioForm.initial_from(original.model_dump(mode="json"), "Runda")
    data = {k: ("" if v is None else str(v).replace(".", ",")) for k, v in initial.items()}
    form = ScenarioForm(data)
    assert form.is_valid(), form.errors
    back = form.inputs
    assert back.model_dump(exclude={"effect"}) == original.model_dump(exclude={"effect"})
    dumped, want = back.effect.model_dump(), original.effect.model_dump()
    for key, value in want.items():
        if isinstance(value, float):
            assert abs(dumped[key] - value) < 1e-12, key
        elif isinstance(value, list):
            assert all(abs(x - y) < 1e-12 for x, y in zip(dumped[key], value, strict=True)), key
        else:
            assert dumped[key] == value, key


def test_swedish_and_english_decimals_and_spaces_are_read():
    initial = ScenarioForm.initial_from(
        {
            "effect": {"kind": "fixed", "value": 0.125},
            "baseline_placements": 12.5,
            "hvb_day_cost": {"kind": "fixed", "value": 4000},
            "family_home_day_cost": {"kind": "fixed", "value": 1000},
            "days_per_placement": {"kind": "fixed", "value": 200},
            "days_following": {"kind": "fixed", "value": 100},
            "horizon_years": 3,
        },
        "x",
    )
    assert initial["effect_value"] == "12,5" and initial["baseline_placements"] == "12,5"
    assert initial["discount_rate"] == Decimal("3.5")
    data = {k: str(v) for k, v in initial.items()}
    data.update(effect_value="12.5", hvb_day_cost_value="4 000", discount_rate="3,5")
    form = ScenarioForm(data)
    assert form.is_valid(), form.errors
    assert form.inputs.effect.value == 0.125 and form.inputs.hvb_day_cost.value == 4000
    assert form.inputs.discount_rate == Decimal("0.035")
