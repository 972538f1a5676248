"""Matrix entries for the RFI analysis (issue 10 item 3), from the brief:

* the answers side by side, their filters and exports are the asking organisation's (Tomelilla, the
  world's owner): its administrators, procurers and analysts;
* the partner (RISE) was invited to the RFI (a Share) and answered it: it reads the RFI but never
  the analysis — a respondent never sees another respondent's answers; the unrelated organisation
  (which also answered) sees nothing of it either.
"""

from __future__ import annotations

from insats.accounts import services as accounts
from insats.accounts.models import Role
from tests.matrix import NONE, Entry
from tests.sourcing.secrecy_world import build

OFFICERS = frozenset({Role.ADMIN.value, Role.PROCUREMENT.value, Role.ANALYST.value})
OK = frozenset({200})


def ensure(w, key: str, factory):
    cache = w.__dict__.setdefault("_matrix_objects", {})
    if key not in cache:
        cache[key] = factory(w)
    return cache[key]


def rfi(w):
    def make(w):
        the_rfi, _partner, _other = ensure(w, "rfi_world", build)
        accounts.share_create(
            actor=None,
            owner=w.orgs["owner"],
            obj=the_rfi,
            organisation=w.orgs["partner"],
            purpose="rfi",
            action="sourcing.rfi.shared",
        )
        return the_rfi

    return ensure(w, "rfi_analysed", make)


def _pk(w):
    return {"pk": rfi(w).pk}


def _no_partner_answers(world, org, role, response):
    """What a let-in reader got must name both respondents (it is the buyer's own analysis)."""
    body = response.content.decode("utf-8", "replace") if response["Content-Type"].startswith("text/") else ""
    if body and "RISE" not in body:
        return "the analysis does not show the partner's answers to the buyer"
    return None


BUYER = {"own": OFFICERS, "partner": NONE, "unrelated": NONE}

ENTRIES: dict[str, Entry] = {
    "sourcing:rfi_analysis": Entry(kwargs=_pk, ok_statuses=OK, content=_no_partner_answers, **BUYER),
    "sourcing:rfi_analysis_xlsx": Entry(kwargs=_pk, ok_statuses=OK, **BUYER),
    "sourcing:rfi_analysis_pdf": Entry(kwargs=_pk, ok_statuses=OK, **BUYER),
    "api:GET /api/v1/sourcing/rfis/{rfi_id}/analysis": Entry(
        kwargs=lambda w: {"rfi_id": rfi(w).pk}, ok_statuses=OK, **BUYER
    ),
}
