"""Background-job pages started from other areas (the audit chain check)."""

from . import ADMIN, Entry

ENTRIES = {
    # The chain is one for the whole installation; any admin may have it checked (it reveals no content).
    "audit:verify": Entry(
        method="POST",
        own=ADMIN,
        partner=ADMIN,
        unrelated=ADMIN,
        note="starts a chain check as a background job",
    ),
}
