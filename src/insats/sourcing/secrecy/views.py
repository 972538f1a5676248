"""Secrecy assessment pages: the registrar's list, the assessment (create, edit while a draft),
its page, the redacted copy (HTML and PDF) and the hand-out. Thin: access, a service, a template."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from insats.accounts import access
from insats.accounts.access import actor_for, require
from insats.audit.reads import export_audited, log_read

from . import registry, services
from .forms import AssessmentForm, HandOutForm
from .models import SecrecyAssessment, SecrecyDecision

NAV = "sourcing"


def _errors_to(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errs in exc.error_dict.items():
            for e in errs:
                form.add_error(name if name in form.fields else None, e)
    else:
        for m in exc.messages:
            form.add_error(None, m)


def _assessment(actor, pk, ability) -> SecrecyAssessment:
    return access.get_or_404(
        actor, SecrecyAssessment.objects.select_related("organisation", "content_type"), ability, pk=pk
    )


def _held_document(actor, kind_key: str, pk):
    """The document if the actor may read it and the actor's organisation holds it; else 404."""
    kind = registry.get(kind_key)
    if kind is None:
        raise Http404
    document = access.get_or_404(actor, kind.queryset(), kind.view_ability, pk=pk)
    holder = kind.holder_id(document)
    if holder is None or holder != actor.organisation_id:
        raise Http404
    # The assessment it would make belongs to the holder: the actor must be allowed to assess there.
    access.check(actor, "secrecy.assess", SecrecyAssessment(organisation_id=holder))
    return kind, document


def _waiting(actor) -> list:
    """Received documents whose sender asked for secrecy on a part, per kind."""
    rows = []
    for kind in registry.KINDS.values():
        if kind.requested is None:
            continue
        qs = access.scope(actor, kind.queryset().filter(kind.requested).distinct(), kind.view_ability)
        for doc in qs[:200]:
            if kind.holder_id(doc) == actor.organisation_id:
                rows.append((kind, doc))
    return rows


@require("secrecy.view")
def secrecy_list(request):
    actor = actor_for(request)
    assessments = access.scope(actor, SecrecyAssessment.objects.all(), "secrecy.view")
    can_assess = access.can(actor, "secrecy.assess")
    return render(
        request,
        "sourcing/secrecy/list.html",
        {
            "assessments": assessments,
            "waiting": _waiting(actor) if can_assess else [],
            "can_assess": can_assess,
            "nav_active": NAV,
        },
    )


def _form_page(request, actor, *, kind, document, assessment=None):
    doc_parts = list(document.secrecy_parts())
    assessed = {p.key: p for p in assessment.parts.all()} if assessment else None
    initial = {}
    if assessment is not None:
        initial = {
            "requester_name": assessment.requester_name,
            "requester_organisation": assessment.requester_organisation,
            "received_on": assessment.received_on,
        }
    form = AssessmentForm(request.POST or None, doc_parts=doc_parts, assessed=assessed, initial=initial)
    if request.method == "POST" and form.is_valid():
        decide = request.POST.get("action") == "decide"
        values = {
            "requester_name": form.cleaned_data["requester_name"],
            "requester_organisation": form.cleaned_data["requester_organisation"],
            "received_on": form.cleaned_data["received_on"],
            "parts": form.part_inputs(),
            "decide": decide,
        }
        try:
            if assessment is None:
                assessment = services.assessment_create(
                    actor=actor, kind_key=kind.key, document=document, **values
                )
            else:
                assessment = services.assessment_update(actor=actor, assessment=assessment, **values)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(
                request, _("Prövningen är beslutad.") if decide else _("Prövningen är sparad som utkast.")
            )
            return redirect(assessment)
    return render(
        request,
        "sourcing/secrecy/form.html",
        {
            "form": form,
            "rows": form.part_rows(),
            "request_fields": [form["requester_name"], form["requester_organisation"], form["received_on"]],
            "kind": kind,
            "document": document,
            "document_title": document.secrecy_title(),
            "assessment": assessment,
            "nav_active": NAV,
        },
    )


@require("secrecy.assess")
def secrecy_create(request, kind, pk):
    actor = actor_for(request)
    doc_kind, document = _held_document(actor, kind, pk)
    return _form_page(request, actor, kind=doc_kind, document=document)


@require("secrecy.assess")
def secrecy_edit(request, pk):
    actor = actor_for(request)
    assessment = _assessment(actor, pk, "secrecy.assess")
    if assessment.is_decided:
        messages.error(
            request, _("Prövningen är beslutad och kan inte ändras. Gör en ny prövning för en ny begäran.")
        )
        return redirect(assessment)
    document = assessment.document
    if document is None:
        raise Http404
    return _form_page(
        request, actor, kind=registry.get(assessment.document_kind), document=document, assessment=assessment
    )


@require("secrecy.view")
def secrecy_detail(request, pk):
    actor = actor_for(request)
    assessment = _assessment(actor, pk, "secrecy.view")
    can_assess = access.can(actor, "secrecy.assess", assessment)
    copy_error = ""
    if assessment.is_decided:
        try:
            services.redacted_parts(assessment)
        except ValidationError as exc:
            copy_error = " ".join(exc.messages)
    may_hand_out = (
        can_assess
        and assessment.is_decided
        and assessment.decision != SecrecyDecision.WITHHOLD
        and not copy_error
    )
    return render(
        request,
        "sourcing/secrecy/detail.html",
        {
            "assessment": assessment,
            "kind": registry.get(assessment.document_kind),
            "parts": assessment.parts.all(),
            "handouts": assessment.handouts.all(),
            "can_assess": can_assess,
            "copy_error": copy_error,
            "handout_form": HandOutForm(initial={"recipient": assessment.requester})
            if may_hand_out
            else None,
            "nav_active": NAV,
        },
    )


def _decided(actor, pk) -> SecrecyAssessment:
    assessment = _assessment(actor, pk, "secrecy.view")
    if not assessment.is_decided:
        raise Http404
    return assessment


@require("secrecy.view")
def secrecy_copy(request, pk):
    """The redacted copy on a page (what would be handed out)."""
    actor = actor_for(request)
    assessment = _decided(actor, pk)
    try:
        context = services.copy_context(assessment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(assessment)
    return render(request, "sourcing/secrecy/copy.html", {**context, "nav_active": NAV})


@require("secrecy.view")
@export_audited("sourcing.secrecy.copy")
def secrecy_copy_pdf(request, pk):
    actor = actor_for(request)
    assessment = _decided(actor, pk)
    try:
        data = services.copy_pdf(assessment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(assessment)
    log_read(request, assessment, "sourcing.secrecy.copy.exported", format="pdf")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="maskerad-kopia-{assessment.pk}.pdf"'
    return response


@require("secrecy.assess")
@require_POST
def secrecy_handout(request, pk):
    actor = actor_for(request)
    assessment = _assessment(actor, pk, "secrecy.assess")
    form = HandOutForm(request.POST)
    if form.is_valid():
        try:
            handout = services.handout_record(
                actor=actor,
                assessment=assessment,
                recipient=form.cleaned_data["recipient"],
                fmt=form.cleaned_data["format"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Kopian är utlämnad till %(to)s och registrerad (SHA-256 %(sha)s).")
                % {"to": handout.recipient, "sha": handout.sha256[:16] + "…"},
            )
    else:
        messages.error(
            request, " ".join(f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items())
        )
    return redirect(assessment)


@require("secrecy.view")
def secrecy_handout_file(request, pk, handout_pk):
    """The copy exactly as it was handed out (its bytes match the recorded SHA-256)."""
    actor = actor_for(request)
    assessment = _assessment(actor, pk, "secrecy.view")
    handout = assessment.handouts.filter(pk=handout_pk).first()
    if handout is None:
        raise Http404
    log_read(request, assessment, "sourcing.secrecy.handout.read", handout=handout.pk)
    is_pdf = handout.format == "pdf"
    response = HttpResponse(
        bytes(handout.content), content_type="application/pdf" if is_pdf else "text/html; charset=utf-8"
    )
    name = f"utlamnad-{slugify(assessment.document_title)[:40] or assessment.pk}-{handout.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{"pdf" if is_pdf else "html"}"'
    return response
