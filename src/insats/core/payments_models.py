"""Pydantic models for the outcome-payment engine (the JSON form of ``insats.core.payments``).

Import them from :mod:`insats.core.payments`; this module only exists to keep that one short.
See ``docs/core/payments.md`` for the meaning of every mechanism and the order of the caps.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from insats.core.bounds import MAX_ABS, OUT_OF_BOUNDS, BoundedInput
from insats.core.currency import Currency
from insats.core.money import ORE


def fail(field: str, message: str, value: Any = None) -> ValidationError:
    """A ValidationError whose location is the dotted ``field`` (relative to the model validated).

    Raised inside a model validator, pydantic prefixes the outer location, so the CLI and the API
    report e.g. ``contract.payers.share``.
    """
    loc = tuple(int(p) if p.isdigit() else p for p in field.split("."))
    return ValidationError.from_exception_data(
        "payments",
        [InitErrorDetails(type=PydanticCustomError("value_error", message), loc=loc, input=value)],
    )


# ---------------------------------------------------------------------------------------------
# Scalars
# ---------------------------------------------------------------------------------------------


def _whole_ore(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("must be a finite amount")
    if abs(value) > MAX_ABS:
        raise ValueError(OUT_OF_BOUNDS)
    if value < 0:
        raise ValueError("must not be negative")
    if value != value.quantize(ORE):
        raise ValueError("must be a whole number of öre (at most two decimals)")
    return value.quantize(ORE)


def _finite(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("must be a finite number")
    if abs(value) > MAX_ABS:
        raise ValueError(OUT_OF_BOUNDS)
    return value


def _share(value: Decimal) -> Decimal:
    if not value.is_finite() or value < 0 or value > 1:
        raise ValueError("must be between 0 and 1")
    if value != value.quantize(Decimal("0.000001")):
        raise ValueError("must have at most six decimals")
    return value


Money = Annotated[Decimal, AfterValidator(_whole_ore)]
"""An amount in SEK, not negative, whole öre."""
Number = Annotated[Decimal, AfterValidator(_finite)]
"""A measured value (count, days, percentage points, SEK...)."""
Share = Annotated[Decimal, AfterValidator(_share)]
"""A fraction between 0 and 1 with at most six decimals (0.25 = 25 %)."""

PeriodCap = Union[Money, dict[str, Money]]
"""A cap per period: one amount for every period, or a mapping period id -> amount."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------------------------------------
# Contract building blocks
# ---------------------------------------------------------------------------------------------


class Period(_Model):
    """One payment period of the schedule (a year, half-year, quarter or month)."""

    id: str = Field(min_length=1, description="Period id, unique in the contract, e.g. '2026' or '2026-Q1'.")
    label: str | None = Field(default=None, description="Display name; defaults to the id.")
    end: date | None = Field(default=None, description="Last day of the measurement period.")
    payment_due: date | None = Field(default=None, description="Date the payment for this period falls due.")


class Cohort(_Model):
    """A group of participants enrolled together, whose outcomes are checked together."""

    id: str = Field(min_length=1, description="Cohort id, unique in the contract.")
    label: str | None = Field(default=None, description="Display name.")
    start_period: str | None = Field(default=None, description="Period id in which the cohort starts.")
    size: int | None = Field(default=None, ge=0, description="Number of participants enrolled.")


class Payer(_Model):
    """An outcome payer (e.g. a municipality, or one member of a samordningsförbund)."""

    id: str = Field(min_length=1, description="Payer id, unique in the contract.")
    name: str | None = Field(default=None, description="Display name.")
    share: Share = Field(description="Share of every period's payment this payer pays; shares sum to 1.")
    cap: Money | None = Field(
        default=None, description="Most this payer pays over the whole contract (SEK); hard cap."
    )


class ContractCaps(_Model):
    """Caps over all metrics together."""

    total: Money | None = Field(default=None, description="Most paid over the whole contract (SEK); hard.")
    per_period: PeriodCap | None = Field(
        default=None,
        description="Most paid in one period over all metrics (SEK): one amount, or {period id: amount}. "
        "Amounts above it carry forward when the contract's carry_forward is true.",
    )


class Counterfactual(_Model):
    """What would have happened without the intervention."""

    kind: Literal["baseline", "comparison", "target"] = Field(
        description="'baseline': a historical level fixed in the contract; 'comparison': a comparison group "
        "measured in the same period (given with each observation); 'target': a fixed target level."
    )
    value: Number | None = Field(
        default=None, description="Baseline or target level used for every period and cohort."
    )
    by_period: dict[str, Number] | None = Field(
        default=None, description="Baseline or target per period id (overrides value)."
    )
    by_cohort: dict[str, Number] | None = Field(
        default=None, description="Baseline or target per cohort id (overrides by_period and value)."
    )

    @model_validator(mode="after")
    def _check(self) -> Counterfactual:
        fixed = self.value is not None or self.by_period is not None or self.by_cohort is not None
        if self.kind == "comparison" and fixed:
            raise fail(
                "value",
                "a comparison group is measured, not fixed in the contract; give it as 'counterfactual' "
                "on each observation",
            )
        if self.kind != "comparison" and not fixed:
            raise fail("value", f"a {self.kind} needs value, by_period or by_cohort")
        return self

    def level(self, period: str, cohort: str | None) -> Decimal | None:
        """The fixed baseline/target for a period and cohort (None if the contract gives none)."""
        if self.by_cohort is not None and cohort is not None and cohort in self.by_cohort:
            return self.by_cohort[cohort]
        if self.by_period is not None and period in self.by_period:
            return self.by_period[period]
        return self.value


class Threshold(_Model):
    """A minimum improvement before anything is paid."""

    kind: Literal["absolute", "relative"] = Field(
        description="'absolute': improvement in units (e.g. 5 placements); 'relative': improvement as a "
        "fraction of the counterfactual (0.20 = 20 % fewer)."
    )
    value: Number = Field(ge=0, description="The level the improvement must reach.")
    pays: Literal["all_units", "above_threshold"] = Field(
        default="all_units",
        description="'all_units': once reached, every unit of improvement is paid; 'above_threshold': only "
        "units above the threshold are paid.",
    )
    inclusive: bool = Field(
        default=True,
        description="true: reaching exactly the level counts (improvement >= level); false: the improvement "
        "must exceed it (improvement > level).",
    )


class Tier(_Model):
    """A marginal price band: units up to ``up_to`` (after the previous band) are paid at ``price``."""

    up_to: Number | None = Field(
        default=None, gt=0, description="Upper end of the band in units; null = no upper end (last band)."
    )
    price: Money = Field(description="Price per unit in this band (SEK).")


class Step(_Model):
    """One step of a step payment: a lump sum once the improvement reaches ``at``."""

    at: Number = Field(ge=0, description="Improvement at which this step is reached (units or a fraction).")
    amount: Money = Field(
        description="Lump sum paid for an observation whose highest step reached is this one (SEK); "
        "not added to the lower steps' amounts."
    )


class Steps(_Model):
    """Lump sums at thresholds: e.g. 500 000 kr once placements fall by 10 %, 1 000 000 kr at 15 %."""

    kind: Literal["absolute", "relative"] = Field(
        description="'absolute': 'at' in units of improvement; 'relative': 'at' as a fraction of the "
        "counterfactual (0.10 = 10 % better)."
    )
    inclusive: bool = Field(
        default=True,
        description="true: reaching exactly a step's level counts (>=); false: the improvement must "
        "exceed it (>).",
    )
    levels: list[Step] = Field(
        min_length=1,
        description="The steps, 'at' increasing and 'amount' not decreasing; the highest step reached "
        "is paid.",
    )

    @model_validator(mode="after")
    def _check(self) -> Steps:
        for i in range(1, len(self.levels)):
            if self.levels[i].at <= self.levels[i - 1].at:
                raise fail(f"levels.{i}.at", "steps must increase")
            if self.levels[i].amount < self.levels[i - 1].amount:
                raise fail(f"levels.{i}.amount", "a higher step must not pay less than a lower one")
        return self


class Measure(_Model):
    """A measure that is a ratio (numerator over denominator) or a rate over cohorts of different sizes.

    Improvements are converted to units of the numerator (care days, events, pupils) so that prices,
    thresholds, sums over cohorts and the whole-contract checks count those units: combined over
    cohorts, rates are weighted by each cohort's size.
    """

    kind: Literal["ratio", "rate"] = Field(
        description="'ratio': each observation reports the numerator as 'value' and its 'denominator'; "
        "'rate': each observation reports the rate as 'value' and the denominator is the cohort's size "
        "(contract cohorts.size) unless the observation gives its own 'denominator'."
    )
    per: Number = Field(
        default=Decimal(1),
        gt=0,
        description="The rate is stated per this many of the denominator: 1 for a share or days per day, "
        "100 for per cent or 'per 100 participants'. The counterfactual is a rate on the same scale.",
    )


class Condition(_Model):
    """A second outcome that must also hold (on another metric, same period)."""

    metric: str = Field(description="Id of the metric whose improvement is checked.")
    threshold: Threshold = Field(description="The improvement that metric must reach in the same period.")


class RateCardOutcome(_Model):
    """One line of a rate card: a binary outcome a participant can achieve."""

    id: str = Field(min_length=1, description="Outcome id, unique within the metric.")
    label: str | None = Field(default=None, description="Display name.")
    price: Money = Field(description="Price per participant achieving the outcome (SEK).")
    sustain_periods: int = Field(
        default=0,
        ge=0,
        description="Paid only if still true this many periods after it was achieved; paid in that later "
        "period. 0 = paid in the period achieved.",
    )
    repeatable: bool = Field(
        default=False, description="If false, a participant may have at most one record of this outcome."
    )


class Evaluation(_Model):
    """One evaluation of the effect, weighted into a blended estimate."""

    id: str = Field(min_length=1, description="Evaluation id, unique within the metric.")
    method: str | None = Field(
        default=None, description="E.g. 'randomised trial', 'difference-in-differences'."
    )
    weight: Share = Field(description="Weight of this estimate; weights of a metric sum to 1.")


class SavingsBonus(_Model):
    """A further savings tranche, paid only above a savings level and when a condition also holds."""

    above: Money = Field(description="Savings level (SEK per period) above which this tranche pays.")
    share: Share = Field(description="Share of the savings above the level that is paid.")
    cap: Money | None = Field(default=None, description="Most this tranche pays over the contract (SEK).")
    condition: Condition | None = Field(
        default=None,
        description="Second outcome that must also hold: in the same period, or over the whole contract "
        "when 'over' is 'contract'.",
    )
    over: Literal["period", "contract"] = Field(
        default="period",
        description="'period': checked and paid every period on that period's savings; 'contract': checked "
        "once on the savings and the condition summed over the whole contract, paid in the last period "
        "('above' is then a savings level over the whole contract).",
    )


# ---------------------------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------------------------


class _MetricBase(_Model):
    id: str = Field(min_length=1, description="Metric id, unique in the contract.")
    name: str | None = Field(default=None, description="Display name, e.g. 'Placeringar som undvikits'.")
    unit: str | None = Field(
        default=None, description="Unit of the measure, e.g. 'placements', 'days', 'pp'."
    )
    cap_total: Money | None = Field(default=None, description="Most paid for this metric over the contract.")
    cap_per_period: PeriodCap | None = Field(
        default=None,
        description="Most paid for this metric in one period: one amount, or {period id: amount}. Amounts "
        "above it carry forward when the contract's carry_forward is true.",
    )


class _PricedImprovement(_MetricBase):
    price: Money | None = Field(default=None, description="Price per unit of improvement (SEK).")
    tiers: list[Tier] | None = Field(
        default=None, description="Marginal price bands over the units of one observation (instead of price)."
    )
    threshold: Threshold | None = Field(
        default=None, description="Checked per observation (each cohort in each period)."
    )
    contract_threshold: Threshold | None = Field(
        default=None,
        description="Checked once over all observations up to settlement_period; if reached, the final "
        "settlement pays the whole-contract amount minus what the per-observation checks already paid.",
    )
    settlement_period: str | None = Field(
        default=None, description="Period id of the final settlement; defaults to the last period."
    )
    steps: Steps | None = Field(
        default=None,
        description="Lump sums at thresholds, per observation; alone or on top of price or tiers.",
    )

    @model_validator(mode="after")
    def _check_pricing(self) -> _PricedImprovement:
        if self.price is not None and self.tiers is not None:
            raise fail("price", "give exactly one of price and tiers")
        if self.price is None and self.tiers is None and self.steps is None:
            raise fail("price", "give exactly one of price and tiers (or steps)")
        if self.steps is not None and self.contract_threshold is not None:
            raise fail(
                "steps", "steps are paid per observation; a contract_threshold needs price or tiers alone"
            )
        if self.tiers is not None:
            if not self.tiers:
                raise fail("tiers", "give at least one band")
            last = Decimal(0)
            for i, tier in enumerate(self.tiers):
                if tier.up_to is None and i != len(self.tiers) - 1:
                    raise fail(f"tiers.{i}.up_to", "only the last band may be open-ended")
                if tier.up_to is not None and tier.up_to <= last:
                    raise fail(f"tiers.{i}.up_to", "bands must increase")
                if tier.up_to is not None:
                    last = tier.up_to
        return self


class RateCardMetric(_MetricBase):
    """Price per participant achieving binary outcomes (optionally sustained), capped per participant."""

    kind: Literal["rate_card"] = Field(default="rate_card", description="Metric kind: 'rate_card'.")
    outcomes: list[RateCardOutcome] = Field(min_length=1, description="The rate card lines.")
    cap_per_participant: Money | None = Field(
        default=None, description="Most paid for one participant over all outcomes of this metric."
    )


class ImprovementMetric(_PricedImprovement):
    """Price × units of improvement of a measure over a counterfactual."""

    kind: Literal["improvement"] = Field(default="improvement", description="Metric kind: 'improvement'.")
    direction: Literal["decrease", "increase"] = Field(
        description="'decrease': fewer is better (improvement = counterfactual - measured, e.g. placements); "
        "'increase': more is better (improvement = measured - counterfactual)."
    )
    counterfactual: Counterfactual = Field(description="What the measure is compared with.")
    measure: Measure | None = Field(
        default=None,
        description="A ratio or a rate weighted by cohort size; null = the value is a plain count or level.",
    )


class BlendedMetric(_PricedImprovement):
    """Price × an effect estimated as a weighted combination of several evaluations."""

    kind: Literal["blended"] = Field(default="blended", description="Metric kind: 'blended'.")
    evaluations: list[Evaluation] = Field(min_length=1, description="The evaluations and their weights.")

    @model_validator(mode="after")
    def _check_weights(self) -> BlendedMetric:
        ids = [e.id for e in self.evaluations]
        if len(set(ids)) != len(ids):
            raise fail("evaluations", "ids must be unique")
        if sum(e.weight for e in self.evaluations) != 1:
            raise fail("evaluations.weight", "weights must sum to 1")
        if self.threshold is not None and self.threshold.kind == "relative":
            pass  # needs 'counterfactual' on each observation; checked against the results
        return self


class SavingsMetric(_MetricBase):
    """Measured savings passed through at a share up to a cap, plus an optional conditional tranche."""

    kind: Literal["savings"] = Field(default="savings", description="Metric kind: 'savings'.")
    counterfactual: Counterfactual = Field(
        description="Expected cost without the intervention; savings = counterfactual - measured cost."
    )
    share: Share = Field(default=Decimal(1), description="Share of the savings paid (1 = pass-through 1:1).")
    cap: Money | None = Field(default=None, description="Most the first tranche pays over the contract.")
    bonus: SavingsBonus | None = Field(default=None, description="A further conditional tranche.")


class ConditionMetric(_MetricBase):
    """A measure that is never paid for itself, only used as a condition of another metric."""

    kind: Literal["condition"] = Field(default="condition", description="Metric kind: 'condition'.")
    direction: Literal["decrease", "increase"] = Field(description="As for an improvement metric.")
    counterfactual: Counterfactual = Field(description="What the measure is compared with.")
    measure: Measure | None = Field(
        default=None, description="As for an improvement metric: a ratio or a rate weighted by cohort size."
    )


AnyMetric = Union[RateCardMetric, ImprovementMetric, BlendedMetric, SavingsMetric, ConditionMetric]
Metric = Annotated[
    Union[RateCardMetric, ImprovementMetric, BlendedMetric, SavingsMetric, ConditionMetric],
    Field(discriminator="kind"),
]


class Contract(_Model):
    """An outcomes contract: what is measured, how it is priced, who pays, and the caps."""

    id: str = Field(default="contract", description="Contract id.")
    name: str | None = Field(default=None, description="Display name.")
    currency: Currency = "SEK"
    periods: list[Period] = Field(
        min_length=1, description="The payment schedule in order; a string is read as a period id."
    )
    cohorts: list[Cohort] = Field(default_factory=list, description="Cohorts, if outcomes are per cohort.")
    payers: list[Payer] = Field(min_length=1, description="Outcome payers and their shares (sum to 1).")
    metrics: list[Metric] = Field(
        min_length=1,
        description="Outcome metrics in priority order (earlier get room under caps first).",
    )
    caps: ContractCaps = Field(default_factory=ContractCaps, description="Caps over all metrics.")
    carry_forward: bool = Field(
        default=False,
        description="If true, amounts above a per-period cap (metric or contract) are carried into later "
        "periods and paid when room appears; otherwise they are lost.",
    )

    @model_validator(mode="before")
    @classmethod
    def _periods_as_strings(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("periods"), list):
            data = dict(data)
            data["periods"] = [{"id": p} if isinstance(p, str) else p for p in data["periods"]]
        return data

    @model_validator(mode="after")
    def _check(self) -> Contract:
        period_ids = [p.id for p in self.periods]
        _unique(period_ids, "periods.id")
        _unique([c.id for c in self.cohorts], "cohorts.id")
        _unique([p.id for p in self.payers], "payers.id")
        metric_ids = [m.id for m in self.metrics]
        _unique(metric_ids, "metrics.id")
        if sum(p.share for p in self.payers) != 1:
            raise fail("payers.share", "shares must sum to 1")
        pset, cset = set(period_ids), {c.id for c in self.cohorts}
        for i, c in enumerate(self.cohorts):
            if c.start_period is not None and c.start_period not in pset:
                raise fail(f"cohorts.{i}.start_period", f"unknown period '{c.start_period}'")
        _check_period_cap(self.caps.per_period, pset, "caps.per_period")
        for i, m in enumerate(self.metrics):
            where = f"metrics.{i}"
            _check_period_cap(m.cap_per_period, pset, f"{where}.cap_per_period")
            cf = getattr(m, "counterfactual", None)
            if cf is not None:
                for p in cf.by_period or {}:
                    if p not in pset:
                        raise fail(f"{where}.counterfactual.by_period", f"unknown period '{p}'")
                for c in cf.by_cohort or {}:
                    if c not in cset:
                        raise fail(f"{where}.counterfactual.by_cohort", f"unknown cohort '{c}'")
            if isinstance(m, RateCardMetric):
                _unique([o.id for o in m.outcomes], f"{where}.outcomes.id")
            if isinstance(m, ImprovementMetric | BlendedMetric):
                if m.settlement_period is not None and m.settlement_period not in pset:
                    raise fail(f"{where}.settlement_period", f"unknown period '{m.settlement_period}'")
                if m.settlement_period is not None and m.contract_threshold is None:
                    raise fail(f"{where}.settlement_period", "only meaningful with a contract_threshold")
            if isinstance(m, SavingsMetric) and m.bonus is not None and m.bonus.condition is not None:
                ref = m.bonus.condition.metric
                target = next((x for x in self.metrics if x.id == ref), None)
                if target is None:
                    raise fail(f"{where}.bonus.condition.metric", f"unknown metric '{ref}'")
                if target.id == m.id or isinstance(target, RateCardMetric):
                    raise fail(
                        f"{where}.bonus.condition.metric",
                        "must be another improvement, blended, savings or condition metric",
                    )
        return self

    # convenience -------------------------------------------------------------------------
    @property
    def period_ids(self) -> list[str]:
        return [p.id for p in self.periods]

    def metric(
        self, metric_id: str
    ) -> RateCardMetric | ImprovementMetric | BlendedMetric | SavingsMetric | ConditionMetric:
        for m in self.metrics:
            if m.id == metric_id:
                return m
        raise KeyError(metric_id)


def _unique(ids: list[str], field: str) -> None:
    seen: set[str] = set()
    for x in ids:
        if x in seen:
            raise fail(f"{field}", f"duplicate id '{x}'")
        seen.add(x)


def _check_period_cap(cap: Any, periods: set[str], field: str) -> None:
    if isinstance(cap, dict):
        for p in cap:
            if p not in periods:
                raise fail(f"{field}", f"unknown period '{p}'")


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


class Observation(_Model):
    """One measured figure of a metric in a period (for one cohort, or for everyone)."""

    metric: str = Field(description="Metric id.")
    period: str = Field(description="Period id.")
    cohort: str | None = Field(default=None, description="Cohort id; null = the whole target group.")
    value: Number | None = Field(
        default=None,
        description="Measured value (count, days, percentage, cost in SEK for savings). Not used by blended "
        "metrics except for display.",
    )
    counterfactual: Number | None = Field(
        default=None,
        description="Comparison-group value measured in the same period (counterfactual kind 'comparison'); "
        "for blended metrics, the counterfactual level used by a relative threshold.",
    )
    estimates: dict[str, Number] | None = Field(
        default=None, description="Blended metrics: effect estimate (units of improvement) per evaluation id."
    )
    denominator: Number | None = Field(
        default=None,
        gt=0,
        description="Metrics with a measure: the denominator (child days, participants, pupils). Required "
        "for a ratio; for a rate it overrides the cohort's size.",
    )


class ParticipantRecords(_Model):
    """Rate-card achievements of one metric in columns (one row per achievement), for speed.

    Row i says participant ``participant[i]`` achieved outcome ``outcome[i]`` in period ``achieved[i]``
    and the outcome was still true up to period ``sustained_through[i]`` (null = not known beyond the
    period achieved).
    """

    metric: str = Field(description="Id of a rate_card metric.")
    participant: list[str] = Field(description="Pseudonymous participant code per row.")
    outcome: list[str] = Field(description="Outcome id per row.")
    achieved: list[str] = Field(description="Period id in which the outcome was achieved, per row.")
    sustained_through: list[str | None] | None = Field(
        default=None, description="Last period id in which the outcome was still true, per row."
    )

    @model_validator(mode="after")
    def _lengths(self) -> ParticipantRecords:
        n = len(self.participant)
        for name in ("outcome", "achieved") + (("sustained_through",) if self.sustained_through else ()):
            if len(getattr(self, name)) != n:
                raise fail(f"{name}", f"must have as many rows as participant ({n})")
        return self


class Results(_Model):
    """Reported (validated) results of a contract."""

    observations: list[Observation] = Field(
        default_factory=list, description="Measured figures per metric, period and cohort."
    )
    participants: list[ParticipantRecords] = Field(
        default_factory=list, description="Participant-level achievements for rate-card metrics."
    )


class Input(BoundedInput, _Model):
    """The JSON document ``python -m insats.core payments FILE`` reads."""

    contract: Contract = Field(description="The contract.")
    results: Results = Field(default_factory=Results, description="The reported results.")

    @model_validator(mode="after")
    def _check(self) -> Input:
        from insats.core.payments_exact import check_results

        check_results(self.contract, self.results, prefix="results")
        return self


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


class CapApplied(_Model):
    """One cap that reduced an amount."""

    cap: str = Field(
        description="Which cap: participant, tranche, bonus_tranche, metric_period, metric_total, "
        "contract_period, contract_total, payer."
    )
    reduced_by: Decimal = Field(description="How much it removed or carried forward (SEK).")
    carried: bool = Field(default=False, description="True if the amount was carried forward, not lost.")


class ObservationRow(_Model):
    """How one observation (a cohort in a period) was priced."""

    cohort: str | None = Field(description="Cohort id, or null.")
    measured: Decimal | None = Field(description="Measured value.")
    counterfactual: Decimal | None = Field(description="Counterfactual value.")
    improvement: Decimal = Field(description="Improvement in units (may be negative).")
    threshold_met: bool | None = Field(description="Whether the threshold was reached; null if none.")
    units_paid: Decimal = Field(description="Units of improvement paid for.")
    amount: Decimal = Field(description="Amount of this observation before caps (SEK, öre).")


class MetricPeriodRow(_Model):
    """One metric in one period."""

    metric: str = Field(description="Metric id.")
    period: str = Field(description="Period id.")
    measured: Decimal | None = Field(
        description="Sum of measured values; for a rate card the number of achievements paid for."
    )
    counterfactual: Decimal | None = Field(description="Sum of counterfactual values.")
    improvement: Decimal | None = Field(description="Sum of improvements.")
    units_paid: Decimal = Field(description="Units paid for (rate card: achievements).")
    settlement: Decimal = Field(
        default=Decimal(0), description="Final-settlement amount included in amount_before_caps."
    )
    amount_before_caps: Decimal = Field(description="What the price rule gives, before any cap (SEK).")
    carried_in: Decimal = Field(description="Amount carried forward from earlier periods, offered again.")
    caps_applied: list[CapApplied] = Field(description="Caps that reduced the amount, in the order applied.")
    amount_due: Decimal = Field(description="Amount payable for this metric in this period (SEK).")
    carried_out: Decimal = Field(description="Carry-forward balance after this period.")
    cumulative_due: Decimal = Field(description="Amount payable for this metric up to this period.")
    observations: list[ObservationRow] = Field(default_factory=list, description="Per-observation detail.")


class PayerPeriodRow(_Model):
    """One payer in one period."""

    payer: str = Field(description="Payer id.")
    period: str = Field(description="Period id.")
    share_of_total: Decimal = Field(description="The payer's part of the period total (money.allocate).")
    cap_reduced_by: Decimal = Field(description="Removed by the payer's cap.")
    amount_due: Decimal = Field(description="Amount this payer pays for the period.")
    cumulative_due: Decimal = Field(description="Amount this payer has paid up to this period.")


class PeriodRow(_Model):
    """All metrics in one period."""

    period: str = Field(description="Period id.")
    amount_before_caps: Decimal = Field(description="Sum over metrics before caps.")
    amount_due: Decimal = Field(description="Sum over metrics due (= sum over payers).")
    carried_out: Decimal = Field(description="Total carry-forward balance after this period.")
    cumulative_due: Decimal = Field(description="Total due up to this period.")
    some_cap_bound: bool = Field(description="True if any cap reduced or carried an amount this period.")
    payers: list[PayerPeriodRow] = Field(description="Split between payers.")


class Totals(_Model):
    """Whole-contract totals; before_caps = due + carried_remaining + sum(removed_by_cap)."""

    amount_before_caps: Decimal = Field(description="Sum of all amounts before caps.")
    amount_due: Decimal = Field(description="Sum of all amounts due.")
    carried_remaining: Decimal = Field(description="Carried forward but never paid (no room by the end).")
    removed_by_cap: dict[str, Decimal] = Field(description="Amounts removed for good, per cap.")
    by_payer: dict[str, Decimal] = Field(description="Total due per payer.")
    by_metric: dict[str, Decimal] = Field(description="Total due per metric.")


class Output(_Model):
    """The payment report."""

    contract: str = Field(description="Contract id.")
    currency: str = Field(description="Currency.")
    cap_order: list[str] = Field(description="The order in which caps are applied.")
    metrics: list[MetricPeriodRow] = Field(description="One row per metric and period (metric-major).")
    periods: list[PeriodRow] = Field(description="One row per period.")
    totals: Totals = Field(description="Whole-contract totals.")
