"""Matrix entries for the form advisor (issue 10 item 2), written from the brief, not copied from
``access.RULES``:

* a form assessment / decision is its organisation's internal work: every role of the owner reads
  it; a partner and an unrelated organisation see nothing (404);
* administrators, procurement officers and analysts of the owner walk the advisor and record the
  decision; "list", "new" and the API's create act on the user's own organisation, so the same
  roles are let in in every column;
* the thresholds are national data: the officers who use the advisor (formdecision.edit) of any
  organisation read them; adding a dated amount is for the platform's operators only, so no role
  of any organisation gets in.
"""

from __future__ import annotations

from decimal import Decimal

from insats.accounts.models import Role
from insats.sourcing.advisor import services
from tests.matrix import ALL, NONE, Entry

OFFICERS = frozenset({Role.ADMIN.value, Role.PROCUREMENT.value, Role.ANALYST.value})
OK = frozenset({200})
CREATED = frozenset({201})
REDIRECT = frozenset({302})

EVERYWHERE_ALL = {"own": ALL, "partner": ALL, "unrelated": ALL}
EVERYWHERE_OFFICERS = {"own": OFFICERS, "partner": OFFICERS, "unrelated": OFFICERS}
OWN_READ = {"own": ALL, "partner": NONE, "unrelated": NONE}
OWN_EDIT = {"own": OFFICERS, "partner": NONE, "unrelated": NONE}
NOBODY = {"own": NONE, "partner": NONE, "unrelated": NONE}
API = "api:{} /api/v1/sourcing/decisions{}"

ANSWERS = {"order": "nej", "idea_based": "ja", "self_running": "nej", "market": "nej"}


def _decision(w):
    cache = w.__dict__.setdefault("_matrix_objects", {})
    if "advisor" not in cache:
        cache["advisor"] = services.decision_create(
            actor=None, organisation=w.orgs["owner"], title="Familjen läser", answers=ANSWERS
        )
    return cache["advisor"]


def _pk(w):
    return {"pk": _decision(w).pk}


ENTRIES: dict[str, Entry] = {
    "sourcing:decision_list": Entry(ok_statuses=OK, **EVERYWHERE_ALL),
    "sourcing:decision_create": Entry(ok_statuses=OK, **EVERYWHERE_OFFICERS),
    "sourcing:decision_create#post": Entry(
        method="POST",
        data=lambda w: {"title": "Nytt behov", **ANSWERS, "estimated_value": ""},
        ok_statuses=REDIRECT,
        **EVERYWHERE_OFFICERS,
    ),
    "sourcing:decision_detail": Entry(kwargs=_pk, ok_statuses=OK, **OWN_READ),
    "sourcing:decision_decide": Entry(
        kwargs=_pk,
        method="POST",
        data=lambda w: {"chosen": "iop", "departure_reason": ""},
        ok_statuses=REDIRECT,
        **OWN_EDIT,
    ),
    "sourcing:decision_revise": Entry(kwargs=_pk, ok_statuses=OK, **OWN_EDIT),
    "sourcing:threshold_list": Entry(ok_statuses=OK, **EVERYWHERE_OFFICERS),
    "sourcing:threshold_create": Entry(ok_statuses=OK, **NOBODY),
    # --- API -----------------------------------------------------------------------------------
    API.format("GET", ""): Entry(ok_statuses=OK, **EVERYWHERE_ALL),
    API.format("POST", ""): Entry(
        data=lambda w: {
            "title": "API-behov",
            "answers": {"order": True},
            "estimated_value": str(Decimal(500000)),
        },
        ok_statuses=CREATED,
        **EVERYWHERE_OFFICERS,
    ),
    API.format("GET", "/{decision_id}"): Entry(
        kwargs=lambda w: {"decision_id": _decision(w).pk}, ok_statuses=OK, **OWN_READ
    ),
    API.format("POST", "/{decision_id}/decide"): Entry(
        kwargs=lambda w: {"decision_id": _decision(w).pk},
        data=lambda w: {"chosen": "iop"},
        ok_statuses=OK,
        **OWN_EDIT,
    ),
}
