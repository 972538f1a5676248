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
from decimal import Decimal
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from insats.core import distributions as dist
from insats.core import financing as fin
from insats.core.money import round_ore, to_decimal

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
        (op, args), = value.items()
        if op not in _OPS:
            raise ValueError(f"{where}: unknown operation {op!r} (use one of {', '.join(_OPS)})")
        if not isinstance(args, list) or not args:
            raise ValueError(f"{where}.{op}: needs a non-empty list of expressions")
        if op in ("sub", "div") and len(args) != 2:
            raise ValueError(f"{where}.{op}: needs exactly two expressions")
        return {op: [_parse_expr(a, f"{where}.{op}.{i}") for i, a in enumerate(args)]}
    raise ValueError(f"{where}: a number, an input name or an operation")


_EXPR_SCHEMA = {
    "description": "A number, an input name, or {op: [expr, ...]} with op one of add, sub, mul, div, min, max.",
    "anyOf": [{"type": "number"}, {"type": "string"}, {"type": "object"}],
}
Expr = Annotated[Any, BeforeValidator(_parse_expr), WithJsonSchema(_EXPR_SCHEMA)]


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
    (op, args), = expr.items()
    vals = [eval_decimal(a, env) for a in args]
    return _apply(op, vals)


def eval_array(expr: Any, env: dict[str, np.ndarray]) -> np.ndarray | float:
    """Evaluate with float arrays (one value per draw)."""
    if isinstance(expr, Decimal):
        return float(expr)
    if isinstance(expr, str):
        return env[expr]
    (op, args), = expr.items()
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


def _apply(op: str, vals: list) -> Any:
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
        description="Outcome payments per period, SEK, when no contract is given (with a contract they are computed).",
    )
    payments_follow_effect: bool = Field(
        default=True,
        description="For break-even without a contract: do outcome payments scale with the effect (true) or stay fixed?",
    )

    @model_validator(mode="after")
    def _check(self):
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


def _err(field: str, message: str) -> ValueError:
    exc = ValueError(f"{field}: {message}")
    exc.field = field  # type: ignore[attr-defined]
    return exc


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
    return list(values) + [Decimal(0)] * (n - len(values))


def budget_impact(
    budget: Budget, env: dict[str, Decimal] | None = None, payments: list[Decimal] | None = None
) -> BudgetResult:
    """Exact budget impact (Decimal). ``env`` gives each input's value; ``payments`` overrides
    ``budget.outcome_payments`` (a business case passes the contract's payments)."""
    env = env or {}
    h = budget.horizon
    effects = {k: _pad([eval_decimal(e, env) for e in v], h) for k, v in budget.effects.items()}
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
        else {k: round_ore(sum(v, Decimal(0)) * to_decimal(scale)) for k, v in effects.items()},
    )
