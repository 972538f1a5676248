"""Matrix entries for the audit log pages.

Intent (DESIGN.md, "Audit"): the log is an organisation's own record; its administrators search
and export the entries of their own organisation, every other role is refused. There is no
object in the URL, so the three columns are simply administrators acting for each organisation
(each sees its own entries — the scoping is tested in tests/audit/test_views.py). Operators
(``User.is_operator``, no organisation) see the whole log; the matrix has no operator column, so
that is tested in tests/audit/test_coverage.py.
"""

from __future__ import annotations

from tests.matrix import ADMIN, Entry

ENTRIES: dict[str, Entry] = {
    "audit:search": Entry(own=ADMIN, partner=ADMIN, unrelated=ADMIN, ok_statuses=frozenset({200})),
    "audit:export": Entry(
        own=ADMIN,
        partner=ADMIN,
        unrelated=ADMIN,
        ok_statuses=frozenset({200}),
        note="the export is itself audited",
    ),
}
