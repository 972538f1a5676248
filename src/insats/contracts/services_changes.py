"""Changes by joint decision (seed 004: "efter ett gemensamt beslut ändras") and versions.

Once a contract is signed its terms change only through a :class:`ChangeProposal`: a party proposes
a change of the metrics, the prices, the financing or the action plan; every party approves it (or
one rejects it, with a reason, and it falls); on the last approval the change is applied in one
transaction and a new :class:`ContractVersion` is made with who approved it. ``diff`` shows what
changed between two versions, field by field.

Who must approve, whether a party may decide, the state after each decision and the diff are the
shared rules of ``insats.core.joint_decision`` (IOP agreements use the same); this module keeps the
contract's records and what a change of a contract does.
"""

from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.audit.services import log_action
from insats.core import joint_decision
from insats.core.money import round_ore

from . import services
from .models import (
    ActionStatus,
    ChangeApproval,
    ChangeKind,
    ChangeProposal,
    Contract,
    ContractAction,
    ContractStatus,
    ContractVersion,
    Decision,
    FinancingTerms,
    OutcomeMetric,
    ProposalStatus,
)

CHANGEABLE = (ContractStatus.SIGNED, ContractStatus.ACTIVE)


class _DryRun(Exception):
    pass


def _log(action: str, actor, obj, contract: Contract, changes: dict | None = None) -> None:
    log_action(
        action,
        actor=getattr(actor, "user", actor),
        organisation=contract.owner,
        obj=obj,
        changes=changes or {},
    )


def _party_of(actor, contract: Contract):
    party = services.signing_party(actor, contract)
    if party is None:
        raise ValidationError({"party": _("Din organisation är inte part i kontraktet.")})
    return party


def _dec(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({field: _("Ogiltigt tal: %(v)s.") % {"v": value}}) from None


# --- applying a change (used for real on the last approval, and as a dry run when proposing) -----


def _apply_metrics(contract: Contract, payload: dict) -> None:
    for code in payload.get("remove") or []:
        metric = contract.metrics.filter(code=code).first()
        if metric is None:
            raise ValidationError({"payload": _("Okänt utfallsmått '%(c)s'.") % {"c": code}})
        if metric.reports.exists() or metric.payment_lines.exists():
            raise ValidationError(
                {
                    "payload": _("Utfallsmåttet '%(c)s' har rapporterade resultat och kan inte tas bort.")
                    % {"c": code}
                }
            )
        metric.delete()
    for i, row in enumerate(payload.get("metrics") or []):
        if not isinstance(row, dict) or not row.get("code"):
            raise ValidationError({"payload": _("Utfallsmått %(n)s saknar kod.") % {"n": i + 1}})
        metric = contract.metrics.filter(code=row["code"]).first() or OutcomeMetric(
            contract=contract, order=contract.metrics.count()
        )
        for name in services.METRIC_FIELDS:
            if name in row:
                setattr(metric, name, row[name])
        metric.full_clean()
        errors = services.metric_rule_errors(contract, metric)
        if errors:
            raise ValidationError(
                {"payload": [f"{row['code']}: {field or 'rule'}: {message}" for field, message in errors]}
            )
        metric.save()


def _apply_financing(contract: Contract, payload: dict) -> None:
    terms = FinancingTerms.objects.filter(contract=contract).first() or FinancingTerms(contract=contract)
    for name in ("commitment", "annual_rate", "multiple_cap", "fund_surplus_share"):
        if name in payload:
            setattr(terms, name, _dec(payload[name], name))
    if "drawdown_schedule" in payload:
        terms.drawdown_schedule = [
            str(round_ore(_dec(c, "drawdown_schedule"))) for c in payload["drawdown_schedule"]
        ]
    if "return_basis" in payload:
        terms.return_basis = payload["return_basis"]
    if "loss_cover" in payload:
        if not isinstance(payload["loss_cover"], dict):
            raise ValidationError({"payload": [_("Investerare och garantier ska vara ett objekt.")]})
        terms.loss_cover = payload["loss_cover"]
    if terms.return_basis == "fixed_rate":
        terms.multiple_cap = None
    elif terms.return_basis == "capped_multiple":
        terms.annual_rate = None
    terms.full_clean(exclude=["drawdown_schedule", "contract"])
    errors = services.financing_errors(contract, terms)
    if errors:
        raise ValidationError({"payload": [f"{k}: {'; '.join(v)}" for k, v in errors.items()]})
    terms.save()


def _apply_action_plan(contract: Contract, payload: dict) -> None:
    rows = payload.get("actions")
    if not isinstance(rows, list):
        raise ValidationError({"payload": _("Handlingsplanen ska vara en lista av åtgärder.")})
    parties = {p.pk: p for p in contract.parties.all()}
    contract.actions.all().delete()
    for i, row in enumerate(rows):
        owner = row.get("owner_party")
        if owner not in (None, "") and int(owner) not in parties:
            raise ValidationError({"payload": _("Åtgärd %(n)s: okänd part.") % {"n": i + 1}})
        action = ContractAction(
            contract=contract,
            title=row.get("title", ""),
            description=row.get("description", ""),
            owner_party=parties.get(int(owner)) if owner not in (None, "") else None,
            responsible=row.get("responsible", ""),
            start=row.get("start") or None,
            end=row.get("end") or None,
            status=row.get("status") or ActionStatus.PLANNED,
            order=i,
        )
        try:
            action.full_clean()
        except ValidationError as exc:
            raise ValidationError(
                {
                    "payload": [
                        f"{_('Åtgärd')} {i + 1}: {k}: {' '.join(v)}" for k, v in exc.message_dict.items()
                    ]
                }
            ) from None
        action.save()


APPLY = {
    ChangeKind.METRICS: _apply_metrics,
    ChangeKind.PRICES: _apply_metrics,
    ChangeKind.FINANCING: _apply_financing,
    ChangeKind.ACTION_PLAN: _apply_action_plan,
}


def check_payload(contract: Contract, kind: str, payload: dict) -> None:
    """Raise ValidationError if the change could not be applied (runs it and rolls it back)."""
    if kind not in APPLY:
        raise ValidationError({"kind": _("Okänt slag av ändring.")})
    if not isinstance(payload, dict) or not payload:
        raise ValidationError({"payload": _("Ändringen är tom.")})
    try:
        with transaction.atomic():
            APPLY[kind](contract, copy.deepcopy(payload))
            if kind in (ChangeKind.METRICS, ChangeKind.PRICES):
                from . import core_inputs

                core_inputs.build_payment_contract(contract)
            raise _DryRun
    except _DryRun:
        pass
    except ValidationError:
        raise
    except Exception as exc:  # pydantic errors from the whole contract
        raise ValidationError({"payload": str(exc)}) from None


# --- the workflow ----------------------------------------------------------------------------------


@transaction.atomic
def propose(*, actor, contract: Contract, kind: str, description: str, payload: dict) -> ChangeProposal:
    if contract.status not in CHANGEABLE:
        raise ValidationError(
            {
                "kind": _(
                    "Ändringar genom gemensamt beslut gäller undertecknade kontrakt; före undertecknandet "
                    "ändras villkoren direkt."
                )
            }
        )
    party = _party_of(actor, contract)
    if not description.strip():
        raise ValidationError({"description": _("Beskriv ändringen och varför den behövs.")})
    check_payload(contract, kind, payload)
    proposal = ChangeProposal.objects.create(
        contract=contract,
        kind=kind,
        description=description.strip(),
        payload=payload,
        proposed_by=actor.user,
        proposed_by_party=party,
    )
    _log("contract.change_propose", actor, proposal, contract, {"kind": kind, "payload": payload})
    # The proposing party agrees with its own proposal; the others decide.
    ChangeApproval.objects.create(
        proposal=proposal, party=party, user=actor.user, decision=Decision.APPROVE, reason=""
    )
    return _apply_if_all_approved(actor, proposal, contract)


def pending_parties(proposal: ChangeProposal):
    decided = proposal.approvals.values_list("party_id", flat=True)
    return proposal.contract.parties.exclude(pk__in=decided).select_related("organisation")


@transaction.atomic
def decide(*, actor, proposal: ChangeProposal, decision: str, reason: str = "") -> ChangeProposal:
    """The actor's party approves or rejects. The last approval applies the change and makes a version."""
    proposal = ChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    contract = Contract.objects.select_for_update().get(pk=proposal.contract_id)
    if proposal.status != ProposalStatus.OPEN:
        raise ValidationError({"decision": _("Förslaget är redan avgjort.")})
    if contract.status not in CHANGEABLE:
        raise ValidationError({"decision": _("Kontraktet kan inte längre ändras.")})
    party = _party_of(actor, contract)
    problem = joint_decision.decide_error(
        proposal.status,
        party.pk,
        contract.parties.values_list("pk", flat=True),
        _decisions(proposal),
        decision,
        reason,
    )
    if problem == "already":
        raise ValidationError({"decision": _("Din organisation har redan tagit ställning.")})
    if problem == "bad_decision":
        raise ValidationError({"decision": _("Välj godkänn eller avslå.")})
    if problem == "reason":
        raise ValidationError({"reason": _("Ange skälet till att ni avslår.")})
    ChangeApproval.objects.create(
        proposal=proposal, party=party, user=actor.user, decision=decision, reason=reason.strip()
    )
    _log(
        "contract.change_" + decision,
        actor,
        proposal,
        contract,
        {"party": party.organisation.name, "reason": reason.strip()},
    )
    if joint_decision.outcome(contract.parties.values_list("pk", flat=True), _decisions(proposal)) == (
        joint_decision.REJECTED
    ):
        proposal.status = ProposalStatus.REJECTED
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["status", "decided_at"])
        return proposal
    return _apply_if_all_approved(actor, proposal, contract)


def _decisions(proposal: ChangeProposal) -> dict[int, str]:
    return dict(proposal.approvals.values_list("party_id", "decision"))


def _apply_if_all_approved(actor, proposal: ChangeProposal, contract: Contract) -> ChangeProposal:
    parties = contract.parties.values_list("pk", flat=True)
    if joint_decision.outcome(parties, _decisions(proposal)) != joint_decision.APPROVED:
        return proposal
    # Every party has approved: apply in this transaction and take a new version.
    before = services.snapshot(contract)
    APPLY[proposal.kind](contract, copy.deepcopy(proposal.payload))
    after = services.snapshot(contract)
    number = joint_decision.next_version(contract.versions.values_list("number", flat=True))
    approved = [
        {
            "party": a.party.organisation.name,
            "role": a.party.role,
            "user": a.user.email if a.user else "",
            "at": a.at.isoformat(),
        }
        for a in proposal.approvals.select_related("party__organisation", "user")
    ]
    version = ContractVersion.objects.create(
        contract=contract,
        number=number,
        snapshot=after,
        approved_by=approved,
        reason=proposal.description[:200],
        proposal=proposal,
    )
    contract.version = number
    contract.save(update_fields=["version", "updated_at"])
    proposal.status = ProposalStatus.APPROVED
    proposal.decided_at = timezone.now()
    proposal.resulting_version = version
    proposal.save(update_fields=["status", "decided_at", "resulting_version"])
    _log(
        "contract.change_applied",
        actor,
        proposal,
        contract,
        {"version": number, "diff": [list(map(str, d)) for d in diff(before, after)]},
    )
    _recalculate_money(actor, contract, number)
    return proposal


def _recalculate_money(actor, contract: Contract, number: int) -> None:
    """Everything priced from the terms follows the new version in the same transaction: the payment
    lines (hence the payments page, the invoice basis, the API and INDIGO) and the fund's ledger.
    Invoiced and paid lines keep their status; the payments page shows any difference."""
    from .models import ResultStatus
    from .services_payments import ledger_recalculate, payments_recalculate

    reason = f"version {number}"
    if (
        contract.payment_lines.exists()
        or contract.result_reports.filter(status=ResultStatus.APPROVED).exists()
    ):
        payments_recalculate(actor=actor, contract=contract, reason=reason)
    elif contract.ledger_entries.exists():
        ledger_recalculate(actor=actor, contract=contract)


@transaction.atomic
def withdraw(*, actor, proposal: ChangeProposal) -> ChangeProposal:
    if proposal.status != ProposalStatus.OPEN:
        raise ValidationError({"decision": _("Förslaget är redan avgjort.")})
    party = _party_of(actor, proposal.contract)
    if party.pk != proposal.proposed_by_party_id:
        raise ValidationError({"decision": _("Bara den part som lade förslaget kan ta tillbaka det.")})
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_at"])
    _log("contract.change_withdraw", actor, proposal, proposal.contract)
    return proposal


# --- versions --------------------------------------------------------------------------------------


# The diff of two versions is the shared one (``insats.core.joint_decision``).
_flatten = joint_decision.flatten
diff = joint_decision.diff


def version_history(contract: Contract) -> list[dict]:
    """Every version, newest first, each with the diff against the version before it."""
    from . import labels

    versions = list(contract.versions.order_by("number"))
    rows = []
    previous = None
    for v in versions:
        changes = diff(previous.snapshot, v.snapshot) if previous else []
        rows.append(
            {
                "version": v,
                "diff": changes,
                # The same differences with plain labels and values as entered (for the pages).
                "rows": labels.rows(changes, previous.snapshot if previous else {}, v.snapshot),
            }
        )
        previous = v
    return list(reversed(rows))
