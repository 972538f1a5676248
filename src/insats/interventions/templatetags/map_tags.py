"""``{% map_items cell words %}``: a map cell's interventions as one list, rendered in Python because
a map of 300 interventions has hundreds of such lines (bench/bench_map.py)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join

from insats.platform.formatting import format_number

register = template.Library()


@register.simple_tag
def map_items(cell, words):
    if not cell.supplies:
        return ""
    memo: dict[int, str] = {}

    def num(value: int) -> str:
        if value not in memo:
            memo[value] = format_number(value)
        return memo[value]

    rows = []
    for s in cell.supplies:
        name = s.intervention.name
        if s.url:
            name = format_html('<a href="{}">{}</a>', s.url, name)
        rows.append(
            (
                name,
                num(s.share.capacity),
                words["places"],
                words["reach"],
                num(s.share.reach),
            )
        )
    return format_html(
        '<ul class="map-items">{}</ul>',
        format_html_join("", '<li>{} <span class="hint">{} {}, {} {}</span></li>', rows),
    )
