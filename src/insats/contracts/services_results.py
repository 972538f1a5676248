"""Reported results and their validation (issue 5, part 5).

The provider (or the validator) reports a figure per outcome metric and period — and cohort, when
the contract has cohorts — through the form, a CSV/Excel file or the API; all three end in
:func:`result_report`. The validator's evaluators then **approve** a submitted result or
**return** it with comments; a returned result is corrected and submitted again. Approval triggers
the payment calculation over *all* approved results (:func:`insats.contracts.services_payments.
payments_recalculate`). Every step writes an audit entry.

Rules kept here:

* results are reported only for signed or running contracts (``undertecknat``, ``genomförande``);
* one report per metric, period and cohort: a draft or a returned report is updated in place; a
  submitted report waits for the validator; an approved report is final (a correction of an
  approved figure is a change by joint decision, not a new report);
* the figure must be what the metric's price rule needs (a value; a comparison-group value for a
  comparison counterfactual; estimates for a blended metric; participant rows for a rate card) —
  checked by the core's own ``check_results`` so the form, the import and the API say the same;
* an import is all or nothing: every row and column that fails is reported and nothing is written.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.accounts import access
from insats.audit.services import log_action

from .models import (
    Cohort,
    Contract,
    ContractStatus,
    MetricKind,
    OutcomeMetric,
    ResultReport,
    ResultStatus,
)

REPORTING_STATUSES = (ContractStatus.SIGNED, ContractStatus.ACTIVE)
MAX_ABS_VALUE = Decimal("1e13")


class ResultConflict(ValidationError):
    """There already is a result for the metric, period and cohort (the API answers 409)."""


def _actor_user(actor):
    return actor.user if actor is not None and actor.is_authenticated else None


def _report_changes(report: ResultReport) -> dict:
    return {
        "metric": report.metric.code,
        "period": report.period,
        "cohort": report.cohort.code if report.cohort_id else None,
        "value": None if report.value is None else str(report.value),
        "counterfactual": None if report.counterfactual_value is None else str(report.counterfactual_value),
        "status": report.status,
        **({} if report.denominator is None else {"denominator": str(report.denominator)}),
    }


def _log(action: str, actor, report: ResultReport, **extra) -> None:
    changes = _report_changes(report)
    changes.update(extra)
    log_action(
        action,
        actor=_actor_user(actor),
        organisation=actor.organisation if actor is not None else None,
        obj=report,
        changes=changes,
    )


# --------------------------------------------------------------------------- checking a figure


def check_figure(
    contract: Contract,
    metric: OutcomeMetric,
    period: str,
    cohort: Cohort | None,
    value: Decimal | None,
    counterfactual_value: Decimal | None,
    estimates: dict | None,
    participants: dict | None,
    today: datetime.date | None = None,
    *,
    denominator: Decimal | None = None,
) -> dict[str, list[str]]:
    """Problems with one figure, by form field (empty: fine)."""
    errors: dict[str, list[str]] = {}

    def add(field_name: str, message: str) -> None:
        errors.setdefault(field_name, []).append(message)

    if metric.contract_id != contract.pk:
        add("metric", _("Utfallsmåttet hör inte till kontraktet."))
        return errors
    periods = contract.period_ids()
    if period not in periods:
        add(
            "period",
            _("Perioden ”%(period)s” finns inte i kontraktet (%(first)s–%(last)s).")
            % {
                "period": period,
                "first": periods[0] if periods else "",
                "last": periods[-1] if periods else "",
            },
        )
    elif metric.measurement_periods and period not in metric.measurement_periods:
        add("period", _("Utfallsmåttet mäts inte perioden %(period)s.") % {"period": period})
    else:
        message = period_not_ended(contract, period, today)
        if message:
            add("period", message)
    if cohort is not None and cohort.contract_id != contract.pk:
        add("cohort", _("Kohorten hör inte till kontraktet."))
    measure = ((metric.rule or {}).get("measure") or {}).get("kind")
    if denominator is not None and (not denominator.is_finite() or abs(denominator) >= MAX_ABS_VALUE):
        add("denominator", _("Talet är för stort."))
    elif denominator is not None and denominator <= 0:
        add("denominator", _("Nämnaren ska vara större än 0."))
    elif denominator is not None and measure is None:
        add("denominator", _("Måttet är inte ett kvotmått eller en andel; lämna nämnaren tom."))
    elif denominator is None and measure == "ratio":
        add("denominator", _("Ange nämnaren, t.ex. antal barndygn eller deltagare, för kvotmåttet."))
    for name, number in (("value", value), ("counterfactual_value", counterfactual_value)):
        if number is not None and (not number.is_finite() or abs(number) >= MAX_ABS_VALUE):
            add(name, _("Talet är för stort."))
        elif number is not None and metric.whole_numbers and number != number.to_integral_value():
            add(
                name,
                _("%(metric)s är ett antal och rapporteras i heltal (inte %(value)s).")
                % {"metric": metric.name, "value": f"{number.normalize():f}".replace(".", ",")},
            )
    kind = metric.kind
    cf_kind = (metric.counterfactual or {}).get("kind")
    if kind == MetricKind.RATE_CARD:
        if not participants:
            add("participants", _("Ett utfallsmått med prislista rapporteras med deltagarrader."))
    elif kind == MetricKind.BLENDED:
        if not estimates:
            add("estimates", _("Ett sammanvägt utfallsmått rapporteras med effektskattningar."))
    else:
        if value is None:
            add("value", _("Ange det uppmätta värdet."))
        if cf_kind == "comparison" and counterfactual_value is None:
            add("counterfactual_value", _("Ange jämförelsegruppens värde för perioden."))
        if cf_kind in ("baseline", "target") and counterfactual_value is not None:
            add(
                "counterfactual_value",
                _("Jämförelsen är fast i kontraktet (%(kind)s); lämna fältet tomt.") % {"kind": cf_kind},
            )
    if errors:
        return errors
    # The core checks the rest exactly as it will price it (unknown evaluation ids, participant
    # rows, outcome ids…).
    return _core_check(
        contract, metric, period, cohort, value, counterfactual_value, estimates, participants, denominator
    )


def period_not_ended(contract: Contract, period: str, today: datetime.date | None = None) -> str:
    """Why a result for ``period`` cannot be reported or approved yet ("" if it can): results are
    for ended periods unless the contract allows preliminary ones (issue 8, item 3)."""
    today = today or timezone.localdate()
    if contract.preliminary_results or contract.period_ended(period, today):
        return ""
    end = contract.period(period)["end"]
    return _(
        "Perioden %(period)s slutar %(end)s. Resultat rapporteras och godkänns när perioden är slut, "
        "om inte kontraktet tillåter preliminära resultat."
    ) % {"period": period, "end": end.isoformat()}


def _core_check(
    contract, metric, period, cohort, value, counterfactual_value, estimates, participants, denominator=None
):
    from pydantic import ValidationError as PydanticError

    from insats.core import payments as pay

    from . import core_inputs

    try:
        core_contract = core_inputs.build_payment_contract(contract)
    except (PydanticError, ValueError, LookupError) as exc:
        return {"__all__": [_("Kontraktets villkor går inte att beräkna: %(error)s") % {"error": exc}]}
    obs, parts = [], []
    if metric.kind == MetricKind.RATE_CARD:
        parts.append({"metric": metric.code, **(participants or {})})
    else:
        obs.append(
            {
                "metric": metric.code,
                "period": period,
                "cohort": cohort.code if cohort else None,
                "value": None if value is None else str(value),
                "counterfactual": None if counterfactual_value is None else str(counterfactual_value),
                "estimates": estimates,
                **({} if denominator is None else {"denominator": str(denominator)}),
            }
        )
    try:
        results = pay.Results.model_validate({"observations": obs, "participants": parts})
        pay.check_results(core_contract, results, prefix="results")
    except PydanticError as exc:
        out: dict[str, list[str]] = {}
        for err in exc.errors():
            loc = [str(p) for p in err["loc"]]
            name = loc[-1] if loc else "__all__"
            name = {
                "counterfactual": "counterfactual_value",
                "cohort": "cohort",
                "metric": "metric",
                "period": "period",
                "value": "value",
                "denominator": "denominator",
            }.get(
                name,
                "estimates" if "estimates" in loc else "participants" if "participants" in loc else "__all__",
            )
            out.setdefault(name, []).append(err["msg"].removeprefix("Value error, "))
        return out
    except ValueError as exc:
        return {"__all__": [str(exc)]}
    return {}


# --------------------------------------------------------------------------- reporting


def existing_report(contract, metric, period, cohort) -> ResultReport | None:
    return (
        ResultReport.objects.filter(contract=contract, metric=metric, period=period, cohort=cohort)
        .order_by("-pk")
        .first()
    )


def _prepare(contract, metric, period, cohort, *, allow_update: bool = True) -> ResultReport:
    if contract.status not in REPORTING_STATUSES:
        raise ValidationError(
            {"__all__": [_("Resultat rapporteras när kontraktet är undertecknat eller i genomförande.")]}
        )
    report = existing_report(contract, metric, period, cohort)
    if report is None:
        return ResultReport(contract=contract, metric=metric, period=period, cohort=cohort)
    if report.status == ResultStatus.SUBMITTED:
        raise ResultConflict(
            {
                "period": [
                    _("Resultatet för %(period)s är redan inlämnat och väntar på validering.")
                    % {"period": period}
                ]
            }
        )
    if report.status == ResultStatus.APPROVED:
        raise ResultConflict(
            {
                "period": [
                    _(
                        "Resultatet för %(period)s är redan godkänt; "
                        "en rättelse görs som ändring i kontraktet."
                    )
                    % {"period": period}
                ]
            }
        )
    if not allow_update:
        raise ResultConflict({"period": [_("Det finns redan ett resultat för perioden.")]})
    return report


@transaction.atomic
def result_report(
    *,
    actor,
    contract: Contract,
    metric: OutcomeMetric,
    period: str,
    cohort: Cohort | None = None,
    value: Decimal | None = None,
    counterfactual_value: Decimal | None = None,
    estimates: dict | None = None,
    participants: dict | None = None,
    submit: bool = True,
    source: str = "form",
    today: datetime.date | None = None,
    denominator: Decimal | None = None,
) -> ResultReport:
    """Report (and by default submit) one figure; raises ValidationError naming the fields."""
    access.check(actor, "contract.result.report", contract)
    # The locked read: concurrent submissions for one contract queue here, so the second one sees
    # the first one's report (the unique constraints are the backstop).
    Contract.objects.select_for_update().filter(pk=contract.pk).first()
    report = _prepare(contract, metric, period, cohort)
    errors = check_figure(
        contract,
        metric,
        period,
        cohort,
        value,
        counterfactual_value,
        estimates,
        participants,
        today,
        denominator=denominator,
    )
    if errors:
        raise ValidationError(errors)
    was = report.status if report.pk else None
    report.value = value
    report.counterfactual_value = counterfactual_value
    report.denominator = denominator
    report.estimates = estimates
    report.participants = participants
    report.source = source
    report.status = ResultStatus.SUBMITTED if submit else ResultStatus.DRAFT
    if submit:
        report.submitted_by = _actor_user(actor)
        report.submitted_at = timezone.now()
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise ResultConflict({"period": [_("Det finns redan ett resultat för perioden.")]}) from None
    action = "contract.result.submitted" if submit else "contract.result.saved"
    if was == ResultStatus.RETURNED:
        action = "contract.result.resubmitted" if submit else "contract.result.corrected"
    _log(action, actor, report, source=source)
    return report


@transaction.atomic
def result_submit(*, actor, report: ResultReport) -> ResultReport:
    """Submit a draft (or a corrected returned report) for validation."""
    access.check(actor, "contract.result.report", report.contract)
    if report.status not in (ResultStatus.DRAFT, ResultStatus.RETURNED):
        raise ValidationError({"__all__": [_("Bara utkast och återsända resultat kan lämnas in.")]})
    was = report.status
    report.status = ResultStatus.SUBMITTED
    report.submitted_by = _actor_user(actor)
    report.submitted_at = timezone.now()
    report.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    _log(
        "contract.result.resubmitted" if was == ResultStatus.RETURNED else "contract.result.submitted",
        actor,
        report,
    )
    return report


@transaction.atomic
def result_approve(
    *, actor, report: ResultReport, comments: str = "", today: datetime.date | None = None
) -> ResultReport:
    """The validator approves a submitted result; the payments are recalculated at once."""
    from .services_payments import payments_recalculate

    access.check(actor, "contract.result.validate", report.contract)
    report = ResultReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ResultStatus.SUBMITTED:
        raise ValidationError({"__all__": [_("Bara inlämnade resultat kan godkännas.")]})
    not_ended = period_not_ended(report.contract, report.period, today)
    if not_ended:
        raise ValidationError({"__all__": [not_ended]})
    report.status = ResultStatus.APPROVED
    report.validated_by = _actor_user(actor)
    report.validated_at = timezone.now()
    if comments.strip():
        report.comments = _append_comment(report.comments, actor, comments)
    report.save(update_fields=["status", "validated_by", "validated_at", "comments", "updated_at"])
    _log("contract.result.approved", actor, report, comments=comments.strip())
    payments_recalculate(actor=actor, contract=report.contract, reason=f"result {report.pk} approved")
    return report


@transaction.atomic
def result_return(*, actor, report: ResultReport, comments: str) -> ResultReport:
    """The validator returns a submitted result with comments (required) for correction."""
    access.check(actor, "contract.result.validate", report.contract)
    if not comments or not comments.strip():
        raise ValidationError({"comments": [_("Skriv vad som behöver rättas.")]})
    report = ResultReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ResultStatus.SUBMITTED:
        raise ValidationError({"__all__": [_("Bara inlämnade resultat kan återsändas.")]})
    report.status = ResultStatus.RETURNED
    report.validated_by = _actor_user(actor)
    report.validated_at = timezone.now()
    report.comments = _append_comment(report.comments, actor, comments)
    report.save(update_fields=["status", "validated_by", "validated_at", "comments", "updated_at"])
    _log("contract.result.returned", actor, report, comments=comments.strip())
    return report


def _append_comment(existing: str, actor, text: str) -> str:
    who = getattr(_actor_user(actor), "full_name", "") or getattr(_actor_user(actor), "email", "")
    org = actor.organisation.name if actor is not None and actor.organisation else ""
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    line = f"[{stamp} {who}, {org}] {text.strip()}"
    return f"{existing}\n{line}" if existing else line


# --------------------------------------------------------------------------- import

IMPORT_COLUMNS = {
    "matt": "metric",
    "utfallsmatt": "metric",
    "metric": "metric",
    "period": "period",
    "kohort": "cohort",
    "cohort": "cohort",
    "varde": "value",
    "value": "value",
    "jamforelse": "counterfactual_value",
    "jamforelsevarde": "counterfactual_value",
    "counterfactual": "counterfactual_value",
    "namnare": "denominator",
    "denominator": "denominator",
}
COLUMN_LABELS = {
    "metric": "matt",
    "period": "period",
    "cohort": "kohort",
    "value": "varde",
    "counterfactual_value": "jamforelse",
    "denominator": "namnare",
}
TEMPLATE_HEADERS = ["matt", "period", "kohort", "varde", "jamforelse"]


@dataclass
class ImportProblem:
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = _("rad %(row)s") % {"row": self.row} if self.row else _("filen")
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class ImportResult:
    ok: bool
    reports: list[ResultReport] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)


def _norm_header(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum())


def results_import(
    *, actor, contract: Contract, filename: str, content: bytes, submit: bool = True
) -> ImportResult:
    """Import figures from a CSV or Excel file: every row is checked first; if any row or column
    fails nothing is written and every problem is returned (row number as in the file, the header
    being row 1, and the column's header)."""
    from insats.platform.spreadsheets import check_file
    from insats.situation.services_import import (
        CellError,
        _file_format,
        iter_rows,
        parse_decimal,
        read_headers,
    )

    access.check(actor, "contract.result.report", contract)
    problems: list[ImportProblem] = []
    try:
        fmt = _file_format(filename)
        headers = read_headers(content, fmt)
        check_file(content, fmt)  # within the upload limits, every row (insats.platform.spreadsheets)
    except ValidationError as exc:
        msgs = [m for ms in exc.message_dict.values() for m in ms]
        return ImportResult(False, problems=[ImportProblem(None, "", m) for m in msgs])
    columns: dict[str, int] = {}
    for i, h in enumerate(headers):
        key = IMPORT_COLUMNS.get(_norm_header(h))
        if key is None:
            problems.append(
                ImportProblem(
                    1, h, _("okänd kolumn (använd %(cols)s)") % {"cols": ", ".join(TEMPLATE_HEADERS)}
                )
            )
        elif key in columns:
            problems.append(ImportProblem(1, h, _("kolumnen förekommer två gånger")))
        else:
            columns[key] = i
    for needed in ("metric", "period", "value"):
        if needed not in columns:
            problems.append(ImportProblem(1, COLUMN_LABELS[needed], _("kolumnen saknas")))
    if problems:
        return ImportResult(False, problems=problems)
    if contract.status not in REPORTING_STATUSES:
        return ImportResult(
            False,
            problems=[
                ImportProblem(
                    None, "", _("Resultat rapporteras när kontraktet är undertecknat eller i genomförande.")
                )
            ],
        )

    metrics = {m.code: m for m in contract.metrics.all()}
    cohorts = {c.code: c for c in contract.cohorts.all()}
    header_of = {key: headers[i] for key, i in columns.items()}
    rows = []
    seen: dict[tuple, int] = {}
    for row_no, cells in iter_rows(content, fmt):

        def cell(key, cells=cells):
            i = columns.get(key)
            return cells[i] if i is not None and i < len(cells) else None

        row_problems: list[ImportProblem] = []
        code = str(cell("metric") or "").strip()
        metric = metrics.get(code)
        if metric is None:
            row_problems.append(
                ImportProblem(
                    row_no, header_of["metric"], _("okänt utfallsmått ”%(code)s”") % {"code": code[:40]}
                )
            )
        raw_period = cell("period")
        if isinstance(raw_period, float) and raw_period.is_integer():
            raw_period = int(raw_period)
        period = str(raw_period if raw_period is not None else "").strip()
        cohort = None
        code_c = str(cell("cohort") or "").strip()
        if code_c:
            cohort = cohorts.get(code_c)
            if cohort is None:
                row_problems.append(
                    ImportProblem(
                        row_no, header_of["cohort"], _("okänd kohort ”%(code)s”") % {"code": code_c[:40]}
                    )
                )
        numbers = {}
        for key in ("value", "counterfactual_value", "denominator"):
            raw = cell(key)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                numbers[key] = None
                continue
            try:
                numbers[key] = parse_decimal(raw).normalize()
            except CellError as exc:
                row_problems.append(ImportProblem(row_no, header_of.get(key, COLUMN_LABELS[key]), str(exc)))
        if metric is not None and not row_problems:
            if metric.kind in (MetricKind.RATE_CARD, MetricKind.BLENDED):
                row_problems.append(
                    ImportProblem(
                        row_no,
                        header_of["metric"],
                        _("det här utfallsmåttet rapporteras i formuläret eller via API:t"),
                    )
                )
            else:
                key = (metric.pk, period, cohort.pk if cohort else None)
                if key in seen:
                    row_problems.append(
                        ImportProblem(
                            row_no,
                            header_of["period"],
                            _("samma mått och period som rad %(row)s") % {"row": seen[key]},
                        )
                    )
                seen[key] = row_no
                errs = check_figure(
                    contract,
                    metric,
                    period,
                    cohort,
                    numbers["value"],
                    numbers["counterfactual_value"],
                    None,
                    None,
                    denominator=numbers["denominator"],
                )
                try:
                    _prepare(contract, metric, period, cohort)
                except ValidationError as exc:
                    for name, msgs in exc.message_dict.items():
                        errs.setdefault(name, []).extend(msgs)
                for name, msgs in errs.items():
                    column = header_of.get(
                        name if name in header_of else "period" if name == "__all__" else name,
                        COLUMN_LABELS.get(name, name),
                    )
                    for m in msgs:
                        row_problems.append(ImportProblem(row_no, column, m))
        problems += row_problems
        rows.append((metric, period, cohort, numbers))
    if not rows and not problems:
        problems.append(ImportProblem(None, "", _("Filen innehåller inga rader.")))
    if problems:
        return ImportResult(False, problems=problems)
    reports = []
    with transaction.atomic():
        for metric, period, cohort, numbers in rows:
            reports.append(
                result_report(
                    actor=actor,
                    contract=contract,
                    metric=metric,
                    period=period,
                    cohort=cohort,
                    value=numbers["value"],
                    counterfactual_value=numbers["counterfactual_value"],
                    denominator=numbers["denominator"],
                    submit=submit,
                    source="import",
                )
            )
        log_action(
            "contract.result.imported",
            actor=_actor_user(actor),
            organisation=actor.organisation,
            obj=contract,
            changes={"file": filename[:200], "rows": len(reports), "reports": [r.pk for r in reports]},
        )
    return ImportResult(True, reports=reports)


def template_csv(contract: Contract) -> str:
    """A CSV template with one row per metric and period (semicolon, UTF-8 with BOM, as Swedish Excel
    writes)."""
    from insats.platform.spreadsheets import csv_text

    metrics = list(contract.metrics.exclude(kind__in=[MetricKind.RATE_CARD, MetricKind.BLENDED]))
    ratios = any((m.rule or {}).get("measure") for m in metrics)  # a column for the denominator
    rows = [TEMPLATE_HEADERS + (["namnare"] if ratios else [])]
    cohorts = list(contract.cohorts.all()) or [None]
    for metric in metrics:
        for period in metric.measurement_periods or contract.period_ids():
            for cohort in cohorts:
                rows.append(
                    [metric.code, period, cohort.code if cohort else "", "", ""] + ([""] if ratios else [])
                )
    return csv_text(rows)


def visible_reports(actor, contract: Contract):
    """The contract's reports, if the actor may see results (else none)."""
    if not access.can(actor, "contract.result.view", contract):
        return ResultReport.objects.none()
    return contract.result_reports.select_related(
        "metric", "cohort", "submitted_by", "validated_by"
    ).order_by("period", "metric__order", "metric__code", "cohort__code")
