"""The shared spreadsheet writer: formula-like texts are text, numbers stay numbers, one CSV
convention; and no other module writes Excel or CSV on its own."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from insats.platform import spreadsheets as ss

SRC = Path(__file__).resolve().parents[2] / "src" / "insats"


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']
)
def test_formula_like_texts_get_an_apostrophe_in_csv(text):
    assert ss.csv_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value, expected",
    [
        (-5, "-5"),  # a number is not a text: no apostrophe
        (Decimal("-12.5"), "-12,5"),
        (2.5, "2,5"),
        ("Tomelilla kommun", "Tomelilla kommun"),
        ("a=b", "a=b"),
        (None, ""),
    ],
)
def test_numbers_and_plain_texts_are_written_as_they_are(value, expected):
    assert ss.csv_cell(value) == expected


def test_csv_is_semicolon_utf8_bom_crlf():
    text = ss.csv_text([["a", "b;c"], [1, "=x"]])
    assert text == '\ufeffa;"b;c"\r\n1;\'=x\r\n'


def test_a_formula_put_in_a_sheet_directly_is_saved_as_text():
    wb = ss.new_workbook()
    ws = wb.active
    ws["A1"] = "=1+1"  # not through append(): workbook_bytes still catches it
    ss.append(ws, ["-1", -1, "ok\x07", "x" * 40000])
    wb2 = load_workbook(io.BytesIO(ss.workbook_bytes(wb)))
    a1, a2, b2, c2, d2 = (wb2.active[c] for c in ("A1", "A2", "B2", "C2", "D2"))
    assert (a1.value, a1.data_type, a1.quotePrefix) == ("=1+1", "s", True)
    assert (a2.value, a2.data_type, a2.quotePrefix) == ("-1", "s", True)
    assert (b2.value, b2.data_type) == (-1, "n")
    assert c2.value == "ok"  # a control character openpyxl would refuse is dropped
    assert len(d2.value) == ss.EXCEL_MAX_CELL_CHARS


def test_no_module_writes_excel_or_csv_on_its_own():
    """Every writer goes through insats.platform.spreadsheets (one guard, one CSV convention)."""
    own = SRC / "platform" / "spreadsheets.py"
    offenders = []
    for path in SRC.rglob("*.py"):
        if path == own or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(
            r"csv\.(writer|DictWriter)\(|from openpyxl import[^\n]*\bWorkbook\b|\.save\(\w*(buf|out)", text
        ):
            offenders.append(str(path.relative_to(SRC)))
    assert offenders == []


def test_no_module_reads_an_uploaded_spreadsheet_on_its_own():
    """Uploads are read through insats.platform.spreadsheets (one reader, one set of limits); the
    csv readers left elsewhere read files shipped with Insats (areas, INDIGO code lists)."""
    own = SRC / "platform" / "spreadsheets.py"
    readers = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path != own
        and re.search(r"load_workbook\(|csv\.(reader|DictReader)\(", path.read_text(encoding="utf-8"))
    }
    assert readers == {"situation/services.py", "integrations/indigo.py"}


def test_the_cell_limit_never_exceeds_the_csv_readers_own(settings):
    settings.IMPORT_MAX_CELL_CHARS = 10_000_000
    assert ss.Limits.from_settings().max_cell_chars == 131_072
    text = "a;b\n1;" + "x" * 131_073 + "\n"
    with pytest.raises(ss.UploadError) as exc:
        list(ss.read_rows(text.encode(), "csv"))
    assert exc.value.text == "Rad 2, kolumn 2: cellen är längre än 131 072 tecken."
    assert (exc.value.row, exc.value.column) == (2, 2)
