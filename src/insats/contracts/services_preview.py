"""Preview: what the contract would pay under a few example outcomes.

An *example outcome* is one number, an improvement ``p`` (0.10 = 10 % better than the
counterfactual) applied to every metric in every period it is measured. The results it stands
for are built here in plain terms and the amounts come from ``insats.core.payments.calculate``
unchanged — the preview never computes money itself:

* improvement / condition with a baseline or target level ``L`` (per period/cohort as the contract
  says): measured = ``L × (1 − p)`` when fewer is better, ``L × (1 + p)`` when more is better;
* comparison group: the comparison group is assumed to measure the metric's *reference level*
  ``R`` (entered on the preview form), measured as above from ``R``;
* savings: measured cost = ``L × (1 − p)`` (savings = ``p × L``);
* blended: every evaluation estimates ``p × R`` units of improvement; the counterfactual is ``R``;
* ratio and rate measures: the ratio (or rate) is scaled as above; its denominator is the
  cohort's planned size, or the *denominator* entered on the preview form (``<code>__den``); a
  ratio reports the numerator ``ratio × denominator / per``;
* rate card: ``p`` is the share of the planned participants (the cohorts' planned sizes, or ``R``
  when there are no cohorts) that reach each outcome, in their cohort's first period (the first
  period without cohorts), still true at the end of the contract.

Observations are per cohort when the counterfactual is given per cohort, otherwise one for the
whole target group, in the metric's measurement periods (all periods if none are listed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from insats.core import payments

from . import core_inputs
from .models import Contract

DEFAULT_EXAMPLES = (Decimal("0"), Decimal("0.10"), Decimal("0.20"), Decimal("0.30"))


@dataclass
class Scenario:
    improvement: Decimal
    results: payments.Results
    output: payments.Output
    payer_names: dict[str, str] = field(default_factory=dict)

    @property
    def percent(self) -> Decimal:
        return (self.improvement * 100).normalize()

    def rows(self) -> list[dict]:
        """Per period: amount before caps, each payer's amount due, total due, caps that bound."""
        caps_by_period: dict[str, list] = {}
        for m in self.output.metrics:
            for c in m.caps_applied:
                caps_by_period.setdefault(m.period, []).append((m.metric, c))
        out = []
        for p in self.output.periods:
            out.append(
                {
                    "period": p.period,
                    "before_caps": p.amount_before_caps,
                    "payers": [r.amount_due for r in p.payers],
                    "total": p.amount_due,
                    "caps": caps_by_period.get(p.period, []),
                }
            )
        return out


def _scaled(level: Decimal, p: Decimal, direction: str) -> Decimal:
    value = level * (1 - p) if direction == "decrease" else level * (1 + p)
    return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP).normalize()


def example_results(
    contract: payments.Contract, improvement: Decimal, reference: dict[str, Decimal]
) -> payments.Results:
    """The results that stand for one example outcome (see the module docstring)."""
    p = improvement
    period_ids = contract.period_ids
    observations: list[dict] = []
    participants: list[dict] = []
    cohort_start = {c.id: (c.start_period or period_ids[0]) for c in contract.cohorts}
    for m in contract.metrics:
        periods = reference.get(f"{m.id}:periods") or period_ids
        ref = reference.get(m.id)
        if m.kind == "rate_card":
            if contract.cohorts and any(c.size for c in contract.cohorts):
                groups = [(c.start_period or period_ids[0], c.size or 0) for c in contract.cohorts]
            else:
                groups = [(period_ids[0], int(ref or 0))]
            cols = {"metric": m.id, "participant": [], "outcome": [], "achieved": [], "sustained_through": []}
            n = 0
            for start, size in groups:
                k = int((Decimal(size) * p).to_integral_value(rounding=ROUND_HALF_UP))
                for _i in range(k):
                    n += 1
                    for o in m.outcomes:
                        cols["participant"].append(f"P{n}")
                        cols["outcome"].append(o.id)
                        cols["achieved"].append(start)
                        cols["sustained_through"].append(period_ids[-1])
            if cols["participant"]:
                participants.append(cols)
            continue
        if m.kind == "blended":
            if ref is None:
                continue
            for period in periods:
                observations.append(
                    {
                        "metric": m.id,
                        "period": period,
                        "counterfactual": str(ref),
                        "estimates": {e.id: str((p * ref).normalize()) for e in m.evaluations},
                    }
                )
            continue
        cf = m.counterfactual
        direction = "decrease" if m.kind == "savings" else m.direction
        cohorts = list(cf.by_cohort) if cf.by_cohort else [None]
        measure = getattr(m, "measure", None)
        sizes = {c.id: c.size for c in contract.cohorts if c.size}
        for period in periods:
            for cohort in cohorts:
                if cohort is not None and period_ids.index(period) < period_ids.index(cohort_start[cohort]):
                    continue
                row: dict = {"metric": m.id, "period": period, "cohort": cohort}
                if cf.kind == "comparison":
                    if ref is None:
                        continue
                    value = _scaled(ref, p, direction)
                    row["counterfactual"] = str(ref)
                else:
                    level = cf.level(period, cohort)
                    if level is None:
                        continue
                    value = _scaled(level, p, direction)
                if measure is not None:
                    den = Decimal(sizes[cohort]) if cohort in sizes else reference.get(f"{m.id}__den")
                    if den is None:
                        continue
                    if measure.kind == "ratio":
                        value = (value * den / measure.per).quantize(Decimal("0.000001")).normalize()
                    row["denominator"] = str(den)
                row["value"] = str(value)
                observations.append(row)
    return payments.Results.model_validate({"observations": observations, "participants": participants})


def preview(
    contract: Contract,
    improvements: list[Decimal] | tuple[Decimal, ...] = DEFAULT_EXAMPLES,
    reference: dict[str, Decimal] | None = None,
) -> list[Scenario]:
    """One :class:`Scenario` per example improvement. Raises pydantic ValidationError if the
    contract's terms do not validate (the views show it as the form's errors)."""
    core_contract = core_inputs.build_payment_contract(contract)
    reference = dict(reference or {})
    for m in contract.metrics.all():
        if m.measurement_periods:
            reference[f"{m.code}:periods"] = list(m.measurement_periods)
    names = {pid: party.organisation.name for pid, party in core_inputs.payer_parties(contract).items()}
    out = []
    for p in improvements:
        results = example_results(core_contract, p, reference)
        output = payments.calculate(core_contract, results)
        out.append(Scenario(p, results, output, names))
    return out
