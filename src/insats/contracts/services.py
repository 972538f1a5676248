"""Workflows of an outcomes contract: drafting, parties, cohorts, metrics and prices, financing,
the status workflow, signing, and the action plan. Every change is audited (``log_action``).

Joint changes of a signed contract and versions are in ``services_changes.py``; the payment
preview in ``services_preview.py``.

Rules kept here (the views and the API only call these):

* status: utkast → förhandling → undertecknat → genomförande → avslutat, or avbrutet from any
  state before avslutat; förhandling may go back to utkast; undertecknat is reached only by the
  last signature;
* terms change only while drafting or negotiating; a change during negotiation clears the
  signatures already given (they signed other terms);
* signing: every party signs through its signatory — a user acting for the party's organisation
  as admin or contract manager (the nominated signatory, if one is nominated); before the first
  signature the payers' shares must sum to 100 % and the payment terms must validate in the core.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from insats.audit.services import log_action
from insats.core import financing as core_financing
from insats.core import payments
from insats.core.money import round_ore
from insats.core.payments_models import Metric as CoreMetric

from . import core_inputs
from .models import (
    PAYING_ROLES,
    SIGNATORY_ROLES,
    ActionStatus,
    Cohort,
    Contract,
    ContractAction,
    ContractParty,
    ContractStatus,
    ContractVersion,
    FinancingTerms,
    MetricKind,
    OutcomeMetric,
    PartyRole,
)

S = ContractStatus
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.NEGOTIATION, S.CANCELLED},
    S.NEGOTIATION: {S.DRAFT, S.CANCELLED},  # → SIGNED only through the last signature
    S.SIGNED: {S.ACTIVE, S.CANCELLED},
    S.ACTIVE: {S.CLOSED, S.CANCELLED},
    S.CLOSED: set(),
    S.CANCELLED: set(),
}
HUNDRED = Decimal(100)
_METRIC_ADAPTER = TypeAdapter(CoreMetric)


def _user(actor):
    return getattr(actor, "user", actor)


def _org(actor):
    return getattr(actor, "organisation", None)


def _log(action: str, actor, obj, contract: Contract, changes: dict | None = None) -> None:
    log_action(action, actor=_user(actor), organisation=contract.owner, obj=obj, changes=changes or {})


def _require_editable(contract: Contract) -> None:
    if not contract.is_editable:
        raise ValidationError(
            _(
                "Kontraktet är %(status)s: villkoren ändras nu bara genom ett gemensamt beslut "
                "(ändringsförslag som alla parter godkänner)."
            )
            % {"status": contract.get_status_display().lower()}
        )


def _terms_changed(actor, contract: Contract) -> None:
    """Signatures given to earlier terms no longer hold."""
    signed = contract.parties.filter(signed_at__isnull=False)
    if signed.exists():
        names = [p.organisation.name for p in signed.select_related("organisation")]
        signed.update(signed_at=None, signed_by=None)
        _log("contract.signatures_cleared", actor, contract, contract, {"parties": names})


def _full_clean(obj, exclude=None) -> None:
    obj.full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)


# --- the contract ---------------------------------------------------------------------------------

CONTRACT_FIELDS = (
    "title",
    "reference",
    "summary",
    "intervention",
    "target_population",
    "policy_sector",
    "currency",
    "result",
    "target_group",
    "term_start",
    "term_end",
    "period_type",
    "key_dates",
    "payment_days",
    "preliminary_results",
)


def _check_links(contract: Contract) -> None:
    errors = {}
    taken = Contract.objects.filter(owner_id=contract.owner_id, reference=contract.reference)
    if taken.exclude(pk=contract.pk).exists():
        errors["reference"] = _("Kortnamnet används redan för ett annat av organisationens kontrakt.")
    if contract.result_id and contract.result.organisation_id != contract.owner_id:
        errors["result"] = _("Resultatet tillhör en annan organisation.")
    if contract.target_group_id and contract.target_group.organisation_id != contract.owner_id:
        errors["target_group"] = _("Målgruppen tillhör en annan organisation.")
    if errors:
        raise ValidationError(errors)


def _check_key_dates(value: Any) -> None:
    if not isinstance(value, list):
        raise ValidationError({"key_dates": _("Viktiga datum ska vara en lista.")})
    for i, row in enumerate(value):
        if not isinstance(row, dict) or not row.get("label") or not row.get("date"):
            raise ValidationError(
                {"key_dates": _("Rad %(n)s: ange både benämning och datum.") % {"n": i + 1}}
            )


@transaction.atomic
def contract_create(*, actor, owner, **fields) -> Contract:
    """Draft a contract; ``owner`` (the drafting organisation) becomes its commissioner, paying 100 %
    until other payers are added."""
    unknown = set(fields) - set(CONTRACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    fields.setdefault("key_dates", [])
    _check_key_dates(fields["key_dates"])
    contract = Contract(owner=owner, created_by=_user(actor), **fields)
    _check_links(contract)
    _full_clean(contract)
    contract.save()
    party = ContractParty.objects.create(
        contract=contract, organisation=owner, role=PartyRole.COMMISSIONER, payer_share=HUNDRED
    )
    _log("contract.create", actor, contract, contract, {"title": contract.title})
    _log("contract.party_add", actor, party, contract, {"role": party.role, "payer_share": "100"})
    return contract


@transaction.atomic
def contract_update(*, actor, contract: Contract, **fields) -> Contract:
    _require_editable(contract)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    changes = {}
    for name, value in fields.items():
        if name not in CONTRACT_FIELDS:
            raise TypeError(f"unknown field {name}")
        old = getattr(contract, name)
        if old != value:
            changes[name] = [str(old), str(value)]
            setattr(contract, name, value)
    if "key_dates" in fields:
        _check_key_dates(fields["key_dates"])
    _check_links(contract)
    _full_clean(contract)
    if changes:
        contract.save()
        _terms_changed(actor, contract)
        _log("contract.update", actor, contract, contract, changes)
    return contract


@transaction.atomic
def payment_terms_update(
    *,
    actor,
    contract: Contract,
    cap_total=None,
    cap_per_period=None,
    carry_forward: bool = False,
    cap_by_period: dict | None = None,
    payment_due: dict | None = None,
) -> Contract:
    """Caps over all metrics (SEK), one per period or ``cap_by_period`` ({period id: amount}),
    carry-forward, and due dates per period (``payment_due``: {period id: date}), in the core's
    JSON form."""
    _require_editable(contract)
    caps: dict = {}
    if cap_total is not None:
        caps["total"] = str(cap_total)
    if cap_per_period is not None and cap_by_period:
        raise ValidationError(
            {"cap_by_period": _("Ange ett tak för alla perioder eller ett per period, inte båda.")}
        )
    if cap_per_period is not None:
        caps["per_period"] = str(cap_per_period)
    elif cap_by_period:
        caps["per_period"] = {str(p): str(v) for p, v in cap_by_period.items()}
    periods = set(contract.period_ids())
    for p in [*(cap_by_period or {}), *(payment_due or {})]:
        if p not in periods:
            field = "payment_due" if p in (payment_due or {}) else "cap_by_period"
            raise ValidationError({field: _("Perioden '%(x)s' finns inte i kontraktet.") % {"x": p}})
    terms: dict = {"caps": caps, "carry_forward": bool(carry_forward)}
    if payment_due:
        terms["payment_due"] = {str(p): d.isoformat() for p, d in payment_due.items()}
    try:
        payments.ContractCaps.model_validate(caps)
    except PydanticValidationError as exc:
        raise ValidationError(
            {("cap_" + f.split(".")[0]) if f else "__all__": m for f, m in core_inputs.error_list(exc)}
        ) from None
    old = contract.payment_terms
    contract.payment_terms = terms
    contract.save(update_fields=["payment_terms", "updated_at"])
    _terms_changed(actor, contract)
    _log("contract.payment_terms", actor, contract, contract, {"payment_terms": [old, terms]})
    return contract


@transaction.atomic
def transition(*, actor, contract: Contract, to: str, reason: str = "") -> Contract:
    """Move the contract to status ``to``; illegal moves are refused with a clear message."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    labels = dict(ContractStatus.choices)
    if to not in labels:
        raise ValidationError({"status": _("Okänd status: %(s)s.") % {"s": to}})
    if to not in TRANSITIONS[contract.status]:
        allowed = ", ".join(str(labels[s]).lower() for s in sorted(TRANSITIONS[contract.status]))
        if to == S.SIGNED:
            message = _(
                "Kontraktet blir undertecknat först när alla parter har undertecknat det; det går "
                "inte att sätta statusen direkt."
            )
        else:
            message = _("Ett kontrakt som är %(from)s kan inte bli %(to)s.") % {
                "from": labels[contract.status].lower(),
                "to": labels[to].lower(),
            }
            message += " " + (
                _("Tillåtet härifrån: %(allowed)s.") % {"allowed": allowed}
                if allowed
                else _("Statusen är slutlig.")
            )
        raise ValidationError({"status": message})
    if to == S.CANCELLED and not reason.strip():
        raise ValidationError({"reason": _("Ange varför kontraktet avbryts.")})
    old = contract.status
    contract.status = to
    if to == S.CANCELLED:
        contract.cancel_reason = reason.strip()
    if to == S.DRAFT:
        _terms_changed(actor, contract)
    contract.save(update_fields=["status", "cancel_reason", "updated_at"])
    _log("contract.status", actor, contract, contract, {"status": [old, to], "reason": reason})
    return contract


# --- parties --------------------------------------------------------------------------------------


def _check_party(party: ContractParty) -> None:
    errors = {}
    if party.role not in PAYING_ROLES and party.payer_share:
        errors["payer_share"] = _("Bara beställare och betalare har en andel av betalningarna.")
    if party.role not in PAYING_ROLES and party.payer_cap is not None:
        errors["payer_cap"] = _("Bara beställare och betalare har ett betalningstak.")
    if party.signatory_id:
        ok = party.signatory.memberships.filter(
            organisation_id=party.organisation_id, role__in=SIGNATORY_ROLES
        ).exists()
        if not ok:
            errors["signatory"] = _(
                "Firmatecknaren måste vara administratör eller avtalsansvarig i %(org)s."
            ) % {"org": party.organisation.name}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def party_add(
    *,
    actor,
    contract: Contract,
    organisation,
    role: str,
    payer_share=None,
    payer_cap=None,
    signatory=None,
    confidential: bool = False,
) -> ContractParty:
    _require_editable(contract)
    if contract.parties.filter(organisation=organisation).exists():
        raise ValidationError(
            {"organisation": _("%(org)s är redan part i kontraktet.") % {"org": organisation.name}}
        )
    party = ContractParty(
        contract=contract,
        organisation=organisation,
        role=role,
        payer_share=payer_share,
        payer_cap=payer_cap,
        signatory=signatory,
        confidential=confidential,
    )
    _full_clean(party)
    _check_party(party)
    party.save()
    _terms_changed(actor, contract)
    _log(
        "contract.party_add",
        actor,
        party,
        contract,
        {"organisation": organisation.name, "role": role, "payer_share": str(payer_share)},
    )
    return party


@transaction.atomic
def party_update(*, actor, party: ContractParty, **fields) -> ContractParty:
    contract = party.contract
    _require_editable(contract)
    allowed = {"role", "payer_share", "payer_cap", "signatory", "confidential"}
    changes = {}
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(f"unknown field {name}")
        old = getattr(party, name)
        if old != value:
            changes[name] = [str(old), str(value)]
            setattr(party, name, value)
    if party.organisation_id == contract.owner_id and party.role != PartyRole.COMMISSIONER:
        raise ValidationError({"role": _("Organisationen som upprättar kontraktet är dess beställare.")})
    _full_clean(party)
    _check_party(party)
    if changes:
        party.save()
        _terms_changed(actor, contract)
        _log("contract.party_update", actor, party, contract, changes)
    return party


@transaction.atomic
def party_remove(*, actor, party: ContractParty) -> None:
    contract = party.contract
    _require_editable(contract)
    if party.organisation_id == contract.owner_id:
        raise ValidationError(_("Beställaren som upprättar kontraktet kan inte tas bort som part."))
    label = str(party)
    _log("contract.party_remove", actor, party, contract, {"party": label})
    party.delete()
    _terms_changed(actor, contract)


def payer_share_errors(contract: Contract) -> dict[str, str]:
    """``{"payer_share": message}`` unless the payers' shares sum to exactly 100 %."""
    shares = [p.payer_share or Decimal(0) for p in contract.parties.filter(role__in=PAYING_ROLES)]
    total = sum(shares, Decimal(0))
    if not any(shares):
        return {"payer_share": _("Minst en beställare eller betalare måste ha en andel av betalningarna.")}
    if total != HUNDRED:
        return {
            "payer_share": _(
                "Betalarnas andelar summerar till %(total)s %% men måste summera till exakt 100 %%."
            )
            % {"total": f"{total.normalize():f}".replace(".", ",")}
        }
    return {}


# --- cohorts --------------------------------------------------------------------------------------


@transaction.atomic
def cohort_save(*, actor, contract: Contract, cohort: Cohort | None = None, **fields) -> Cohort:
    _require_editable(contract)
    cohort = cohort or Cohort(contract=contract)
    created = cohort.pk is None
    for name, value in fields.items():
        if name not in ("code", "name", "entry_start", "entry_end", "planned_size"):
            raise TypeError(f"unknown field {name}")
        setattr(cohort, name, value)
    _full_clean(cohort)
    errors = {}
    if cohort.entry_start < contract.term_start or cohort.entry_start > contract.term_end:
        errors["entry_start"] = _("Intaget måste börja inom kontraktsperioden.")
    if errors:
        raise ValidationError(errors)
    cohort.save()
    _terms_changed(actor, contract)
    changes = {k: str(v) for k, v in fields.items()}
    _log("contract.cohort_" + ("add" if created else "update"), actor, cohort, contract, changes)
    return cohort


@transaction.atomic
def cohort_delete(*, actor, cohort: Cohort) -> None:
    contract = cohort.contract
    _require_editable(contract)
    _log("contract.cohort_remove", actor, cohort, contract, {"code": cohort.code})
    cohort.delete()
    _terms_changed(actor, contract)


# --- metrics and prices ---------------------------------------------------------------------------

METRIC_FIELDS = (
    "code",
    "name",
    "order",
    "kind",
    "definition",
    "unit",
    "data_source",
    "validation_method",
    "counterfactual_description",
    "measurement_periods",
    "rule",
    "confidential_prices",
    "whole_numbers",
)


def metric_rule_errors(contract: Contract, metric: OutcomeMetric) -> list[tuple[str, str]]:
    """The core's objections to ``metric``'s rule, as ``[(field within the rule, message)]``.

    The rule is checked alone (its own fields) and then inside the whole contract (periods,
    cohorts, references to other metrics). Errors about other parts of the contract are left out.
    """
    data = metric.core_json()
    try:
        _METRIC_ADAPTER.validate_python(data)
    except PydanticValidationError as exc:
        return core_inputs.error_list(exc)
    others = [m.core_json() for m in contract.metrics.exclude(pk=metric.pk)] if contract.pk else []
    ordered = sorted(others + [data], key=lambda d: d is not data)  # ours first: index 0
    doc = core_inputs.payment_contract_json(contract, metrics=ordered)
    doc["payers"] = [{"id": "check", "share": "1"}]  # shares are checked at signing, not here
    doc.pop("caps", None)
    try:
        payments.Contract.model_validate(doc)
    except PydanticValidationError as exc:
        out = []
        for field, message in core_inputs.error_list(exc):
            if field.startswith("metrics.0."):
                out.append((field[len("metrics.0.") :], message))
            elif field in ("metrics.id", "metrics"):
                out.append(("code", message))
        return out
    periods = set(contract.period_ids())
    for p in metric.measurement_periods or []:
        if p not in periods:
            return [("measurement_periods", _("Okänd period '%(p)s'.") % {"p": p})]
    return []


@transaction.atomic
def metric_save(*, actor, contract: Contract, metric: OutcomeMetric | None = None, **fields) -> OutcomeMetric:
    """Create or update a metric; its rule must validate in the core (errors name the rule's field)."""
    _require_editable(contract)
    metric = metric or OutcomeMetric(contract=contract, order=contract.metrics.count())
    created = metric.pk is None
    old = {} if created else {"rule": metric.rule, "kind": metric.kind}
    for name, value in fields.items():
        if name not in METRIC_FIELDS:
            raise TypeError(f"unknown field {name}")
        setattr(metric, name, value)
    if metric.kind not in MetricKind.values:
        raise ValidationError({"kind": _("Okänd prismodell.")})
    _full_clean(metric)
    errors = metric_rule_errors(contract, metric)
    if errors:
        merged: dict[str, list[str]] = {}
        for field, message in errors:
            merged.setdefault(field or "rule", []).append(message)
        raise ValidationError(merged)
    metric.save()
    _terms_changed(actor, contract)
    _log(
        "contract.metric_" + ("add" if created else "update"),
        actor,
        metric,
        contract,
        {"code": metric.code, "kind": metric.kind, "rule": [old.get("rule"), metric.rule]},
    )
    return metric


@transaction.atomic
def metric_delete(*, actor, metric: OutcomeMetric) -> None:
    contract = metric.contract
    _require_editable(contract)
    _log("contract.metric_remove", actor, metric, contract, {"code": metric.code})
    metric.delete()
    _terms_changed(actor, contract)


# --- financing ------------------------------------------------------------------------------------

FINANCING_FIELDS = (
    "fund_party",
    "commitment",
    "drawdown_schedule",
    "return_basis",
    "annual_rate",
    "multiple_cap",
    "fund_surplus_share",
    "loss_cover",
    "confidential",
    "notes",
)


def financing_errors(contract: Contract, terms: FinancingTerms) -> dict[str, list[str]]:
    data = {
        "commitment": terms.commitment,
        "provider_costs": terms.drawdown_schedule or [],
        "periods_per_year": contract.periods_per_year,
        "return_basis": terms.return_basis,
        "annual_rate": terms.annual_rate if terms.return_basis == "fixed_rate" else None,
        "multiple_cap": terms.multiple_cap if terms.return_basis == "capped_multiple" else None,
        "fund_surplus_share": terms.fund_surplus_share,
    }
    cover = terms.loss_cover or {}
    if not isinstance(cover, dict):
        return {"loss_cover": [_("Investerare och garantier ska vara ett objekt.")]}
    for key in ("tranches", "guarantees"):
        if cover.get(key):
            data[key] = cover[key]
    errors: dict[str, list[str]] = {}
    try:
        core_financing.FinancingTerms.model_validate(data)
    except PydanticValidationError as exc:
        for field, message in core_inputs.error_list(exc):
            name = field.split(".")[0] if field else ""
            name = {"provider_costs": "drawdown_schedule", "": "__all__"}.get(name, name)
            if name in ("tranches", "guarantees") or "tranches" in message or "guarantees" in message:
                name = "loss_cover"
            if "annual_rate is required" in message:
                name, message = "annual_rate", _("Ange räntan när avkastningen är en fast ränta.")
            if "multiple_cap is required" in message:
                name, message = "multiple_cap", _("Ange multipeltaket när avkastningen är en takad multipel.")
            errors.setdefault(name, []).append(message)
    n_periods = len(contract.period_ids())
    if len(terms.drawdown_schedule or []) > n_periods:
        errors.setdefault("drawdown_schedule", []).append(
            _("Utbetalningsplanen har fler perioder (%(n)s) än kontraktet (%(m)s).")
            % {"n": len(terms.drawdown_schedule), "m": n_periods}
        )
    if terms.fund_party_id and (
        terms.fund_party.contract_id != contract.pk or terms.fund_party.role != PartyRole.FUND
    ):
        errors.setdefault("fund_party", []).append(_("Välj en part med rollen utfallsfond."))
    return errors


@transaction.atomic
def financing_save(*, actor, contract: Contract, **fields) -> FinancingTerms:
    _require_editable(contract)
    terms = FinancingTerms.objects.filter(contract=contract).first() or FinancingTerms(contract=contract)
    old = core_inputs.financing_terms_json(contract) if terms.pk else None
    for name, value in fields.items():
        if name not in FINANCING_FIELDS:
            raise TypeError(f"unknown field {name}")
        setattr(terms, name, value)
    if terms.return_basis == "fixed_rate":
        terms.multiple_cap = None
    elif terms.return_basis == "capped_multiple":
        terms.annual_rate = None
    terms.drawdown_schedule = [str(round_ore(Decimal(str(c)))) for c in (terms.drawdown_schedule or [])]
    _full_clean(terms, exclude=["drawdown_schedule"])
    errors = financing_errors(contract, terms)
    if errors:
        raise ValidationError(errors)
    terms.save()
    contract.financing = terms
    _terms_changed(actor, contract)
    _log(
        "contract.financing",
        actor,
        terms,
        contract,
        {"terms": [old, core_inputs.financing_terms_json(contract)]},
    )
    return terms


# --- readiness and signing ------------------------------------------------------------------------


def readiness_errors(contract: Contract) -> list[tuple[str, str]]:
    """What stands between the contract and signing: ``[(field, message)]`` (empty = ready)."""
    out: list[tuple[str, str]] = [(k, v) for k, v in payer_share_errors(contract).items()]
    if not contract.metrics.exists():
        out.append(("metrics", _("Kontraktet har inget utfallsmått.")))
    if not contract.parties.filter(role=PartyRole.PROVIDER).exists():
        out.append(("parties", _("Kontraktet saknar utförare.")))
    if not out:
        try:
            core_inputs.build_payment_contract(contract)
        except PydanticValidationError as exc:
            out += core_inputs.error_list(exc)
    fin = FinancingTerms.objects.filter(contract=contract).first()
    if contract.parties.filter(role=PartyRole.FUND).exists() and fin is None:
        out.append(("financing", _("Kontraktet har en utfallsfond men inga finansieringsvillkor.")))
    if fin is not None:
        for field, messages in financing_errors(contract, fin).items():
            out += [(f"financing.{field}", m) for m in messages]
    return out


def signing_party(actor, contract: Contract) -> ContractParty | None:
    """The party the actor may sign for (None if the actor's organisation is not a party)."""
    if actor is None or getattr(actor, "organisation_id", None) is None:
        return None
    return contract.parties.filter(organisation_id=actor.organisation_id).first()


NEAR_ZERO_REPAYMENT = 0.05  # below this probability the fund is warned that repayment is unlikely


def signing_warnings(contract: Contract) -> list[str]:
    """What the parties should know before they sign, without stopping them (issue 8, item 4):

    * the caps make repaying the fund's commitment impossible (the most the contract can pay,
      ``insats.core.payments.max_payable``, is below the commitment);
    * the latest business case gives a near-zero probability that the fund is repaid in full."""
    from insats.platform.formatting import format_number as fmt

    from .exports import kr

    terms = FinancingTerms.objects.filter(contract=contract).first()
    if terms is None:
        return []
    out = []
    try:
        most = payments.max_payable(core_inputs.build_payment_contract(contract))
    except (PydanticValidationError, ValueError, LookupError):
        most = None  # incomplete terms: readiness_errors says what is missing
    if most is not None and most < terms.commitment:
        out.append(
            _(
                "Betalningstaken gör det omöjligt att betala tillbaka fondens åtagande: kontraktet kan "
                "betala högst %(most)s, men fonden åtar sig att finansiera %(commitment)s."
            )
            % {"most": kr(most), "commitment": kr(terms.commitment)}
        )
    for scenario in contract.scenarios.order_by("-created_at", "-pk"):
        probability = ((scenario.result or {}).get("monte_carlo") or {}).get("probability_fund_repaid")
        if probability is None:
            continue
        if probability < NEAR_ZERO_REPAYMENT:
            out.append(
                _(
                    "Enligt affärscaset ”%(name)s” är sannolikheten att fonden får tillbaka hela "
                    "finansieringen bara %(p)s %%."
                )
                % {"name": scenario.name, "p": fmt(100 * float(probability), 1)}
            )
        break
    return out


@transaction.atomic
def sign(*, actor, contract: Contract) -> ContractParty:
    """The actor signs for their organisation's party. The last signature makes the contract
    undertecknat and takes version 1 of its terms."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != S.NEGOTIATION:
        raise ValidationError(
            {
                "status": _("Bara ett kontrakt i förhandling kan undertecknas (det här är %(s)s).")
                % {"s": contract.get_status_display().lower()}
            }
        )
    party = signing_party(actor, contract)
    if party is None:
        raise ValidationError({"party": _("Din organisation är inte part i kontraktet.")})
    if actor.role not in SIGNATORY_ROLES:
        raise ValidationError(
            {"signatory": _("Bara administratörer och avtalsansvariga kan underteckna för sin organisation.")}
        )
    if party.signatory_id and party.signatory_id != actor.user.pk:
        raise ValidationError(
            {
                "signatory": _("%(org)s har utsett %(name)s att underteckna.")
                % {"org": party.organisation.name, "name": party.signatory.full_name or party.signatory.email}
            }
        )
    if party.signed_at:
        raise ValidationError(
            {"party": _("%(org)s har redan undertecknat.") % {"org": party.organisation.name}}
        )
    problems = readiness_errors(contract)
    if problems:
        raise ValidationError({field or "__all__": message for field, message in problems})
    party.signed_at = timezone.now()
    party.signed_by = actor.user
    if not party.signatory_id:
        party.signatory = actor.user
    party.save(update_fields=["signed_at", "signed_by", "signatory"])
    _log(
        "contract.sign",
        actor,
        party,
        contract,
        {"organisation": party.organisation.name, "warnings": signing_warnings(contract)},
    )
    if not contract.parties.filter(signed_at__isnull=True).exists():
        contract.status = S.SIGNED
        contract.signed_at = timezone.now()
        contract.version = 1
        contract.save(update_fields=["status", "signed_at", "version", "updated_at"])
        approved = [
            {
                "party": p.organisation.name,
                "role": p.role,
                "user": p.signed_by.email if p.signed_by else "",
                "at": p.signed_at.isoformat(),
            }
            for p in contract.parties.select_related("organisation", "signed_by")
        ]
        version = ContractVersion.objects.create(
            contract=contract,
            number=1,
            snapshot=snapshot(contract),
            approved_by=approved,
            reason=_("Undertecknat av alla parter"),
        )
        _log("contract.status", actor, contract, contract, {"status": [S.NEGOTIATION, S.SIGNED]})
        _log("contract.version", actor, version, contract, {"number": 1})
    return party


# --- snapshots ------------------------------------------------------------------------------------


def snapshot(contract: Contract) -> dict:
    """The agreed terms as plain JSON (what a version keeps and what the diff compares)."""
    fin = FinancingTerms.objects.filter(contract=contract).first()
    return {
        "contract": {
            "title": contract.title,
            "reference": contract.reference,
            "intervention": contract.intervention,
            "target_population": contract.target_population,
            "policy_sector": contract.policy_sector,
            "currency": contract.currency,
            "term_start": contract.term_start.isoformat(),
            "term_end": contract.term_end.isoformat(),
            "period_type": contract.period_type,
            "key_dates": contract.key_dates,
            "payment_terms": contract.payment_terms,
            "payment_days": contract.payment_days,
            "preliminary_results": contract.preliminary_results,
        },
        "parties": {
            p.organisation.name: {
                "role": p.role,
                "payer_share": None if p.payer_share is None else str(p.payer_share.normalize()),
                "payer_cap": None if p.payer_cap is None else str(p.payer_cap),
            }
            for p in contract.parties.select_related("organisation")
        },
        "cohorts": {
            c.code: {
                "name": c.name,
                "entry_start": c.entry_start.isoformat(),
                "entry_end": c.entry_end.isoformat(),
                "planned_size": c.planned_size,
            }
            for c in contract.cohorts.all()
        },
        "metrics": {
            m.code: {
                "name": m.name,
                "kind": m.kind,
                "order": m.order,
                "definition": m.definition,
                "unit": m.unit,
                "data_source": m.data_source,
                "validation_method": m.validation_method,
                "counterfactual_description": m.counterfactual_description,
                "measurement_periods": m.measurement_periods,
                "rule": m.rule,
                "whole_numbers": m.whole_numbers,
            }
            for m in contract.metrics.all()
        },
        "financing": core_inputs.financing_terms_json(contract) if fin else None,
        "actions": [
            {
                "title": a.title,
                "description": a.description,
                "owner_party": a.owner_party.organisation.name if a.owner_party_id else None,
                "responsible": a.responsible,
                "start": a.start.isoformat() if a.start else None,
                "end": a.end.isoformat() if a.end else None,
            }
            for a in contract.actions.select_related("owner_party__organisation")
        ],
    }


# --- action plan ----------------------------------------------------------------------------------

ACTION_FIELDS = ("title", "description", "owner_party", "responsible", "start", "end", "status", "order")


def _check_action(contract: Contract, action: ContractAction) -> None:
    errors = {}
    if action.owner_party_id and action.owner_party.contract_id != contract.pk:
        errors["owner_party"] = _("Välj en av kontraktets parter.")
    if action.start and (action.start < contract.term_start or action.start > contract.term_end):
        errors["start"] = _("Åtgärden måste börja inom kontraktsperioden.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def action_save(
    *, actor, contract: Contract, action: ContractAction | None = None, **fields
) -> ContractAction:
    """Add or edit an action while drafting or negotiating (after signing: a joint change)."""
    _require_editable(contract)
    action = action or ContractAction(contract=contract, order=contract.actions.count())
    created = action.pk is None
    for name, value in fields.items():
        if name not in ACTION_FIELDS:
            raise TypeError(f"unknown field {name}")
        setattr(action, name, value)
    _full_clean(action)
    _check_action(contract, action)
    action.save()
    _log(
        "contract.action_" + ("add" if created else "update"),
        actor,
        action,
        contract,
        {k: str(v) for k, v in fields.items()},
    )
    return action


@transaction.atomic
def action_delete(*, actor, action: ContractAction) -> None:
    contract = action.contract
    _require_editable(contract)
    _log("contract.action_remove", actor, action, contract, {"title": action.title})
    action.delete()


@transaction.atomic
def action_set_status(*, actor, action: ContractAction, status: str) -> ContractAction:
    """Follow-up during the contract: the status of an action may change at any time before the
    contract ends, by the commissioner or the party that owns the action."""
    contract = action.contract
    if contract.status in (S.CLOSED, S.CANCELLED):
        raise ValidationError({"status": _("Kontraktet är avslutat.")})
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Okänd status.")})
    org = _org(actor)
    owner_org = action.owner_party.organisation_id if action.owner_party_id else None
    is_commissioner = contract.parties.filter(organisation=org, role=PartyRole.COMMISSIONER).exists()
    if org is None or (org.pk != owner_org and not is_commissioner):
        raise ValidationError({"status": _("Bara den ansvariga parten eller beställaren ändrar status.")})
    old = action.status
    action.status = status
    action.save(update_fields=["status"])
    _log("contract.action_status", actor, action, contract, {"status": [old, status]})
    return action
