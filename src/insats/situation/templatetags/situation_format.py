"""Template filters for numbers and units on the situation pages (see ``insats.situation.numbers``)."""

from django import template

from insats.situation import numbers

register = template.Library()


@register.filter
def num(value, decimals=None):
    """``{{ v|num:2 }}`` — the number in the page language's format; "–" for none."""
    if value in (None, ""):
        return "–"
    return numbers.fmt_num(value, None if decimals in (None, "") else int(decimals))


@register.filter
def signed(value, decimals=None):
    """Like ``num`` with "+" before positive values (differences)."""
    if value in (None, ""):
        return "–"
    return numbers.fmt_num(value, None if decimals in (None, "") else int(decimals), sign=True)


@register.filter
def change_unit(unit):
    """The unit of a difference: "procentenheter" for percentage indicators, else the unit."""
    return numbers.change_unit(unit)


@register.simple_tag
def computed_by(*functions):
    """``{% computed_by "insats.core.indicators.target_progress" %}`` — a Swedish sentence naming
    the function(s) of the calculation core that computed the figure."""
    from insats.situation.methods import computed_by_html

    return computed_by_html(*functions)
