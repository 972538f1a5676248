"""Exact (Decimal) outcome-payment engine. Import from :mod:`insats.core.payments`."""

from __future__ import annotations

from typing import Any

from insats.core.payments_models import Contract, Input, Output, Results

CAP_ORDER: list[str] = [
    "participant",  # rate card: most paid per participant over the contract (hard)
    "tranche",  # savings: first tranche's cap over the contract (hard)
    "bonus_tranche",  # savings: bonus tranche's cap over the contract (hard)
    "metric_period",  # metric's cap per period (carried forward if carry_forward)
    "metric_total",  # metric's cap over the contract (hard)
    "contract_period",  # all metrics' cap per period, metrics in priority order (carried if carry_forward)
    "contract_total",  # all metrics' cap over the contract, metrics in priority order (hard)
    "payer",  # each payer's cap over the contract, applied to its allocated part (hard)
]
"""The order in which caps apply. 'Hard' caps remove money for good."""


def check_results(contract: Contract, results: Results, prefix: str = "results") -> None:
    """Cross-check results against the contract; raise a ValidationError naming the field.

    Unknown metric/period/cohort/outcome/evaluation ids, a missing comparison value, duplicate
    observations, rate-card records for non-rate-card metrics, duplicates of non-repeatable outcomes.
    """
    raise NotImplementedError


def parse_input(data: dict[str, Any]) -> Input:
    """Validate ``{"contract": ..., "results": ...}`` into an :class:`Input` (raises ValidationError)."""
    return Input.model_validate(data)


def calculate(contract: Contract, results: Results) -> Output:
    """Compute every payment of ``contract`` given ``results`` — exact, Decimal, to the öre.

    Per period, per metric: the price rule gives an amount per observation (rounded to öre), rule
    caps apply, then the carried-in amount is added and the caps in :data:`CAP_ORDER` apply; the
    period total is split between payers with ``money.allocate`` and payer caps apply. The report
    lists every cap that bound and by how much.
    """
    raise NotImplementedError
