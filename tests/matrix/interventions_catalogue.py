"""Matrix entries for the intervention catalogue (issue 9). The catalogue's list acts on the user's
own organisation (it shows what the organisation may see), so every role is let in in all columns."""

from __future__ import annotations

from tests.matrix import ALL, Entry

ENTRIES: dict[str, Entry] = {
    "interventions:home": Entry(own=ALL, partner=ALL, unrelated=ALL),
}
