"""Matrix entries for the map (issue 9, item 3) and its API. Written from the brief:

* the map acts on the user's own organisation: it shows the interventions the organisation may see
  (own, shared with it, its förbund's portfolio) against its own target groups, so every role is let
  in from every organisation (an unrelated organisation sees an empty map of its own);
* exports are for every role (intervention.export covers own, shared and federation data);
* placing a target group's need at an intensity changes the organisation's map: administrators
  and analysts only. A partner's planner is let in to its own map but cannot place the owner's
  target group (the form refuses it and redirects; tests/interventions/test_map.py checks that
  nothing changed).
"""

from __future__ import annotations

from insats.accounts.models import Role
from tests.matrix import ALL, Entry

EDITORS = frozenset({Role.ADMIN.value, Role.ANALYST.value})
EVERYONE = {"own": ALL, "partner": ALL, "unrelated": ALL}
OK = frozenset({200})


def _world(w):
    from tests.interventions.map_world import build

    cache = w.__dict__.setdefault("_matrix_objects", {})
    if "map" not in cache:
        cache["map"] = build(w)
    return cache["map"]


def _populated(w) -> dict:
    _world(w)
    return {}


ENTRIES: dict[str, Entry] = {
    "interventions:map": Entry(kwargs=_populated, **EVERYONE),
    "interventions:map_need": Entry(
        kwargs=_populated,
        method="POST",
        data=lambda w: {"target_group": _world(w).group.pk, "intensity": "tidig"},
        own=EDITORS,
        partner=EDITORS,
        unrelated=EDITORS,
    ),
    "interventions:map_xlsx": Entry(kwargs=_populated, **EVERYONE),
    "interventions:map_pdf": Entry(kwargs=_populated, **EVERYONE),
    "api:GET /api/v1/interventions/map": Entry(kwargs=_populated, ok_statuses=OK, **EVERYONE),
}
