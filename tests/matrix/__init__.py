"""The permission matrix: what every page and API operation allows, per role and relation.

Each module here (``accounts.py``, ``audit.py``, ``web.py``, ``security.py``, ``api.py`` …) defines
``ENTRIES: dict[str, Entry]`` keyed by URL name (``"accounts:members"``) or, for the API, by
``"api:<METHOD> <path>"`` as in the OpenAPI document. ``tests/test_permission_matrix.py`` merges
them, walks every URL pattern and API operation, and fails when one has no entry.

An entry lists the roles allowed when the user acts for the organisation that **owns** the object,
for a **partner** organisation of the owner, and for an **unrelated** organisation; ``anonymous``
says whether a logged-out visitor is let in. Everything not allowed must answer 403 or 404
(401 for the API); anonymous visitors of protected pages are sent to the login page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from insats.accounts.models import Role

ALL = frozenset(r.value for r in Role)
NONE: frozenset[str] = frozenset()
ADMIN = frozenset({Role.ADMIN.value})


@dataclass(frozen=True)
class Entry:
    # Builds the URL's kwargs from the test world (tests/conftest.py World).
    kwargs: Callable = field(default=lambda w: {})
    own: frozenset[str] = NONE
    partner: frozenset[str] = NONE
    unrelated: frozenset[str] = NONE
    anonymous: bool = False
    method: str = "GET"
    # POST body builder (the request runs inside a rolled-back transaction).
    data: Callable = field(default=lambda w: {})
    # Statuses that count as "let in" for this entry (e.g. 405 is never one).
    ok_statuses: frozenset[int] = frozenset({200, 201, 204, 302})
    note: str = ""
    # For exports: checks what a let-in reader got against that reader's abilities;
    # ``content(world, org, role, response)`` returns what is wrong, or None.
    content: Callable | None = None
