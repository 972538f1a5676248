"""Number and unit formatting follows the page language (insats.situation.numbers)."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from insats.situation.numbers import change_unit, fmt_num


@pytest.mark.parametrize(
    ("lang", "value", "decimals", "sign", "expected"),
    [
        ("sv", 13282.4, None, False, "13\u00a0282"),
        ("sv", 0.5, 2, False, "0,50"),
        ("sv", -22, 0, False, "\u221222"),
        ("sv", 0.3, 1, True, "+0,3"),
        ("sv", -0.04, 1, True, "0,0"),  # rounds to zero: no sign
        ("en", 13282.4, None, False, "13,282"),
        ("en", 0.5, 2, False, "0.50"),
        ("en", -1234.56, 1, False, "\u22121,234.6"),
        ("en", 0.3, 1, True, "+0.3"),
        ("sv", None, 1, False, "–"),
    ],
)
def test_fmt_num(lang, value, decimals, sign, expected):
    with translation.override(lang):
        assert fmt_num(value, decimals, sign=sign) == expected


@pytest.mark.parametrize(
    ("lang", "unit", "expected"),
    [
        ("sv", "%", "procentenheter"),
        ("sv", "procent", "procentenheter"),
        ("sv", "antal", "antal"),
        ("en", "%", "percentage points"),
        ("en", "Procent", "percentage points"),
        ("sv", "", ""),
    ],
)
def test_change_unit(lang, unit, expected):
    with translation.override(lang):
        assert change_unit(unit) == expected


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(0, 3))
def test_swedish_and_english_agree_on_the_number(value, decimals):
    """Both formats denote the same rounded number; Swedish never has a dot or ASCII minus."""
    with translation.override("sv"):
        sv = fmt_num(value, decimals)
    with translation.override("en"):
        en = fmt_num(value, decimals)
    assert "." not in sv and "-" not in sv and "-" not in en
    as_float_sv = float(sv.replace("\u00a0", "").replace(",", ".").replace("\u2212", "-"))
    as_float_en = float(en.replace(",", "").replace("\u2212", "-"))
    assert as_float_sv == as_float_en == pytest.approx(round(value, decimals), abs=10**-decimals)
