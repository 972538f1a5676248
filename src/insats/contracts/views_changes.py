"""Changes by joint decision, versions with their differences, and the action plan."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from insats.accounts import access
from insats.accounts.access import actor_for, require

from . import labels, services, services_changes
from .forms import ActionForm, ChangeDescriptionForm, DecisionForm
from .models import ActionStatus, ChangeProposal, ContractAction, ProposalStatus
from .views import contract_context, form_errors_to, get_contract


def _proposal(contract, pk) -> ChangeProposal:
    proposal = (
        ChangeProposal.objects.filter(contract=contract, pk=pk)
        .select_related("proposed_by", "proposed_by_party__organisation", "resulting_version")
        .first()
    )
    if proposal is None:
        raise Http404
    return proposal


@require("contract.view")
def changes(request, pk):
    contract = get_contract(request, pk)
    proposals = contract.change_proposals.select_related("proposed_by_party__organisation").prefetch_related(
        "approvals"
    )
    return render(
        request,
        "contracts/change_list.html",
        contract_context(
            request,
            contract,
            "changes",
            proposals=proposals,
            history=services_changes.version_history(contract),
        ),
    )


@require("contract.view")
def change(request, pk, proposal):
    actor = actor_for(request)
    contract = get_contract(request, pk)
    proposal = _proposal(contract, proposal)
    approvals = proposal.approvals.select_related("party__organisation", "user")
    my_party = services.signing_party(actor, contract)
    decided = my_party is not None and approvals.filter(party=my_party).exists()
    can_decide = (
        proposal.status == ProposalStatus.OPEN
        and not decided
        and access.can(actor, "contract.change.decide", contract)
    )
    form = DecisionForm(request.POST or None) if can_decide else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("contract.change.decide")
        if form.is_valid():
            try:
                services_changes.decide(actor=actor, proposal=proposal, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_to(form, exc)
            else:
                proposal.refresh_from_db()
                if proposal.status == ProposalStatus.APPROVED:
                    messages.success(
                        request,
                        _("Alla parter har godkänt. Ändringen gäller från version %(n)s.")
                        % {"n": proposal.resulting_version.number},
                    )
                else:
                    messages.success(request, _("Ert beslut är registrerat."))
                return redirect("contracts:change", pk=contract.pk, proposal=proposal.pk)
    current = services.snapshot(contract)
    return render(
        request,
        "contracts/change_detail.html",
        contract_context(
            request,
            contract,
            "changes",
            proposal=proposal,
            approvals=approvals,
            pending=services_changes.pending_parties(proposal),
            form=form,
            decided=decided,
            can_withdraw=(
                proposal.status == ProposalStatus.OPEN
                and my_party is not None
                and my_party.pk == proposal.proposed_by_party_id
                and access.can(actor, "contract.change.propose", contract)
            ),
            payload_rows=labels.rows(
                services_changes.diff({}, proposal.payload),
                current,
                proposal.payload,
                parties={
                    str(p.pk): p.organisation.name for p in contract.parties.select_related("organisation")
                },
            ),
            current=current,
        ),
    )


@require("contract.change.propose")
@require_POST
def change_withdraw(request, pk, proposal):
    actor = actor_for(request)
    contract = get_contract(request, pk, "contract.change.propose")
    proposal = _proposal(contract, proposal)
    try:
        services_changes.withdraw(actor=actor, proposal=proposal)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Förslaget är återtaget."))
    return redirect("contracts:change", pk=contract.pk, proposal=proposal.pk)


@require("contract.view")
def versions(request, pk):
    contract = get_contract(request, pk)
    return render(
        request,
        "contracts/version_list.html",
        contract_context(request, contract, "changes", history=services_changes.version_history(contract)),
    )


# --- action plan ----------------------------------------------------------------------------------------


def _action(contract, pk) -> ContractAction:
    action = ContractAction.objects.filter(contract=contract, pk=pk).select_related("owner_party").first()
    if action is None:
        raise Http404
    return action


def _action_payload(contract, replace: ContractAction | None, new: dict | None) -> dict:
    """The whole plan with one action replaced or added (a joint change replaces the plan)."""
    rows = []
    for a in contract.actions.all():
        if replace is not None and a.pk == replace.pk:
            continue
        rows.append(
            {
                "title": a.title,
                "description": a.description,
                "owner_party": a.owner_party_id,
                "responsible": a.responsible,
                "start": a.start.isoformat() if a.start else None,
                "end": a.end.isoformat() if a.end else None,
                "status": a.status,
            }
        )
    if new is not None:
        rows.append(
            {
                **{k: v for k, v in new.items() if k not in ("owner_party", "start", "end")},
                "owner_party": new["owner_party"].pk if new.get("owner_party") else None,
                "start": new["start"].isoformat() if new.get("start") else None,
                "end": new["end"].isoformat() if new.get("end") else None,
            }
        )
    return {"actions": rows}


@require("contract.view")
def actions(request, pk, action=None):
    """The plan, and a form to add (or, with ``action``, edit) an action: directly while drafting or
    negotiating, as a proposed change after signing."""
    actor = actor_for(request)
    contract = get_contract(request, pk)
    obj = _action(contract, action) if action is not None else None
    editable = contract.is_editable and access.can(actor, "contract.action.edit", contract)
    proposing = contract.status in services_changes.CHANGEABLE and access.can(
        actor, "contract.change.propose", contract
    )
    form = change_form = None
    if editable or proposing:
        initial = {"status": ActionStatus.PLANNED}
        if obj is not None:
            initial = {
                "title": obj.title,
                "description": obj.description,
                "owner_party": obj.owner_party_id,
                "responsible": obj.responsible,
                "start": obj.start,
                "end": obj.end,
                "status": obj.status,
            }
        form = ActionForm(request.POST or None, contract=contract, initial=initial)
        change_form = ChangeDescriptionForm(request.POST or None) if not editable else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("contract.action.edit")
        if form.is_valid() and (change_form is None or change_form.is_valid()):
            try:
                if editable:
                    services.action_save(actor=actor, contract=contract, action=obj, **form.cleaned_data)
                    messages.success(request, _("Åtgärden är sparad."))
                    return redirect("contracts:actions", pk=contract.pk)
                proposal = services_changes.propose(
                    actor=actor,
                    contract=contract,
                    kind="action_plan",
                    description=change_form.cleaned_data["change_description"],
                    payload=_action_payload(contract, obj, form.cleaned_data),
                )
                messages.success(request, _("Ändringsförslaget är skickat till parterna."))
                return redirect("contracts:change", pk=contract.pk, proposal=proposal.pk)
            except ValidationError as exc:
                form_errors_to(form, exc)
    org = actor.organisation_id
    is_commissioner = contract.parties.filter(organisation_id=org, role="commissioner").exists()
    rows = []
    for a in contract.actions.select_related("owner_party__organisation"):
        may_status = access.can(actor, "contract.action.edit", contract) and (
            is_commissioner or (a.owner_party is not None and a.owner_party.organisation_id == org)
        )
        rows.append((a, may_status and contract.status not in ("closed", "cancelled")))
    return render(
        request,
        "contracts/action_list.html",
        contract_context(
            request,
            contract,
            "actions",
            rows=rows,
            form=form,
            change_form=change_form,
            editing=obj,
            statuses=ActionStatus.choices,
        ),
    )


@require("contract.action.edit")
@require_POST
def action_status(request, pk, action):
    actor = actor_for(request)
    contract = get_contract(request, pk, "contract.action.edit")
    obj = _action(contract, action)
    try:
        services.action_set_status(actor=actor, action=obj, status=request.POST.get("status", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Status för åtgärden är ändrad."))
    return redirect("contracts:actions", pk=contract.pk)


@require("contract.action.edit")
@require_POST
def action_delete(request, pk, action):
    actor = actor_for(request)
    contract = get_contract(request, pk, "contract.action.edit")
    if not contract.is_editable:
        raise PermissionDenied("contract.action.edit")
    obj = _action(contract, action)
    try:
        services.action_delete(actor=actor, action=obj)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Åtgärden är borttagen."))
    return redirect("contracts:actions", pk=contract.pk)
