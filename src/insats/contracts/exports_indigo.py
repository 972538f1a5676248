"""The INDIGO export of an outcomes contract: what the reader may see, as plain data, turned into
INDIGO records by :mod:`insats.integrations.indigo` (which imports no domain app).

An export contains only what its reader may see through the access module: payments (outcome
payments, payments received, totals paid) only for ``contract.payment.view``, the fund's ledger
(draws, repayments, returns, IRR) only for ``contract.ledger.view``, results only for
``contract.result.view``. The public variant withholds, on top of that, everything a party marked
confidential.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.accounts import access
from insats.audit.services import log_action
from insats.integrations import indigo
from insats.integrations.indigo import REPAYMENT, _pct, _plain

from . import core_inputs
from . import services_payments as sp
from .models import Contract, LedgerKind, PartyRole, PaymentStatus, ResultStatus, period_schedule

EXPORT = "contract.export"
PAY_VIEW = "contract.payment.view"
LEDGER_VIEW = "contract.ledger.view"
RESULT_VIEW = "contract.result.view"

dumps = indigo.dumps


def readable(actor, contract: Contract) -> dict[str, bool]:
    """Which parts of the contract the actor may see (and so may export)."""
    return {
        "payments": access.can(actor, PAY_VIEW, contract),
        "ledger": access.can(actor, LEDGER_VIEW, contract),
        "results": access.can(actor, RESULT_VIEW, contract),
    }


def part_labels() -> dict[str, str]:
    """The parts :func:`readable` decides on, as the export page names them."""
    return {
        "payments": _("betalningar"),
        "ledger": _("fondens bokföring"),
        "results": _("resultat"),
    }


def as_of(contract: Contract) -> date | None:
    """The ledger's as-of date: the day the fund's ledger was last computed (its entries are rewritten
    on every recalculation); without a ledger, the day the payments were last computed; else None."""
    when = contract.ledger_entries.aggregate(m=Max("created_at"))["m"]
    if when is not None:
        return timezone.localdate(when)
    stamps = [
        line.calculation.get("computed_at")
        for line in contract.payment_lines.exclude(calculation={}).only("calculation")
        if line.calculation and line.calculation.get("computed_at")
    ]
    if stamps:
        latest = max(datetime.fromisoformat(s) for s in stamps)
        return timezone.localdate(latest) if timezone.is_aware(latest) else latest.date()
    return None


def _party_key(party) -> str:
    return f"party-{party.pk}"


def confidential_sections(contract) -> list[str]:
    """Which sections a party marked confidential.

    * a metric with ``confidential_prices`` → ``prices``;
    * confidential financing terms → ``financing`` and ``returns``;
    * a confidential party: a payer's → ``payments``; the fund's → ``financing`` and ``returns``;
      the provider's → ``costs``; the validator's → ``results``.
    """
    out: set[str] = set()
    if contract.metrics.filter(confidential_prices=True).exists():
        out.add("prices")
    terms = getattr(contract, "financing", None)
    if terms is not None and terms.confidential:
        out |= {"financing", "returns"}
    for party in contract.parties.filter(confidential=True):
        out |= {
            "commissioner": {"payments"},
            "payer": {"payments"},
            "fund": {"financing", "returns"},
            "provider": {"costs"},
            "validator": {"results"},
        }.get(party.role, set())
    return sorted(out)


def contract_input(contract: Contract, *, actor, url: str = "", today: date | None = None) -> dict:
    """The plain form for ``contract`` as ``actor`` may see it: its terms, approved results, payment
    lines and ledger — each only if the actor may see it (:func:`readable`).

    Every amount is a stored figure (payment lines = the core's ``amount_due``; ledger entries =
    the core's waterfall); the finance summary comes from the core's waterfall over the same.
    "Actual" outcome payments are the payments marked paid (what was paid), nothing else. Likewise
    the fund: ``finance["total_drawn"]`` and the draws among the transactions are what has been
    drawn by ``today`` (:func:`services_payments.ledger_split`: a draw once its period has begun);
    the draws still to come are ``finance["planned_draws"]`` (and the provider's planned costs).
    Repayments and returns follow the approved results and payments, as the ledger holds them.
    """
    today = today or timezone.localdate()
    may = readable(actor, contract)

    parties = list(contract.parties.select_related("organisation").order_by("id"))
    orgs = {
        _party_key(p): {
            "id": indigo.org_identifier(p.organisation.org_number, str(p.organisation.pk)),
            "name": p.organisation.name,
            "kind": p.organisation.kind,
            "confidential": p.confidential,
        }
        for p in parties
    }
    by_role: dict[str, list] = {}
    for p in parties:
        by_role.setdefault(p.role, []).append(p)
    schedule = period_schedule(contract.term_start, contract.term_end, contract.period_type)
    periods = [{"id": p["id"], "start": p["start"], "end": p["end"]} for p in schedule]
    end_of = {p["id"]: p["end"] for p in schedule}
    payer_parties = list(core_inputs.payer_parties(contract).values())
    lines = (
        list(contract.payment_lines.select_related("payer").order_by("period", "payer_id"))
        if may["payments"]
        else []
    )
    paid_by_payer: dict[int, Decimal] = {}
    for line in lines:
        if line.status == PaymentStatus.PAID:
            paid_by_payer[line.payer_id] = paid_by_payer.get(line.payer_id, Decimal(0)) + (
                line.paid_amount if line.paid_amount is not None else line.due
            )

    core_contract = None
    try:
        core_contract = core_inputs.build_payment_contract(contract)
    except Exception:  # noqa: BLE001 - an incomplete draft exports without prices
        core_contract = None
    caps = (contract.payment_terms or {}).get("caps") or {}
    max_total = Decimal(str(caps["total"])) if caps.get("total") not in (None, "") else None
    if max_total is None and core_contract is not None:
        metric_caps = [m.cap_total for m in core_contract.metrics]
        if metric_caps and all(c is not None for c in metric_caps):
            max_total = sum(metric_caps, Decimal(0))

    payers = []
    for p in payer_parties:
        maximum = p.payer_cap
        if maximum is None and max_total is not None:
            maximum = (max_total * p.payer_share / 100).quantize(Decimal("0.01"))
        payers.append(
            {
                "org": _party_key(p),
                "share": p.payer_share / 100,
                "maximum": maximum,
                "paid": paid_by_payer.get(p.pk, Decimal("0.00")) if may["payments"] else None,
            }
        )

    metrics = []
    for m in contract.metrics.all():
        rule = m.rule or {}
        price = rule.get("price")
        metrics.append(
            {
                "id": m.code,
                "name": m.name,
                "definition": m.definition or m.name,
                "unit": m.unit,
                "target": m.counterfactual_description or None,
                "validation_method": m.validation_method,
                "data_source": m.data_source,
                "price": Decimal(str(price)) if price not in (None, "") else None,
                "price_description": _price_text(m.kind, rule, m.unit, contract.currency),
                "cap_total": Decimal(str(rule["cap_total"]))
                if rule.get("cap_total") not in (None, "")
                else None,
            }
        )

    last_period = periods[-1]["id"] if periods else None
    validators = [_party_key(p) for p in by_role.get(PartyRole.VALIDATOR, [])]
    results = [
        {
            "metric": r.metric.code,
            "period": r.period,
            "cohort": r.cohort.code if r.cohort_id else None,
            "value": r.value,
            "counterfactual": r.counterfactual_value if r.counterfactual_value is not None else _level(r),
            "validators": validators,
            "final": r.period == last_period,
        }
        for r in contract.result_reports.filter(status=ResultStatus.APPROVED).select_related(
            "metric", "cohort"
        )
        if may["results"]
    ]

    payments = []
    for line in lines:
        payments.append(
            {
                "period": line.period,
                "payer": _party_key(line.payer),
                "type": "Planned",
                "amount": line.planned,
            }
        )
    for line in lines:
        # "Actual" is a payment actually made (INDIGO: an effective transaction); a computed amount
        # not yet paid is not one
        if line.status == PaymentStatus.PAID:
            payments.append(
                {
                    "period": line.period,
                    "payer": _party_key(line.payer),
                    "type": "Actual",
                    "amount": line.paid_amount if line.paid_amount is not None else line.due,
                    "note": "Betald"
                    + (f" {timezone.localdate(line.paid_at).isoformat()}" if line.paid_at else "")
                    + f"; beräknat att betala {_plain(line.due)} kr (insats.core.payments).",
                }
            )

    provider = (by_role.get(PartyRole.PROVIDER) or [None])[0]
    transactions = []
    for line in lines:
        if line.status == PaymentStatus.PAID and provider is not None:
            transactions.append(
                {
                    "date": (timezone.localdate(line.paid_at) if line.paid_at else end_of.get(line.period)),
                    "from": _party_key(line.payer),
                    "to": _party_key(provider),
                    "type": "Outcome Payment",
                    "amount": line.paid_amount if line.paid_amount is not None else line.due,
                    "note": f"Period {line.period}",
                }
            )
    terms = getattr(contract, "financing", None)
    fund_party = core_inputs.fund_party(contract) if terms is not None else None
    fund = None
    finance: dict[str, Any] = {"as_of": as_of(contract)}
    if lines:
        finance["total_paid"] = sum(paid_by_payer.values(), Decimal("0.00"))
    provider_costs = []
    if terms is not None and fund_party is not None:
        fund = {
            "org": _party_key(fund_party),
            "commitment": terms.commitment,
            "return_basis": terms.return_basis,
            "annual_rate": terms.annual_rate,
            "multiple_cap": terms.multiple_cap,
            "fund_surplus_share": terms.fund_surplus_share,
        }
        tx_kind = {
            LedgerKind.DRAW: ("Debt", "fund", "provider"),
            LedgerKind.REPAYMENT_PRINCIPAL: ("Capital Repayment", "provider", "fund"),
            LedgerKind.RETURN: ("Interest Payment", "provider", "fund"),
            LedgerKind.SURPLUS_FUND: ("Other", "provider", "fund"),
        }
        keys = {"fund": _party_key(fund_party), "provider": _party_key(provider) if provider else None}
        ledger = None
        if may["ledger"]:
            try:
                ledger = sp.ledger_report(contract)
            except Exception:  # noqa: BLE001 - terms not computable yet (a draft)
                ledger = None
        split = sp.ledger_split(contract, ledger.output, today) if ledger is not None else None
        entries = contract.ledger_entries.order_by("period_index", "kind") if may["ledger"] else []
        for e in entries:
            if e.kind not in tx_kind or keys["provider"] is None:
                continue
            if e.kind == LedgerKind.DRAW and (split is None or e.period_index not in split.started):
                continue  # a planned draw, not a transaction that happened
            kind, src, dst = tx_kind[e.kind]
            period_id = e.period if e.period in end_of else None
            when = (
                end_of[period_id]
                if period_id and e.kind != LedgerKind.DRAW
                else next((p["start"] for p in periods if p["id"] == period_id), None)
            )
            transactions.append(
                {
                    "date": when or contract.term_end,
                    "from": keys[src],
                    "to": keys[dst],
                    "type": kind,
                    "amount": e.amount,
                    "investment": True,
                    "note": e.get_kind_display(),
                }
            )
        if ledger is not None and contract.payment_lines.exists():
            out = ledger.output
            finance["total_drawn"] = split.drawn  # what has happened, not the whole schedule
            finance["planned_draws"] = split.planned_draws
            finance["irr_annual"] = out.irr_annual
            if contract.status == "closed":
                finance["repayment"] = _repayment(out)
        for i, cost in enumerate(terms.drawdown_schedule or []):
            if i < len(periods) and provider is not None:
                provider_costs.append(
                    {
                        "period": periods[i]["id"],
                        "date": periods[i]["start"],
                        "planned": Decimal(str(cost)),
                        "org": _party_key(provider),
                    }
                )

    signed = [p.signed_at for p in parties if p.signed_at]
    key_dates = {d.get("label"): d.get("date") for d in (contract.key_dates or []) if isinstance(d, dict)}
    completion = None
    if core_contract is not None and core_contract.periods and core_contract.periods[-1].payment_due:
        completion = core_contract.periods[-1].payment_due
    status_map = {
        "draft": "utkast",
        "negotiation": "forhandling",
        "signed": "undertecknat",
        "active": "genomforande",
        "closed": "avslutat",
        "cancelled": "avbrutet",
    }
    cohort_sizes = [c.planned_size for c in contract.cohorts.all() if c.planned_size is not None]
    return {
        "id": f"insats-contract-{contract.pk}",
        "title": contract.title,
        "status": status_map.get(contract.status, contract.status),
        "currency": contract.currency,
        "url": url,
        "social_challenge": contract.summary or None,
        "intervention": contract.intervention or None,
        "target_population": contract.target_population or None,
        "policy_sector": contract.policy_sector or None,
        "targeted_number": sum(cohort_sizes) if cohort_sizes else None,
        "dates": {
            "signed": max(signed).date() if signed and len(signed) == len(parties) else None,
            "start": contract.term_start,
            "end": contract.term_end,
            "completion": completion or contract.term_end,
            "actual_end": contract.term_end if contract.status == "closed" else None,
            "key_dates": key_dates,
        },
        "organisations": orgs,
        "payers": payers,
        "providers": [
            {"org": _party_key(p), "intervention": contract.intervention}
            for p in by_role.get(PartyRole.PROVIDER, [])
        ],
        "validators": validators,
        "intermediaries": [
            {"org": _party_key(p), "description": "Intermediär i utfallskontraktet"}
            for p in by_role.get(PartyRole.INTERMEDIARY, [])
        ],
        "fund": fund,
        "maximum_outcome_payment": max_total,
        "periods": periods,
        "metrics": metrics,
        "results": results,
        "payments": payments,
        "transactions": transactions,
        "provider_costs": provider_costs,
        "finance": finance,
        "confidential": confidential_sections(contract),
    }


def _level(report) -> Decimal | None:
    cf = report.metric.counterfactual or {}
    if cf.get("kind") not in ("baseline", "target"):
        return None
    by_cohort = cf.get("by_cohort") or {}
    if report.cohort_id and report.cohort.code in by_cohort:
        return Decimal(str(by_cohort[report.cohort.code]))
    by_period = cf.get("by_period") or {}
    if report.period in by_period:
        return Decimal(str(by_period[report.period]))
    return Decimal(str(cf["value"])) if cf.get("value") not in (None, "") else None


def _repayment(out) -> str:
    if out.total_drawn <= 0:
        return "Not publicly available"
    if out.total_to_principal == 0:
        return REPAYMENT[0]
    if out.loss > 0:
        return REPAYMENT[1]
    if out.fund_receipts <= out.total_drawn:
        return REPAYMENT[2]
    return REPAYMENT[3]


def _price_text(kind: str, rule: dict, unit: str, currency: str = "SEK") -> str:
    if rule.get("price") not in (None, ""):
        text = f"{_plain(Decimal(str(rule['price'])))} {currency} per {unit or 'enhet'}"
    elif rule.get("tiers"):
        text = "Prisintervall: " + "; ".join(
            f"upp till {t.get('up_to') or '∞'}: {t['price']} {currency}" for t in rule["tiers"]
        )
    elif kind == "rate_card":
        text = "Prislista: " + "; ".join(
            f"{o.get('label') or o['id']}: {o['price']} {currency}" for o in rule.get("outcomes", [])
        )
    elif kind == "savings":
        text = f"Andel av besparingen: {_pct(Decimal(str(rule.get('share', '1'))))}"
    else:
        text = "Betalas inte (villkor)"
    threshold = rule.get("threshold")
    if threshold:
        text += f"; tröskel {threshold['kind']} {threshold['value']}"
    if rule.get("cap_total") not in (None, ""):
        text += f"; högst {rule['cap_total']} {currency} totalt"
    return text


def export_contract(*, actor, contract: Contract, variant: str = "full", url: str = "") -> dict:
    """The contract as a validated INDIGO package for ``actor`` (``contract.export``); audited.

    Holds only what the actor may see (:func:`contract_input`); ``variant="public"`` also withholds
    everything a party marked confidential. Raises ValueError if the package does not validate (a
    bug: it is tested not to happen)."""
    access.check(actor, EXPORT, contract)
    if variant not in indigo.VARIANTS:
        raise ValueError("variant must be 'full' or 'public'")
    package = indigo.build_package(contract_input(contract, actor=actor, url=url), variant)
    indigo.check_package(package)
    may = readable(actor, contract)
    log_action(
        "contract.exported",
        actor=actor.user if actor.is_authenticated else None,
        organisation=actor.organisation,
        obj=contract,
        changes={
            "format": "indigo-4",
            "variant": variant,
            "record": "pipeline" if "pipeline" in package else "project",
            "private_fields": len(indigo.private_paths(package)),
            "withheld": sorted(k for k, ok in may.items() if not ok),
        },
    )
    return package
