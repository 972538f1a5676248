"""Matrix entries for the shell: the start page, the health check and the language switch."""

from __future__ import annotations

from tests.matrix import ALL, Entry

ENTRIES: dict[str, Entry] = {
    "web:home": Entry(
        own=ALL,
        partner=ALL,
        unrelated=ALL,
        ok_statuses=frozenset({200}),
        note="everybody's own start page; anonymous visitors are sent to log in",
    ),
    "web:health": Entry(
        own=ALL,
        partner=ALL,
        unrelated=ALL,
        anonymous=True,
        ok_statuses=frozenset({200}),
        note="public: the load balancer's health check",
    ),
    "set_language": Entry(
        method="POST",
        data=lambda w: {"language": "en", "next": "/"},
        own=ALL,
        partner=ALL,
        unrelated=ALL,
        anonymous=True,
        ok_statuses=frozenset({302}),
        note="public: the login page has the language switch too",
    ),
}
