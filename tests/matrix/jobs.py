"""Background-job pages started from other areas (the audit chain check)."""

from . import ADMIN, Entry

ENTRIES = {
    "audit:verify": Entry(method="POST", own=ADMIN, note="starts a chain check as a background job"),
}
