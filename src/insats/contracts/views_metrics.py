"""Outcome metrics and prices, the contract-level payment terms, and the payment preview."""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticValidationError

from insats.accounts import access
from insats.accounts.access import actor_for, require
from insats.audit.reads import log_read

from . import core_inputs, rule_text, services, services_changes, services_preview
from .forms import ChangeDescriptionForm, PaymentTermsForm, PreviewForm
from .forms_metrics import EXPLAIN, MetricForm, initial_from_metric
from .models import MetricKind, OutcomeMetric
from .views import contract_context, form_errors_to, get_contract, get_editable_contract

KIND_HELP = {
    MetricKind.IMPROVEMENT: _(
        "Pris × hur mycket bättre det blev än jämförelsen: per undviken placering, per dygn, per "
        "procentenhet lägre frånvaro. Kan ha trösklar per kohort och för hela kontraktet, och "
        "prisintervall."
    ),
    MetricKind.RATE_CARD: _(
        "Ett fast pris för varje deltagare som når ett utfall, t.ex. 20 000 kr när en elev kommer "
        "tillbaka till skolan. Utfallet kan behöva hålla ett antal perioder."
    ),
    MetricKind.SAVINGS: _(
        "Beställaren för vidare en andel av det den mätbart sparat, upp till ett tak; en extra del "
        "över en besparingsnivå betalas bara om ett annat utfall också nås."
    ),
    MetricKind.BLENDED: _(
        "Som förbättring mot jämförelse, men effekten är en viktad sammanvägning av flera "
        "utvärderingar (t.ex. 60 % en randomiserad studie, 40 % en jämförelse över tid)."
    ),
    MetricKind.CONDITION: _(
        "Mäts men betalas aldrig i sig; används som villkor för den extra delen av delade besparingar."
    ),
}


def _metric(contract, metric_pk) -> OutcomeMetric:
    metric = OutcomeMetric.objects.filter(contract=contract, pk=metric_pk).first()
    if metric is None:
        raise Http404
    return metric


def _rule_text(metric: OutcomeMetric) -> str:
    return json.dumps(metric.core_json(), ensure_ascii=False, indent=2)


def _rule_plain(metric: OutcomeMetric | None) -> list[str]:
    """The price rule in plain Swedish sentences."""
    return (
        rule_text.describe_rule(metric.core_json(), metric.unit, metric.contract.currency) if metric else []
    )


@require("contract.view")
def metrics(request, pk):
    actor = actor_for(request)
    contract = get_contract(request, pk)
    can_edit = contract.is_editable and access.can(actor, "contract.edit", contract)
    terms_form = PaymentTermsForm(
        request.POST if request.method == "POST" else None,
        initial=PaymentTermsForm.initial_for(contract),
        periods=contract.period_ids(),
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("contract.edit")
        if terms_form.is_valid():
            try:
                services.payment_terms_update(actor=actor, contract=contract, **terms_form.cleaned_data)
            except ValidationError as exc:
                form_errors_to(terms_form, exc)
            else:
                messages.success(request, _("Betalningsvillkoren är sparade."))
                return redirect("contracts:metrics", pk=contract.pk)
    rows = [(m, _rule_text(m), _rule_plain(m)) for m in contract.metrics.all()]
    log_read(request, contract, "contract.metrics.read")
    return render(
        request,
        "contracts/metric_list.html",
        contract_context(
            request,
            contract,
            "metrics",
            rows=rows,
            terms_form=terms_form if can_edit else None,
            terms=contract.payment_terms or {},
            kinds=[(k, label, KIND_HELP[k]) for k, label in MetricKind.choices],
        ),
    )


@require("contract.view")
def metric_edit(request, pk, metric=None):
    """Create (``?kind=…``) or edit a metric while drafting or negotiating; after signing the same
    form proposes a change that every party must approve."""
    actor = actor_for(request)
    contract = get_contract(request, pk)
    obj = _metric(contract, metric) if metric is not None else None
    editable = contract.is_editable and access.can(actor, "contract.edit", contract)
    proposing = (
        obj is not None
        and contract.status in services_changes.CHANGEABLE
        and access.can(actor, "contract.change.propose", contract)
    )
    if not editable and not proposing:
        if request.method == "POST" or obj is None:
            raise PermissionDenied("contract.edit")
        log_read(request, contract, "contract.metrics.read", metric=obj.code)
        return render(  # read-only: what the metric says and its rule
            request,
            "contracts/metric_form.html",
            contract_context(
                request,
                contract,
                "metrics",
                form=None,
                metric=obj,
                kind=obj.kind,
                kind_label=MetricKind(obj.kind).label,
                kind_help=KIND_HELP[obj.kind],
                rule_text=_rule_text(obj),
                rule_plain=_rule_plain(obj),
            ),
        )
    kind = request.GET.get("kind") or request.POST.get("kind") or (obj.kind if obj else "")
    if kind not in MetricKind.values:
        return render(
            request,
            "contracts/metric_kind.html",
            contract_context(
                request,
                contract,
                "metrics",
                kinds=[(k, label, KIND_HELP[k]) for k, label in MetricKind.choices],
                metric=obj,
            ),
        )
    periods = contract.period_ids()
    initial = initial_from_metric(obj) if obj else {"order": contract.metrics.count()}
    if obj and obj.kind != kind:
        initial = {k: v for k, v in initial.items() if k in ("code", "name", "order", "definition", "unit")}
    data = request.POST if request.method == "POST" else None
    form = MetricForm(data, kind=kind, periods=periods, initial=initial)
    change_form = ChangeDescriptionForm(data) if proposing and not editable else None
    if request.method == "POST" and form.is_valid() and (change_form is None or change_form.is_valid()):
        fields = form.metric_fields()
        if form.is_valid():  # to_rule() may add errors (missing price, badly written lines)
            try:
                if editable:
                    saved = services.metric_save(actor=actor, contract=contract, metric=obj, **fields)
                    messages.success(request, _("Utfallsmåttet är sparat."))
                    return redirect("contracts:metric", pk=contract.pk, metric=saved.pk)
                change_kind = (
                    "prices"
                    if {k: v for k, v in fields.items() if k != "rule"}
                    == {k: getattr(obj, k) for k in fields if k != "rule"}
                    else "metrics"
                )
                proposal = services_changes.propose(
                    actor=actor,
                    contract=contract,
                    kind=change_kind,
                    description=change_form.cleaned_data["change_description"],
                    payload={"metrics": [fields]},
                )
                messages.success(request, _("Ändringsförslaget är skickat till parterna."))
                return redirect("contracts:change", pk=contract.pk, proposal=proposal.pk)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    form.add_core_errors(exc.message_dict)
                else:
                    form.add_error(None, exc.messages)
    return render(
        request,
        "contracts/metric_form.html",
        contract_context(
            request,
            contract,
            "metrics",
            form=form,
            change_form=change_form,
            metric=obj,
            kind=kind,
            kind_label=MetricKind(kind).label,
            kind_help=KIND_HELP[kind],
            rule_text=_rule_text(obj) if obj else "",
            rule_plain=_rule_plain(obj),
        ),
    )


@require("contract.edit")
def metric_delete(request, pk, metric):
    actor = actor_for(request)
    contract = get_editable_contract(request, pk)
    obj = _metric(contract, metric)
    if request.method == "POST":
        try:
            services.metric_delete(actor=actor, metric=obj)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("contracts:metric", pk=contract.pk, metric=obj.pk)
        messages.success(request, _("Utfallsmåttet är borttaget."))
        return redirect("contracts:metrics", pk=contract.pk)
    return render(
        request, "contracts/metric_delete.html", contract_context(request, contract, "metrics", metric=obj)
    )


def _reference_fields(contract) -> list[tuple[str, str]]:
    """Metrics whose example outcome needs a reference level entered on the preview form."""
    out = []
    has_sizes = contract.cohorts.filter(planned_size__gt=0).exists()
    for m in contract.metrics.all():
        cf = (m.rule or {}).get("counterfactual") or {}
        if m.kind == MetricKind.BLENDED or cf.get("kind") == "comparison":
            out.append(
                (m.code, _("Referensnivå för %(name)s (%(unit)s)") % {"name": m.name, "unit": m.unit or "–"})
            )
        elif m.kind == MetricKind.RATE_CARD and not has_sizes:
            out.append((m.code, _("Antal deltagare för %(name)s") % {"name": m.name}))
        measure = (m.rule or {}).get("measure")
        if measure and not (cf.get("by_cohort") and has_sizes and measure.get("kind") == "rate"):
            out.append(
                (
                    f"{m.code}__den",
                    _("Nämnare för %(name)s per period (t.ex. antal barndygn eller deltagare)")
                    % {"name": m.name},
                )
            )
    return out


@require("contract.view")
def preview(request, pk):
    """What the contract would pay under example outcomes — every amount from the core."""
    contract = get_contract(request, pk)
    references = _reference_fields(contract)
    form = PreviewForm(request.GET or None, references=references)
    improvements = list(services_preview.DEFAULT_EXAMPLES)
    reference: dict[str, Decimal] = {}
    if request.GET and form.is_valid():
        improvements = form.cleaned_data["examples"]
        reference = form.references()
    elif request.GET:
        improvements = []
    scenarios, errors = [], []
    payers = list(core_inputs.payer_parties(contract).values())
    if improvements:
        try:
            scenarios = services_preview.preview(contract, improvements, reference)
        except PydanticValidationError as exc:
            errors = core_inputs.error_list(exc)
    missing_refs = [label for code, label in references if code not in reference]
    return render(
        request,
        "contracts/metric_preview.html",
        contract_context(
            request,
            contract,
            "metrics",
            form=form,
            scenarios=scenarios,
            errors=errors,
            payers=payers,
            missing_refs=missing_refs,
            explain_threshold=EXPLAIN["threshold_kind"],
        ),
    )
