"""``{{ unit|unit_label }}`` and ``{{ name|area_label }}``: data words in the page language."""

from django import template

from insats.situation import labels

register = template.Library()


@register.filter
def unit_label(unit):
    return labels.unit_label(unit)


@register.filter
def area_label(name):
    return labels.area_label(name)
