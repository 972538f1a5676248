"""Contract pages: list, create, overview (status, signing), edit, parties, cohorts, financing.

Thin: parse the form, ask access.py, call a service, render. Metrics, prices and the preview are
in ``views_metrics.py``; changes, versions and the action plan in ``views_changes.py``.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from insats.accounts import access
from insats.accounts.access import actor_for, require

from . import services, services_changes
from .forms import CohortForm, ContractForm, FinancingForm, PartyForm, TransitionForm
from .models import Cohort, Contract, ContractParty, ContractStatus, FinancingTerms, PartyRole

NAV = "contracts"


def form_errors_to(form, exc: ValidationError) -> None:
    """A service's ValidationError on the form: on the named field if the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            if field in form.fields:
                form.add_error(field, errors)
            else:
                form.add_error(None, [e if field == "__all__" else f"{e}" for e in errors])
    else:
        form.add_error(None, exc.messages)


def get_contract(request, pk: int, ability: str = "contract.view") -> Contract:
    """The contract if the actor may use ``ability`` on it: 404 for non-parties, 403 for parties
    without the ability."""
    return access.get_or_404(actor_for(request), Contract.objects.select_related("owner"), ability, pk=pk)


def get_editable_contract(request, pk: int) -> Contract:
    """As :func:`get_contract` for ``contract.edit``, and 403 once the contract is signed: then the
    terms change only by joint decision."""
    contract = get_contract(request, pk, "contract.edit")
    if not contract.is_editable:
        raise PermissionDenied("contract.edit")
    return contract


def contract_context(request, contract: Contract, active: str, **extra) -> dict:
    actor = actor_for(request)
    ctx = {
        "contract": contract,
        "active": active,
        "nav_active": NAV,
        "can_edit": contract.is_editable and access.can(actor, "contract.edit", contract),
        "can_propose": contract.status in services_changes.CHANGEABLE
        and access.can(actor, "contract.change.propose", contract),
    }
    ctx.update(extra)
    return ctx


# --- list and create -----------------------------------------------------------------------------


@require("contract.view")
def home(request):
    actor = actor_for(request)
    contracts = access.scope(actor, Contract.objects.select_related("owner"), "contract.view")
    status = request.GET.get("status", "")
    if status in ContractStatus.values:
        contracts = contracts.filter(status=status)
    my_roles = dict(
        ContractParty.objects.filter(
            contract__in=contracts, organisation_id=actor.organisation_id
        ).values_list("contract_id", "role")
    )
    rows = [(c, PartyRole(my_roles[c.pk]).label if c.pk in my_roles else "") for c in contracts]
    return render(
        request,
        "contracts/contract_list.html",
        {
            "rows": rows,
            "statuses": ContractStatus.choices,
            "status": status,
            "can_create": access.can(actor, "contract.create"),
            "nav_active": NAV,
        },
    )


@require("contract.create")
def create(request):
    actor = actor_for(request)
    owner = actor.organisation
    if owner is None:
        raise Http404
    form = ContractForm(request.POST or None, owner=owner)
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_create(actor=actor, owner=owner, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_to(form, exc)
        else:
            messages.success(request, _("Kontraktet är upprättat. Lägg till parter och utfallsmått."))
            return redirect("contracts:detail", pk=contract.pk)
    return render(request, "contracts/contract_form.html", {"form": form, "nav_active": NAV})


# --- overview, edit, status, signing ----------------------------------------------------------------


@require("contract.view")
def detail(request, pk):
    actor = actor_for(request)
    contract = get_contract(request, pk)
    parties = list(contract.parties.select_related("organisation", "signatory", "signed_by"))
    my_party = next((p for p in parties if p.organisation_id == actor.organisation_id), None)
    readiness = services.readiness_errors(contract) if contract.is_editable else []
    warnings = services.signing_warnings(contract) if contract.is_editable else []
    transitions = [
        (s, label)
        for s, label in ContractStatus.choices
        if s in services.TRANSITIONS[contract.status] and s != ContractStatus.SIGNED
    ]
    return render(
        request,
        "contracts/contract_detail.html",
        contract_context(
            request,
            contract,
            "overview",
            parties=parties,
            my_party=my_party,
            readiness=readiness,
            signing_warnings=warnings,
            transitions=transitions,
            can_transition=access.can(actor, "contract.edit", contract) and bool(transitions),
            can_sign=(
                contract.status == ContractStatus.NEGOTIATION
                and my_party is not None
                and my_party.signed_at is None
                and access.can(actor, "contract.sign", contract)
                and (my_party.signatory_id in (None, actor.user.pk))
            ),
            signed_count=sum(1 for p in parties if p.signed_at),
            metrics=contract.metrics.all(),
            cohorts=contract.cohorts.all(),
            transition_form=TransitionForm(),
        ),
    )


@require("contract.edit")
def edit(request, pk):
    actor = actor_for(request)
    contract = get_editable_contract(request, pk)
    form = ContractForm(
        request.POST or None, owner=contract.owner, initial=ContractForm.initial_for(contract)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_update(actor=actor, contract=contract, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_to(form, exc)
        else:
            messages.success(request, _("Kontraktet är sparat."))
            return redirect("contracts:detail", pk=contract.pk)
    return render(
        request, "contracts/contract_form.html", contract_context(request, contract, "overview", form=form)
    )


@require("contract.edit")
@require_POST
def transition(request, pk):
    actor = actor_for(request)
    contract = get_contract(request, pk, "contract.edit")
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Välj en giltig status."))
        return redirect("contracts:detail", pk=contract.pk)
    try:
        services.transition(
            actor=actor, contract=contract, to=form.cleaned_data["to"], reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Statusen är ändrad."))
    return redirect("contracts:detail", pk=contract.pk)


@require("contract.sign")
@require_POST
def sign(request, pk):
    actor = actor_for(request)
    contract = get_contract(request, pk, "contract.sign")
    try:
        services.sign(actor=actor, contract=contract)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        contract.refresh_from_db()
        for warning in services.signing_warnings(contract):
            messages.warning(request, warning)
        if contract.status == ContractStatus.SIGNED:
            messages.success(request, _("Alla parter har undertecknat. Kontraktet gäller (version 1)."))
        else:
            messages.success(request, _("Ni har undertecknat kontraktet."))
    return redirect("contracts:detail", pk=contract.pk)


# --- parties and cohorts ------------------------------------------------------------------------------


@require("contract.view")
def parties(request, pk):
    actor = actor_for(request)
    contract = get_contract(request, pk)
    can_edit = contract.is_editable and access.can(actor, "contract.edit", contract)
    form = PartyForm(request.POST or None, contract=contract) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("contract.edit")
        if form.is_valid():
            try:
                services.party_add(actor=actor, contract=contract, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_to(form, exc)
            else:
                messages.success(request, _("Parten är tillagd."))
                return redirect("contracts:parties", pk=contract.pk)
    return render(
        request,
        "contracts/party_list.html",
        contract_context(
            request,
            contract,
            "parties",
            parties=contract.parties.select_related("organisation", "signatory"),
            form=form,
            share_errors=services.payer_share_errors(contract),
            cohorts=contract.cohorts.all(),
        ),
    )


def _party(contract: Contract, party_pk) -> ContractParty:
    party = contract.parties.select_related("organisation", "contract").filter(pk=party_pk).first()
    if party is None:
        raise Http404
    return party


@require("contract.edit")
def party_edit(request, pk, party):
    actor = actor_for(request)
    contract = get_editable_contract(request, pk)
    party = _party(contract, party)
    initial = {
        "role": party.role,
        "payer_share": party.payer_share,
        "payer_cap": party.payer_cap,
        "signatory": party.signatory_id,
        "confidential": party.confidential,
    }
    form = PartyForm(request.POST or None, party=party, initial=initial)
    if request.method == "POST":
        if request.POST.get("remove"):
            try:
                services.party_remove(actor=actor, party=party)
            except ValidationError as exc:
                form_errors_to(form, exc)
            else:
                messages.success(request, _("Parten är borttagen."))
                return redirect("contracts:parties", pk=contract.pk)
        elif form.is_valid():
            try:
                services.party_update(actor=actor, party=party, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_to(form, exc)
            else:
                messages.success(request, _("Parten är sparad."))
                return redirect("contracts:parties", pk=contract.pk)
    return render(
        request,
        "contracts/party_form.html",
        contract_context(request, contract, "parties", form=form, party=party),
    )


@require("contract.edit")
def cohort_edit(request, pk, cohort=None):
    actor = actor_for(request)
    contract = get_editable_contract(request, pk)
    obj = None
    if cohort is not None:
        obj = Cohort.objects.filter(contract=contract, pk=cohort).first()
        if obj is None:
            raise Http404
    initial = (
        {
            "code": obj.code,
            "name": obj.name,
            "entry_start": obj.entry_start,
            "entry_end": obj.entry_end,
            "planned_size": obj.planned_size,
        }
        if obj
        else {}
    )
    form = CohortForm(request.POST or None, initial=initial)
    if request.method == "POST":
        try:
            if obj is not None and request.POST.get("remove"):
                services.cohort_delete(actor=actor, cohort=obj)
                messages.success(request, _("Kohorten är borttagen."))
                return redirect("contracts:parties", pk=contract.pk)
            if form.is_valid():
                services.cohort_save(actor=actor, contract=contract, cohort=obj, **form.cleaned_data)
                messages.success(request, _("Kohorten är sparad."))
                return redirect("contracts:parties", pk=contract.pk)
        except ValidationError as exc:
            form_errors_to(form, exc)
    return render(
        request,
        "contracts/party_cohort_form.html",
        contract_context(request, contract, "parties", form=form, cohort=obj),
    )


# --- financing ------------------------------------------------------------------------------------------


@require("contract.view")
def financing(request, pk):
    from . import core_inputs
    from .forms import ChangeDescriptionForm

    actor = actor_for(request)
    contract = get_contract(request, pk)
    terms = (
        FinancingTerms.objects.filter(contract=contract).select_related("fund_party__organisation").first()
    )
    editable = contract.is_editable and access.can(actor, "contract.financing.edit", contract)
    proposing = (
        not contract.is_editable
        and access.can(actor, "contract.change.propose", contract)
        and (contract.status in services_changes.CHANGEABLE)
    )
    form = change_form = None
    if editable or proposing:
        form = FinancingForm(
            request.POST or None, contract=contract, initial=FinancingForm.initial_for(contract)
        )
        change_form = ChangeDescriptionForm(request.POST or None) if proposing else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("contract.financing.edit")
        valid = form.is_valid() and (change_form is None or change_form.is_valid())
        if valid:
            fields = form.financing_fields()
            try:
                if editable:
                    services.financing_save(actor=actor, contract=contract, **fields)
                    messages.success(request, _("Finansieringsvillkoren är sparade."))
                    return redirect("contracts:financing", pk=contract.pk)
                payload = {
                    k: (str(v) if v is not None and not isinstance(v, list | bool | dict) else v)
                    for k, v in fields.items()
                    if k not in ("fund_party", "confidential", "notes")
                }
                proposal = services_changes.propose(
                    actor=actor,
                    contract=contract,
                    kind="financing",
                    description=change_form.cleaned_data["change_description"],
                    payload=payload,
                )
                messages.success(request, _("Ändringsförslaget är skickat till parterna."))
                return redirect("contracts:change", pk=contract.pk, proposal=proposal.pk)
            except ValidationError as exc:
                form_errors_to(form, exc)
    summary = summary_json = None
    if terms is not None:
        summary = core_inputs.financing_terms_json(contract)
        summary_json = json.dumps(summary, ensure_ascii=False, indent=2)
    return render(
        request,
        "contracts/financing.html",
        contract_context(
            request,
            contract,
            "financing",
            terms=terms,
            summary=summary,
            summary_json=summary_json,
            form=form,
            change_form=change_form,
            editable=editable,
            schedule=list(
                zip(contract.period_ids(), (terms.drawdown_schedule if terms else []), strict=False)
            ),
        ),
    )
