"""Number and unit formatting for the situation pages, following the page language.

Numbers go through the one formatter, :mod:`insats.platform.formatting` (Swedish ``1 234,5``,
English ``1,234.5``, "−" U+2212 minus in both).

Units: a *level* of a share is "%"/"procent"; a *difference* of a share (a trend per year, a
deviation, a change towards a target) is in percentage points — "procentenheter" in Swedish,
"percentage points" in English. :func:`change_unit` gives the unit for differences.
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from insats.platform.formatting import format_number

PERCENT_UNITS = frozenset({"%", "procent", "percent", "per cent", "andel (%)", "andel, %"})

# English fallbacks while the catalogue lacks the msgids (the translator owns src/insats/locale/).
_EN_FALLBACK = {"procentenheter": "percentage points", "procent": "per cent"}


def _is_english() -> bool:
    return (get_language() or "sv").lower().startswith("en")


def _tr(msgid: str) -> str:
    text = _(msgid)
    if text == msgid and _is_english():
        return _EN_FALLBACK.get(msgid, msgid)
    return text


def is_percent_unit(unit: str | None) -> bool:
    return (unit or "").strip().lower() in PERCENT_UNITS


def change_unit(unit: str | None) -> str:
    """The unit of a difference (trend, deviation, change) of an indicator measured in ``unit``."""
    if is_percent_unit(unit):
        return _tr("procentenheter")
    return unit or ""


def level_unit(unit: str | None) -> str:
    """The unit of a level; "procent" follows the page language, "%" stays."""
    if (unit or "").strip().lower() == "procent":
        return _tr("procent")
    return unit or ""


def fmt_num(value, decimals: int | None = None, *, sign: bool = False) -> str:
    """Format ``value`` for the page language; ``None``/NaN give "–".

    ``decimals=None``: no decimals for |value| ≥ 100 or whole numbers, else one.
    ``sign=True`` puts "+" before positive values (used for differences).
    """
    return format_number(value, decimals, sign=sign)
