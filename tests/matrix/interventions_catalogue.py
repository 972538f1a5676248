"""Matrix entries for the intervention catalogue (issue 9), written from the brief and DESIGN.md's
"Tenancy and trust":

* an intervention belongs to the organisation that owns it: every role of it reads it (page, history,
  API detail and versions), its administrators and analysts add, change and delete it;
* a partnership alone shares nothing (sharing is explicit): the partner and the unrelated organisation
  get 404;
* a samordningsförbund's members see the förbund's portfolio: an intervention owned by the world's
  förbund is read by every role of Tomelilla (a member) but changed only by the förbund's own
  administrators and analysts (403 for the member's editors, who may see it);
* an intervention shared explicitly with the partner (a Share) is read by every role of the partner;
* the settings page (own age bands and methods) belongs to the organisation's administrators;
* the list, the Excel export, the settings page and "create" act on the user's own organisation,
  so the same roles are let in in every column.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from insats.accounts.access import Actor
from insats.accounts.models import Role, Share
from insats.interventions.catalogue import services as svc
from insats.interventions.catalogue.models import Intervention
from tests.matrix import ALL
from tests.matrix.accounts import FederationEntry as Entry

EDITORS = frozenset({Role.ADMIN.value, Role.ANALYST.value})
EVERYONE = {"own": ALL, "partner": ALL, "unrelated": ALL, "federation": ALL}
EDITORS_EVERYWHERE = {"own": EDITORS, "partner": EDITORS, "unrelated": EDITORS, "federation": EDITORS}
OWN_READ = {"own": ALL}
OWN_EDIT = {"own": EDITORS}
OK = frozenset({200})
CREATED = frozenset({201})
REDIRECT = frozenset({302})


def _ensure(w, key: str, factory):
    cache = w.__dict__.setdefault("_matrix_objects", {})
    if key not in cache:
        cache[key] = factory(w)
    return cache[key]


def _make(w, org: str, name: str) -> Intervention:
    actor = Actor(user=w.user(org, "admin"), membership=w.membership(org, "admin"))
    return svc.save_intervention(
        actor=actor,
        intervention=Intervention(organisation=w.orgs[org]),
        values={"name": name, "intensity": "tidig", "annual_budget": Decimal("100000"), "budget_year": 2024},
        rows={"staffing": [{"profession": "Socionom", "people": 1, "fte": Decimal("1")}]},
    )


def _own(w) -> dict:
    return {"pk": _ensure(w, "catalogue_own", lambda w: _make(w, "owner", "Matrisinsats")).pk}


def _fed(w) -> dict:
    return {"pk": _ensure(w, "catalogue_fed", lambda w: _make(w, "federation", "Förbundets matrisinsats")).pk}


def _shared(w) -> dict:
    def make(w):
        i = _make(w, "owner", "Delad matrisinsats")
        Share.objects.create(
            content_type=ContentType.objects.get_for_model(Intervention),
            object_id=str(i.pk),
            owner=w.orgs["owner"],
            organisation=w.orgs["partner"],
            purpose="insats",
        )
        return i

    return {"pk": _ensure(w, "catalogue_shared", make).pk}


def _api(kwargs):
    return lambda w: {"intervention_id": kwargs(w)["pk"]}


def _form(w) -> dict:
    data = {
        "name": "Ändrad i matrisen",
        "status": "pagaende",
        "intensity": "tidig",
        "evidence_level": "ej_bedomd",
    }
    for prefix in ("staffing", "funding", "reach"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data


def _api_body(w) -> dict:
    return {
        "name": "API-insats",
        "intensity": "riktad",
        "staffing": [{"profession": "Psykolog", "people": 1, "fte": "1"}],
    }


ENTRIES: dict[str, Entry] = {
    "interventions:home": Entry(**EVERYONE),
    "interventions:catalogue_xlsx": Entry(ok_statuses=OK, **EVERYONE),
    "interventions:intervention_create": Entry(ok_statuses=OK, **EDITORS_EVERYWHERE),
    "interventions:intervention_create#post": Entry(
        method="POST", data=_form, ok_statuses=REDIRECT, **EDITORS_EVERYWHERE
    ),
    "interventions:intervention_detail": Entry(kwargs=_own, ok_statuses=OK, **OWN_READ),
    "interventions:intervention_detail#federation": Entry(
        kwargs=_fed, ok_statuses=OK, own=ALL, federation=ALL, note="members see the förbund's portfolio"
    ),
    "interventions:intervention_detail#shared": Entry(
        kwargs=_shared, ok_statuses=OK, own=ALL, partner=ALL, note="shared explicitly with the partner"
    ),
    "interventions:intervention_edit": Entry(kwargs=_own, ok_statuses=OK, **OWN_EDIT),
    "interventions:intervention_edit#federation": Entry(kwargs=_fed, ok_statuses=OK, federation=EDITORS),
    "interventions:intervention_edit#shared": Entry(kwargs=_shared, ok_statuses=OK, **OWN_EDIT),
    "interventions:intervention_edit#post": Entry(
        kwargs=_own, method="POST", data=_form, ok_statuses=REDIRECT, **OWN_EDIT
    ),
    "interventions:intervention_delete": Entry(kwargs=_own, ok_statuses=OK, **OWN_EDIT),
    "interventions:intervention_delete#post": Entry(
        kwargs=_own, method="POST", ok_statuses=REDIRECT, **OWN_EDIT
    ),
    "interventions:intervention_history": Entry(kwargs=_own, ok_statuses=OK, **OWN_READ),
    "interventions:intervention_history#federation": Entry(
        kwargs=_fed, ok_statuses=OK, own=ALL, federation=ALL
    ),
    # --- API ---------------------------------------------------------------------------------------
    "api:GET /api/v1/interventions": Entry(ok_statuses=OK, **EVERYONE),
    "api:POST /api/v1/interventions": Entry(data=_api_body, ok_statuses=CREATED, **EDITORS_EVERYWHERE),
    "api:GET /api/v1/interventions/{intervention_id}": Entry(kwargs=_api(_own), ok_statuses=OK, **OWN_READ),
    "api:GET /api/v1/interventions/{intervention_id}#federation": Entry(
        kwargs=_api(_fed), ok_statuses=OK, own=ALL, federation=ALL
    ),
    "api:PUT /api/v1/interventions/{intervention_id}": Entry(
        kwargs=_api(_own), data=_api_body, ok_statuses=OK, **OWN_EDIT
    ),
    "api:PUT /api/v1/interventions/{intervention_id}#federation": Entry(
        kwargs=_api(_fed), data=_api_body, ok_statuses=OK, federation=EDITORS
    ),
    "api:DELETE /api/v1/interventions/{intervention_id}": Entry(
        kwargs=_api(_own), ok_statuses=OK, **OWN_EDIT
    ),
    "api:GET /api/v1/interventions/{intervention_id}/versions": Entry(
        kwargs=_api(_own), ok_statuses=OK, **OWN_READ
    ),
}
