"""IOP pages: the list, the checklist and create page, the agreement with its parties, contributions,
budget plan, follow-up plan, check-ins, signing and changes by joint decision. Thin: access decides,
the services work."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from insats.accounts import access
from insats.accounts.access import actor_for, require
from insats.accounts.models import Organisation, OrganisationKind
from insats.situation.models import Result
from insats.sourcing.advisor.models import FormDecision

from . import services
from .forms import (
    ChangeForm,
    CheckInForm,
    ContributionForm,
    CreateForm,
    DecisionForm,
    FollowUpForm,
    PartyForm,
)
from .models import IopAgreement, IopChangeProposal, IopStatus, ProposalStatus


def _errors_to(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _agreement(request, pk, ability: str = "iop.view") -> IopAgreement:
    return access.get_or_404(
        actor_for(request), IopAgreement.objects.select_related("organisation", "result"), ability, pk=pk
    )


@require("iop.view")
def iop_list(request):
    actor = actor_for(request)
    agreements = access.scope(actor, IopAgreement.objects.select_related("organisation"), "iop.view")
    return render(
        request,
        "sourcing/iop/list.html",
        {"agreements": agreements.order_by("-created_at"), "can_create": access.can(actor, "iop.create")},
    )


@require("iop.create")
def iop_create(request):
    actor = actor_for(request)
    org = actor.organisation
    decision = None
    decision_id = request.GET.get("decision") or request.POST.get("decision")
    if decision_id and str(decision_id).isdigit():
        decision = (
            access.scope(actor, FormDecision.objects.all(), "formdecision.view")
            .filter(pk=decision_id)
            .first()
        )
    results = Result.objects.filter(organisation=org).order_by("title")
    form = CreateForm(
        request.POST or None,
        initial=services.prefill_from_decision(decision),
        results=results,
        questions=services.question_texts(),
    )
    failed: list[str] = []
    if request.method == "POST" and form.is_valid():
        outcome, failed = services.checklist_outcome(form.answers())
        if outcome.passed:
            try:
                agreement = services.agreement_create(
                    actor=actor,
                    organisation=org,
                    title=form.cleaned_data["title"],
                    goal=form.cleaned_data["goal"],
                    term_start=form.cleaned_data["term_start"],
                    term_end=form.cleaned_data["term_end"],
                    answers=form.answers(),
                    reasons=form.reasons(),
                    result=results.filter(pk=form.cleaned_data["result"]).first()
                    if form.cleaned_data["result"]
                    else None,
                    decision=decision if decision and decision.organisation_id == org.pk else None,
                )
            except ValidationError as exc:
                _errors_to(form, exc)
            else:
                messages.success(request, _("IOP-avtalet är skapat som utkast. Lägg till parter och bidrag."))
                return redirect("sourcing:iop_detail", pk=agreement.pk)
    return render(
        request,
        "sourcing/iop/create.html",
        {"form": form, "failed": failed, "decision": decision},
    )


def _detail_context(request, agreement: IopAgreement, **forms) -> dict:
    actor = actor_for(request)
    parties = list(agreement.parties.select_related("organisation", "signed_by"))
    plan = services.budget(agreement)
    names = {str(p.pk): p.organisation.name for p in parties}
    budget_rows = [
        {
            "name": names.get(key, key),
            "years": [plan.by_party_year.get((key, y)) for y in plan.years],
            "total": plan.by_party.get(key),
            "share": plan.share(key),
        }
        for key in plan.parties
    ]
    my_party = services.party_of(actor, agreement)
    draft = agreement.status == IopStatus.DRAFT
    can_edit = draft and access.can(actor, "iop.edit", agreement)
    proposals = []
    for p in agreement.change_proposals.select_related("proposed_by_party__organisation").prefetch_related(
        "approvals__party__organisation"
    ):
        decided = my_party is not None and any(a.party_id == my_party.pk for a in p.approvals.all())
        proposals.append(
            {
                "proposal": p,
                "pending": list(services.pending_parties(p)) if p.status == ProposalStatus.OPEN else [],
                "can_decide": p.status == ProposalStatus.OPEN
                and not decided
                and access.can(actor, "iop.change.decide", agreement),
                "form": forms.get(f"decision_form_{p.pk}") or DecisionForm(auto_id=f"id_p{p.pk}_%s"),
            }
        )
    existing = [p.organisation_id for p in parties]
    context = {
        "agreement": agreement,
        "parties": parties,
        "contributions": agreement.contributions.select_related("party__organisation"),
        "plan": plan,
        "budget_rows": budget_rows,
        "year_totals": [plan.by_year.get(y) for y in plan.years],
        "follow_ups": agreement.follow_ups.all(),
        "check_ins": agreement.check_ins.all(),
        "my_party": my_party,
        "draft": draft,
        "can_edit": can_edit,
        "can_sign": draft
        and my_party is not None
        and my_party.signed_at is None
        and access.can(actor, "iop.sign", agreement),
        "can_propose": not draft and access.can(actor, "iop.change.propose", agreement),
        "can_check_in": access.can(actor, "iop.edit", agreement),
        "readiness": services.readiness_errors(agreement) if draft else [],
        "proposals": proposals,
        "history": services.version_history(agreement),
        "questions": services.question_texts(),
        "checklist": [
            (services.question_texts()[k], agreement.checklist.get(k), agreement.checklist_reasons.get(k, ""))
            for k in services.core.QUESTION_KEYS
        ],
        "party_form": PartyForm(
            organisations=Organisation.objects.filter(kind=OrganisationKind.IDEBUREN)
            .exclude(pk__in=existing)
            .order_by("name")
        )
        if can_edit
        else None,
        "contribution_form": ContributionForm(
            agreement=agreement, initial={"year": agreement.term_start.year}
        )
        if can_edit
        else None,
        "follow_up_form": FollowUpForm() if can_edit else None,
        "check_in_form": CheckInForm() if access.can(actor, "iop.edit", agreement) else None,
        "change_form": ChangeForm()
        if not draft and access.can(actor, "iop.change.propose", agreement)
        else None,
    }
    context.update({k: v for k, v in forms.items() if v is not None and not k.startswith("decision_form_")})
    return context


@require("iop.view")
def iop_detail(request, pk):
    agreement = _agreement(request, pk)
    return render(request, "sourcing/iop/detail.html", _detail_context(request, agreement))


def _post(request, pk, ability: str, form_class, context_name: str, action, **form_kwargs):
    """A POSTed form on the agreement page: the service on success, the page with errors otherwise."""
    agreement = _agreement(request, pk, ability)
    kwargs: dict = {}
    if form_kwargs.get("with_agreement"):
        kwargs["agreement"] = agreement
    if form_kwargs.get("organisations") is not None:
        kwargs["organisations"] = form_kwargs["organisations"]
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        try:
            action(actor_for(request), agreement, form)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, form_kwargs.get("done") or _("Sparat."))
            return redirect("sourcing:iop_detail", pk=agreement.pk)
    return render(
        request,
        "sourcing/iop/detail.html",
        _detail_context(request, agreement, **{context_name: form}),
        status=422,
    )


@require("iop.edit")
@require_POST
def iop_party_add(request, pk):
    def act(actor, agreement, form):
        services.party_add(actor=actor, agreement=agreement, organisation=form.cleaned_data["organisation"])

    return _post(
        request,
        pk,
        "iop.edit",
        PartyForm,
        "party_form",
        act,
        organisations=Organisation.objects.filter(kind=OrganisationKind.IDEBUREN),
        done=_("Parten är tillagd."),
    )


@require("iop.edit")
@require_POST
def iop_contribution_add(request, pk):
    def act(actor, agreement, form):
        data = dict(form.cleaned_data)
        party = data.pop("party")
        services.contribution_add(actor=actor, agreement=agreement, party=party, **data)

    return _post(
        request,
        pk,
        "iop.edit",
        ContributionForm,
        "contribution_form",
        act,
        with_agreement=True,
        done=_("Bidraget är tillagt."),
    )


@require("iop.edit")
@require_POST
def iop_follow_up_add(request, pk):
    def act(actor, agreement, form):
        services.follow_up_add(actor=actor, agreement=agreement, **form.cleaned_data)

    return _post(
        request, pk, "iop.edit", FollowUpForm, "follow_up_form", act, done=_("Uppföljningen är tillagd.")
    )


@require("iop.edit")
@require_POST
def iop_check_in_add(request, pk):
    def act(actor, agreement, form):
        services.check_in_add(actor=actor, agreement=agreement, **form.cleaned_data)

    return _post(
        request, pk, "iop.edit", CheckInForm, "check_in_form", act, done=_("Avstämningen är sparad.")
    )


@require("iop.sign")
def iop_sign(request, pk):
    """A confirmation page (GET) and the signature (POST)."""
    actor = actor_for(request)
    agreement = _agreement(request, pk, "iop.sign")
    party = services.party_of(actor, agreement)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.sign(actor=actor, agreement=agreement)
        except ValidationError as exc:
            errors = exc.messages
        else:
            agreement.refresh_from_db()
            if agreement.status == IopStatus.SIGNED:
                messages.success(
                    request,
                    _("Alla parter har undertecknat. Version 1 gäller och samverkansnivån är 5 Partnerskap."),
                )
            else:
                messages.success(
                    request, _("Ni har undertecknat. Avtalet gäller när alla parter har undertecknat.")
                )
            return redirect("sourcing:iop_detail", pk=agreement.pk)
    return render(
        request,
        "sourcing/iop/sign.html",
        {
            "agreement": agreement,
            "party": party,
            "errors": errors,
            "readiness": services.readiness_errors(agreement),
            "plan": services.budget(agreement),
        },
    )


@require("iop.change.propose")
@require_POST
def iop_change_propose(request, pk):
    def act(actor, agreement, form):
        services.change_propose(
            actor=actor,
            agreement=agreement,
            description=form.cleaned_data["description"],
            payload=form.payload(),
        )

    return _post(
        request,
        pk,
        "iop.change.propose",
        ChangeForm,
        "change_form",
        act,
        done=_("Förslaget är lagt. Det gäller när alla parter har godkänt det."),
    )


@require("iop.change.decide")
@require_POST
def iop_change_decide(request, pk, proposal):
    actor = actor_for(request)
    agreement = _agreement(request, pk, "iop.change.decide")
    item = IopChangeProposal.objects.filter(agreement=agreement, pk=proposal).first()
    if item is None:
        raise Http404
    party = services.party_of(actor, agreement)
    if item.status != ProposalStatus.OPEN or party is None or item.approvals.filter(party=party).exists():
        raise PermissionDenied("iop.change.decide")
    form = DecisionForm(request.POST, auto_id=f"id_p{item.pk}_%s")
    if form.is_valid():
        try:
            item = services.change_decide(actor=actor, proposal=item, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            if item.status == ProposalStatus.APPROVED:
                messages.success(
                    request,
                    _("Alla parter har godkänt. Ändringen gäller från version %(n)s.")
                    % {"n": item.resulting_version.number},
                )
            else:
                messages.success(request, _("Ert ställningstagande är sparat."))
            return redirect("sourcing:iop_detail", pk=agreement.pk)
    context = _detail_context(request, agreement, **{f"decision_form_{item.pk}": form})
    return render(request, "sourcing/iop/detail.html", context, status=422)
