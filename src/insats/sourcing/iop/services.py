"""IOP agreements: the checklist gate, parties, contributions, the follow-up plan, check-ins,
signing (version 1 and the level-5 partnership) and changes by joint decision.

Every write is audited in its transaction. The rules are pure: ``insats.core.iop`` (checklist, term,
budget plan) and ``insats.core.joint_decision`` (who must approve, the state after each decision,
the diff of versions), the same rules the outcomes contracts use.
"""

from __future__ import annotations

import copy
import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.accounts import services as accounts
from insats.accounts.models import CollaborationLevel, Organisation, Partnership, Role
from insats.audit.services import log_action
from insats.core import iop as core
from insats.core import joint_decision

from .models import (
    ContributionKind,
    Decision,
    IopAgreement,
    IopChangeApproval,
    IopChangeProposal,
    IopCheckIn,
    IopContribution,
    IopFollowUp,
    IopParty,
    IopPartyRole,
    IopStatus,
    IopVersion,
    ProposalStatus,
)

SIGNATORY_ROLES = frozenset({Role.ADMIN})


def _user(actor):
    return getattr(actor, "user", actor)


def _log(action: str, actor, agreement: IopAgreement, obj=None, changes: dict | None = None) -> None:
    log_action(
        action,
        actor=_user(actor),
        organisation=agreement.organisation,
        obj=obj or agreement,
        changes=changes or {},
    )


# --- the checklist ---------------------------------------------------------------------------------


def question_texts() -> dict[str, str]:
    return {
        "ideburet_initiative": _("Bygger samverkan på ett idéburet initiativ?"),
        "need_identified_together": _("Har behovet identifierats gemensamt av parterna?"),
        "every_party_contributes": _(
            "Bidrar alla parter med resurser (pengar, personal, ideell tid, lokaler eller administration)?"
        ),
        "long_term_budget_plan": _("Finns en långsiktig budgetplan för den gemensamma insatsen?"),
        "self_running": _(
            "Är den idéburna verksamheten självgående, utan behov av aktiv och regelbunden samverkan?"
        ),
        "service_for_sale": _(
            "Är det en tjänst som kan köpas – finns en marknad, eller skulle det bli en ”beställning”?"
        ),
    }


def instead_texts() -> dict[str, str]:
    return {
        "grant": _("Ett föreningsbidrag passar bättre när verksamheten är självgående."),
        "procurement": _("Finns en marknad eller blir det en beställning ska det upphandlas enligt LOU."),
        "wait_or_grant": _(
            "Utan långsiktig budgetplan bör ni vänta med IOP och i stället överväga föreningsbidrag "
            "eller upphandling."
        ),
        "not_iop": _("Utan detta är det inte ett idéburet offentligt partnerskap."),
    }


def checklist_outcome(answers: dict) -> tuple[core.ChecklistResult, list[str]]:
    """The core's result and the failing reasons as text (for the form and the stored agreement)."""
    result = core.checklist(answers)
    questions, instead = question_texts(), instead_texts()
    messages = []
    for r in result.failed:
        if r.outcome == "unanswered":
            messages.append(_("Besvara frågan: %(q)s") % {"q": questions[r.question]})
        else:
            messages.append(f"{questions[r.question]} {instead[r.instead]}")
    return result, messages


def prefill_from_decision(decision) -> dict:
    """Initial values from a form decision that chose IOP (``?decision=``): the need, its result and
    the advisor's answers to the questions both ask."""
    if decision is None or decision.chosen != "iop":
        return {}
    answers = decision.answers or {}
    initial = {
        "title": decision.title,
        "goal": decision.need_description or decision.title,
        "result": decision.result_id,
    }
    for key in core.QUESTION_KEYS:
        if isinstance(answers.get(key), bool):
            initial[key] = "yes" if answers[key] else "no"
    return initial


# --- create and the parties ------------------------------------------------------------------------


def _editable(agreement: IopAgreement) -> None:
    if agreement.status != IopStatus.DRAFT:
        raise ValidationError(
            {
                "__all__": _(
                    "Avtalet är undertecknat; det ändras bara genom ett gemensamt beslut av alla parter."
                )
            }
        )


@transaction.atomic
def agreement_create(
    *,
    actor,
    organisation: Organisation,
    title: str,
    goal: str,
    term_start: datetime.date,
    term_end: datetime.date,
    answers: dict,
    reasons: dict | None = None,
    result=None,
    decision=None,
) -> IopAgreement:
    """Create a draft after the checklist passed; the drafting public body is its first party."""
    outcome, messages = checklist_outcome(answers)
    if not outcome.passed:
        raise ValidationError({"checklist": messages})
    if result is not None and result.organisation_id != organisation.pk:
        raise ValidationError({"result": _("Resultatet tillhör en annan organisation.")})
    if decision is not None and decision.organisation_id != organisation.pk:
        raise ValidationError({"decision": _("Valet av samverkansform tillhör en annan organisation.")})
    agreement = IopAgreement(
        organisation=organisation,
        title=(title or "").strip(),
        goal=(goal or "").strip(),
        term_start=term_start,
        term_end=term_end,
        result=result,
        decision=decision,
        checklist={k: bool(answers[k]) for k in core.QUESTION_KEYS},
        checklist_reasons={k: str(v).strip() for k, v in (reasons or {}).items() if str(v).strip()},
        created_by=_user(actor),
    )
    agreement.full_clean()
    agreement.save()
    IopParty.objects.create(agreement=agreement, organisation=organisation, role=IopPartyRole.PUBLIC)
    _log(
        "iop.create",
        actor,
        agreement,
        changes={
            "title": agreement.title,
            "checklist": agreement.checklist,
            "decision": decision and decision.pk,
        },
    )
    return agreement


@transaction.atomic
def agreement_update(*, actor, agreement: IopAgreement, **fields) -> IopAgreement:
    _editable(agreement)
    before = {k: str(getattr(agreement, k)) for k in fields}
    for k, v in fields.items():
        if k not in {"title", "goal", "term_start", "term_end", "result"}:
            raise ValidationError({k: _("Fältet kan inte ändras.")})
        setattr(agreement, k, v)
    agreement.full_clean()
    agreement.save()
    _log("iop.update", actor, agreement, changes={k: [before[k], str(getattr(agreement, k))] for k in fields})
    return agreement


@transaction.atomic
def party_add(
    *, actor, agreement: IopAgreement, organisation: Organisation, role: str = IopPartyRole.IDEBUREN
) -> IopParty:
    _editable(agreement)
    if role not in IopPartyRole.values:
        raise ValidationError({"role": _("Välj offentlig eller idéburen part.")})
    if agreement.parties.filter(organisation=organisation).exists():
        raise ValidationError(
            {"organisation": _("%(org)s är redan part i avtalet.") % {"org": organisation.name}}
        )
    party = IopParty.objects.create(agreement=agreement, organisation=organisation, role=role)
    # A new party has not read what was signed: every signature so far is void.
    agreement.parties.exclude(pk=party.pk).update(signed_at=None, signed_by=None)
    _log("iop.party_add", actor, agreement, party, {"organisation": organisation.name, "role": role})
    return party


def party_join_from_invitation(actor, agreement: IopAgreement, organisation: Organisation) -> IopParty | None:
    """The invitations' accept hook: the invited organisation becomes an idéburen party (drafts only;
    an organisation already a party stays as it is)."""
    existing = agreement.parties.filter(organisation=organisation).first()
    if existing is not None:
        return existing
    return party_add(actor=actor, agreement=agreement, organisation=organisation, role=IopPartyRole.IDEBUREN)


def party_of(actor, agreement: IopAgreement) -> IopParty | None:
    if actor is None or getattr(actor, "organisation_id", None) is None:
        return None
    return agreement.parties.filter(organisation_id=actor.organisation_id).first()


# --- contributions, follow-up, check-ins --------------------------------------------------------------


def _decimal(value, field: str, *, required: bool) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise ValidationError({field: _("Fältet måste fyllas i.")})
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({field: _("Ogiltigt tal: %(v)s.") % {"v": value}}) from None
    if not number.is_finite() or number < 0:
        raise ValidationError({field: _("Ange ett tal som är noll eller större.")})
    return number


def _contribution(agreement: IopAgreement, party: IopParty, row: dict) -> IopContribution:
    kind = row.get("kind")
    if kind not in ContributionKind.values:
        raise ValidationError({"kind": _("Välj slag av bidrag.")})
    try:
        year = int(row.get("year"))
    except (TypeError, ValueError):
        raise ValidationError({"year": _("Ange ett år.")}) from None
    if year not in agreement.years():
        raise ValidationError(
            {
                "year": _("Året ska ligga inom avtalstiden (%(a)s–%(b)s).")
                % {"a": agreement.term_start.year, "b": agreement.term_end.year}
            }
        )
    contribution = IopContribution(
        agreement=agreement,
        party=party,
        kind=kind,
        year=year,
        quantity=_decimal(row.get("quantity"), "quantity", required=True),
        unit=(row.get("unit") or "").strip(),
        value=_decimal(row.get("value"), "value", required=False),
        description=(row.get("description") or "").strip(),
    )
    contribution.full_clean()
    return contribution


@transaction.atomic
def contribution_add(*, actor, agreement: IopAgreement, party: IopParty, **row) -> IopContribution:
    _editable(agreement)
    if party.agreement_id != agreement.pk:
        raise ValidationError({"party": _("Okänd part.")})
    contribution = _contribution(agreement, party, row)
    contribution.save()
    _log(
        "iop.contribution_add",
        actor,
        agreement,
        contribution,
        {
            "party": party.organisation.name,
            "kind": contribution.kind,
            "year": contribution.year,
            "value": str(contribution.value) if contribution.value is not None else None,
        },
    )
    return contribution


@transaction.atomic
def contribution_remove(*, actor, contribution: IopContribution) -> None:
    agreement = contribution.agreement
    _editable(agreement)
    _log("iop.contribution_remove", actor, agreement, contribution, {"kind": contribution.kind})
    contribution.delete()


@transaction.atomic
def follow_up_add(
    *, actor, agreement: IopAgreement, measure: str, responsible: str, timing: str
) -> IopFollowUp:
    _editable(agreement)
    row = IopFollowUp(
        agreement=agreement,
        measure=measure.strip(),
        responsible=responsible.strip(),
        timing=timing.strip(),
        order=agreement.follow_ups.count(),
    )
    row.full_clean()
    row.save()
    _log("iop.follow_up_add", actor, agreement, row, {"measure": row.measure})
    return row


@transaction.atomic
def check_in_add(
    *, actor, agreement: IopAgreement, date: datetime.date, notes: str, adjustments: str = ""
) -> IopCheckIn:
    """An avstämning, logged at any time (before and after signing): it records the dialogue; a
    change of the agreed terms still needs a joint decision."""
    row = IopCheckIn(
        agreement=agreement,
        date=date,
        notes=notes.strip(),
        adjustments=adjustments.strip(),
        recorded_by=_user(actor),
    )
    row.full_clean()
    row.save()
    _log("iop.check_in", actor, agreement, row, {"date": date.isoformat()})
    return row


# --- budget plan, readiness, snapshot ----------------------------------------------------------------


def budget(agreement: IopAgreement) -> core.BudgetPlan:
    parties = list(agreement.parties.select_related("organisation"))
    return core.budget_plan(
        [core.Contribution(str(c.party_id), c.kind, c.year, c.value) for c in agreement.contributions.all()],
        agreement.years(),
        [str(p.pk) for p in parties],
    )


def readiness_errors(agreement: IopAgreement) -> list[str]:
    """What stops the parties from signing (empty: ready)."""
    out = []
    parties = list(agreement.parties.select_related("organisation"))
    if not any(p.role == IopPartyRole.IDEBUREN for p in parties):
        out.append(_("Lägg till minst en idéburen part."))
    if not any(p.role == IopPartyRole.PUBLIC for p in parties):
        out.append(_("Avtalet behöver en offentlig part."))
    contributing = set(agreement.contributions.values_list("party_id", flat=True))
    for p in parties:
        if p.pk not in contributing:
            out.append(
                _("%(org)s har inget bidrag: alla parter ska bidra med resurser.")
                % {"org": p.organisation.name}
            )
    if not agreement.follow_ups.exists():
        out.append(_("Skriv den gemensamma planen för uppföljning (vad, vem, när)."))
    if not agreement.goal.strip():
        out.append(_("Skriv det gemensamma målet."))
    return out


def snapshot(agreement: IopAgreement) -> dict:
    """The agreed terms as plain JSON (what a version keeps and what the diff compares)."""
    parties = list(agreement.parties.select_related("organisation"))
    names = {p.pk: p.organisation.name for p in parties}
    plan = budget(agreement)
    return {
        "agreement": {
            "title": agreement.title,
            "goal": agreement.goal,
            "result": agreement.result.title if agreement.result_id else "",
            "term_start": agreement.term_start.isoformat(),
            "term_end": agreement.term_end.isoformat(),
        },
        "parties": {p.organisation.name: p.role for p in parties},
        "contributions": [
            {
                "party": names[c.party_id],
                "kind": c.kind,
                "year": c.year,
                "quantity": str(c.quantity),
                "unit": c.unit,
                "value": None if c.value is None else str(c.value),
                "description": c.description,
            }
            for c in agreement.contributions.order_by("year", "party__organisation__name", "kind", "pk")
        ],
        "budget": {str(y): str(plan.by_year.get(y, Decimal(0))) for y in plan.years},
        "follow_ups": [
            {"measure": f.measure, "responsible": f.responsible, "timing": f.timing}
            for f in agreement.follow_ups.all()
        ],
    }


def _approved_by(rows) -> list[dict]:
    return [
        {
            "party": party.organisation.name,
            "role": party.role,
            "user": user.email if user else "",
            "at": at.isoformat(),
        }
        for party, user, at in rows
    ]


def _new_version(agreement: IopAgreement, approved: list[dict], reason: str) -> IopVersion:
    number = joint_decision.next_version(agreement.versions.values_list("number", flat=True))
    version = IopVersion.objects.create(
        agreement=agreement,
        number=number,
        snapshot=snapshot(agreement),
        approved_by=approved,
        reason=reason[:200],
    )
    agreement.version = number
    agreement.save(update_fields=["version", "updated_at"])
    return version


# --- signing ------------------------------------------------------------------------------------------


def raise_to_partnership(actor, agreement: IopAgreement, day: datetime.date) -> list[Partnership]:
    """Level 5 "partnerskap" between the public body and each idéburen party (created if none)."""
    user = _user(actor)
    out = []
    public = [
        p.organisation
        for p in agreement.parties.filter(role=IopPartyRole.PUBLIC).select_related("organisation")
    ]
    ideburna = [
        p.organisation
        for p in agreement.parties.filter(role=IopPartyRole.IDEBUREN).select_related("organisation")
    ]
    note = _("IOP-avtalet ”%(t)s” undertecknat") % {"t": agreement.title}
    for body in public:
        for org in ideburna:
            partnership = (
                Partnership.objects.filter(organisation=body, partner=org).first()
                or Partnership.objects.filter(organisation=org, partner=body).first()
            )
            if partnership is None:
                partnership = accounts.partnership_create(
                    actor=user,
                    organisation=body,
                    partner=org,
                    level=CollaborationLevel.PARTNERSKAP,
                    valid_from=day,
                    description=note[:500],
                    note=note[:500],
                )
            else:
                current = partnership.level_on(day)
                if current != CollaborationLevel.PARTNERSKAP or partnership.ended_on:
                    if partnership.ended_on:
                        partnership.ended_on = None
                        partnership.save(update_fields=["ended_on"])
                    accounts.partnership_set_level(
                        actor=user,
                        partnership=partnership,
                        level=CollaborationLevel.PARTNERSKAP,
                        valid_from=day,
                        note=note[:500],
                        acting_for=body,
                    )
            _log("iop.partnership_level", actor, agreement, partnership, {"partner": org.name, "level": 5})
            out.append(partnership)
    return out


@transaction.atomic
def sign(*, actor, agreement: IopAgreement) -> IopParty:
    """The actor's administrator signs for their party. The last signature freezes version 1 and
    raises the collaboration level of the public body with each idéburen party to 5."""
    agreement = IopAgreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status != IopStatus.DRAFT:
        raise ValidationError({"__all__": _("Avtalet är redan undertecknat av alla parter.")})
    party = party_of(actor, agreement)
    if party is None:
        raise ValidationError({"party": _("Din organisation är inte part i avtalet.")})
    if getattr(actor, "role", None) not in SIGNATORY_ROLES:
        raise ValidationError({"party": _("Bara en administratör kan underteckna för sin organisation.")})
    if party.signed_at:
        raise ValidationError(
            {"party": _("%(org)s har redan undertecknat.") % {"org": party.organisation.name}}
        )
    problems = readiness_errors(agreement)
    if problems:
        raise ValidationError({"__all__": problems})
    party.signed_at = timezone.now()
    party.signed_by = _user(actor)
    party.save(update_fields=["signed_at", "signed_by"])
    _log("iop.sign", actor, agreement, party, {"organisation": party.organisation.name})
    if not agreement.parties.filter(signed_at__isnull=True).exists():
        parties = agreement.parties.select_related("organisation", "signed_by")
        _new_version(
            agreement,
            _approved_by((p, p.signed_by, p.signed_at) for p in parties),
            _("Undertecknat av alla parter"),
        )
        agreement.status = IopStatus.SIGNED
        agreement.signed_at = party.signed_at
        agreement.save(update_fields=["status", "signed_at", "updated_at"])
        _log("iop.signed", actor, agreement, changes={"version": 1})
        raise_to_partnership(actor, agreement, timezone.localdate())
    return party


# --- changes by joint decision ---------------------------------------------------------------------


def _apply(agreement: IopAgreement, payload: dict) -> None:
    known = {"goal", "term_end", "contributions", "follow_ups"}
    unknown = set(payload) - known
    if unknown:
        raise ValidationError({"payload": _("Okända fält: %(f)s.") % {"f": ", ".join(sorted(unknown))}})
    if "goal" in payload:
        agreement.goal = str(payload["goal"] or "").strip()
        if not agreement.goal:
            raise ValidationError({"goal": _("Skriv det gemensamma målet.")})
    if "term_end" in payload:
        try:
            agreement.term_end = datetime.date.fromisoformat(str(payload["term_end"]))
        except ValueError:
            raise ValidationError({"term_end": _("Ange ett datum (ÅÅÅÅ-MM-DD).")}) from None
    agreement.full_clean()
    agreement.save()
    if "contributions" in payload:
        rows = payload["contributions"]
        if not isinstance(rows, list):
            raise ValidationError({"contributions": _("Bidragen ska vara en lista.")})
        parties = {p.organisation_id: p for p in agreement.parties.all()}
        agreement.contributions.all().delete()
        for i, row in enumerate(rows):
            party = parties.get(row.get("organisation_id")) if isinstance(row, dict) else None
            if party is None:
                raise ValidationError({"contributions": _("Bidrag %(n)s: okänd part.") % {"n": i + 1}})
            try:
                _contribution(agreement, party, row).save()
            except ValidationError as exc:
                raise ValidationError(
                    {"contributions": [f"{_('Bidrag')} {i + 1}: {m}" for m in exc.messages]}
                ) from None
    if "follow_ups" in payload:
        rows = payload["follow_ups"]
        if not isinstance(rows, list):
            raise ValidationError({"follow_ups": _("Uppföljningsplanen ska vara en lista.")})
        agreement.follow_ups.all().delete()
        for i, row in enumerate(rows):
            item = IopFollowUp(
                agreement=agreement,
                measure=str(row.get("measure", "")).strip(),
                responsible=str(row.get("responsible", "")).strip(),
                timing=str(row.get("timing", "")).strip(),
                order=i,
            )
            try:
                item.full_clean()
            except ValidationError as exc:
                raise ValidationError(
                    {"follow_ups": [f"{_('Uppföljning')} {i + 1}: {m}" for m in exc.messages]}
                ) from None
            item.save()
    # Contributions outside a shortened term would leave the budget plan wrong.
    if agreement.contributions.exclude(year__in=agreement.years()).exists():
        raise ValidationError({"term_end": _("Det finns bidrag för år utanför den nya avtalstiden.")})


class _DryRun(Exception):
    pass


def check_payload(agreement: IopAgreement, payload: dict) -> None:
    if not isinstance(payload, dict) or not payload:
        raise ValidationError({"payload": _("Ändringen är tom.")})
    try:
        with transaction.atomic():
            _apply(IopAgreement.objects.get(pk=agreement.pk), copy.deepcopy(payload))
            raise _DryRun
    except _DryRun:
        pass


def _decisions(proposal: IopChangeProposal) -> dict[int, str]:
    return dict(proposal.approvals.values_list("party_id", "decision"))


@transaction.atomic
def change_propose(*, actor, agreement: IopAgreement, description: str, payload: dict) -> IopChangeProposal:
    if agreement.status != IopStatus.SIGNED:
        raise ValidationError(
            {
                "__all__": _(
                    "Ändringar genom gemensamt beslut gäller undertecknade avtal; utkast ändras direkt."
                )
            }
        )
    party = party_of(actor, agreement)
    if party is None:
        raise ValidationError({"party": _("Din organisation är inte part i avtalet.")})
    if not (description or "").strip():
        raise ValidationError({"description": _("Beskriv ändringen och varför den behövs.")})
    check_payload(agreement, payload)
    proposal = IopChangeProposal.objects.create(
        agreement=agreement,
        description=description.strip(),
        payload=payload,
        proposed_by=_user(actor),
        proposed_by_party=party,
    )
    _log("iop.change_propose", actor, agreement, proposal, {"payload": payload})
    IopChangeApproval.objects.create(
        proposal=proposal, party=party, user=_user(actor), decision=Decision.APPROVE
    )
    return _apply_if_all_approved(actor, proposal, agreement)


@transaction.atomic
def change_decide(
    *, actor, proposal: IopChangeProposal, decision: str, reason: str = ""
) -> IopChangeProposal:
    proposal = IopChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    agreement = IopAgreement.objects.select_for_update().get(pk=proposal.agreement_id)
    party = party_of(actor, agreement)
    problem = joint_decision.decide_error(
        proposal.status,
        party.pk if party else None,
        agreement.parties.values_list("pk", flat=True),
        _decisions(proposal),
        decision,
        reason or "",
    )
    messages = {
        "closed": ("decision", _("Förslaget är redan avgjort.")),
        "not_party": ("party", _("Din organisation är inte part i avtalet.")),
        "already": ("decision", _("Din organisation har redan tagit ställning.")),
        "bad_decision": ("decision", _("Välj godkänn eller avslå.")),
        "reason": ("reason", _("Ange skälet till att ni avslår.")),
    }
    if problem:
        field, message = messages[problem]
        raise ValidationError({field: message})
    IopChangeApproval.objects.create(
        proposal=proposal, party=party, user=_user(actor), decision=decision, reason=(reason or "").strip()
    )
    _log(
        "iop.change_" + decision,
        actor,
        agreement,
        proposal,
        {"party": party.organisation.name, "reason": (reason or "").strip()},
    )
    return _apply_if_all_approved(actor, proposal, agreement)


def _apply_if_all_approved(actor, proposal: IopChangeProposal, agreement: IopAgreement) -> IopChangeProposal:
    state = joint_decision.outcome(agreement.parties.values_list("pk", flat=True), _decisions(proposal))
    if state == joint_decision.REJECTED:
        proposal.status = ProposalStatus.REJECTED
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["status", "decided_at"])
        return proposal
    if state != joint_decision.APPROVED:
        return proposal
    before = snapshot(agreement)
    _apply(agreement, copy.deepcopy(proposal.payload))
    approvals = proposal.approvals.select_related("party__organisation", "user")
    version = _new_version(
        agreement, _approved_by((a.party, a.user, a.at) for a in approvals), proposal.description
    )
    proposal.status = ProposalStatus.APPROVED
    proposal.decided_at = timezone.now()
    proposal.resulting_version = version
    proposal.save(update_fields=["status", "decided_at", "resulting_version"])
    _log(
        "iop.change_applied",
        actor,
        agreement,
        proposal,
        {
            "version": version.number,
            "diff": [list(map(str, d)) for d in joint_decision.diff(before, version.snapshot)],
        },
    )
    return proposal


def pending_parties(proposal: IopChangeProposal):
    decided = proposal.approvals.values_list("party_id", flat=True)
    return proposal.agreement.parties.exclude(pk__in=decided).select_related("organisation")


# --- versions with a Swedish diff -------------------------------------------------------------------


def _labels() -> dict[str, str]:
    return {
        "agreement.title": _("Namn"),
        "agreement.goal": _("Gemensamt mål"),
        "agreement.result": _("Resultat i lägesbilden"),
        "agreement.term_start": _("Gäller från"),
        "agreement.term_end": _("Gäller till"),
        "parties": _("Parter"),
        "contributions": _("Bidrag"),
        "budget": _("Budgetplan"),
        "follow_ups": _("Uppföljningsplan"),
    }


def _contribution_text(row: dict) -> str:
    from insats.platform import formatting

    kind = dict(ContributionKind.choices).get(row.get("kind"), row.get("kind"))
    quantity = formatting.format_number(row.get("quantity"), trim=True)
    text = f"{row.get('party')} {row.get('year')}: {kind}, {quantity} {row.get('unit')}"
    if row.get("value") is not None:
        text += f" ({formatting.format_money(row.get('value'))})"
    return text


def _section_text(key: str, value) -> str:
    from insats.platform import formatting

    if value in (None, "", [], {}):
        return "–"
    if key == "contributions":
        return "\n".join(_contribution_text(r) for r in value)
    if key == "follow_ups":
        return "\n".join(f"{r['measure']} – {r['responsible']} – {r['timing']}" for r in value)
    if key == "budget":
        return "\n".join(f"{y}: {formatting.format_money(v)}" for y, v in value.items())
    if key == "parties":
        roles = dict(IopPartyRole.choices)
        return "\n".join(f"{name} ({roles.get(role, role)})" for name, role in value.items())
    return str(value)


def version_diff(old: dict | None, new: dict) -> list[dict]:
    """Field by field in Swedish: ``[{"label", "before", "after"}]`` (lists shown whole)."""
    old = old or {}
    labels = _labels()
    changed = {d[0] for d in joint_decision.diff(old, new)}
    out = []
    for key, label in labels.items():
        section = key.split(".")[0]
        if "." in key:
            field = key.split(".")[1]
            if key in changed:
                before = (old.get(section) or {}).get(field)
                after = (new.get(section) or {}).get(field)
                out.append(
                    {"label": label, "before": _section_text(key, before), "after": _section_text(key, after)}
                )
        elif any(c == section or c.startswith(section + ".") for c in changed):
            out.append(
                {
                    "label": label,
                    "before": _section_text(key, old.get(section)),
                    "after": _section_text(key, new.get(section)),
                }
            )
    return out


def version_history(agreement: IopAgreement) -> list[dict]:
    """Every version, newest first, with its Swedish diff against the one before."""
    rows = []
    previous = None
    for v in agreement.versions.order_by("number"):
        rows.append({"version": v, "rows": version_diff(previous.snapshot, v.snapshot) if previous else []})
        previous = v
    return list(reversed(rows))
