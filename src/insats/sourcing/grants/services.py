"""Workflows of a grant round: set it up and publish it, apply and submit, assess, propose, decide,
send letters, receive the återrapportering, and link a granted activity to the catalogue.

Every change is audited in the same transaction; multi-step changes are atomic (nothing half-saved);
bad input raises ``ValidationError`` naming the field or the row. Figures come from ``insats.core``:
the requested amount and the proposal against the budget (``insats.core.grants``) and the combined
scores (``insats.core.scoring``: weights, scale normalisation, mean of the assessors).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.audit.services import log_action
from insats.core import grants as core_grants
from insats.core import scoring
from insats.platform import formatting
from insats.sourcing.documents.services import attachments_of

from .models import (
    DEFAULT_CRITERIA,
    DEFAULT_PRIORITIES,
    ApplicationStatus,
    Decision,
    GrantApplication,
    GrantAssessment,
    GrantBudgetLine,
    GrantCriterion,
    GrantRound,
    RoundStatus,
)

ROUND_FIELDS = [
    "title",
    "purpose",
    "priorities",
    "budget",
    "opens_at",
    "closes_at",
    "decision_date",
    "report_due",
    "required_attachments",
    "is_public",
    "form_decision",
    "rfi",
    "contact_email",
]
APPLICATION_FIELDS = ["title", "activities", "target_group", "expected_reach", "partners"]
REPORT_FIELDS = ["report_reach", "report_activities", "report_spent", "report_use_of_money"]


def _user(actor):
    return getattr(actor, "user", None)


def _dec(value, name: str, row: str = "") -> Decimal:
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({name: f"{row}{_('Ange ett belopp i kronor.')}"}) from None
    if not d.is_finite():
        raise ValidationError({name: f"{row}{_('Ange ett belopp i kronor.')}"})
    return d


def kr(amount) -> str:
    return formatting.format_money(amount)


# --------------------------------------------------------------------------- rounds


def default_criteria() -> list[dict]:
    return [
        {"name": n, "question": q, "weight": None, "scale_min": 1, "scale_max": 5}
        for n, q in DEFAULT_CRITERIA
    ]


def _criteria_rows(rows: list[dict]) -> list[GrantCriterion]:
    if not rows:
        raise ValidationError({"criteria": _("Ange minst ett bedömningskriterium.")})
    out, names = [], set()
    for i, row in enumerate(rows, start=1):
        prefix = _("Kriterium %(n)s: ") % {"n": i}
        name = (row.get("name") or "").strip()
        if not name:
            raise ValidationError({"criteria": prefix + _("Ange kriteriets namn.")})
        if name.lower() in names:
            raise ValidationError(
                {"criteria": prefix + _("Kriteriet %(name)s finns redan.") % {"name": name}}
            )
        names.add(name.lower())
        weight = row.get("weight")
        if weight in ("", None):
            weight = None
        else:
            weight = _dec(weight, "criteria", prefix)
            if weight <= 0:
                raise ValidationError({"criteria": prefix + _("Vikten måste vara större än noll.")})
        lo, hi = row.get("scale_min", 1), row.get("scale_max", 5)
        try:
            lo, hi = int(lo), int(hi)
        except (TypeError, ValueError):
            raise ValidationError({"criteria": prefix + _("Skalan anges med heltal.")}) from None
        if hi <= lo:
            raise ValidationError(
                {"criteria": prefix + _("Skalans övre gräns måste vara större än den nedre.")}
            )
        crit = GrantCriterion(
            order=i,
            name=name,
            question=(row.get("question") or "").strip(),
            weight=weight,
            scale_min=lo,
            scale_max=hi,
        )
        try:
            crit.full_clean(exclude=["round"])
        except ValidationError as exc:
            msgs = [m for ms in exc.message_dict.values() for m in ms]
            raise ValidationError({"criteria": prefix + " ".join(msgs)}) from None
        out.append(crit)
    return out


def _clean_round(rnd: GrantRound) -> None:
    errors: dict[str, list] = {}
    try:
        rnd.full_clean(exclude=["organisation"])
    except ValidationError as exc:
        errors = exc.message_dict
    if rnd.budget is not None and rnd.budget < 0:
        errors.setdefault("budget", []).append(_("Budgeten får inte vara negativ."))
    if rnd.opens_at and rnd.closes_at and rnd.closes_at <= rnd.opens_at:
        errors.setdefault("closes_at", []).append(
            _("Sista ansökningsdag måste komma efter att omgången öppnar.")
        )
    if rnd.report_due and rnd.closes_at and rnd.report_due < rnd.closes_at.date():
        errors.setdefault("report_due", []).append(
            _("Återrapporteringen kan inte vara före sista ansökningsdag.")
        )
    if rnd.form_decision_id and rnd.form_decision.organisation_id != rnd.organisation_id:
        errors.setdefault("form_decision", []).append(
            _("Valet av samverkansform tillhör en annan organisation.")
        )
    if rnd.rfi_id and rnd.rfi.organisation_id != rnd.organisation_id:
        errors.setdefault("rfi", []).append(_("Marknadsdialogen tillhör en annan organisation."))
    if errors:
        raise ValidationError(errors)


def _clean_list(values) -> list[str]:
    if isinstance(values, str):
        values = values.splitlines()
    return [v.strip() for v in values or [] if v and v.strip()]


def round_create(*, actor, organisation, values: dict, criteria: list[dict] | None = None) -> GrantRound:
    """A new draft round with seed 002's priorities and five criteria unless others are given."""
    unknown = set(values) - set(ROUND_FIELDS)
    if unknown:
        raise ValueError(f"unknown round fields: {sorted(unknown)}")
    values = dict(values)
    values["priorities"] = _clean_list(values.get("priorities", DEFAULT_PRIORITIES))
    values["required_attachments"] = _clean_list(values.get("required_attachments", []))
    with transaction.atomic():
        rnd = GrantRound(organisation=organisation, created_by=_user(actor), **values)
        _clean_round(rnd)
        rows = _criteria_rows(default_criteria() if criteria is None else criteria)
        rnd.save()
        for c in rows:
            c.round = rnd
            c.save()
        log_action(
            "sourcing.grant_round.created",
            actor=_user(actor),
            organisation=organisation,
            obj=rnd,
            changes={"title": rnd.title, "budget": str(rnd.budget), "criteria": [c.name for c in rows]},
        )
    return rnd


def round_update(*, actor, rnd: GrantRound, values: dict, criteria: list[dict] | None = None) -> GrantRound:
    """Change the call; criteria only while nobody has assessed (the scale would change under them)."""
    unknown = set(values) - set(ROUND_FIELDS)
    if unknown:
        raise ValueError(f"unknown round fields: {sorted(unknown)}")
    with transaction.atomic():
        rnd = GrantRound.objects.select_for_update().get(pk=rnd.pk)
        if rnd.status == RoundStatus.DECIDED:
            raise ValidationError(_("Omgången är beslutad och kan inte ändras."))
        for k, v in values.items():
            if k in ("priorities", "required_attachments"):
                v = _clean_list(v)
            setattr(rnd, k, v)
        _clean_round(rnd)
        rnd.save()
        if criteria is not None:
            if GrantAssessment.objects.filter(application__round=rnd).exists():
                raise ValidationError(
                    {"criteria": _("Kriterierna kan inte ändras när bedömningen har börjat.")}
                )
            rows = _criteria_rows(criteria)
            rnd.criteria.all().delete()
            for c in rows:
                c.round = rnd
                c.save()
        log_action(
            "sourcing.grant_round.changed",
            actor=_user(actor),
            organisation=rnd.organisation,
            obj=rnd,
            changes={"fields": sorted(values), "criteria": criteria is not None},
        )
    return rnd


def round_publish(*, actor, rnd: GrantRound) -> GrantRound:
    with transaction.atomic():
        rnd = GrantRound.objects.select_for_update().get(pk=rnd.pk)
        if rnd.status != RoundStatus.DRAFT:
            raise ValidationError(_("Bara ett utkast kan publiceras."))
        if not rnd.criteria.exists():
            raise ValidationError({"criteria": _("Ange minst ett bedömningskriterium.")})
        if rnd.closes_at <= timezone.now():
            raise ValidationError({"closes_at": _("Sista ansökningsdag har redan passerat.")})
        rnd.status = RoundStatus.OPEN
        rnd.published_at = timezone.now()
        rnd.save(update_fields=["status", "published_at", "updated_at"])
        log_action(
            "sourcing.grant_round.published", actor=_user(actor), organisation=rnd.organisation, obj=rnd
        )
    return rnd


def round_close(*, actor, rnd: GrantRound) -> GrantRound:
    with transaction.atomic():
        rnd = GrantRound.objects.select_for_update().get(pk=rnd.pk)
        if rnd.status != RoundStatus.OPEN:
            raise ValidationError(_("Bara en öppen omgång kan stängas."))
        rnd.status = RoundStatus.CLOSED
        rnd.save(update_fields=["status", "updated_at"])
        log_action("sourcing.grant_round.closed", actor=_user(actor), organisation=rnd.organisation, obj=rnd)
    return rnd


# --------------------------------------------------------------------------- applications


def totals(application: GrantApplication) -> core_grants.BudgetTotals:
    return core_grants.budget_totals(
        [(line.cost, line.other_financing) for line in application.budget_lines.all()]
    )


def _lines(rows: list[dict]) -> list[GrantBudgetLine]:
    out = []
    for i, row in enumerate(rows, start=1):
        if not any(str(row.get(k) or "").strip() for k in ("item", "cost", "other_financing", "financier")):
            continue
        prefix = _("Budgetrad %(n)s: ") % {"n": i}
        item = (row.get("item") or "").strip()
        if not item:
            raise ValidationError({"budget_lines": prefix + _("Ange kostnadsposten.")})
        if str(row.get("cost") or "").strip() == "":
            raise ValidationError({"budget_lines": prefix + _("Ange kostnaden.")})
        cost = _dec(row.get("cost"), "budget_lines", prefix)
        other_raw = row.get("other_financing")
        other = Decimal(0) if str(other_raw or "").strip() == "" else _dec(other_raw, "budget_lines", prefix)
        line = GrantBudgetLine(
            order=i,
            item=item[:200],
            cost=cost,
            other_financing=other,
            financier=(row.get("financier") or "")[:200],
        )
        try:
            line.full_clean(exclude=["application"])
        except ValidationError as exc:
            msgs = [m for ms in exc.message_dict.values() for m in ms]
            raise ValidationError({"budget_lines": prefix + " ".join(msgs)}) from None
        out.append(line)
    try:
        core_grants.budget_totals([(line.cost, line.other_financing) for line in out])
    except core_grants.LineError as exc:
        prefix = _("Budgetrad %(n)s: ") % {"n": out[exc.index].order}
        msg = {
            "cost": _("Kostnaden får inte vara negativ."),
            "other_financing": _("Annan finansiering får inte vara negativ eller större än kostnaden."),
        }[exc.field]
        raise ValidationError({"budget_lines": prefix + msg}) from None
    return out


def _ensure_open(rnd: GrantRound) -> None:
    if not rnd.is_open_for_applications:
        if rnd.status == RoundStatus.OPEN and timezone.now() >= rnd.closes_at:
            raise ValidationError(
                _("Sista ansökningsdag har passerat; ansökan kan inte längre ändras eller skickas in.")
            )
        raise ValidationError(_("Omgången är inte öppen för ansökningar."))


def application_save(
    *,
    actor,
    rnd: GrantRound,
    organisation,
    values: dict,
    lines: list[dict] | None = None,
    application: GrantApplication | None = None,
) -> GrantApplication:
    """Create or change one's draft application (one per organisation and round) and its budget."""
    unknown = set(values) - set(APPLICATION_FIELDS)
    if unknown:
        raise ValueError(f"unknown application fields: {sorted(unknown)}")
    with transaction.atomic():
        _ensure_open(rnd)
        if application is None:
            application = GrantApplication.objects.filter(round=rnd, organisation=organisation).first()
        creating = application is None
        if creating:
            application = GrantApplication(round=rnd, organisation=organisation)
        else:
            application = GrantApplication.objects.select_for_update().get(pk=application.pk)
            if application.status != ApplicationStatus.DRAFT:
                raise ValidationError(_("Ansökan är redan inskickad och kan inte ändras."))
        for k, v in values.items():
            setattr(application, k, v)
        try:
            application.full_clean(exclude=["round", "organisation"], validate_unique=False)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        built = _lines(lines) if lines is not None else None
        application.save()
        if built is not None:
            application.budget_lines.all().delete()
            for line in built:
                line.application = application
                line.save()
        log_action(
            f"sourcing.grant_application.{'created' if creating else 'changed'}",
            actor=_user(actor),
            organisation=organisation,
            obj=application,
            changes={"fields": sorted(values), "budget_lines": None if built is None else len(built)},
        )
    return application


def missing_attachments(application: GrantApplication) -> list[str]:
    have = {a.purpose for a in attachments_of(application)}
    return [name for name in application.round.required_attachments if name not in have]


def _recipients(application: GrantApplication) -> list[str]:
    out = []
    if application.submitted_by and application.submitted_by.email:
        out.append(application.submitted_by.email)
    if application.organisation.contact_email and application.organisation.contact_email not in out:
        out.append(application.organisation.contact_email)
    return out


def application_submit(*, actor, application: GrantApplication) -> GrantApplication:
    """Submit before the deadline (server time); the required attachments and a budget are needed;
    a receipt goes by e-mail."""
    with transaction.atomic():
        application = (
            GrantApplication.objects.select_for_update().select_related("round").get(pk=application.pk)
        )
        if application.status != ApplicationStatus.DRAFT:
            raise ValidationError(_("Ansökan är redan inskickad."))
        _ensure_open(application.round)
        errors: dict[str, list] = {}
        for name in ("activities", "target_group"):
            if not getattr(application, name).strip():
                errors.setdefault(name, []).append(_("Fältet måste fyllas i innan ansökan skickas in."))
        if application.expected_reach is None:
            errors.setdefault("expected_reach", []).append(_("Ange hur många verksamheten förväntas nå."))
        if not application.budget_lines.exists():
            errors.setdefault("budget_lines", []).append(_("Ange minst en budgetrad."))
        elif totals(application).requested <= 0:
            errors.setdefault("budget_lines", []).append(_("Det sökta beloppet måste vara större än noll."))
        missing = missing_attachments(application)
        if missing:
            errors.setdefault("attachments", []).append(
                _("Bilagor saknas: %(names)s.") % {"names": ", ".join(missing)}
            )
        if errors:
            raise ValidationError(errors)
        application.status = ApplicationStatus.SUBMITTED
        application.submitted_at = timezone.now()
        application.submitted_by = _user(actor)
        application.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
        requested = totals(application).requested
        log_action(
            "sourcing.grant_application.submitted",
            actor=_user(actor),
            organisation=application.organisation,
            obj=application,
            changes={"requested": str(requested)},
        )
        recipients = _recipients(application)
        if recipients:
            subject = _("Kvitto: ansökan till %(round)s") % {"round": application.round.title}
            body = _(
                "Er ansökan ”%(title)s” till %(round)s (%(org)s) kom in %(when)s. Sökt belopp: %(amount)s.\n"
                "Beslut meddelas efter att ansökningstiden har gått ut."
            ) % {
                "title": application.title,
                "round": application.round.title,
                "org": application.round.organisation.name,
                "when": timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M"),
                "amount": kr(requested),
            }
            transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients))
    return application


# --------------------------------------------------------------------------- assessment


def assessment_save(*, actor, application: GrantApplication, scores: dict) -> list[GrantAssessment]:
    """The assessor's scores on the round's criteria: {criterion pk: (score, motivation)}.

    Every criterion given needs a score on its scale and a motivation; all or nothing."""
    user = _user(actor)
    with transaction.atomic():
        application = GrantApplication.objects.select_related("round").get(pk=application.pk)
        if application.status == ApplicationStatus.DRAFT:
            raise ValidationError(_("Ansökan är inte inskickad och kan inte bedömas."))
        if application.status == ApplicationStatus.DECIDED:
            raise ValidationError(_("Ansökan är redan beslutad."))
        criteria = {c.pk: c for c in application.round.criteria.all()}
        errors: dict[str, list] = {}
        saved = []
        for key, (raw_score, motivation) in scores.items():
            c = criteria.get(int(key))
            if c is None:
                raise ValidationError(_("Okänt kriterium."))
            name = f"score_{c.pk}"
            if raw_score in (None, ""):
                errors.setdefault(name, []).append(_("%(c)s: ange en poäng.") % {"c": c.name})
                continue
            try:
                score = Decimal(str(raw_score).replace(",", "."))
            except InvalidOperation:
                errors.setdefault(name, []).append(_("%(c)s: ange en poäng.") % {"c": c.name})
                continue
            if not score.is_finite() or not (c.scale_min <= score <= c.scale_max):
                errors.setdefault(name, []).append(
                    _("%(c)s: poängen ska vara mellan %(lo)s och %(hi)s.")
                    % {"c": c.name, "lo": c.scale_min, "hi": c.scale_max}
                )
            if not (motivation or "").strip():
                errors.setdefault(f"motivation_{c.pk}", []).append(
                    _("%(c)s: en motivering krävs.") % {"c": c.name}
                )
            if errors:
                continue
            obj, _created = GrantAssessment.objects.update_or_create(
                application=application,
                criterion=c,
                assessor=user,
                defaults={"score": score, "motivation": motivation.strip()},
            )
            saved.append(obj)
        if errors:
            raise ValidationError(errors)
        log_action(
            "sourcing.grant_assessment.saved",
            actor=_user(actor),
            organisation=application.round.organisation,
            obj=application,
            changes={"scores": {str(a.criterion_id): str(a.score) for a in saved}},
        )
    return saved


@dataclass
class RankedApplication:
    application: GrantApplication
    requested: Decimal
    assessors: int
    points: Decimal | None = None
    max_points: Decimal | None = None
    rank: int | None = None
    complete: bool = False
    criteria: list = field(default_factory=list)  # scoring.CriterionResult per criterion


def ranking(rnd: GrantRound) -> list[RankedApplication]:
    """Submitted (and decided) applications ranked by the core's scoring: each criterion's assessors'
    mean, normalised to its weight (1 when none is given); applications not yet scored on every
    criterion come last, unranked."""
    criteria = list(rnd.criteria.all())
    apps = list(
        rnd.applications.exclude(status=ApplicationStatus.DRAFT)
        .select_related("organisation")
        .prefetch_related("budget_lines", "assessments")
    )
    rows = {
        a.pk: RankedApplication(a, totals(a).requested, len({s.assessor_id for s in a.assessments.all()}))
        for a in apps
    }
    bids = []
    for a in apps:
        per = {}
        for s in a.assessments.all():
            per.setdefault(str(s.criterion_id), []).append(
                scoring.EvaluatorScore(evaluator=str(s.assessor_id), score=s.score)
            )
        if criteria and all(str(c.pk) in per for c in criteria):
            bids.append(scoring.Bid(id=str(a.pk), scores=per))
    if bids:
        out = scoring.evaluate(
            scoring.ScoreInput(
                tender=rnd.title,
                criteria=[
                    scoring.Criterion(
                        id=str(c.pk),
                        text=c.name,
                        weight=c.weight or Decimal(1),
                        scale_min=Decimal(c.scale_min),
                        scale_max=Decimal(c.scale_max),
                    )
                    for c in criteria
                ],
                aggregation="mean",
                bids=bids,
            )
        )
        top = sum((c.weight or Decimal(1) for c in criteria), Decimal(0))
        for b in out.bids:
            r = rows[int(b.id)]
            r.points, r.rank, r.complete, r.max_points = b.total_points, b.rank, True, top
            r.criteria = b.criteria
    return sorted(rows.values(), key=lambda r: (not r.complete, r.rank or 0, r.application.organisation.name))


def budget_state(rnd: GrantRound, *, proposed: bool = True) -> core_grants.Proposal:
    """The round's budget against the proposed (or, with proposed=False, granted) amounts."""
    qs = rnd.applications.all()
    amounts = list(qs.values_list("proposed_amount" if proposed else "amount_granted", flat=True))
    return core_grants.proposal(rnd.budget, amounts)


def proposal_set(*, actor, rnd: GrantRound, amounts: dict) -> core_grants.Proposal:
    """The officer's proposed list for the nämnd: {application pk: amount or None}. The total may not
    exceed the round's budget; an amount may not exceed what was requested."""
    with transaction.atomic():
        rnd = GrantRound.objects.select_for_update().get(pk=rnd.pk)
        apps = {
            a.pk: a
            for a in rnd.applications.exclude(status=ApplicationStatus.DRAFT).prefetch_related("budget_lines")
        }
        values: dict[int, Decimal | None] = {}
        for key, raw in amounts.items():
            a = apps.get(int(key))
            if a is None:
                raise ValidationError(_("Ansökan finns inte i omgången."))
            name = f"amount_{a.pk}"
            if raw in (None, ""):
                values[a.pk] = None
                continue
            amount = _dec(raw, name, f"{a.organisation.name}: ")
            if amount < 0:
                raise ValidationError(
                    {name: _("%(org)s: beloppet får inte vara negativt.") % {"org": a.organisation.name}}
                )
            requested = totals(a).requested
            if amount > requested:
                raise ValidationError(
                    {
                        name: _("%(org)s: föreslaget belopp %(amount)s är mer än det sökta %(req)s.")
                        % {"org": a.organisation.name, "amount": kr(amount), "req": kr(requested)}
                    }
                )
            values[a.pk] = amount
        all_amounts = [values.get(pk, a.proposed_amount) for pk, a in apps.items()]
        state = core_grants.proposal(rnd.budget, all_amounts)
        if not state.fits:
            raise ValidationError(
                _("Förslaget på %(total)s överskrider omgångens budget %(budget)s med %(over)s.")
                % {"total": kr(state.total), "budget": kr(state.budget), "over": kr(-state.remaining)}
            )
        for pk, amount in values.items():
            GrantApplication.objects.filter(pk=pk).update(proposed_amount=amount)
        log_action(
            "sourcing.grant_round.proposal_set",
            actor=_user(actor),
            organisation=rnd.organisation,
            obj=rnd,
            changes={
                "amounts": {str(k): None if v is None else str(v) for k, v in values.items()},
                "total": str(state.total),
            },
        )
    return state


def decision_record(
    *,
    actor,
    application: GrantApplication,
    decision: str,
    amount=None,
    conditions: str = "",
    reason: str = "",
) -> GrantApplication:
    """Record the nämnd's decision on one application and send the letter (e-mail, on commit).

    Granted: an amount above zero, not above what was requested, and all granted amounts within the
    round's budget. Rejected: a reason is required."""
    with transaction.atomic():
        application = (
            GrantApplication.objects.select_for_update()
            .select_related("round", "organisation")
            .get(pk=application.pk)
        )
        rnd = GrantRound.objects.select_for_update().get(pk=application.round_id)
        if application.status == ApplicationStatus.DRAFT:
            raise ValidationError(_("Ansökan är inte inskickad."))
        if application.status == ApplicationStatus.DECIDED:
            raise ValidationError(_("Ansökan är redan beslutad."))
        if rnd.status == RoundStatus.OPEN and timezone.now() < rnd.closes_at:
            raise ValidationError(_("Beslut kan fattas först när ansökningstiden har gått ut."))
        if decision == Decision.GRANTED:
            if amount in (None, ""):
                raise ValidationError({"amount": _("Ange beviljat belopp.")})
            amount = _dec(amount, "amount")
            if amount <= 0:
                raise ValidationError({"amount": _("Beviljat belopp måste vara större än noll.")})
            requested = totals(application).requested
            if amount > requested:
                raise ValidationError(
                    {
                        "amount": _("Beviljat belopp %(amount)s är mer än det sökta %(req)s.")
                        % {"amount": kr(amount), "req": kr(requested)}
                    }
                )
            others = list(
                rnd.applications.exclude(pk=application.pk).values_list("amount_granted", flat=True)
            )
            state = core_grants.proposal(rnd.budget, [*others, amount])
            if not state.fits:
                raise ValidationError(
                    {
                        "amount": _("Beviljade belopp blir %(total)s, mer än omgångens budget %(budget)s.")
                        % {"total": kr(state.total), "budget": kr(state.budget)}
                    }
                )
            application.amount_granted = amount
            application.conditions = (conditions or "").strip()
            application.rejection_reason = ""
        elif decision == Decision.REJECTED:
            if not (reason or "").strip():
                raise ValidationError({"reason": _("Ange skälet för avslag.")})
            application.amount_granted = None
            application.conditions = ""
            application.rejection_reason = reason.strip()
        else:
            raise ValidationError({"decision": _("Välj bevilja eller avslå.")})
        now = timezone.now()
        application.decision = decision
        application.status = ApplicationStatus.DECIDED
        application.decided_at = now
        application.decided_by = _user(actor)
        recipients = _recipients(application)
        application.letter_sent_at = now if recipients else None
        application.save()
        if rnd.status == RoundStatus.OPEN:
            rnd.status = RoundStatus.CLOSED
        if not rnd.applications.filter(status=ApplicationStatus.SUBMITTED).exists():
            rnd.status = RoundStatus.DECIDED
        rnd.save(update_fields=["status", "updated_at"])
        log_action(
            "sourcing.grant_application.decided",
            actor=_user(actor),
            organisation=rnd.organisation,
            obj=application,
            changes={
                "decision": decision,
                "amount_granted": None
                if application.amount_granted is None
                else str(application.amount_granted),
                "conditions": application.conditions,
                "reason": application.rejection_reason,
            },
        )
        if recipients:
            subject, body = letter_text(application)
            transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients))
    return application


def letter_text(application: GrantApplication) -> tuple[str, str]:
    """The decision letter as e-mail: what the applicant may see (its own application only)."""
    rnd = application.round
    subject = _("Beslut om bidrag: %(title)s") % {"title": application.title}
    if application.decision == Decision.GRANTED:
        body = _(
            "%(grantor)s har beslutat att bevilja %(org)s %(amount)s i %(round)s för ”%(title)s”.\n"
            "Villkor: %(conditions)s\nÅterrapportering senast: %(due)s."
        ) % {
            "grantor": rnd.organisation.name,
            "org": application.organisation.name,
            "amount": kr(application.amount_granted),
            "round": rnd.title,
            "title": application.title,
            "conditions": application.conditions or _("inga särskilda"),
            "due": rnd.report_due.isoformat() if rnd.report_due else "–",
        }
    else:
        body = _(
            "%(grantor)s har beslutat att avslå ansökan från %(org)s i %(round)s om ”%(title)s”.\n"
            "Skäl: %(reason)s"
        ) % {
            "grantor": rnd.organisation.name,
            "org": application.organisation.name,
            "round": rnd.title,
            "title": application.title,
            "reason": application.rejection_reason,
        }
    return subject, body


# --------------------------------------------------------------------------- återrapportering


def report_submit(*, actor, application: GrantApplication, values: dict) -> GrantApplication:
    unknown = set(values) - set(REPORT_FIELDS)
    if unknown:
        raise ValueError(f"unknown report fields: {sorted(unknown)}")
    with transaction.atomic():
        application = GrantApplication.objects.select_for_update().get(pk=application.pk)
        if application.decision != Decision.GRANTED:
            raise ValidationError(_("Återrapportering görs bara för beviljade bidrag."))
        errors: dict[str, list] = {}
        if values.get("report_reach") in (None, ""):
            errors.setdefault("report_reach", []).append(_("Ange hur många verksamheten har nått."))
        if not (values.get("report_activities") or "").strip():
            errors.setdefault("report_activities", []).append(_("Beskriv de aktiviteter som genomförts."))
        if values.get("report_spent") in (None, ""):
            errors.setdefault("report_spent", []).append(_("Ange hur mycket av bidraget som använts."))
        elif Decimal(values["report_spent"]) < 0:
            errors.setdefault("report_spent", []).append(_("Beloppet får inte vara negativt."))
        if errors:
            raise ValidationError(errors)
        for k, v in values.items():
            setattr(application, k, v)
        application.report_submitted_at = timezone.now()
        application.save()
        log_action(
            "sourcing.grant_application.reported",
            actor=_user(actor),
            organisation=application.organisation,
            obj=application,
            changes={"reach": application.report_reach, "spent": str(application.report_spent)},
        )
    return application


# --------------------------------------------------------------------------- the catalogue


def intervention_link(*, actor, application: GrantApplication):
    """The granted activity as an intervention in the grantor's catalogue.

    The grantor owns it (it is the grantor's portfolio that finances it and its catalogue that
    follows it up); the applicant is its provider (``providers``) and the grant its funding row for
    the decision's year. Created through the catalogue's own service (versions, audit)."""
    from insats.interventions.catalogue.models import Intensity, Intervention, InterventionStatus
    from insats.interventions.catalogue.services import save_intervention

    with transaction.atomic():
        application = (
            GrantApplication.objects.select_for_update()
            .select_related("round", "organisation")
            .get(pk=application.pk)
        )
        if application.decision != Decision.GRANTED:
            raise ValidationError(_("Bara en beviljad verksamhet kan bli en insats i katalogen."))
        if application.intervention_id:
            return application.intervention
        rnd = application.round
        year = (application.decided_at or timezone.now()).year
        iv = save_intervention(
            actor=actor,
            intervention=Intervention(organisation=rnd.organisation),
            values={
                "name": application.title[:200],
                "description": application.activities,
                "status": InterventionStatus.ONGOING,
                "intensity": Intensity.UNIVERSAL,
                "goals": application.target_group,
                "capacity_per_year": application.expected_reach,
                "start": datetime.date(year, 1, 1),
            },
            links={"providers": [application.organisation]},
            rows={
                "funding": [
                    {
                        "funder": rnd.organisation,
                        "funder_name": "",
                        "year": year,
                        "amount": application.amount_granted,
                    }
                ]
            },
        )
        application.intervention = iv
        application.save(update_fields=["intervention", "updated_at"])
        log_action(
            "sourcing.grant_application.intervention_linked",
            actor=_user(actor),
            organisation=rnd.organisation,
            obj=application,
            changes={"intervention": iv.pk},
        )
    return iv
