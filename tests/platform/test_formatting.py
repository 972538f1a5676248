"""One formatter for numbers, money and per cent (issue 8, item 19). Expected strings by hand."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from insats.platform.formatting import (
    MINUS,
    NBSP,
    format_money,
    format_number,
    format_percent,
    parse_number,
)


@pytest.mark.parametrize(
    "value,decimals,locale,expected",
    [
        (1234567.5, 1, "sv", f"1{NBSP}234{NBSP}567,5"),
        (1234567.5, 1, "en", "1,234,567.5"),
        (-12, 0, "sv", f"{MINUS}12"),
        (-12, 0, "en", f"{MINUS}12"),
        (Decimal("0.125"), 2, "sv", "0,13"),  # half away from zero, as round_ore
        (Decimal("-0.125"), 2, "sv", f"{MINUS}0,13"),
        (Decimal("-0.001"), 2, "sv", "0,00"),  # no "−0,00"
        (999.95, 1, "sv", f"1{NBSP}000,0"),
        (None, 1, "sv", "–"),
        (float("nan"), 1, "sv", "–"),
        (42.5, None, "sv", "42,5"),  # auto: one decimal below 100
        (1234.5, None, "sv", f"1{NBSP}235"),  # auto: none from 100
    ],
)
def test_format_number(value, decimals, locale, expected):
    assert format_number(value, decimals, locale=locale) == expected


def test_money_and_percent_in_both_languages():
    assert format_money(Decimal("1250000.5"), locale="sv") == f"1{NBSP}250{NBSP}000,50{NBSP}kr"
    assert format_money(Decimal("1250000.5"), locale="en") == f"SEK{NBSP}1,250,000.50"
    assert format_money(Decimal("-1750000"), 0, locale="sv", unit=False) == f"{MINUS}1{NBSP}750{NBSP}000"
    assert format_percent(Decimal("0.25"), locale="sv") == f"25{NBSP}%"
    assert format_percent(Decimal("0.25"), locale="en") == "25%"
    assert format_percent(Decimal("12.5"), locale="sv", points=True) == f"12,5{NBSP}%"
    assert format_number(Decimal("42.500"), trim=True, locale="sv") == "42,5"


def test_money_never_goes_through_float():
    with pytest.raises(TypeError):
        format_money(0.1)
    # 2^53 + 1 öre is not a float; formatted exactly all the same.
    assert format_money(Decimal("90071992547409.93"), locale="en") == f"SEK{NBSP}90,071,992,547,409.93"


def test_the_page_language_decides_when_no_locale_is_given():
    with translation.override("en"):
        assert format_number(1234.5, 1) == "1,234.5"
    with translation.override("sv"):
        assert format_number(1234.5, 1) == f"1{NBSP}234,5"


def test_the_template_filters():
    template = Template(
        "{% load insats_numbers %}{{ a|money }}|{{ b|number:1 }}|{{ c|percent }}|{{ d|signed:1 }}"
    )
    with translation.override("sv"):
        out = template.render(Context({"a": Decimal("1500"), "b": -2.25, "c": Decimal("0.5"), "d": 3}))
    assert out == f"1{NBSP}500,00{NBSP}kr|{MINUS}2,3|50{NBSP}%|+3,0"


amounts = st.decimals(min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=2, allow_nan=False)
numbers = st.decimals(
    min_value=Decimal("-1e15"), max_value=Decimal("1e15"), allow_nan=False, allow_infinity=False
)


@given(amounts, st.sampled_from(["sv", "en"]))
def test_money_round_trips_exactly(amount, locale):
    assert parse_number(format_money(amount, locale=locale), locale) == amount


@given(numbers, st.integers(min_value=0, max_value=6), st.sampled_from(["sv", "en"]))
def test_numbers_round_trip_to_the_shown_decimals(value, decimals, locale):
    shown = format_number(value, decimals, locale=locale)
    expected = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    assert parse_number(shown, locale) == expected
    assert "-" not in shown  # the minus is U+2212


@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=6, allow_nan=False))
def test_money_rounds_decimals_not_floats(value):
    """Half-öre cases that a float would get wrong (0.125 is exact in binary, 1.005 is not)."""
    expected = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert parse_number(format_money(value, locale="sv"), "sv") == expected
