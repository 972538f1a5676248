"""Pages of the form advisor (valet av samverkansform) and the thresholds. Thin: access, a service,
a template. The rules are the core's (``insats.core.form_advisor``)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from insats.accounts import access
from insats.accounts.access import actor_for, require
from insats.core import form_advisor as core
from insats.situation.models_plans import Result, TargetGroup

from . import services
from .forms import AssessmentForm, DecideForm, ThresholdForm
from .models import CollaborationForm, FormDecision, ProcurementThreshold, ThresholdKind

NAV = "sourcing"

# Where each form's process starts (``?decision=<pk>`` fills the need in); direct award has none.
NEXT_LINKS = {
    CollaborationForm.GRANT: ("sourcing:grant_round_create", gettext_lazy("Starta en bidragsomgång"), True),
    CollaborationForm.IOP: ("sourcing:iop_create", gettext_lazy("Starta ett IOP"), True),
    CollaborationForm.LOU: ("sourcing:rfi_create", gettext_lazy("Starta en marknadsdialog (RFI)"), True),
    CollaborationForm.INNOVATION: (
        "sourcing:rfi_create",
        gettext_lazy("Starta en marknadsdialog (RFI)"),
        True,
    ),
    CollaborationForm.OUTCOMES: ("contracts:create", gettext_lazy("Skapa ett utfallskontrakt"), False),
}
MISSING_LABELS = {
    core.VALUE_KEY: gettext_lazy("Uppskattat värde (kr)"),
    core.LIMIT_KEY: gettext_lazy("Direktupphandlingsgräns som gäller i dag (saknas i tröskelvärdena)"),
}


def url_or_none(name: str, query: dict | None = None) -> str | None:
    """The URL of ``name`` (with ``query``), or None when that page does not exist (yet)."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


def next_step(decision: FormDecision) -> dict | None:
    form = decision.chosen or decision.recommended
    if not form:
        return None
    text = core.NEXT_STEPS[core.Form(form)]
    link = NEXT_LINKS.get(CollaborationForm(form))
    url = label = None
    if link is not None:
        name, label, with_decision = link
        url = url_or_none(name, {"decision": decision.pk} if with_decision else None)
    return {"text": text, "url": url, "label": label}


def _question_text(key: str) -> str:
    for q in core.QUESTIONS:
        if q.key == key:
            return _(q.text)
    return str(MISSING_LABELS.get(key, key))


def _plan_choices(actor):
    org = actor.organisation
    groups = access.scope(actor, TargetGroup.objects.filter(organisation=org), "plan.view").order_by("name")
    results = access.scope(actor, Result.objects.filter(organisation=org), "plan.view").order_by("title")
    return groups, results


def _get(actor, pk, ability) -> FormDecision:
    qs = FormDecision.objects.select_related(
        "organisation", "target_group", "result", "intervention", "decided_by", "created_by", "supersedes"
    )
    return access.get_or_404(actor, qs, ability, pk=pk)


def _errors_to(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errs in exc.error_dict.items():
            for e in errs:
                form.add_error(name if name in form.fields else None, e)
    else:
        for m in exc.messages:
            form.add_error(None, m)


# --------------------------------------------------------------------------- decisions


@require("formdecision.view")
def decision_list(request):
    actor = actor_for(request)
    decisions = access.scope(
        actor, FormDecision.objects.select_related("organisation", "superseded_by"), "formdecision.view"
    ).order_by("-created_at", "-pk")
    return render(
        request,
        "sourcing/advisor/decision_list.html",
        {
            "decisions": decisions,
            "can_create": access.can(actor, "formdecision.edit"),
            "nav_active": NAV,
        },
    )


def _assessment_page(request, actor, *, previous: FormDecision | None = None):
    groups, results = _plan_choices(actor)
    if request.method == "POST":
        form = AssessmentForm(request.POST, target_groups=groups, results=results)
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = services.decision_create(
                    actor=actor,
                    organisation=actor.organisation,
                    title=data["title"],
                    need_description=data["need_description"],
                    target_group=data["target_group"],
                    result=data["result"],
                    intervention=previous.intervention if previous else None,
                    answers={
                        **{q.key: data[q.key] for q in core.QUESTIONS},
                        "estimated_value": data["estimated_value"],
                    },
                    supersedes=previous,
                )
            except ValidationError as exc:
                _errors_to(form, exc)
            else:
                messages.success(
                    request, _("Bedömningen är sparad. Se rekommendationen och registrera beslutet.")
                )
                return redirect("sourcing:decision_detail", pk=decision.pk)
    else:
        initial: dict = {}
        if previous is not None:
            initial = {
                "title": previous.title,
                "need_description": previous.need_description,
                "target_group": previous.target_group_id,
                "result": previous.result_id,
                "estimated_value": str(previous.estimated_value)
                if previous.estimated_value is not None
                else "",
                **previous.answers,
            }
        else:
            group = _pick(groups, request.GET.get("target_group"))
            result = _pick(results, request.GET.get("result"))
            if result is not None:
                initial["result"] = result.pk
                initial["title"] = result.title
                group = group or result.target_group
                if group is not None and not groups.filter(pk=group.pk).exists():
                    group = None
            if group is not None:
                initial["target_group"] = group.pk
                initial.setdefault("title", group.name)
        form = AssessmentForm(initial=initial, target_groups=groups, results=results)
    return render(
        request,
        "sourcing/advisor/decision_form.html",
        {"form": form, "previous": previous, "nav_active": NAV},
    )


def _pick(queryset, raw):
    if not raw or not str(raw).isdigit():
        return None
    return queryset.filter(pk=int(raw)).first()


@require("formdecision.edit")
def decision_create(request):
    actor = actor_for(request)
    return _assessment_page(request, actor)


@require("formdecision.edit")
def decision_revise(request, pk):
    """ "Ändra beslut": a new assessment and decision that supersedes this one (never an edit)."""
    actor = actor_for(request)
    previous = _get(actor, pk, "formdecision.edit")
    if FormDecision.objects.filter(supersedes=previous).exists():
        messages.error(request, _("Beslutet är redan ersatt av ett nyare."))
        return redirect("sourcing:decision_detail", pk=previous.superseded_by.pk)
    return _assessment_page(request, actor, previous=previous)


def _detail_page(request, actor, decision, decide_form=None, status=200):
    superseded_by = FormDecision.objects.filter(supersedes=decision).first()
    can_edit = access.can(actor, "formdecision.edit", decision)
    if decide_form is None and can_edit and not decision.chosen and superseded_by is None:
        decide_form = DecideForm(initial={"chosen": decision.recommended})
    assessment = decision.assessment or {}
    thresholds = []
    for kind, row in (assessment.get("thresholds") or {}).items():
        thresholds.append({"label": ThresholdKind(kind).label, "amount": Decimal(row["amount"])})
    answers = [
        (q, {"ja": _("Ja"), "nej": _("Nej")}.get(decision.answers.get(q.key, ""), _("Vet ej")))
        for q in core.QUESTIONS
    ]
    return render(
        request,
        "sourcing/advisor/decision_detail.html",
        {
            "decision": decision,
            "answers": answers,
            "reasons": decision.reasons,
            "others": [CollaborationForm(f).label for f in assessment.get("others", [])],
            "missing": [_question_text(k) for k in assessment.get("missing", [])],
            "thresholds": thresholds,
            "assessed_on": assessment.get("on"),
            "next": next_step(decision),
            "decide_form": decide_form
            if can_edit and not decision.chosen and superseded_by is None
            else None,
            "can_revise": can_edit and superseded_by is None,
            "superseded_by": superseded_by,
            "nav_active": NAV,
        },
        status=status,
    )


@require("formdecision.view")
def decision_detail(request, pk):
    actor = actor_for(request)
    return _detail_page(request, actor, _get(actor, pk, "formdecision.view"))


@require("formdecision.edit")
@require_POST
def decision_decide(request, pk):
    actor = actor_for(request)
    decision = _get(actor, pk, "formdecision.edit")
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.decision_decide(
                actor=actor,
                decision=decision,
                chosen=form.cleaned_data["chosen"],
                departure_reason=form.cleaned_data["departure_reason"],
            )
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Beslutet är registrerat."))
            return redirect("sourcing:decision_detail", pk=decision.pk)
    decision.refresh_from_db()
    return _detail_page(request, actor, decision, decide_form=form, status=422)


# --------------------------------------------------------------------------- thresholds


@require("formdecision.edit")
def threshold_list(request):
    actor = actor_for(request)
    today = timezone.localdate()
    in_force = {r.pk for r in services.thresholds_in_force(today).values()}
    rows = ProcurementThreshold.objects.order_by("kind", "-valid_from")
    return render(
        request,
        "sourcing/advisor/threshold_list.html",
        {
            "rows": rows,
            "in_force": in_force,
            "today": today,
            "can_manage": access.can(actor, "threshold.manage"),
            "nav_active": NAV,
        },
    )


@require("threshold.manage")
def threshold_create(request):
    actor = actor_for(request)
    if request.method == "POST":
        form = ThresholdForm(request.POST)
        if form.is_valid():
            try:
                services.threshold_add(actor=actor, **form.cleaned_data)
            except ValidationError as exc:
                _errors_to(form, exc)
            else:
                messages.success(request, _("Tröskelvärdet är sparat."))
                # An operator acts for no organisation and may not read the list: back to this page.
                if access.can(actor, "formdecision.edit"):
                    return redirect("sourcing:threshold_list")
                return redirect("sourcing:threshold_create")
    else:
        form = ThresholdForm(initial={"valid_from": datetime.date(timezone.localdate().year + 1, 1, 1)})
    in_force = sorted(services.thresholds_in_force(timezone.localdate()).values(), key=lambda r: r.kind)
    return render(
        request,
        "sourcing/advisor/threshold_form.html",
        {
            "form": form,
            "in_force": in_force,
            "can_list": access.can(actor, "formdecision.edit"),
            "nav_active": NAV,
        },
    )
