"""Tender evaluation (anbudsutvärdering): qualification, weighted criteria, price models, ranking.

The CLI command ``score`` calls :func:`run`. Steps, each written to the explanation:

1. **Qualification** (kvalificeringskrav, pass/fail). A qualification criterion is met if ANY of
   its requirement groups is met; a group is met if ALL its requirements are. A bid that fails
   any criterion is excluded, with the reasons.
2. **Quality criteria** scored on a stated scale (e.g. 0–10) by one or more evaluators; the scores
   are aggregated by mean or median; an optional consensus score (with its reason) replaces the
   aggregate (both are shown). The score is normalised to the criterion's weight:
   ``points = weight · (score − scale_min) / (scale_max − scale_min)``.
3. **Price**, by one of three models:
   * ``absolute`` — points from a price table (bands): the first band whose ``up_to`` is at least
     the price gives its points, normalised to the weight (``weight · band points / scale_max``);
   * ``relative`` — ``weight · lowest price / price``. This model can cause *rank reversal*:
     whether A beats B may depend on a third bid C (through the lowest price). The evaluation
     checks it: each non-winning bid is removed in turn and the order of the others compared;
   * ``value_deduction`` (mervärdesavdrag) — each criterion carries a deduction in SEK at its top
     score; ``jämförelsepris = price − Σ deduction · normalised score``; the lowest wins.
4. **Ranking** with ties reported; ties are broken by lottery only when a seed is given (the
   seed is recorded in the output so the draw can be repeated and checked).

Prices, deductions and jämförelsepris are ``Decimal`` (SEK, rounded to öre by
:func:`insats.core.money.round_ore`); scores and points are ``Decimal`` too, so the result does
not depend on the order of evaluators or bids. Totals are rounded to six decimals before they are
compared: bids with equal rounded totals are tied.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Any, Literal, NotRequired, TypedDict

from pydantic import BaseModel, ConfigDict, Field, model_validator

from insats.core.bounds import BoundedInput
from insats.core.money import round_ore

__all__ = [
    "FieldError",
    "QualificationCriterion",
    "Criterion",
    "AbsolutePrice",
    "RelativePrice",
    "ValueDeduction",
    "Bid",
    "ScoreInput",
    "ScoreOutput",
    "qualifies",
    "aggregate",
    "evaluate",
    "run",
]

POINTS_Q = Decimal("0.000001")


class FieldError(ValueError):
    """A ValueError that names the offending input field (the CLI reports ``field``)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------


class QualificationCriterion(_Model):
    id: str = Field(description="Identifier, e.g. 'Q1'.")
    text: str = Field(description="The requirement as stated, e.g. 'Har anbudet kommit in i korrekt tid?'.")
    any_of: list[list[str]] = Field(
        min_length=1,
        description="Requirement groups: the criterion is met if ANY group is met; a group (a list "
        "of requirement ids) is met if ALL its requirements are met by the bid.",
    )

    @model_validator(mode="after")
    def _groups(self) -> QualificationCriterion:
        for g, group in enumerate(self.any_of):
            if not group:
                raise ValueError(f"any_of[{g}] is empty; a group needs at least one requirement")
        return self


class Criterion(_Model):
    id: str = Field(description="Identifier, e.g. 'competence'.")
    text: str = Field(description="The criterion as stated.")
    weight: Decimal | None = Field(
        None, gt=0, description="Weight: points at the top of the scale (not used by value_deduction)."
    )
    scale_min: Decimal = Field(Decimal(0), description="Lowest score on the scale.")
    scale_max: Decimal = Field(Decimal(10), description="Highest score on the scale.")
    deduction: Decimal | None = Field(
        None, ge=0, description="value_deduction only: SEK deducted from the price at the top score."
    )

    @model_validator(mode="after")
    def _scale(self) -> Criterion:
        if self.scale_max <= self.scale_min:
            raise ValueError("scale_max must be greater than scale_min")
        return self


class PriceBand(_Model):
    up_to: Decimal = Field(gt=0, description="Prices up to and including this amount (SEK) ...")
    points: Decimal = Field(ge=0, description="... get these points on the price scale.")


class AbsolutePrice(_Model):
    type: Literal["absolute"] = Field(description="Points from a price table.")
    weight: Decimal = Field(gt=0, description="Points for the best band after normalisation.")
    bands: list[PriceBand] = Field(min_length=1, description="Bands in ascending order of `up_to`.")
    scale_max: Decimal | None = Field(
        None, gt=0, description="Top of the band scale (default: highest band)."
    )
    above_points: Decimal = Field(Decimal(0), ge=0, description="Points for a price above every band.")

    @model_validator(mode="after")
    def _ascending(self) -> AbsolutePrice:
        for k in range(1, len(self.bands)):
            if self.bands[k].up_to <= self.bands[k - 1].up_to:
                raise ValueError(f"bands[{k}].up_to must be greater than bands[{k - 1}].up_to")
        top = self.top()
        if any(b.points > top for b in self.bands) or self.above_points > top:
            raise ValueError("band points must not exceed scale_max")
        return self

    def top(self) -> Decimal:
        return self.scale_max if self.scale_max is not None else max(b.points for b in self.bands)


class RelativePrice(_Model):
    type: Literal["relative"] = Field(description="Points = weight · lowest price / price.")
    weight: Decimal = Field(gt=0, description="Points for the lowest price.")


class ValueDeduction(_Model):
    type: Literal["value_deduction"] = Field(
        description="jämförelsepris = price − Σ deductions for quality; the lowest wins."
    )


PriceModel = Annotated[AbsolutePrice | RelativePrice | ValueDeduction, Field(discriminator="type")]


class EvaluatorScore(_Model):
    evaluator: str = Field(description="Evaluator (bedömare), e.g. initials.")
    score: Decimal = Field(description="Score on the criterion's scale.")


class Consensus(_Model):
    score: Decimal = Field(description="The agreed score, replacing the aggregate.")
    reason: str = Field(min_length=1, description="Why the consensus differs or was needed (required).")


class Bid(_Model):
    id: str = Field(description="Bid identifier, e.g. the tenderer's name.")
    price: Decimal | None = Field(None, description="Price in SEK (required by every price model).")
    requirements: dict[str, bool] = Field(
        default_factory=dict, description="Requirement id → met? A requirement not listed counts as not met."
    )
    scores: dict[str, list[EvaluatorScore]] = Field(
        default_factory=dict, description="Criterion id → the evaluators' scores."
    )
    consensus: dict[str, Consensus] = Field(
        default_factory=dict, description="Criterion id → consensus score and reason (optional)."
    )


class ScoreInput(BoundedInput, _Model):
    """A tender's evaluation model and its bids."""

    tender: str | None = Field(None, description="Name of the tender (echoed).")
    qualification: list[QualificationCriterion] = Field(
        default_factory=list, description="Pass/fail qualification criteria."
    )
    criteria: list[Criterion] = Field(default_factory=list, description="Scored quality criteria.")
    price_model: PriceModel | None = Field(
        None,
        description="How price counts: absolute, relative or value_deduction; null = price not evaluated.",
    )
    aggregation: Literal["mean", "median"] = Field("mean", description="How evaluators' scores are combined.")
    lottery_seed: int | None = Field(
        None, description="Seed for breaking ties by lottery; without it ties are reported, not broken."
    )
    bids: list[Bid] = Field(min_length=1, description="The bids.")


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


class Step(_Model):
    step: str = Field(description="Machine-readable step name, e.g. 'qualification'.")
    bid: str | None = Field(None, description="The bid the step concerns, if any.")
    text_sv: str = Field(description="The step in Swedish, with the numbers.")
    text_en: str = Field(description="The step in English, with the numbers.")


class CriterionResult(_Model):
    criterion: str = Field(description="Criterion id.")
    evaluator_scores: dict[str, Decimal] = Field(description="Evaluator → score.")
    aggregate: Decimal | None = Field(description="Mean or median of the evaluators' scores.")
    consensus: Decimal | None = Field(description="Consensus score, if given.")
    consensus_reason: str | None = Field(description="Reason for the consensus score.")
    score: Decimal = Field(description="Score used: the consensus if given, else the aggregate.")
    points: Decimal | None = Field(description="Weighted points (null under value_deduction).")
    deduction: Decimal | None = Field(description="SEK deducted (value_deduction only).")


class BidResult(_Model):
    id: str = Field(description="Bid id.")
    qualified: bool = Field(description="Passed qualification.")
    exclusion_reasons: list[str] = Field(description="Why the bid was excluded (Swedish).")
    price: Decimal | None = Field(description="Price, SEK.")
    criteria: list[CriterionResult] = Field(description="Per criterion (qualified bids only).")
    quality_points: Decimal | None = Field(description="Sum of criterion points.")
    price_points: Decimal | None = Field(description="Points for price (absolute/relative).")
    total_points: Decimal | None = Field(description="Quality + price points (rounded to 6 decimals).")
    deductions_total: Decimal | None = Field(description="Σ deductions, SEK (value_deduction).")
    comparison_price: Decimal | None = Field(description="Jämförelsepris, SEK (value_deduction).")
    rank: int | None = Field(description="Rank, 1 = best; tied bids share a rank.")
    position: int | None = Field(
        description="Place after a lottery among ties (equals rank where there is no tie; null for "
        "tied bids when no seed was given)."
    )


class Tie(_Model):
    rank: int = Field(description="The shared rank.")
    bids: list[str] = Field(description="The tied bids (sorted by id).")
    broken_by_lottery: bool = Field(description="Whether a lottery ordered them.")
    lottery_order: list[str] | None = Field(description="Order drawn, if a lottery was held.")


class RankReversal(_Model):
    removed_bid: str = Field(description="The non-winning bid taken out.")
    order_before: list[list[str]] = Field(description="The others' order with it (groups = ties).")
    order_after: list[list[str]] = Field(description="The others' order without it.")
    changed_pairs: list[list[str]] = Field(description="Pairs [a, b] whose comparison changed.")


class ScoreWarning(_Model):
    code: str = Field(description="Machine-readable code.")
    text_sv: str = Field(description="Swedish text.")
    text_en: str = Field(description="English text.")


class ScoreOutput(_Model):
    tender: str | None = Field(description="Tender name.")
    aggregation: str = Field(description="mean or median.")
    price_model: str | None = Field(description="Price model used.")
    bids: list[BidResult] = Field(description="Qualified bids in ranking order, then excluded bids.")
    winner: str | None = Field(description="The winning bid, or null if tied at the top without a lottery.")
    ties: list[Tie] = Field(description="Ties in the ranking.")
    lottery_seed: int | None = Field(description="The seed used for the lottery (recorded for audit).")
    rank_reversals: list[RankReversal] = Field(description="Detected rank reversals (relative price model).")
    warnings: list[ScoreWarning] = Field(description="Warnings, e.g. about the relative price model.")
    steps: list[Step] = Field(description="Every step of the evaluation with its numbers.")


# ---------------------------------------------------------------------------------------------
# Arithmetic
# ---------------------------------------------------------------------------------------------


def qualifies(any_of: list[list[str]], met: dict[str, bool]) -> bool:
    """True if ANY group has ALL its requirements met (a missing requirement is not met)."""
    return any(all(met.get(r, False) for r in group) for group in any_of)


def aggregate(scores: list[Decimal], how: str) -> Decimal:
    """Mean or median of scores (independent of their order)."""
    if not scores:
        raise ValueError("no scores to aggregate")
    if how == "mean":
        return sum(scores, Decimal(0)) / len(scores)
    if how == "median":
        s = sorted(scores)
        m = len(s) // 2
        return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2
    raise ValueError(f"unknown aggregation {how!r}")


def _q(d: Decimal) -> Decimal:
    return d.quantize(POINTS_Q, rounding=ROUND_HALF_EVEN)


def _num(d: Decimal | None, sv: bool, places: int = 2) -> str:
    if d is None:
        return "–"
    text = f"{d:.{places}f}"
    return text.replace(".", ",") if sv else text


def _kr(d: Decimal, sv: bool) -> str:
    text = f"{round_ore(d):,.2f}"
    if sv:
        return text.replace(",", " ").replace(".", ",") + " kr"
    return "SEK " + text


class _N:
    """A number shown with a Swedish decimal comma in Swedish and a point in English."""

    def __init__(self, d: Decimal | None, places: int = 2):
        self.d, self.places = d, places

    def text(self, sv: bool) -> str:
        return _num(self.d, sv, self.places)


class _K(_N):
    """An amount of money: '1 234,50 kr' / 'SEK 1,234.50'."""

    def text(self, sv: bool) -> str:
        return "–" if self.d is None else _kr(self.d, sv)


class _Join:
    """Evaluators' scores listed: 'AB 7,0, CD 8,0'."""

    def __init__(self, entries: list[EvaluatorScore]):
        self.entries = entries

    def text(self, sv: bool) -> str:
        return ", ".join(f"{e.evaluator} {_num(e.score, sv, 1)}" for e in self.entries)


def _tx(sv: str, en: str, **values: object) -> tuple[str, str]:
    """Fill a Swedish and an English template; number values are formatted per language."""

    def fill(template: str, is_sv: bool) -> str:
        return template.format(**{k: v.text(is_sv) if hasattr(v, "text") else v for k, v in values.items()})

    return fill(sv, True), fill(en, False)


def _band_points(model: AbsolutePrice, price: Decimal) -> Decimal:
    """Points from the price table: the first band whose ``up_to`` is at least the price."""
    for band in model.bands:
        if price <= band.up_to:
            return band.points
    return model.above_points


def _price_points(
    model: AbsolutePrice | RelativePrice | ValueDeduction, price: Decimal, lowest: Decimal
) -> Decimal:
    if model.type == "relative":
        return model.weight * lowest / price
    if model.type == "absolute":
        return model.weight * _band_points(model, price) / model.top()
    raise ValueError(model.type)


class _Entry(TypedDict):
    """What the ranking needs of one qualified bid."""

    quality_points: Decimal
    price: Decimal | None
    comparison_price: NotRequired[Decimal]  # value_deduction only


def _price(entry: _Entry) -> Decimal:
    """The bid's price where a price model is in use (``_validate`` requires it there)."""
    price = entry["price"]
    assert price is not None
    return price


def _totals(inp: ScoreInput, per_bid: dict[str, _Entry], ids: list[str]) -> dict[str, Decimal]:
    """The ranking value for each bid in ``ids``: higher is better (−jämförelsepris for deduction)."""
    model = inp.price_model
    out = {}
    lowest = min((_price(per_bid[i]) for i in ids), default=None) if model is not None else None
    for i in ids:
        b = per_bid[i]
        if model is not None and model.type == "value_deduction":
            out[i] = -b["comparison_price"]
        else:
            total = b["quality_points"]
            if model is not None:
                assert lowest is not None  # ids is not empty: i is in it
                total += _price_points(model, _price(b), lowest)
            out[i] = _q(total)
    return out


def _groups(values: dict[str, Decimal]) -> list[list[str]]:
    """Bids grouped by equal value, best first; within a group sorted by id."""
    by_value: dict[Decimal, list[str]] = {}
    for i, v in values.items():
        by_value.setdefault(v, []).append(i)
    return [sorted(by_value[v]) for v in sorted(by_value, reverse=True)]


def _cmp(values: dict[str, Decimal], a: str, b: str) -> int:
    return (values[a] > values[b]) - (values[a] < values[b])


def evaluate(inp: ScoreInput) -> ScoreOutput:
    """Evaluate the bids of a tender; see the module documentation for the method."""
    model = inp.price_model
    steps: list[Step] = []
    crit_ids = [c.id for c in inp.criteria]
    _validate(inp, crit_ids)

    def step(name: str, sv: str, en: str, bid: str | None = None) -> None:
        steps.append(Step(step=name, bid=bid, text_sv=sv, text_en=en))

    # 1. Qualification
    results: dict[str, BidResult] = {}
    qualified: list[str] = []
    for bid in inp.bids:
        reasons_sv, reasons_en = [], []
        for q in inp.qualification:
            if qualifies(q.any_of, bid.requirements):
                continue
            unmet = sorted({r for g in q.any_of for r in g if not bid.requirements.get(r, False)})
            reasons_sv.append(f"{q.id} ({q.text}) är inte uppfyllt; ej uppfyllda krav: {', '.join(unmet)}")
            reasons_en.append(f"{q.id} ({q.text}) is not met; requirements not met: {', '.join(unmet)}")
        if reasons_sv:
            step(
                "qualification",
                f"Anbud {bid.id} utesluts: " + "; ".join(reasons_sv) + ".",
                f"Bid {bid.id} is excluded: " + "; ".join(reasons_en) + ".",
                bid.id,
            )
        else:
            qualified.append(bid.id)
            if inp.qualification:
                step(
                    "qualification",
                    f"Anbud {bid.id} uppfyller alla {len(inp.qualification)} kvalificeringskrav.",
                    f"Bid {bid.id} meets all {len(inp.qualification)} qualification criteria.",
                    bid.id,
                )
        results[bid.id] = BidResult(
            id=bid.id,
            qualified=not reasons_sv,
            exclusion_reasons=reasons_sv,
            price=bid.price,
            criteria=[],
            quality_points=None,
            price_points=None,
            total_points=None,
            deductions_total=None,
            comparison_price=None,
            rank=None,
            position=None,
        )

    # 2. Quality criteria
    bids = {b.id: b for b in inp.bids}
    per_bid: dict[str, _Entry] = {}
    deduction_model = model is not None and model.type == "value_deduction"
    agg_sv = "medelvärdet" if inp.aggregation == "mean" else "medianen"
    agg_en = "mean" if inp.aggregation == "mean" else "median"
    for bid_id in qualified:
        bid = bids[bid_id]
        quality = Decimal(0)
        deductions = Decimal(0)
        for c in inp.criteria:
            entries = bid.scores.get(c.id, [])
            values = [e.score for e in entries]
            agg = aggregate(values, inp.aggregation) if values else None
            cons = bid.consensus.get(c.id)
            used = cons.score if cons is not None else agg
            # _validate: a qualifying bid has scores or a consensus for every criterion
            assert used is not None
            norm = (used - c.scale_min) / (c.scale_max - c.scale_min)
            nums = {
                "lo": _N(c.scale_min, 0),
                "hi": _N(c.scale_max, 0),
                "agg": _N(agg),
                "used": _N(used),
                "w": _N(c.weight),
                "d": _K(c.deduction),
            }
            if agg is not None:
                listed = _Join(entries)
                sv, en = _tx(
                    "{cid}: bedömarnas poäng ({listed}) ger {aggname_sv} {agg} på skalan {lo}–{hi}.",
                    "{cid}: the evaluators' scores ({listed}) give a {aggname_en} of {agg}, scale {lo}–{hi}.",
                    cid=c.id,
                    listed=listed,
                    aggname_sv=agg_sv,
                    aggname_en=agg_en,
                    **nums,
                )
            else:
                sv, en = f"{c.id}: inga enskilda bedömningar.", f"{c.id}: no individual scores."
            if cons is not None:
                more = _tx(
                    " Konsensuspoäng {c} ersätter den ({r}).",
                    " The consensus score {c} replaces it ({r}).",
                    c=_N(cons.score),
                    r=cons.reason,
                )
                sv, en = sv + more[0], en + more[1]
            points = deduction = None
            if deduction_model:
                assert c.deduction is not None  # _validate: required under value_deduction
                deduction = round_ore(c.deduction * norm)
                deductions += deduction
                more = _tx(
                    " Avdrag = {d} × ({used} − {lo}) / ({hi} − {lo}) = {x}.",
                    " Deduction = {d} × ({used} − {lo}) / ({hi} − {lo}) = {x}.",
                    x=_K(deduction),
                    **nums,
                )
            else:
                assert c.weight is not None  # _validate: required unless value_deduction
                points = c.weight * norm
                quality += points
                more = _tx(
                    " Poäng = vikt {w} × ({used} − {lo}) / ({hi} − {lo}) = {x}.",
                    " Points = weight {w} × ({used} − {lo}) / ({hi} − {lo}) = {x}.",
                    x=_N(points),
                    **nums,
                )
            sv, en = sv + more[0], en + more[1]
            step("criterion", sv, en, bid_id)
            results[bid_id].criteria.append(
                CriterionResult(
                    criterion=c.id,
                    evaluator_scores={e.evaluator: e.score for e in entries},
                    aggregate=None if agg is None else _q(agg),
                    consensus=None if cons is None else cons.score,
                    consensus_reason=None if cons is None else cons.reason,
                    score=used,
                    points=None if points is None else _q(points),
                    deduction=deduction,
                )
            )
        entry: _Entry = {"quality_points": quality, "price": bid.price}
        if deduction_model:
            entry["comparison_price"] = round_ore(_price(entry) - deductions)
            results[bid_id].deductions_total = deductions
            results[bid_id].comparison_price = entry["comparison_price"]
            txt = _tx(
                "Jämförelsepris = pris {p} − avdrag {d} = {j}.",
                "Comparison price = price {p} − deductions {d} = {j}.",
                p=_K(bid.price),
                d=_K(deductions),
                j=_K(entry["comparison_price"]),
            )
            step("comparison_price", *txt, bid_id)
        else:
            results[bid_id].quality_points = _q(quality)
        per_bid[bid_id] = entry

    # 3. Price points and totals
    totals = _totals(inp, per_bid, qualified)
    if model is not None and not deduction_model and qualified:
        lowest = min(_price(per_bid[i]) for i in qualified)
        for i in qualified:
            pp = _price_points(model, _price(per_bid[i]), lowest)
            results[i].price_points = _q(pp)
            if model.type == "relative":
                sv, en = _tx(
                    "Prispoäng = {w} × lägsta pris {low} / pris {p} = {x}.",
                    "Price points = {w} × lowest price {low} / price {p} = {x}.",
                    w=_N(model.weight),
                    low=_K(lowest),
                    p=_K(per_bid[i]["price"]),
                    x=_N(pp),
                )
            else:
                assert model.type == "absolute"  # neither relative nor value_deduction
                sv, en = _tx(
                    "Priset {p} ger {b} av {top} i pristabellen; prispoäng = {w} × {b} / {top} = {x}.",
                    "Price {p} gets {b} of {top} in the price table; price points = {w} × {b} / {top} = {x}.",
                    p=_K(per_bid[i]["price"]),
                    b=_N(_band_points(model, _price(per_bid[i]))),
                    top=_N(model.top()),
                    w=_N(model.weight),
                    x=_N(pp),
                )
            step("price", sv, en, i)
    if not deduction_model:
        for i in qualified:
            results[i].total_points = totals[i]
            if model is None:
                txt = _tx("Totalpoäng för {i}: {t}.", "Total points for {i}: {t}.", i=i, t=_N(totals[i]))
            else:
                txt = _tx(
                    "Totalpoäng för {i}: kvalitet {q} + pris {p} = {t}.",
                    "Total points for {i}: quality {q} + price {p} = {t}.",
                    i=i,
                    q=_N(results[i].quality_points),
                    p=_N(results[i].price_points),
                    t=_N(totals[i]),
                )
            step("total", *txt, i)

    # 4. Ranking, ties, lottery
    groups = _groups(totals)
    ties: list[Tie] = []
    rng = random.Random(inp.lottery_seed) if inp.lottery_seed is not None else None
    rank = 1
    position = 1
    for group in groups:
        drawn = None
        if len(group) > 1 and rng is not None:
            drawn = list(group)
            rng.shuffle(drawn)
        for i in group:
            results[i].rank = rank
            if len(group) == 1:
                results[i].position = position
            elif drawn is not None:
                results[i].position = position + drawn.index(i)
        if len(group) > 1:
            ties.append(Tie(rank=rank, bids=group, broken_by_lottery=drawn is not None, lottery_order=drawn))
            if drawn is not None:
                step(
                    "lottery",
                    f"Anbuden {', '.join(group)} har lika värde (plats {rank}); lottning med frö"
                    f" {inp.lottery_seed} ger ordningen {', '.join(drawn)}.",
                    f"Bids {', '.join(group)} are tied (rank {rank}); a lottery with seed {inp.lottery_seed}"
                    f" gives the order {', '.join(drawn)}.",
                )
            else:
                step(
                    "tie",
                    f"Anbuden {', '.join(group)} har lika värde och delar plats {rank}; ingen lottning"
                    " (inget frö angivet).",
                    f"Bids {', '.join(group)} are tied and share rank {rank}; no lottery (no seed given).",
                )
        rank += len(group)
        position += len(group)
    ordered = [i for g in groups for i in g]
    ordered.sort(key=lambda i: (results[i].rank, results[i].position or 0, i))
    winner = None
    if groups:
        top = groups[0]
        if len(top) == 1:
            winner = top[0]
        elif rng is not None:
            winner = next(i for i in top if results[i].position == 1)
    if not ordered:
        step(
            "ranking",
            "Inget anbud uppfyller kvalificeringskraven.",
            "No bid meets the qualification criteria.",
        )
    elif deduction_model:
        sv = ", ".join(f"{i} {_kr(per_bid[i]['comparison_price'], True)}" for i in ordered)
        en = ", ".join(f"{i} {_kr(per_bid[i]['comparison_price'], False)}" for i in ordered)
        step(
            "ranking",
            f"Rangordning efter lägst jämförelsepris: {sv}.",
            f"Ranking by lowest comparison price: {en}.",
        )
    else:
        sv = ", ".join(f"{i} {_num(totals[i], True)}" for i in ordered)
        en = ", ".join(f"{i} {_num(totals[i], False)}" for i in ordered)
        step(
            "ranking", f"Rangordning efter högst totalpoäng: {sv}.", f"Ranking by highest total points: {en}."
        )
    if winner is not None:
        step("winner", f"Vinnande anbud: {winner}.", f"Winning bid: {winner}.", winner)
    elif groups:
        step(
            "winner",
            "Inget vinnande anbud kan utses: delad förstaplats och inget lottningsfrö angivet.",
            "No winner can be named: a tie for first place and no lottery seed given.",
        )

    # 5. Rank reversal
    warnings: list[ScoreWarning] = []
    reversals = _rank_reversals(inp, per_bid, qualified, totals, groups)
    if model is not None and model.type == "relative":
        warnings.append(
            ScoreWarning(
                code="relative_price_rank_reversal_risk",
                text_sv="Prismodellen relativt lägsta pris kan ge rangordningsbyte: om ett anbud som inte"
                " vinner tas bort kan ordningen mellan de övriga ändras, eftersom alla prispoäng räknas"
                " mot lägsta pris.",
                text_en="The relative-to-lowest price model can cause rank reversal: removing a non-winning"
                " bid can change the order of the others, because all price points are computed against"
                " the lowest price.",
            )
        )
    for rv in reversals:
        pairs_sv = "; ".join(f"{a} mot {b}" for a, b in rv.changed_pairs)
        pairs_en = "; ".join(f"{a} vs {b}" for a, b in rv.changed_pairs)
        warnings.append(
            ScoreWarning(
                code="rank_reversal_detected",
                text_sv=f"Rangordningsbyte: utan anbud {rv.removed_bid} ändras ordningen ({pairs_sv}).",
                text_en=f"Rank reversal: without bid {rv.removed_bid} the order changes ({pairs_en}).",
            )
        )
        step("rank_reversal", warnings[-1].text_sv, warnings[-1].text_en, rv.removed_bid)
    if model is not None and model.type == "relative" and not reversals and len(qualified) > 2:
        step(
            "rank_reversal",
            "Kontroll av rangordningsbyte: att ta bort något av de icke vinnande anbuden ändrar inte"
            " ordningen mellan de övriga.",
            "Rank-reversal check: removing any non-winning bid does not change the order of the others.",
        )

    excluded = [b.id for b in inp.bids if not results[b.id].qualified]
    return ScoreOutput(
        tender=inp.tender,
        aggregation=inp.aggregation,
        price_model=None if model is None else model.type,
        bids=[results[i] for i in ordered] + [results[i] for i in excluded],
        winner=winner,
        ties=ties,
        lottery_seed=inp.lottery_seed,
        rank_reversals=reversals,
        warnings=warnings,
        steps=steps,
    )


def _rank_reversals(
    inp: ScoreInput,
    per_bid: dict[str, _Entry],
    qualified: list[str],
    totals: dict[str, Decimal],
    groups: list[list[str]],
) -> list[RankReversal]:
    """Remove each non-winning bid in turn; report when the order of the others changes."""
    if len(qualified) < 3 or not groups:
        return []
    winners = set(groups[0])
    out = []
    for removed in sorted(qualified):
        if removed in winners:
            continue
        rest = [i for i in qualified if i != removed]
        after = _totals(inp, per_bid, rest)
        changed = []
        for x, a in enumerate(sorted(rest)):
            for b in sorted(rest)[x + 1 :]:
                if _cmp(totals, a, b) != _cmp(after, a, b):
                    changed.append([a, b])
        if changed:
            before_groups = [[i for i in g if i != removed] for g in groups]
            out.append(
                RankReversal(
                    removed_bid=removed,
                    order_before=[g for g in before_groups if g],
                    order_after=_groups(after),
                    changed_pairs=changed,
                )
            )
    return out


def _validate(inp: ScoreInput, crit_ids: list[str]) -> None:
    """Cross-field checks, each naming its field."""
    model = inp.price_model
    for k, c in enumerate(inp.criteria):
        if c.id in crit_ids[:k]:
            raise FieldError(f"criteria.{k}.id", f"duplicate criterion {c.id!r}")
        if model is not None and model.type == "value_deduction":
            if c.deduction is None:
                raise FieldError(f"criteria.{k}.deduction", "value_deduction needs a deduction per criterion")
        elif c.weight is None:
            raise FieldError(f"criteria.{k}.weight", "a weight is required (except under value_deduction)")
    q_ids = [q.id for q in inp.qualification]
    for k, q in enumerate(inp.qualification):
        if q.id in q_ids[:k]:
            raise FieldError(f"qualification.{k}.id", f"duplicate qualification criterion {q.id!r}")
    ids = [b.id for b in inp.bids]
    crits = {c.id: c for c in inp.criteria}
    for k, b in enumerate(inp.bids):
        if b.id in ids[:k]:
            raise FieldError(f"bids.{k}.id", f"duplicate bid {b.id!r}")
        if model is not None:
            if b.price is None:
                raise FieldError(f"bids.{k}.price", f"the {model.type} price model needs a price")
            if b.price <= 0 and model.type != "value_deduction":
                raise FieldError(f"bids.{k}.price", "price must be greater than zero")
            if b.price < 0:
                raise FieldError(f"bids.{k}.price", "price must not be negative")
        for cid in list(b.scores) + list(b.consensus):
            if cid not in crits:
                raise FieldError(f"bids.{k}.scores.{cid}", f"unknown criterion {cid!r}")
        for cid, c in crits.items():
            entries = b.scores.get(cid, [])
            names = [e.evaluator for e in entries]
            for j, e in enumerate(entries):
                if e.evaluator in names[:j]:
                    raise FieldError(
                        f"bids.{k}.scores.{cid}.{j}.evaluator", f"evaluator {e.evaluator!r} twice"
                    )
                if not c.scale_min <= e.score <= c.scale_max:
                    raise FieldError(
                        f"bids.{k}.scores.{cid}.{j}.score",
                        f"{e.score} is outside the scale {c.scale_min}–{c.scale_max}",
                    )
            cons = b.consensus.get(cid)
            if cons is not None and not c.scale_min <= cons.score <= c.scale_max:
                raise FieldError(
                    f"bids.{k}.consensus.{cid}.score",
                    f"{cons.score} is outside the scale {c.scale_min}–{c.scale_max}",
                )
            # Only bids that qualify need a score; excluded bids need not be scored.
            if not entries and cons is None and qualifies_all(inp, b):
                raise FieldError(f"bids.{k}.scores.{cid}", "no score and no consensus for this criterion")


def qualifies_all(inp: ScoreInput, bid: Bid) -> bool:
    """True if ``bid`` meets every qualification criterion of ``inp``."""
    return all(qualifies(q.any_of, bid.requirements) for q in inp.qualification)


def run(data: dict[str, Any]) -> dict[str, Any]:
    """CLI entry point of ``python -m insats.core score``: JSON in, JSON out."""
    return evaluate(ScoreInput.model_validate(data)).model_dump(mode="json")


# The CLI's input and output models (docs/core.md publishes their JSON Schemas).
Input = ScoreInput
Output = ScoreOutput
