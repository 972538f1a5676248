"""Spreadsheets in and out: the one place Insats writes Excel and CSV files and reads uploaded ones.

**Out** (every export, docs/import.md "Exports"):

* :func:`new_workbook`, :func:`append` and :func:`workbook_bytes` write Excel. A text that starts
  with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written as a *text* cell (type
  ``s`` with the quote prefix), never as a formula, so a name like ``=HYPERLINK(…)`` stays a
  name. Numbers stay numbers (a negative number is a number, not a text). ``workbook_bytes`` checks
  every cell once more before saving: the product writes no formulas at all.
* :func:`csv_text`, :func:`csv_response` and :func:`csv_streaming_response` write CSV in one
  convention: semicolon, UTF-8 with BOM, CRLF (what Swedish Excel opens without asking); such texts
  get a leading apostrophe (OWASP's advice for CSV injection).

**In** (every upload): :func:`read_rows` reads a CSV (UTF-8 or Windows-1252, ``;`` ``,`` or tab) or
an Excel file (openpyxl read-only; ``defusedxml`` is installed so openpyxl refuses XML entities)
within :class:`Limits` — size, unpacked size, columns, characters per cell and rows, all settings
(``IMPORT_MAX_*``, docs/operators.md). Anything outside them, or unreadable, raises a
``ValidationError({"file": …})`` whose message names the limit and the row and column.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

# --------------------------------------------------------------------------- writing

#: First characters that make a spreadsheet program read a text as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_DELIMITER = ";"
CSV_LINE_END = "\r\n"
CSV_BOM = "\ufeff"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL_MAX_CELL_CHARS = 32767  # Excel's own limit; longer texts make Excel "repair" the file
_ILLEGAL_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def is_formula_like(value) -> bool:
    """True for a text a spreadsheet program would take as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_cell(value) -> str:
    """One CSV field: formula-like texts behind an apostrophe, decimals with a comma."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (Decimal, float)):
        return str(value).replace(".", ",")
    if isinstance(value, (int, datetime, date)):
        return value.isoformat() if isinstance(value, (datetime, date)) else str(value)
    text = str(value)
    return "'" + text if is_formula_like(text) else text


class _Line:
    def write(self, value):
        return value


def _csv_writer():
    return csv.writer(_Line(), delimiter=CSV_DELIMITER, lineterminator=CSV_LINE_END)


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    """The BOM, then one guarded CRLF-terminated line per row."""
    writer = _csv_writer()
    yield CSV_BOM
    for row in rows:
        yield writer.writerow([csv_cell(v) for v in row])


def csv_text(rows: Iterable[Iterable]) -> str:
    return "".join(csv_lines(rows))


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(rows: Iterable[Iterable], filename: str) -> HttpResponse:
    return _attachment(HttpResponse(csv_text(rows).encode("utf-8"), content_type=CSV_CONTENT_TYPE), filename)


def csv_streaming_response(rows: Iterable[Iterable], filename: str) -> StreamingHttpResponse:
    """For long exports (the audit log): rows are written as they are read."""
    return _attachment(
        StreamingHttpResponse(
            (line.encode("utf-8") for line in csv_lines(rows)), content_type=CSV_CONTENT_TYPE
        ),
        filename,
    )


def new_workbook():
    """An empty openpyxl workbook (one sheet); fill it with :func:`append`, save with
    :func:`workbook_bytes`."""
    from openpyxl import Workbook

    return Workbook()


def excel_value(value):
    """A value openpyxl can store: texts without XML control characters and within Excel's length."""
    if isinstance(value, str):
        value = _ILLEGAL_XML.sub("", value)
        if len(value) > EXCEL_MAX_CELL_CHARS:
            value = value[: EXCEL_MAX_CELL_CHARS - 1] + "…"
    return value


def _guard_cell(cell) -> None:
    value = cell.value
    if cell.data_type == "f" or is_formula_like(value):
        cell.data_type = "s"  # after the value: assigning a value would make it a formula again
        cell.quotePrefix = True


def append(ws, values: Iterable) -> None:
    """Append one row to a sheet; formula-like texts become text cells."""
    ws.append([excel_value(v) for v in values])
    for cell in ws[ws.max_row]:
        _guard_cell(cell)


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    return _attachment(HttpResponse(data, content_type=XLSX_CONTENT_TYPE), filename)


def workbook_bytes(wb) -> bytes:
    """The workbook as .xlsx, after checking every cell of every sheet once more."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                _guard_cell(cell)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Limits:
    """What an upload may hold. Defaults from the settings ``IMPORT_MAX_*``."""

    max_bytes: int
    max_unpacked_bytes: int
    max_columns: int
    max_cell_chars: int
    max_rows: int

    @classmethod
    def from_settings(cls, **overrides) -> Limits:
        values = {
            "max_bytes": settings.IMPORT_MAX_BYTES,
            "max_unpacked_bytes": settings.IMPORT_MAX_UNPACKED_BYTES,
            "max_columns": settings.IMPORT_MAX_COLUMNS,
            "max_cell_chars": settings.IMPORT_MAX_CELL_CHARS,
            "max_rows": settings.IMPORT_MAX_ROWS,
        }
        values.update(overrides)
        # the csv module stops at its own field limit (131,072); a larger setting could not be named
        values["max_cell_chars"] = min(values["max_cell_chars"], csv.field_size_limit())
        return cls(**values)


class UploadError(ValidationError):
    """An upload outside the limits or unreadable: ``{"file": [message]}``, plus the 1-based
    ``row`` and ``column`` where known (the message names them too)."""

    def __init__(self, message: str, *, row: int | None = None, column: int | None = None):
        super().__init__({"file": [message]})
        self.text, self.row, self.column = message, row, column


def _error(message: str, *, row: int | None = None, column: int | None = None) -> UploadError:
    return UploadError(message, row=row, column=column)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".replace(".", ",").removesuffix(",0")


def file_format(filename: str) -> str:
    """``"csv"`` or ``"xlsx"`` from the file name."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith((".csv", ".txt")):
        return "csv"
    raise _error(_("Filen måste vara CSV (.csv) eller Excel (.xlsx)."))


def check_size(size: int, limits: Limits | None = None) -> None:
    """Refuse a file over the size limit before it is read."""
    limits = limits or Limits.from_settings()
    if size > limits.max_bytes:
        raise _error(
            _("Filen är %(size)s MB; högst %(max)s MB tillåts.")
            % {"size": _mb(size), "max": _mb(limits.max_bytes)}
        )


def _decode(content: bytes) -> str:
    head = content[:4096]
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(b"\x00") > len(head) // 4:
        raise _error(
            _(
                "Filen är inte kodad som UTF-8 eller Windows-1252 (den ser ut att vara UTF-16). "
                "Spara den som ”CSV UTF-8” och ladda upp den igen."
            )
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _error(_("Filen går inte att läsa som text (UTF-8 eller Windows-1252)."))


def _too_long(row_no: int, col_no: int, limits: Limits) -> UploadError:
    return _error(
        _("Rad %(row)s, kolumn %(col)s: cellen är längre än %(max)s tecken.")
        % {"row": row_no, "col": col_no, "max": f"{limits.max_cell_chars:,}".replace(",", " ")},
        row=row_no,
        column=col_no,
    )


def _long_field_column(record: str, delimiter: str) -> int:
    """The 1-based column of the first over-long field in a (partial) CSV record — only to name it
    in the error when the csv module gave up on a field larger than its own limit."""
    col, length, quoted, longest = 1, 0, False, (0, 1)
    i = 0
    while i < len(record):
        ch = record[i]
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            longest = max(longest, (length, col))
            col, length = col + 1, 0
            i += 1
            continue
        length += 1
        i += 1
    return max(longest, (length, col))[1]


def _csv_rows(content: bytes, limits: Limits) -> Iterator[list]:
    text = _decode(content)
    first = text[: 64 * 1024].split("\n", 1)[0]
    delimiter = max([";", ",", "\t"], key=first.count) if first else ";"
    lines = io.StringIO(text, newline="")
    consumed: list[str] = []

    def tracked():
        for line in lines:
            consumed.append(line)
            yield line

    reader = csv.reader(tracked(), delimiter=delimiter)
    row_no = 0
    while True:
        consumed.clear()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row_no += 1
            if "field larger than field limit" in str(exc):
                raise _too_long(row_no, _long_field_column("".join(consumed), delimiter), limits) from None
            raise _error(
                _("Rad %(row)s går inte att läsa som CSV.") % {"row": row_no},
                row=row_no,
            ) from None
        row_no += 1
        yield row


def _check_zip(content: bytes, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _error(_("Filen går inte att öppna som en Excelfil (.xlsx).")) from None
    if unpacked > limits.max_unpacked_bytes:
        raise _error(
            _("Excelfilen packas upp till %(size)s MB; högst %(max)s MB tillåts.")
            % {"size": _mb(unpacked), "max": _mb(limits.max_unpacked_bytes)}
        )


def _xml_refused() -> ValidationError:
    return _error(
        _("Excelfilen innehåller XML som inte tillåts (t.ex. egna entiteter eller en DTD) och läses inte.")
    )


def _xlsx_error(exc: BaseException) -> UploadError:
    """Refused XML (defusedxml: entities, a DTD) wherever openpyxl wrapped it, else unreadable."""
    from defusedxml import DefusedXmlException

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return _xml_refused()
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return _error(_("Filen går inte att öppna som en Excelfil (.xlsx)."))


def _sheet_size_from_header(self) -> None:
    """``ReadOnlyWorksheet._get_size`` that stops where the cells begin.

    openpyxl looks for a sheet's ``<dimension>`` element with ``iterparse``'s *end* events, so on a
    sheet without one (many programs omit it) it only stops at the *end* of ``<sheetData>``: every
    sheet of the workbook is parsed in full when the workbook is opened, before a single row is
    read. Here the *start* events are read: the dimension if it comes before the cells, else
    nothing — the same answer, without reading the cells. (We reset the dimensions anyway.)
    """
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse

    src = self._get_source()
    try:
        for _event, element in iterparse(src, events=("start",)):
            if element.tag == DIMENSION_TAG:
                ref = element.get("ref")
                if ref:
                    bounds = SheetDimension(ref=ref).boundaries
                    if None not in bounds:
                        self._min_column, self._min_row, self._max_column, self._max_row = bounds
                return
            if element.tag == DATA_TAG:
                return
    finally:
        src.close()


def _open_xlsx(content: bytes):
    """The workbook, read-only, values only; its sheets' sizes from their headers alone."""
    from openpyxl import load_workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    if ReadOnlyWorksheet._get_size is not _sheet_size_from_header:
        ReadOnlyWorksheet._get_size = _sheet_size_from_header  # type: ignore[method-assign]
    return load_workbook(io.BytesIO(content), read_only=True, data_only=True)


def _xlsx_rows(content: bytes, limits: Limits) -> Iterator[list]:
    _check_zip(content, limits)
    try:
        wb = _open_xlsx(content)
    except Exception as exc:
        raise _xlsx_error(exc) from None
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # a declared A1:XFD1048576 must not pad every row to 16,384 cells
        rows = ws.iter_rows(values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as exc:
                raise _xlsx_error(exc) from None
            yield list(row)
    finally:
        wb.close()


def _width(row: list) -> int:
    n = len(row)
    while n and (row[n - 1] is None or row[n - 1] == ""):
        n -= 1
    return n


def read_rows(content: bytes, fmt: str, limits: Limits | None = None) -> Iterator[list]:
    """Every row of the file, the header first, each checked against the limits."""
    limits = limits or Limits.from_settings()
    check_size(len(content), limits)
    reader = _xlsx_rows(content, limits) if fmt == "xlsx" else _csv_rows(content, limits)
    for row_no, row in enumerate(reader, start=1):
        if row_no > limits.max_rows + 1:
            raise _error(
                _("Filen har fler än %(max)s rader under rubrikraden; dela upp den i flera filer.")
                % {"max": f"{limits.max_rows:,}".replace(",", " ")},
                row=row_no,
            )
        width = _width(row)
        if width > limits.max_columns:
            raise _error(
                _("Rad %(row)s har %(n)s kolumner; högst %(max)s tillåts.")
                % {"row": row_no, "n": width, "max": limits.max_columns},
                row=row_no,
            )
        del row[width:]
        for col_no, cell in enumerate(row, start=1):
            if isinstance(cell, str):
                if len(cell) > limits.max_cell_chars:
                    raise _too_long(row_no, col_no, limits)
                if "\x00" in cell:  # nothing we keep may hold it (PostgreSQL refuses it in text and JSON)
                    raise _error(
                        _("Rad %(row)s, kolumn %(col)s: cellen innehåller ett otillåtet tecken (NUL).")
                        % {"row": row_no, "col": col_no},
                        row=row_no,
                        column=col_no,
                    )
        yield row


def check_columns(headers: list, limits: Limits | None = None) -> None:
    """The header row of a file kept earlier, against today's column limit (no reading)."""
    limits = limits or Limits.from_settings()
    if len(headers) > limits.max_columns:
        raise _error(
            _("Rad %(row)s har %(n)s kolumner; högst %(max)s tillåts.")
            % {"row": 1, "n": len(headers), "max": limits.max_columns},
            row=1,
        )


def read_headers(content: bytes, fmt: str, limits: Limits | None = None) -> list[str]:
    """The header row: every column named, no name twice."""
    return _headers(next(iter(read_rows(content, fmt, limits)), None))


def read_upload(
    content: bytes, fmt: str, limits: Limits | None = None, *, upto: int | None = None
) -> tuple[list[str], int]:
    """:func:`read_headers` and :func:`check_file` in one pass over the file (an Excel workbook is
    opened once): the header row, and the number of rows read (all, or the first ``upto``)."""
    rows = read_rows(content, fmt, limits)
    headers = _headers(next(rows, None))
    n = 1
    for n, _row in enumerate(rows, start=2):  # noqa: B007
        if upto is not None and n >= upto:
            break
    return headers, n


def _headers(first: list | None) -> list[str]:
    headers = [str(h).strip() if h is not None else "" for h in (first or [])]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise _error(_("Filen är tom eller saknar rubrikrad."))
    if "" in headers:
        raise _error(
            _("Kolumn %(n)s saknar rubrik; varje kolumn behöver ett namn i rad 1.")
            % {"n": headers.index("") + 1}
        )
    dupes = sorted(h for h, n in Counter(headers).items() if n > 1)
    if dupes:
        raise _error(_("Rubrikerna förekommer två gånger: %(names)s") % {"names": ", ".join(dupes)})
    return headers


def check_file(content: bytes, fmt: str, limits: Limits | None = None, *, upto: int | None = None) -> int:
    """Read the file (at upload) so that a file kept for later is known to be readable within the
    limits: all of it, or its first ``upto`` rows. Returns the number of rows read, the header
    included."""
    n = 0
    for n, _row in enumerate(read_rows(content, fmt, limits), start=1):  # noqa: B007
        if upto is not None and n >= upto:
            break
    return n


def iter_data_rows(content: bytes, fmt: str, limits: Limits | None = None) -> Iterator[tuple[int, list]]:
    """``(row number, cells)`` for every non-empty row after the header (the header is row 1)."""
    for row_no, row in enumerate(read_rows(content, fmt, limits), start=1):
        if row_no == 1:
            continue
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
            continue
        yield row_no, row
