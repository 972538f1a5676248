"""An outcomes contract as an INDIGO 4.x *project* (the Government Outcomes Lab's data standard).

INDIGO (https://golab.bsg.ox.ac.uk/knowledge-bank/indigo/, schema in ``INDIGO-Initiative/
indigo-data-standard``) describes an impact bond as one project document with components: outcome
metrics and their pricing, outcome payment commitments per payer, investments, service provisions,
results, planned and actual outcome payments and a ledger of transactions. Organisations are
referred to by identifier (we use org-id: ``SE-BLV-<organisationsnummer>``, Bolagsverket's list).

Two layers:

* :func:`build_project` — pure: the *plain form* below (dicts, ``Decimal``, ``date``) → the
  project dict. No Django, so it is tested directly against the schema.
* :func:`contract_input` / :func:`export_contract` (in the Django half at the bottom) — read a
  :class:`insats.contracts.models.Contract` with its payments and ledger into the plain form,
  build, validate and audit.

**Confidentiality.** INDIGO marks each datum with a ``status``: ``PUBLIC``, ``PRIVATE`` or
``DISPUTED``. Fields defined as ``object_with_value_*_and_status`` carry it next to the value
(``{"value": 1000000, "status": "PRIVATE"}``); items of lists (an investment, a pricing, a
payment) carry it on the item. A party marks *sections* of the contract confidential; every field
and item of such a section is exported with status ``PRIVATE`` (the value is kept: the file is for
the parties and for submission to INDIGO, whose publication pipeline withholds PRIVATE data).
:func:`redact_private` makes the public version: PRIVATE items dropped, PRIVATE values removed.

Sections (``input["confidential"]``): ``prices`` (outcome pricings, maximum payments),
``financing`` (investment commitment, return terms), ``returns`` (IRR, repayments, transactions
with the fund), ``payments`` (planned and actual outcome payments, totals paid), ``results``
(validated results), ``costs`` (the provider's costs).

**Validation.** :func:`validate` checks a project against ``project.json`` (JSON Schema draft 7,
``$ref`` resolved within the schema directory) and the INDIGO code lists (``codelist`` keyword:
the CSV files next to the schema), and returns every problem as ``(json path, message)``.

The plain form (all keys optional unless noted)::

    {
      "id": "insats-contract-12",                      # required
      "title": "Färre placeringar – Barnens Väl",       # required
      "status": "genomforande",                    # utkast … avslutat, avbrutet
      "country": "SE", "currency": "SEK",
      "url": "https://…/kontrakt/12/",
      "social_challenge": "…", "intervention": "…", "target_population": "…",
      "policy_sector": "Child and family welfare",     # INDIGO enum
      "targeted_number": 120, "actual_number": 97,
      "dates": {"signed": date, "start": date, "end": date, "completion": date, "actual_end": date},
      "organisations": {"<key>": {"id": "SE-BLV-2120001157", "name": "…", "kind": "kommun"}},
      "payers": [{"org": key, "share": Decimal, "cap": Decimal|None, "maximum": Decimal|None}],
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
                    "metric": id|None, "note": "…"}],
      "transactions": [{"date": date, "from": key, "to": key, "type": INDIGO transaction type,
                        "amount": Decimal, "investment": bool, "metric": id|None, "note": "…"}],
      "provider_costs": [{"period", "date": date, "planned": Decimal, "actual": Decimal|None, "org": key}],
      "finance": {"total_drawn": Decimal, "irr_annual": float|None, "repayment": INDIGO enum|None,
                  "as_of": date, "total_paid": Decimal},
      "confidential": ["prices", "financing", …],
    }
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent / "indigo_schema"
"""Where ``project.json``, ``organisation.json`` and the code lists live: a copy of the official
INDIGO 4.x schemas shipped with the code (a test checks it equals the copy in ``shared/schemas``);
``INSATS_INDIGO_SCHEMA_DIR`` points elsewhere."""

SECTIONS = ("prices", "financing", "returns", "payments", "results", "costs")
PUBLIC, PRIVATE = "PUBLIC", "PRIVATE"

STAGE = {
    "undertecknat": "Contracted",
    "genomforande": "Implementation",
    "avslutat": "Complete",
}
"""Contract status → INDIGO ``stage_development`` (drafts and negotiations have no INDIGO stage)."""

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
    import os

    env = os.environ.get("INSATS_INDIGO_SCHEMA_DIR")
    if env:
        return Path(env)
    return SCHEMA_DIR


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
        if key is None:
            return None
        return _v(orgs[key]["id"])

    def category(key: str, section: str) -> dict | None:
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
            "policy_sector": _v(data.get("policy_sector") or "Child and family welfare"),
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
            "amount": {"exact": _v(_num(fund["commitment"]), s)},
        }
        overall["maximum_potential_loss"] = _v(str(_num(fund["commitment"])), s)
        overall["maximum_potential_return_type"] = _v(_return_type(fund), s)
        overall["maximum_potential_return"] = _v(_return_text(fund), s)
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
                "latest": _v(None if irr is None else f"{irr * 100:.2f}%", s),
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
            "status": st("prices") if p.get("maximum") is not None else PUBLIC,
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
                "amount": {"exact": _v(_num(fund["commitment"]))},
            },
            "maximum_potential_loss": _v(str(_num(fund["commitment"]))),
            "investment_type": _v("Debt"),
            "investor_repayment": _v(finance.get("repayment")),
            "notes": _return_text(fund),
            "status": s,
        }
        if fund.get("return_basis") == "fixed_rate" and fund.get("annual_rate") is not None:
            inv["maximum_potential_return_type"] = _v("Average annual return")
            inv["maximum_potential_return"] = _v(_num(Decimal(fund["annual_rate"]) * 100))
        project["investments"] = [inv]
    project["intermediary_services"] = [
        {
            "organisation_id": org_ref(i["org"]),
            "organisation_role_category": _v("Other"),
            "other_role_description": _v(i.get("description") or "Intermediär"),
            "status": PUBLIC,
        }
        for i in data.get("intermediaries") or []
    ]

    # metrics and prices -------------------------------------------------------------------------
    project["outcome_metrics"] = [
        {
            "id": m["id"],
            "definition": _v(m.get("definition") or m.get("name")),
            "target_population": _v(data.get("target_population")),
            "unit_description_of_service_user_or_beneficiaries": _v(m.get("unit")),
            "outcome_metric_target": _v(m.get("target")),
            "outcome_validation_method": _v(m.get("validation_method")),
            "data_source_for_outcome_validation": _v(m.get("data_source")),
            "policy_sector": _v(data.get("policy_sector") or "Child and family welfare"),
            "notes": m.get("name"),
            "status": PUBLIC,
        }
        for m in data.get("metrics") or []
    ]
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
    validator_ids = ",".join(orgs[k]["id"] for k in data.get("validators") or [])
    project["results"] = [
        {
            "outcome_metric_id": _v(r["metric"]),
            "result_level": _v("Outcome level"),
            "result_type": _v("Final" if r.get("final") else "Interim"),
            "period": period_obj(r["period"]),
            "outcomes_achieved": _v(r.get("description") or _result_text(r)),
            "outcomes_validator_organisation_ids": _v(
                ",".join(orgs[k]["id"] for k in r["validators"]) if r.get("validators") else validator_ids
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


@lru_cache(maxsize=8)
def _role_categories(section: str) -> frozenset[str]:
    schema = _load_schema(str(schema_dir()), "project.json")
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


@lru_cache(maxsize=4)
def _load_schema(directory: str, name: str) -> dict:
    return json.loads((Path(directory) / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=16)
def _codelist(directory: str, name: str) -> frozenset[str]:
    path = Path(directory) / name
    if not path.exists():
        return frozenset()
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
        if allowed and value.strip() not in allowed:
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
    """org-id for a Swedish organisation: ``SE-BLV-`` + the ten digits of its organisationsnummer."""
    digits = "".join(ch for ch in (org_number or "") if ch.isdigit())
    return f"SE-BLV-{digits}" if len(digits) == 10 else f"INSATS-ORG-{fallback}"


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
            "status": PUBLIC,
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
# the Django half: a contract from the database


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


def contract_input(contract, *, url: str = "") -> dict:
    """The plain form for ``contract``: its terms, approved results, payment lines and ledger.

    Every amount is a stored figure (payment lines = the core's ``amount_due``; ledger entries =
    the core's waterfall); the finance summary comes from the core's waterfall over the same.
    """
    from insats.contracts import core_inputs
    from insats.contracts import services_payments as sp
    from insats.contracts.models import (
        LedgerKind,
        PartyRole,
        PaymentStatus,
        ResultStatus,
        period_schedule,
    )

    parties = list(contract.parties.select_related("organisation").order_by("id"))
    orgs = {
        _party_key(p): {
            "id": org_identifier(p.organisation.org_number, str(p.organisation.pk)),
            "name": p.organisation.name,
            "kind": p.organisation.kind,
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
    lines = list(contract.payment_lines.select_related("payer").order_by("period", "payer_id"))
    paid_by_payer: dict[int, Decimal] = {}
    for line in lines:
        if line.status == PaymentStatus.PAID:
            paid_by_payer[line.payer_id] = paid_by_payer.get(line.payer_id, Decimal(0)) + (
                line.paid_amount or line.due
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
                "paid": paid_by_payer.get(p.pk, Decimal("0.00")),
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
                "price_description": _price_text(m.kind, rule, m.unit),
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
        if line.calculation:
            payments.append(
                {
                    "period": line.period,
                    "payer": _party_key(line.payer),
                    "type": "Actual",
                    "amount": line.due,
                    "note": f"Beräknat av insats.core.payments; status: {line.get_status_display()}.",
                }
            )

    provider = (by_role.get(PartyRole.PROVIDER) or [None])[0]
    transactions = []
    for line in lines:
        if line.status == PaymentStatus.PAID and provider is not None:
            transactions.append(
                {
                    "date": (line.paid_at.date() if line.paid_at else end_of.get(line.period)),
                    "from": _party_key(line.payer),
                    "to": _party_key(provider),
                    "type": "Outcome Payment",
                    "amount": line.paid_amount or line.due,
                    "note": f"Period {line.period}",
                }
            )
    terms = getattr(contract, "financing", None)
    fund_party = core_inputs.fund_party(contract) if terms is not None else None
    fund = None
    finance: dict[str, Any] = {"as_of": date.today()}
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
        for e in contract.ledger_entries.order_by("period_index", "kind"):
            if e.kind not in tx_kind or keys["provider"] is None:
                continue
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
        try:
            ledger = sp.ledger_report(contract)
        except Exception:  # noqa: BLE001 - terms not computable yet (a draft)
            ledger = None
        if ledger is not None and contract.payment_lines.exists():
            out = ledger.output
            finance["total_drawn"] = out.total_drawn
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
        "url": url,
        "social_challenge": contract.summary or None,
        "intervention": contract.intervention or None,
        "target_population": contract.target_population or None,
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


def _price_text(kind: str, rule: dict, unit: str) -> str:
    if rule.get("price") not in (None, ""):
        text = f"{_plain(Decimal(str(rule['price'])))} SEK per {unit or 'enhet'}"
    elif rule.get("tiers"):
        text = "Prisintervall: " + "; ".join(
            f"upp till {t.get('up_to') or '∞'}: {t['price']} SEK" for t in rule["tiers"]
        )
    elif kind == "rate_card":
        text = "Prislista: " + "; ".join(
            f"{o.get('label') or o['id']}: {o['price']} SEK" for o in rule.get("outcomes", [])
        )
    elif kind == "savings":
        text = f"Andel av besparingen: {_pct(Decimal(str(rule.get('share', '1'))))}"
    else:
        text = "Betalas inte (villkor)"
    threshold = rule.get("threshold")
    if threshold:
        text += f"; tröskel {threshold['kind']} {threshold['value']}"
    if rule.get("cap_total") not in (None, ""):
        text += f"; högst {rule['cap_total']} SEK totalt"
    return text


def export_contract(*, actor, contract, variant: str = "full", url: str = "") -> dict:
    """The contract as a validated INDIGO project for ``actor`` (``contract.export``); audited.

    ``variant="public"`` withholds every PRIVATE value (:func:`redact_private`). Raises
    ValueError if the document does not validate (a bug: it is tested not to happen)."""
    from insats.accounts import access
    from insats.audit.services import log_action

    access.check(actor, "contract.export", contract)
    if variant not in ("full", "public"):
        raise ValueError("variant must be 'full' or 'public'")
    project = build_project(contract_input(contract, url=url))
    if variant == "public":
        project = redact_private(project)
    check(project)
    log_action(
        "contract.exported",
        actor=actor.user if actor.is_authenticated else None,
        organisation=actor.organisation,
        obj=contract,
        changes={"format": "indigo-4", "variant": variant, "private_fields": len(private_paths(project))},
    )
    return project
