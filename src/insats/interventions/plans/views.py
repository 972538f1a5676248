"""Pages of the social plan: list, create, the plan with its entities, rows (entities, interventions
per entity, success factors, evaluation plan), versions and their differences, adoption, PDF.

Thin: parse the form, ask access.py, call ``services``, render. A plan another organisation may not
see answers 404; one it may see but not change answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from insats.accounts import access
from insats.accounts.access import actor_for, require
from insats.audit.reads import export_audited, log_read
from insats.interventions.catalogue.selectors import visible_interventions

from . import exports, selectors
from . import services as svc
from .forms import (
    AdoptForm,
    EntityForm,
    EntityInterventionForm,
    EvaluationForm,
    PlanForm,
    SuccessFactorForm,
)
from .models import (
    EntityIntervention,
    EvaluationItem,
    PlanEntity,
    PlanStatus,
    SocialPlan,
    SuccessFactor,
)

NAV = "interventions"
SECTION = "plans"

# The rows a plan page deletes, by the URL's ``kind``.
ROW_KINDS = {
    "entitet": (PlanEntity, "plan"),
    "insats": (EntityIntervention, "entity__plan"),
    "faktor": (SuccessFactor, "plan"),
    "utvardering": (EvaluationItem, "plan"),
}


def _plan(actor, pk, ability: str) -> SocialPlan:
    """The plan if ``ability`` allows it; 404 when the actor may not even see it, 403 otherwise."""
    plan = SocialPlan.objects.select_related("organisation").filter(pk=pk).first()
    if plan is None or not access.can(actor, "socialplan.view", plan):
        raise Http404
    if not access.can(actor, ability, plan):
        raise PermissionDenied(ability)
    return plan


def _errors_to(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for f, errs in exc.message_dict.items():
            form.add_error(f if f in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _ctx(**extra) -> dict:
    return {"section": SECTION, "nav_active": NAV, **extra}


def _form_page(request, form, *, title, back, plan=None, submit=None, intro=""):
    return render(
        request,
        "interventions/plan_form.html",
        _ctx(form=form, title=title, back=back, plan=plan, submit=submit or _("Spara"), intro=intro),
    )


def _save(request, form, obj, *, title, back, done, plan=None, extra=None):
    """Validate ``form``, save through the audited service (a new version), redirect."""
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in form.Meta.fields} | (extra or {})
        try:
            saved = svc.row_save(actor=actor_for(request), obj=obj, values=values)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Sparat."))
            return redirect(done(saved))
    return _form_page(request, form, title=title, back=back, plan=plan)


def _detail_url(plan, anchor=""):
    return reverse("interventions:plan_detail", args=[plan.pk]) + (f"#{anchor}" if anchor else "")


# --------------------------------------------------------------------------- list, create, edit


@require("socialplan.view")
def plan_list(request):
    actor = actor_for(request)
    plans = access.scope(actor, SocialPlan.objects.select_related("organisation"), "socialplan.view")
    return render(
        request,
        "interventions/plan_list.html",
        _ctx(plans=plans, can_edit=access.can(actor, "socialplan.edit")),
    )


@require("socialplan.edit")
def plan_create(request):
    actor = actor_for(request)
    if actor.organisation is None:
        raise Http404
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = svc.plan_create(actor=actor, organisation=actor.organisation, values=form.cleaned_data)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Planen är skapad."))
            return redirect("interventions:plan_detail", pk=plan.pk)
    return _form_page(request, form, title=_("Ny socialplan"), back=reverse("interventions:plan_list"))


@require("socialplan.edit")
def plan_edit(request, pk):
    actor = actor_for(request)
    plan = _plan(actor, pk, "socialplan.edit")
    form = PlanForm(request.POST or None, instance=SocialPlan.objects.get(pk=pk))
    return _save(
        request,
        form,
        plan,
        title=_("Ändra planen"),
        back=_detail_url(plan),
        done=lambda o: _detail_url(o),
        plan=plan,
    )


# --------------------------------------------------------------------------- the plan page


@require("socialplan.view")
def plan_detail(request, pk):
    actor = actor_for(request)
    plan = _plan(actor, pk, "socialplan.view")
    bands, rows = selectors.plan_map(plan)
    entities = plan.entities.select_related("organisation", "governance_body").prefetch_related(
        "interventions__intervention"
    )
    factors = plan.success_factors.select_related("entity", "result", "indicator")
    return render(
        request,
        "interventions/plan_detail.html",
        _ctx(
            plan=plan,
            entities=entities,
            factors=[{"factor": f, "targets": selectors.factor_targets(f)} for f in factors],
            evaluation=plan.evaluation_items.select_related("success_factor"),
            bands=bands,
            map_rows=rows,
            current=svc.current_version(plan),
            adopted=svc.adopted_version(plan),
            can_edit=access.can(actor, "socialplan.edit", plan),
            can_adopt=access.can(actor, "socialplan.adopt", plan) and plan.status == PlanStatus.DRAFT,
        ),
    )


# --------------------------------------------------------------------------- entities


def _entity(plan, entity_pk) -> PlanEntity:
    entity = plan.entities.filter(pk=entity_pk).first()
    if entity is None:
        raise Http404
    return entity


@require("socialplan.edit")
def plan_entity_add(request, pk):
    plan = _plan(actor_for(request), pk, "socialplan.edit")
    form = EntityForm(request.POST or None, instance=PlanEntity(plan=plan), plan=plan)
    return _save(
        request,
        form,
        PlanEntity(plan=plan),
        title=_("Ny entitet"),
        back=_detail_url(plan, "entiteter"),
        done=lambda o: _detail_url(plan, f"entitet-{o.pk}"),
        plan=plan,
    )


@require("socialplan.edit")
def plan_entity_edit(request, pk, entity_pk):
    plan = _plan(actor_for(request), pk, "socialplan.edit")
    entity = _entity(plan, entity_pk)
    form = EntityForm(request.POST or None, instance=PlanEntity.objects.get(pk=entity.pk), plan=plan)
    return _save(
        request,
        form,
        entity,
        title=_("Ändra entitet: %(name)s") % {"name": entity.name},
        back=_detail_url(plan, f"entitet-{entity.pk}"),
        done=lambda o: _detail_url(plan, f"entitet-{o.pk}"),
        plan=plan,
    )


@require("socialplan.edit")
def plan_intervention_add(request, pk, entity_pk):
    actor = actor_for(request)
    plan = _plan(actor, pk, "socialplan.edit")
    entity = _entity(plan, entity_pk)
    form = EntityInterventionForm(
        request.POST or None, interventions=visible_interventions(actor).order_by("name")
    )
    back = _detail_url(plan, f"entitet-{entity.pk}")
    if request.method == "POST" and form.is_valid():
        try:
            svc.intervention_add(actor=actor, entity=entity, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Insatsen är tillagd."))
            return redirect(back)
    return _form_page(
        request,
        form,
        title=_("Insats för %(name)s") % {"name": entity.name},
        back=back,
        plan=plan,
        intro=_("Välj en insats ur katalogen som entiteten bedriver eller ska starta."),
    )


# --------------------------------------------------------------------------- success factors, evaluation


@require("socialplan.edit")
def plan_factor_add(request, pk):
    plan = _plan(actor_for(request), pk, "socialplan.edit")
    form = SuccessFactorForm(request.POST or None, instance=SuccessFactor(plan=plan), plan=plan)
    return _save(
        request,
        form,
        SuccessFactor(plan=plan),
        title=_("Ny framgångsfaktor"),
        back=_detail_url(plan, "framgangsfaktorer"),
        done=lambda o: _detail_url(plan, f"faktor-{o.pk}"),
        plan=plan,
    )


@require("socialplan.edit")
def plan_factor_edit(request, pk, factor_pk):
    plan = _plan(actor_for(request), pk, "socialplan.edit")
    factor = plan.success_factors.filter(pk=factor_pk).first()
    if factor is None:
        raise Http404
    form = SuccessFactorForm(
        request.POST or None, instance=SuccessFactor.objects.get(pk=factor.pk), plan=plan
    )
    return _save(
        request,
        form,
        factor,
        title=_("Ändra framgångsfaktor"),
        back=_detail_url(plan, f"faktor-{factor.pk}"),
        done=lambda o: _detail_url(plan, f"faktor-{o.pk}"),
        plan=plan,
    )


@require("socialplan.edit")
def plan_evaluation_add(request, pk):
    plan = _plan(actor_for(request), pk, "socialplan.edit")
    form = EvaluationForm(request.POST or None, instance=EvaluationItem(plan=plan), plan=plan)
    return _save(
        request,
        form,
        EvaluationItem(plan=plan),
        title=_("Ny punkt i utvärderingsplanen"),
        back=_detail_url(plan, "utvardering"),
        done=lambda o: _detail_url(plan, "utvardering"),
        plan=plan,
    )


@require("socialplan.edit")
def plan_evaluation_edit(request, pk, item_pk):
    plan = _plan(actor_for(request), pk, "socialplan.edit")
    item = plan.evaluation_items.filter(pk=item_pk).first()
    if item is None:
        raise Http404
    form = EvaluationForm(request.POST or None, instance=EvaluationItem.objects.get(pk=item.pk), plan=plan)
    return _save(
        request,
        form,
        item,
        title=_("Ändra punkt i utvärderingsplanen"),
        back=_detail_url(plan, "utvardering"),
        done=lambda o: _detail_url(plan, "utvardering"),
        plan=plan,
    )


# --------------------------------------------------------------------------- delete a row


@require("socialplan.edit")
def plan_row_delete(request, pk, kind, row_pk):
    """Ask, then delete one entity, intervention row, success factor or evaluation row."""
    actor = actor_for(request)
    plan = _plan(actor, pk, "socialplan.edit")
    if kind not in ROW_KINDS:
        raise Http404
    model, plan_path = ROW_KINDS[kind]
    row = model.objects.filter(pk=row_pk, **{plan_path: plan}).first()
    if row is None:
        raise Http404
    if request.method == "POST":
        svc.row_delete(actor=actor, obj=row)
        messages.success(request, _("Borttaget: %(row)s") % {"row": row})
        return redirect(_detail_url(plan))
    return render(
        request,
        "interventions/plan_delete.html",
        _ctx(plan=plan, row=row, kind_label=model._meta.verbose_name, back=_detail_url(plan)),
    )


# --------------------------------------------------------------------------- versions and adoption


@require("socialplan.view")
def plan_versions(request, pk):
    actor = actor_for(request)
    plan = _plan(actor, pk, "socialplan.view")
    versions = list(plan.versions.select_related("changed_by", "adopted_by"))
    rows = None
    old = new = None
    if "fran" in request.GET or "till" in request.GET:
        try:
            a, b = int(request.GET.get("fran", "")), int(request.GET.get("till", ""))
        except ValueError:
            raise Http404 from None
        by_number = {v.number: v for v in versions}
        if a not in by_number or b not in by_number:
            raise Http404
        old, new = by_number[a], by_number[b]
        rows = svc.diff(old.data, new.data)
    return render(
        request,
        "interventions/plan_versions.html",
        _ctx(plan=plan, versions=versions, rows=rows, old=old, new=new),
    )


@require("socialplan.view")
def plan_version_detail(request, pk, number):
    actor = actor_for(request)
    plan = _plan(actor, pk, "socialplan.view")
    version = plan.versions.select_related("changed_by", "adopted_by").filter(number=number).first()
    if version is None:
        raise Http404
    return render(
        request,
        "interventions/plan_version.html",
        _ctx(plan=plan, version=version, data=svc.readable(version.data)),
    )


@require("socialplan.adopt")
def plan_adopt(request, pk):
    actor = actor_for(request)
    plan = _plan(actor, pk, "socialplan.adopt")
    form = AdoptForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            version = svc.adopt(
                actor=actor,
                plan=plan,
                body=form.cleaned_data["body"],
                adopted_on=form.cleaned_data["adopted_on"],
                minutes_reference=form.cleaned_data["minutes_reference"],
            )
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Planen är antagen (version %(n)s).") % {"n": version.number})
            return redirect("interventions:plan_detail", pk=plan.pk)
    current = svc.current_version(plan)
    return _form_page(
        request,
        form,
        title=_("Anta planen"),
        back=_detail_url(plan),
        plan=plan,
        submit=_("Anta planen"),
        intro=_(
            "Registrera att ett organ har antagit planen som den ser ut nu (version %(n)s). "
            "Ändras planen efteråt blir den ett nytt utkast; den antagna versionen finns kvar."
        )
        % {"n": current.number if current else 1},
    )


# --------------------------------------------------------------------------- PDF


@require("socialplan.view")
@export_audited("interventions.socialplan")
def plan_pdf(request, pk):
    actor = actor_for(request)
    plan = _plan(actor, pk, "socialplan.view")
    response = HttpResponse(exports.plan_pdf(plan), content_type="application/pdf")
    log_read(request, plan, "interventions.socialplan.exported", format="pdf")
    name = slugify(plan.title)[:50] or str(plan.pk)
    response["Content-Disposition"] = f'attachment; filename="socialplan-{name}.pdf"'
    return response
