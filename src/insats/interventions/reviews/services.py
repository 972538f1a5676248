"""Writes for the portfolio and the review (genomlysning). Every change is audited in the same
transaction (``interventions.review.*``); bad input raises a ValidationError naming the field and
saves nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from insats.accounts import services as accounts_services
from insats.accounts.models import GovernanceBody, Organisation, Share
from insats.audit.services import log_action
from insats.interventions.catalogue.models import Intervention
from insats.platform.formatting import format_number

from .models import (
    PHASE_ORDER,
    Finding,
    PortfolioBudget,
    Recommendation,
    RecommendationStatus,
    RecommendationUpdate,
    Review,
    ReviewDecision,
    ReviewItem,
    ReviewPhase,
    ReviewPhaseChange,
    ReviewPopulation,
)

REVIEW_SHARE_PURPOSE = "genomlysning"

REVIEW_FIELDS = [
    "title",
    "year",
    "period_start",
    "period_end",
    "owner_name",
    "reviewer_name",
    "target_age_from",
    "target_age_to",
    "needs",
    "desired_state",
]


def _user(actor):
    return getattr(actor, "user", actor)


def _plain(value):
    if isinstance(value, datetime.date | Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


# --------------------------------------------------------------------------- the total budget


@transaction.atomic
def budget_set(
    *, actor, organisation: Organisation, year: int, total_budget, note: str = ""
) -> PortfolioBudget:
    try:
        amount = Decimal(str(total_budget))
    except (InvalidOperation, ValueError):
        raise ValidationError({"total_budget": _("Ange ett belopp i kronor.")}) from None
    if amount < 0:
        raise ValidationError({"total_budget": _("Budgeten får inte vara negativ.")})
    budget = PortfolioBudget.objects.filter(organisation=organisation, year=year).first()
    before = str(budget.total_budget) if budget else None
    if budget is None:
        budget = PortfolioBudget(organisation=organisation, year=year)
    budget.total_budget = amount
    budget.note = note
    budget.full_clean()
    budget.save()
    log_action(
        "interventions.portfolio_budget.saved",
        actor=_user(actor),
        organisation=organisation,
        obj=budget,
        changes={"year": year, "total_budget": [before, str(amount)], "note": note},
    )
    return budget


# --------------------------------------------------------------------------- reviews


def prefill(intervention: Intervention) -> dict[str, str]:
    """Phase B's text for one intervention, from the catalogue (the reviewer edits it)."""
    staffing = "\n".join(
        _("%(profession)s: %(people)s personer, %(fte)s årsarbetskrafter%(employer)s")
        % {
            "profession": s.profession,
            "people": s.people,
            "fte": format_number(s.fte, trim=True),
            "employer": f" ({s.employer})" if s.employer_id else "",
        }
        for s in intervention.staffing.select_related("employer")
    )
    method = intervention.method.name if intervention.method_id else intervention.method_name
    areas = ", ".join(a.name for a in intervention.areas.all())
    return {
        "mission": intervention.description,
        "staffing": staffing,
        "methods": method,
        "goals": intervention.goals,
        "accessibility": (_("Ges i: %(areas)s") % {"areas": areas}) if areas else "",
        "results": intervention.outcome_measures,
    }


def _check_interventions(actor, organisation, interventions) -> list[Intervention]:
    from insats.interventions.catalogue.selectors import visible_interventions

    ids = [i.pk if isinstance(i, Intervention) else int(i) for i in interventions]
    visible = (
        {i.pk: i for i in visible_interventions(actor).filter(pk__in=ids)}
        if actor
        else {i.pk: i for i in Intervention.objects.filter(pk__in=ids)}
    )
    missing = [pk for pk in ids if pk not in visible]
    if missing:
        raise ValidationError(
            {"interventions": _("Okänd insats: %(ids)s") % {"ids": ", ".join(map(str, missing))}}
        )
    return [visible[pk] for pk in dict.fromkeys(ids)]


@transaction.atomic
def review_create(*, actor, organisation: Organisation, values: dict, interventions) -> Review:
    review = Review(organisation=organisation, created_by=_user(actor))
    for name in REVIEW_FIELDS:
        if name in values:
            setattr(review, name, values[name])
    review.full_clean()
    review.save()
    chosen = _check_interventions(
        actor if hasattr(actor, "membership") else None, organisation, interventions
    )
    for intervention in chosen:
        ReviewItem.objects.create(review=review, intervention=intervention, **prefill(intervention))
    for name in ("target_groups", "results", "indicators"):
        if name in values:
            getattr(review, name).set(values[name])
    log_action(
        "interventions.review.created",
        actor=_user(actor),
        organisation=organisation,
        obj=review,
        changes={
            **{k: _plain(getattr(review, k)) for k in REVIEW_FIELDS},
            "interventions": [i.name for i in chosen],
        },
    )
    return review


@transaction.atomic
def review_update(*, actor, review: Review, values: dict) -> Review:
    changes = {}
    for name in REVIEW_FIELDS:
        if name in values and getattr(review, name) != values[name]:
            changes[name] = [_plain(getattr(review, name)), _plain(values[name])]
            setattr(review, name, values[name])
    review.full_clean()
    review.save()
    for name in ("target_groups", "results", "indicators"):
        if name in values:
            before = sorted(getattr(review, name).values_list("pk", flat=True))
            after = sorted(o.pk for o in values[name])
            if before != after:
                getattr(review, name).set(values[name])
                changes[name] = [before, after]
    if changes:
        log_action(
            "interventions.review.updated",
            actor=_user(actor),
            organisation=review.organisation,
            obj=review,
            changes=changes,
        )
    return review


@transaction.atomic
def item_update(*, actor, item: ReviewItem, values: dict) -> ReviewItem:
    fields = ["mission", "staffing", "methods", "goals", "accessibility", "results", "notes"]
    changes = {}
    for name in fields:
        if name in values and getattr(item, name) != values[name]:
            changes[name] = [getattr(item, name), values[name]]
            setattr(item, name, values[name])
    item.full_clean()
    item.save()
    if changes:
        log_action(
            "interventions.review.item_updated",
            actor=_user(actor),
            organisation=item.review.organisation,
            obj=item.review,
            changes={"intervention": item.intervention.name, **changes},
        )
    return item


@transaction.atomic
def populations_set(*, actor, review: Review, rows: dict, source: str = "") -> None:
    """``rows``: Area → inhabitants of the target age (None or '' removes the row)."""
    changes = {}
    for area, value in rows.items():
        current = review.populations.filter(area=area).first()
        if value in (None, ""):
            if current:
                changes[area.name] = [current.population, None]
                current.delete()
            continue
        try:
            n = int(value)
        except (TypeError, ValueError):
            raise ValidationError(
                {f"population_{area.code}": _("Ange ett heltal för %(area)s.") % {"area": area.name}}
            ) from None
        if n < 0:
            raise ValidationError(
                {
                    f"population_{area.code}": _("Antalet invånare får inte vara negativt (%(area)s).")
                    % {"area": area.name}
                }
            )
        if current is None:
            ReviewPopulation.objects.create(review=review, area=area, population=n, source=source)
            changes[area.name] = [None, n]
        elif current.population != n or current.source != source:
            changes[area.name] = [current.population, n]
            current.population, current.source = n, source
            current.save()
    if changes:
        log_action(
            "interventions.review.population_set",
            actor=_user(actor),
            organisation=review.organisation,
            obj=review,
            changes={**changes, "source": source},
        )


@transaction.atomic
def phase_move(*, actor, review: Review, to_phase: str, note: str = "") -> ReviewPhaseChange:
    """Move the review one phase forward or back (seed 001's A → E). Audited with the note."""
    if to_phase not in PHASE_ORDER:
        raise ValidationError({"phase": _("Okänd fas.")})
    review = Review.objects.select_for_update().get(pk=review.pk)
    step = PHASE_ORDER.index(to_phase) - PHASE_ORDER.index(review.phase)
    if abs(step) != 1:
        raise ValidationError({"phase": _("Genomlysningen flyttas en fas i taget, framåt eller bakåt.")})
    change = ReviewPhaseChange.objects.create(
        review=review, from_phase=review.phase, to_phase=to_phase, note=note.strip(), changed_by=_user(actor)
    )
    before = review.phase
    review.phase = to_phase
    review.save(update_fields=["phase", "updated_at"])
    log_action(
        "interventions.review.phase_changed",
        actor=_user(actor),
        organisation=review.organisation,
        obj=review,
        changes={"phase": [before, to_phase], "note": change.note},
    )
    return change


# --------------------------------------------------------------------------- findings, recommendations


def _review_intervention(review: Review, intervention):
    if intervention is None:
        return None
    pk = intervention.pk if isinstance(intervention, Intervention) else int(intervention)
    item = review.items.filter(intervention_id=pk).select_related("intervention").first()
    if item is None:
        raise ValidationError({"intervention": _("Insatsen ingår inte i genomlysningen.")})
    return item.intervention


@transaction.atomic
def finding_add(*, actor, review: Review, text: str, intervention=None, phase: str | None = None) -> Finding:
    if not (text or "").strip():
        raise ValidationError({"text": _("Skriv iakttagelsen.")})
    phase = phase or review.phase
    if phase not in PHASE_ORDER:
        raise ValidationError({"phase": _("Okänd fas.")})
    finding = Finding.objects.create(
        review=review,
        phase=phase,
        intervention=_review_intervention(review, intervention),
        text=text.strip(),
        created_by=_user(actor),
    )
    log_action(
        "interventions.review.finding_added",
        actor=_user(actor),
        organisation=review.organisation,
        obj=review,
        changes={
            "finding": finding.pk,
            "phase": phase,
            "intervention": str(finding.intervention or ""),
            "text": finding.text,
        },
    )
    return finding


@transaction.atomic
def finding_delete(*, actor, finding: Finding) -> None:
    review = finding.review
    log_action(
        "interventions.review.finding_deleted",
        actor=_user(actor),
        organisation=review.organisation,
        obj=review,
        changes={"finding": finding.pk, "text": finding.text},
    )
    finding.delete()


def _owner_org(value):
    if value is None or isinstance(value, Organisation):
        return value
    org = Organisation.objects.filter(pk=value).first()
    if org is None:
        raise ValidationError({"owner_organisation": _("Okänd organisation.")})
    return org


@transaction.atomic
def recommendation_add(*, actor, review: Review, values: dict) -> Recommendation:
    text = (values.get("text") or "").strip()
    if not text:
        raise ValidationError({"text": _("Skriv rekommendationen eller åtgärden.")})
    finding = values.get("finding")
    if finding is not None and finding.review_id != review.pk:
        raise ValidationError({"finding": _("Iakttagelsen hör till en annan genomlysning.")})
    rec = Recommendation(
        review=review,
        finding=finding,
        text=text,
        owner_organisation=_owner_org(values.get("owner_organisation")),
        owner_person=(values.get("owner_person") or "").strip(),
        due_on=values.get("due_on"),
    )
    rec.full_clean()
    rec.save()
    log_action(
        "interventions.review.recommendation_added",
        actor=_user(actor),
        organisation=review.organisation,
        obj=review,
        changes={
            "recommendation": rec.pk,
            "text": rec.text,
            "owner_organisation": str(rec.owner_organisation or ""),
            "owner_person": rec.owner_person,
            "due_on": _plain(rec.due_on),
        },
    )
    return rec


@transaction.atomic
def recommendation_follow_up(
    *, actor, recommendation: Recommendation, status: str, on: datetime.date, note: str = ""
) -> RecommendationUpdate:
    """Phase E: the action's status at a date (kept as a dated update, the latest shown)."""
    if status not in RecommendationStatus.values:
        raise ValidationError({"status": _("Okänd status.")})
    if on is None:
        raise ValidationError({"on": _("Ange datum för uppföljningen.")})
    update = RecommendationUpdate.objects.create(
        recommendation=recommendation, on=on, status=status, note=note.strip(), by=_user(actor)
    )
    before = recommendation.status
    if recommendation.status_on is None or on >= recommendation.status_on:
        recommendation.status, recommendation.status_on = status, on
        recommendation.save(update_fields=["status", "status_on"])
    log_action(
        "interventions.review.recommendation_followed_up",
        actor=_user(actor),
        organisation=recommendation.review.organisation,
        obj=recommendation.review,
        changes={
            "recommendation": recommendation.pk,
            "status": [before, status],
            "on": str(on),
            "note": update.note,
        },
    )
    return update


# --------------------------------------------------------------------------- the decision


@transaction.atomic
def decision_record(
    *,
    actor,
    review: Review,
    body: GovernanceBody,
    decided_on: datetime.date,
    minutes_reference: str,
    text: str,
) -> ReviewDecision:
    errors = {}
    if body is None or body.organisation_id != review.organisation_id:
        errors["body"] = _("Välj ett av den ägande organisationens organ.")
    if decided_on is None:
        errors["decided_on"] = _("Ange beslutsdatum.")
    if not (minutes_reference or "").strip():
        errors["minutes_reference"] = _("Ange protokollsreferens, t.ex. paragraf i protokollet.")
    if not (text or "").strip():
        errors["text"] = _("Skriv beslutet.")
    if errors:
        raise ValidationError(errors)
    decision = ReviewDecision.objects.create(
        review=review,
        body=body,
        decided_on=decided_on,
        minutes_reference=minutes_reference.strip(),
        text=text.strip(),
        phase=review.phase,
        recorded_by=_user(actor),
    )
    log_action(
        "interventions.review.decided",
        actor=_user(actor),
        organisation=review.organisation,
        obj=review,
        changes={
            "body": body.name,
            "decided_on": str(decided_on),
            "minutes_reference": decision.minutes_reference,
            "text": decision.text,
            "phase": decision.phase,
        },
    )
    return decision


# --------------------------------------------------------------------------- the external reviewer


def reviewer_shares(review: Review) -> models.QuerySet[Share]:
    """The review's active shares: the one share mechanism's query (accounts.services.active_shares)."""
    return accounts_services.active_shares(review)


@transaction.atomic
def reviewer_invite(
    *, actor, review: Review, organisation: Organisation, purpose: str = REVIEW_SHARE_PURPOSE
) -> Share:
    """Share the review with an external reviewer's organisation (accounts.share_grant, audited)."""
    return accounts_services.share_grant(
        actor=_user(actor), owner=review.organisation, obj=review, organisation=organisation, purpose=purpose
    )


@transaction.atomic
def reviewer_revoke(*, actor, review: Review, share: Share) -> None:
    if share.object_id != str(review.pk) or share.content_type != ContentType.objects.get_for_model(Review):
        raise ValidationError(_("Delningen hör inte till genomlysningen."))
    accounts_services.share_revoke(actor=_user(actor), share=share)


def phase_label(phase: str) -> str:
    return str(ReviewPhase(phase).label)
