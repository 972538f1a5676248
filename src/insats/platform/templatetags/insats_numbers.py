"""``{% load insats_numbers %}``: the template side of :mod:`insats.platform.formatting`.

``{{ v|number }}``, ``{{ v|number:2 }}``, ``{{ v|signed:1 }}``, ``{{ amount|money }}``,
``{{ amount|money:0 }}``, ``{{ amount|money:contract.currency }}`` (two decimals, in the
contract's currency), ``{{ fraction|percent }}``, ``{{ share|percent_points:2 }}``.
"""

from django import template

from insats.platform import formatting

register = template.Library()


def _decimals(arg):
    return None if arg in (None, "") else int(arg)


@register.filter
def number(value, decimals=None):
    return formatting.format_number(value, _decimals(decimals))


@register.filter
def signed(value, decimals=None):
    return formatting.format_number(value, _decimals(decimals), sign=True)


def money_arg(arg) -> tuple[int, str | None]:
    """A money filter's argument: decimals (``2``) or a currency code (``"EUR"``, two decimals)."""
    if isinstance(arg, str) and arg.isalpha():
        return 2, arg
    return int(arg), None


@register.filter
def money(value, arg=2):
    decimals, currency = money_arg(arg)
    return formatting.format_money(value, decimals, currency=currency)


@register.filter
def percent(value, decimals=None):
    """A fraction as per cent (0.25 → 25 %)."""
    return formatting.format_percent(value, _decimals(decimals))


@register.filter
def percent_points(value, decimals=None):
    """A value already in per cent (12.5 → 12,5 %)."""
    return formatting.format_percent(value, _decimals(decimals), points=True)
