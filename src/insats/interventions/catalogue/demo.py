"""Demo data for this sub-domain (called by ``manage.py demo_interventions``). Idempotent; returns
lines to print."""

from __future__ import annotations


def build() -> list[str]:
    return []
