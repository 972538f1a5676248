"""Plain labels for contract field paths in templates (see :mod:`insats.contracts.labels`)."""

from __future__ import annotations

from django import template

from insats.contracts import labels

register = template.Library()


@register.filter
def readiness_labels(errors, contract=None) -> list[tuple[str, str]]:
    """``[("metrics", "…")]`` → ``[("Utfallsmått", "…")]``."""
    return labels.readiness_rows(list(errors or []), contract)
