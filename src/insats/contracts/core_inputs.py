"""From the database to the core: a contract as ``insats.core.payments.Contract`` and its financing
as ``insats.core.financing.FinancingTerms``.

Every figure the contract pages, the business case and the payments show is computed by the core
from what these functions build, so there is exactly one translation between the two.

* periods: ``Contract.period_ids()`` (``2026``, ``2026-H1``, ``2026-Q1`` or ``2026-01``);
* payers: the parties with role commissioner or payer and a share above zero, in party order, with
  id ``party-<pk>`` (:func:`payer_parties` maps the ids back), share = per cent / 100;
* cohorts: id = the cohort's code, starting in the period of its first entry day;
* metrics: ``OutcomeMetric.core_json()`` in priority order;
* caps and carry-forward: ``Contract.payment_terms``; due dates of their own per period:
  ``payment_terms["payment_due"]`` on the periods;
* currency: ``Contract.currency`` (left out when SEK, the core's default);
* investors and guarantees of the financing: ``FinancingTerms.loss_cover``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from insats.core import financing, payments

from .models import Contract, ContractParty, PartyRole, period_of, period_schedule

HUNDRED = Decimal(100)
METRIC_KINDS = ("rate_card", "improvement", "blended", "savings", "condition")


def payer_parties(contract: Contract) -> dict[str, ContractParty]:
    """``{core payer id: party}`` for the parties that pay, in the order the core sees them."""
    out = {}
    for party in contract.parties.select_related("organisation").order_by("id"):
        if party.is_payer:
            out[party.payer_id] = party
    return out


def periods_json(contract: Contract) -> list[dict]:
    """The periods; a period with a due date of its own (``payment_terms["payment_due"]``) carries it."""
    due = (contract.payment_terms or {}).get("payment_due") or {}
    out = []
    for p in period_schedule(contract.term_start, contract.term_end, contract.period_type):
        row = {"id": p["id"], "label": p["label"], "end": p["end"].isoformat()}
        if due.get(p["id"]):
            row["payment_due"] = due[p["id"]]
        out.append(row)
    return out


def cohorts_json(contract: Contract) -> list[dict]:
    period_ids = set(contract.period_ids())
    out = []
    for c in contract.cohorts.all():
        start = period_of(c.entry_start, contract.period_type)
        row: dict[str, Any] = {"id": c.code, "label": c.name}
        if start in period_ids:
            row["start_period"] = start
        if c.planned_size is not None:
            row["size"] = c.planned_size
        out.append(row)
    return out


def payers_json(contract: Contract) -> list[dict]:
    out = []
    for pid, party in payer_parties(contract).items():
        row: dict[str, Any] = {
            "id": pid,
            "name": party.organisation.name,
            "share": str((party.payer_share / HUNDRED).normalize()),
        }
        if party.payer_cap is not None:
            row["cap"] = str(party.payer_cap)
        out.append(row)
    return out


def payment_contract_json(contract: Contract, *, metrics: list[dict] | None = None) -> dict:
    """The contract in the core's JSON form (``metrics`` replaces the stored metrics if given)."""
    terms = contract.payment_terms or {}
    data: dict[str, Any] = {
        "id": contract.reference or f"contract-{contract.pk}",
        "name": contract.title,
        "periods": periods_json(contract),
        "cohorts": cohorts_json(contract),
        "payers": payers_json(contract),
        "metrics": metrics if metrics is not None else [m.core_json() for m in contract.metrics.all()],
    }
    if contract.currency and contract.currency != "SEK":
        data["currency"] = contract.currency  # SEK is the core's default
    caps = {k: v for k, v in (terms.get("caps") or {}).items() if v not in (None, "", {})}
    if caps:
        data["caps"] = caps
    if terms.get("carry_forward"):
        data["carry_forward"] = True
    return data


def build_payment_contract(contract: Contract) -> payments.Contract:
    """The contract as the payments engine's model. Raises pydantic ``ValidationError`` naming fields."""
    return payments.Contract.model_validate(payment_contract_json(contract))


def financing_terms_json(contract: Contract) -> dict | None:
    terms = getattr(contract, "financing", None) if contract.pk else None
    if terms is None:
        return None
    data: dict[str, Any] = {
        "commitment": str(terms.commitment),
        "provider_costs": [str(c) for c in (terms.drawdown_schedule or [])],
        "periods_per_year": contract.periods_per_year,
        "return_basis": terms.return_basis,
        "fund_surplus_share": str(terms.fund_surplus_share.normalize()),
    }
    if terms.annual_rate is not None:
        data["annual_rate"] = str(terms.annual_rate.normalize())
    if terms.multiple_cap is not None:
        data["multiple_cap"] = str(terms.multiple_cap.normalize())
    cover = terms.loss_cover or {}
    for key in ("tranches", "guarantees"):
        if cover.get(key):
            data[key] = cover[key]
    return data


def build_financing_terms(contract: Contract) -> financing.FinancingTerms | None:
    """The fund's terms as the financing engine's model, or None if the contract has none."""
    data = financing_terms_json(contract)
    if data is None:
        return None
    return financing.FinancingTerms.model_validate(data)


def fund_party(contract: Contract) -> ContractParty | None:
    terms = getattr(contract, "financing", None)
    if terms is not None and terms.fund_party_id:
        return terms.fund_party
    return contract.parties.filter(role=PartyRole.FUND).first()


def error_list(exc: PydanticValidationError) -> list[tuple[str, str]]:
    """``[(dotted field, message)]`` from a pydantic error, e.g. ``("metrics.0.price", "…")``."""
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if not str(p).startswith("function-after")]
        # Drop the discriminator tag pydantic inserts for tagged unions (metrics.0.improvement.price).
        loc = [
            p
            for i, p in enumerate(loc)
            if not (p in METRIC_KINDS and (i == 0 or (i >= 2 and loc[i - 2] == "metrics")))
        ]
        message = err.get("msg", "")
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        out.append((".".join(loc), message))
    return out
