"""Issue 8, item 22: on English pages the lägesbild's headings and units are English (data the
product does not know — indicator names from Kolada without an English title — stays as it is)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from insats.situation.labels import area_label, unit_label


@pytest.mark.parametrize(
    ("unit", "sv", "en"),
    [
        ("procent", "procent", "per cent"),
        ("kr", "kr", "SEK"),
        ("per 1 000 barn", "per 1 000 barn", "per 1,000 children"),
        ("meritpoäng", "meritpoäng", "merit points"),
        ("placeringar", "placeringar", "placeringar"),  # unknown: shown as it is
    ],
)
def test_units_follow_the_page_language(unit, sv, en):
    with translation.override("sv"):
        assert unit_label(unit) == sv
    with translation.override("en"):
        assert unit_label(unit) == en


def test_operating_area_headings_follow_the_page_language():
    with translation.override("en"):
        assert area_label("Grundskola och gymnasieskola") == "Compulsory and upper-secondary school"
        assert area_label("Socioekonomiska förutsättningar") == "Socio-economic conditions"
        assert area_label("Något eget område") == "Något eget område"
    with translation.override("sv"):
        assert area_label("Grundskola och gymnasieskola") == "Grundskola och gymnasieskola"


def test_the_indicator_card_shows_the_unit_in_english():
    from types import SimpleNamespace

    template = Template("{% include 'situation/_lagesbild_indicator.html' %}")
    f = SimpleNamespace(
        code="X1",
        title="Children aged 1–5 enrolled in preschool, share (%)",
        value_text="89.6",
        year=2025,
        preliminary=False,
        provenance=SimpleNamespace(is_demo=False),
        indicator=SimpleNamespace(unit="procent", code="X1"),
    )
    with translation.override("en"):
        html = template.render(Context({"f": f, "ch": {}}))
    headline = html.split('class="lb-headline"', 1)[1].split("</p>", 1)[0]
    assert "per cent (2025)" in headline and "procent" not in headline


def test_chart_numbers_follow_the_page_language():
    """No mixed decimal marks: an English page's chart ticks use the English format of its text."""
    from insats.platform import charts

    with translation.override("en"):
        assert charts.fmt(1234.5, 1) == "1,234.5" and charts.fmt(-0.5) == "−0.5"
        svg = str(charts.line_chart([charts.Series("s", [(2020, 0.25), (2021, 1.75)])], title="t", desc="d"))
        assert "0.5" in svg and "0,5" not in svg
    with translation.override("sv"):
        assert charts.fmt(1234.5, 1) == "1\u00a0234,5"
