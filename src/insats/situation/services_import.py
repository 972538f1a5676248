"""Own data import: observations from a CSV or Excel file, all or nothing.

The flow (docs/import.md):

1. :func:`upload_create` — keep the file (in the database) and read its header row;
2. :func:`suggest_mapping` — pre-fill the mapping from the organisation's remembered mapping or the
   header names; the user maps columns to area / indicator / period / gender / value / count;
3. :func:`import_run` — read every row (streamed, within the upload limits of
   :mod:`insats.platform.spreadsheets`), validate every cell, and either write all rows in one
   transaction (upsert, one audit entry with the counts) or write nothing and keep an error report
   naming row, column and problem.

Rows are numbered as in the file (the header is row 1), so "rad 7" is row 7 in Excel. Observations
may only be imported into the organisation's own indicators (:func:`indicator_create`); the shared
Kolada catalogue is never written from a file.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.audit.services import log_action
from insats.platform import spreadsheets

from .models import (
    Area,
    Gender,
    Indicator,
    IndicatorSource,
    Observation,
    PeriodType,
)
from .models_import import (
    CONSTANT_FIELDS,
    IMPORT_FIELDS,
    REQUIRED_FIELDS,
    ImportMapping,
    ImportStatus,
    ObservationImport,
)
from .services import observation_rows_write

MAX_STORED_ERRORS = 1000
XLSX_CHECKED_ROWS = 1000  # rows of an Excel file read at upload (docs/import.md, "Limits")
WRITE_BATCH = 2000
VALUE_QUANTUM = Decimal("0.000001")
MAX_ABS_VALUE = Decimal("1e14")  # Observation.value: 20 digits, 6 decimals
TEMPLATE_HEADERS = ["omrade", "indikator", "period", "kon", "varde", "antal"]

FIELD_LABELS = {
    "area": "Område",
    "indicator": "Indikator",
    "period": "Period",
    "gender": "Kön",
    "value": "Värde",
    "count": "Antal",
}

# Header names recognised when no mapping is remembered (compared after normalising).
ALIASES = {
    "area": ["omrade", "omradeskod", "kommun", "kommunkod", "area", "areacode", "municipality", "kod"],
    "indicator": ["indikator", "indikatorkod", "nyckeltal", "kpi", "indicator", "indicatorcode"],
    "period": ["period", "ar", "year", "tid", "manad", "kvartal", "month", "quarter"],
    "gender": ["kon", "gender", "sex"],
    "value": ["varde", "value", "andel", "procent", "share"],
    "count": ["antal", "count", "n", "number"],
}


def field_label(name: str) -> str:
    return _(FIELD_LABELS[name])


# --------------------------------------------------------------------------- parsing cells


class CellError(ValueError):
    """A cell that does not parse; the message is for the user."""


_NUMBER_RE = re.compile(r"^[+-]?(\d+|\d{1,3}([ \u00a0\u202f]\d{3})+)([.,]\d+)?$")


def parse_decimal(raw) -> Decimal:
    """A number from a cell: Excel numbers, ``12,5`` (Swedish decimal comma), ``12.5``,
    ``1 234,5`` (space as thousands separator), ``−3`` (Unicode minus)."""
    if isinstance(raw, bool):
        raise CellError(_("är inte ett tal"))
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise CellError(_("är inte ett ändligt tal"))
        value = Decimal(repr(raw))
    elif isinstance(raw, Decimal):
        value = raw
    else:
        text = str(raw).strip().replace("\u2212", "-")
        if not text:
            raise CellError(_("saknas"))
        if not _NUMBER_RE.match(text):
            raise CellError(_("”%(text)s” är inte ett tal (skriv t.ex. 12,5)") % {"text": text[:40]})
        text = re.sub(r"[ \u00a0\u202f]", "", text).replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern above lets only numbers through
            raise CellError(_("”%(text)s” är inte ett tal") % {"text": text[:40]}) from None
    if abs(value) >= MAX_ABS_VALUE:
        raise CellError(_("talet är för stort"))
    return value.quantize(VALUE_QUANTUM)


def parse_count(raw) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    value = parse_decimal(raw)
    if value != value.to_integral_value():
        raise CellError(_("ett antal måste vara ett heltal"))
    if value < 0:
        raise CellError(_("ett antal kan inte vara negativt"))
    if value > 2_000_000_000:
        raise CellError(_("talet är för stort"))
    return int(value)


_PERIOD_PATTERNS = [
    (re.compile(r"^(\d{4})$"), PeriodType.YEAR),
    (re.compile(r"^(\d{4})\s*-?\s*[Hh]([0-9]+)$"), PeriodType.HALF),
    (re.compile(r"^(\d{4})\s*-?\s*[QqKk]([0-9]+)$"), PeriodType.QUARTER),
    (re.compile(r"^(\d{4})\s*-?\s*[Mm]([0-9]+)$"), PeriodType.MONTH),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), PeriodType.MONTH),
    (re.compile(r"^(\d{4})-(\d{1,2})-\d{1,2}$"), PeriodType.MONTH),
]
_PART_MAX = {PeriodType.YEAR: 0, PeriodType.HALF: 2, PeriodType.QUARTER: 4, PeriodType.MONTH: 12}


def parse_period(raw) -> tuple[str, int, int]:
    """``(period_type, year, part)`` from ``2024``, ``2024H1``, ``2024Q3``/``2024K3``, ``2024-03``
    / ``2024M03``, an Excel date (its month) or an Excel number 2024."""
    if isinstance(raw, (dt.datetime, dt.date)):
        year, part, kind = raw.year, raw.month, PeriodType.MONTH
    else:
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        text = str(raw if raw is not None else "").strip()
        if not text:
            raise CellError(_("saknas"))
        for pattern, kind in _PERIOD_PATTERNS:
            m = pattern.match(text)
            if m:
                year = int(m.group(1))
                part = int(m.group(2)) if kind != PeriodType.YEAR else 0
                break
        else:
            raise CellError(
                _("”%(text)s” är ingen period (skriv 2024, 2024H1, 2024Q3 eller 2024-03)")
                % {"text": text[:40]}
            )
    if not 1900 <= year <= 2100:
        raise CellError(_("året %(year)s ligger utanför 1900–2100") % {"year": year})
    if kind != PeriodType.YEAR and not 1 <= part <= _PART_MAX[kind]:
        raise CellError(
            _("delperioden %(part)s finns inte (1–%(max)s)") % {"part": part, "max": _PART_MAX[kind]}
        )
    return kind, year, part


def parse_gender(raw) -> str:
    text = str(raw if raw is not None else "").strip().upper()
    if not text:
        return Gender.TOTAL
    if text not in Gender.values:
        raise CellError(
            _("”%(text)s” är inget kön: använd T (totalt), K (kvinnor) eller M (män)") % {"text": text[:20]}
        )
    return text


# --------------------------------------------------------------------------- reading files


def _file_format(filename: str) -> str:
    return spreadsheets.file_format(filename)


def iter_rows(content: bytes, file_format: str) -> Iterator[tuple[int, list]]:
    """``(row number, cells)`` for every non-empty row after the header (the header is row 1),
    within the upload limits (:mod:`insats.platform.spreadsheets`)."""
    return spreadsheets.iter_data_rows(content, file_format)


def read_headers(content: bytes, file_format: str) -> list[str]:
    return spreadsheets.read_headers(content, file_format)


# --------------------------------------------------------------------------- upload and mapping


def upload_create(*, actor, organisation, filename: str, content: bytes) -> ObservationImport:
    """Keep an uploaded file for the mapping step; a clear error if it is not readable."""
    file_format = _file_format(filename)
    # One pass (an Excel workbook is opened once): the header row, then a CSV file whole (fast), so
    # nothing outside the limits is kept, or an Excel file's first rows (slow to read) — the import
    # run reads the rest within the same limits.
    headers, _rows = spreadsheets.read_upload(
        content, file_format, upto=None if file_format == "csv" else XLSX_CHECKED_ROWS
    )
    return ObservationImport.objects.create(
        organisation=organisation,
        user=actor.user if actor is not None else None,
        filename=filename[:255],
        file_format=file_format,
        content=content,
        headers=headers,
    )


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text).lower())
    return "".join(c for c in text if c.isalnum())


def suggest_mapping(organisation, headers: list[str]) -> tuple[dict, dict]:
    """(columns, constants) to pre-fill: the remembered mapping where its headers exist in this
    file, otherwise headers recognised by name."""
    remembered = ImportMapping.objects.filter(organisation=organisation).first()
    columns: dict[str, str] = {}
    constants: dict[str, str] = {}
    if remembered:
        columns = {f: h for f, h in remembered.columns.items() if f in IMPORT_FIELDS and h in headers}
        constants = {
            f: v for f, v in remembered.constants.items() if f in CONSTANT_FIELDS and f not in columns
        }
    normalised = {_norm(h): h for h in headers}
    for f in IMPORT_FIELDS:
        if f in columns or f in constants:
            continue
        for alias in ALIASES[f]:
            if alias in normalised and normalised[alias] not in columns.values():
                columns[f] = normalised[alias]
                break
    return columns, constants


def check_mapping(headers: list[str], columns: dict, constants: dict) -> dict:
    """Errors of a mapping, by field: every required field mapped, no column used twice."""
    errors: dict[str, str] = {}
    for f, h in columns.items():
        if h and h not in headers:
            errors[f] = _("Kolumnen ”%(h)s” finns inte i filen.") % {"h": h}
    used = [h for h in columns.values() if h]
    for f, h in columns.items():
        if h and used.count(h) > 1:
            errors[f] = _("Kolumnen ”%(h)s” är vald för flera fält.") % {"h": h}
    for f in REQUIRED_FIELDS:
        if not columns.get(f) and not (f in CONSTANT_FIELDS and str(constants.get(f) or "").strip()):
            errors.setdefault(f, _("Välj en kolumn för %(field)s.") % {"field": field_label(f).lower()})
    return errors


def mapping_save(*, actor, organisation, columns: dict, constants: dict) -> ImportMapping:
    columns = {f: h for f, h in columns.items() if h}
    constants = {
        f: str(v).strip() for f, v in constants.items() if str(v or "").strip() and not columns.get(f)
    }
    mapping, created = ImportMapping.objects.get_or_create(organisation=organisation)
    before = {"columns": mapping.columns, "constants": mapping.constants}
    after = {"columns": columns, "constants": constants}
    if created or before != after:
        mapping.columns, mapping.constants = columns, constants
        mapping.updated_by = getattr(actor, "user", None)
        mapping.save()
        log_action(
            "situation.import_mapping.saved",
            actor=getattr(actor, "user", None),
            organisation=organisation,
            obj=mapping,
            object_label=str(organisation)[:300],
            changes={"before": before, "after": after},
        )
    return mapping


# --------------------------------------------------------------------------- the import


@dataclass(frozen=True)
class Issue:
    row: int
    column: str
    field: str
    message: str

    def as_json(self) -> dict:
        return {"row": self.row, "column": self.column, "field": self.field, "message": self.message}


@dataclass
class ImportReport:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    issues: list[Issue] = field(default_factory=list)
    error_count: int = 0
    indicators: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error_count == 0


def _lookups(organisation):
    areas: dict[str, int] = {}
    for pk, code, kolada in Area.objects.values_list("pk", "code", "kolada_id"):
        areas[kolada] = pk
        areas[code] = pk  # the official code wins where both exist
    indicators = {
        i.code.strip().upper(): i
        for i in Indicator.objects.filter(organisation=organisation, source=IndicatorSource.OWN)
    }
    return areas, indicators


def _validate(imp: ObservationImport, columns: dict, constants: dict, report: ImportReport):
    """Every row → (cells, issues). Cells are tuples ready to write, keyed by the unique cell."""
    areas, indicators = _lookups(imp.organisation)
    index = {h: i for i, h in enumerate(imp.headers)}
    source = {f: (index[columns[f]], columns[f]) for f in IMPORT_FIELDS if columns.get(f)}
    fixed_label = _("(fast värde)")
    seen: dict[tuple, int] = {}
    cells: dict[tuple, tuple] = {}

    def issue(row_no: int, f: str, message: str) -> None:
        report.error_count += 1
        if len(report.issues) < MAX_STORED_ERRORS:
            col = source[f][1] if f in source else fixed_label
            report.issues.append(Issue(row_no, col, field_label(f), message))

    for row_no, row in iter_rows(imp.content, imp.file_format):
        report.rows += 1

        def cell(f: str, row=row):
            if f in source:
                i = source[f][0]
                return row[i] if i < len(row) else None
            return constants.get(f)

        bad = False
        raw_area = cell("area")
        area_text = str(raw_area if raw_area is not None else "").strip()
        if isinstance(raw_area, (int, float)) and not isinstance(raw_area, bool):
            area_text = f"{int(raw_area):04d}"
        area_id = areas.get(area_text) or (areas.get(area_text.zfill(4)) if area_text.isdigit() else None)
        if not area_text:
            issue(row_no, "area", _("saknas"))
            bad = True
        elif area_id is None:
            issue(
                row_no,
                "area",
                _("okänt område ”%(code)s” (ange kommunkod, t.ex. 1270)") % {"code": area_text[:20]},
            )
            bad = True
        ind_text = str(cell("indicator") or "").strip()
        indicator = indicators.get(ind_text.upper())
        if not ind_text:
            issue(row_no, "indicator", _("saknas"))
            bad = True
        elif indicator is None:
            issue(
                row_no,
                "indicator",
                _("okänd indikator ”%(code)s” (bara organisationens egna indikatorer kan importeras)")
                % {"code": ind_text[:40]},
            )
            bad = True
        try:
            period = parse_period(cell("period"))
        except CellError as exc:
            issue(row_no, "period", str(exc))
            bad = True
            period = None
        try:
            gender = parse_gender(cell("gender"))
        except CellError as exc:
            issue(row_no, "gender", str(exc))
            bad = True
            gender = None
        try:
            value = parse_decimal(cell("value"))
        except CellError as exc:
            issue(row_no, "value", str(exc))
            bad = True
            value = None
        count = None
        if "count" in source:
            try:
                count = parse_count(cell("count"))
            except CellError as exc:
                issue(row_no, "count", str(exc))
                bad = True
        if bad:
            continue
        key = (indicator.pk, area_id, period[0], period[1], period[2], gender)
        first = seen.get(key)
        if first is not None:
            issue(
                row_no,
                "period",
                _("samma område, indikator, period och kön som rad %(row)s (dubblett)") % {"row": first},
            )
            continue
        seen[key] = row_no
        cells[key] = (value, count)
        if indicator.code not in report.indicators:
            report.indicators.append(indicator.code)
    return cells


def import_run(*, actor, imp: ObservationImport, columns: dict, constants: dict) -> ImportReport:
    """Validate every row; write all of them (one transaction, one audit entry) or none.

    ``columns`` {field: header}, ``constants`` {field: value} for area / indicator / gender.
    The mapping is remembered for the organisation either way.
    """
    if imp.status != ImportStatus.UPLOADED:
        raise ValidationError({"file": _("Den här filen är redan behandlad; ladda upp den igen.")})
    problems = check_mapping(imp.headers, columns, constants)
    if problems:
        raise ValidationError(problems)
    user = getattr(actor, "user", None)
    start = time.perf_counter()
    mapping_save(actor=actor, organisation=imp.organisation, columns=columns, constants=constants)
    report = ImportReport()
    try:
        cells = _validate(imp, columns, constants, report)
    except spreadsheets.UploadError as exc:  # outside the limits (a file kept before they applied)
        report.error_count += 1
        report.issues.append(_file_issue(imp, exc))
        cells = {}
    if report.rows == 0 and not report.error_count:
        report.error_count = 1
        report.issues.append(Issue(1, "", "", _("Filen har inga datarader under rubrikraden.")))
    imp.columns, imp.constants = columns, constants
    imp.rows, imp.error_count = report.rows, report.error_count
    imp.errors = [i.as_json() for i in report.issues]
    if not report.ok:
        report.seconds = time.perf_counter() - start
        imp.status, imp.finished_at, imp.seconds = ImportStatus.FAILED, timezone.now(), report.seconds
        with transaction.atomic():
            imp.content = b""
            imp.save()
            log_action(
                "situation.import.failed",
                actor=user,
                organisation=imp.organisation,
                obj=imp,
                changes={"file": imp.filename, "rows": report.rows, "errors": report.error_count},
            )
        return report
    with transaction.atomic():
        _write(imp, cells, report)
        report.seconds = time.perf_counter() - start
        imp.status, imp.finished_at, imp.seconds = ImportStatus.DONE, timezone.now(), report.seconds
        imp.inserted, imp.updated, imp.unchanged = report.inserted, report.updated, report.unchanged
        imp.content = b""
        imp.save()
        log_action(
            "situation.import.done",
            actor=user,
            organisation=imp.organisation,
            obj=imp,
            changes={
                "file": imp.filename,
                "rows": report.rows,
                "inserted": report.inserted,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "indicators": report.indicators,
            },
        )
    return report


def _file_issue(imp: ObservationImport, exc: spreadsheets.UploadError) -> Issue:
    column = ""
    if exc.column is not None:
        column = imp.headers[exc.column - 1] if exc.column <= len(imp.headers) else str(exc.column)
    return Issue(exc.row or 0, column, "", exc.text)


def upload_preview(imp: ObservationImport, n: int = 5) -> list[list[str]]:
    """The first ``n`` data rows of a kept upload, as text, for the mapping page. Raises
    :class:`~insats.platform.spreadsheets.UploadError` if the upload is outside today's limits (kept
    before they applied): too many columns to map, or its first rows unreadable."""
    spreadsheets.check_columns(imp.headers)
    rows = []
    for _row_no, row in iter_rows(imp.content, imp.file_format):
        rows.append(["" if c is None else str(c) for c in row[: len(imp.headers)]])
        if len(rows) >= n:
            break
    return rows


def import_fail(*, actor, imp: ObservationImport, error: spreadsheets.UploadError) -> ObservationImport:
    """Close a kept upload that cannot be read: failed, its content dropped, the error kept and
    audited — so its page shows the error, not a crash, and a new upload starts afresh."""
    with transaction.atomic():
        imp.status, imp.finished_at = ImportStatus.FAILED, timezone.now()
        imp.error_count, imp.errors = 1, [_file_issue(imp, error).as_json()]
        imp.content = b""
        imp.save()
        log_action(
            "situation.import.failed",
            actor=getattr(actor, "user", None),
            organisation=imp.organisation,
            obj=imp,
            changes={"file": imp.filename, "rows": imp.rows, "errors": 1},
        )
    return imp


def _write(imp: ObservationImport, cells: dict, report: ImportReport) -> None:
    indicator_ids = sorted({k[0] for k in cells})
    years = sorted({k[3] for k in cells})
    existing = {
        (o[0], o[1], o[2], o[3], o[4], o[5]): (o[6], o[7])
        for o in Observation.objects.filter(indicator_id__in=indicator_ids, period__in=years).values_list(
            "indicator_id", "area_id", "period_type", "period", "period_part", "gender", "value", "count"
        )
    }
    label = (_("Egen data: %(org)s") % {"org": imp.organisation.name})[:100]
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    value_field = Observation._meta.get_field("value")
    params = []
    for key, (value, count) in cells.items():
        old = existing.get(key)
        if old is not None:
            old_value = None if old[0] is None else Decimal(old[0]).quantize(VALUE_QUANTUM)
            if old_value == value and old[1] == count:
                report.unchanged += 1
                continue
            report.updated += 1
        else:
            report.inserted += 1
        ind, area, ptype, period, part, gender = key
        db_value = ops.adapt_decimalfield_value(value, value_field.max_digits, value_field.decimal_places)
        params.append(
            (
                ind,
                area,
                ptype,
                period,
                part,
                gender,
                db_value,
                count,
                "",
                False,
                now,
                IndicatorSource.OWN,
                label,
            )
        )
    observation_rows_write(params, upsert=True, batch=WRITE_BATCH)


def errors_csv(imp: ObservationImport) -> str:
    """The error report as CSV (semicolon, Excel-friendly): rad;kolumn;fält;fel."""
    rows = [[_("rad"), _("kolumn"), _("fält"), _("fel")]]
    rows += [[e["row"], e["column"], e["field"], e["message"]] for e in imp.errors]
    if imp.error_count > len(imp.errors):
        rows.append(["", "", "", _("… och %(n)s fel till") % {"n": imp.error_count - len(imp.errors)}])
    return spreadsheets.csv_text(rows)


# --------------------------------------------------------------------------- own indicators and templates


def indicator_create(
    *,
    actor,
    organisation,
    code: str,
    title_sv: str,
    title_en: str = "",
    unit: str = "",
    polarity: str = "neutral",
    description: str = "",
    divided_by_gender: bool = False,
) -> Indicator:
    """An organisation's own indicator (source "own"), to import observations into."""
    code = code.strip()
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,32}", code):
        raise ValidationError(
            {"code": _("Koden får bara innehålla bokstäver a–z, siffror, - _ och . (högst 32 tecken).")}
        )
    if Indicator.objects.filter(organisation=organisation, code__iexact=code).exists():
        raise ValidationError(
            {"code": _("Organisationen har redan en indikator med koden %(code)s.") % {"code": code}}
        )
    ind = Indicator(
        code=code,
        title_sv=title_sv.strip(),
        title_en=title_en.strip(),
        unit=unit.strip(),
        polarity=polarity,
        description=description,
        divided_by_gender=divided_by_gender,
        source=IndicatorSource.OWN,
        organisation=organisation,
    )
    ind.full_clean()
    with transaction.atomic():
        ind.save()
        log_action(
            "situation.indicator.created",
            actor=getattr(actor, "user", None),
            organisation=organisation,
            obj=ind,
            changes={"code": ind.code, "title_sv": ind.title_sv, "unit": ind.unit, "polarity": ind.polarity},
        )
    return ind


def _template_rows(organisation) -> list[list]:
    code_of_org = getattr(organisation, "area_code", "") or ""
    area = code_of_org if len(code_of_org) == 4 else "1270"
    own = (
        Indicator.objects.filter(organisation=organisation, source=IndicatorSource.OWN)
        .order_by("code")
        .first()
    )
    code = own.code if own else "EGEN01"
    return [
        [area, code, "2023", "T", "12,5", "48"],
        [area, code, "2024", "T", "10,8", "41"],
        [area, code, "2024H1", "K", "9,6", "18"],
        [area, code, "2024Q3", "M", "11,2", ""],
    ]


def template_csv(organisation) -> str:
    return spreadsheets.csv_text([TEMPLATE_HEADERS, *_template_rows(organisation)])


def template_xlsx(organisation) -> bytes:
    wb = spreadsheets.new_workbook()
    ws = wb.active
    ws.title = "Observationer"
    spreadsheets.append(ws, TEMPLATE_HEADERS)
    for r in _template_rows(organisation):
        spreadsheets.append(
            ws, [r[0], r[1], r[2], r[3], float(r[4].replace(",", ".")), int(r[5]) if r[5] else None]
        )
    help_ws = wb.create_sheet("Hjälp")
    for line in [
        ["omrade", _("Kommunkod (1270), länskod (12) eller 0000 för Riket")],
        ["indikator", _("Koden för en av organisationens egna indikatorer")],
        ["period", _("2024 (år), 2024H1 (halvår), 2024Q3 (kvartal) eller 2024-03 (månad)")],
        ["kon", _("T (totalt), K (kvinnor) eller M (män); tomt = T")],
        ["varde", _("Tal med decimalkomma eller decimalpunkt")],
        ["antal", _("Antal personer bakom värdet, heltal ≥ 0 (valfritt)")],
    ]:
        spreadsheets.append(help_ws, line)
    return spreadsheets.workbook_bytes(wb)
