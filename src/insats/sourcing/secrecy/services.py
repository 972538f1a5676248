"""Secrecy assessments: create (with a decision per part), decide, produce the redacted copy and hand
it out. Every change is audited in the same transaction; nothing is half-saved.

The copy is produced from the document's parts now (``secrecy_parts()``) and the assessment's
decisions (:func:`.redaction.redact`), so it omits exactly the parts decided secret.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from insats.audit.services import log_action

from . import registry
from .models import (
    AssessmentStatus,
    HandOutFormat,
    SecrecyAssessment,
    SecrecyAssessmentPart,
    SecrecyDecision,
    SecrecyHandOut,
)
from .provisions import BY_KEY
from .redaction import DocumentChanged, PartDecision, RedactedPart, redact, text_digest


@dataclass(frozen=True)
class PartInput:
    key: str
    secret: bool
    legal_ground: str = ""
    motivation: str = ""


def _user(actor):
    user = getattr(actor, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def _name(user) -> str:
    if user is None:
        return ""
    return getattr(user, "full_name", "") or getattr(user, "email", "") or str(user)


def document_for(kind: registry.DocumentKind, pk) -> object | None:
    return kind.queryset().filter(pk=pk).first()


def derived_decision(secret_flags: list[bool]) -> str:
    """Lämnas ut when nothing is secret, inte ut when everything is, else delvis (maskad)."""
    if not any(secret_flags):
        return SecrecyDecision.DISCLOSE
    if all(secret_flags):
        return SecrecyDecision.WITHHOLD
    return SecrecyDecision.PARTIAL


def _set_parts(
    assessment: SecrecyAssessment, document, parts: list[PartInput]
) -> list[SecrecyAssessmentPart]:
    doc_parts = list(document.secrecy_parts())
    by_key = {p.key: p for p in parts}
    unknown = sorted(set(by_key) - {p.key for p in doc_parts})
    if unknown:
        raise ValidationError(
            {"parts": _("Handlingen har ingen del %(keys)s.") % {"keys": ", ".join(unknown)}}
        )
    missing = [p.label for p in doc_parts if p.key not in by_key]
    if missing:
        raise ValidationError(
            {
                "parts": _("Pröva varje del av handlingen; saknas: %(labels)s.")
                % {"labels": "; ".join(missing)}
            }
        )
    if len(by_key) != len(parts):
        raise ValidationError({"parts": _("En del förekommer två gånger.")})
    assessment.parts.all().delete()
    rows = []
    errors: dict[str, list] = {}
    for order, dp in enumerate(doc_parts):
        given = by_key[dp.key]
        if given.legal_ground and given.legal_ground not in BY_KEY:
            errors.setdefault(f"part-{dp.key}-legal_ground", []).append(
                _("Okänd grund i OSL: %(g)s.") % {"g": given.legal_ground}
            )
            continue
        row = SecrecyAssessmentPart(
            assessment=assessment,
            order=order,
            key=dp.key,
            label=dp.label,
            requested=dp.requested,
            secret=bool(given.secret),
            legal_ground=given.legal_ground if given.secret else "",
            motivation=(given.motivation or "").strip(),
            text_sha256=text_digest(dp.text),
        )
        try:
            row.full_clean(exclude=["assessment"])
        except ValidationError as exc:
            for name, errs in exc.message_dict.items():
                errors.setdefault(f"part-{dp.key}-{name}", []).extend(errs)
            continue
        rows.append(row)
    if errors:
        raise ValidationError(errors)
    return SecrecyAssessmentPart.objects.bulk_create(rows)


def _snapshot(assessment: SecrecyAssessment) -> dict:
    return {
        "document": f"{assessment.document_kind}:{assessment.object_id}",
        "requester_name": assessment.requester_name,
        "requester_organisation": assessment.requester_organisation,
        "received_on": assessment.received_on.isoformat() if assessment.received_on else None,
        "status": assessment.status,
        "decision": assessment.decision,
        "parts": [
            {"key": p.key, "masked": p.secret, "legal_ground": p.legal_ground, "requested": p.requested}
            for p in assessment.parts.all()
        ],
    }


def _check_received(received_on) -> None:
    if received_on is None:
        raise ValidationError({"received_on": _("Ange när begäran kom in.")})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("Begäran kan inte ha kommit in i framtiden.")})


@transaction.atomic
def assessment_create(
    *,
    actor,
    kind_key: str,
    document,
    requester_name: str = "",
    requester_organisation: str = "",
    received_on: datetime.date | None,
    parts: list[PartInput],
    decide: bool = False,
) -> SecrecyAssessment:
    kind = registry.get(kind_key)
    if kind is None:
        raise ValidationError({"kind": _("Okänd typ av handling.")})
    holder = kind.holder_id(document)
    if holder is None:
        raise ValidationError({"document": _("Handlingen har ingen mottagare som förvarar den.")})
    _check_received(received_on)
    assessment = SecrecyAssessment.objects.create(
        organisation_id=holder,
        document_kind=kind.key,
        content_type=ContentType.objects.get_for_model(document),
        object_id=str(document.pk),
        document_title=str(document.secrecy_title())[:400],
        requester_name=(requester_name or "").strip()[:200],
        requester_organisation=(requester_organisation or "").strip()[:200],
        received_on=received_on,
        created_by=_user(actor),
    )
    _set_parts(assessment, document, parts)
    log_action(
        "sourcing.secrecy.created",
        actor=_user(actor),
        organisation=assessment.organisation,
        obj=assessment,
        changes=_snapshot(assessment),
    )
    if decide:
        assessment = assessment_decide(actor=actor, assessment=assessment)
    return assessment


@transaction.atomic
def assessment_update(
    *,
    actor,
    assessment: SecrecyAssessment,
    requester_name: str,
    requester_organisation: str,
    received_on: datetime.date | None,
    parts: list[PartInput],
    decide: bool = False,
) -> SecrecyAssessment:
    assessment = SecrecyAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_decided:
        raise ValidationError(
            _("Prövningen är beslutad och kan inte ändras. Gör en ny prövning för en ny begäran.")
        )
    document = assessment.document
    if document is None:
        raise ValidationError({"document": _("Handlingen finns inte längre.")})
    _check_received(received_on)
    assessment.requester_name = (requester_name or "").strip()[:200]
    assessment.requester_organisation = (requester_organisation or "").strip()[:200]
    assessment.received_on = received_on
    assessment.save()
    _set_parts(assessment, document, parts)
    log_action(
        "sourcing.secrecy.updated",
        actor=_user(actor),
        organisation=assessment.organisation,
        obj=assessment,
        changes=_snapshot(assessment),
    )
    if decide:
        assessment = assessment_decide(actor=actor, assessment=assessment)
    return assessment


@transaction.atomic
def assessment_decide(*, actor, assessment: SecrecyAssessment) -> SecrecyAssessment:
    assessment = SecrecyAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_decided:
        raise ValidationError(_("Prövningen är redan beslutad."))
    parts = list(assessment.parts.all())
    if not parts:
        raise ValidationError({"parts": _("Prövningen har inga delar.")})
    for p in parts:
        p.full_clean(exclude=["assessment"])
    user = _user(actor)
    assessment.decision = derived_decision([p.secret for p in parts])
    assessment.status = AssessmentStatus.DECIDED
    assessment.decided_on = timezone.localdate()
    assessment.decided_by = user
    assessment.decided_by_name = _name(user)
    assessment.save()
    log_action(
        "sourcing.secrecy.decided",
        actor=user,
        organisation=assessment.organisation,
        obj=assessment,
        changes=_snapshot(assessment),
    )
    return assessment


# --------------------------------------------------------------------------- the redacted copy


def redacted_parts(assessment: SecrecyAssessment) -> list[RedactedPart]:
    """The document's parts as they may be handed out; ValidationError if the document is gone or
    changed since the assessment."""
    document = assessment.document
    if document is None:
        raise ValidationError(_("Handlingen finns inte längre."))
    decisions = {
        p.key: PartDecision(secret=p.secret, legal_ground=p.legal_ground, text_sha256=p.text_sha256)
        for p in assessment.parts.all()
    }
    try:
        return redact(document.secrecy_parts(), decisions)
    except DocumentChanged as exc:
        raise ValidationError(
            _("Delen %(key)s har ändrats sedan prövningen. Gör en ny prövning.") % {"key": exc.key}
        ) from None


def copy_context(assessment: SecrecyAssessment) -> dict:
    return {
        "assessment": assessment,
        "parts": redacted_parts(assessment),
        "kind": registry.get(assessment.document_kind),
        "generated": timezone.localtime(),
    }


def copy_html(assessment: SecrecyAssessment, *, standalone: bool = True) -> str:
    """The redacted copy as a whole HTML document (what the PDF is made from, and the HTML hand-out).
    Always in Swedish: it is the authority's document."""
    with translation.override("sv"):
        return render_to_string("sourcing/secrecy/copy_document.html", copy_context(assessment))


def copy_pdf(assessment: SecrecyAssessment) -> bytes:
    from insats.platform.pdf import html_to_pdf

    return html_to_pdf(copy_html(assessment))


@transaction.atomic
def handout_record(*, actor, assessment: SecrecyAssessment, recipient: str, fmt: str) -> SecrecyHandOut:
    assessment = SecrecyAssessment.objects.select_for_update().get(pk=assessment.pk)
    if not assessment.is_decided:
        raise ValidationError(_("Prövningen måste vara beslutad innan en kopia lämnas ut."))
    if assessment.decision == SecrecyDecision.WITHHOLD:
        raise ValidationError(_("Beslutet är att handlingen inte lämnas ut."))
    recipient = (recipient or "").strip()
    if not recipient:
        raise ValidationError({"recipient": _("Ange vem kopian lämnas ut till.")})
    if fmt not in HandOutFormat.values:
        raise ValidationError({"format": _("Välj PDF eller HTML.")})
    content = copy_pdf(assessment) if fmt == HandOutFormat.PDF else copy_html(assessment).encode("utf-8")
    user = _user(actor)
    handout = SecrecyHandOut.objects.create(
        assessment=assessment,
        handed_out_at=timezone.now(),
        handed_out_by=user,
        handed_out_by_name=_name(user),
        recipient=recipient[:300],
        format=fmt,
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )
    log_action(
        "sourcing.secrecy.handed_out",
        actor=user,
        organisation=assessment.organisation,
        obj=assessment,
        changes={
            "handout": handout.pk,
            "recipient": handout.recipient,
            "format": fmt,
            "sha256": handout.sha256,
            "masked_parts": [p.key for p in assessment.parts.all() if p.secret],
        },
    )
    return handout
