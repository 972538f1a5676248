"""The portfolio page and the review (genomlysning) pages. Thin: access, a service, a template.

Every figure comes from :mod:`.figures` (computed by ``insats.core.portfolio``)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from insats.accounts import access
from insats.accounts.access import actor_for, require
from insats.accounts.models import Organisation, OrganisationKind
from insats.audit.reads import export_audited, log_read
from insats.interventions.catalogue.selectors import visible_interventions
from insats.platform import spreadsheets

from . import exports, figures, services
from .forms import (
    BudgetForm,
    DecisionForm,
    FindingForm,
    FollowUpForm,
    ItemForm,
    PhaseForm,
    RecommendationForm,
    ReviewerForm,
    ReviewForm,
)
from .models import PHASE_HELP, PHASE_ORDER, PortfolioBudget, Review, ReviewPhase

NAV = "interventions"
WORK_PHASES_SHARED = {ReviewPhase.CURRENT.value, ReviewPhase.ASSESSMENT.value, ReviewPhase.DESIRED.value}


def _errors_to(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errs in exc.error_dict.items():
            for e in errs:
                form.add_error(name if name in form.fields else None, e)
    else:
        for m in exc.messages:
            form.add_error(None, m)


# --------------------------------------------------------------------------- the portfolio


def _year(request, org) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 1900 < int(raw) < 2200:
        return int(raw)
    latest = PortfolioBudget.objects.filter(organisation=org).order_by("-year").first()
    return latest.year if latest else datetime.date.today().year


def default_forbund(actor) -> Organisation | None:
    org = actor.organisation
    if org is not None and org.kind == OrganisationKind.SAMORDNINGSFORBUND:
        return org
    return Organisation.objects.filter(pk__in=actor.federation_ids()).order_by("name").first()


def _forbund(actor, pk) -> Organisation:
    org = Organisation.objects.filter(pk=pk, kind=OrganisationKind.SAMORDNINGSFORBUND).first()
    if org is None or not access.can(actor, "intervention.view", org):
        raise Http404
    return org


@require("intervention.view")
def portfolio(request):
    """The portfolio of the actor's förbund (or of the förbund its organisation is a member of)."""
    actor = actor_for(request)
    org = default_forbund(actor)
    if org is None:
        return render(
            request,
            "interventions/portfolio.html",
            {"owner": None, "section": "portfolio", "nav_active": NAV},
        )
    return _portfolio_page(request, actor, org)


@require("intervention.view")
def portfolio_org(request, pk):
    actor = actor_for(request)
    return _portfolio_page(request, actor, _forbund(actor, pk))


def _portfolio_page(request, actor, org):
    year = _year(request, org)
    interventions = visible_interventions(actor).filter(pk__in=figures.portfolio_interventions(org, year))
    fig = figures.compute(org, year, interventions)
    can_edit = access.can(actor, "intervention.edit", org)
    budget = PortfolioBudget.objects.filter(organisation=org, year=year).first()
    form = BudgetForm(instance=budget, initial={"year": year}) if can_edit else None
    reviews = access.scope(actor, Review.objects.filter(organisation=org), "review.view")
    return render(
        request,
        "interventions/portfolio.html",
        {
            "owner": org,
            "fig": fig,
            "chart": exports.gap_chart(fig) if fig.members else None,
            "year": year,
            "budget_form": form,
            "reviews": reviews,
            "can_create_review": access.can(actor, "review.create", org),
            "section": "portfolio",
            "nav_active": NAV,
        },
    )


@require("intervention.edit")
@require_POST
def portfolio_budget(request, pk):
    actor = actor_for(request)
    org = _forbund(actor, pk)
    if not access.can(actor, "intervention.edit", org):
        raise PermissionDenied("intervention.edit")
    form = BudgetForm(request.POST)
    if form.is_valid():
        try:
            services.budget_set(actor=actor, organisation=org, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Den totala budgeten är sparad."))
        url = reverse("interventions:portfolio_org", args=[org.pk])
        return redirect(f"{url}?year={form.cleaned_data['year']}")
    messages.error(
        request, " ".join(f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items())
    )
    return redirect("interventions:portfolio_org", pk=org.pk)


@require("intervention.export")
@export_audited("interventions.portfolio")
def portfolio_xlsx(request, pk):
    actor = actor_for(request)
    org = _forbund(actor, pk)
    year = _year(request, org)
    interventions = visible_interventions(actor).filter(pk__in=figures.portfolio_interventions(org, year))
    fig = figures.compute(org, year, interventions)
    data = exports.portfolio_xlsx(fig)
    log_read(request, org, "interventions.portfolio.exported", format="xlsx", year=year)
    return spreadsheets.xlsx_response(data, f"portfolj-{slugify(org.name)}-{year}.xlsx")


# --------------------------------------------------------------------------- reviews


def _review(actor, pk, ability) -> Review:
    return access.get_or_404(actor, Review.objects.select_related("organisation"), ability, pk=pk)


def may_work(actor, review: Review) -> bool:
    """Edit the review's content: its owner's planners in every phase, an invited reviewer in B–D."""
    if not access.can(actor, "review.edit", review):
        return False
    return actor.organisation_id == review.organisation_id or review.phase in WORK_PHASES_SHARED


def _working(actor, pk) -> Review:
    review = _review(actor, pk, "review.edit")
    if not may_work(actor, review):
        raise PermissionDenied("review.edit")
    return review


@require("review.view")
def review_list(request):
    actor = actor_for(request)
    reviews = access.scope(actor, Review.objects.select_related("organisation"), "review.view")
    return render(
        request,
        "interventions/review_list.html",
        {
            "reviews": reviews,
            "can_create": access.can(actor, "review.create"),
            "section": "reviews",
            "nav_active": NAV,
        },
    )


@require("review.create")
def review_create(request):
    actor = actor_for(request)
    org = actor.organisation
    year = _year(request, org)
    choices = visible_interventions(actor)
    initial = {"year": year, "title": _("Genomlysning %(year)s") % {"year": year}}
    if org.kind == OrganisationKind.SAMORDNINGSFORBUND:
        initial["interventions"] = list(
            choices.filter(pk__in=figures.portfolio_interventions(org, year)).values_list("pk", flat=True)
        )
    form = ReviewForm(request.POST or None, organisation=org, interventions=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = data.pop("interventions")
        try:
            review = services.review_create(actor=actor, organisation=org, values=data, interventions=chosen)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Genomlysningen är skapad."))
            return redirect(review)
    return render(
        request, "interventions/review_form.html", {"form": form, "section": "reviews", "nav_active": NAV}
    )


def _recommendations(review):
    recs = list(
        review.recommendations.select_related("owner_organisation", "finding").prefetch_related("updates")
    )
    return recs


@require("review.view")
def review_detail(request, pk):
    actor = actor_for(request)
    review = _review(actor, pk, "review.view")
    fig = figures.review_figures(review)
    working = may_work(actor, review)
    idx = PHASE_ORDER.index(review.phase)
    own = actor.organisation_id == review.organisation_id
    allowed = PHASE_ORDER if own else sorted(WORK_PHASES_SHARED)
    prev_phase = PHASE_ORDER[idx - 1] if idx > 0 and PHASE_ORDER[idx - 1] in allowed else None
    next_phase = (
        PHASE_ORDER[idx + 1] if idx + 1 < len(PHASE_ORDER) and PHASE_ORDER[idx + 1] in allowed else None
    )
    return render(
        request,
        "interventions/review_detail.html",
        {
            "review": review,
            "fig": fig,
            "chart": exports.gap_chart(fig) if fig.members else None,
            "items": review.items.select_related("intervention", "intervention__organisation"),
            "findings": review.findings.select_related("intervention"),
            "recommendations": _recommendations(review),
            "decisions": review.decisions.select_related("body"),
            "phase_changes": review.phase_changes.select_related("changed_by")[:20],
            "phases": [
                {
                    "value": p.value,
                    "label": p.label,
                    "help": PHASE_HELP[p],
                    "current": p.value == review.phase,
                    "done": PHASE_ORDER.index(p.value) < idx,
                }
                for p in ReviewPhase
            ],
            "prev_phase": ReviewPhase(prev_phase) if prev_phase else None,
            "next_phase": ReviewPhase(next_phase) if next_phase else None,
            "working": working,
            "finding_form": FindingForm(review=review, auto_id="finding_%s") if working else None,
            "recommendation_form": RecommendationForm(review=review, auto_id="rec_%s") if working else None,
            "follow_up_form": FollowUpForm(initial={"on": datetime.date.today()}) if working else None,
            "can_decide": access.can(actor, "review.decide", review),
            "can_share": access.can(actor, "review.share", review),
            "can_edit_frame": own and access.can(actor, "review.edit", review),
            "is_reviewer": not own and access.is_shared(actor, review),
            "section": "reviews",
            "nav_active": NAV,
        },
    )


@require("review.edit")
def review_edit(request, pk):
    actor = actor_for(request)
    review = _review(actor, pk, "review.edit")
    if actor.organisation_id != review.organisation_id:
        raise PermissionDenied("review.edit")
    form = ReviewForm(
        request.POST or None, instance=review, organisation=review.organisation, with_interventions=False
    )
    compared, _others = figures.municipal_members(review.organisation)
    pops = {p.area_id: p for p in review.populations.all()}
    pop_rows = [
        {
            "area": a,
            "member": fm.member,
            "name": f"population_{a.code}",
            "value": request.POST.get(f"population_{a.code}", pops[a.pk].population if a.pk in pops else ""),
        }
        for fm, a in compared
    ]
    source = request.POST.get("population_source", next((p.source for p in pops.values()), ""))
    pop_error = ""
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            with transaction.atomic():
                services.review_update(actor=actor, review=review, values=data)
                services.populations_set(
                    actor=actor, review=review, rows={r["area"]: r["value"] for r in pop_rows}, source=source
                )
        except ValidationError as exc:
            review.refresh_from_db()
            if hasattr(exc, "error_dict") and any(k.startswith("population_") for k in exc.error_dict):
                pop_error = " ".join(exc.messages)
            else:
                _errors_to(form, exc)
        else:
            messages.success(request, _("Genomlysningen är sparad."))
            return redirect(review)
    return render(
        request,
        "interventions/review_form.html",
        {
            "form": form,
            "review": review,
            "pop_rows": pop_rows,
            "pop_source": source,
            "pop_error": pop_error,
            "section": "reviews",
            "nav_active": NAV,
        },
    )


@require("review.edit")
def review_item(request, pk, item_pk):
    actor = actor_for(request)
    review = _working(actor, pk)
    item = review.items.select_related("intervention").filter(pk=item_pk).first()
    if item is None:
        raise Http404
    form = ItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        services.item_update(actor=actor, item=item, values=form.cleaned_data)
        messages.success(request, _("Nuläget för %(name)s är sparat.") % {"name": item.intervention.name})
        return redirect(f"{review.get_absolute_url()}#item-{item.pk}")
    return render(
        request,
        "interventions/review_item.html",
        {"form": form, "review": review, "item": item, "section": "reviews", "nav_active": NAV},
    )


@require("review.edit")
@require_POST
def review_phase(request, pk):
    actor = actor_for(request)
    review = _working(actor, pk)
    form = PhaseForm(request.POST)
    if form.is_valid():
        to = form.cleaned_data["phase"]
        if actor.organisation_id != review.organisation_id and to not in WORK_PHASES_SHARED:
            raise PermissionDenied("review.edit")
        try:
            services.phase_move(actor=actor, review=review, to_phase=to, note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Genomlysningen är nu i fas %(phase)s.") % {"phase": ReviewPhase(to).label}
            )
    else:
        messages.error(request, _("Välj en fas."))
    return redirect(review)


@require("review.edit")
@require_POST
def review_finding_add(request, pk):
    actor = actor_for(request)
    review = _working(actor, pk)
    form = FindingForm(request.POST, review=review)
    if form.is_valid():
        try:
            services.finding_add(
                actor=actor,
                review=review,
                text=form.cleaned_data["text"],
                intervention=form.cleaned_data["intervention"] or None,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Iakttagelsen är sparad."))
    else:
        messages.error(request, _("Iakttagelse: skriv en text."))
    return redirect(f"{review.get_absolute_url()}#findings")


@require("review.edit")
@require_POST
def review_finding_delete(request, pk, finding_pk):
    actor = actor_for(request)
    review = _working(actor, pk)
    finding = review.findings.filter(pk=finding_pk).first()
    if finding is None:
        raise Http404
    services.finding_delete(actor=actor, finding=finding)
    messages.success(request, _("Iakttagelsen är borttagen."))
    return redirect(f"{review.get_absolute_url()}#findings")


@require("review.edit")
@require_POST
def review_recommendation_add(request, pk):
    actor = actor_for(request)
    review = _working(actor, pk)
    form = RecommendationForm(request.POST, review=review)
    if form.is_valid():
        try:
            services.recommendation_add(actor=actor, review=review, values=form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Rekommendationen är sparad."))
    else:
        messages.error(
            request, " ".join(f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items())
        )
    return redirect(f"{review.get_absolute_url()}#recommendations")


@require("review.edit")
@require_POST
def review_follow_up(request, pk, rec_pk):
    actor = actor_for(request)
    review = _review(actor, pk, "review.edit")
    if actor.organisation_id != review.organisation_id and not may_work(actor, review):
        raise PermissionDenied("review.edit")
    rec = review.recommendations.filter(pk=rec_pk).first()
    if rec is None:
        raise Http404
    form = FollowUpForm(request.POST)
    if form.is_valid():
        services.recommendation_follow_up(actor=actor, recommendation=rec, **form.cleaned_data)
        messages.success(request, _("Uppföljningen är sparad."))
    else:
        messages.error(
            request, " ".join(f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items())
        )
    return redirect(f"{review.get_absolute_url()}#recommendations")


@require("review.decide")
def review_decision(request, pk):
    actor = actor_for(request)
    review = _review(actor, pk, "review.decide")
    form = DecisionForm(request.POST or None, review=review)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_record(actor=actor, review=review, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Beslutet är registrerat."))
            return redirect(f"{review.get_absolute_url()}#decisions")
    return render(
        request,
        "interventions/review_decision.html",
        {"form": form, "review": review, "section": "reviews", "nav_active": NAV},
    )


@require("review.share")
def review_share(request, pk):
    actor = actor_for(request)
    review = _review(actor, pk, "review.share")
    form = ReviewerForm(request.POST or None, owner=review.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.reviewer_invite(
                actor=actor, review=review, organisation=form.cleaned_data["organisation"]
            )
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(
                request,
                _("%(org)s kan nu se och arbeta i genomlysningen.")
                % {"org": form.cleaned_data["organisation"].name},
            )
            return redirect("interventions:review_share", pk=review.pk)
    return render(
        request,
        "interventions/review_share.html",
        {
            "form": form,
            "review": review,
            "shares": services.reviewer_shares(review),
            "section": "reviews",
            "nav_active": NAV,
        },
    )


@require("review.share")
@require_POST
def review_unshare(request, pk, share_pk):
    actor = actor_for(request)
    review = _review(actor, pk, "review.share")
    share = services.reviewer_shares(review).filter(pk=share_pk).first()
    if share is None:
        raise Http404
    services.reviewer_revoke(actor=actor, review=review, share=share)
    messages.success(request, _("Inbjudan till %(org)s är återkallad.") % {"org": share.organisation.name})
    return redirect("interventions:review_share", pk=review.pk)


@require("review.view")
@export_audited("interventions.review")
def review_pdf(request, pk):
    actor = actor_for(request)
    review = _review(actor, pk, "review.view")
    response = HttpResponse(exports.review_pdf(review), content_type="application/pdf")
    log_read(request, review, "interventions.review.exported", format="pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="genomlysning-{slugify(review.title) or review.pk}.pdf"'
    )
    return response
