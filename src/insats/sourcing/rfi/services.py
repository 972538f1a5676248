"""Workflows of the market dialogue (RFI): the buyer writes, publishes, closes or cancels an RFI; a
respondent drafts, submits (with a receipt) or withdraws its response. Every change is audited in the
same transaction; bad input raises a ``ValidationError`` naming the field, and nothing half-saves.

After the deadline nothing changes: the server's clock decides (``Rfi.is_open_for_answers``), and a
late attempt is refused *and* audited (the refusal's entry is written before the error is raised,
outside the work's transaction, so it stays).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.audit.services import log_action
from insats.sourcing.documents.services import attachment_add, attachments_of

from .models import (
    QuestionKind,
    ResponseStatus,
    Rfi,
    RfiAnswer,
    RfiFigure,
    RfiQuestion,
    RfiResponse,
    RfiStatus,
)

# The default secrecy information (seed 000's section, with the law's paragraphs named).
DEFAULT_SECRECY_INFO = (
    "Kommunen avser att använda svaren endast för internt bruk. Kommunen lyder dock under "
    "offentlighetsprincipen och är skyldig att lämna ut allmänna handlingar som inte omfattas av "
    "sekretess. En individuell prövning enligt offentlighets- och sekretesslagen (2009:400) görs varje "
    "gång en handling begärs ut – för uppgifter om en enskilds affärs- eller driftförhållanden i "
    "31 kap. 16 § OSL och, medan en upphandling pågår, 19 kap. 3 § OSL. Om ni vill att uppgifter ni "
    "lämnar ska omfattas av sekretess: kryssa i ”Begär sekretess” vid svaret och ange vilka uppgifter "
    "det gäller och skälen, till exempel vilken skada ni skulle lida om de blev kända. Kommunen kan inte "
    "garantera att uppgifterna bedöms vara sekretessbelagda, och ett beslut om sekretess kan överklagas "
    "och prövas av domstol."
)

# Seed 000's nine questions (Tomelilla kommun's RFI, 2022): (key, kind, text, follow-up).
SEED_QUESTIONS: list[tuple[str, str, str, str]] = [
    (
        "experience",
        QuestionKind.TEXT,
        "Beskriv på vilket sätt er organisation har erfarenhet av att arbeta med målgruppen?",
        "",
    ),
    ("needs", QuestionKind.TEXT, "Vad anser ni målgruppens största behov vara?", ""),
    (
        "ongoing",
        QuestionKind.YESNO,
        "Har ni pågående insatser som möter dessa behov, alternativt erfarenheter från projekt eller "
        "upphandlingar som adresserar liknande problem- eller behovsbilder?",
        "Om ja, vilka?",
    ),
    (
        "effects",
        QuestionKind.TEXT,
        "Om ja, beskriv vad ni gör/ har gjort. Har ni följt upp effekter av era insatser? I sådana fall "
        "hur och med vilket utfall?",
        "",
    ),
    (
        "collaboration",
        QuestionKind.TEXT,
        "Har ni tankar om hur ni skulle vilja samverka med andra aktörer för att på ett mer effektivt "
        "sätt möta målgruppens behov?",
        "",
    ),
    (
        "outcome_payment",
        QuestionKind.YESNO,
        "Har ni erfarenhet av och/eller intresse av att få ersättning baserat på sociala effekter/utfall?",
        "Om ja, beskriv er erfarenhet eller ert intresse.",
    ),
    (
        "outcome_support",
        QuestionKind.TEXT,
        "Vilket typ av stöd skulle ni behöva för att ingå i ett avtal med en offentlig aktör där "
        "betalning kopplas till uppnådda sociala effekter/utfall?",
        "",
    ),
    (
        "pilot",
        QuestionKind.YESNO,
        "Skulle ni vara intresserade av att vara med i en pilotfas där nya lösningar testas, innan "
        "upphandling sker?",
        "",
    ),
    (
        "pilot_resources",
        QuestionKind.TEXT,
        "Om ja, vilka kompetenser kan ni i sådana fall bidra med? Har ni personella/finansiella resurser "
        "för att delta?",
        "",
    ),
]

RFI_FIELDS = (
    "title",
    "background",
    "purpose",
    "challenge",
    "target_group",
    "compensation",
    "secrecy_info",
    "deadline",
    "contact_name",
    "contact_email",
    "is_public",
)
QUESTION_FIELDS = (
    "order",
    "text",
    "help_text",
    "kind",
    "choices",
    "scale_min",
    "scale_max",
    "follow_up",
    "required",
    "key",
)


ANSWER_FIELDS = (
    "text",
    "choice",
    "scale_value",
    "yes",
    "follow_up_text",
    "secrecy_requested",
    "secrecy_reason",
)


def _user(actor):
    return getattr(actor, "user", actor) if actor is not None else None


def _plain(value):
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


# --------------------------------------------------------------------------- the buyer's RFI


def _not_locked(rfi: Rfi) -> None:
    if rfi.status in (RfiStatus.CLOSED, RfiStatus.CANCELLED):
        raise ValidationError(
            _("Dialogen är %(status)s och kan inte längre ändras.")
            % {"status": rfi.get_status_display().lower()}
        )


@transaction.atomic
def rfi_create(*, actor, organisation, values: dict, results=(), form_decision=None) -> Rfi:
    rfi = Rfi(organisation=organisation, created_by=_user(actor), form_decision=form_decision)
    for name in RFI_FIELDS:
        if name in values:
            setattr(rfi, name, values[name])
    if not rfi.secrecy_info:
        rfi.secrecy_info = DEFAULT_SECRECY_INFO
    rfi.full_clean()
    rfi.save()
    rfi.results.set(list(results))
    log_action(
        "sourcing.rfi.created",
        actor=_user(actor),
        organisation=organisation,
        obj=rfi,
        changes={"title": rfi.title, "form_decision": form_decision.pk if form_decision else None},
    )
    return rfi


@transaction.atomic
def rfi_update(*, actor, rfi: Rfi, values: dict, results=None) -> Rfi:
    _not_locked(rfi)
    changes = {}
    for name in RFI_FIELDS:
        if name in values and getattr(rfi, name) != values[name]:
            changes[name] = {"from": _plain(getattr(rfi, name)), "to": _plain(values[name])}
            setattr(rfi, name, values[name])
    if rfi.status == RfiStatus.PUBLISHED and rfi.deadline and rfi.deadline <= timezone.now():
        raise ValidationError(
            {"deadline": _("Sista svarsdag måste ligga i framtiden för en publicerad dialog.")}
        )
    rfi.full_clean()
    rfi.save()
    if results is not None:
        before = set(rfi.results.values_list("pk", flat=True))
        after = {r.pk for r in results}
        if before != after:
            rfi.results.set(list(results))
            changes["results"] = {"from": sorted(before), "to": sorted(after)}
    if changes:
        log_action(
            "sourcing.rfi.updated",
            actor=_user(actor),
            organisation=rfi.organisation,
            obj=rfi,
            changes=changes,
        )
    return rfi


def publish_problems(rfi: Rfi) -> dict[str, str]:
    """What stops ``rfi`` from being published, per field (empty: it may be)."""
    problems = {}
    if not rfi.title.strip():
        problems["title"] = _("Ange en rubrik som beskriver utmaningen.")
    if not rfi.questions.exists():
        problems["questions"] = _("Lägg till minst en fråga.")
    if rfi.deadline is None:
        problems["deadline"] = _("Ange sista svarsdag.")
    elif rfi.deadline <= timezone.now():
        problems["deadline"] = _("Sista svarsdag måste ligga i framtiden.")
    return problems


@transaction.atomic
def rfi_publish(*, actor, rfi: Rfi) -> Rfi:
    rfi = Rfi.objects.select_for_update().get(pk=rfi.pk)
    if rfi.status != RfiStatus.DRAFT:
        raise ValidationError({"status": _("Bara ett utkast kan publiceras.")})
    problems = publish_problems(rfi)
    if problems:
        raise ValidationError(problems)
    rfi.status = RfiStatus.PUBLISHED
    rfi.published_at = timezone.now()
    rfi.save(update_fields=["status", "published_at", "updated_at"])
    log_action(
        "sourcing.rfi.published",
        actor=_user(actor),
        organisation=rfi.organisation,
        obj=rfi,
        changes={"deadline": rfi.deadline.isoformat(), "is_public": rfi.is_public},
    )
    return rfi


@transaction.atomic
def rfi_close(*, actor, rfi: Rfi) -> Rfi:
    rfi = Rfi.objects.select_for_update().get(pk=rfi.pk)
    if rfi.status != RfiStatus.PUBLISHED:
        raise ValidationError({"status": _("Bara en publicerad dialog kan avslutas.")})
    rfi.status = RfiStatus.CLOSED
    rfi.save(update_fields=["status", "updated_at"])
    log_action("sourcing.rfi.closed", actor=_user(actor), organisation=rfi.organisation, obj=rfi)
    return rfi


@transaction.atomic
def rfi_cancel(*, actor, rfi: Rfi) -> Rfi:
    rfi = Rfi.objects.select_for_update().get(pk=rfi.pk)
    if rfi.status not in (RfiStatus.DRAFT, RfiStatus.PUBLISHED):
        raise ValidationError({"status": _("Dialogen är redan avslutad eller avbruten.")})
    before = rfi.status
    rfi.status = RfiStatus.CANCELLED
    rfi.save(update_fields=["status", "updated_at"])
    log_action(
        "sourcing.rfi.cancelled",
        actor=_user(actor),
        organisation=rfi.organisation,
        obj=rfi,
        changes={"status": {"from": before, "to": rfi.status}},
    )
    return rfi


# --------------------------------------------------------------------------- questions


def _check_question(q: RfiQuestion) -> None:
    errors = {}
    if not (q.text or "").strip():
        errors["text"] = _("Skriv frågan.")
    if q.kind == QuestionKind.CHOICE and len([c for c in q.choices if str(c).strip()]) < 2:
        errors["choices"] = _("En valfråga behöver minst två svarsalternativ.")
    if q.kind == QuestionKind.SCALE:
        if q.scale_min is None or q.scale_max is None:
            errors["scale_min"] = _("En skalfråga behöver ett lägsta och ett högsta värde.")
        elif q.scale_min >= q.scale_max:
            errors["scale_max"] = _("Skalans högsta värde måste vara större än det lägsta.")
    if q.key and RfiQuestion.objects.filter(rfi=q.rfi, key=q.key).exclude(pk=q.pk).exists():
        errors["key"] = _("Nyckeln %(key)s används redan av en annan fråga.") % {"key": q.key}
    if errors:
        raise ValidationError(errors)


def _questions_editable(rfi: Rfi) -> None:
    if rfi.status != RfiStatus.DRAFT:
        raise ValidationError(_("Frågorna kan bara ändras medan dialogen är ett utkast."))


@transaction.atomic
def question_add(*, actor, rfi: Rfi, values: dict) -> RfiQuestion:
    _questions_editable(rfi)
    q = RfiQuestion(rfi=rfi)
    for name in QUESTION_FIELDS:
        if name in values and values[name] is not None:
            setattr(q, name, values[name])
    if not values.get("order"):
        q.order = (rfi.questions.aggregate(m=Max("order"))["m"] or 0) + 1
    _check_question(q)
    q.full_clean()
    q.save()
    log_action(
        "sourcing.rfi.question_added",
        actor=_user(actor),
        organisation=rfi.organisation,
        obj=rfi,
        changes={"question": q.pk, "text": q.text, "kind": q.kind, "key": q.key},
    )
    return q


@transaction.atomic
def question_update(*, actor, question: RfiQuestion, values: dict) -> RfiQuestion:
    _questions_editable(question.rfi)
    changes = {}
    for name in QUESTION_FIELDS:
        if name in values and values[name] is not None and getattr(question, name) != values[name]:
            changes[name] = {"from": getattr(question, name), "to": values[name]}
            setattr(question, name, values[name])
    _check_question(question)
    question.full_clean()
    question.save()
    if changes:
        log_action(
            "sourcing.rfi.question_updated",
            actor=_user(actor),
            organisation=question.rfi.organisation,
            obj=question.rfi,
            changes={"question": question.pk, **changes},
        )
    return question


@transaction.atomic
def question_delete(*, actor, question: RfiQuestion) -> None:
    rfi = question.rfi
    _questions_editable(rfi)
    log_action(
        "sourcing.rfi.question_deleted",
        actor=_user(actor),
        organisation=rfi.organisation,
        obj=rfi,
        changes={"question": question.pk, "text": question.text},
    )
    question.delete()


@transaction.atomic
def questions_add_seed_set(*, actor, rfi: Rfi) -> list[RfiQuestion]:
    """Add seed 000's nine questions (those whose key the RFI does not have yet), in order."""
    _questions_editable(rfi)
    have = set(rfi.questions.exclude(key="").values_list("key", flat=True))
    added = []
    for key, kind, text, follow_up in SEED_QUESTIONS:
        if key in have:
            continue
        added.append(
            question_add(
                actor=actor, rfi=rfi, values={"key": key, "kind": kind, "text": text, "follow_up": follow_up}
            )
        )
    return added


# --------------------------------------------------------------------------- figures from the lägesbild


@transaction.atomic
def figure_add(*, actor, rfi: Rfi, indicator, area, period: int | None) -> RfiFigure:
    from . import selectors

    _not_locked(rfi)
    if period is None:
        period = selectors.latest_period(indicator, area)
        if period is None:
            raise ValidationError(
                {
                    "indicator": _("Lägesbilden har inget värde för %(ind)s i %(area)s.")
                    % {"ind": indicator.title_sv, "area": area.name}
                }
            )
    elif (
        selectors.latest_period(indicator, area) is None
        or not indicator.observations.filter(area=area, period=period, value__isnull=False).exists()
    ):
        raise ValidationError(
            {
                "period": _("Lägesbilden har inget värde för %(ind)s i %(area)s år %(year)s.")
                % {"ind": indicator.title_sv, "area": area.name, "year": period}
            }
        )
    if RfiFigure.objects.filter(rfi=rfi, indicator=indicator, area=area, period=period).exists():
        raise ValidationError({"indicator": _("Siffran finns redan i dialogen.")})
    order = (rfi.figures.aggregate(m=Max("order"))["m"] or 0) + 1
    fig = RfiFigure.objects.create(rfi=rfi, indicator=indicator, area=area, period=period, order=order)
    log_action(
        "sourcing.rfi.figure_added",
        actor=_user(actor),
        organisation=rfi.organisation,
        obj=rfi,
        changes={"indicator": indicator.code, "area": area.code, "period": period},
    )
    return fig


@transaction.atomic
def figure_remove(*, actor, figure: RfiFigure) -> None:
    rfi = figure.rfi
    _not_locked(rfi)
    log_action(
        "sourcing.rfi.figure_removed",
        actor=_user(actor),
        organisation=rfi.organisation,
        obj=rfi,
        changes={"indicator": figure.indicator.code, "area": figure.area.code, "period": figure.period},
    )
    figure.delete()


# --------------------------------------------------------------------------- the respondent's response


def _ensure_open(*, actor, rfi: Rfi, organisation, what: str) -> None:
    """Refuse (and audit the refusal) when the RFI is no longer open for answers."""
    if rfi.is_open_for_answers:
        return
    log_action(
        "sourcing.rfi.response_refused",
        actor=_user(actor),
        organisation=organisation,
        obj=rfi,
        changes={
            "attempt": what,
            "at": timezone.now().isoformat(),
            "deadline": _plain(rfi.deadline),
            "status": rfi.status,
        },
    )
    if rfi.status == RfiStatus.PUBLISHED:
        raise ValidationError(_("Sista svarsdag har passerat; svaret kan inte längre ändras."))
    raise ValidationError(
        _("Dialogen tar inte emot svar (status: %(status)s).") % {"status": rfi.get_status_display()}
    )


def response_for(*, rfi: Rfi, organisation) -> RfiResponse | None:
    return RfiResponse.objects.filter(rfi=rfi, organisation=organisation).first()


def _answer_problems(q: RfiQuestion, data: dict, number: int) -> dict[str, str]:
    errors = {}
    p = f"q{q.pk}_"
    if q.kind == QuestionKind.CHOICE and data.get("choice") and data["choice"] not in q.choices:
        errors[p + "choice"] = _("Fråga %(n)s: välj ett av alternativen.") % {"n": number}
    scale = data.get("scale_value")
    if q.kind == QuestionKind.SCALE and scale is not None and not (q.scale_min <= scale <= q.scale_max):
        errors[p + "scale_value"] = _("Fråga %(n)s: ange ett värde från %(a)s till %(b)s.") % {
            "n": number,
            "a": q.scale_min,
            "b": q.scale_max,
        }
    if data.get("secrecy_requested") and not (data.get("secrecy_reason") or "").strip():
        errors[p + "secrecy_reason"] = _("Fråga %(n)s: ange skälen för begäran om sekretess.") % {"n": number}
    return errors


@transaction.atomic
def _save(*, actor, rfi: Rfi, organisation, values: dict, answers: dict) -> tuple[RfiResponse, dict]:
    response, created = RfiResponse.objects.select_for_update().get_or_create(
        rfi=rfi, organisation=organisation
    )
    changes: dict = {"created": True} if created else {}
    if response.status != ResponseStatus.DRAFT:
        changes["status"] = {"from": response.status, "to": ResponseStatus.DRAFT}
        response.status = ResponseStatus.DRAFT
    for name in ("competences", "resources"):
        if name in values and getattr(response, name) != values[name]:
            setattr(response, name, values[name])
            changes[name] = True
    errors: dict[str, str] = {}
    questions = list(rfi.questions.all())
    for number, q in enumerate(questions, start=1):
        data = answers.get(q.pk)
        if data is None:
            continue
        errors.update(_answer_problems(q, data, number))
    if errors:
        raise ValidationError(errors)
    response.save()
    for q in questions:
        data = answers.get(q.pk)
        if data is None:
            continue
        answer, _created = RfiAnswer.objects.get_or_create(response=response, question=q)
        for name in ANSWER_FIELDS:
            if name in data:
                value = data[name]
                if value is None and name not in ("scale_value", "yes"):
                    value = False if name == "secrecy_requested" else ""
                setattr(answer, name, value)
        if not answer.secrecy_requested:
            answer.secrecy_reason = ""
        answer.save()
    # Never the content itself in the log: the respondent's answers may be confidential.
    changes["answers"] = sorted(q for q in answers if isinstance(q, int))
    changes["secrecy_requested"] = sorted(
        response.answers.filter(secrecy_requested=True).values_list("question_id", flat=True)
    )
    return response, changes


def response_save(*, actor, rfi: Rfi, organisation, values: dict, answers: dict) -> RfiResponse:
    """Create or change the organisation's draft response. ``answers`` maps a question's pk to its
    fields (``text``, ``choice``, ``scale_value``, ``yes``, ``follow_up_text``, ``secrecy_requested``,
    ``secrecy_reason``). A submitted response that is changed becomes a draft again (it must be
    submitted anew: the buyer sees only what was submitted)."""
    _ensure_open(actor=actor, rfi=rfi, organisation=organisation, what="save")
    with transaction.atomic():
        response, changes = _save(
            actor=actor, rfi=rfi, organisation=organisation, values=values, answers=answers
        )
        log_action(
            "sourcing.rfi.response_saved",
            actor=_user(actor),
            organisation=organisation,
            obj=response,
            changes=changes,
        )
    return response


def canonical_content(response: RfiResponse) -> dict:
    """The response's content as plain data, the same for the same content (the receipt's input)."""
    answers = []
    for a in response.answers.select_related("question").order_by("question__order", "question__pk"):
        answers.append(
            {
                "question": a.question_id,
                "key": a.question.key,
                "text": a.text,
                "choice": a.choice,
                "scale_value": a.scale_value,
                "yes": a.yes,
                "follow_up_text": a.follow_up_text,
                "secrecy_requested": a.secrecy_requested,
                "secrecy_reason": a.secrecy_reason,
            }
        )
    return {
        "rfi": response.rfi_id,
        "organisation": response.organisation_id,
        "competences": response.competences,
        "resources": response.resources,
        "answers": answers,
        "documents": sorted(att.sha256 for att in attachments_of(response)),
    }


def canonical_json(content: dict) -> str:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def receipt_hash(content: dict) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Receipt:
    rfi_title: str
    organisation: str
    submitted_at: object
    sha256: str


def receipt_of(response: RfiResponse) -> Receipt | None:
    if response.status != ResponseStatus.SUBMITTED or not response.receipt_sha256:
        return None
    return Receipt(
        response.rfi.title, response.organisation.name, response.submitted_at, response.receipt_sha256
    )


def _required_problems(response: RfiResponse) -> dict[str, str]:
    errors = {}
    given = {a.question_id: a for a in response.answers.all()}
    for number, q in enumerate(response.rfi.questions.all(), start=1):
        if not q.required:
            continue
        a = given.get(q.pk)
        empty = a is None or (not a.display and not a.text)
        if empty:
            errors[f"q{q.pk}_answer"] = _("Fråga %(n)s är obligatorisk.") % {"n": number}
    has_content = (
        any(a.display or a.text for a in given.values())
        or response.competences.strip()
        or response.resources.strip()
        or attachments_of(response).exists()
    )
    if not has_content:
        errors["answers"] = _("Svara på minst en fråga eller ladda upp ett dokument innan du skickar in.")
    return errors


def response_submit(*, actor, response: RfiResponse) -> RfiResponse:
    rfi = response.rfi
    _ensure_open(actor=actor, rfi=rfi, organisation=response.organisation, what="submit")
    with transaction.atomic():
        response = (
            RfiResponse.objects.select_for_update().select_related("rfi", "organisation").get(pk=response.pk)
        )
        problems = _required_problems(response)
        if problems:
            raise ValidationError(problems)
        content = canonical_content(response)
        response.status = ResponseStatus.SUBMITTED
        response.submitted_at = timezone.now()
        response.submitted_by = _user(actor)
        response.receipt_sha256 = receipt_hash(content)
        response.withdrawn_at = None
        response.save()
        log_action(
            "sourcing.rfi.response_submitted",
            actor=_user(actor),
            organisation=response.organisation,
            obj=response,
            changes={"sha256": response.receipt_sha256, "submitted_at": response.submitted_at.isoformat()},
        )
        _mail_receipt(response)
    return response


def _mail_receipt(response: RfiResponse) -> None:
    """The receipt to the submitter (after commit): the RFI, the time and the hash — no answers."""
    user = response.submitted_by
    if user is None or not user.email:
        return
    body = render_to_string(
        "sourcing/rfi/email/receipt.txt", {"receipt": receipt_of(response), "response": response}
    )
    subject = _("Kvitto: ert svar på ”%(title)s”") % {"title": response.rfi.title}
    to = [user.email]
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to))


def response_withdraw(*, actor, response: RfiResponse) -> RfiResponse:
    _ensure_open(actor=actor, rfi=response.rfi, organisation=response.organisation, what="withdraw")
    with transaction.atomic():
        response = RfiResponse.objects.select_for_update().get(pk=response.pk)
        if response.status != ResponseStatus.SUBMITTED:
            raise ValidationError({"status": _("Bara ett inskickat svar kan återkallas.")})
        response.status = ResponseStatus.WITHDRAWN
        response.withdrawn_at = timezone.now()
        response.save(update_fields=["status", "withdrawn_at", "updated_at"])
        log_action(
            "sourcing.rfi.response_withdrawn",
            actor=_user(actor),
            organisation=response.organisation,
            obj=response,
            changes={"withdrawn_at": response.withdrawn_at.isoformat()},
        )
    return response


def response_upload(*, actor, rfi: Rfi, organisation, upload) -> RfiResponse:
    """Attach a document to the organisation's response (instead of or besides the answers)."""
    _ensure_open(actor=actor, rfi=rfi, organisation=organisation, what="upload")
    with transaction.atomic():
        response, _changes = _save(actor=actor, rfi=rfi, organisation=organisation, values={}, answers={})
        attachment_add(
            actor=actor, target=response, organisation=organisation, upload=upload, purpose="rfi_response"
        )
        log_action(
            "sourcing.rfi.response_saved",
            actor=_user(actor),
            organisation=organisation,
            obj=response,
            changes={"document": getattr(upload, "name", "")},
        )
    return response
