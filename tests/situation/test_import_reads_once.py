"""An Excel upload is opened once, and a sheet without a ``<dimension>`` element is not parsed in full
just to open the workbook (issue 13, item 6)."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from openpyxl import Workbook

from insats.accounts.access import Actor
from insats.platform import spreadsheets
from insats.situation import services_import as si

HEADER = ["omrade", "indikator", "period", "kon", "varde", "antal"]


def xlsx(rows: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for i in range(rows):
        ws.append(["1270", "FRANVARO", str(2000 + i % 20), "T", i / 10, i])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def without_dimension(content: bytes, *, break_after_rows: int | None = None) -> bytes:
    """The same workbook with the first sheet's ``<dimension>`` removed; with ``break_after_rows``,
    the sheet's XML is also cut off (malformed) after that many rows — anything that parses the
    whole sheet then fails."""
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = re.sub(r"<dimension [^>]*/>", "", data.decode())
                assert "<dimension" not in text
                if break_after_rows is not None:
                    rows = [m.end() for m in re.finditer(r"</row>", text)]
                    text = text[: rows[break_after_rows - 1]] + "<row r="  # truncated: not XML
                data = text.encode()
            dst.writestr(info, data)
    return out.getvalue()


@pytest.fixture
def load_calls(monkeypatch):
    calls = []
    real = openpyxl.load_workbook

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", counting)
    return calls


def test_an_excel_upload_opens_the_workbook_once(world, load_calls):
    who = Actor(user=world.user("owner", "analyst"), membership=world.membership("owner", "analyst"))
    imp = si.upload_create(
        actor=who, organisation=world.orgs["owner"], filename="data.xlsx", content=xlsx(50)
    )
    assert imp.headers == HEADER
    assert len(load_calls) == 1


def test_read_upload_gives_the_headers_and_the_rows_read(load_calls):
    assert spreadsheets.read_upload(xlsx(50), "xlsx") == (HEADER, 51)
    assert spreadsheets.read_upload(xlsx(50), "xlsx", upto=10) == (HEADER, 10)
    assert len(load_calls) == 2  # one per call


def test_a_sheet_without_dimension_is_not_parsed_in_full_to_read_its_header():
    # the sheet's XML is broken after row 3: the header (and the first rows) read, so nothing past
    # them was parsed — openpyxl's own size check would have parsed to the end and failed
    content = without_dimension(xlsx(200), break_after_rows=3)
    assert spreadsheets.read_headers(content, "xlsx") == HEADER


def test_a_sheet_without_dimension_still_reads_every_row():
    content = without_dimension(xlsx(30))
    rows = list(spreadsheets.iter_data_rows(content, "xlsx"))
    assert len(rows) == 30
    assert rows[0][0] == 2 and rows[-1][1][5] == 29


def test_a_sheet_with_its_dimension_keeps_it():
    wb = spreadsheets._open_xlsx(xlsx(5))
    try:
        assert wb.worksheets[0].max_row == 6 and wb.worksheets[0].max_column == 6
    finally:
        wb.close()
