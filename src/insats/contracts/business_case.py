"""The business case of an outcomes contract (affärscase): inputs, the core's Monte Carlo, scenarios.

A commissioner (and the fund) ask before signing: *if the intervention works as we expect, what do
we save, what do we pay, and how sure can we be?* This module turns a contract (through
``contracts.core_inputs``) and a scenario's inputs into the input of
:mod:`insats.core.simulation` — every figure shown comes from there — and keeps each run as a
versioned :class:`~insats.contracts.models.BusinessCaseScenario`.

The scenario's inputs (:class:`ScenarioInputs`, stored as JSON):

* ``effect`` — the expected effect as a **relative change** of each outcome metric's level
  (0.20 = 20 % fewer placements), a distribution (fixed, uniform, normal, lognormal, triangular,
  PERT, beta, discrete);
* ``baseline_placements`` — placements a year without the intervention; the placements avoided
  per year are ``baseline_placements × effect``;
* unit costs — ``hvb_day_cost`` and ``family_home_day_cost`` (SEK per care day, prefilled from the
  lägesbild's indicators for the commissioner's kommun when present), ``hvb_share`` of the
  placements in residential care (the rest in family homes), ``days_per_placement`` in the period
  of the avoided placement and ``days_following`` in the next period; each uncertain quantity is a
  distribution;
* ``cashable_share``, ``own_costs_per_year``, ``horizon_years``, ``discount_rate`` (3.5 %);
* ``metric_levels`` — the expected level without the intervention for metrics whose contract does
  not fix one (a comparison group, a target, a blended metric);
* ``draws`` (100 000) and ``seed``;
* ``participants`` — for a contract with a rate card (payment per participant and outcome): new
  participants per period (``enrolment``, a distribution, in the first ``enrolment_periods``
  periods) and, per outcome of the rate card (``"<metric>/<outcome>"``), the probability that a
  participant achieves it, its timing (``delay_min`` … ``delay_max`` periods after enrolment, each
  whole number equally likely) and what each achievement saves the commissioner (``value``, SEK).

How the contract's measured figures follow from the inputs: for every metric and period the
measured value is ``level × (1 − effect)`` (``direction: decrease``; ``+`` for increase), where
``level`` is the contract's baseline for that period and cohort, or ``metric_levels``. Rate cards
are simulated participant by participant through the core's participant model
(:mod:`insats.core.participants`): each simulated run draws how many participants reach each outcome
and when, pays them through the same payments engine (per-participant and contract caps) and the
fund's waterfall; each paid achievement saves ``value`` for the commissioner in the period it is paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from insats.core import distributions as dist
from insats.core import financing as fin
from insats.core import payments as pay
from insats.core import simulation as sim
from insats.core.money import round_ore

#: The names of the uncertain inputs, in the order the form and the disclosure show them.
UNCERTAIN = ("effect", "hvb_day_cost", "family_home_day_cost", "days_per_placement", "days_following")

#: Draws per progress step: the task reports progress after each chunk.
CHUNK_SIZE = 16_384
HISTOGRAM_BINS = 30
DEFAULT_DRAWS = 100_000
DEFAULT_DISCOUNT_RATE = Decimal("0.035")

#: Lägesbild indicators that prefill unit costs: input name → words in the indicator's Swedish title
#: (and the demo data's codes, which carry those titles).
PREFILL_INDICATORS = {
    "hvb_day_cost": ("vårddygn i hvb", ("DEMO21",)),
    "family_home_day_cost": ("vårddygn i familjehem", ("DEMO22",)),
}


class BusinessCaseError(Exception):
    """A business case that cannot be computed, with a readable message (and the field, if one)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class OutcomeInputs(BaseModel):
    """One outcome of a rate card in a scenario: how likely, when, and what it saves."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    probability: float = Field(
        ge=0, le=1, allow_inf_nan=False, description="Probability that a participant achieves it (0–1)."
    )
    probability_low: float | None = Field(
        default=None, ge=0, le=1, allow_inf_nan=False, description="Lowest likely probability (uncertain)."
    )
    probability_high: float | None = Field(
        default=None, ge=0, le=1, allow_inf_nan=False, description="Highest likely probability (uncertain)."
    )
    delay_min: int = Field(default=0, ge=0, le=120, description="Earliest, in periods after enrolment.")
    delay_max: int = Field(default=0, ge=0, le=120, description="Latest, in periods after enrolment.")
    value: Decimal = Field(
        default=Decimal(0),
        ge=0,
        le=Decimal("1e11"),
        description="SEK the commissioner saves per achievement.",
    )

    @model_validator(mode="after")
    def _check(self) -> OutcomeInputs:
        if self.delay_max < self.delay_min:
            raise ValueError("delay_max must be ≥ delay_min")
        if (self.probability_low is None) != (self.probability_high is None):
            raise ValueError("probability_low: give both the lowest and the highest probability, or neither")
        low, high = self.probability_low, self.probability_high
        if low is not None and high is not None and not low <= self.probability <= high:
            raise ValueError("probability_low: need lowest ≤ probability ≤ highest")
        return self

    def uncertain(self) -> bool:
        """Whether the probability is a range (a triangular distribution) rather than one number."""
        return (
            self.probability_low is not None
            and self.probability_high is not None
            and self.probability_low < self.probability_high
        )

    def delay(self) -> dict | int:
        """The core's delay: a whole number, or each whole period from min to max equally likely."""
        if self.delay_min == self.delay_max:
            return self.delay_min
        values = list(range(self.delay_min, self.delay_max + 1))
        share = (Decimal(1) / len(values)).quantize(Decimal("1e-12"))
        probs = [share] * (len(values) - 1)
        probs.append(Decimal(1) - sum(probs, Decimal(0)))
        return {"values": values, "probabilities": [str(p) for p in probs]}


class ParticipantInputs(BaseModel):
    """Rate cards: who enrols and what they achieve."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enrolment: dist.Distribution = Field(description="New participants per period.")
    enrolment_periods: int | None = Field(
        default=None, ge=1, le=1200, description="Periods with enrolment, from the first; None = all."
    )
    outcomes: dict[str, OutcomeInputs] = Field(
        default_factory=dict, description="Per rate-card outcome, keyed '<metric id>/<outcome id>'."
    )


class ScenarioInputs(BaseModel):
    """A scenario's inputs (the JSON stored on the scenario)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    effect: dist.Distribution = Field(
        description="Expected relative change of each outcome metric (0.2 = 20 % fewer placements)."
    )
    baseline_placements: float = Field(ge=0, le=1e6, allow_inf_nan=False, description="Placements a year.")
    hvb_share: float = Field(default=0.5, ge=0, le=1, description="Share of placements in HVB.")
    hvb_day_cost: dist.Distribution = Field(description="SEK per care day in HVB.")
    family_home_day_cost: dist.Distribution = Field(description="SEK per care day in a family home.")
    days_per_placement: dist.Distribution = Field(description="Care days avoided in the placement's period.")
    days_following: dist.Distribution = Field(description="Care days avoided in the following period.")
    cashable_share: Decimal = Field(default=Decimal(1), ge=0, le=1, description="Cashable share of savings.")
    own_costs_per_year: Decimal = Field(default=Decimal(0), ge=0, le=Decimal("1e11"), description="SEK.")
    horizon_years: int = Field(ge=1, le=30, description="Years over which costs avoided are counted.")
    discount_rate: Decimal = Field(default=DEFAULT_DISCOUNT_RATE, ge=0, le=1, description="Annual rate.")
    metric_levels: dict[str, float] = Field(
        default_factory=dict, description="Level without the intervention, per metric id, where needed."
    )
    draws: int = Field(default=DEFAULT_DRAWS, ge=100, le=1_000_000, description="Monte Carlo draws.")
    seed: int = Field(default=1, ge=0, le=2**63 - 1, description="Seed.")
    participants: ParticipantInputs | None = Field(
        default=None, description="Rate cards: the participant model (needed when the contract has one)."
    )

    @field_validator("own_costs_per_year")
    @classmethod
    def _ore(cls, v: Decimal) -> Decimal:
        return round_ore(v)


def _num(value: Decimal | float | int) -> float | int:
    """A JSON number for an expression constant (exact for the short decimals contracts hold)."""
    d = Decimal(str(value))
    return int(d) if d == d.to_integral_value() else float(d)


def _dist_json(d: Any) -> dict:
    return d.model_dump(mode="json")


def metric_level(metric: Any, period: str, cohort: str | None, levels: dict[str, float]) -> float | None:
    """The level without the intervention for ``metric`` in ``period``/``cohort``: the contract's
    baseline, else the scenario's ``metric_levels``."""
    cf = getattr(metric, "counterfactual", None)
    if cf is not None and cf.kind == "baseline":
        level = cf.level(period, cohort)
        if level is not None:
            return float(level)
    if metric.id in levels:
        return float(levels[metric.id])
    return None


def needs_level(metric: Any) -> bool:
    """Whether the scenario must give this metric's level (its contract fixes no baseline)."""
    if isinstance(metric, pay.RateCardMetric):
        return False
    cf = getattr(metric, "counterfactual", None)
    return cf is None or cf.kind != "baseline"


def default_baseline_placements(contract: pay.Contract | None) -> float | None:
    """Placements a year from the contract: the first decreasing metric with a baseline."""
    if contract is None:
        return None
    for m in contract.metrics:
        cf = getattr(m, "counterfactual", None)
        if getattr(m, "direction", None) == "decrease" and cf is not None and cf.kind == "baseline":
            if cf.by_cohort:
                return float(sum(cf.by_cohort.values()))
            level = cf.level(contract.period_ids[0], None)
            if level is not None:
                return float(level)
    return None


def _observations(contract: pay.Contract, inputs: ScenarioInputs) -> list[dict]:
    out = []
    for m in contract.metrics:
        if isinstance(m, pay.RateCardMetric):
            continue  # simulated participant by participant (_participants)
        direction = getattr(m, "direction", "decrease")
        change = {"sub": [1, "effect"]} if direction == "decrease" else {"add": [1, "effect"]}
        cf = getattr(m, "counterfactual", None)
        cohorts: list[str | None] = [None]
        if cf is not None and cf.kind == "baseline" and cf.by_cohort:
            cohorts = list(cf.by_cohort)
        for period in contract.period_ids:
            for cohort in cohorts:
                level = metric_level(m, period, cohort, inputs.metric_levels)
                if level is None:
                    raise BusinessCaseError(
                        f"Ange nivån utan insatsen för utfallsmåttet {m.name or m.id}: kontraktet "
                        "anger ingen historisk baslinje för det.",
                        field=f"metric_levels.{m.id}",
                    )
                obs: dict[str, Any] = {
                    "metric": m.id,
                    "period": period,
                    "cohort": cohort,
                    "value": {"mul": [_num(level), change]},
                }
                if isinstance(m, pay.BlendedMetric):
                    obs["value"] = None
                    obs["counterfactual"] = _num(level)
                    improvement = {"mul": [_num(level), "effect"]}
                    obs["estimates"] = {e.id: improvement for e in m.evaluations}
                elif cf is not None and cf.kind == "comparison":
                    obs["counterfactual"] = _num(level)
                # a 'target' stays the contract's counterfactual; the measured value follows the
                # expected level without the intervention (metric_levels)
                out.append(obs)
    return out


def outcome_key(metric: Any, outcome: Any) -> str:
    """The key of a rate-card outcome in :attr:`ParticipantInputs.outcomes`."""
    return f"{metric.id}/{outcome.id}"


def rate_card_outcomes(contract: pay.Contract | None) -> list[tuple[Any, Any]]:
    """Every (metric, outcome) of the contract's rate cards, in the contract's order."""
    if contract is None:
        return []
    return [(m, o) for m in contract.metrics if isinstance(m, pay.RateCardMetric) for o in m.outcomes]


def _participants(
    contract: pay.Contract, inputs: ScenarioInputs, n_periods: int
) -> tuple[list, dict, list, dict]:
    """The core's ``participants`` for each rate card, the budget effects and cost items of the
    outcomes that save the commissioner money, and the uncertain probabilities (inputs named
    ``p:<metric>/<outcome>``, triangular from the lowest over the given to the highest)."""
    cards = [m for m in contract.metrics if isinstance(m, pay.RateCardMetric)]
    if not cards:
        return [], {}, [], {}
    p = inputs.participants
    if p is None:
        raise BusinessCaseError(
            "Kontraktet betalar per deltagare och utfall (á-pris): ange hur många deltagare som börjar "
            "per period och hur troligt varje utfall är.",
            field="enrolment_kind",
        )
    k = min(p.enrolment_periods or n_periods, n_periods)
    specs, effects, items, uncertain = [], {}, [], {}
    cashable = str(inputs.cashable_share)
    for m in cards:
        chances = []
        for o in m.outcomes:
            oi = p.outcomes.get(outcome_key(m, o))
            if oi is None or (oi.probability == 0 and not oi.uncertain()):
                continue
            probability: Any = _num(oi.probability)
            if oi.uncertain():
                probability = f"p:{outcome_key(m, o)}"
                uncertain[probability] = {
                    "kind": "triangular",
                    "low": oi.probability_low,
                    "mode": oi.probability,
                    "high": oi.probability_high,
                }
            chance: dict[str, Any] = {"outcome": o.id, "probability": probability, "delay": oi.delay()}
            if oi.value > 0:
                effect = f"{m.id}/{o.id}"
                chance["effect"] = effect
                effects[effect] = []
                items.append(
                    {
                        "name": o.label or o.id,
                        "driver": effect,
                        "unit_cost": _num(oi.value),
                        "units": [1],
                        "cashable_share": cashable,
                    }
                )
            chances.append(chance)
        if chances:
            specs.append({"metric": m.id, "enrolment": ["enrolment"] * k, "outcomes": chances})
    return specs, effects, items, uncertain


def build_core_input(
    inputs: ScenarioInputs,
    contract: pay.Contract | None,
    financing: fin.FinancingTerms | None = None,
    periods_per_year: int = 1,
) -> dict:
    """The JSON input of :func:`insats.core.simulation.run` for a scenario (plain data, storable).

    Without a contract the payments are zero (a business case before any price is set)."""
    ppy = periods_per_year
    n_periods = len(contract.periods) if contract is not None else inputs.horizon_years * ppy
    horizon = inputs.horizon_years * ppy
    if horizon < n_periods:
        raise BusinessCaseError(
            f"Horisonten måste täcka kontraktets {n_periods} perioder ({n_periods / ppy:g} år).",
            field="horizon_years",
        )
    per_period = _num(Decimal(str(inputs.baseline_placements)) / ppy)
    avoided = {"mul": [per_period, "effect"]}
    hvb, fh = _num(inputs.hvb_share), _num(1 - Decimal(str(inputs.hvb_share)))
    own = round_ore(inputs.own_costs_per_year / ppy)
    cashable = str(inputs.cashable_share)
    case: dict[str, Any] = {
        "inputs": {name: _dist_json(getattr(inputs, name)) for name in UNCERTAIN},
        "budget": {
            "horizon": horizon,
            "periods_per_year": ppy,
            "discount_rate": str(inputs.discount_rate),
            "effects": {"placements_avoided": [avoided] * n_periods},
            "cost_items": [
                {
                    "name": "HVB-dygn",
                    "driver": "placements_avoided",
                    "unit_cost": "hvb_day_cost",
                    "units": [{"mul": [hvb, "days_per_placement"]}, {"mul": [hvb, "days_following"]}],
                    "cashable_share": cashable,
                },
                {
                    "name": "Familjehemsdygn",
                    "driver": "placements_avoided",
                    "unit_cost": "family_home_day_cost",
                    "units": [{"mul": [fh, "days_per_placement"]}, {"mul": [fh, "days_following"]}],
                    "cashable_share": cashable,
                },
            ],
            "own_costs": [_num(own)] * n_periods,
        },
        "monte_carlo": {
            "draws": inputs.draws,
            "seed": inputs.seed,
            "chunk_size": CHUNK_SIZE,
            "histogram_bins": HISTOGRAM_BINS,
        },
        "break_even": {"input": "effect"},
    }
    if contract is not None:
        case["contract"] = contract.model_dump(mode="json", exclude_none=True)
        case["observations"] = _observations(contract, inputs)
        specs, effects, items, uncertain = _participants(contract, inputs, n_periods)
        if specs:
            assert inputs.participants is not None  # _participants asks for them
            case["participants"] = specs
            case["inputs"]["enrolment"] = _dist_json(inputs.participants.enrolment)
            case["inputs"].update(uncertain)
            case["budget"]["effects"].update(effects)
            case["budget"]["cost_items"] += items
    else:
        case["budget"]["outcome_payments"] = [0] * n_periods
    if financing is not None:
        case["financing"] = financing.model_dump(mode="json", exclude_none=True)
    return case


#: Where a core input field comes from in the scenario's inputs (for errors on the form).
CORE_TO_SCENARIO = {
    "budget.horizon": "horizon_years",
    "budget.discount_rate": "discount_rate",
    "budget.own_costs": "own_costs_per_year",
    "budget.cost_items": "cashable_share",
    "monte_carlo.draws": "draws",
    "monte_carlo.seed": "seed",
}


def scenario_field(core_field: str) -> str:
    """The scenario input behind a core input field: ``inputs.effect.pert.high`` → ``effect_high``,
    ``budget.horizon`` → ``horizon_years``; anything from the contract → ``contract``."""
    parts = core_field.split(".")
    if parts[0] == "inputs" and len(parts) > 1 and parts[1] == "enrolment":
        rest = [p for p in parts[2:] if p not in _KINDS]
        return f"enrolment_{rest[0]}" if rest else "enrolment_kind"
    if parts[0] == "participants":
        return "enrolment_kind"
    if parts[0] == "inputs" and len(parts) > 1 and parts[1] in UNCERTAIN:
        rest = [p for p in parts[2:] if p not in _KINDS]
        return f"{parts[1]}_{rest[0]}" if rest else f"{parts[1]}_kind"
    for prefix, name in CORE_TO_SCENARIO.items():
        if core_field == prefix or core_field.startswith(prefix + "."):
            return name
    return core_field


def core_case(case_json: dict) -> sim.Input:
    """Validate the core input; a :class:`BusinessCaseError` names the offending field (the core's
    dotted path in the message, the scenario input behind it in ``field``)."""
    try:
        return sim.Input.model_validate(case_json)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(root)"
        raise BusinessCaseError(f"{where}: {err['msg']}", field=scenario_field(where)) from None


def run_core(case_json: dict, on_progress=None) -> dict:
    """The core's deterministic result and Monte Carlo as JSON (what a scenario stores)."""
    case = core_case(case_json)
    try:
        out = sim.simulate(case, on_progress)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(root)"
        raise BusinessCaseError(f"{where}: {err['msg']}", field=where) from None
    except (ValueError, ArithmeticError) as exc:
        raise BusinessCaseError(str(exc)) from None
    return out.model_dump(mode="json")


# --- form-level errors ----------------------------------------------------------------------------


def inputs_error_fields(exc: ValidationError) -> dict[str, list[str]]:
    """Pydantic errors of :class:`ScenarioInputs` → {form field name: [messages]}.

    ``("effect", "triangular", "mode")`` becomes ``effect_mode``; a distribution's own check (e.g.
    "need low ≤ mode ≤ high") lands on the input's ``<name>_kind`` field."""
    out: dict[str, list[str]] = {}
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        if loc and loc[0] in UNCERTAIN:
            name = loc[0]
            rest = [p for p in loc[1:] if p not in _KINDS]
            field = f"{name}_{rest[0]}" if rest else f"{name}_kind"
        elif loc and loc[0] == "metric_levels" and len(loc) > 1:
            field = f"level_{loc[1]}"
        elif loc[:2] == ["participants", "enrolment"]:
            rest = [p for p in loc[2:] if p not in _KINDS]
            field = f"enrolment_{rest[0]}" if rest else "enrolment_kind"
        elif loc[:2] == ["participants", "outcomes"] and len(loc) > 2:
            # the outcome's own checks: on the lowest probability or the latest delay
            msg = err["msg"]
            own = "probability_low" if "probability_low" in msg else "delay_max"
            field = f"rc:{loc[2]}:{loc[3] if len(loc) > 3 else own}"
        elif loc[:1] == ["participants"]:
            field = "enrolment_periods" if "enrolment_periods" in loc else "enrolment_kind"
        else:
            field = loc[0] if loc else "__all__"
        msg = err["msg"].removeprefix("Value error, ")
        out.setdefault(field, []).append(msg)
    return out


_KINDS = {"fixed", "uniform", "normal", "lognormal", "triangular", "pert", "beta", "discrete"}


# --- prefill from the lägesbild -------------------------------------------------------------------


@dataclass(frozen=True)
class Prefill:
    """A unit cost taken from a lägesbild indicator, with where it came from."""

    value: Decimal
    year: int
    indicator_code: str
    indicator_title: str
    area_name: str
    source: str  # e.g. "Kolada" or "Demodata"

    def label(self) -> str:
        return f"{self.indicator_title}, {self.area_name} {self.year} ({self.source})"


def _indicator_for(name: str):
    """The shared lägesbild indicator for a unit cost: real data (Kolada, SCB) before demo data."""
    from insats.situation.models import Indicator, IndicatorSource

    words, codes = PREFILL_INDICATORS[name]
    candidates = [
        i
        for i in Indicator.objects.filter(organisation__isnull=True, title_sv__icontains="vårddygn")
        if words in i.title_sv.lower()
    ]
    candidates += list(Indicator.objects.filter(organisation__isnull=True, code__in=codes))
    if not candidates:
        return None
    return min(candidates, key=lambda i: (i.source == IndicatorSource.DEMO, i.code))


def prefill_for_area(area_code: str) -> dict[str, Prefill]:
    """Unit costs from the lägesbild for a kommun (or region): the latest yearly value for the
    whole group (gender T); the country (Riket) when the area has none. Missing indicators give no
    prefill — the form then asks for the figure."""
    from insats.situation.models import Gender, Observation, PeriodType

    out: dict[str, Prefill] = {}
    areas = [c for c in (area_code, "0000") if c]
    for name in PREFILL_INDICATORS:
        ind = _indicator_for(name)
        if ind is None:
            continue
        rows = (
            Observation.objects.filter(
                indicator=ind,
                area__code__in=areas,
                gender=Gender.TOTAL,
                period_type=PeriodType.YEAR,
                period_part=0,
                value__isnull=False,
            )
            .select_related("area")
            .order_by("-period")
        )
        best = None
        for code in areas:  # the area itself first, then the country
            best = next((o for o in rows if o.area.code == code), None)
            if best is not None:
                break
        if best is None:
            continue
        out[name] = Prefill(
            value=round_ore(best.value),
            year=best.period,
            indicator_code=ind.code,
            indicator_title=ind.title_sv,
            area_name=best.area.name,
            source=best.source_label or ind.get_source_display(),
        )
    return out


def commissioner_area_code(contract) -> str:
    """The area (kommun code) of the contract's commissioner: the first commissioner party, else
    the drafting organisation."""
    party = contract.parties.filter(role="commissioner").select_related("organisation").first()
    org = party.organisation if party is not None else contract.owner
    return org.area_code or ""


def prefill_unit_costs(contract) -> dict[str, Prefill]:
    return prefill_for_area(commissioner_area_code(contract))


def contract_core_parts(contract) -> tuple[pay.Contract | None, fin.FinancingTerms | None]:
    """The contract's payments terms and financing in the core's form (through C1's
    ``core_inputs``); a contract whose terms do not validate yet gives a readable error."""
    from . import core_inputs

    payment = None
    if contract.metrics.exists():
        try:
            payment = core_inputs.build_payment_contract(contract)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise BusinessCaseError(
                f"Kontraktets villkor är inte kompletta ({where}: {err['msg']}).", field="contract"
            ) from None
        except (ValueError, LookupError) as exc:
            raise BusinessCaseError(
                f"Kontraktets villkor är inte kompletta: {exc}", field="contract"
            ) from None
    try:
        financing = core_inputs.build_financing_terms(contract)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise BusinessCaseError(
            f"Finansieringsvillkoren är inte kompletta ({where}: {err['msg']}).", field="contract"
        ) from None
    return payment, financing


def build_for_contract(contract, inputs: ScenarioInputs) -> dict:
    """The core input for ``contract`` and ``inputs`` (validated: raises BusinessCaseError)."""
    payment, financing = contract_core_parts(contract)
    case = build_core_input(inputs, payment, financing, contract.periods_per_year)
    core_case(case)
    return case


def default_inputs(contract) -> dict:
    """Starting values for a new scenario (form initial data in :class:`ScenarioInputs` form)."""
    try:
        payment, _financing = contract_core_parts(contract)
    except BusinessCaseError:
        payment = None
    prefill = prefill_unit_costs(contract)
    n_years = len(contract.period_ids()) / contract.periods_per_year
    cards = rate_card_outcomes(payment)
    only_cards = (
        payment is not None and cards and all(isinstance(m, pay.RateCardMetric) for m in payment.metrics)
    )
    participants = (
        {
            "enrolment": {"kind": "triangular", "low": 5, "mode": 10, "high": 15},
            "enrolment_periods": None,
            "outcomes": {
                outcome_key(m, o): {"probability": 0.3, "delay_min": 0, "delay_max": 1} for m, o in cards
            },
        }
        if cards
        else None
    )
    return {
        "effect": {"kind": "triangular", "low": 0.05, "mode": 0.2, "high": 0.35},
        "baseline_placements": 0 if only_cards else (default_baseline_placements(payment) or 10),
        "hvb_share": 0.5,
        "hvb_day_cost": {"kind": "fixed", "value": float(prefill["hvb_day_cost"].value)}
        if "hvb_day_cost" in prefill
        else {"kind": "fixed", "value": 0},
        "family_home_day_cost": {"kind": "fixed", "value": float(prefill["family_home_day_cost"].value)}
        if "family_home_day_cost" in prefill
        else {"kind": "fixed", "value": 0},
        "days_per_placement": {"kind": "fixed", "value": 200},
        "days_following": {"kind": "fixed", "value": 100},
        "cashable_share": "1",
        "own_costs_per_year": "0",
        "horizon_years": int(-(-n_years // 1)) + 1,
        "discount_rate": str(DEFAULT_DISCOUNT_RATE),
        "metric_levels": {},
        "draws": DEFAULT_DRAWS,
        "seed": 1,
        "participants": participants,
    }


def sources_of(inputs: ScenarioInputs, prefill: dict[str, Prefill]) -> dict[str, dict]:
    """For each unit cost still equal to its lägesbild value: where the value came from."""
    out = {}
    for name, p in prefill.items():
        d = getattr(inputs, name)
        centre = {"fixed": "value", "triangular": "mode", "pert": "mode"}.get(d.kind)
        value = getattr(d, centre) if centre else d.median()
        if round_ore(value) == p.value:
            out[name] = {
                "label": p.label(),
                "indicator": p.indicator_code,
                "year": p.year,
                "area": p.area_name,
                "source": p.source,
                "value": str(p.value),
            }
    return out


# --- scenarios ------------------------------------------------------------------------------------


def next_version(contract, name: str) -> int:
    from .models import BusinessCaseScenario

    last = (
        BusinessCaseScenario.objects.filter(contract=contract, name=name)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    return (last or 0) + 1


def scenario_create(*, actor, contract, inputs: ScenarioInputs, name: str, based_on=None, notes: str = ""):
    """Save a new scenario version (inputs + the core input built from them); results come later
    from :func:`scenario_run`. Raises BusinessCaseError when the case cannot be computed."""
    from django.db import transaction

    from insats.audit.services import log_action

    from .models import BusinessCaseScenario, Contract

    case = build_for_contract(contract, inputs)
    sources = sources_of(inputs, prefill_unit_costs(contract))
    with transaction.atomic():
        Contract.objects.select_for_update().filter(pk=contract.pk).first()  # one version at a time
        scenario = BusinessCaseScenario.objects.create(
            contract=contract,
            name=name,
            version=next_version(contract, name),
            inputs={"scenario": inputs.model_dump(mode="json"), "sources": sources, "core": case},
            based_on=based_on,
            notes=notes,
            created_by=actor.user,
        )
        log_action(
            "contract.business_case.create",
            actor=actor.user,
            organisation=actor.organisation,
            obj=scenario,
            changes={
                "contract": contract.pk,
                "version": scenario.version,
                "based_on": based_on.pk if based_on else None,
                "draws": inputs.draws,
                "seed": inputs.seed,
            },
        )
    return scenario


def scenario_start(*, actor, scenario):
    """Start the Monte Carlo as a background job; the job's result links to the scenario."""
    from django.utils.translation import gettext as _

    from insats.platform.jobs import job_start

    from .models import BusinessCaseScenario
    from .tasks_business_case import run_business_case

    job = job_start(
        user=actor.user,
        organisation=actor.organisation,
        kind="contracts.business_case",
        title=_("Affärscase: %(name)s v%(version)s") % {"name": scenario.name, "version": scenario.version},
        task=run_business_case,
        scenario_id=scenario.pk,
    )
    BusinessCaseScenario.objects.filter(pk=scenario.pk).update(job=job)
    scenario.job = job
    return job


def scenario_run(scenario_id: int, on_progress=None):
    """Run the stored core input through the core's simulation and store the result."""
    from insats.audit.services import log_action

    from .models import BusinessCaseScenario

    scenario = BusinessCaseScenario.objects.select_related("contract", "job").get(pk=scenario_id)
    result = run_core(scenario.inputs["core"], on_progress)
    BusinessCaseScenario.objects.filter(pk=scenario.pk).update(result=result)
    scenario.result = result
    log_action(
        "contract.business_case.run",
        actor=scenario.job.user if scenario.job else None,
        organisation=scenario.job.organisation if scenario.job else None,
        obj=scenario,
        changes={"draws": result["monte_carlo"]["draws"], "seed": result["monte_carlo"]["seed"]},
    )
    return scenario
