"""The one formatter for numbers, money and per cent: pages, charts, PDFs and exports.

Decided once (Swedish first, after Språkrådet and CLDR):

=========  ==========================  =================
           Swedish (sv)                English (en)
=========  ==========================  =================
number     ``1 234 567,5``             ``1,234,567.5``
minus      ``−12`` (U+2212)            ``−12`` (U+2212)
money      ``1 250 000,50 kr``         ``SEK 1,250,000.50``
 … in EUR  ``1 250 000,50 EUR``        ``EUR 1,250,000.50``
per cent   ``25 %``                    ``25%``
missing    ``–``                       ``–``
=========  ==========================  =================

The Swedish thousands separator and the space before ``kr`` and ``%`` are NO-BREAK SPACE
(U+00A0, normal width): a number never breaks across lines and every font has the glyph.

Every value goes through :class:`~decimal.Decimal`; a float is taken at its shortest repr
(``0.1`` is 0.1, not 0.1000000000000000055…). Money refuses floats outright: amounts are Decimal
(or int, or a decimal string) from the database to the page. Rounding is half away from zero, as
:func:`insats.core.money.round_ore`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NBSP = "\u00a0"
MINUS = "\u2212"
MISSING = "–"


@dataclass(frozen=True)
class Style:
    group: str
    decimal: str
    money_prefix: str
    money_suffix: str
    percent_suffix: str


STYLES = {
    "sv": Style(
        group=NBSP, decimal=",", money_prefix="", money_suffix=NBSP + "kr", percent_suffix=NBSP + "%"
    ),
    "en": Style(group=",", decimal=".", money_prefix="SEK" + NBSP, money_suffix="", percent_suffix="%"),
}


def _style(locale: str | None) -> Style:
    if locale is None:
        from django.utils.translation import get_language

        locale = get_language() or "sv"
    return STYLES["en"] if locale.lower().startswith("en") else STYLES["sv"]


def to_decimal(value) -> Decimal | None:
    """A Decimal for ``value``, or None for none, "", NaN, infinities and text that is no number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            return None
        d = Decimal(repr(value))
    else:
        try:
            d = Decimal(str(value).strip().replace(MINUS, "-"))
        except (InvalidOperation, ValueError):
            return None
    return d if d.is_finite() else None


def _digits(
    d: Decimal, decimals: int | None, trim: bool, style: Style, sign: bool, grouping: bool = True
) -> str:
    if decimals is not None:
        d = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if trim:
        d = d.normalize() if d != 0 else Decimal(0)
    negative = d < 0 and d != 0
    whole, _dot, frac = f"{abs(d):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = (style.group if grouping else "").join(groups) + (style.decimal + frac if frac else "")
    if negative:
        return MINUS + text
    if sign and d > 0:
        return "+" + text
    return text


def auto_decimals(d: Decimal) -> int:
    """No decimals for |value| ≥ 100 or whole numbers, else one (figures on pages and charts)."""
    return 0 if abs(d) >= 100 or d == d.to_integral_value() else 1


def format_number(
    value,
    decimals: int | None = None,
    *,
    locale: str | None = None,
    sign: bool = False,
    trim: bool = False,
    grouping: bool = True,
) -> str:
    """A number in the page language: ``1 234,5``. ``decimals=None`` chooses (see
    :func:`auto_decimals`) unless ``trim``, which keeps the value's own decimals without trailing
    zeros (``42.500`` → ``42,5``). ``sign`` puts "+" before positive values (differences);
    ``grouping=False`` leaves out the thousands separator (years on a chart axis)."""
    d = to_decimal(value)
    if d is None:
        return MISSING
    if decimals is None and not trim:
        decimals = auto_decimals(d)
    return _digits(d, decimals, trim, _style(locale), sign, grouping)


def _money_affixes(style: Style, currency: str | None) -> tuple[str, str]:
    """Prefix and suffix of an amount: kronor as the style says; another currency by its ISO 4217
    code, after the amount in Swedish (``1 250,00 EUR``) and before it in English."""
    if currency is None or currency.upper() == "SEK":
        return style.money_prefix, style.money_suffix
    code = currency.upper()
    return ("", NBSP + code) if style.money_suffix else (code + NBSP, "")


def format_money(
    value, decimals: int = 2, *, locale: str | None = None, unit: bool = True, currency: str | None = None
) -> str:
    """An amount, exact: ``Decimal("1250000.5")`` → ``1 250 000,50 kr``; with ``currency`` (ISO
    4217, the contract's currency) other than SEK → ``1 250 000,50 EUR``.

    Floats are refused (TypeError): money never goes through binary floating point."""
    if isinstance(value, float):
        raise TypeError("format_money takes Decimal, int or a decimal string, never float")
    d = to_decimal(value)
    if d is None:
        return MISSING
    style = _style(locale)
    text = _digits(d, decimals, False, style, False)
    prefix, suffix = _money_affixes(style, currency)
    return f"{prefix}{text}{suffix}" if unit else text


def format_percent(
    fraction, decimals: int | None = None, *, locale: str | None = None, points: bool = False
) -> str:
    """A fraction as per cent: ``0.25`` → ``25 %``; ``points=True`` takes the value as per cent
    already (``12.5`` → ``12,5 %``). ``decimals=None`` keeps the value's decimals, trimmed."""
    d = to_decimal(fraction)
    if d is None:
        return MISSING
    if not points:
        d = d * 100
    style = _style(locale)
    return _digits(d, decimals, decimals is None, style, False) + style.percent_suffix


def parse_number(text: str, locale: str | None = None, currency: str | None = None) -> Decimal:
    """The inverse of the formatters (exports read back, tests): the Decimal a text shows."""
    style = _style(locale)
    cleaned = text.strip().replace(MINUS, "-")
    prefix, suffix = _money_affixes(style, currency)
    cleaned = cleaned.removeprefix(prefix).removesuffix(suffix)
    cleaned = cleaned.removesuffix(style.percent_suffix)
    cleaned = cleaned.replace(style.group, "").replace(" ", "").replace("\u202f", "")
    return Decimal(cleaned.replace(style.decimal, "."))
