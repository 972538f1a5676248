"""Business case: budget impact, benefit–cost and Monte Carlo risk of an outcomes contract.

The commissioner's side of an outcomes contract (see seed 004: "sannolika resultat … samt den
påverkan på resursförbrukning och budget"):

- **costs avoided** — an effect (e.g. placements avoided per year) × the units each avoided case
  saves (care days, spread over the following periods) × the unit cost (e.g. SEK per HVB day);
  each cost item has a *cashable* share (money that actually leaves the budget) and the rest is
  non-cashable (capacity freed but not cash);
- **discounting** — every period's amount is discounted to the start of the first period at the
  annual ``discount_rate`` (default 3.5 %), flows at the end of each period;
- **NPV** = PV(costs avoided) − PV(outcome payments) − PV(own costs); **benefit–cost ratio** =
  PV(costs avoided) ÷ (PV(payments) + PV(own costs)); **break-even** = the effect at which NPV = 0.

A *business case* adds the payments contract (:mod:`insats.core.payments`), uncertain inputs
(:mod:`insats.core.distributions`) that drive the reported outcomes and the budget, and the fund's
financing terms (:mod:`insats.core.financing`). The Monte Carlo runs the whole chain per draw,
vectorised and in chunks, and reports percentiles, probabilities, a tornado and histograms.

Quantities that may depend on uncertain inputs are *expressions* in JSON: a number, the name of an
input, or ``{"add"|"sub"|"mul"|"div"|"min"|"max": [expr, ...]}``, e.g.
``{"mul": ["cohort_size", 0.12, {"sub": [1, "effect"]}]}``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Any, Literal, TypedDict, cast, overload

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from insats.core import distributions as dist
from insats.core import financing as fin
from insats.core import participants as ppl
from insats.core import payments as pay
from insats.core.bounds import BoundedInput
from insats.core.money import round_ore, to_decimal
from insats.core.payments_models import fail

# --------------------------------------------------------------------------------------------------
# expressions

_OPS = ("add", "sub", "mul", "div", "min", "max")


def _parse_expr(value: Any, where: str = "expression") -> Any:
    if isinstance(value, bool):
        raise ValueError(f"{where}: a number, an input name or an operation, not a boolean")
    if isinstance(value, int | float | Decimal):
        d = to_decimal(value)
        if not d.is_finite():
            raise ValueError(f"{where}: must be finite")
        return d
    if isinstance(value, str):
        if not value:
            raise ValueError(f"{where}: empty input name")
        return value
    if isinstance(value, dict):
        if len(value) != 1:
            raise ValueError(f"{where}: an operation has exactly one key, one of {', '.join(_OPS)}")
        ((op, args),) = value.items()
        if op not in _OPS:
            raise ValueError(f"{where}: unknown operation {op!r} (use one of {', '.join(_OPS)})")
        if not isinstance(args, list) or not args:
            raise ValueError(f"{where}.{op}: needs a non-empty list of expressions")
        if op in ("sub", "div") and len(args) != 2:
            raise ValueError(f"{where}.{op}: needs exactly two expressions")
        return {op: [_parse_expr(a, f"{where}.{op}.{i}") for i, a in enumerate(args)]}
    raise ValueError(f"{where}: a number, an input name or an operation")


_EXPR_SCHEMA = {
    "description": "A number, an input name, or {op: [expr, ...]} with op one of add, sub, mul, div, "
    "min, max.",
    "anyOf": [{"type": "number"}, {"type": "string"}, {"type": "object"}],
}


def _dump_expr(expr: Any) -> Any:
    if isinstance(expr, Decimal):
        return int(expr) if expr == expr.to_integral_value() else float(expr)
    if isinstance(expr, dict):
        ((op, args),) = expr.items()
        return {op: [_dump_expr(a) for a in args]}
    return expr


Expr = Annotated[
    Any,
    BeforeValidator(_parse_expr),
    PlainSerializer(_dump_expr, when_used="json"),
    WithJsonSchema(_EXPR_SCHEMA),
]


def expr_names(expr: Any) -> set[str]:
    """The input names an expression refers to."""
    if isinstance(expr, str):
        return {expr}
    if isinstance(expr, dict):
        (args,) = expr.values()
        return set().union(*(expr_names(a) for a in args))
    return set()


def eval_decimal(expr: Any, env: dict[str, Decimal]) -> Decimal:
    """Evaluate exactly with Decimal inputs."""
    if isinstance(expr, Decimal):
        return expr
    if isinstance(expr, str):
        return env[expr]
    ((op, args),) = expr.items()
    vals = [eval_decimal(a, env) for a in args]
    return _apply(op, vals)


def eval_array(expr: Any, env: dict[str, np.ndarray]) -> np.ndarray | float:
    """Evaluate with float arrays (one value per draw)."""
    if isinstance(expr, Decimal):
        return float(expr)
    if isinstance(expr, str):
        return env[expr]
    ((op, args),) = expr.items()
    vals = [eval_array(a, env) for a in args]
    if op == "min":
        out = vals[0]
        for v in vals[1:]:
            out = np.minimum(out, v)
        return out
    if op == "max":
        out = vals[0]
        for v in vals[1:]:
            out = np.maximum(out, v)
        return out
    if op == "div":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.divide(vals[0], vals[1])
    return _apply(op, vals)


def _apply(op: str, vals: list[Any]) -> Any:
    if op == "add":
        out = vals[0]
        for v in vals[1:]:
            out = out + v
        return out
    if op == "sub":
        return vals[0] - vals[1]
    if op == "mul":
        out = vals[0]
        for v in vals[1:]:
            out = out * v
        return out
    if op == "div":
        if vals[1] == 0:
            raise ValueError("division by zero in an expression")
        return vals[0] / vals[1]
    if op == "min":
        return min(vals)
    return max(vals)


# --------------------------------------------------------------------------------------------------
# budget impact


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CostItem(_Model):
    """A cost the commissioner avoids when the effect happens."""

    name: str = Field(min_length=1, description="E.g. 'HVB-dygn' (a care day in residential care).")
    driver: str = Field(min_length=1, description="Name of the effect in `effects` that drives this cost.")
    unit_cost: Expr = Field(description="SEK per unit, e.g. per care day (expression).")
    units: list[Expr] = Field(
        min_length=1,
        description="Units avoided per unit of effect: in the period of the effect, then the following "
        "periods (e.g. [200, 165] care days in the year of the avoided placement and the next).",
    )
    cashable_share: Decimal = Field(
        default=Decimal(1),
        ge=0,
        le=1,
        description="Share that is cashable (really leaves the budget); the rest is non-cashable.",
    )


class Budget(_Model):
    """The commissioner's budget inputs."""

    horizon: int = Field(ge=1, le=100, description="Number of periods over which costs avoided are counted.")
    periods_per_year: Literal[1, 2, 4, 12] = Field(default=1, description="Periods per year.")
    discount_rate: Decimal = Field(
        default=Decimal("0.035"), ge=0, le=1, description="Annual discount rate (0.035 = 3.5 %)."
    )
    effects: dict[str, list[Expr]] = Field(
        description="Each effect's quantity per period, e.g. {'placements_avoided': [2, 4, 4]} (expressions)."
    )
    cost_items: list[CostItem] = Field(description="The costs avoided.")
    own_costs: list[Expr] = Field(
        default_factory=list,
        description="The commissioner's own costs per period (follow-up, contract management), SEK.",
    )
    outcome_payments: list[Expr] | None = Field(
        default=None,
        description="Outcome payments per period, SEK, when no contract is given (with a contract they "
        "are computed).",
    )
    payments_follow_effect: bool = Field(
        default=True,
        description="For break-even without a contract: do outcome payments scale with the effect "
        "(true) or stay fixed?",
    )

    @model_validator(mode="after")
    def _check(self) -> Budget:
        for name, values in self.effects.items():
            if len(values) > self.horizon:
                raise _err(f"effects.{name}", f"has {len(values)} periods, more than horizon {self.horizon}")
        for i, item in enumerate(self.cost_items):
            if item.driver not in self.effects:
                raise _err(f"cost_items.{i}.driver", f"unknown effect {item.driver!r}")
        if len(self.own_costs) > self.horizon:
            raise _err("own_costs", f"more periods than horizon {self.horizon}")
        if self.outcome_payments is not None and len(self.outcome_payments) > self.horizon:
            raise _err("outcome_payments", f"more periods than horizon {self.horizon}")
        return self

    def expressions(self) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        for name, values in self.effects.items():
            out += [(f"effects.{name}.{t}", e) for t, e in enumerate(values)]
        for i, item in enumerate(self.cost_items):
            out.append((f"cost_items.{i}.unit_cost", item.unit_cost))
            out += [(f"cost_items.{i}.units.{k}", e) for k, e in enumerate(item.units)]
        out += [(f"own_costs.{t}", e) for t, e in enumerate(self.own_costs)]
        out += [(f"outcome_payments.{t}", e) for t, e in enumerate(self.outcome_payments or [])]
        return out


def _err(field: str, message: str) -> ValidationError:
    """A ValidationError located at the dotted ``field`` (inside a validator pydantic prefixes the
    outer location), so the CLI and the API name the offending field."""
    return fail(field, message)


class BudgetRow(BaseModel):
    period: int = Field(description="Period number, 1 = first.")
    costs_avoided: Decimal = Field(description="Costs avoided in the period, SEK.")
    cashable: Decimal = Field(description="Of which cashable, SEK.")
    non_cashable: Decimal = Field(description="Of which non-cashable, SEK.")
    outcome_payments: Decimal = Field(description="Outcome payments in the period, SEK.")
    own_costs: Decimal = Field(description="The commissioner's own costs in the period, SEK.")
    net: Decimal = Field(description="costs_avoided − outcome_payments − own_costs, undiscounted, SEK.")
    discount_factor: Decimal = Field(description="1 / (1 + rate)^(period / periods_per_year).")


class BudgetResult(BaseModel):
    rows: list[BudgetRow] = Field(description="One row per period of the horizon.")
    by_item: dict[str, Decimal] = Field(description="Undiscounted costs avoided per cost item, SEK.")
    total_costs_avoided: Decimal = Field(description="Undiscounted total costs avoided, SEK.")
    pv_costs_avoided: Decimal = Field(description="Present value of costs avoided, SEK.")
    pv_cashable: Decimal = Field(description="Present value of cashable savings, SEK.")
    pv_non_cashable: Decimal = Field(description="Present value of non-cashable savings, SEK.")
    pv_outcome_payments: Decimal = Field(description="Present value of outcome payments, SEK.")
    pv_own_costs: Decimal = Field(description="Present value of own costs, SEK.")
    npv: Decimal = Field(description="PV costs avoided − PV payments − PV own costs, SEK.")
    npv_cashable: Decimal = Field(description="The same counting only cashable savings, SEK.")
    benefit_cost_ratio: float | None = Field(
        description="PV costs avoided ÷ (PV payments + PV own costs); None when nothing is spent."
    )
    break_even_scale: float | None = Field(
        description="Share of the assumed effect at which NPV = 0 (0.6 = 60 % of the effect suffices); "
        "None when no effect breaks even."
    )
    break_even_effects: dict[str, Decimal] | None = Field(
        description="Total of each effect over the horizon at break-even."
    )


def _discount_factors(budget: Budget) -> list[Decimal]:
    base = 1 + budget.discount_rate
    m = budget.periods_per_year
    out = []
    for t in range(1, budget.horizon + 1):
        if t % m == 0:
            out.append(Decimal(1) / base ** (t // m))
        else:
            out.append(Decimal(1) / base ** (Decimal(t) / m))
    return out


def _pad(values: list[Decimal], n: int) -> list[Decimal]:
    return list(values) + [Decimal("0.00")] * (n - len(values))


def budget_impact(
    budget: Budget,
    env: dict[str, Decimal] | None = None,
    payments: list[Decimal] | None = None,
    extra_effects: dict[str, list[Decimal]] | None = None,
) -> BudgetResult:
    """Exact budget impact (Decimal). ``env`` gives each input's value; ``payments`` overrides
    ``budget.outcome_payments`` (a business case passes the contract's payments); ``extra_effects``
    are added to the named effects per period (a participant model's paid achievements)."""
    env = env or {}
    h = budget.horizon
    effects = {k: _pad([eval_decimal(e, env) for e in v], h) for k, v in budget.effects.items()}
    for k, extra in (extra_effects or {}).items():
        effects[k] = [a + b for a, b in zip(effects[k], _pad(extra, h)[:h], strict=True)]
    zero = Decimal("0.00")
    avoided = [zero] * h
    cashable = [zero] * h
    by_item: dict[str, Decimal] = {}
    for item in budget.cost_items:
        eff = effects[item.driver]
        units = [eval_decimal(u, env) for u in item.units]
        unit_cost = eval_decimal(item.unit_cost, env)
        total = zero
        for t in range(h):
            u = sum((eff[t - k] * units[k] for k in range(len(units)) if t - k >= 0), Decimal(0))
            amount = round_ore(u * unit_cost)
            cash = round_ore(amount * item.cashable_share)
            avoided[t] += amount
            cashable[t] += cash
            total += amount
        by_item[item.name] = by_item.get(item.name, zero) + total
    own = _pad([round_ore(eval_decimal(e, env)) for e in budget.own_costs], h)
    if payments is None:
        payments = [round_ore(eval_decimal(e, env)) for e in (budget.outcome_payments or [])]
    pay = _pad([round_ore(p) for p in payments], h)[:h] if len(payments) <= h else None
    if pay is None:
        raise _err("budget.horizon", f"the contract has {len(payments)} periods, more than the horizon {h}")
    factors = _discount_factors(budget)
    rows = [
        BudgetRow(
            period=t + 1,
            costs_avoided=avoided[t],
            cashable=cashable[t],
            non_cashable=avoided[t] - cashable[t],
            outcome_payments=pay[t],
            own_costs=own[t],
            net=avoided[t] - pay[t] - own[t],
            discount_factor=factors[t],
        )
        for t in range(h)
    ]

    def pv(xs: list[Decimal]) -> Decimal:
        return round_ore(sum((x * f for x, f in zip(xs, factors, strict=True)), Decimal(0)))

    pv_a, pv_c, pv_p, pv_o = pv(avoided), pv(cashable), pv(pay), pv(own)
    spent = pv_p + pv_o
    if budget.payments_follow_effect:
        scale = float(pv_o / (pv_a - pv_p)) if pv_a > pv_p else None
    else:
        scale = float(spent / pv_a) if pv_a > 0 else None
    return BudgetResult(
        rows=rows,
        by_item=by_item,
        total_costs_avoided=sum(avoided, zero),
        pv_costs_avoided=pv_a,
        pv_cashable=pv_c,
        pv_non_cashable=pv_a - pv_c,
        pv_outcome_payments=pv_p,
        pv_own_costs=pv_o,
        npv=pv_a - pv_p - pv_o,
        npv_cashable=pv_c - pv_p - pv_o,
        benefit_cost_ratio=float(pv_a / spent) if spent > 0 else None,
        break_even_scale=scale,
        break_even_effects=None
        if scale is None
        else {
            k: (sum(v, Decimal(0)) * to_decimal(scale)).quantize(Decimal("0.01")) for k, v in effects.items()
        },
    )


# --------------------------------------------------------------------------------------------------
# business case


class ObservationSpec(_Model):
    """How one reported figure of the contract follows from the inputs."""

    metric: str = Field(description="Metric id in the contract.")
    period: str = Field(description="Period id in the contract.")
    cohort: str | None = Field(default=None, description="Cohort id, or null for the whole target group.")
    value: Expr | None = Field(default=None, description="The measured value (expression).")
    counterfactual: Expr | None = Field(
        default=None,
        description="Counterfactual value (expression): required for a 'comparison' counterfactual; "
        "otherwise replaces the contract's fixed baseline or target.",
    )
    estimates: dict[str, Expr] | None = Field(
        default=None, description="Blended metrics: effect estimate per evaluation id (expressions)."
    )


class OutcomeCountSpec(_Model):
    """Rate cards: how many achievements of one outcome become payable in a period."""

    metric: str = Field(description="Id of a rate_card metric.")
    period: str = Field(description="Period id in which the achievements are payable.")
    outcome: str = Field(description="Outcome id on the rate card.")
    count: Expr = Field(description="Number of payable achievements (expression).")


class Delay(_Model):
    """Delay after enrolment, in whole periods, as a discrete distribution."""

    values: list[int] = Field(
        min_length=1, description="Possible delays in periods (0 = the enrolment period)."
    )
    probabilities: list[Decimal] = Field(min_length=1, description="Their probabilities (sum to 1).")

    @model_validator(mode="after")
    def _check(self) -> Delay:
        if len(self.values) != len(self.probabilities):
            raise fail("probabilities", "give one probability per delay value")
        if any(v < 0 or v > 1000 for v in self.values):
            raise fail("values", "delays are whole periods from 0 to 1000")
        if len(set(self.values)) != len(self.values):
            raise fail("values", "each delay value only once")
        if any(not p.is_finite() or p < 0 for p in self.probabilities):
            raise fail("probabilities", "must be ≥ 0")
        if abs(sum(self.probabilities, Decimal(0)) - 1) > Decimal("1e-9"):
            raise fail("probabilities", "must sum to 1")
        return self


class OutcomeChance(_Model):
    """Rate cards: one outcome a simulated participant may achieve (see :mod:`insats.core.participants`)."""

    outcome: str = Field(description="Outcome id on the rate card.")
    probability: Expr = Field(
        description="Probability that a participant achieves (and, if required, sustains) the outcome "
        "(expression of the inputs; clipped to 0…1)."
    )
    delay: Delay | int = Field(
        default=0,
        description="Periods from enrolment to the achievement: a whole number, or {values, probabilities}.",
    )
    effect: str | None = Field(
        default=None,
        description="Name of a budget effect that counts this outcome: each paid achievement adds 1 to it "
        "in the period it is paid.",
    )

    @model_validator(mode="after")
    def _check(self) -> OutcomeChance:
        if isinstance(self.delay, int) and not 0 <= self.delay <= 1000:
            raise fail("delay", "a whole number of periods from 0 to 1000")
        return self

    def delay_pmf(self) -> tuple[list[int], list[float]]:
        if isinstance(self.delay, int):
            return [self.delay], [1.0]
        return list(self.delay.values), [float(p) for p in self.delay.probabilities]


class ParticipantModel(_Model):
    """The participants of one rate-card metric."""

    metric: str = Field(description="Id of a rate_card metric.")
    enrolment: list[Expr] = Field(
        min_length=1,
        description="Participants enrolled in each contract period from the first (expressions; rounded to "
        "whole participants).",
    )
    outcomes: list[OutcomeChance] = Field(min_length=1, description="The outcomes participants may achieve.")

    @model_validator(mode="after")
    def _check(self) -> ParticipantModel:
        seen: set[str] = set()
        for i, o in enumerate(self.outcomes):
            if o.outcome in seen:
                raise fail(f"outcomes.{i}.outcome", f"outcome {o.outcome!r} given twice")
            seen.add(o.outcome)
        return self


class MonteCarlo(_Model):
    draws: int = Field(default=10_000, ge=1, le=10_000_000, description="Number of draws.")
    seed: int = Field(default=0, ge=0, description="Seed: the same seed gives the same result.")
    chunk_size: int = Field(
        default=65_536,
        ge=1,
        description=f"Draws processed at once (rounded up to a multiple of {dist.BLOCK}); bounds memory, "
        "does not change the result.",
    )
    histogram_bins: int = Field(default=20, ge=1, le=200, description="Bins of each histogram.")


class BreakEvenSpec(_Model):
    input: str = Field(description="The input to vary (others at their median), e.g. the effect.")
    low: float | None = Field(default=None, description="Lowest value searched; default the input's P1.")
    high: float | None = Field(default=None, description="Highest value searched; default the input's P99.")


class Input(BoundedInput, _Model):
    """JSON form of the ``simulate`` command: a business case."""

    inputs: dict[str, dist.Distribution] = Field(
        default_factory=dict, description="Uncertain inputs by name, each a distribution."
    )
    correlations: list[dist.Correlation] = Field(
        default_factory=list, description="Rank correlations between inputs (Gaussian copula)."
    )
    contract: pay.Contract | None = Field(
        default=None, description="The outcomes contract (payments engine)."
    )
    observations: list[ObservationSpec] = Field(
        default_factory=list, description="The contract's reported figures as expressions of the inputs."
    )
    outcome_counts: list[OutcomeCountSpec] = Field(
        default_factory=list, description="Rate-card achievements as expressions of the inputs."
    )
    participants: list[ParticipantModel] = Field(
        default_factory=list,
        description="Rate cards: enrolment and each outcome's probability and timing per participant "
        "(see insats.core.participants); instead of outcome_counts for that metric.",
    )
    budget: Budget = Field(description="The commissioner's budget inputs.")
    financing: fin.FinancingTerms | None = Field(default=None, description="The fund's financing terms.")
    monte_carlo: MonteCarlo | None = Field(
        default=None, description="Run a Monte Carlo; omit for deterministic only."
    )
    break_even: BreakEvenSpec | None = Field(
        default=None, description="Find the value of one input at which the commissioner's NPV is zero."
    )

    @model_validator(mode="after")
    def _check(self) -> Input:
        known = set(self.inputs)
        exprs = [(f"budget.{w}", e) for w, e in self.budget.expressions()]
        for i, o in enumerate(self.observations):
            exprs += [
                (f"observations.{i}.value", o.value),
                (f"observations.{i}.counterfactual", o.counterfactual),
            ]
            exprs += [(f"observations.{i}.estimates.{k}", e) for k, e in (o.estimates or {}).items()]
        exprs += [(f"outcome_counts.{i}.count", o.count) for i, o in enumerate(self.outcome_counts)]
        for i, pm in enumerate(self.participants):
            exprs += [(f"participants.{i}.enrolment.{t}", e) for t, e in enumerate(pm.enrolment)]
            exprs += [
                (f"participants.{i}.outcomes.{j}.probability", o.probability)
                for j, o in enumerate(pm.outcomes)
            ]
        for where, e in exprs:
            unknown = expr_names(e) - known
            if unknown:
                raise _err(where, f"unknown input {sorted(unknown)[0]!r}")
        if (self.observations or self.outcome_counts or self.participants) and self.contract is None:
            raise _err("contract", "observations, outcome_counts and participants need a contract")
        if self.contract is not None:
            c = self.contract
            if self.budget.outcome_payments is not None:
                raise _err("budget.outcome_payments", "give either a contract or outcome_payments, not both")
            if len(c.periods) > self.budget.horizon:
                raise _err("budget.horizon", f"must cover the contract's {len(c.periods)} periods")
            periods, cohorts = set(c.period_ids), {x.id for x in c.cohorts}
            metrics = {m.id: m for m in c.metrics}
            seen: set[tuple[str, str, str | None]] = set()
            for i, o in enumerate(self.observations):
                m = metrics.get(o.metric)
                if m is None:
                    raise _err(f"observations.{i}.metric", f"unknown metric {o.metric!r}")
                if isinstance(m, pay.RateCardMetric):
                    raise _err(f"observations.{i}.metric", "rate cards are simulated with outcome_counts")
                if o.period not in periods:
                    raise _err(f"observations.{i}.period", f"unknown period {o.period!r}")
                if o.cohort is not None and o.cohort not in cohorts:
                    raise _err(f"observations.{i}.cohort", f"unknown cohort {o.cohort!r}")
                key = (o.metric, o.period, o.cohort)
                if key in seen:
                    raise _err(f"observations.{i}", "duplicate metric/period/cohort")
                seen.add(key)
            for i, oc in enumerate(self.outcome_counts):
                m = metrics.get(oc.metric)
                if not isinstance(m, pay.RateCardMetric):
                    raise _err(f"outcome_counts.{i}.metric", f"{oc.metric!r} is not a rate_card metric")
                if oc.period not in periods:
                    raise _err(f"outcome_counts.{i}.period", f"unknown period {oc.period!r}")
                if oc.outcome not in {x.id for x in m.outcomes}:
                    raise _err(f"outcome_counts.{i}.outcome", f"unknown outcome {oc.outcome!r}")
            counted = {oc.metric for oc in self.outcome_counts}
            modelled: set[str] = set()
            for i, pm in enumerate(self.participants):
                m = metrics.get(pm.metric)
                if not isinstance(m, pay.RateCardMetric):
                    raise _err(f"participants.{i}.metric", f"{pm.metric!r} is not a rate_card metric")
                if pm.metric in modelled:
                    raise _err(f"participants.{i}.metric", f"participants of {pm.metric!r} given twice")
                if pm.metric in counted:
                    raise _err(
                        f"participants.{i}.metric", "give either outcome_counts or participants for a metric"
                    )
                modelled.add(pm.metric)
                if len(pm.enrolment) > len(c.periods):
                    raise _err(
                        f"participants.{i}.enrolment", f"more periods than the contract's {len(c.periods)}"
                    )
                ids = {x.id for x in m.outcomes}
                for j, ch in enumerate(pm.outcomes):
                    if ch.outcome not in ids:
                        raise _err(
                            f"participants.{i}.outcomes.{j}.outcome", f"unknown outcome {ch.outcome!r}"
                        )
                    if ch.effect is not None and ch.effect not in self.budget.effects:
                        raise _err(
                            f"participants.{i}.outcomes.{j}.effect",
                            f"unknown budget effect {ch.effect!r} (add it to budget.effects, e.g. with [])",
                        )
                if ppl.n_patterns(m, pm) > ppl.MAX_PATTERNS:
                    raise _err(
                        f"participants.{i}.outcomes",
                        f"{ppl.n_patterns(m, pm)} combinations of outcomes and delays, at most "
                        f"{ppl.MAX_PATTERNS} (fewer delay values or outcomes)",
                    )
        if self.break_even is not None and self.break_even.input not in known:
            raise _err("break_even.input", f"unknown input {self.break_even.input!r}")
        try:
            dist.correlation_factor(list(self.inputs), self.correlations)
        except ValueError as exc:
            raise fail(getattr(exc, "field", "correlations"), str(exc)) from None
        if self.contract is not None and (self.observations or self.outcome_counts):
            # the payments engine's own cross-checks (missing comparison values, unknown
            # evaluations, ...), located at this document's fields
            env = {k: to_decimal(float(d.median())) for k, d in self.inputs.items()}
            try:
                pay.check_results(self.contract, _results(self, env, whole_counts=False), prefix="results")
            except ValidationError as exc:
                err = exc.errors()[0]
                raise fail(_user_field(err["loc"]), err["msg"]) from None
        return self


class Percentiles(BaseModel):
    """Percentiles of a money amount over the draws, SEK."""

    p5: Decimal = Field(description="5th percentile.")
    p10: Decimal = Field(description="10th percentile (P10): only 10 % of the draws are lower.")
    p25: Decimal = Field(description="25th percentile.")
    p50: Decimal = Field(description="Median (P50).")
    p75: Decimal = Field(description="75th percentile.")
    p90: Decimal = Field(description="90th percentile (P90): only 10 % of the draws are higher.")
    p95: Decimal = Field(description="95th percentile.")
    mean: Decimal = Field(description="Mean.")
    std_error: float = Field(description="Standard error of the mean (Monte Carlo error).")


class RatioPercentiles(BaseModel):
    """Percentiles of a ratio (IRR, multiple) over the draws."""

    p5: float = Field(description="5th percentile.")
    p10: float = Field(description="10th percentile (P10).")
    p25: float = Field(description="25th percentile.")
    p50: float = Field(description="Median (P50).")
    p75: float = Field(description="75th percentile.")
    p90: float = Field(description="90th percentile (P90).")
    p95: float = Field(description="95th percentile.")
    mean: float = Field(description="Mean.")
    std_error: float = Field(description="Standard error of the mean (Monte Carlo error).")


class Histogram(BaseModel):
    edges: list[float] = Field(description="Bin edges (bins + 1 values).")
    counts: list[int] = Field(description="Draws per bin.")


class TornadoBar(BaseModel):
    input: str = Field(description="Input name.")
    low_value: float = Field(description="The input at its P10.")
    high_value: float = Field(description="The input at its P90.")
    npv_at_low: Decimal = Field(description="Commissioner NPV with this input at P10, others at median, SEK.")
    npv_at_high: Decimal = Field(
        description="Commissioner NPV with this input at P90, others at median, SEK."
    )
    spread: Decimal = Field(description="|npv_at_high − npv_at_low|, SEK; the bars are sorted by it.")


class BreakEvenResult(BaseModel):
    input: str = Field(description="The input varied.")
    value: float | None = Field(
        description="Its value at which NPV = 0; None when NPV does not cross 0 in the range."
    )
    low: float = Field(description="Lowest value searched.")
    high: float = Field(description="Highest value searched.")
    npv_at_low: Decimal = Field(description="NPV at the lowest value, SEK.")
    npv_at_high: Decimal = Field(description="NPV at the highest value, SEK.")


class MonteCarloResult(BaseModel):
    draws: int = Field(description="Number of draws.")
    seed: int = Field(description="Seed used.")
    total_payments: Percentiles = Field(description="Outcome payments over the contract (undiscounted), SEK.")
    commissioner_npv: Percentiles = Field(description="Commissioner's NPV, SEK.")
    commissioner_npv_cashable: Percentiles = Field(description="Commissioner's NPV on cashable savings, SEK.")
    fund_irr_annual: RatioPercentiles | None = Field(
        description="Fund's annualised IRR (a total loss counts as −100 %; draws without an IRR left out)."
    )
    fund_multiple: RatioPercentiles | None = Field(description="Fund's money multiple.")
    provider_net: Percentiles | None = Field(description="Provider's net, SEK.")
    probability_commissioner_saves: float = Field(description="Share of draws with NPV > 0.")
    probability_commissioner_saves_cashable: float = Field(
        description="Share of draws with cashable NPV > 0."
    )
    probability_fund_repaid: float | None = Field(description="Share of draws where all principal is repaid.")
    probability_cap_hit: float = Field(description="Share of draws where some payment cap binds.")
    share_irr_undefined: float | None = Field(description="Share of draws without a defined IRR.")
    tornado: list[TornadoBar] = Field(description="Inputs by their effect on NPV, largest first.")
    histograms: dict[str, Histogram] = Field(
        description="For charts: commissioner_npv, total_payments, fund_irr_annual."
    )


class DeterministicResult(BaseModel):
    inputs: dict[str, float] = Field(description="Each input at its median.")
    payments_by_period: list[Decimal] = Field(description="Outcome payments per contract period, SEK.")
    payments_cap_hit: bool = Field(description="Some payment cap binds.")
    budget: BudgetResult = Field(description="Budget impact and benefit–cost.")
    financing: fin.Output | None = Field(description="The fund's waterfall, when financing terms are given.")
    break_even: BreakEvenResult | None = Field(description="Break-even value of the chosen input.")


class Output(BaseModel):
    deterministic: DeterministicResult = Field(description="Every input at its median, exact engines.")
    monte_carlo: MonteCarloResult | None = Field(
        description="Risk results, when a Monte Carlo was asked for."
    )


# ---- exact (deterministic) path ------------------------------------------------------------------


def _whole(value: Decimal, where: str) -> int:
    if value != value.to_integral_value() or value < 0:
        raise _err(
            where, f"must be a whole number of achievements ≥ 0 in the deterministic case, got {value}"
        )
    return int(value)


def _user_field(loc: tuple[int | str, ...]) -> str:
    """Map a payments-engine location (results.observations.3.counterfactual) to this document's."""
    parts = [str(p) for p in loc]
    if parts[:2] == ["results", "observations"]:
        return ".".join(parts[1:])
    if parts[:2] == ["results", "participants"]:
        return "outcome_counts"
    return ".".join(parts) or "(root)"


class _RecordColumns(TypedDict):
    """The columns of one metric's :class:`~insats.core.payments.ParticipantRecords`."""

    participant: list[str]
    outcome: list[str]
    achieved: list[str]
    sustained_through: list[str | None]


OBSERVATION_PLACES = Decimal("1e-9")


def _measure(expr: Any, env: dict[str, Decimal]) -> Decimal:
    """A simulated measurement, rounded to nine decimals (far below any measurement's precision).

    An expression such as ``10 × (1 − 0.15 × 2/3)`` is 9.0000000000000001 in exact arithmetic but
    9.0 in floats; without the rounding the exact engine would find a 10 % reduction a hair short
    of a 10 % threshold while the vectorised engine (whose comparisons allow 1e-9) finds it met."""
    value = eval_decimal(expr, env).quantize(OBSERVATION_PLACES, rounding=ROUND_HALF_EVEN)
    whole = value.to_integral_value()
    return whole if value == whole else value.normalize()


def _results(case: Input, env: dict[str, Decimal], whole_counts: bool = True) -> pay.Results:
    obs = []
    for o in case.observations:
        obs.append(
            pay.Observation(
                metric=o.metric,
                period=o.period,
                cohort=o.cohort,
                value=None if o.value is None else _measure(o.value, env),
                counterfactual=None if o.counterfactual is None else _measure(o.counterfactual, env),
                estimates=None
                if o.estimates is None
                else {k: _measure(e, env) for k, e in o.estimates.items()},
            )
        )
    records: dict[str, _RecordColumns] = {}
    pidx = {p: i for i, p in enumerate(case.contract.period_ids)} if case.contract else {}
    for i, oc in enumerate(case.outcome_counts):
        # Input._check: outcome counts need a contract and name one of its rate-card metrics
        assert case.contract is not None
        m = case.contract.metric(oc.metric)
        assert isinstance(m, pay.RateCardMetric)
        outcome = next(x for x in m.outcomes if x.id == oc.outcome)
        count = eval_decimal(oc.count, env)
        if not whole_counts:  # a structural check: one achievement is enough
            count = min(max(count, Decimal(0)).to_integral_value(), Decimal(1))
        n = _whole(count, f"outcome_counts.{i}.count")
        achieved_i = pidx[oc.period] - outcome.sustain_periods
        if n and achieved_i < 0:
            raise _err(f"outcome_counts.{i}.period", "payable before the outcome can have been sustained")
        rec = records.setdefault(
            oc.metric, {"participant": [], "outcome": [], "achieved": [], "sustained_through": []}
        )
        for j in range(n):
            rec["participant"].append(f"sim-{i}-{j}")
            rec["outcome"].append(oc.outcome)
            rec["achieved"].append(case.contract.period_ids[achieved_i])
            rec["sustained_through"].append(oc.period)
    parts = [pay.ParticipantRecords(metric=k, **v) for k, v in records.items()]
    return pay.Results(observations=obs, participants=parts)


def _medians(case: Input) -> dict[str, float]:
    return {k: d.median() for k, d in case.inputs.items()}


def deterministic(case: Input, values: dict[str, float] | None = None) -> DeterministicResult:
    """The business case with every input at ``values`` (default: medians), through the exact engines."""
    vals = _medians(case) if values is None else values
    env = {k: to_decimal(float(v)) for k, v in vals.items()}
    cap_hit = False
    extra: dict[str, list[Decimal]] | None = None
    if case.contract is not None and case.participants:
        # participants: their expected payments (inputs at ``vals``) through the payments engine
        # (vectorised, one draw; whole öre, so equal to the exact engine)
        one = evaluate(case, {k: np.full(1, float(v)) for k, v in vals.items()}, 1)
        payments = [round_ore(Decimal(repr(float(x)))) for x in one["payments"][0]]
        cap_hit = bool(one["cap_hit"][0])
        extra = {
            k: [Decimal(repr(round(float(x), 9))).normalize() for x in v[0]]
            for k, v in cast(dict[str, np.ndarray], one["participant_effects"]).items()
        }
    elif case.contract is not None:
        results = _results(case, env)
        try:
            pay.check_results(case.contract, results, prefix="results")
        except ValidationError as exc:
            err = exc.errors()[0]
            raise fail(_user_field(err["loc"]), err["msg"]) from None
        out = pay.calculate(case.contract, results)
        payments = [row.amount_due for row in out.periods]
        cap_hit = any(row.some_cap_bound for row in out.periods)
    else:
        payments = [round_ore(eval_decimal(e, env)) for e in (case.budget.outcome_payments or [])]
    budget = budget_impact(case.budget, env, payments, extra)
    if case.contract is not None:
        budget = budget.model_copy(update={"break_even_scale": None, "break_even_effects": None})
    financing = fin.waterfall(case.financing, payments) if case.financing is not None else None
    return DeterministicResult(
        inputs=vals,
        payments_by_period=payments,
        payments_cap_hit=cap_hit,
        budget=budget,
        financing=financing,
        break_even=_break_even(case) if case.break_even is not None else None,
    )


# ---- vectorised path -----------------------------------------------------------------------------


def _round_ore_arr(x: np.ndarray) -> np.ndarray:
    """Half away from zero to the öre; a relative nudge of 1e-12 makes float values of short decimals
    (0.125 stored as 0.12499999…) round as the Decimal engine does."""
    a = np.abs(x) * 100.0
    return np.sign(x) * np.floor(a * (1 + 1e-12) + 0.5) / 100.0


def _full(v: Any, n: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(v, dtype=float), (n,))


def _participant_payments(
    case: Input, env: dict[str, np.ndarray], n: int, seed: int | None, start: int
) -> list[ppl.Paid]:
    """Each participant model's payments per draw and period (see :mod:`insats.core.participants`):
    expected ones when ``seed`` is None, else simulated (draws ``start …`` of the run)."""
    if not case.participants:
        return []
    assert case.contract is not None  # Input._check
    t_n = len(case.contract.periods)
    preps, enrol, probs = [], [], []
    for i, pm in enumerate(case.participants):
        metric = case.contract.metric(pm.metric)
        assert isinstance(metric, pay.RateCardMetric)
        preps.append(ppl.prepare(metric, pm, t_n))
        people = []
        for t, e in enumerate(pm.enrolment):
            x = _full(eval_array(e, env), n)
            if not np.isfinite(x).all():
                raise _err(f"participants.{i}.enrolment.{t}", "not a finite number in some draw")
            if (x > ppl.MAX_ENROLMENT).any():
                raise _err(
                    f"participants.{i}.enrolment.{t}",
                    f"more than {ppl.MAX_ENROLMENT:,} participants in one period in some draw",
                )
            people.append(x)
        enrol.append(people)
        chances = []
        for j, o in enumerate(pm.outcomes):
            x = _full(eval_array(o.probability, env), n)
            if np.isnan(x).any():
                raise _err(f"participants.{i}.outcomes.{j}.probability", "not a number in some draw")
            chances.append(np.clip(x, 0.0, 1.0))
        probs.append(chances)
    if seed is None:
        return [ppl.payments(p, e, q, t_n, None) for p, e, q in zip(preps, enrol, probs, strict=True)]
    return ppl.simulate_blocks(preps, enrol, probs, t_n, seed, start)


def evaluate(
    case: Input, env: dict[str, np.ndarray], n: int, seed: int | None = None, start: int = 0
) -> dict[str, Any]:
    """The whole business case for ``n`` scenarios at once; ``env`` maps input name -> array (n,).

    Participant models (rate cards) give their expected payments when ``seed`` is None, else
    simulated participants for draws ``start … start + n − 1`` of the run seeded with ``seed``.

    Returns per-scenario arrays: total_payments, pv_payments, pv_costs_avoided, npv, npv_cashable,
    cap_hit, payments (n, periods), participant_effects ({effect: (n, periods)} paid achievements)
    and, with financing, fund_irr_annual, fund_multiple, fund_repaid, fund_loss, fund_receipts,
    provider_net.
    """
    b = case.budget
    h = b.horizon
    paid = _participant_payments(case, env, n, seed, start)
    if case.contract is not None:
        draws = pay.Draws(n_draws=n)
        for o in case.observations:
            key = (o.metric, o.period, o.cohort)
            if o.value is not None:
                draws.values[key] = _full(eval_array(o.value, env), n)
            if o.counterfactual is not None:
                draws.counterfactuals[key] = _full(eval_array(o.counterfactual, env), n)
            for ev, e in (o.estimates or {}).items():
                draws.estimates[(o.metric, o.period, o.cohort, ev)] = _full(eval_array(e, env), n)
        for oc in case.outcome_counts:
            k3 = (oc.metric, oc.period, oc.outcome)
            draws.outcome_counts[k3] = _full(eval_array(oc.count, env), n) + draws.outcome_counts.get(k3, 0)
        for pm, pd in zip(case.participants, paid, strict=True):
            for p, period in enumerate(case.contract.period_ids):
                draws.rate_card_amounts[(pm.metric, period)] = pd.capped[:, p] / 100.0
                draws.rate_card_gross[(pm.metric, period)] = pd.gross[:, p] / 100.0
        totals = pay.calculate_draws(case.contract, draws)
        payments = np.asarray(totals.total, dtype=float)
        cap_hit = np.asarray(totals.any_cap_bound, dtype=bool)
    else:
        cols = [_round_ore_arr(_full(eval_array(e, env), n)) for e in (b.outcome_payments or [])]
        payments = np.stack(cols, axis=1) if cols else np.zeros((n, 0))
        cap_hit = np.zeros(n, dtype=bool)
    p_cols = payments.shape[1]
    pay_h = np.zeros((n, h))
    pay_h[:, :p_cols] = payments

    avoided = np.zeros((n, h))
    cashable = np.zeros((n, h))
    effects = {}
    for name, values in b.effects.items():
        e = np.zeros((n, h))
        for t, ex in enumerate(values):
            e[:, t] = _full(eval_array(ex, env), n)
        effects[name] = e
    participant_effects: dict[str, np.ndarray] = {}
    for pd in paid:
        for name, counts in pd.effects.items():
            effects[name][:, : counts.shape[1]] += counts
            if name in participant_effects:
                participant_effects[name] = participant_effects[name] + counts
            else:
                participant_effects[name] = counts
    for item in b.cost_items:
        eff = effects[item.driver]
        u = np.zeros((n, h))
        for k, ex in enumerate(item.units):
            if k >= h:
                break
            u[:, k:] += eff[:, : h - k] * _full(eval_array(ex, env), n)[:, None]
        amount = _round_ore_arr(u * _full(eval_array(item.unit_cost, env), n)[:, None])
        avoided += amount
        cashable += _round_ore_arr(amount * float(item.cashable_share))
    own = np.zeros((n, h))
    for t, ex in enumerate(b.own_costs):
        own[:, t] = _round_ore_arr(_full(eval_array(ex, env), n))
    factors = [float(f) for f in _discount_factors(b)]

    def pv(amounts: np.ndarray) -> np.ndarray:
        # an explicit sum over periods (not a BLAS product) so that each row's value does not
        # depend on how many rows are computed together
        total = np.zeros(n)
        for t, f in enumerate(factors):
            total += amounts[:, t] * f
        return _round_ore_arr(total)

    pv_a, pv_c, pv_p, pv_o = pv(avoided), pv(cashable), pv(pay_h), pv(own)
    out = {
        "payments": payments,
        "total_payments": payments.sum(axis=1),
        "pv_payments": pv_p,
        "pv_costs_avoided": pv_a,
        "npv": pv_a - pv_p - pv_o,
        "npv_cashable": pv_c - pv_p - pv_o,
        "cap_hit": cap_hit,
        "participant_effects": participant_effects,
    }
    if case.financing is not None:
        w = fin.waterfall_draws(case.financing, payments)
        irr = np.where((w.fund_receipts == 0) & (w.drawn.sum() > 0), -1.0, w.irr_annual)
        out.update(
            fund_irr_annual=irr,
            fund_multiple=w.money_multiple,
            fund_repaid=w.repaid_in_full,
            fund_loss=w.loss,
            fund_receipts=w.fund_receipts,
            provider_net=w.provider_net,
        )
    return out


# note: every step of ``evaluate`` works row by row (no BLAS products across rows), so a scenario's
# numbers do not depend on the other rows; this keeps Monte Carlo results independent of chunking.


def _break_even(case: Input) -> BreakEvenResult:
    spec = case.break_even
    assert spec is not None  # only called when break_even is asked for
    d = case.inputs[spec.input]
    lo = d.quantile(0.01) if spec.low is None else spec.low
    hi = d.quantile(0.99) if spec.high is None else spec.high
    if hi < lo:
        raise _err("break_even.high", "must be ≥ low")
    med = _medians(case)

    def npv_at(xs: np.ndarray) -> np.ndarray:
        n = len(xs)
        env = {k: np.full(n, v) for k, v in med.items()}
        env[spec.input] = xs
        return evaluate(case, env, n)["npv"]

    grid = np.linspace(lo, hi, 101)
    v = npv_at(grid)
    value = None
    sign = np.sign(v)
    zero = np.nonzero(sign == 0)[0]
    cross = np.nonzero(sign[:-1] * sign[1:] < 0)[0]
    if len(zero) and (not len(cross) or zero[0] <= cross[0]):
        value = float(grid[zero[0]])
    elif len(cross):
        a, b = grid[cross[0]], grid[cross[0] + 1]
        for _ in range(6):  # each round narrows the bracket 100-fold
            g = np.linspace(a, b, 101)
            gv = npv_at(g)
            s = np.sign(gv)
            z = np.nonzero(s == 0)[0]
            c = np.nonzero(s[:-1] * s[1:] < 0)[0]
            if len(z) and (not len(c) or z[0] <= c[0]):
                a = b = g[z[0]]
                break
            if not len(c):
                break
            a, b = g[c[0]], g[c[0] + 1]
        value = float(0.5 * (a + b))
    return BreakEvenResult(
        input=spec.input,
        value=value,
        low=lo,
        high=hi,
        npv_at_low=round_ore(float(v[0])),
        npv_at_high=round_ore(float(v[-1])),
    )


@overload
def _percentiles(x: np.ndarray, money: Literal[True]) -> Percentiles | None: ...
@overload
def _percentiles(x: np.ndarray, money: Literal[False]) -> RatioPercentiles | None: ...
def _percentiles(x: np.ndarray, money: bool) -> Percentiles | RatioPercentiles | None:
    x = x[np.isfinite(x)]
    if x.size == 0:
        return None
    qs = np.percentile(x, [5, 10, 25, 50, 75, 90, 95])
    names = [f"p{p}" for p in (5, 10, 25, 50, 75, 90, 95)]
    se = float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else 0.0
    if money:
        return Percentiles(
            **{k: round_ore(float(q)) for k, q in zip(names, qs, strict=True)},
            mean=round_ore(float(x.mean())),
            std_error=se,
        )
    return RatioPercentiles(
        **{k: float(q) for k, q in zip(names, qs, strict=True)},
        mean=float(x.mean()),
        std_error=se,
    )


def _histogram(x: np.ndarray, bins: int) -> Histogram:
    x = x[np.isfinite(x)]
    if x.size == 0:
        return Histogram(edges=[], counts=[])
    lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(x, bins=bins, range=(lo, hi))
    return Histogram(edges=[float(e) for e in edges], counts=[int(c) for c in counts])


def tornado(case: Input) -> list[TornadoBar]:
    """Each uncertain input from its P10 to its P90 with the others at their median, by NPV spread."""
    names = [k for k, d in case.inputs.items() if d.quantile(0.1) != d.quantile(0.9)]
    if not names:
        return []
    med = _medians(case)
    n = 2 * len(names)
    env = {k: np.full(n, v) for k, v in med.items()}
    lows, highs = {}, {}
    for j, name in enumerate(names):
        d = case.inputs[name]
        lows[name], highs[name] = d.quantile(0.1), d.quantile(0.9)
        env[name] = env[name].copy()
        env[name][2 * j] = lows[name]
        env[name][2 * j + 1] = highs[name]
    npv = evaluate(case, env, n)["npv"]
    bars = []
    for j, name in enumerate(names):
        a, b = round_ore(float(npv[2 * j])), round_ore(float(npv[2 * j + 1]))
        bars.append(
            TornadoBar(
                input=name,
                low_value=lows[name],
                high_value=highs[name],
                npv_at_low=a,
                npv_at_high=b,
                spread=abs(b - a),
            )
        )
    bars.sort(key=lambda bar: (-bar.spread, bar.input))
    return bars


def simulate_draws(
    case: Input,
    draws: int,
    seed: int = 0,
    chunk_size: int = 65_536,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[str, np.ndarray]:
    """Per-draw results of the Monte Carlo (arrays of length ``draws``), computed chunk by chunk.

    The same seed gives the same numbers whatever the chunk size (draw *i* always uses the same
    random numbers, see :mod:`insats.core.distributions`). ``on_progress(done, total)`` is called
    after each chunk.
    """
    names = list(case.inputs)
    dists = [case.inputs[k] for k in names]
    factor = dist.correlation_factor(names, case.correlations)
    chunk = max(dist.BLOCK, -(-chunk_size // dist.BLOCK) * dist.BLOCK)
    keys = ["total_payments", "npv", "npv_cashable", "cap_hit"]
    if case.financing is not None:
        keys += ["fund_irr_annual", "fund_multiple", "fund_repaid", "provider_net"]
    store: dict[str, np.ndarray] = {}
    for start in range(0, draws, chunk):
        stop = min(draws, start + chunk)
        x = dist.sample_draws(dists, seed, start, stop, factor)
        env = {k: x[:, j] for j, k in enumerate(names)}
        res = evaluate(case, env, stop - start, seed, start)
        for k in keys:
            if k not in store:
                store[k] = np.empty(draws, dtype=res[k].dtype)
            store[k][start:stop] = res[k]
        if on_progress is not None:
            on_progress(stop, draws)
    return store


def monte_carlo(case: Input, on_progress: Callable[[int, int], None] | None = None) -> MonteCarloResult:
    """Run the Monte Carlo described by ``case.monte_carlo`` and summarise it."""
    mc = case.monte_carlo or MonteCarlo()
    r = simulate_draws(case, mc.draws, mc.seed, mc.chunk_size, on_progress)
    has_fin = case.financing is not None
    hist = {
        "commissioner_npv": _histogram(r["npv"], mc.histogram_bins),
        "total_payments": _histogram(r["total_payments"], mc.histogram_bins),
    }
    if has_fin:
        hist["fund_irr_annual"] = _histogram(r["fund_irr_annual"], mc.histogram_bins)
    return MonteCarloResult(
        draws=mc.draws,
        seed=mc.seed,
        # _percentiles gives None only when no draw is finite (e.g. an input expression divides by
        # zero in every draw); these fields are required, so MonteCarloResult's own validation
        # rejects that None, as it always has. The casts leave that check to pydantic.
        total_payments=cast(Percentiles, _percentiles(r["total_payments"], True)),
        commissioner_npv=cast(Percentiles, _percentiles(r["npv"], True)),
        commissioner_npv_cashable=cast(Percentiles, _percentiles(r["npv_cashable"], True)),
        fund_irr_annual=_percentiles(r["fund_irr_annual"], False) if has_fin else None,
        fund_multiple=_percentiles(r["fund_multiple"], False) if has_fin else None,
        provider_net=_percentiles(r["provider_net"], True) if has_fin else None,
        probability_commissioner_saves=float(np.mean(r["npv"] > 0)),
        probability_commissioner_saves_cashable=float(np.mean(r["npv_cashable"] > 0)),
        probability_fund_repaid=float(np.mean(r["fund_repaid"])) if has_fin else None,
        probability_cap_hit=float(np.mean(r["cap_hit"])),
        share_irr_undefined=float(np.mean(~np.isfinite(r["fund_irr_annual"]))) if has_fin else None,
        tornado=tornado(case),
        histograms=hist,
    )


def simulate(case: Input, on_progress: Callable[[int, int], None] | None = None) -> Output:
    """Deterministic result (inputs at their medians) and, if asked, the Monte Carlo."""
    det = deterministic(case)
    mc = monte_carlo(case, on_progress) if case.monte_carlo is not None else None
    return Output(deterministic=det, monte_carlo=mc)


def run(data: dict[str, Any]) -> dict[str, Any]:
    """``python -m insats.core simulate FILE``: ``Input`` JSON in, ``Output`` JSON out."""
    return simulate(Input.model_validate(data)).model_dump(mode="json")
