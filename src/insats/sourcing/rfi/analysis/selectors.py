"""The answers to an RFI side by side: one table per question, one row per submitted response,
filtered by yes/no questions (``outcome_payment`` = ja, ``pilot`` = ja) and by choice.

Only submitted responses are analysed (a draft was never sent; a withdrawn one was taken back).
Answers the respondent asked to keep secret are marked: the buyer reads its own received documents,
but what is handed out to others goes through a secrecy assessment (``sourcing.secrecy``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from insats.sourcing.rfi.models import QuestionKind, ResponseStatus, Rfi, RfiResponse

YES, NO = "ja", "nej"


@dataclass(frozen=True)
class Filter:
    param: str  # the GET parameter, e.g. "f_pilot"
    question_id: int
    label: str
    options: list[tuple[str, str]]
    selected: str = ""


@dataclass(frozen=True)
class Row:
    response_id: int
    respondent: str
    answer: str
    follow_up: str = ""
    secrecy_requested: bool = False
    secrecy_reason: str = ""


@dataclass(frozen=True)
class QuestionTable:
    question_id: int
    key: str
    order: int
    text: str
    kind: str
    rows: list[Row]


@dataclass(frozen=True)
class Offered:
    response_id: int
    respondent: str
    competences: str
    resources: str
    secrecy_requested: bool  # on any answer of the response


@dataclass
class Analysis:
    rfi: Rfi
    filters: list[Filter]
    tables: list[QuestionTable]
    offered: list[Offered]
    respondents: list[RfiResponse]
    submitted_count: int
    active_filters: list[tuple[str, str]] = field(default_factory=list)  # (question, value) shown


def param_for(question) -> str:
    return f"f_{question.key}" if question.key else f"f_q{question.pk}"


def _answer_text(answer) -> str:
    kind = answer.question.kind
    if kind == QuestionKind.YESNO:
        return "" if answer.yes is None else (str(_("Ja")) if answer.yes else str(_("Nej")))
    return answer.display


def _matches(answer, question, value: str) -> bool:
    if answer is None:
        return False
    if question.kind == QuestionKind.YESNO:
        return answer.yes is (value == YES)
    return answer.choice == value


def analyse(rfi: Rfi, params: Mapping[str, str] | None = None) -> Analysis:
    params = params or {}
    questions = list(rfi.questions.all())
    responses = list(
        rfi.responses.filter(status=ResponseStatus.SUBMITTED)
        .select_related("organisation")
        .prefetch_related("answers__question")
        .order_by("organisation__name", "pk")
    )
    answers = {r.pk: {a.question_id: a for a in r.answers.all()} for r in responses}

    filters: list[Filter] = []
    active: list[tuple[object, str]] = []
    labels: list[tuple[str, str]] = []
    for q in questions:
        if q.kind == QuestionKind.YESNO:
            options = [(YES, str(_("Ja"))), (NO, str(_("Nej")))]
        elif q.kind == QuestionKind.CHOICE:
            options = [(str(c), str(c)) for c in (q.choices or [])]
        else:
            continue
        selected = params.get(param_for(q), "")
        if selected not in {v for v, _label in options}:
            selected = ""
        filters.append(Filter(param_for(q), q.pk, q.text, options, selected))
        if selected:
            active.append((q, selected))
            labels.append((q.text, dict(options)[selected]))

    kept = [r for r in responses if all(_matches(answers[r.pk].get(q.pk), q, v) for q, v in active)]

    tables = []
    for q in questions:
        rows = []
        for r in kept:
            a = answers[r.pk].get(q.pk)
            rows.append(
                Row(
                    response_id=r.pk,
                    respondent=r.organisation.name,
                    answer=_answer_text(a) if a else "",
                    follow_up=(a.follow_up_text if a and q.kind == QuestionKind.YESNO else ""),
                    secrecy_requested=bool(a and a.secrecy_requested),
                    secrecy_reason=a.secrecy_reason if a else "",
                )
            )
        tables.append(QuestionTable(q.pk, q.key, q.order, q.text, q.kind, rows))
    offered = [
        Offered(
            r.pk,
            r.organisation.name,
            r.competences,
            r.resources,
            any(a.secrecy_requested for a in answers[r.pk].values()),
        )
        for r in kept
    ]
    return Analysis(rfi, filters, tables, offered, kept, len(responses), labels)
