"""Pages for target groups, cause analyses, results (targets, turn-the-curve, action plan).

Thin: parse the form, ask access.py, call ``services_plans``, render. An object another
organisation may not see answers 404; one it may see but not change answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from insats.accounts import access
from insats.accounts.access import actor_for, require
from insats.accounts.models import Share
from insats.audit.reads import export_audited, log_read

from . import exports_plans, selectors
from . import services_plans as svc
from .forms_plans import (
    ActionForm,
    CauseAnalysisForm,
    CauseNodeForm,
    FactorForm,
    ResultForm,
    ResultIndicatorForm,
    ShareForm,
    TargetForm,
    TargetGroupForm,
    TurnTheCurveForm,
)
from .models_plans import (
    ActionItem,
    BbicSide,
    CauseAnalysis,
    CauseNode,
    Factor,
    Level,
    Result,
    ResultIndicator,
    Target,
    TargetGroup,
)

NAV = "situation"


def _get(actor, queryset, ability: str, view_ability: str, **lookup):
    """The object if ``ability`` allows it; 404 when the actor may not even see it, 403 otherwise."""
    obj = queryset.filter(**lookup).first()
    if obj is None or not access.can(actor, view_ability, obj):
        raise Http404
    if not access.can(actor, ability, obj):
        raise PermissionDenied(ability)
    return obj


def _org(actor):
    if actor.organisation is None:
        raise Http404
    return actor.organisation


def _errors_to(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for f, errs in exc.message_dict.items():
            form.add_error(f if f in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _form_page(request, form, *, title: str, back: str, section: str, submit: str | None = None):
    return render(
        request,
        "situation/plan_form.html",
        {
            "form": form,
            "title": title,
            "back": back,
            "section": section,
            "submit": submit or _("Spara"),
            "nav_active": NAV,
        },
    )


def _save_form(request, form, obj, *, title, back, section, done, **extra_values):
    """Validate ``form`` (a ModelForm on ``obj``), save through the audited service, redirect."""
    actor = actor_for(request)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in form.Meta.fields} | extra_values
        try:
            saved = svc.save(actor=actor, obj=obj, values=values)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Sparat."))
            return redirect(done(saved))
    return _form_page(request, form, title=title, back=back, section=section)


# --------------------------------------------------------------------------- overview


@require("plan.view")
def plan_home(request):
    actor = actor_for(request)
    return render(
        request,
        "situation/plan_home.html",
        {
            "target_groups": access.scope(actor, TargetGroup.objects.all(), "plan.view"),
            "results": access.scope(actor, Result.objects.all(), "plan.view"),
            "analyses": access.scope(actor, CauseAnalysis.objects.all(), "cause.view").select_related(
                "organisation"
            ),
            "can_edit": access.can(actor, "plan.edit"),
            "section": "plan",
            "nav_active": NAV,
        },
    )


# --------------------------------------------------------------------------- target groups


@require("plan.view")
def targetgroup_list(request):
    actor = actor_for(request)
    groups = access.scope(actor, TargetGroup.objects.select_related("area"), "plan.view")
    return render(
        request,
        "situation/targetgroup_list.html",
        {
            "groups": groups,
            "can_edit": access.can(actor, "plan.edit"),
            "section": "targetgroups",
            "nav_active": NAV,
        },
    )


@require("plan.edit")
def targetgroup_create(request):
    org = _org(actor_for(request))
    obj = TargetGroup(organisation=org)
    form = TargetGroupForm(request.POST or None, instance=TargetGroup(organisation=org))
    return _save_form(
        request,
        form,
        obj,
        title=_("Ny målgrupp"),
        back=reverse("situation:targetgroup_list"),
        section="targetgroups",
        done=lambda o: reverse("situation:targetgroup_detail", args=[o.pk]),
    )


@require("plan.view")
def targetgroup_detail(request, pk):
    actor = actor_for(request)
    group = _get(actor, TargetGroup.objects.select_related("area"), "plan.view", "plan.view", pk=pk)
    return render(
        request,
        "situation/targetgroup_detail.html",
        {
            "group": group,
            "results": group.results.all(),
            "analyses": group.cause_analyses.all(),
            "can_edit": access.can(actor, "plan.edit", group),
            "section": "targetgroups",
            "nav_active": NAV,
        },
    )


@require("plan.edit")
def targetgroup_edit(request, pk):
    actor = actor_for(request)
    group = _get(actor, TargetGroup.objects.all(), "plan.edit", "plan.view", pk=pk)
    form = TargetGroupForm(request.POST or None, instance=TargetGroup.objects.get(pk=group.pk))
    return _save_form(
        request,
        form,
        group,
        title=_("Ändra målgrupp"),
        back=reverse("situation:targetgroup_detail", args=[pk]),
        section="targetgroups",
        done=lambda o: reverse("situation:targetgroup_detail", args=[o.pk]),
    )


# --------------------------------------------------------------------------- results


@require("plan.view")
def result_list(request):
    actor = actor_for(request)
    results = access.scope(actor, Result.objects.select_related("target_group"), "plan.view")
    return render(
        request,
        "situation/result_list.html",
        {
            "results": results,
            "can_edit": access.can(actor, "plan.edit"),
            "section": "results",
            "nav_active": NAV,
        },
    )


@require("plan.edit")
def result_create(request):
    org = _org(actor_for(request))
    form = ResultForm(request.POST or None, instance=Result(organisation=org), organisation=org)
    return _save_form(
        request,
        form,
        Result(organisation=org),
        title=_("Nytt resultat"),
        back=reverse("situation:result_list"),
        section="results",
        done=lambda o: reverse("situation:result_detail", args=[o.pk]),
    )


@require("plan.edit")
def result_edit(request, pk):
    actor = actor_for(request)
    result = _get(actor, Result.objects.all(), "plan.edit", "plan.view", pk=pk)
    form = ResultForm(
        request.POST or None, instance=Result.objects.get(pk=pk), organisation=result.organisation
    )
    return _save_form(
        request,
        form,
        result,
        title=_("Ändra resultat"),
        back=reverse("situation:result_detail", args=[pk]),
        section="results",
        done=lambda o: reverse("situation:result_detail", args=[o.pk]),
    )


@require("plan.view")
def result_detail(request, pk):
    actor = actor_for(request)
    result = _get(
        actor,
        Result.objects.select_related("target_group", "organisation"),
        "plan.view",
        "plan.view",
        pk=pk,
    )
    figures = svc.result_figures(result)
    return render(
        request,
        "situation/result_detail.html",
        {
            "result": result,
            "figures": [{"fig": f, "chart": exports_plans.indicator_chart(f)} for f in figures],
            "actions": result.actions.select_related("owner_organisation"),
            "analyses": access.scope(actor, result.cause_analyses.all(), "cause.view"),
            "can_edit": access.can(actor, "plan.edit", result),
            "section": "results",
            "nav_active": NAV,
        },
    )


@require("plan.edit")
def result_indicator_add(request, pk):
    actor = actor_for(request)
    result = _get(actor, Result.objects.all(), "plan.edit", "plan.view", pk=pk)
    form = ResultIndicatorForm(request.POST or None, organisation=result.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            svc.result_indicator_add(actor=actor, result=result, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Indikatorn är tillagd."))
            return redirect("situation:result_detail", pk=pk)
    return _form_page(
        request,
        form,
        title=_("Lägg till indikator"),
        back=reverse("situation:result_detail", args=[pk]),
        section="results",
    )


def _ri(actor, ri_pk, ability):
    ri = ResultIndicator.objects.select_related("result", "indicator", "area").filter(pk=ri_pk).first()
    if ri is None:
        raise Http404
    _get(actor, Result.objects.all(), ability, "plan.view", pk=ri.result_id)
    return ri


@require("plan.edit")
def result_indicator_edit(request, ri_pk):
    """The turn-the-curve record of one indicator: the story behind the curve, partners, what works."""
    actor = actor_for(request)
    ri = _ri(actor, ri_pk, "plan.edit")
    form = TurnTheCurveForm(request.POST or None, instance=ResultIndicator.objects.get(pk=ri.pk))
    return _save_form(
        request,
        form,
        ri,
        title=_("Vända kurvan: %(ind)s") % {"ind": ri},
        back=reverse("situation:result_detail", args=[ri.result_id]),
        section="results",
        done=lambda o: reverse("situation:result_detail", args=[o.result_id]) + f"#ri-{o.pk}",
    )


@require("plan.edit")
def target_add(request, ri_pk):
    actor = actor_for(request)
    ri = _ri(actor, ri_pk, "plan.edit")
    form = TargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.target_add(actor=actor, ri=ri, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Målet är sparat."))
            return redirect(reverse("situation:result_detail", args=[ri.result_id]) + f"#ri-{ri.pk}")
    return _form_page(
        request,
        form,
        title=_("Nytt mål: %(ind)s") % {"ind": ri},
        back=reverse("situation:result_detail", args=[ri.result_id]),
        section="results",
    )


@require("plan.edit")
@require_POST
def target_delete(request, pk):
    actor = actor_for(request)
    target = Target.objects.select_related("result_indicator").filter(pk=pk).first()
    if target is None:
        raise Http404
    ri = _ri(actor, target.result_indicator_id, "plan.edit")
    svc.delete(actor=actor, obj=target)
    messages.success(request, _("Målet är borttaget."))
    return redirect(reverse("situation:result_detail", args=[ri.result_id]) + f"#ri-{ri.pk}")


@require("plan.edit")
def action_add(request, pk):
    actor = actor_for(request)
    result = _get(actor, Result.objects.all(), "plan.edit", "plan.view", pk=pk)
    obj = ActionItem(result=result, position=result.actions.count())
    form = ActionForm(
        request.POST or None, instance=ActionItem(result=result), organisation=result.organisation
    )
    return _save_form(
        request,
        form,
        obj,
        title=_("Ny aktivitet"),
        back=reverse("situation:result_detail", args=[pk]) + "#aktivitetsplan",
        section="results",
        done=lambda o: reverse("situation:result_detail", args=[pk]) + "#aktivitetsplan",
    )


def _action(actor, pk):
    item = ActionItem.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    _get(actor, Result.objects.all(), "plan.edit", "plan.view", pk=item.result_id)
    return item


@require("plan.edit")
def action_edit(request, pk):
    actor = actor_for(request)
    item = _action(actor, pk)
    form = ActionForm(request.POST or None, instance=ActionItem.objects.get(pk=pk))
    back = reverse("situation:result_detail", args=[item.result_id]) + "#aktivitetsplan"
    return _save_form(
        request, form, item, title=_("Ändra aktivitet"), back=back, section="results", done=lambda o: back
    )


@require("plan.edit")
@require_POST
def action_delete(request, pk):
    actor = actor_for(request)
    item = _action(actor, pk)
    svc.delete(actor=actor, obj=item)
    messages.success(request, _("Aktiviteten är borttagen."))
    return redirect(reverse("situation:result_detail", args=[item.result_id]) + "#aktivitetsplan")


def _export_name(result, ext):
    return f"resultat-{slugify(result.title)[:50] or result.pk}.{ext}"


@require("plan.view")
@export_audited("situation.result")
def result_pdf(request, pk):
    actor = actor_for(request)
    result = _get(actor, Result.objects.all(), "plan.view", "plan.view", pk=pk)
    response = HttpResponse(exports_plans.result_pdf(result), content_type="application/pdf")
    log_read(request, result, "situation.result.exported", format="pdf")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(result, "pdf")}"'
    return response


@require("plan.view")
@export_audited("situation.result")
def result_xlsx(request, pk):
    actor = actor_for(request)
    result = _get(actor, Result.objects.all(), "plan.view", "plan.view", pk=pk)
    response = HttpResponse(
        exports_plans.result_xlsx(result),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    log_read(request, result, "situation.result.exported", format="xlsx")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(result, "xlsx")}"'
    return response


# --------------------------------------------------------------------------- cause analyses


@require("cause.view")
def cause_list(request):
    actor = actor_for(request)
    analyses = list(
        access.scope(actor, CauseAnalysis.objects.select_related("organisation", "result"), "cause.view")
    )
    selectors.cause_links(actor, analyses)
    return render(
        request,
        "situation/cause_list.html",
        {
            "analyses": analyses,
            "can_edit": access.can(actor, "plan.edit"),
            "section": "causes",
            "nav_active": NAV,
        },
    )


@require("plan.edit")
def cause_create(request):
    org = _org(actor_for(request))
    form = CauseAnalysisForm(request.POST or None, instance=CauseAnalysis(organisation=org), organisation=org)
    return _save_form(
        request,
        form,
        CauseAnalysis(organisation=org),
        title=_("Ny orsaksanalys"),
        back=reverse("situation:cause_list"),
        section="causes",
        done=lambda o: reverse("situation:cause_detail", args=[o.pk]),
    )


def _analysis(actor, pk, ability):
    return _get(actor, CauseAnalysis.objects.select_related("organisation"), ability, "cause.view", pk=pk)


@require("cause.view")
def cause_detail(request, pk):
    actor = actor_for(request)
    analysis = _analysis(actor, pk, "cause.view")
    can_edit = access.can(actor, "cause.edit", analysis)
    selectors.cause_links(actor, [analysis])
    tree = svc.flatten(svc.live_tree(analysis))
    return render(
        request,
        "situation/cause_detail.html",
        {
            "analysis": analysis,
            "tree": svc.live_tree(analysis),
            "count": len(tree),
            "deleted": svc.recently_deleted(analysis) if can_edit else [],
            "shares": svc.cause_shares(analysis),
            "can_edit": can_edit,
            "can_share": access.can(actor, "cause.share", analysis),
            "add_form": CauseNodeForm(organisation=actor.organisation, prefix="root"),
            "levels": Level.choices,
            "sides": BbicSide.choices,
            "focus": request.GET.get("focus", ""),
            "section": "causes",
            "nav_active": NAV,
        },
    )


@require("cause.edit")
def cause_edit(request, pk):
    actor = actor_for(request)
    analysis = _analysis(actor, pk, "cause.edit")
    if analysis.organisation_id != actor.organisation_id:
        raise PermissionDenied("cause.edit")  # partners edit the tree, the owner the frame
    form = CauseAnalysisForm(
        request.POST or None, instance=CauseAnalysis.objects.get(pk=pk), organisation=analysis.organisation
    )
    return _save_form(
        request,
        form,
        analysis,
        title=_("Ändra orsaksanalys"),
        back=reverse("situation:cause_detail", args=[pk]),
        section="causes",
        done=lambda o: reverse("situation:cause_detail", args=[o.pk]),
    )


def _tree_url(analysis_id, node_id=None):
    url = reverse("situation:cause_detail", args=[analysis_id])
    return f"{url}?focus={node_id}#node-{node_id}" if node_id else url


@require("cause.edit")
def cause_node_add(request, pk):
    """Add a cause (``?parent=<id>`` for a child); GET shows the form, POST saves."""
    actor = actor_for(request)
    analysis = _analysis(actor, pk, "cause.edit")
    parent_id = request.POST.get("parent") or request.GET.get("parent") or None
    parent = None
    if parent_id:
        parent = CauseNode.objects.filter(analysis=analysis, pk=parent_id, deleted_at__isnull=True).first()
        if parent is None:
            raise Http404
    prefix = "root" if request.POST.get("root-text") is not None else None
    form = CauseNodeForm(request.POST or None, organisation=actor.organisation, prefix=prefix)
    if request.method == "POST" and form.is_valid():
        try:
            node = svc.node_add(actor=actor, analysis=analysis, parent=parent, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Orsaken är tillagd."))
            return redirect(_tree_url(analysis.pk, node.pk))
    title = _("Ny orsak under ”%(p)s”") % {"p": parent.text} if parent else _("Ny orsak")
    return render(
        request,
        "situation/cause_node_form.html",
        {
            "form": form,
            "analysis": analysis,
            "parent": parent,
            "title": title,
            "section": "causes",
            "nav_active": NAV,
        },
    )


def _node(actor, pk, node_pk):
    analysis = _analysis(actor, pk, "cause.edit")
    node = CauseNode.objects.filter(analysis=analysis, pk=node_pk).select_related("parent").first()
    if node is None:
        raise Http404
    return analysis, node


@require("cause.edit")
def cause_node_edit(request, pk, node_pk):
    actor = actor_for(request)
    analysis, node = _node(actor, pk, node_pk)
    form = CauseNodeForm(
        request.POST or None, instance=CauseNode.objects.get(pk=node.pk), organisation=actor.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            svc.node_update(actor=actor, node=node, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Orsaken är sparad."))
            return redirect(_tree_url(analysis.pk, node.pk))
    return render(
        request,
        "situation/cause_node_form.html",
        {
            "form": form,
            "analysis": analysis,
            "node": node,
            "title": _("Ändra orsak"),
            "section": "causes",
            "nav_active": NAV,
        },
    )


@require("cause.edit")
@require_POST
def cause_node_move(request, pk, node_pk):
    actor = actor_for(request)
    analysis, node = _node(actor, pk, node_pk)
    direction = request.POST.get("direction", "")
    try:
        svc.node_move(actor=actor, node=node, direction=direction)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_tree_url(analysis.pk, node.pk))


@require("cause.edit")
def cause_node_delete(request, pk, node_pk):
    """GET: a confirmation page naming what goes; POST: move it to "recently deleted"."""
    actor = actor_for(request)
    analysis, node = _node(actor, pk, node_pk)
    if node.deleted_at is not None:
        raise Http404
    if request.method == "POST":
        size = svc.node_delete(actor=actor, node=node)
        messages.success(
            request,
            _("”%(t)s” och %(n)s underliggande orsaker finns nu under ”Nyligen borttagna”.")
            % {"t": node.text, "n": size - 1},
        )
        return redirect(_tree_url(analysis.pk) + "#nyligen-borttagna")
    return render(
        request,
        "situation/cause_node_delete.html",
        {
            "analysis": analysis,
            "node": node,
            "size": svc.subtree_size(node),
            "section": "causes",
            "nav_active": NAV,
        },
    )


@require("cause.edit")
@require_POST
def cause_node_restore(request, pk, node_pk):
    actor = actor_for(request)
    analysis, node = _node(actor, pk, node_pk)
    try:
        svc.node_restore(actor=actor, node=node)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_tree_url(analysis.pk))
    messages.success(request, _("”%(t)s” är återställd.") % {"t": node.text})
    return redirect(_tree_url(analysis.pk, node.pk))


@require("cause.share")
def cause_share(request, pk):
    actor = actor_for(request)
    analysis = _analysis(actor, pk, "cause.share")
    form = ShareForm(request.POST or None, owner=analysis.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            svc.cause_share(actor=actor, analysis=analysis, organisation=form.cleaned_data["organisation"])
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(
                request,
                _("%(org)s kan nu läsa och redigera orsaksanalysen.")
                % {"org": form.cleaned_data["organisation"].name},
            )
            return redirect("situation:cause_detail", pk=pk)
    return render(
        request,
        "situation/cause_share.html",
        {
            "analysis": analysis,
            "form": form,
            "shares": svc.cause_shares(analysis),
            "section": "causes",
            "nav_active": NAV,
        },
    )


@require("cause.share")
@require_POST
def cause_unshare(request, pk, share_pk):
    actor = actor_for(request)
    analysis = _analysis(actor, pk, "cause.share")
    share = svc.cause_shares(analysis).filter(pk=share_pk).first()
    if share is None:
        raise Http404
    svc.cause_unshare(actor=actor, analysis=analysis, share=share)
    messages.success(request, _("Inbjudan till %(org)s är återkallad.") % {"org": share.organisation.name})
    return redirect("situation:cause_share", pk=pk)


@require("cause.view")
def factor_list(request):
    """The list of risk and protective factors; an organisation's administrators may add to it."""
    actor = actor_for(request)
    can_add = access.can(actor, "factor.manage")
    form = FactorForm(request.POST or None) if can_add else None
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied("factor.manage")
        if form.is_valid():
            try:
                svc.factor_create(actor=actor, organisation=_org(actor), **form.cleaned_data)
            except ValidationError as exc:
                _errors_to(form, exc)
            else:
                messages.success(request, _("Faktorn är tillagd."))
                return redirect("situation:factor_list")
    return render(
        request,
        "situation/cause_factor_list.html",
        {
            "factors": svc.factors_for(actor.organisation).select_related("organisation"),
            "form": form,
            "section": "factors",
            "nav_active": NAV,
        },
    )


__all__ = ["Share", "Factor"]
