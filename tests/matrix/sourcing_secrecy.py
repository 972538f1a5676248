"""Matrix entries for secrecy assessments and redacted copies (issue 10 item 3). Written from the
brief, not copied from ``access.RULES``:

* Tomelilla (the world's owner) asked for information in an RFI; RISE (the partner) and Familjeforum
  (the unrelated organisation) each sent a response, RISE's with a request for secrecy on two parts.
  The response is RISE's own document, *held* by Tomelilla, which received it: the assessment of a
  request for it is Tomelilla's.
* Tomelilla's administrators and procurers (the registrar's work) assess and hand out; its analysts
  also read assessments and copies; other roles see nothing of them.
* RISE wrote the response but does not hold it, so it cannot assess it or see the buyer's
  assessment; Familjeforum never sees another respondent's response, nor its assessment.
* The list acts on the user's own organisation (an empty list elsewhere), so the same roles are
  let in in every column.
"""

from __future__ import annotations

import datetime

from insats.accounts.models import Role
from insats.sourcing.secrecy import services
from tests.matrix import NONE, Entry
from tests.sourcing.secrecy_world import build

PROCURERS = frozenset({Role.ADMIN.value, Role.PROCUREMENT.value})
OFFICERS = PROCURERS | {Role.ANALYST.value}
OK = frozenset({200})
REDIRECT = frozenset({302})
CREATED = frozenset({201})
TODAY = datetime.date(2026, 1, 15)


def ensure(w, key: str, factory):
    cache = w.__dict__.setdefault("_matrix_objects", {})
    if key not in cache:
        cache[key] = factory(w)
    return cache[key]


def _parts(response, secret_index=0):
    out = []
    for i, p in enumerate(response.secrecy_parts()):
        secret = i == secret_index
        out.append(
            services.PartInput(
                key=p.key,
                secret=secret,
                legal_ground="31:16" if secret else "",
                motivation="Affärshemlighet." if secret else "",
            )
        )
    return out


def objects(w) -> dict:
    def make(w):
        rfi_world = ensure(w, "rfi_world", build)
        _rfi, response, _other = rfi_world
        decided = services.assessment_create(
            actor=None,
            kind_key="rfi_response",
            document=response,
            requester_name="Anna",
            received_on=TODAY,
            parts=_parts(response),
            decide=True,
        )
        draft = services.assessment_create(
            actor=None, kind_key="rfi_response", document=response, received_on=TODAY, parts=_parts(response)
        )
        handout = services.handout_record(actor=None, assessment=decided, recipient="Anna", fmt="html")
        return {"response": response, "decided": decided, "draft": draft, "handout": handout}

    return ensure(w, "secrecy", make)


def _create_kwargs(w):
    return {"kind": "rfi_response", "pk": objects(w)["response"].pk}


def _form_data(w):
    response = objects(w)["response"]
    data = {
        "requester_name": "Bo",
        "requester_organisation": "",
        "received_on": "2026-01-20",
        "action": "decide",
    }
    for p in _parts(response):
        if p.secret:
            data[f"part-{p.key}-secret"] = "on"
        data[f"part-{p.key}-legal_ground"] = p.legal_ground
        data[f"part-{p.key}-motivation"] = p.motivation
    return data


def _decided(w):
    return {"pk": objects(w)["decided"].pk}


def _draft(w):
    return {"pk": objects(w)["draft"].pk}


HOLDER_ASSESS = {"own": PROCURERS, "partner": NONE, "unrelated": NONE}
HOLDER_READ = {"own": OFFICERS, "partner": NONE, "unrelated": NONE}
API = "api:{} /api/v1/sourcing/secrecy{}"

ENTRIES: dict[str, Entry] = {
    "sourcing:secrecy_list": Entry(ok_statuses=OK, own=OFFICERS, partner=OFFICERS, unrelated=OFFICERS),
    "sourcing:secrecy_create": Entry(kwargs=_create_kwargs, ok_statuses=OK, **HOLDER_ASSESS),
    "sourcing:secrecy_create#post": Entry(
        kwargs=_create_kwargs, method="POST", data=_form_data, ok_statuses=REDIRECT, **HOLDER_ASSESS
    ),
    "sourcing:secrecy_detail": Entry(kwargs=_decided, ok_statuses=OK, **HOLDER_READ),
    "sourcing:secrecy_edit": Entry(kwargs=_draft, ok_statuses=OK, **HOLDER_ASSESS),
    "sourcing:secrecy_edit#post": Entry(
        kwargs=_draft, method="POST", data=_form_data, ok_statuses=REDIRECT, **HOLDER_ASSESS
    ),
    "sourcing:secrecy_copy": Entry(kwargs=_decided, ok_statuses=OK, **HOLDER_READ),
    "sourcing:secrecy_copy_pdf": Entry(kwargs=_decided, ok_statuses=OK, **HOLDER_READ),
    "sourcing:secrecy_handout": Entry(
        kwargs=_decided,
        method="POST",
        data=lambda w: {"recipient": "Bo", "format": "html"},
        ok_statuses=REDIRECT,
        **HOLDER_ASSESS,
    ),
    "sourcing:secrecy_handout_file": Entry(
        kwargs=lambda w: {"pk": objects(w)["decided"].pk, "handout_pk": objects(w)["handout"].pk},
        ok_statuses=OK,
        **HOLDER_READ,
    ),
    # --- API ---------------------------------------------------------------------------------------
    API.format("GET", ""): Entry(ok_statuses=OK, own=OFFICERS, partner=OFFICERS, unrelated=OFFICERS),
    API.format("POST", ""): Entry(
        data=lambda w: {
            "kind": "rfi_response",
            "document_id": objects(w)["response"].pk,
            "received_on": "2026-01-20",
            "parts": [p.__dict__ for p in _parts(objects(w)["response"])],
            "decide": True,
        },
        ok_statuses=CREATED,
        **HOLDER_ASSESS,
    ),
    API.format("GET", "/{assessment_id}"): Entry(
        kwargs=lambda w: {"assessment_id": objects(w)["decided"].pk}, ok_statuses=OK, **HOLDER_READ
    ),
    API.format("POST", "/{assessment_id}/decide"): Entry(
        kwargs=lambda w: {"assessment_id": objects(w)["draft"].pk}, ok_statuses=OK, **HOLDER_ASSESS
    ),
    API.format("GET", "/{assessment_id}/copy"): Entry(
        kwargs=lambda w: {"assessment_id": objects(w)["decided"].pk}, ok_statuses=OK, **HOLDER_READ
    ),
}
