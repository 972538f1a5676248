"""Result pages: the list per period and metric, the report form, the file import, one result with
its history, and the validator's approve / return."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from insats.accounts.access import actor_for, can, get_or_404, require
from insats.audit.models import AuditEntry

from . import services_results as sr
from .forms_results import ApproveForm, ImportForm, ResultForm, ReturnForm
from .models import Contract, ResultReport, ResultStatus
from .views_payments import num

VIEW = "contract.result.view"
REPORT = "contract.result.report"
VALIDATE = "contract.result.validate"


def _contract(request, pk: int, ability: str) -> Contract:
    return get_or_404(actor_for(request), Contract.objects.select_related("owner"), ability, pk=pk)


def _report(request, contract: Contract, rid: int, ability: str) -> ResultReport:
    get_or_404(actor_for(request), Contract.objects.filter(pk=contract.pk), ability, pk=contract.pk)
    return get_or_404(
        actor_for(request),
        ResultReport.objects.filter(contract=contract).select_related("metric", "cohort"),
        VIEW,
        pk=rid,
    )


ACTION_LABELS = {
    "contract.result.saved": gettext_lazy("Sparat som utkast"),
    "contract.result.submitted": gettext_lazy("Inlämnat"),
    "contract.result.corrected": gettext_lazy("Rättat"),
    "contract.result.resubmitted": gettext_lazy("Rättat och inlämnat igen"),
    "contract.result.approved": gettext_lazy("Godkänt"),
    "contract.result.returned": gettext_lazy("Återsänt"),
}


def _history(report: ResultReport) -> list:
    entries = AuditEntry.objects.filter(
        object_type="contracts.resultreport", object_id=str(report.pk), action__startswith="contract.result."
    ).order_by("seq")
    return [(e, ACTION_LABELS.get(e.action, e.action)) for e in entries]


def _apply_errors(form, exc: ValidationError) -> None:
    for name, msgs in exc.message_dict.items():
        target = name if name in form.fields else None
        for m in msgs:
            form.add_error(target, m)


@require(VIEW)
@require_http_methods(["GET", "POST"])
def results(request, pk: int):
    """All reported results of the contract; the report form for the provider and the validator."""
    actor = actor_for(request)
    contract = _contract(request, pk, VIEW)
    may_report = can(actor, REPORT, contract)
    form = None
    if may_report:
        initial = {k: request.GET[k] for k in ("metric", "period", "cohort") if k in request.GET}
        form = ResultForm(request.POST or None, initial=initial, contract=contract)
        if request.method == "POST" and form.is_valid():
            try:
                report = sr.result_report(actor=actor, contract=contract, **form.figure())
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Resultatet för %(period)s är inlämnat för validering.") % {"period": report.period}
                    if report.status == ResultStatus.SUBMITTED
                    else _("Resultatet är sparat som utkast."),
                )
                return redirect("contracts:results", pk=contract.pk)
    elif request.method == "POST":
        return HttpResponse(status=403)
    reports = list(sr.visible_reports(actor, contract))
    for r in reports:
        r.value_text, r.counterfactual_text = num(r.value), num(r.counterfactual_value)
    return render(
        request,
        "contracts/results.html",
        {
            "contract": contract,
            "reports": reports,
            "form": form,
            "may_report": may_report,
            "may_validate": can(actor, VALIDATE, contract),
            "reporting_open": contract.status in sr.REPORTING_STATUSES,
            "waiting": sum(1 for r in reports if r.status == ResultStatus.SUBMITTED),
            "nav_active": "contracts",
        },
    )


@require(REPORT)
@require_http_methods(["GET", "POST"])
def results_import(request, pk: int):
    actor = actor_for(request)
    contract = _contract(request, pk, REPORT)
    form = ImportForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        outcome = sr.results_import(
            actor=actor, contract=contract, filename=upload.name, content=upload.read()
        )
        if outcome.ok:
            messages.success(
                request,
                _("%(n)s resultat importerade och inlämnade för validering.") % {"n": len(outcome.reports)},
            )
            return redirect("contracts:results", pk=contract.pk)
    return render(
        request,
        "contracts/result_import.html",
        {"contract": contract, "form": form, "outcome": outcome, "nav_active": "contracts"},
        status=400 if request.method == "POST" else 200,  # a successful POST has redirected
    )


@require(REPORT)
def results_template(request, pk: int):
    contract = _contract(request, pk, REPORT)
    response = HttpResponse(sr.template_csv(contract), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="resultat-{contract.reference}.csv"'
    return response


@require(VIEW)
def result_detail(request, pk: int, rid: int):
    actor = actor_for(request)
    contract = _contract(request, pk, VIEW)
    report = _report(request, contract, rid, VIEW)
    history = _history(report)
    report.value_text, report.counterfactual_text = num(report.value), num(report.counterfactual_value)
    may_validate = can(actor, VALIDATE, contract) and report.status == ResultStatus.SUBMITTED
    return render(
        request,
        "contracts/result_detail.html",
        {
            "contract": contract,
            "report": report,
            "history": history,
            "may_validate": may_validate,
            "may_resubmit": can(actor, REPORT, contract)
            and report.status in (ResultStatus.DRAFT, ResultStatus.RETURNED),
            "approve_form": ApproveForm(prefix="approve"),
            "return_form": ReturnForm(prefix="return"),
            "nav_active": "contracts",
        },
    )


@require(VALIDATE)
@require_POST
def result_approve(request, pk: int, rid: int):
    actor = actor_for(request)
    contract = _contract(request, pk, VALIDATE)
    report = _report(request, contract, rid, VALIDATE)
    form = ApproveForm(request.POST, prefix="approve")
    form.is_valid()
    try:
        sr.result_approve(actor=actor, report=report, comments=form.cleaned_data.get("comments", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.success(request, _("Resultatet är godkänt och betalningarna är omräknade."))
    return redirect("contracts:result_detail", pk=contract.pk, rid=report.pk)


@require(VALIDATE)
@require_http_methods(["POST"])
def result_return(request, pk: int, rid: int):
    actor = actor_for(request)
    contract = _contract(request, pk, VALIDATE)
    report = _report(request, contract, rid, VALIDATE)
    form = ReturnForm(request.POST, prefix="return")
    if form.is_valid():
        try:
            sr.result_return(actor=actor, report=report, comments=form.cleaned_data["comments"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Resultatet är återsänt till utföraren."))
            return redirect("contracts:result_detail", pk=contract.pk, rid=report.pk)
    history = _history(report)
    report.value_text, report.counterfactual_text = num(report.value), num(report.counterfactual_value)
    return render(
        request,
        "contracts/result_detail.html",
        {
            "contract": contract,
            "report": report,
            "history": history,
            "may_validate": report.status == ResultStatus.SUBMITTED,
            "approve_form": ApproveForm(prefix="approve"),
            "return_form": form,
            "nav_active": "contracts",
        },
        status=422,
    )


@require(REPORT)
@require_POST
def result_submit(request, pk: int, rid: int):
    actor = actor_for(request)
    contract = _contract(request, pk, REPORT)
    report = _report(request, contract, rid, REPORT)
    try:
        sr.result_submit(actor=actor, report=report)
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.success(request, _("Resultatet är inlämnat för validering."))
    return redirect("contracts:result_detail", pk=contract.pk, rid=report.pk)
