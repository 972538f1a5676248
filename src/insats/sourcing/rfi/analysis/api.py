"""API: an RFI's analysis as JSON (the answers side by side, with the same filters as the page),
mounted beside the RFI router at /api/v1/sourcing/rfis/{rfi_id}/analysis."""

from __future__ import annotations

from ninja import Field, Router, Schema

from insats.accounts import access
from insats.platform.api import ERRORS, actor_of
from insats.sourcing.rfi.models import Rfi

from .selectors import analyse

router = Router(tags=["Samverkan"])


class RowOut(Schema):
    response_id: int
    respondent: str
    answer: str
    follow_up: str
    secrecy_requested: bool = Field(description="The respondent asked for secrecy on this answer.")
    secrecy_reason: str


class TableOut(Schema):
    question_id: int
    key: str
    text: str
    kind: str
    rows: list[RowOut]


class OfferedOut(Schema):
    response_id: int
    respondent: str
    competences: str
    resources: str
    secrecy_requested: bool


class AnalysisOut(Schema):
    rfi_id: int
    submitted_count: int
    shown_count: int
    filters: dict[str, str] = Field(description="The filters applied: parameter → value.")
    questions: list[TableOut]
    offered: list[OfferedOut]


@router.get(
    "/{rfi_id}/analysis",
    response={200: AnalysisOut, **ERRORS},
    operation_id="sourcing_rfi_analysis",
    summary="The submitted answers side by side; filter with f_<question key>=ja|nej|<choice>",
)
def rfi_analysis(request, rfi_id: int):
    actor = actor_of(request)
    access.check(actor, "rfi.analyse")
    rfi = access.get_or_404(actor, Rfi.objects.all(), "rfi.analyse", pk=rfi_id)
    params = {k: v for k, v in request.GET.items() if k.startswith("f_")}
    a = analyse(rfi, params)
    return {
        "rfi_id": rfi.pk,
        "submitted_count": a.submitted_count,
        "shown_count": len(a.respondents),
        "filters": {f.param: f.selected for f in a.filters if f.selected},
        "questions": [
            {
                "question_id": t.question_id,
                "key": t.key,
                "text": t.text,
                "kind": t.kind,
                "rows": [r.__dict__ for r in t.rows],
            }
            for t in a.tables
        ],
        "offered": [o.__dict__ for o in a.offered],
    }
