"""Matrix entries for results, payments, the fund's ledger, dashboards and exports (C3's part).

Written from issue 5 and DESIGN.md, not copied from ``access.RULES``. In the matrix world (see
``tests/matrix/contracts.py``) Tomelilla (``own``) is the commissioner and only payer and RISE
(``partner``) is the validator; Barnens Väl (provider) and Utfallsfonden (fund) are parties no
column plays; Familjeforum (``unrelated``) is no party and sees nothing.

* results are seen by every member of every party; reported by the provider or the validator
  (administrators, contract managers, analysts, evaluators) — not by the commissioner, whose
  outcomes they are; approved or returned only by the validator's evaluators;
* payments and the invoice basis are seen by the paying, providing, financing and intermediary
  parties — not by the validator; marked invoiced/paid by the administrators and contract managers
  of the commissioner, payers and provider;
* the fund's ledger is seen by the commissioner's and the fund's members only;
* the dashboard is seen by every party (each sees its own sections);
* the INDIGO export is made by administrators, contract managers and analysts of any party, and
  holds only what its reader may see: the commissioner's exporters get payments and the fund's
  ledger; the validator's get neither (:func:`indigo_content` compares each export with the
  reader's abilities, full and public variant, page and API).
"""

from __future__ import annotations

import json
from decimal import Decimal

from insats.accounts import access
from insats.accounts.models import Role
from tests.matrix import ALL, NONE, Entry
from tests.matrix.accounts import ensure
from tests.matrix.contracts import actor, contract

MANAGERS = frozenset({Role.ADMIN.value, Role.CONTRACT_MANAGER.value})
REPORTERS = MANAGERS | {Role.ANALYST.value, Role.EVALUATOR.value}
EVALUATOR = frozenset({Role.EVALUATOR.value})
EXPORTERS = MANAGERS | {Role.ANALYST.value}


def results(w) -> dict:
    """On the matrix contract: 2026 reported by Barnens Väl and approved by RISE (43 placements:
    7 fewer than 50 → 1 750 000 kr due), 2027 reported and waiting for validation."""

    def make(w):
        from insats.contracts import services_results as sr
        from insats.contracts.models import PaymentLine

        c = contract(w)
        # The matrix contract runs 2026–2030, after the day the tests run: it allows preliminary
        # results so that figures for 2026–2028 can be reported and approved now.
        type(c).objects.filter(pk=c.pk).update(preliminary_results=True)
        c.refresh_from_db()
        provider = actor(w, "provider", Role.CONTRACT_MANAGER.value)
        validator = actor(w, "partner", Role.EVALUATOR.value)
        metric = c.metrics.get(code="placeringar")
        approved = sr.result_report(
            actor=provider, contract=c, metric=metric, period="2026", value=Decimal(43)
        )
        sr.result_approve(actor=validator, report=approved)
        submitted = sr.result_report(
            actor=provider, contract=c, metric=metric, period="2027", value=Decimal(41)
        )
        line = PaymentLine.objects.get(contract=c, period="2026")
        assert line.due == Decimal("1750000.00")
        return {"contract": c, "approved": approved, "submitted": submitted, "line": line}

    return ensure(w, "contract_results", make)


def _c(w):
    return {"pk": results(w)["contract"].pk}


def exported_parts(record: dict) -> dict[str, bool]:
    """Which parts of a contract an INDIGO project or pipeline record carries."""
    transactions = record.get("transactions") or []
    commitments = record.get("outcome_payment_commitments") or []
    return {
        "payments": bool(record.get("outcome_payments"))
        or any(t.get("transaction_type", {}).get("value") == "Outcome Payment" for t in transactions)
        or "total_outcome_payments_made" in (record.get("overall_project_finance") or {})
        or any("total_outcome_payments" in c for c in commitments),
        "ledger": "investment_details" in record or any("investment_id" in t for t in transactions),
        "results": bool(record.get("results")),
    }


def indigo_content(w, org: str, role: str, response) -> str | None:
    """What is wrong with an INDIGO export read by ``role`` at ``org``: its parts must be exactly
    those the reader may see (payments ⇔ contract.payment.view, ledger ⇔ contract.ledger.view,
    results ⇔ contract.result.view), and it must validate."""
    from insats.integrations import indigo

    package = json.loads(response.content)
    problems = indigo.validate_package(package)
    if problems:
        return f"does not validate: {problems[:3]}"
    record = (package.get("project") or package.get("pipeline"))["data"]
    reader = actor(w, org, role)
    c = results(w)["contract"]
    may = {
        "payments": access.can(reader, "contract.payment.view", c),
        "ledger": access.can(reader, "contract.ledger.view", c),
        "results": access.can(reader, "contract.result.view", c),
    }
    got = exported_parts(record)
    if got != may:
        return f"export holds {got}, reader may see {may}"
    return None


def _submitted(w):
    r = results(w)
    return {"pk": r["contract"].pk, "rid": r["submitted"].pk}


def _line(w):
    r = results(w)
    return {"pk": r["contract"].pk, "lid": r["line"].pk}


def _report_form(w):
    return {"metric": "placeringar", "period": "2028", "cohort": "", "value": "39", "action": "submit"}


def xlsx_content(w, org: str, role: str, response) -> str | None:
    """The payments workbook holds the fund's ledger sheet exactly when the reader may see the ledger,
    and the results sheet when the reader may see results."""
    import io

    from openpyxl import load_workbook

    sheets = load_workbook(io.BytesIO(response.content)).sheetnames
    reader = actor(w, org, role)
    c = results(w)["contract"]
    may = {
        "Fondbokföring": access.can(reader, "contract.ledger.view", c),
        "Resultat": access.can(reader, "contract.result.view", c),
        "Betalningar": access.can(reader, "contract.payment.view", c),
    }
    got = {name: name in sheets for name in may}
    return None if got == may else f"workbook sheets {sheets}, reader may see {may}"


ENTRIES: dict[str, Entry] = {
    "contracts:results": Entry(_c, own=ALL, partner=ALL),
    "contracts:results#post": Entry(_c, own=NONE, partner=REPORTERS, method="POST", data=_report_form),
    "contracts:results_import": Entry(_c, own=NONE, partner=REPORTERS),
    "contracts:results_template": Entry(_c, own=NONE, partner=REPORTERS),
    "contracts:result_detail": Entry(_submitted, own=ALL, partner=ALL),
    "contracts:result_approve": Entry(_submitted, own=NONE, partner=EVALUATOR, method="POST"),
    "contracts:result_return": Entry(
        _submitted, own=NONE, partner=EVALUATOR, method="POST", data=lambda w: {"return-comments": "Fel år."}
    ),
    "contracts:result_submit": Entry(_submitted, own=NONE, partner=REPORTERS, method="POST"),
    "contracts:payments": Entry(_c, own=ALL, partner=NONE),
    "contracts:payments_xlsx": Entry(_c, own=ALL, partner=NONE, content=xlsx_content),
    "contracts:payment_mark": Entry(
        _line, own=MANAGERS, partner=NONE, method="POST", data=lambda w: {"status": "invoiced"}
    ),
    "contracts:invoice_pdf": Entry(_line, own=ALL, partner=NONE),
    "contracts:ledger": Entry(_c, own=ALL, partner=NONE),
    "contracts:dashboard": Entry(_c, own=ALL, partner=ALL),
    "contracts:exports": Entry(_c, own=EXPORTERS, partner=EXPORTERS),
    "contracts:indigo_export": Entry(_c, own=EXPORTERS, partner=EXPORTERS, content=indigo_content),
    "contracts:indigo_export#public": Entry(
        _c, own=EXPORTERS, partner=EXPORTERS, data=lambda w: {"variant": "public"}, content=indigo_content
    ),
    # API
    "api:GET /api/v1/contracts/{pk}/results": Entry(_c, own=ALL, partner=ALL),
    "api:POST /api/v1/contracts/{pk}/results": Entry(
        _c,
        own=NONE,
        partner=REPORTERS,
        method="POST",
        data=lambda w: {"metric": "placeringar", "period": "2028", "value": "39"},
    ),
    "api:POST /api/v1/contracts/{pk}/results/{rid}/approve": Entry(
        _submitted, own=NONE, partner=EVALUATOR, method="POST", data=lambda w: {"comments": ""}
    ),
    "api:POST /api/v1/contracts/{pk}/results/{rid}/return": Entry(
        _submitted, own=NONE, partner=EVALUATOR, method="POST", data=lambda w: {"comments": "Fel år."}
    ),
    "api:GET /api/v1/contracts/{pk}/payments": Entry(_c, own=ALL, partner=NONE),
    "api:POST /api/v1/contracts/{pk}/payments/{lid}/mark": Entry(
        _line, own=MANAGERS, partner=NONE, method="POST", data=lambda w: {"status": "paid"}
    ),
    "api:GET /api/v1/contracts/{pk}/ledger": Entry(_c, own=ALL, partner=NONE),
    "api:GET /api/v1/contracts/{pk}/export/indigo": Entry(
        _c, own=EXPORTERS, partner=EXPORTERS, content=indigo_content
    ),
    "api:GET /api/v1/contracts/{pk}/export/indigo#public": Entry(
        _c, own=EXPORTERS, partner=EXPORTERS, data=lambda w: {"variant": "public"}, content=indigo_content
    ),
}
