"""Grant round pages (föreningsbidrag). Thin: access, a service, a template.

The grantor sets up, publishes, assesses, proposes and decides; an applicant sees the call, its own
application, its letter and its återrapportering — never another applicant's application."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from insats.accounts import access
from insats.accounts.access import actor_for, require
from insats.audit.reads import log_read
from insats.platform.pdf import html_to_pdf
from insats.sourcing.advisor.models import FormDecision
from insats.sourcing.documents.models import Attachment
from insats.sourcing.documents.services import attachment_add, attachment_response, attachments_of
from insats.sourcing.rfi.models import Rfi

from . import selectors, services
from .forms import (
    ApplicationForm,
    AssessmentForm,
    AttachmentForm,
    BudgetLineFormSet,
    CriterionFormSet,
    DecisionForm,
    ProposalForm,
    ReportForm,
    RoundForm,
)
from .models import DEFAULT_PRIORITIES, ApplicationStatus, Decision, GrantApplication, GrantRound, RoundStatus

NAV = "sourcing"


def _errors_to(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errs in exc.error_dict.items():
            for e in errs:
                form.add_error(name if name in form.fields else None, e)
    else:
        for m in exc.messages:
            form.add_error(None, m)


def _render(request, template, context):
    context.setdefault("nav_active", NAV)
    return render(request, f"sourcing/grants/{template}", context)


def _round(actor, pk, ability) -> GrantRound:
    return access.get_or_404(actor, GrantRound.objects.select_related("organisation"), ability, pk=pk)


def _application(actor, pk, ability) -> GrantApplication:
    app = (
        GrantApplication.objects.select_related("round", "round__organisation", "organisation")
        .filter(pk=pk)
        .first()
    )
    if app is None or not access.can(actor, "grant.application.view", app):
        raise Http404
    if ability.startswith("grant.application."):
        access.check(actor, ability, app)
    else:
        # assess/decide act on the round the application was sent to
        access.check(actor, ability, app.round)
    return app


# --------------------------------------------------------------------------- rounds


@require("grant.view")
def round_list(request):
    actor = actor_for(request)
    rounds = access.scope(actor, GrantRound.objects.select_related("organisation"), "grant.view")
    own = [r for r in rounds if r.organisation_id == actor.organisation_id]
    other = [r for r in rounds if r.organisation_id != actor.organisation_id]
    applications = access.scope(
        actor,
        GrantApplication.objects.select_related("round", "round__organisation"),
        "grant.application.view",
    ).filter(organisation_id=actor.organisation_id)
    return _render(
        request,
        "round_list.html",
        {
            "own": own,
            "other": other,
            "applications": applications,
            "can_create": access.can(actor, "grant.manage"),
        },
    )


def _criteria_rows(formset) -> list[dict]:
    return [f.cleaned_data for f in formset.forms if f.cleaned_data.get("name")]


def _round_form(request, rnd: GrantRound | None):
    actor = actor_for(request)
    if rnd is None:
        initial = {"priorities": list(DEFAULT_PRIORITIES), "budget": None}
        crit_initial = services.default_criteria()
        decision = rfi = None
        if (d := request.GET.get("decision", "")).isdigit():
            decision = FormDecision.objects.filter(pk=d, organisation_id=actor.organisation_id).first()
            if decision is not None:
                initial["title"] = decision.title
                initial["purpose"] = decision.need_description
        if (r := request.GET.get("rfi", "")).isdigit():
            rfi = Rfi.objects.filter(pk=r, organisation_id=actor.organisation_id).first()
            if rfi is not None:
                initial.setdefault("title", rfi.title)
                initial.setdefault("purpose", rfi.purpose)
    else:
        initial, decision, rfi = {}, rnd.form_decision, rnd.rfi
        crit_initial = [
            {
                "name": c.name,
                "question": c.question,
                "weight": c.weight,
                "scale_min": c.scale_min,
                "scale_max": c.scale_max,
            }
            for c in rnd.criteria.all()
        ]
    if request.method == "POST":
        form = RoundForm(request.POST, instance=rnd)
        formset = CriterionFormSet(request.POST, prefix="criteria")
        if form.is_valid() and formset.is_valid():
            values = {k: form.cleaned_data[k] for k in RoundForm.Meta.fields}
            values["form_decision"], values["rfi"] = decision, rfi
            try:
                if rnd is None:
                    rnd = services.round_create(
                        actor=actor,
                        organisation=actor.organisation,
                        values=values,
                        criteria=_criteria_rows(formset),
                    )
                    messages.success(request, _("Omgången är skapad som utkast."))
                else:
                    rnd = services.round_update(
                        actor=actor, rnd=rnd, values=values, criteria=_criteria_rows(formset)
                    )
                    messages.success(request, _("Omgången är sparad."))
                return redirect("sourcing:grant_round_detail", pk=rnd.pk)
            except ValidationError as exc:
                _errors_to(form, exc)
    else:
        form = RoundForm(instance=rnd, initial=initial)
        formset = CriterionFormSet(initial=crit_initial, prefix="criteria")
    return _render(
        request,
        "round_form.html",
        {"form": form, "formset": formset, "rnd": rnd, "decision": decision, "rfi": rfi},
    )


@require("grant.manage")
def round_create(request):
    return _round_form(request, None)


@require("grant.manage")
def round_edit(request, pk):
    rnd = _round(actor_for(request), pk, "grant.manage")
    return _round_form(request, rnd)


@require("grant.view")
def round_detail(request, pk):
    actor = actor_for(request)
    rnd = _round(actor, pk, "grant.view")
    owner = actor.organisation_id == rnd.organisation_id
    mine = GrantApplication.objects.filter(round=rnd, organisation_id=actor.organisation_id).first()
    ctx = {
        "rnd": rnd,
        "criteria": rnd.criteria.all(),
        "owner": owner,
        "mine": mine,
        "can_manage": access.can(actor, "grant.manage", rnd),
        "can_apply": access.can(actor, "grant.apply", rnd) and not owner and rnd.is_open_for_applications,
        "can_assess": access.can(actor, "grant.assess", rnd),
        "can_decide": access.can(actor, "grant.decide", rnd),
        "can_invite": access.can(actor, "sourcing.invite", rnd),
    }
    if owner and access.can(actor, "grant.application.view"):
        ctx["applications"] = [(a, services.totals(a).requested) for a in selectors.received(actor, rnd)]
        ctx["budget_state"] = services.budget_state(rnd, proposed=False)
    return _render(request, "round_detail.html", ctx)


def _confirm_round(request, pk, *, action, title, text, button, fn, success):
    actor = actor_for(request)
    rnd = _round(actor, pk, "grant.manage")
    if request.method == "POST":
        try:
            fn(actor=actor, rnd=rnd)
            messages.success(request, success)
            return redirect("sourcing:grant_round_detail", pk=rnd.pk)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
            return redirect("sourcing:grant_round_detail", pk=rnd.pk)
    return _render(
        request,
        "confirm.html",
        {"title": title, "text": text, "button": button, "rnd": rnd},
    )


@require("grant.manage")
def round_publish(request, pk):
    return _confirm_round(
        request,
        pk,
        action="publish",
        title=_("Publicera omgången"),
        text=_(
            "När omgången publiceras kan inbjudna organisationer (och, om den är öppen för alla, alla "
            "inloggade organisationer) söka bidrag fram till sista ansökningsdag."
        ),
        button=_("Publicera"),
        fn=services.round_publish,
        success=_("Omgången är publicerad."),
    )


@require("grant.manage")
def round_close(request, pk):
    return _confirm_round(
        request,
        pk,
        action="close",
        title=_("Stäng omgången"),
        text=_(
            "När omgången stängs kan inga fler ansökningar skickas in, även om sista ansökningsdag "
            "inte har passerat."
        ),
        button=_("Stäng omgången"),
        fn=services.round_close,
        success=_("Omgången är stängd."),
    )


# --------------------------------------------------------------------------- applying


@require("grant.apply")
def apply(request, pk):
    actor = actor_for(request)
    rnd = _round(actor, pk, "grant.apply")
    if rnd.organisation_id == actor.organisation_id:
        raise PermissionDenied("grant.apply")
    app = GrantApplication.objects.filter(round=rnd, organisation_id=actor.organisation_id).first()
    if app is not None:
        access.check(actor, "grant.application.edit", app)
        if app.status != ApplicationStatus.DRAFT:
            return redirect("sourcing:grant_application_detail", pk=app.pk)
    if not rnd.is_open_for_applications:
        messages.error(request, _("Omgången är inte öppen för ansökningar."))
        return redirect("sourcing:grant_round_detail", pk=rnd.pk)
    lines_initial = (
        [
            {
                "item": line.item,
                "cost": line.cost,
                "other_financing": line.other_financing,
                "financier": line.financier,
            }
            for line in app.budget_lines.all()
        ]
        if app
        else []
    )
    if request.method == "POST":
        form = ApplicationForm(request.POST, instance=app)
        formset = BudgetLineFormSet(request.POST, prefix="lines")
        if form.is_valid() and formset.is_valid():
            values = {k: form.cleaned_data[k] for k in ApplicationForm.Meta.fields}
            lines = [f.cleaned_data for f in formset.forms if f.cleaned_data]
            try:
                with transaction.atomic():
                    app = services.application_save(
                        actor=actor,
                        rnd=rnd,
                        organisation=actor.organisation,
                        values=values,
                        lines=lines,
                        application=app,
                    )
                messages.success(
                    request, _("Ansökan är sparad som utkast. Lägg till bilagor och skicka in den.")
                )
                return redirect("sourcing:grant_application_detail", pk=app.pk)
            except ValidationError as exc:
                _errors_to(form, exc)
    else:
        form = ApplicationForm(instance=app)
        formset = BudgetLineFormSet(initial=lines_initial, prefix="lines")
    return _render(request, "apply.html", {"rnd": rnd, "form": form, "formset": formset, "app": app})


@require("grant.application.view")
def application_detail(request, pk):
    actor = actor_for(request)
    app = _application(actor, pk, "grant.application.view")
    rnd = app.round
    grantor = actor.organisation_id == rnd.organisation_id
    applicant = actor.organisation_id == app.organisation_id
    ctx = {
        "app": app,
        "rnd": rnd,
        "grantor": grantor,
        "applicant": applicant,
        "totals": services.totals(app),
        "lines": app.budget_lines.all(),
        "attachments": attachments_of(app),
        "missing": services.missing_attachments(app),
        "can_edit": applicant and access.can(actor, "grant.application.edit", app),
        "can_assess": grantor
        and access.can(actor, "grant.assess", rnd)
        and app.status == ApplicationStatus.SUBMITTED,
        "can_decide": grantor
        and access.can(actor, "grant.decide", rnd)
        and app.status == ApplicationStatus.SUBMITTED,
        "can_link": grantor
        and access.can(actor, "grant.manage", rnd)
        and app.decision == Decision.GRANTED
        and not app.intervention_id,
    }
    if ctx["can_edit"] and app.status == ApplicationStatus.DRAFT:
        ctx["attach_form"] = AttachmentForm(names=rnd.required_attachments)
    if grantor:
        ctx["assessments"] = app.assessments.select_related("criterion", "assessor")
    return _render(request, "application_detail.html", ctx)


@require("grant.application.edit")
@require_POST
def application_attach(request, pk):
    actor = actor_for(request)
    app = _application(actor, pk, "grant.application.edit")
    if app.status != ApplicationStatus.DRAFT:
        messages.error(request, _("Ansökan är redan inskickad."))
        return redirect("sourcing:grant_application_detail", pk=app.pk)
    form = AttachmentForm(request.POST, request.FILES, names=app.round.required_attachments)
    if form.is_valid():
        try:
            attachment_add(
                actor=actor.user,  # documents.services audits ``actor`` as a user
                target=app,
                organisation=app.organisation,
                upload=form.cleaned_data["file"],
                purpose=form.cleaned_data["purpose"],
            )
            messages.success(request, _("Bilagan är uppladdad."))
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
    else:
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
    return redirect("sourcing:grant_application_detail", pk=app.pk)


@require("grant.application.view")
def application_attachment(request, pk, att_pk):
    actor = actor_for(request)
    app = _application(actor, pk, "grant.application.view")
    att = attachments_of(app).filter(pk=att_pk).first()
    if att is None:
        raise Http404
    att = Attachment.objects.get(pk=att.pk)
    log_read(request, app, "sourcing.grant_application.attachment_read", attachment=att.pk)
    return attachment_response(att)


@require("grant.application.edit")
def application_submit(request, pk):
    actor = actor_for(request)
    app = _application(actor, pk, "grant.application.edit")
    if request.method == "POST":
        try:
            services.application_submit(actor=actor, application=app)
            messages.success(request, _("Ansökan är inskickad. Ett kvitto har skickats med e-post."))
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        return redirect("sourcing:grant_application_detail", pk=app.pk)
    return _render(
        request,
        "confirm.html",
        {
            "title": _("Skicka in ansökan"),
            "text": _("När ansökan är inskickad kan den inte längre ändras. Sista ansökningsdag: %(when)s.")
            % {"when": timezone.localtime(app.round.closes_at).strftime("%Y-%m-%d %H:%M")},
            "button": _("Skicka in"),
            "rnd": app.round,
        },
    )


# --------------------------------------------------------------------------- assessing, deciding


@require("grant.assess")
def assess(request, pk):
    actor = actor_for(request)
    app = _application(actor, pk, "grant.assess")
    existing = {a.criterion_id: a for a in app.assessments.filter(assessor=actor.user)}
    form = AssessmentForm(request.POST or None, criteria=app.round.criteria.all(), existing=existing)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_save(actor=actor, application=app, scores=form.scores())
            messages.success(request, _("Din bedömning är sparad."))
            return redirect("sourcing:grant_round_ranking", pk=app.round_id)
        except ValidationError as exc:
            _errors_to(form, exc)
    return _render(
        request, "assess.html", {"app": app, "rnd": app.round, "form": form, "totals": services.totals(app)}
    )


@require("grant.assess")
def ranking(request, pk):
    actor = actor_for(request)
    rnd = _round(actor, pk, "grant.assess")
    rows = services.ranking(rnd)
    can_propose = access.can(actor, "grant.manage", rnd) and rnd.status != RoundStatus.DECIDED
    form = ProposalForm(request.POST or None, rows=rows)
    if request.method == "POST":
        if not can_propose:
            raise PermissionDenied("grant.manage")
        if form.is_valid():
            amounts = {r.application.pk: form.cleaned_data.get(f"amount_{r.application.pk}") for r in rows}
            try:
                services.proposal_set(actor=actor, rnd=rnd, amounts=amounts)
                messages.success(request, _("Förslaget till beslut är sparat."))
                return redirect("sourcing:grant_round_ranking", pk=rnd.pk)
            except ValidationError as exc:
                _errors_to(form, exc)
    for r in rows:
        r.field = form[f"amount_{r.application.pk}"]
    return _render(
        request,
        "ranking.html",
        {
            "rnd": rnd,
            "rows": rows,
            "form": form,
            "state": services.budget_state(rnd),
            "granted": services.budget_state(rnd, proposed=False),
            "can_propose": can_propose,
            "can_decide": access.can(actor, "grant.decide", rnd),
        },
    )


@require("grant.decide")
def decide(request, pk):
    actor = actor_for(request)
    app = _application(actor, pk, "grant.decide")
    initial = {"decision": Decision.GRANTED, "amount": app.proposed_amount} if app.proposed_amount else {}
    form = DecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_record(
                actor=actor,
                application=app,
                decision=form.cleaned_data["decision"],
                amount=form.cleaned_data.get("amount"),
                conditions=form.cleaned_data.get("conditions", ""),
                reason=form.cleaned_data.get("reason", ""),
            )
            messages.success(request, _("Beslutet är registrerat och beslutsbrevet skickat."))
            return redirect("sourcing:grant_letter", pk=app.pk)
        except ValidationError as exc:
            _errors_to(form, exc)
    return _render(
        request,
        "decide.html",
        {
            "app": app,
            "rnd": app.round,
            "form": form,
            "totals": services.totals(app),
            "state": services.budget_state(app.round, proposed=False),
        },
    )


def _letter_context(app):
    return {"app": app, "rnd": app.round, "today": timezone.localdate()}


@require("grant.application.view")
def letter(request, pk):
    actor = actor_for(request)
    app = _application(actor, pk, "grant.application.view")
    if not app.decision:
        raise Http404
    return _render(request, "letter.html", _letter_context(app))


@require("grant.application.view")
def letter_pdf(request, pk):
    actor = actor_for(request)
    app = _application(actor, pk, "grant.application.view")
    if not app.decision:
        raise Http404
    html = render_to_string("sourcing/grants/letter_pdf.html", _letter_context(app), request=request)
    log_read(request, app, "sourcing.grant_application.letter_exported", format="pdf")
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="beslut-bidrag-{app.pk}.pdf"'
    return response


@require("grant.application.edit")
def report(request, pk):
    actor = actor_for(request)
    app = _application(actor, pk, "grant.application.edit")
    if app.decision != Decision.GRANTED:
        raise Http404
    form = ReportForm(request.POST or None, instance=app)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_submit(
                actor=actor, application=app, values={k: form.cleaned_data[k] for k in ReportForm.Meta.fields}
            )
            messages.success(request, _("Återrapporteringen är inskickad."))
            return redirect("sourcing:grant_application_detail", pk=app.pk)
        except ValidationError as exc:
            _errors_to(form, exc)
    return _render(request, "report.html", {"app": app, "rnd": app.round, "form": form})


@require("grant.manage")
def intervention_link(request, pk):
    actor = actor_for(request)
    app = _application(actor, pk, "grant.manage")
    if request.method == "POST":
        try:
            iv = services.intervention_link(actor=actor, application=app)
            messages.success(request, _("Verksamheten finns nu som insats i katalogen."))
            return redirect("interventions:intervention_detail", pk=iv.pk)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        return redirect("sourcing:grant_application_detail", pk=app.pk)
    return _render(
        request,
        "confirm.html",
        {
            "title": _("Lägg till i insatskatalogen"),
            "text": _(
                "Verksamheten läggs in som en insats som er organisation äger och följer upp, med den "
                "sökande föreningen som utförare och bidraget som finansiering."
            ),
            "button": _("Lägg till i katalogen"),
            "rnd": app.round,
        },
    )
