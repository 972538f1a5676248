"""An outcomes contract as INDIGO 4.x records (the Government Outcomes Lab's data standard).

INDIGO (https://golab.bsg.ox.ac.uk/knowledge-bank/indigo/, schemas in ``INDIGO-Initiative/
indigo-data-standard``) describes an impact bond as one *project* record with components (outcome
metrics and their pricing, outcome payment commitments per payer, investments, service provisions,
results, planned and actual outcome payments, a ledger of transactions), a deal not yet contracted
as a *pipeline* record, and every party as an *organisation* record. Organisations are referred to
by org-id (https://org-id.guide): ``SE-ON-<organisationsnummer>`` (the Swedish list; ``SE-BLV`` is
deprecated there).

This module is **plain data in, plain data out**: it imports no Django and no domain app
(``tests/integrations/test_no_domain_imports.py`` fails if it does). The contracts app reads a
contract — only what the reader may see through the access module — into the *plain form* below
(``insats.contracts.exports_indigo``) and calls :func:`build_package`.

**Confidentiality.** INDIGO marks each datum with a ``status``: ``PUBLIC``, ``PRIVATE`` or
``DISPUTED``. Fields defined as ``object_with_value_*_and_status`` carry it next to the value
(``{"value": 1000000, "status": "PRIVATE"}``); items of lists (an investment, a pricing, a
payment) carry it on the item. A party marks *sections* of the contract confidential; every field
and item of such a section is exported with status ``PRIVATE`` in the *full* variant (the file for
the parties and for submission to INDIGO, whose publication pipeline withholds PRIVATE data). The
*public* variant first removes every confidential value from the plain form (:func:`withhold`) and
then every PRIVATE value left (:func:`redact_private`): nothing a party marked confidential
appears in it, including fields the schema cannot mark (a payer's total paid) and the names and
identifiers of confidential parties.

Sections (``input["confidential"]``): ``prices`` (outcome pricings, maximum payments),
``financing`` (investment commitment, return terms), ``returns`` (IRR, repayments, transactions
with the fund), ``payments`` (planned and actual outcome payments, totals paid, payer shares),
``results`` (validated results), ``costs`` (the provider's costs). An organisation with
``"confidential": true`` is withheld from the public variant.

**Validation.** :func:`validate` checks a record against ``project.json``, ``pipeline.json`` or
``organisation.json`` (JSON Schema draft 7) and the INDIGO code lists (``codelist`` keyword: the
CSV files next to the schema, ``countries.csv`` included). A code list the schema names but that is
missing is an error, never skipped.

The plain form (all keys optional unless noted)::

    {
      "id": "insats-contract-12",                      # required
      "title": "Färre placeringar – Barnens Väl",       # required
      "status": "genomforande",                    # utkast, forhandling (pipeline) … avslutat, avbrutet
      "country": "SE", "currency": "SEK",
      "url": "https://…/kontrakt/12/",
      "social_challenge": "…", "intervention": "…", "target_population": "…",
      "policy_sector": "Child and family welfare",     # INDIGO enum, chosen on the contract
      "targeted_number": 120, "actual_number": 97,
      "dates": {"signed": date, "start": date, "end": date, "completion": date, "actual_end": date},
      "organisations": {"<key>": {"id": "SE-ON-2120001157", "name": "…", "kind": "kommun",
                                  "confidential": False}},
      "payers": [{"org": key, "share": Decimal, "maximum": Decimal|None, "paid": Decimal|None}],
      "providers": [{"org": key, "intervention": "…"}],
      "validators": [key, …], "intermediaries": [{"org": key, "description": "…"}],
      "fund": {"org": key, "commitment": Decimal, "return_basis": "fixed_rate"|"capped_multiple",
               "annual_rate": Decimal|None, "multiple_cap": Decimal|None, "fund_surplus_share": Decimal},
      "maximum_outcome_payment": Decimal|None,
      "periods": [{"id": "2026", "start": date, "end": date}],
      "metrics": [{"id", "name", "definition", "unit", "target", "validation_method", "data_source",
                   "price": Decimal|None, "price_description": "…", "cap_total": Decimal|None}],
      "results": [{"metric", "period", "cohort", "value", "counterfactual", "description",
                   "validators": [key], "final": bool}],
      "payments": [{"period", "payer", "type": "Planned"|"Actual", "amount": Decimal,
                    "metric": id|None, "note": "…"}],        # Actual = paid, nothing else
      "transactions": [{"date": date, "from": key, "to": key, "type": INDIGO transaction type,
                        "amount": Decimal, "investment": bool, "metric": id|None, "note": "…"}],
      "provider_costs": [{"period", "date": date, "planned": Decimal, "actual": Decimal|None, "org": key}],
      "finance": {"total_drawn": Decimal, "planned_draws": Decimal, "irr_annual": float|None,
                  "repayment": INDIGO enum|None, "as_of": date|None, "total_paid": Decimal},
                  # as_of: the ledger's as-of date; total_drawn: drawn so far (what happened),
                  # planned_draws: the draws still to come (the plan; provider_costs carry it)
      "confidential": ["prices", "financing", …],
    }
"""

from __future__ import annotations

import copy
import csv
import json
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent / "indigo_schema"
"""Where ``project.json``, ``pipeline.json``, ``organisation.json`` and the code lists live: a copy
of the official INDIGO 4.x schemas shipped with the code (a test checks it equals the copy in
``shared/schemas``); ``INSATS_INDIGO_SCHEMA_DIR`` points elsewhere."""

SECTIONS = ("prices", "financing", "returns", "payments", "results", "costs")
PUBLIC, PRIVATE = "PUBLIC", "PRIVATE"
VARIANTS = ("full", "public")

STAGE = {
    "undertecknat": "Contracted",
    "genomforande": "Implementation",
    "avslutat": "Complete",
}
"""Contract status → INDIGO project ``stage_development``."""

PIPELINE_STAGE = {
    "utkast": "Late stage",
    "forhandling": "Final negotiations",
}
"""Contract status → INDIGO pipeline ``stage_development.stage`` (a contract not yet signed)."""

POLICY_SECTORS = (
    "Employment and training",
    "Child and family welfare",
    "Health",
    "Homelessness",
    "Education",
    "Criminal justice",
    "Agriculture and environment",
    "Poverty reduction",
)
"""The project schema's ``policy_sector`` values (one is chosen on the contract)."""

PIPELINE_SECTORS = {
    "Employment and training": ("employment_and_private_sector_development",),
    "Child and family welfare": ("social_protection",),
    "Health": ("health",),
    "Homelessness": ("social_protection",),
    "Education": ("education",),
    "Criminal justice": ("criminal_justice",),
    "Agriculture and environment": ("agriculture", "environment_and_climate_change"),
    "Poverty reduction": ("social_protection",),
}
"""The project's policy sector → the pipeline schema's yes/no sector flags."""

ROLE_CATEGORY = {
    "kommun": ("Government/Public Sector/Public Bank",),
    "region": ("Government/Public Sector/Public Bank",),
    "myndighet": ("Government/Public Sector/Public Bank",),
    "samordningsforbund": ("Government/Public Sector/Public Bank",),
    "ideburen": ("Nonprofit/NGO",),
    "stiftelse": ("Foundation/Philanthropist",),
    "foretag": ("For-profit", "Commercial", "Impact Investor"),
    "utfallsfond": ("Investment Fund", "Impact Investor", "Other"),
}
"""Organisation kind → INDIGO role categories, in preference order (each list has its own code list:
the first one the list allows is used; otherwise "Other" where allowed)."""

REPAYMENT = (
    "No repayment (no principle or return)",
    "Some repayment (but below value of principle)",
    "Principal repaid (but no net return)",
    "Principal + positive financial returns",
)


def schema_dir() -> Path:
    env = os.environ.get("INSATS_INDIGO_SCHEMA_DIR")
    if env:
        return Path(env)
    return SCHEMA_DIR


def is_pipeline(data: dict) -> bool:
    """A contract not yet signed (a draft, in negotiation, or cancelled before signing) is a pipeline
    record; every other one a project."""
    status = data.get("status") or ""
    if status in PIPELINE_STAGE:
        return True
    return status == "avbrutet" and not (data.get("dates") or {}).get("signed")


# ------------------------------------------------------------------------------------------------
# small builders


def _num(value: Decimal | int | float | None) -> float | int | None:
    """An INDIGO number (JSON number). Money keeps its öre exactly: the float's shortest repr is
    the two-decimal amount for anything below 10^13 SEK (checked)."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    d = value if isinstance(value, Decimal) else Decimal(repr(value))
    if d == d.to_integral_value() and abs(d) < 2**53:
        return int(d)
    f = float(d)
    if Decimal(repr(f)) != d:
        raise ValueError(f"{d} is not representable exactly as an INDIGO number")
    return f


def _date(value: date | str | None) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _v(value: Any, status: str | None = None) -> dict | None:
    """``{"value": …}`` (and ``"status"`` when given); None when there is no value."""
    if value is None or value == "":
        return None
    out: dict[str, Any] = {"value": value}
    if status is not None:
        out["status"] = status
    return out


def _clean(obj: Any) -> Any:
    """Drop None values and empty containers, recursively (INDIGO omits unknown fields)."""
    if isinstance(obj, dict):
        out = {k: _clean(v) for k, v in obj.items()}
        return {k: v for k, v in out.items() if v is not None and v != {} and v != []}
    if isinstance(obj, list):
        return [x for x in (_clean(v) for v in obj) if x is not None and x != {}]
    return obj


def _money(amount: Decimal | None, currency: str, status: str | None = None, key: str = "amount") -> dict:
    """``{"currency": {"value": "SEK"[, status]}, key: {"value": n[, status]}}``."""
    if amount is None:
        return {}
    return {"currency": _v(currency, status), key: _v(_num(amount), status)}


# ------------------------------------------------------------------------------------------------
# the project


def build_project(data: dict) -> dict:
    """The INDIGO project for a contract in the plain form (see the module docstring)."""
    private = set(data.get("confidential") or ())
    unknown = private - set(SECTIONS)
    if unknown:
        raise ValueError(f"confidential: unknown section(s) {sorted(unknown)}; use {list(SECTIONS)}")

    def st(section: str) -> str:
        return PRIVATE if section in private else PUBLIC

    cur = data.get("currency") or "SEK"
    orgs: dict[str, dict] = data.get("organisations") or {}

    def org_ref(key: str | None) -> dict | None:
        if key is None or key not in orgs:  # no organisation, or one withheld from this variant
            return None
        return _v(orgs[key]["id"])

    def category(key: str, section: str) -> dict | None:
        if key not in orgs:
            return None
        allowed = _role_categories(section)
        for candidate in ROLE_CATEGORY.get(orgs[key].get("kind", ""), ()) + ("Other",):
            if candidate in allowed:
                return _v(candidate)
        return None

    periods = {p["id"]: p for p in data.get("periods") or []}

    def period_obj(pid: str) -> dict:
        p = periods.get(pid) or {}
        return {"start_date": _v(_date(p.get("start"))), "end_date": _v(_date(p.get("end")))}

    dates = data.get("dates") or {}
    start, end = dates.get("start"), dates.get("end")
    status = data.get("status") or ""
    stage = STAGE.get(status)
    finance = data.get("finance") or {}
    fund = data.get("fund")

    project: dict[str, Any] = {
        "status": PUBLIC,
        "name": _v(data["title"]),
        "stage_development": _v(stage) if stage else None,
        "social_investment_prototype": _v("YES"),
        "notes": _v(
            f"Exporterat från Insats ({data['id']}); kontraktets status: {status}."
            if status
            else f"Exporterat från Insats ({data['id']})."
        ),
        "dates": {
            "outcomes_contract_signed": _v(_date(dates.get("signed")), PUBLIC),
            "contracts_between_all_parties_signed": _v(_date(dates.get("signed")), PUBLIC),
            "start_date_of_service_provision": _v(_date(start), PUBLIC),
            "anticipated_end_date_of_service_provision": _v(_date(end), PUBLIC),
            "actual_end_date_of_service_provision": _v(_date(dates.get("actual_end")), PUBLIC),
            "anticipated_completion_date": _v(_date(dates.get("completion")), PUBLIC),
            "anticipated_duration_of_service_provision": _v(_months(start, end), PUBLIC),
            "actual_completion_date": _v(
                _date(dates.get("completion")) if status == "avslutat" else None, PUBLIC
            ),
        },
        "jurisdiction": {"jurisdiction": _v(data.get("country") or "SE", PUBLIC)},
        "purpose_and_classifications": {
            "social_challenge": _v(data.get("social_challenge"), PUBLIC),
            "intervention": _v(data.get("intervention"), PUBLIC),
            "policy_sector": _v(data.get("policy_sector")),
        },
        "service_and_beneficiaries": {
            "target_population": _v(data.get("target_population"), PUBLIC),
            "targeted_number_service_users_or_beneficiaries_total": _v(
                _num(data.get("targeted_number")), PUBLIC
            ),
            "unit_type_targeted_service_users_or_beneficiaries": _v("Individual", PUBLIC)
            if data.get("targeted_number") is not None
            else None,
            "actual_number_service_users_or_beneficiaries_total": _v(_num(data.get("actual_number")), PUBLIC),
        },
        "sources": [
            {
                "id": "insats",
                "name": _v(f"Insats: {data['title']}"),
                "type": _v("Contract"),
                "url": _v(data.get("url")),
                "accessed_date": _v(_date(finance.get("as_of"))),
            }
        ],
    }

    # overall finance -----------------------------------------------------------------------------
    overall: dict[str, Any] = {
        "configuration_contracting_parties": _v("Framework structure", PUBLIC),
    }
    if fund:
        s = st("financing")
        overall["total_investment_commitment"] = {
            "currency": _v(cur, s),
            "amount": {"exact": _v(_num(fund.get("commitment")), s)},
        }
        # percentages, as the schema asks: the whole principal can be lost (payment only for
        # outcomes); the best case is the contracted return
        overall["maximum_potential_loss"] = _v(_percent(fund.get("commitment"), Decimal(1)), s)
        overall["maximum_potential_return_type"] = _v(
            _return_type(fund) if fund.get("return_basis") else None, s
        )
        overall["maximum_potential_return"] = _v(_percent(fund.get("commitment"), _max_return(fund)), s)
    if data.get("maximum_outcome_payment") is not None:
        overall["maximum_potential_outcome_payment_v2"] = _money(
            data["maximum_outcome_payment"], cur, st("prices")
        )
    if finance.get("repayment"):
        overall["investor_repayment"] = _v(finance["repayment"], st("returns"))
    if finance.get("total_paid") is not None:
        overall["total_outcome_payments_made"] = _money(finance["total_paid"], cur, st("payments"))
    overall["source_ids"] = "insats"
    project["overall_project_finance"] = overall

    if fund and finance.get("total_drawn") is not None:
        s = st("returns")
        irr = finance.get("irr_annual")
        project["investment_details"] = {
            "total_funds_invested": {
                "latest": {
                    "currency": _v(cur, s),
                    "amount": _v(_num(finance["total_drawn"]), s),
                    "date": _v(_date(finance.get("as_of")), s),
                }
            },
            "internal_rate_of_return": {
                "latest": _v(None if irr is None else f"{Decimal(repr(irr)) * 100:.2f}%", s),
                "date": _v(_date(finance.get("as_of")), s),
            },
        }

    # parties ------------------------------------------------------------------------------------
    project["service_provisions"] = [
        {
            "id": f"sp-{i}",
            "organisation_id": org_ref(p["org"]),
            "organisation_role_category": category(p["org"], "service_provisions"),
            "intervention": _v(p.get("intervention") or data.get("intervention")),
            "planned_service": {"start_date": _v(_date(start)), "end_date": _v(_date(end))},
            "status": PUBLIC,
        }
        for i, p in enumerate(data.get("providers") or [], start=1)
    ]
    project["outcome_payment_commitments"] = [
        {
            "organisation_id": org_ref(p["org"]),
            "organisation_role_category": category(p["org"], "outcome_payment_commitments"),
            "maximum_potential_outcome_payment": (
                {"currency": _v(cur, st("prices")), "amount": _v(_num(p["maximum"]))}
                if p.get("maximum") is not None
                else None
            ),
            "result_type": _v("Overall"),
            "period": {"start_date": _v(_date(start)), "end_date": _v(_date(end))},
            "total_outcome_payments": (
                {"currency": _v(cur, st("payments")), "amount": _v(_num(p["paid"]))}
                if p.get("paid") is not None
                else None
            ),
            "notes": f"Andel av utfallsbetalningarna: {_pct(p.get('share'))}." if p.get("share") else None,
            # the amounts here are plain numbers (no status of their own): the item carries it
            "status": _worst(
                st("prices") if p.get("maximum") is not None else PUBLIC,
                st("payments") if p.get("paid") is not None or p.get("share") else PUBLIC,
            ),
        }
        for p in data.get("payers") or []
    ]
    if fund:
        s = st("financing")
        inv = {
            "id": "inv-1",
            "organisation_id": org_ref(fund["org"]),
            "organisation_role_category": category(fund["org"], "investments"),
            "investment_commitment": {
                "currency": _v(cur),
                "amount": {"exact": _v(_num(fund.get("commitment")))},
            },
            "maximum_potential_loss": _v(_percent(fund.get("commitment"), Decimal(1))),
            "investment_type": _v("Debt"),
            "investor_repayment": _v(finance.get("repayment")),
            "notes": _return_text(fund) if fund.get("return_basis") else None,
            "status": s,
        }
        best = _max_return(fund)
        if best is not None:
            if fund.get("return_basis") == "fixed_rate":
                inv["maximum_potential_return_type"] = _v("Average annual return")
            inv["maximum_potential_return"] = _v(_num((best * 100).normalize()))
        project["investments"] = [inv]
    project["intermediary_services"] = _intermediary_services(data, org_ref)

    # metrics and prices -------------------------------------------------------------------------
    project["outcome_metrics"] = _outcome_metrics(data, with_sector=True)
    project["outcome_pricings"] = [
        {
            "outcome_metric_id": _v(m["id"]),
            "currency": _v(cur),
            "price_per_unit": {"amount": _v(_num(m.get("price")))} if m.get("price") is not None else None,
            "maximum_price_if_all_targets_achieved": (
                {"amount": _v(str(_num(m["cap_total"])))} if m.get("cap_total") is not None else None
            ),
            "price_description": _v(m.get("price_description")),
            "status": st("prices"),
        }
        for m in data.get("metrics") or []
        if m.get("price") is not None or m.get("price_description")
    ]

    # results ------------------------------------------------------------------------------------
    validator_ids = ",".join(orgs[k]["id"] for k in data.get("validators") or [] if k in orgs)
    project["results"] = [
        {
            "outcome_metric_id": _v(r["metric"]),
            "result_level": _v("Outcome level"),
            "result_type": _v("Final" if r.get("final") else "Interim"),
            "period": period_obj(r["period"]),
            "outcomes_achieved": _v(r.get("description") or _result_text(r)),
            "outcomes_validator_organisation_ids": _v(
                ",".join(orgs[k]["id"] for k in r["validators"] if k in orgs)
                if r.get("validators")
                else validator_ids
            ),
            "notes": f"Period {r['period']}" + (f", kohort {r['cohort']}" if r.get("cohort") else ""),
            "status": st("results"),
        }
        for r in data.get("results") or []
    ]

    # payments -----------------------------------------------------------------------------------
    if data.get("payments"):
        project["outcome_payment_plans"] = [
            {
                "id": _v("plan-1"),
                "period": {
                    "start_date": _v(_date(start)),
                    "end_date": _v(_date(dates.get("completion") or end)),
                },
                "status": PUBLIC,
                "notes": "Betalningsplanen enligt kontraktet.",
            }
        ]
    recipient = (data.get("providers") or [{}])[0].get("org")
    project["outcome_payments"] = [
        {
            "outcome_payment_plan_id": _v("plan-1"),
            "outcome_metric_id": _v(p.get("metric")),
            "period": period_obj(p["period"]),
            "payer_organisation_id": org_ref(p["payer"]),
            "recipient_organisation_id": org_ref(p.get("recipient") or recipient),
            "type": _v(p["type"]),
            "money": {"currency": _v(cur), "amount": _v(_num(p["amount"]))},
            "notes": p.get("note"),
            "status": st("payments"),
        }
        for p in data.get("payments") or []
    ]

    # transactions (the fund's ledger and the outcome payments received) --------------------------
    def tx_status(t: dict) -> str:
        if t.get("type") == "Outcome Payment":
            return st("payments")
        return PRIVATE if ("returns" in private or "financing" in private) else PUBLIC

    project["transactions"] = [
        {
            "investment_id": _v("inv-1") if t.get("investment") else None,
            "outcome_metric_id": _v(t.get("metric")) if not t.get("investment") else None,
            "date": _v(_date(t["date"])),
            "sending_organisation_id": org_ref(t["from"]),
            "receiving_organisation_id": org_ref(t["to"]),
            "transaction_type": _v(t["type"]),
            "money": {"currency": _v(cur), "amount": _v(_num(t["amount"]))},
            "notes": t.get("note"),
            "status": tx_status(t),
        }
        for t in data.get("transactions") or []
        if Decimal(t["amount"]) > 0
    ]

    project["provider_side_cost"] = [
        {
            "date": _v(_date(c.get("date"))),
            "phase": _v("Operational and management"),
            "classification": _v("Service delivery costs"),
            "payment": {
                "currency": _v(cur),
                "planned": _v(_num(c.get("planned"))),
                "actual": _v(_num(c.get("actual"))),
            },
            "incurred_by": org_ref(c.get("org")),
            "type": _v("Purchased or spent"),
            "notes": f"Period {c['period']}" if c.get("period") else None,
            "status": st("costs"),
        }
        for c in data.get("provider_costs") or []
    ]
    return _clean(project)


@lru_cache(maxsize=16)
def _role_categories(section: str, schema_name: str = "project.json") -> frozenset[str]:
    schema = _load_schema(str(schema_dir()), schema_name)
    item = schema["properties"][section]["items"]["properties"]["organisation_role_category"]
    return frozenset(item["properties"]["value"]["enum"])


def _months(start: date | None, end: date | None) -> int | None:
    if not isinstance(start, date) or not isinstance(end, date) or end < start:
        return None
    months = (end.year - start.year) * 12 + (end.month - start.month)
    return months + (1 if end.day >= start.day else 0)


def _pct(share: Decimal | None) -> str:
    if share is None:
        return ""
    text = f"{(Decimal(share) * 100).normalize():f}".replace(".", ",")
    return f"{text} %"


def _return_type(fund: dict) -> str:
    return "Average annual return" if fund.get("return_basis") == "fixed_rate" else "Capped multiple"


def _max_return(fund: dict) -> Decimal | None:
    """The best-case return as a fraction: the annual rate, or the multiple's cap less the principal."""
    if fund.get("return_basis") == "fixed_rate":
        return None if fund.get("annual_rate") is None else Decimal(fund["annual_rate"])
    if fund.get("multiple_cap") is None:
        return None
    return Decimal(fund["multiple_cap"]) - 1


def _percent(guard: Any, fraction: Decimal | None) -> str | None:
    """A fraction as the percentage text INDIGO asks for: ``Decimal("0.05")`` → ``"5%"``; None when
    ``guard`` (the figure it depends on) or the fraction is unknown."""
    if guard is None or fraction is None:
        return None
    return f"{(Decimal(fraction) * 100).normalize():f}%"


def _worst(*statuses: str) -> str:
    return PRIVATE if PRIVATE in statuses else PUBLIC


def _return_text(fund: dict) -> str:
    surplus = _pct(fund.get("fund_surplus_share"))
    if fund.get("return_basis") == "fixed_rate":
        head = f"Fast ränta {_pct(fund.get('annual_rate'))} per år på utestående kapital"
    else:
        cap = f"{Decimal(fund.get('multiple_cap') or 1).normalize():f}".replace(".", ",")
        head = f"Avkastning upp till {cap} × insatt kapital"
    return f"{head}; fondens andel av överskottet {surplus}." if surplus else f"{head}."


def _result_text(r: dict) -> str:
    text = f"Uppmätt {_plain(r.get('value'))}"
    if r.get("counterfactual") is not None:
        text += f" (jämförelse {_plain(r['counterfactual'])})"
    return text


def _plain(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


# ------------------------------------------------------------------------------------------------
# validation and redaction


@lru_cache(maxsize=8)
def _load_schema(directory: str, name: str) -> dict:
    return json.loads((Path(directory) / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=16)
def _codelist(directory: str, name: str) -> frozenset[str]:
    """The codes of a code list (first column; the first row is the header). A code list the schema
    names must be there: a missing one raises FileNotFoundError instead of passing every value."""
    path = Path(directory) / name
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return frozenset(row[0].strip() for row in rows[1:] if row and row[0].strip())


def _registry(directory: Path):
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    resources = []
    for path in sorted(directory.glob("*.json")):
        contents = _load_schema(str(directory), path.name)
        resource = Resource.from_contents(contents, default_specification=DRAFT7)
        resources.append((path.name, resource))
        if "$id" in contents:
            resources.append((contents["$id"], resource))
    return Registry().with_resources(resources)


def validate(
    project: dict, *, schema: str = "project.json", directory: Path | None = None
) -> list[tuple[str, str]]:
    """Every problem of ``project`` against the INDIGO schema and its code lists (empty = valid)."""
    from jsonschema import Draft7Validator

    directory = directory or schema_dir()
    contents = _load_schema(str(directory), schema)
    validator = Draft7Validator(contents, registry=_registry(directory))
    problems = [
        ("/" + "/".join(str(p) for p in err.absolute_path), err.message)
        for err in sorted(validator.iter_errors(project), key=lambda e: list(map(str, e.absolute_path)))
    ]
    problems += list(_codelist_problems(project, contents, contents, "", directory))
    return problems


def _codelist_problems(
    value: Any, node: dict, root: dict, path: str, directory: Path
) -> Iterator[tuple[str, str]]:
    """Values of fields whose schema names a ``codelist`` CSV that is present must be in it."""
    while "$ref" in node and node["$ref"].startswith("#/"):
        target: Any = root
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    if isinstance(value, dict):
        for key, sub in value.items():
            child = (node.get("properties") or {}).get(key)
            if child is not None:
                yield from _codelist_problems(sub, child, root, f"{path}/{key}", directory)
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for i, sub in enumerate(value):
            yield from _codelist_problems(sub, node["items"], root, f"{path}/{i}", directory)
    elif isinstance(value, str) and node.get("codelist"):
        allowed = _codelist(str(directory), node["codelist"])
        if value.strip() not in allowed:
            yield (path, f"{value!r} is not in the code list {node['codelist']}")


def check(project: dict, **kwargs) -> dict:
    """``project`` if it validates; otherwise ValueError listing every problem."""
    problems = validate(project, **kwargs)
    if problems:
        raise ValueError("INDIGO validation failed: " + "; ".join(f"{p}: {m}" for p, m in problems[:20]))
    return project


def private_paths(project: Any, path: str = "") -> list[str]:
    """JSON paths of every object marked ``"status": "PRIVATE"`` (fields and list items)."""
    out: list[str] = []
    if isinstance(project, dict):
        if project.get("status") == PRIVATE and path:
            out.append(path)
        for k, v in project.items():
            out += private_paths(v, f"{path}/{k}")
    elif isinstance(project, list):
        for i, v in enumerate(project):
            out += private_paths(v, f"{path}/{i}")
    return out


def redact_private(project: Any) -> Any:
    """The public version: PRIVATE list items dropped, PRIVATE field values removed."""
    if isinstance(project, dict):
        out = {}
        for k, v in project.items():
            if isinstance(v, dict) and v.get("status") == PRIVATE:
                out[k] = {"status": PRIVATE}
            else:
                out[k] = redact_private(v)
        return out
    if isinstance(project, list):
        return [
            redact_private(v) for v in project if not (isinstance(v, dict) and v.get("status") == PRIVATE)
        ]
    return project


def dumps(project: dict) -> str:
    return json.dumps(project, ensure_ascii=False, indent=2, sort_keys=False)


def org_identifier(org_number: str | None, fallback: str) -> str:
    """org-id for a Swedish organisation: ``SE-ON-`` + the ten digits of its organisationsnummer
    (org-id.guide's list SE-ON; SE-BLV is deprecated). Without one: ``INSATS-ORG-<fallback>``."""
    digits = "".join(ch for ch in (org_number or "") if ch.isdigit())
    return f"SE-ON-{digits}" if len(digits) == 10 else f"INSATS-ORG-{fallback}"


def organisation_record(org: dict) -> dict:
    """An INDIGO organisation record (``organisation.json``) for ``{"id", "name", "kind", …}``."""
    kind = org.get("kind", "")
    org_type = {
        "kommun": "Government body",
        "region": "Government body",
        "myndighet": "Government body",
        "samordningsforbund": "Government body",
        "ideburen": "Registered non-profit organisation, charity or foundation",
        "foretag": "Registered company, partnership or commercial association",
        "utfallsfond": "Registered company, partnership or commercial association",
    }.get(kind)
    return _clean(
        {
            "status": PRIVATE if org.get("confidential") else PUBLIC,
            "name": _v(org.get("name")),
            "org-ids": {"primary": _v(org["id"])},
            "country": _v("SE"),
            "jurisdiction": _v("SE"),
            "type": _v(org_type) if org_type else None,
        }
    )


def iter_money(project: dict, section: str, key: str = "money") -> Iterable[Decimal]:
    """Amounts of a list section as Decimals (for reconciliation)."""
    for item in project.get(section) or []:
        yield Decimal(repr(item[key]["amount"]["value"]))


# ------------------------------------------------------------------------------------------------
# pipeline records, the public variant and the package


def build_pipeline(data: dict) -> dict:
    """The INDIGO pipeline record (``pipeline.json``) of a contract not yet signed: the deal as
    drafted or negotiated — parties, metrics, prices and financing terms; no results or payments."""
    private = set(data.get("confidential") or ())

    def st(section: str) -> str:
        return PRIVATE if section in private else PUBLIC

    cur = data.get("currency") or "SEK"
    orgs: dict[str, dict] = data.get("organisations") or {}

    def org_ref(key: str | None) -> dict | None:
        return _v(orgs[key]["id"]) if key is not None and key in orgs else None

    def category(key: str, section: str) -> dict | None:
        if key not in orgs:
            return None
        allowed = _role_categories(section, "pipeline.json")
        for candidate in ROLE_CATEGORY.get(orgs[key].get("kind", ""), ()) + ("Other",):
            if candidate in allowed:
                return _v(candidate)
        return None

    status = data.get("status") or ""
    abandoned = status == "avbrutet"
    sector = data.get("policy_sector")
    fund = data.get("fund")
    pipeline: dict[str, Any] = {
        "status": PUBLIC,
        "name": _v(data["title"]),
        "state_development": {
            "state": _v("Abandoned" if abandoned else "Current", PUBLIC),
            "reason_abandoned": _v("Avbrutet före undertecknande." if abandoned else None, PUBLIC),
        },
        "stage_development": {"stage": _v(PIPELINE_STAGE.get(status), PUBLIC)},
        "purpose_and_classifications": {
            "social_challenge": _v(data.get("social_challenge"), PUBLIC),
            "intervention": _v(data.get("intervention"), PUBLIC),
            "policy_sector": (
                {flag: _v("Yes") for flag in PIPELINE_SECTORS[sector]} | {"status": PUBLIC}
                if sector in PIPELINE_SECTORS
                else None
            ),
        },
        "service_and_beneficiaries": {
            "target_population": _v(data.get("target_population"), PUBLIC),
            "targeted_number_service_users_or_beneficiaries_total": _v(
                _num(data.get("targeted_number")), PUBLIC
            ),
        },
        "overall_project_finance": {
            "maximum_potential_outcome_payment_v2": _money(
                data.get("maximum_outcome_payment"), cur, st("prices")
            ),
        },
        "notes": _v(f"Exporterat från Insats ({data['id']}); kontraktets status: {status}."),
        "sources": [
            {
                "id": "insats",
                "name": _v(f"Insats: {data['title']}"),
                "type": _v("Contract"),
                "url": _v(data.get("url")),
            }
        ],
        "service_provisions": [
            {
                "id": f"sp-{i}",
                "organisation_id": org_ref(p["org"]),
                "organisation_role_category": category(p["org"], "service_provisions"),
                "intervention": _v(p.get("intervention") or data.get("intervention")),
                "status": PUBLIC,
            }
            for i, p in enumerate(data.get("providers") or [], start=1)
        ],
        "outcome_payment_commitments": [
            {
                "organisation_id": org_ref(p["org"]),
                "organisation_role_category": category(p["org"], "outcome_payment_commitments"),
                "maximum_potential_outcome_payment": (
                    {"currency": _v(cur, st("prices")), "amount": _v(_num(p["maximum"]))}
                    if p.get("maximum") is not None
                    else None
                ),
                "notes": f"Andel av utfallsbetalningarna: {_pct(p.get('share'))}."
                if p.get("share")
                else None,
                "status": _worst(
                    st("prices") if p.get("maximum") is not None else PUBLIC,
                    st("payments") if p.get("share") else PUBLIC,
                ),
            }
            for p in data.get("payers") or []
        ],
        "intermediary_services": _intermediary_services(data, org_ref),
        "outcome_metrics": _outcome_metrics(data, with_sector=False),
    }
    if fund:
        best = _max_return(fund)
        pipeline["investments"] = [
            {
                "id": "inv-1",
                "organisation_id": org_ref(fund["org"]),
                "organisation_role_category": category(fund["org"], "investments"),
                "investment_commitment": {
                    "currency": _v(cur),
                    "amount": {"exact": _v(_num(fund.get("commitment")))},
                },
                "maximum_potential_loss": _v(_percent(fund.get("commitment"), Decimal(1))),
                "maximum_potential_return_type": (
                    _v("Average annual return") if fund.get("return_basis") == "fixed_rate" else None
                ),
                "maximum_potential_return": _v(None if best is None else _num((best * 100).normalize())),
                "notes": _return_text(fund) if fund.get("return_basis") else None,
                "status": st("financing"),
            }
        ]
    return _clean(pipeline)


def withhold(data: dict) -> dict:
    """The plain form without anything a party marked confidential: the values of every confidential
    section and every confidential organisation (with the references to it). What the public
    variant is built from; the sections stay listed, so what is left of them is still marked
    PRIVATE (and :func:`redact_private` keeps only that mark)."""
    out = copy.deepcopy(data)
    private = set(out.get("confidential") or ())
    if "prices" in private:
        out["maximum_outcome_payment"] = None
        for m in out.get("metrics") or []:
            m["price"] = m["cap_total"] = m["price_description"] = None
        for p in out.get("payers") or []:
            p["maximum"] = None
    fund = out.get("fund")
    if fund and "financing" in private:
        out["fund"] = {"org": fund["org"]}
    if "returns" in private:
        for key in ("total_drawn", "planned_draws", "irr_annual", "repayment"):
            (out.get("finance") or {}).pop(key, None)
        out["transactions"] = [t for t in out.get("transactions") or [] if not t.get("investment")]
    if "payments" in private:
        out["payments"] = []
        (out.get("finance") or {}).pop("total_paid", None)
        for p in out.get("payers") or []:
            p["paid"] = p["share"] = None
        out["transactions"] = [t for t in out.get("transactions") or [] if t.get("investment")]
    if "results" in private:
        out["results"] = []
        out["actual_number"] = None
    if "costs" in private:
        out["provider_costs"] = []
    hidden = {k for k, org in (out.get("organisations") or {}).items() if org.get("confidential")}
    if hidden:
        out["organisations"] = {k: v for k, v in out["organisations"].items() if k not in hidden}
        out["validators"] = [k for k in out.get("validators") or [] if k not in hidden]
        for r in out.get("results") or []:
            r["validators"] = [k for k in r.get("validators") or [] if k not in hidden]
    return out


def build_package(data: dict, variant: str = "full") -> dict:
    """Everything INDIGO gets for one contract: the project (or, before signing, the pipeline) record
    and an organisation record per party it names.

    ``{"format": "INDIGO 4.x", "variant": …, "project"|"pipeline": {"id": …, "data": record},
    "organisations": [{"id": org-id, "data": record}, …]}``. ``variant="public"`` withholds every
    confidential value (:func:`withhold`, then :func:`redact_private`)."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}")
    unknown = set(data.get("confidential") or ()) - set(SECTIONS)
    if unknown:
        raise ValueError(f"confidential: unknown section(s) {sorted(unknown)}; use {list(SECTIONS)}")
    source = withhold(data) if variant == "public" else data
    kind = "pipeline" if is_pipeline(source) else "project"
    record = build_pipeline(source) if kind == "pipeline" else build_project(source)
    organisations = [
        {"id": org["id"], "data": organisation_record(org)}
        for org in (source.get("organisations") or {}).values()
    ]
    if variant == "public":
        record = redact_private(record)
        organisations = [o for o in organisations if o["data"].get("status") != PRIVATE]
    return {
        "format": "INDIGO 4.x",
        "variant": variant,
        kind: {"id": data["id"], "data": record},
        "organisations": organisations,
    }


def validate_package(package: dict) -> list[tuple[str, str]]:
    """Every problem of a package: its project or pipeline record and each organisation record."""
    problems: list[tuple[str, str]] = []
    for kind, schema in (("project", "project.json"), ("pipeline", "pipeline.json")):
        if kind in package:
            problems += [(f"/{kind}/data{p}", m) for p, m in validate(package[kind]["data"], schema=schema)]
    for i, org in enumerate(package.get("organisations") or []):
        problems += [
            (f"/organisations/{i}/data{p}", m) for p, m in validate(org["data"], schema="organisation.json")
        ]
    if not ("project" in package) ^ ("pipeline" in package):
        problems.append(("/", "a package holds exactly one project or pipeline record"))
    return problems


def check_package(package: dict) -> dict:
    """``package`` if it validates; otherwise ValueError listing every problem."""
    problems = validate_package(package)
    if problems:
        raise ValueError("INDIGO validation failed: " + "; ".join(f"{p}: {m}" for p, m in problems[:20]))
    return package


def _intermediary_services(data: dict[str, Any], org_ref: Callable[[Any], Any]) -> list[dict[str, Any]]:
    """The intermediaries, the same in a project and a pipeline record."""
    return [
        {
            "organisation_id": org_ref(i["org"]),
            "organisation_role_category": _v("Other"),
            "other_role_description": _v(i.get("description") or "Intermediär"),
            "status": PUBLIC,
        }
        for i in data.get("intermediaries") or []
    ]


def _outcome_metrics(data: dict[str, Any], *, with_sector: bool) -> list[dict[str, Any]]:
    """The outcome metrics; a project record also names the policy sector per metric (the pipeline
    schema has no such field)."""
    out = []
    for m in data.get("metrics") or []:
        item = {
            "id": m["id"],
            "definition": _v(m.get("definition") or m.get("name")),
            "target_population": _v(data.get("target_population")),
            "unit_description_of_service_user_or_beneficiaries": _v(m.get("unit")),
            "outcome_metric_target": _v(m.get("target")),
            "outcome_validation_method": _v(m.get("validation_method")),
            "data_source_for_outcome_validation": _v(m.get("data_source")),
        }
        if with_sector:
            item["policy_sector"] = _v(data.get("policy_sector"))
        item.update({"notes": m.get("name"), "status": PUBLIC})
        out.append(item)
    return out
