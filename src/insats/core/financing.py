"""Outcome fund financing: drawdowns, the repayment waterfall, losses, IRR and money multiple.

The fund (utfallsfonden) pre-finances the provider's costs, up to its commitment. The commissioner
pays the provider only for measured outcomes; the provider passes each outcome payment through a
*waterfall*:

1. **principal** — repay what the fund has drawn and not yet been repaid;
2. **return** — the fund's return, either
   - ``fixed_rate``: simple interest at ``annual_rate / periods_per_year`` per period on the
     principal outstanding during the period (after that period's drawdown); unpaid return is
     carried forward but does not itself earn interest, or
   - ``capped_multiple``: up to ``(multiple_cap − 1) × drawn so far`` in total;
3. **surplus** — whatever is left is split between fund and provider by ``fund_surplus_share``.

Timing: the drawdown of period *t* happens at its start (time *t − 1*), the outcome payment at its
end (time *t*). Principal still outstanding after the last period is the fund's **loss** (the
financing is non-recourse: the provider does not repay it from other money).

**Investors, tranches and guarantees** (optional, ``terms.tranches`` and ``terms.guarantees``):

- each *tranche* (an investor or a class of investors) puts in its ``share`` of every drawdown;
  principal is repaid by ``rank`` — rank 1 (senior) first, then rank 2, …; tranches of the same
  rank are repaid pro rata to what each has outstanding. The most junior rank therefore bears
  the first loss, the next the second loss. Return and the fund's surplus share are split between
  the tranches by ``share`` (they only flow once all principal outstanding is repaid);
- each *guarantee* (e.g. a foundation) pays, after the last period, ``share`` of the loss of the
  tranches it ``covers`` beyond its ``attachment`` (the loss the investors keep first), at most its
  ``cap``; guarantees apply in the order listed, each on the loss the ones before it left. The
  payment is split between the covered tranches in proportion to their remaining loss.

Guarantee payments are **not outcome payments**: they are reported apart (``loss_cover``) and the
fund-level figures above (receipts, multiple, IRR, loss) are those of the outcome payments alone.
Without tranches and guarantees nothing changes.

Two engines that agree to the öre:

- :func:`waterfall` — exact, ``Decimal``, one scenario, a full ledger;
- :func:`waterfall_draws` — vectorised NumPy for Monte Carlo, integer öre arithmetic so it gives
  the same öre as the exact engine for the same (öre-rounded) payments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, Self, overload

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from insats.core.bounds import BoundedInput
from insats.core.currency import DEFAULT as DEFAULT_CURRENCY
from insats.core.currency import Currency
from insats.core.money import ORE, allocate, round_ore

#: largest amount (SEK) accepted for the commitment and for single payments: keeps the integer
#: öre arithmetic of the vectorised engine far from 64-bit overflow.
MAX_AMOUNT = Decimal("10000000000")  # 10 billion SEK
#: decimals allowed in rates, shares and multiples (exact rational arithmetic in the vector engine)
MAX_DECIMALS = 6

_INT_LIMIT = 2**62


def _max_decimals(value: Decimal, info_name: str) -> Decimal:
    exp = value.normalize().as_tuple().exponent
    if isinstance(exp, int) and -exp > MAX_DECIMALS:
        raise ValueError(f"{info_name} may have at most {MAX_DECIMALS} decimals")
    return value


class Tranche(BaseModel):
    """An investor (or a class of investors) in the fund, with its place in the repayment order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100, description="The investor's or tranche's name.")
    share: Decimal = Field(
        gt=0, le=1, description="Its share of every drawdown (0.8 = 80 %); the shares sum to 1."
    )
    rank: int = Field(
        default=1,
        ge=1,
        le=10,
        description="Repayment order of principal: 1 = senior (repaid first), 2 = junior (bears "
        "losses first), …; equal ranks are repaid pro rata (pari passu).",
    )

    @field_validator("share")
    @classmethod
    def _share(cls, v: Decimal) -> Decimal:
        return _max_decimals(v, "share")


class Guarantee(BaseModel):
    """A guarantor (e.g. a foundation) covering part of the investors' loss."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100, description="The guarantor's name.")
    share: Decimal = Field(
        default=Decimal(1), gt=0, le=1, description="Share of the covered loss it pays (1 = all of it)."
    )
    cap: Decimal | None = Field(
        default=None, ge=0, le=MAX_AMOUNT, description="The most it pays in total; none = no cap."
    )
    attachment: Decimal = Field(
        default=Decimal(0),
        ge=0,
        le=MAX_AMOUNT,
        description="Loss the covered investors bear themselves before the guarantee pays (0 = "
        "from the first krona: first-loss cover; an amount = second-loss cover).",
    )
    covers: list[str] | None = Field(
        default=None, description="Names of the tranches it covers; none = all of them."
    )

    @field_validator("share")
    @classmethod
    def _share(cls, v: Decimal) -> Decimal:
        return _max_decimals(v, "share")

    @field_validator("cap", "attachment")
    @classmethod
    def _amounts(cls, v: Decimal | None) -> Decimal | None:
        return None if v is None else round_ore(v)


#: the tranche assumed when only guarantees are given
FUND_TRANCHE = "fund"


class FinancingTerms(BaseModel):
    """What the fund and the provider agreed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    commitment: Decimal = Field(ge=0, le=MAX_AMOUNT, description="The fund's maximum total financing, SEK.")
    provider_costs: list[Decimal] = Field(
        min_length=1,
        description=(
            "The provider's costs per period, SEK. The fund finances them in order until its "
            "commitment is used up; the rest the provider carries itself."
        ),
    )
    periods_per_year: Literal[1, 2, 4, 12] = Field(
        default=1, description="Periods per year: 1 (years), 2 (half-years), 4 (quarters), 12 (months)."
    )
    return_basis: Literal["fixed_rate", "capped_multiple"] = Field(
        description="How the fund's return is set: a fixed annual rate, or a capped multiple of the "
        "drawn amount."
    )
    annual_rate: Decimal | None = Field(
        default=None,
        ge=0,
        le=1,
        description="For fixed_rate: annual simple interest on outstanding principal (0.06 = 6 %).",
    )
    multiple_cap: Decimal | None = Field(
        default=None,
        ge=1,
        le=100,
        description="For capped_multiple: the most the fund gets back before the surplus split, as a "
        "multiple of the amount drawn (1.3 = principal + 30 %).",
    )
    fund_surplus_share: Decimal = Field(
        ge=0, le=1, description="The fund's share of any surplus after principal and return (0.5 = half)."
    )
    tranches: list[Tranche] | None = Field(
        default=None,
        max_length=20,
        description="The investors in the fund and their repayment order; none = one investor, the fund.",
    )
    guarantees: list[Guarantee] | None = Field(
        default=None,
        max_length=20,
        description="Guarantees of the investors' loss, applied in this order after the last period.",
    )

    @field_validator("provider_costs")
    @classmethod
    def _costs(cls, v: list[Decimal]) -> list[Decimal]:
        for i, c in enumerate(v):
            if c < 0:
                raise ValueError(f"provider_costs[{i}] must not be negative")
            if c > MAX_AMOUNT:
                raise ValueError(f"provider_costs[{i}] exceeds {MAX_AMOUNT} SEK")
        return [round_ore(c) for c in v]

    @field_validator("annual_rate", "multiple_cap", "fund_surplus_share")
    @classmethod
    def _decimals(cls, v: Decimal | None, info: ValidationInfo) -> Decimal | None:
        # a field validator always runs for a named field, so field_name is set
        assert info.field_name is not None
        return None if v is None else _max_decimals(v, info.field_name)

    @field_validator("commitment")
    @classmethod
    def _commitment(cls, v: Decimal) -> Decimal:
        return round_ore(v)

    @model_validator(mode="after")
    def _basis(self) -> Self:
        if self.return_basis == "fixed_rate" and self.annual_rate is None:
            raise ValueError("annual_rate is required when return_basis is fixed_rate")
        if self.return_basis == "capped_multiple" and self.multiple_cap is None:
            raise ValueError("multiple_cap is required when return_basis is capped_multiple")
        if self.tranches is not None:
            if not self.tranches:
                raise ValueError("tranches: give at least one tranche, or leave tranches out")
            names = [t.name for t in self.tranches]
            if len(set(names)) != len(names):
                raise ValueError("tranches: each tranche needs its own name")
            if sum(t.share for t in self.tranches) != 1:
                raise ValueError("tranches: the shares must sum to exactly 1")
        known = set(self.tranche_names())
        for i, g in enumerate(self.guarantees or []):
            for name in g.covers or []:
                if name not in known:
                    raise ValueError(f"guarantees[{i}].covers: no tranche is called {name!r}")
            if g.covers is not None and not g.covers:
                raise ValueError(f"guarantees[{i}].covers: name at least one tranche, or leave it out")
        return self

    def has_loss_cover(self) -> bool:
        """True when tranches or guarantees are given."""
        return self.tranches is not None or self.guarantees is not None

    def investor_tranches(self) -> list[Tranche]:
        """The tranches, or the fund alone when none are given."""
        return (
            list(self.tranches)
            if self.tranches is not None
            else [Tranche(name=FUND_TRANCHE, share=Decimal(1))]
        )

    def tranche_names(self) -> list[str]:
        return [t.name for t in self.investor_tranches()]

    def drawdowns(self) -> list[Decimal]:
        """Drawn per period: each period's cost, until the commitment is used up."""
        left = self.commitment
        out = []
        for c in self.provider_costs:
            d = min(c, left)
            out.append(d)
            left -= d
        return out


class LedgerRow(BaseModel):
    period: int = Field(description="Period number, 1 = first.")
    drawn: Decimal = Field(description="Drawn from the fund at the start of the period, SEK.")
    outstanding_start: Decimal = Field(description="Principal outstanding after this period's drawdown, SEK.")
    return_due: Decimal = Field(description="Return owed to the fund before this period's payment, SEK.")
    payments_in: Decimal = Field(description="Outcome payments received in the period, SEK.")
    to_principal: Decimal = Field(description="Of which repaid principal, SEK.")
    to_return: Decimal = Field(description="Of which return to the fund, SEK.")
    surplus_to_fund: Decimal = Field(description="Of which the fund's surplus share, SEK.")
    surplus_to_provider: Decimal = Field(description="Of which the provider's surplus share, SEK.")
    outstanding_end: Decimal = Field(description="Principal still outstanding at the end of the period, SEK.")
    fund_cashflow: Decimal = Field(
        description="Fund's net cash flow at the end of the period: receipts minus next period's "
        "drawdown, SEK."
    )


class TrancheResult(BaseModel):
    """What one tranche (investor) put in, got back and lost."""

    name: str = Field(description="The tranche's name.")
    rank: int = Field(description="Its repayment rank (1 = senior).")
    share: Decimal = Field(description="Its share of every drawdown.")
    drawn: Decimal = Field(description="What it put in (its share of the drawdowns).")
    principal_repaid: Decimal = Field(description="Principal repaid to it from outcome payments.")
    principal_by_period: list[Decimal] = Field(description="The same, per period.")
    return_received: Decimal = Field(description="Its part of the fund's return.")
    surplus_received: Decimal = Field(description="Its part of the fund's surplus share.")
    receipts: Decimal = Field(description="Everything it got from outcome payments.")
    loss: Decimal = Field(description="Principal never repaid from outcome payments (before guarantees).")
    guarantee_received: Decimal = Field(description="Guarantee payments to it (not outcome payments).")
    loss_borne: Decimal = Field(description="The loss it bears itself: loss − guarantee_received.")
    money_multiple_with_guarantees: float | None = Field(
        description="(receipts + guarantee_received) ÷ drawn; None when it drew nothing."
    )


class GuaranteeResult(BaseModel):
    """What one guarantor paid, and to whom."""

    name: str = Field(description="The guarantor's name.")
    covered_loss: Decimal = Field(
        description="Loss of the tranches it covers still uncovered when it was applied (before "
        "its attachment)."
    )
    paid: Decimal = Field(description="What it paid in total (never more than its cap).")
    cap: Decimal | None = Field(description="Its cap, if any.")
    by_tranche: dict[str, Decimal] = Field(description="Its payment per covered tranche.")


class LossCover(BaseModel):
    """Who bore which loss: the tranches and the guarantees. Guarantee payments are not outcome
    payments: the fund-level figures of :class:`Output` leave them out."""

    tranches: list[TrancheResult] = Field(description="One row per tranche (investor).")
    guarantees: list[GuaranteeResult] = Field(description="One row per guarantee, in order.")
    guarantee_payments: Decimal = Field(description="All guarantee payments together.")
    loss_borne: Decimal = Field(description="The loss the investors bear after the guarantees.")
    investor_receipts_with_guarantees: Decimal = Field(
        description="What the investors got from outcome payments plus guarantee payments."
    )


class Output(BaseModel):
    currency: str = Field(default=DEFAULT_CURRENCY, description="ISO 4217 code of every amount.")
    ledger: list[LedgerRow] = Field(description="One row per period.")
    total_drawn: Decimal = Field(description="Total drawn from the fund, SEK.")
    total_payments: Decimal = Field(description="Total outcome payments received, SEK.")
    total_to_principal: Decimal = Field(description="Total principal repaid, SEK.")
    total_to_return: Decimal = Field(description="Total return paid to the fund, SEK.")
    total_surplus_to_fund: Decimal = Field(description="Total surplus to the fund, SEK.")
    total_surplus_to_provider: Decimal = Field(description="Total surplus to the provider, SEK.")
    fund_receipts: Decimal = Field(
        description="Everything the fund got back (principal + return + surplus), SEK."
    )
    loss: Decimal = Field(description="Principal never repaid: the fund's loss, SEK.")
    unpaid_return: Decimal = Field(
        description="fixed_rate: return accrued but never paid; capped_multiple: how far below the cap "
        "the return stayed, SEK."
    )
    repaid_in_full: bool = Field(description="True when all principal was repaid.")
    money_multiple: float | None = Field(
        description="Fund receipts ÷ amount drawn; None when nothing was drawn."
    )
    irr_periodic: float | None = Field(
        description="Fund's internal rate of return per period; None when undefined."
    )
    irr_annual: float | None = Field(description="The same, annualised: (1 + periodic)^periods_per_year − 1.")
    fund_cashflows: list[Decimal] = Field(
        description="The fund's net cash flows at times 0..n (drawdowns negative, receipts positive), SEK."
    )
    provider_costs: Decimal = Field(description="The provider's total costs, SEK.")
    provider_unfinanced_costs: Decimal = Field(
        description="Costs beyond the commitment, carried by the provider, SEK."
    )
    provider_net: Decimal = Field(description="Provider's surplus share minus its unfinanced costs, SEK.")
    loss_cover: LossCover | None = Field(
        default=None, description="Per tranche and guarantee, when the terms give tranches or guarantees."
    )


@dataclass(frozen=True)
class LedgerSplit:
    """A waterfall split into what has happened and what is still a plan."""

    drawn: Decimal  # drawn in the periods that have begun
    planned_draws: Decimal  # drawdowns of the periods not yet begun
    outstanding: Decimal  # principal outstanding after the last period begun (0 if none has)


def split_ledger(output: Output, started: Iterable[int]) -> LedgerSplit:
    """``output``'s ledger split at the periods in ``started`` (1-based numbers that have begun).

    The caller decides which periods have begun (it knows the calendar); the sums are made here."""
    begun = set(started)
    done = [r for r in output.ledger if r.period in begun]
    drawn = sum((r.drawn for r in done), Decimal(0))
    planned = sum((r.drawn for r in output.ledger if r.period not in begun), Decimal(0))
    return LedgerSplit(drawn, planned, done[-1].outstanding_end if done else Decimal(0))


class Input(BoundedInput):
    """JSON form of the ``financing`` command."""

    model_config = ConfigDict(extra="forbid")

    currency: Currency = DEFAULT_CURRENCY
    terms: FinancingTerms = Field(description="The financing terms.")
    payments: list[Decimal] = Field(description="Outcome payments received per period, SEK.")

    @field_validator("payments")
    @classmethod
    def _payments(cls, v: list[Decimal]) -> list[Decimal]:
        for i, p in enumerate(v):
            if p < 0:
                raise ValueError(f"payments[{i}] must not be negative")
            if p > MAX_AMOUNT:
                raise ValueError(f"payments[{i}] exceeds {MAX_AMOUNT} SEK")
        return v


# --------------------------------------------------------------------------------------------------
# exact engine


def waterfall(terms: FinancingTerms, payments_by_period: list[Decimal]) -> Output:
    """Run the repayment waterfall exactly, in Decimal öre."""
    payments = [round_ore(p) for p in payments_by_period]
    for i, p in enumerate(payments):
        if p < 0:
            raise ValueError(f"payments[{i}] must not be negative")
    draws = terms.drawdowns()
    n = max(len(draws), len(payments))
    draws = draws + [Decimal("0.00")] * (n - len(draws))
    payments = payments + [Decimal("0.00")] * (n - len(payments))
    zero = Decimal("0.00")

    fixed = terms.return_basis == "fixed_rate"
    # FinancingTerms._basis guarantees the parameter of the chosen basis is present
    rate = terms.annual_rate if fixed else None
    cap = terms.multiple_cap if not fixed else None
    outstanding = zero
    cum_drawn = zero
    return_accrued = zero  # fixed rate: total return accrued so far
    return_paid = zero
    rows: list[LedgerRow] = []
    receipts: list[Decimal] = []
    for t in range(n):
        outstanding += draws[t]
        cum_drawn += draws[t]
        if rate is not None:
            # multiply before dividing so an exact half öre stays exact
            return_accrued += round_ore(outstanding * rate / terms.periods_per_year)
            due = return_accrued - return_paid
        else:
            assert cap is not None
            due = round_ore((cap - 1) * cum_drawn) - return_paid
        p = payments[t]
        principal = min(p, outstanding)
        rest = p - principal
        to_ret = min(rest, due)
        rest -= to_ret
        if rest > 0:
            s_fund, s_prov = allocate(rest, [terms.fund_surplus_share, 1 - terms.fund_surplus_share])
        else:
            s_fund, s_prov = zero, zero
        start = outstanding
        outstanding -= principal
        return_paid += to_ret
        receipts.append(principal + to_ret + s_fund)
        rows.append(
            LedgerRow(
                period=t + 1,
                drawn=draws[t],
                outstanding_start=start,
                return_due=due,
                payments_in=p,
                to_principal=principal,
                to_return=to_ret,
                surplus_to_fund=s_fund,
                surplus_to_provider=s_prov,
                outstanding_end=outstanding,
                fund_cashflow=zero,
            )
        )
    flows = [-draws[0]] + [receipts[t] - (draws[t + 1] if t + 1 < n else zero) for t in range(n)]
    for t, row in enumerate(rows):
        rows[t] = row.model_copy(update={"fund_cashflow": flows[t + 1]})
    total_drawn = sum(draws, zero)
    fund_receipts = sum(receipts, zero)
    if rate is not None:
        unpaid = return_accrued - return_paid
    else:
        assert cap is not None
        unpaid = round_ore((cap - 1) * total_drawn) - return_paid
    r = irr([float(f) for f in flows])
    cover = None
    if terms.has_loss_cover():
        cover = _loss_cover(
            terms,
            [_ore(d) for d in draws],
            [_ore(row.to_principal) for row in rows],
            [_ore(row.to_return) for row in rows],
            [_ore(row.surplus_to_fund) for row in rows],
        )
    costs = sum(terms.provider_costs, zero)
    surplus_prov = sum((row.surplus_to_provider for row in rows), zero)
    return Output(
        ledger=rows,
        total_drawn=total_drawn,
        total_payments=sum(payments, zero),
        total_to_principal=sum((row.to_principal for row in rows), zero),
        total_to_return=return_paid,
        total_surplus_to_fund=sum((row.surplus_to_fund for row in rows), zero),
        total_surplus_to_provider=surplus_prov,
        fund_receipts=fund_receipts,
        loss=outstanding,
        unpaid_return=unpaid,
        repaid_in_full=outstanding == 0,
        money_multiple=float(fund_receipts / total_drawn) if total_drawn > 0 else None,
        irr_periodic=r,
        irr_annual=None if r is None else annualise(r, terms.periods_per_year),
        fund_cashflows=flows,
        provider_costs=costs,
        provider_unfinanced_costs=costs - total_drawn,
        provider_net=surplus_prov - (costs - total_drawn),
        loss_cover=cover,
    )


# --------------------------------------------------------------------------------------------------
# tranches and guarantees (integer öre; the vectorised engine mirrors these rules)


def _ore(amount: Decimal) -> int:
    return int(amount / ORE)


def _sek(ore: int) -> Decimal:
    return Decimal(ore) * ORE


def _micro(share: Decimal) -> int:
    """A share with at most MAX_DECIMALS decimals as an integer number of millionths."""
    return int(share * 10**MAX_DECIMALS)


def split_ore(amount: int, weights: list[int]) -> list[int]:
    """Split ``amount`` öre (≥ 0) in proportion to ``weights`` (≥ 0) by largest remainder, ties to
    the earliest part; all zeros when the amount or the weights are zero. No part exceeds its
    weight when the amount does not exceed the weights' sum."""
    total = sum(weights)
    if amount == 0 or total == 0:
        return [0] * len(weights)
    raw = [amount * w for w in weights]
    parts = [r // total for r in raw]
    rems = [r % total for r in raw]
    left = amount - sum(parts)
    for i in sorted(range(len(weights)), key=lambda i: (-rems[i], i))[:left]:
        parts[i] += 1
    return parts


def _half_up_share(amount: int, share: Decimal) -> int:
    """``amount × share`` rounded half-up to the öre (amount ≥ 0)."""
    p, q = _ratio(share)
    return (2 * amount * p + q) // (2 * q)


def _rank_groups(tranches: list[Tranche]) -> list[list[int]]:
    ranks = sorted({t.rank for t in tranches})
    return [[i for i, t in enumerate(tranches) if t.rank == r] for r in ranks]


def tranche_draws_ore(terms: FinancingTerms) -> list[list[int]]:
    """Each period's drawdown split between the tranches by share: [period][tranche] in öre."""
    weights = [_micro(t.share) for t in terms.investor_tranches()]
    return [split_ore(_ore(d), weights) for d in terms.drawdowns()]


def guarantee_ore(
    terms: FinancingTerms, losses: list[int]
) -> tuple[list[int], list[tuple[int, int, list[int]]]]:
    """Apply the guarantees in order to the tranches' ``losses`` (öre). Returns the loss left to
    each tranche and, per guarantee, (covered loss, paid, paid per tranche)."""
    names = terms.tranche_names()
    left = list(losses)
    out = []
    for g in terms.guarantees or []:
        idx = [names.index(n) for n in g.covers] if g.covers is not None else list(range(len(names)))
        covered = sum(left[i] for i in idx)
        exposed = max(0, covered - _ore(g.attachment))
        pay = min(_half_up_share(exposed, g.share), exposed)
        if g.cap is not None:
            pay = min(pay, _ore(g.cap))
        parts = split_ore(pay, [left[i] for i in idx])
        per = [0] * len(names)
        for i, part in zip(idx, parts, strict=True):
            per[i] = part
            left[i] -= part
        out.append((covered, pay, per))
    return left, out


def _loss_cover(
    terms: FinancingTerms, draws: list[int], principal: list[int], ret: list[int], surplus: list[int]
) -> LossCover:
    tranches = terms.investor_tranches()
    k = len(tranches)
    weights = [_micro(t.share) for t in tranches]
    groups = _rank_groups(tranches)
    t_draws = tranche_draws_ore(terms) + [[0] * k] * (len(draws) - len(terms.drawdowns()))
    outstanding = [0] * k
    drawn = [0] * k
    repaid = [[0] * len(draws) for _ in range(k)]
    got_ret = [0] * k
    got_sur = [0] * k
    for t in range(len(draws)):
        for i in range(k):
            outstanding[i] += t_draws[t][i]
            drawn[i] += t_draws[t][i]
        left = principal[t]
        for idx in groups:
            owed = [outstanding[i] for i in idx]
            amount = min(left, sum(owed))
            for i, part in zip(idx, split_ore(amount, owed), strict=True):
                outstanding[i] -= part
                repaid[i][t] += part
            left -= amount
        for i, part in enumerate(split_ore(ret[t], weights)):
            got_ret[i] += part
        for i, part in enumerate(split_ore(surplus[t], weights)):
            got_sur[i] += part
    borne, applied = guarantee_ore(terms, outstanding)
    rows = []
    for i, tr in enumerate(tranches):
        receipts = sum(repaid[i]) + got_ret[i] + got_sur[i]
        guaranteed = outstanding[i] - borne[i]
        rows.append(
            TrancheResult(
                name=tr.name,
                rank=tr.rank,
                share=tr.share,
                drawn=_sek(drawn[i]),
                principal_repaid=_sek(sum(repaid[i])),
                principal_by_period=[_sek(x) for x in repaid[i]],
                return_received=_sek(got_ret[i]),
                surplus_received=_sek(got_sur[i]),
                receipts=_sek(receipts),
                loss=_sek(outstanding[i]),
                guarantee_received=_sek(guaranteed),
                loss_borne=_sek(borne[i]),
                money_multiple_with_guarantees=(receipts + guaranteed) / drawn[i] if drawn[i] else None,
            )
        )
    names = terms.tranche_names()
    guarantees = [
        GuaranteeResult(
            name=g.name,
            covered_loss=_sek(covered),
            paid=_sek(paid),
            cap=g.cap,
            by_tranche={names[i]: _sek(per[i]) for i in range(k) if g.covers is None or names[i] in g.covers},
        )
        for g, (covered, paid, per) in zip(terms.guarantees or [], applied, strict=True)
    ]
    total_guarantee = sum(paid for _c, paid, _p in applied)
    return LossCover(
        tranches=rows,
        guarantees=guarantees,
        guarantee_payments=_sek(total_guarantee),
        loss_borne=_sek(sum(borne)),
        investor_receipts_with_guarantees=_sek(sum(principal) + sum(ret) + sum(surplus) + total_guarantee),
    )


# --------------------------------------------------------------------------------------------------
# IRR

#: grid of per-period rates on which the sign of the NPV is inspected before the root is polished
IRR_GRID = np.array(
    [-0.99, -0.95, -0.9, -0.8, -0.7, -0.6, -0.5, -0.4, -0.3, -0.2, -0.15, -0.1, -0.05, -0.02, 0.0,
     0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0, 100.0]
)  # fmt: skip
_MAX_ITER = 200


def _horner(flows: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Σ c_k x^k and its derivative, row by row (flows (n, T), x (n,) or (n, G))."""
    extra = (slice(None),) + (None,) * (x.ndim - 1)
    f = np.broadcast_to(flows[:, -1][extra], x.shape).astype(float)
    df = np.zeros_like(f)
    for k in range(flows.shape[1] - 2, -1, -1):
        df = df * x + f
        f = f * x + flows[:, k][extra]
    return f, df


def _polish(
    f_rows: np.ndarray, lo: np.ndarray, hi: np.ndarray, s_lo: np.ndarray, x: np.ndarray
) -> np.ndarray:
    """Newton steps kept inside [lo, hi] (bisection when Newton would leave it), row by row; a row
    stops when its step is below 1e-14 relative, so its result never depends on other rows."""
    out = x.copy()
    idx = np.arange(x.size)  # rows still iterating (into the arguments)
    f_sub, lo, hi, s_lo, x = f_rows, lo.copy(), hi.copy(), s_lo, x.copy()
    for _ in range(_MAX_ITER):
        if idx.size == 0:
            break
        f, df = _horner(f_sub, x)
        same = np.sign(f) == s_lo
        lo = np.where(same, x, lo)
        hi = np.where(same, hi, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = x - f / df
        inside = np.isfinite(newton) & (newton > lo) & (newton < hi)
        nxt = np.where(inside, newton, 0.5 * (lo + hi))
        small = np.isfinite(newton) & (np.abs(newton - x) <= 1e-14 * x)
        done = (f == 0) | small | (hi - lo <= 1e-15 * x)
        x = np.where(f == 0, x, np.where(small, newton, nxt))
        if done.any():
            out[idx[done]] = x[done]
            keep = ~done
            idx, f_sub, lo, hi, s_lo, x = idx[keep], f_sub[keep], lo[keep], hi[keep], s_lo[keep], x[keep]
    if idx.size:
        out[idx] = x
    return out


#: Newton steps from the start of :func:`_start` before a row falls back to the bracketed search
NEWTON_STEPS = 7


def _start(flows: np.ndarray) -> np.ndarray:
    """A sensible first guess of the discount factor ``x = 1/(1 + r)`` for flows that change sign
    once: the rate that turns what goes out into what comes back over half the series,
    ``x₀ = (out/in)^(2/(T − 1))`` (1, i.e. 0 %, when either sum is zero)."""
    pos = np.maximum(flows, 0.0).sum(axis=1)
    total = flows.sum(axis=1)
    neg = pos - total
    with np.errstate(divide="ignore", invalid="ignore"):
        x0 = (neg / pos) ** (2.0 / max(flows.shape[1] - 1, 1))
    return np.where(np.isfinite(x0) & (x0 > 0), x0, 1.0)


def _newton(flows: np.ndarray, x: np.ndarray, x_lo: float, x_hi: float) -> tuple[np.ndarray, np.ndarray]:
    """:data:`NEWTON_STEPS` plain Newton steps on the NPV polynomial, all rows at once (each row on its
    own numbers). Returns the roots and which rows converged: the last step moved less than 1e-12
    relative and the root lies inside [x_lo, x_hi]."""
    step = np.full(x.shape, np.inf)
    cols = [np.ascontiguousarray(flows[:, k]) for k in range(flows.shape[1])]
    with np.errstate(all="ignore"):
        for _ in range(NEWTON_STEPS):
            f = cols[-1].copy()
            df = np.zeros_like(f)
            for c in cols[-2::-1]:
                df *= x
                df += f
                f *= x
                f += c
            step = f / df
            step[f == 0] = 0.0
            x = x - step
    converged = np.isfinite(x) & (np.abs(step) <= 1e-12 * np.abs(x)) & (x >= x_lo) & (x <= x_hi)
    return x, converged


def irr_many(flows: np.ndarray) -> np.ndarray:
    """Per-period IRR of each row of ``flows`` (shape (n_rows, n_times)); NaN where undefined.

    The NPV is a polynomial in the discount factor ``x = 1/(1 + r)``; rates are searched between
    −99 % and +10 000 % per period (``x`` from 1/101 to 100).

    - Flows that change sign exactly once have exactly one positive root (Descartes' rule); it is
      bracketed by the two ends of the range (NaN if it lies outside).
    - Flows that change sign more than once are inspected on :data:`IRR_GRID`: they have an IRR
      when the NPV is zero at exactly one grid point or changes sign across exactly one interval.
    - Flows that never change sign (nothing comes back, or nothing goes out) have none.

    A single sign change's root is found by :data:`NEWTON_STEPS` Newton steps from :func:`_start`
    (quadratic convergence: a start within a few per cent is exact to the last digit after four);
    only rows where Newton fails (diverges, leaves the range or has not settled) fall back to
    safeguarded Newton steps inside the bracket (bisection when Newton would leave it), as are the
    roots of several sign changes, until the root moves by less than 1e-14 relative. Each row is
    computed on its own, so the result does not depend on the other rows.
    """
    flows = np.atleast_2d(np.asarray(flows, dtype=float))
    n_rows, n_t = flows.shape
    out = np.full(n_rows, np.nan)
    if n_rows == 0 or n_t < 2:
        return out
    scale = np.abs(flows).sum(axis=1)
    tol = 1e-12 * np.where(scale > 0, scale, 1.0)
    # sign changes, ignoring zero flows
    signs = np.sign(flows).astype(np.int8)
    if np.all(signs != 0):
        changes = (signs[:, 1:] != signs[:, :-1]).sum(axis=1)
    else:
        changes = np.zeros(n_rows, dtype=np.int64)
        last = np.zeros(n_rows, dtype=np.int8)
        for k in range(n_t):
            s = signs[:, k]
            changes += (s != 0) & (last != 0) & (s != last)
            last = np.where(s != 0, s, last)
    x_lo, x_hi = 1.0 / (1.0 + IRR_GRID[-1]), 1.0 / (1.0 + IRR_GRID[0])

    one = np.nonzero(changes == 1)[0]
    if one.size:
        x, converged = _newton(flows[one], _start(flows[one]), x_lo, x_hi)
        out[one[converged]] = 1.0 / x[converged] - 1.0
        one = one[~converged]
    if one.size:  # Newton failed: check the bracket, then the safeguarded search inside it
        f1 = flows[one]
        v_lo, _ = _horner(f1, np.full(one.size, x_lo))
        v_hi, _ = _horner(f1, np.full(one.size, x_hi))
        z_lo, z_hi = np.abs(v_lo) <= tol[one], np.abs(v_hi) <= tol[one]
        out[one[z_lo]] = IRR_GRID[-1]
        out[one[z_hi & ~z_lo]] = IRR_GRID[0]
        ok = ~z_lo & ~z_hi & (np.sign(v_lo) != np.sign(v_hi))
        rows = one[ok]
        if rows.size:
            lo = np.full(rows.size, x_lo)
            hi = np.full(rows.size, x_hi)
            x = _polish(flows[rows], lo, hi, np.sign(v_lo[ok]), np.ones(rows.size))
            out[rows] = 1.0 / x - 1.0

    many = np.nonzero(changes > 1)[0]
    if many.size:
        fm = flows[many]
        xg = 1.0 / (1.0 + IRR_GRID)  # decreasing in r
        npv, _ = _horner(fm, np.broadcast_to(xg, (many.size, len(xg))))
        sgn = np.where(np.abs(npv) <= tol[many][:, None], 0, np.sign(npv)).astype(np.int8)
        zeros = sgn == 0
        crossings = (sgn[:, :-1] * sgn[:, 1:]) < 0
        n_roots = zeros.sum(axis=1) + crossings.sum(axis=1)
        single = n_roots == 1
        at_grid = single & zeros.any(axis=1)
        if at_grid.any():
            out[many[at_grid]] = IRR_GRID[np.argmax(zeros[at_grid], axis=1)]
        sel = np.nonzero(single & ~zeros.any(axis=1))[0]
        if sel.size:
            g = np.argmax(crossings[sel], axis=1)
            lo = xg[g + 1].copy()  # smaller x (higher rate)
            hi = xg[g].copy()
            s_lo = sgn[sel, g + 1].astype(float)
            x = _polish(fm[sel], lo, hi, s_lo, 0.5 * (lo + hi))
            out[many[sel]] = 1.0 / x - 1.0
    return out


@overload
def annualise(rate: float, periods_per_year: int) -> float: ...
@overload
def annualise(rate: np.ndarray, periods_per_year: int) -> np.ndarray: ...
def annualise(rate: float | np.ndarray, periods_per_year: int) -> float | np.ndarray:
    """(1 + periodic rate)^periods_per_year − 1 (the rate itself for yearly periods)."""
    return rate if periods_per_year == 1 else (1.0 + rate) ** periods_per_year - 1.0


def irr(flows: list[float]) -> float | None:
    """Per-period IRR of one series of cash flows at times 0, 1, …; None when undefined."""
    if not flows:
        return None
    r = float(irr_many(np.asarray([flows], dtype=float))[0])
    return None if np.isnan(r) else r


# --------------------------------------------------------------------------------------------------
# vectorised engine


@dataclass
class WaterfallDraws:
    """Waterfall results for many scenarios. Money arrays in SEK (float), shape (n_draws, n_periods)
    unless noted; they are exact öre values divided by 100."""

    drawn: np.ndarray  # (n_periods,)
    payments_in: np.ndarray
    to_principal: np.ndarray
    to_return: np.ndarray
    surplus_to_fund: np.ndarray
    surplus_to_provider: np.ndarray
    fund_receipts: np.ndarray  # (n_draws,)
    loss: np.ndarray  # (n_draws,)
    unpaid_return: np.ndarray  # (n_draws,)
    repaid_in_full: np.ndarray  # (n_draws,) bool
    money_multiple: np.ndarray  # (n_draws,), NaN when nothing drawn
    irr_periodic: np.ndarray  # (n_draws,), NaN when undefined
    irr_annual: np.ndarray  # (n_draws,)
    provider_net: np.ndarray  # (n_draws,)
    # with tranches or guarantees (FinancingTerms.has_loss_cover), else None:
    tranche_loss: np.ndarray | None = None  # (n_draws, n_tranches), before guarantees
    guarantee_paid: np.ndarray | None = None  # (n_draws, n_guarantees)
    loss_borne: np.ndarray | None = None  # (n_draws, n_tranches), after guarantees


_LOW = 20
_LOW_MASK = (1 << _LOW) - 1


def _muldiv(a: np.ndarray, w: np.ndarray, total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact ``divmod(a × w, total)`` in int64 for 0 ≤ a, w, total < 2^41 (total > 0): the
    product is split at 2^20 so no intermediate exceeds 2^62."""
    hi, lo = a >> _LOW, a & _LOW_MASK
    x = hi * w
    q1, r1 = x // total, x % total
    y = (r1 << _LOW) + lo * w
    return (q1 << _LOW) + y // total, y % total


def _split_rows(amount: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """:func:`split_ore` for every row: ``amount`` (n,), ``weights`` (n, m), integer öre."""
    total = weights.sum(axis=1)
    safe = np.where(total > 0, total, 1)
    amount = np.where(total > 0, amount, 0)
    parts, rems = _muldiv(amount[:, None], weights, safe[:, None])
    left = amount - parts.sum(axis=1)
    order = np.argsort(-rems, axis=1, kind="stable")  # largest remainder first, ties to the earliest
    position = np.argsort(order, axis=1, kind="stable")
    return parts + (position < left[:, None])


def _loss_cover_draws(
    terms: FinancingTerms, principal: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tranche losses, guarantee payments and losses borne (öre) for every row of ``principal``
    (n_draws, n_periods), by the rules of :func:`_loss_cover` and :func:`guarantee_ore`."""
    tranches = terms.investor_tranches()
    names = [t.name for t in tranches]
    n_draws, n = principal.shape
    draws = tranche_draws_ore(terms)
    outstanding = np.zeros((n_draws, len(tranches)), np.int64)
    groups = _rank_groups(tranches)
    for t in range(n):
        if t < len(draws):
            outstanding += np.asarray(draws[t], dtype=np.int64)[None, :]
        left = principal[:, t].copy()
        for idx in groups:
            owed = outstanding[:, idx]
            amount = np.minimum(left, owed.sum(axis=1))
            outstanding[:, idx] -= _split_rows(amount, owed)
            left -= amount
    loss = outstanding.copy()
    paid = np.zeros((n_draws, len(terms.guarantees or [])), np.int64)
    for j, g in enumerate(terms.guarantees or []):
        idx = [names.index(c) for c in g.covers] if g.covers is not None else list(range(len(names)))
        owed = outstanding[:, idx]
        exposed = np.maximum(0, owed.sum(axis=1) - _ore(g.attachment))
        p, q = _ratio(g.share)
        pay = np.minimum((2 * exposed * p + q) // (2 * q), exposed)
        if g.cap is not None:
            pay = np.minimum(pay, _ore(g.cap))
        outstanding[:, idx] -= _split_rows(pay, owed)
        paid[:, j] = pay
    return loss, paid, outstanding


def _ratio(value: Decimal) -> tuple[int, int]:
    f = Fraction(value)
    return f.numerator, f.denominator


def waterfall_draws(terms: FinancingTerms, payments: np.ndarray, *, with_irr: bool = True) -> WaterfallDraws:
    """The waterfall for every row of ``payments`` (SEK, shape (n_draws, n_periods)) at once.

    Payments are rounded to whole öre first; after that all arithmetic is in integer öre with the
    same rounding rules as :func:`waterfall` (return half-up to the öre, surplus split by largest
    remainder), so each row equals the exact engine's result for the same öre payments.
    """
    pay = np.atleast_2d(np.asarray(payments, dtype=float))
    if np.any(~np.isfinite(pay)) or np.any(pay < 0):
        raise ValueError("payments must be finite and not negative")
    pay_ore = np.rint(pay * 100.0).astype(np.int64)
    n_draws = pay_ore.shape[0]
    draws_ore = [int(d / ORE) for d in terms.drawdowns()]
    n = max(len(draws_ore), pay_ore.shape[1])
    draws_ore += [0] * (n - len(draws_ore))
    if pay_ore.shape[1] < n:
        pay_ore = np.concatenate([pay_ore, np.zeros((n_draws, n - pay_ore.shape[1]), np.int64)], axis=1)

    sp, sq = _ratio(terms.fund_surplus_share)
    if pay_ore.size and int(pay_ore.max()) * max(sp, sq - sp, 1) >= _INT_LIMIT:
        raise ValueError("payments too large for exact öre arithmetic")
    if terms.return_basis == "fixed_rate":
        assert terms.annual_rate is not None  # guaranteed by FinancingTerms._basis
        rp, rq = _ratio(terms.annual_rate)
        rq *= terms.periods_per_year
        if sum(draws_ore) * max(rp, 1) * 2 >= _INT_LIMIT:
            raise ValueError("commitment × annual_rate too large for exact öre arithmetic")
        cap_due = None
    else:
        # the capped return depends only on the (deterministic) drawdowns: compute it exactly
        assert terms.multiple_cap is not None  # guaranteed by FinancingTerms._basis
        cum = Decimal(0)
        cap_due = []
        for d in draws_ore:
            cum += Decimal(d) * ORE
            cap_due.append(int(round_ore((terms.multiple_cap - 1) * cum) / ORE))

    outstanding = np.zeros(n_draws, np.int64)
    accrued = np.zeros(n_draws, np.int64)
    paid_ret = np.zeros(n_draws, np.int64)
    shape = (n_draws, n)
    to_p = np.zeros(shape, np.int64)
    to_r = np.zeros(shape, np.int64)
    s_f = np.zeros(shape, np.int64)
    s_p = np.zeros(shape, np.int64)
    for t in range(n):
        outstanding += draws_ore[t]
        if cap_due is None:
            num = outstanding * rp
            accrued += (2 * num + rq) // (2 * rq)  # half-up, num ≥ 0
            due = accrued - paid_ret
        else:
            due = cap_due[t] - paid_ret
        p = pay_ore[:, t]
        principal = np.minimum(p, outstanding)
        rest = p - principal
        ret = np.minimum(rest, due)
        rest = rest - ret
        # largest-remainder split of `rest` into fund : provider = sp : (sq - sp), ties to the fund
        nf, npv_ = rest * sp, rest * (sq - sp)
        ff, fp = nf // sq, npv_ // sq
        left = rest - ff - fp
        fund_extra = (left > 0) & ((nf % sq) >= (npv_ % sq))
        ff = ff + np.where(fund_extra, left, 0)
        fp = fp + np.where(fund_extra, 0, left)
        outstanding -= principal
        paid_ret += ret
        to_p[:, t], to_r[:, t], s_f[:, t], s_p[:, t] = principal, ret, ff, fp

    receipts_t = to_p + to_r + s_f
    receipts = receipts_t.sum(axis=1)
    total_drawn = sum(draws_ore)
    if cap_due is None:
        unpaid = accrued - paid_ret
    else:
        unpaid = (cap_due[-1] if cap_due else 0) - paid_ret
    costs_ore = sum(int(c / ORE) for c in terms.provider_costs)
    prov_net = s_p.sum(axis=1) - (costs_ore - total_drawn)
    multiple = receipts / total_drawn if total_drawn > 0 else np.full(n_draws, np.nan)
    cover: dict[str, np.ndarray] = {}
    if terms.has_loss_cover():
        t_loss, g_paid, borne = _loss_cover_draws(terms, to_p)
        cover = {
            "tranche_loss": t_loss / 100.0,
            "guarantee_paid": g_paid / 100.0,
            "loss_borne": borne / 100.0,
        }
    if with_irr:
        flows = np.zeros((n_draws, n + 1))
        flows[:, 0] = -draws_ore[0]
        flows[:, 1:] = receipts_t
        flows[:, 1:n] -= np.asarray(draws_ore[1:], dtype=float)[None, :]
        r = irr_many(flows / 100.0)
    else:
        r = np.full(n_draws, np.nan)
    return WaterfallDraws(
        drawn=np.asarray(draws_ore, dtype=float) / 100.0,
        payments_in=pay_ore / 100.0,
        to_principal=to_p / 100.0,
        to_return=to_r / 100.0,
        surplus_to_fund=s_f / 100.0,
        surplus_to_provider=s_p / 100.0,
        fund_receipts=receipts / 100.0,
        loss=outstanding / 100.0,
        unpaid_return=unpaid / 100.0,
        repaid_in_full=outstanding == 0,
        money_multiple=multiple,
        irr_periodic=r,
        irr_annual=annualise(r, terms.periods_per_year),
        provider_net=prov_net / 100.0,
        **cover,
    )


# --------------------------------------------------------------------------------------------------
# CLI


def run(data: dict[str, Any]) -> dict[str, Any]:
    """``python -m insats.core financing FILE``: ``Input`` JSON in, ``Output`` JSON out."""
    inp = Input.model_validate(data)
    out = waterfall(inp.terms, inp.payments)
    return out.model_copy(update={"currency": inp.currency}).model_dump(mode="json")
