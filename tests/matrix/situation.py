"""Matrix entries for the lägesbild (pages, exports) and the situation API (areas, groups, indicators,
observations).

Written from DESIGN.md and the brief: indicator statistics are **public statistics** — every role of
every organisation may read them and export them (Kolada publishes them openly). What is not
public is an organisation's **own** comparison group or **own** indicator: only that organisation's
roles see it; others get 404 (they may not learn it exists).

Page entries send the area as a query parameter (``data`` of a GET is the query string): Tomelilla
(1270), so that the partner and the unrelated organisation, which have no area code of their own,
get the same page. An empty lägesbild (the matrix world has no indicator data) still renders and
still exports.
"""

from __future__ import annotations

from insats.accounts.models import Role
from insats.situation.models import AreaGroup, AreaGroupKind, Indicator, IndicatorSource
from tests.matrix import ALL, NONE, Entry

EVERYONE = {"own": ALL, "partner": ALL, "unrelated": ALL}
OWNER_ONLY = {"own": ALL, "partner": NONE, "unrelated": NONE}
OK = frozenset({200})
# Starting a Kolada sync: an analyst's or administrator's work, for whichever organisation they act
# for (the job is theirs; the statistics are public), never a viewer's, caseworker's, …
SYNCERS = frozenset({Role.ADMIN.value, Role.ANALYST.value})
SYNCERS_EVERYWHERE = {"own": SYNCERS, "partner": SYNCERS, "unrelated": SYNCERS}


def _areas() -> None:
    """The areas come from a data migration; a transactional test run earlier in the same worker
    flushes them, so make sure they are there (idempotent)."""
    from insats.situation.models import Area
    from insats.situation.services import load_areas

    if not Area.objects.filter(code="1270").exists():
        load_areas()


def TOMELILLA(w) -> dict:  # noqa: N802 - used like a constant
    _areas()
    return {"area": "1270"}


def _tomelilla_code(w) -> dict:
    _areas()
    return {"code": "1270"}


def _kolada_group(w) -> dict:
    group, created = AreaGroup.objects.get_or_create(
        kolada_id="MATRIX-G1",
        kind=AreaGroupKind.KOLADA,
        defaults={"name": "Liknande kommuner, matris, Tomelilla"},
    )
    return {"group_id": group.pk}


def _own_group(w) -> dict:
    group, _ = AreaGroup.objects.get_or_create(
        name="Tomelillas egna jämförelsekommuner", kind=AreaGroupKind.USER, organisation=w.orgs["owner"]
    )
    return {"group_id": group.pk}


def _shared_indicator(w) -> dict:
    Indicator.objects.get_or_create(
        code="MATRIX1",
        organisation=None,
        defaults={"title_sv": "Matrisindikator", "source": IndicatorSource.DEMO},
    )
    return {"code": "MATRIX1"}


def _own_indicator(w) -> dict:
    Indicator.objects.get_or_create(
        code="TOM-EGEN-1",
        organisation=w.orgs["owner"],
        defaults={"title_sv": "Tomelillas egen indikator", "source": IndicatorSource.OWN},
    )
    return {"code": "TOM-EGEN-1"}


ENTRIES: dict[str, Entry] = {
    # --- pages -------------------------------------------------------------------------------------
    "situation:home": Entry(
        ok_statuses=OK, note="public statistics; the default area is the org's", **EVERYONE
    ),
    "situation:home#area": Entry(data=TOMELILLA, ok_statuses=OK, note="any kommun may be chosen", **EVERYONE),
    "situation:home#own-group": Entry(
        data=lambda w: {**TOMELILLA(w), "group": _own_group(w)["group_id"]},
        ok_statuses=OK,
        note="an organisation's own comparison group is its own: others get 404",
        **OWNER_ONLY,
    ),
    "situation:export_pdf": Entry(
        data=TOMELILLA, ok_statuses=OK, note="public statistics as PDF", **EVERYONE
    ),
    "situation:export_xlsx": Entry(
        data=TOMELILLA, ok_statuses=OK, note="public statistics as Excel", **EVERYONE
    ),
    # --- API ---------------------------------------------------------------------------------------
    "api:GET /api/v1/situation/areas": Entry(ok_statuses=OK, **EVERYONE),
    "api:GET /api/v1/situation/areas/{code}": Entry(kwargs=_tomelilla_code, ok_statuses=OK, **EVERYONE),
    "api:GET /api/v1/situation/area-groups": Entry(ok_statuses=OK, **EVERYONE),
    "api:GET /api/v1/situation/area-groups/{group_id}": Entry(
        kwargs=_kolada_group, ok_statuses=OK, **EVERYONE
    ),
    "api:GET /api/v1/situation/area-groups/{group_id}#own": Entry(
        kwargs=_own_group, ok_statuses=OK, note="another organisation's own group: 404", **OWNER_ONLY
    ),
    "api:GET /api/v1/situation/indicators": Entry(ok_statuses=OK, **EVERYONE),
    "api:GET /api/v1/situation/indicators/{code}": Entry(
        kwargs=_shared_indicator, ok_statuses=OK, **EVERYONE
    ),
    "api:GET /api/v1/situation/indicators/{code}#own": Entry(
        kwargs=_own_indicator, ok_statuses=OK, note="another organisation's own indicator: 404", **OWNER_ONLY
    ),
    "api:GET /api/v1/situation/observations": Entry(ok_statuses=OK, **EVERYONE),
    "api:GET /api/v1/situation/observations/export": Entry(
        data=lambda w: {"indicator": "N15505"},
        ok_statuses=OK,
        note="streamed CSV of public statistics",
        **EVERYONE,
    ),
    # --- Kolada sync from the UI (a background job; the POST only queues it) -----------------------
    "situation:kolada_sync": Entry(ok_statuses=OK, **SYNCERS_EVERYWHERE),
    "situation:kolada_sync#post": Entry(
        method="POST",
        data=lambda w: {**TOMELILLA(w), "kpis": "N15419", "years": "2023", "municipalities": "1270"},
        ok_statuses=frozenset({302}),
        note="valid input: a job is created and the user sent to its page",
        **SYNCERS_EVERYWHERE,
    ),
}
