"""Showing an entry's changes as readable lines: ``fält: gammalt → nytt``."""

from __future__ import annotations

from django import template

register = template.Library()


def _text(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


@register.filter
def change_lines(changes) -> list[tuple[str, str]]:
    """``{"level": [2, 4], "note": "x"}`` → ``[("level", "2 → 4"), ("note", "x")]``."""
    if not isinstance(changes, dict):
        return []
    lines = []
    for field, value in changes.items():
        if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], (list, dict)):
            lines.append((field, f"{_text(value[0])} → {_text(value[1])}"))
        else:
            lines.append((field, _text(value)))
    return lines


@register.filter
def action_label(code: str) -> str:
    """``auth.login`` → "Inloggning" (see :mod:`insats.audit.labels`)."""
    from insats.audit.labels import action_label as label

    return label(code or "")


@register.filter
def object_type_label(entry) -> str:
    """``contracts.outcomemetric`` → "Utfallsmått"."""
    from insats.audit.labels import type_label

    return type_label(getattr(entry, "object_type", ""))
