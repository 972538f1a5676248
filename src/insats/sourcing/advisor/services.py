"""The form advisor's writes and the thresholds in force.

The rules are the core's (``insats.core.form_advisor``); this module feeds them the answers and the
amounts in force on the day, stores what they said, and records the decision. Every change is
audited in its transaction (``sourcing.formdecision.*``, ``sourcing.threshold.created``); bad input
raises a ValidationError naming the field and saves nothing.

A decided decision is never edited: "Ändra beslut" records a new decision that supersedes it
(``FormDecision.supersedes``), so the history of what was decided, by whom and why stays.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.audit.services import log_action
from insats.core import form_advisor as core

from .models import CollaborationForm, FormDecision, ProcurementThreshold, ThresholdKind

YES, NO, UNKNOWN = "ja", "nej", ""
CORE_FIELD = {
    ThresholdKind.DIRECT_AWARD: "direct_award",
    ThresholdKind.DIRECT_AWARD_SOCIAL: "direct_award_social",
    ThresholdKind.EU_SERVICES: "eu_services",
    ThresholdKind.EU_SOCIAL: "eu_social",
}


def _user(actor):
    return getattr(actor, "user", actor)


# --------------------------------------------------------------------------- thresholds


def thresholds_in_force(on: datetime.date) -> dict[str, ProcurementThreshold]:
    """The row in force on ``on`` per kind (the latest ``valid_from`` on or before it, not ended)."""
    found: dict[str, ProcurementThreshold] = {}
    rows = ProcurementThreshold.objects.filter(valid_from__lte=on).order_by("kind", "-valid_from")
    for row in rows:
        if row.kind in found:
            continue
        if row.valid_to is not None and row.valid_to < on:
            continue
        found[row.kind] = row
    return found


def core_thresholds(on: datetime.date) -> core.Thresholds:
    rows = thresholds_in_force(on)
    return core.Thresholds(**{CORE_FIELD[ThresholdKind(k)]: r.amount for k, r in rows.items()})


@transaction.atomic
def threshold_add(
    *, actor, kind: str, amount, valid_from: datetime.date, valid_to=None, source: str
) -> ProcurementThreshold:
    """A new dated amount. The open row of the same kind before it ends the day before."""
    if kind not in ThresholdKind.values:
        raise ValidationError({"kind": _("Välj ett slag av tröskelvärde.")})
    try:
        amount = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": _("Ange beloppet i kronor.")}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount": _("Beloppet måste vara större än noll.")})
    if not (source or "").strip():
        raise ValidationError({"source": _("Ange källan för beloppet (lag, myndighet, datum).")})
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": _("Slutdatumet kan inte vara före startdatumet.")})
    if ProcurementThreshold.objects.filter(kind=kind, valid_from=valid_from).exists():
        raise ValidationError({"valid_from": _("Det finns redan ett belopp av det slaget från det datumet.")})
    previous = (
        ProcurementThreshold.objects.select_for_update()
        .filter(kind=kind, valid_from__lt=valid_from, valid_to__isnull=True)
        .order_by("-valid_from")
        .first()
    )
    ended = None
    if previous is not None:
        previous.valid_to = valid_from - datetime.timedelta(days=1)
        previous.save(update_fields=["valid_to"])
        ended = {"id": previous.pk, "valid_to": str(previous.valid_to)}
    row = ProcurementThreshold.objects.create(
        kind=kind,
        amount=amount,
        valid_from=valid_from,
        valid_to=valid_to,
        source=source.strip(),
        created_by=_user(actor),
    )
    log_action(
        "sourcing.threshold.created",
        actor=_user(actor),
        obj=row,
        changes={
            "kind": kind,
            "amount": str(amount),
            "valid_from": str(valid_from),
            "valid_to": str(valid_to) if valid_to else None,
            "source": row.source,
            "ended_previous": ended,
        },
    )
    return row


# --------------------------------------------------------------------------- answers


def parse_answers(data: dict) -> core.Answers:
    """Answers from a form or JSON: each question "ja" / "nej" / "" (or true / false / null), the
    estimated value a number of kronor or empty. A bad value raises a ValidationError naming it."""
    values: dict = {}
    errors: dict[str, str] = {}
    for key in core.QUESTION_KEYS:
        raw = data.get(key)
        if raw is True or (isinstance(raw, str) and raw in (YES, "yes", "true")):
            values[key] = True
        elif raw is False or (isinstance(raw, str) and raw in (NO, "no", "false")):
            values[key] = False
        elif raw is None or (isinstance(raw, str) and raw in (UNKNOWN, "vet_ej", "unknown")):
            values[key] = None
        else:
            errors[key] = _("Svara ja, nej eller vet ej.")
    raw_value = data.get(core.VALUE_KEY)
    value = None
    if raw_value not in (None, ""):
        try:
            value = Decimal(str(raw_value).replace("\u00a0", "").replace(" ", "").replace(",", "."))
        except (InvalidOperation, ValueError):
            errors[core.VALUE_KEY] = _("Ange värdet i kronor, t.ex. 450000.")
        else:
            if not value.is_finite() or value < 0:
                errors[core.VALUE_KEY] = _("Värdet kan inte vara negativt.")
            elif value >= Decimal("1e12"):
                errors[core.VALUE_KEY] = _("Värdet är orimligt stort.")
    if errors:
        raise ValidationError(errors)
    return core.Answers(**values, estimated_value=value)


def answers_dict(answers: core.Answers) -> dict:
    """The stored form: {question: "ja"/"nej"/""}; the value is kept in its own column."""
    return {k: {True: YES, False: NO, None: UNKNOWN}[getattr(answers, k)] for k in core.QUESTION_KEYS}


def assess(answers: core.Answers, on: datetime.date) -> tuple[core.Recommendation, dict]:
    """The core's recommendation with the amounts in force on ``on`` and the record of them."""
    rows = thresholds_in_force(on)
    thresholds = core.Thresholds(**{CORE_FIELD[ThresholdKind(k)]: r.amount for k, r in rows.items()})
    rec = core.recommend(answers, thresholds)
    record = {
        "on": str(on),
        "others": [f.value for f in rec.others],
        "missing": list(rec.missing),
        "next_step": rec.next_step,
        "limit_used": str(rec.limit_used) if rec.limit_used is not None else None,
        "thresholds": {k: {"amount": str(r.amount), "id": r.pk} for k, r in rows.items()},
    }
    return rec, record


# --------------------------------------------------------------------------- decisions


def _own(obj, organisation, field: str) -> None:
    if obj is not None and obj.organisation_id != organisation.pk:
        raise ValidationError({field: _("Välj något som tillhör din organisation.")})


@transaction.atomic
def decision_create(
    *,
    actor,
    organisation,
    title: str = "",
    need_description: str = "",
    target_group=None,
    result=None,
    intervention=None,
    answers: dict,
    supersedes: FormDecision | None = None,
    on: datetime.date | None = None,
) -> FormDecision:
    """Walk the advisor for a need: store the answers and what the rules recommend (not yet decided)."""
    _own(target_group, organisation, "target_group")
    _own(result, organisation, "result")
    _own(intervention, organisation, "intervention")
    parsed = parse_answers(answers)
    title = (title or "").strip()
    if not title:
        title = (result.title if result else "") or (target_group.name if target_group else "")
    if not title:
        raise ValidationError(
            {"title": _("Beskriv behovet med en rubrik, eller välj en målgrupp eller ett resultat.")}
        )
    if supersedes is not None:
        supersedes = FormDecision.objects.select_for_update().get(pk=supersedes.pk)
        if supersedes.organisation_id != organisation.pk:
            raise ValidationError({"supersedes": _("Välj något som tillhör din organisation.")})
        if FormDecision.objects.filter(supersedes=supersedes).exists():
            raise ValidationError({"supersedes": _("Beslutet är redan ersatt av ett nyare.")})
    on = on or timezone.localdate()
    rec, record = assess(parsed, on)
    decision = FormDecision(
        organisation=organisation,
        title=title[:200],
        need_description=need_description or "",
        target_group=target_group,
        result=result,
        intervention=intervention,
        answers=answers_dict(parsed),
        estimated_value=parsed.estimated_value,
        recommended=rec.form.value,
        reasons=[{"rule": r.rule, "text": r.text, "source": r.source} for r in rec.reasons],
        assessment=record,
        supersedes=supersedes,
        created_by=_user(actor),
    )
    decision.full_clean()
    decision.save()
    log_action(
        "sourcing.formdecision.created",
        actor=_user(actor),
        organisation=organisation,
        obj=decision,
        changes={
            "title": decision.title,
            "answers": decision.answers,
            "estimated_value": str(decision.estimated_value)
            if decision.estimated_value is not None
            else None,
            "recommended": decision.recommended,
            "rules": list(rec.rule_ids),
            "missing": list(rec.missing),
            "supersedes": supersedes.pk if supersedes else None,
        },
    )
    return decision


@transaction.atomic
def decision_decide(
    *, actor, decision: FormDecision, chosen: str, departure_reason: str = ""
) -> FormDecision:
    """Record the chosen form. A departure from the recommendation needs its reason; a decision is
    decided once (change it by recording a new one that supersedes it)."""
    decision = FormDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.chosen:
        raise ValidationError(
            {"chosen": _("Beslutet är redan fattat. Välj ”Ändra beslut” för att registrera ett nytt.")}
        )
    if FormDecision.objects.filter(supersedes=decision).exists():
        raise ValidationError({"chosen": _("Bedömningen är ersatt av en nyare; besluta i den.")})
    if chosen not in CollaborationForm.values:
        raise ValidationError({"chosen": _("Välj en av samverkansformerna.")})
    reason = (departure_reason or "").strip()
    if chosen != decision.recommended and not reason:
        raise ValidationError(
            {
                "departure_reason": _(
                    "Motivera varför ni väljer en annan form än den rekommenderade (%(form)s)."
                )
                % {"form": CollaborationForm(decision.recommended).label}
            }
        )
    decision.chosen = chosen
    decision.departure_reason = reason if chosen != decision.recommended else ""
    decision.decided_by = _user(actor)
    decision.decided_at = timezone.now()
    decision.save(update_fields=["chosen", "departure_reason", "decided_by", "decided_at", "updated_at"])
    log_action(
        "sourcing.formdecision.decided",
        actor=_user(actor),
        organisation=decision.organisation,
        obj=decision,
        changes={
            "recommended": decision.recommended,
            "chosen": chosen,
            "departure_reason": decision.departure_reason,
        },
    )
    return decision
