"""Own data import: cell parsing, all-or-nothing runs, error reports naming row and column, Excel and
CSV, the remembered mapping, templates, the audit entry and the pages.

Expected values are written out by hand from the files in each test (rows are numbered as in the
file: the header is row 1).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from insats.accounts.access import Actor
from insats.audit.models import AuditEntry
from insats.situation import services_import as si
from insats.situation.models import Area, Indicator, IndicatorSource, Observation, PeriodType
from insats.situation.models_import import ImportMapping, ImportStatus
from tests.conftest import login

COLUMNS = {
    "area": "omrade",
    "indicator": "indikator",
    "period": "period",
    "gender": "kon",
    "value": "varde",
    "count": "antal",
}


def actor(world, org="owner", role="analyst"):
    return Actor(user=world.user(org, role), membership=world.membership(org, role))


def csv_bytes(rows, header="omrade;indikator;period;kon;varde;antal") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


@pytest.fixture
def own(world):
    return si.indicator_create(
        actor=actor(world),
        organisation=world.orgs["owner"],
        code="FRANVARO",
        title_sv="Hög frånvaro",
        unit="procent",
    )


def run(world, content: bytes, filename="data.csv", columns=COLUMNS, constants=None):
    imp = si.upload_create(
        actor=actor(world), organisation=world.orgs["owner"], filename=filename, content=content
    )
    report = si.import_run(actor=actor(world), imp=imp, columns=columns, constants=constants or {})
    imp.refresh_from_db()
    return imp, report


# --------------------------------------------------------------------------- cells


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("12,5", Decimal("12.5")),
        ("12.5", Decimal("12.5")),
        ("1 234,5", Decimal("1234.5")),
        ("1\u00a0234", Decimal("1234")),
        ("\u22123,25", Decimal("-3.25")),
        ("-0,000001", Decimal("-0.000001")),
        (7, Decimal("7")),
        (0.1, Decimal("0.1")),
    ],
)
def test_numbers_accept_swedish_decimal_comma(raw, expected):
    assert si.parse_decimal(raw) == expected


@pytest.mark.parametrize("raw", ["12,5,3", "abc", "", "1 23,4", "12e3", True, float("nan")])
def test_bad_numbers_are_refused(raw):
    with pytest.raises(si.CellError):
        si.parse_decimal(raw)


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=6, allow_nan=False))
def test_a_decimal_written_with_a_comma_reads_back_exactly(d):
    text = format(d, "f").replace(".", ",")
    assert si.parse_decimal(text) == d


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2024", (PeriodType.YEAR, 2024, 0)),
        (2024, (PeriodType.YEAR, 2024, 0)),
        (2024.0, (PeriodType.YEAR, 2024, 0)),
        ("2024H2", (PeriodType.HALF, 2024, 2)),
        ("2024-Q3", (PeriodType.QUARTER, 2024, 3)),
        ("2024K1", (PeriodType.QUARTER, 2024, 1)),
        ("2024-03", (PeriodType.MONTH, 2024, 3)),
        ("2024M12", (PeriodType.MONTH, 2024, 12)),
    ],
)
def test_periods(raw, expected):
    assert si.parse_period(raw) == expected


@pytest.mark.parametrize("raw", ["24", "2024Q5", "2024-13", "2024H3", "1850", "vår 2024", ""])
def test_bad_periods_are_refused(raw):
    with pytest.raises(si.CellError):
        si.parse_period(raw)


def test_counts_must_be_whole_and_not_negative():
    assert si.parse_count("48") == 48
    assert si.parse_count("") is None
    for bad in ["-1", "2,5"]:
        with pytest.raises(si.CellError):
            si.parse_count(bad)


# --------------------------------------------------------------------------- runs


def test_a_good_csv_file_imports_every_row_and_audits_once(world, own):
    content = csv_bytes(
        ["1270;FRANVARO;2023;T;12,5;48", "1270;FRANVARO;2024;T;10,8;41", "1270;franvaro;2024H1;K;9,6;"]
    )
    before = AuditEntry.objects.filter(action="situation.import.done").count()
    imp, report = run(world, content)
    assert report.ok and imp.status == ImportStatus.DONE
    assert (report.rows, report.inserted, report.updated, report.unchanged) == (3, 3, 0, 0)
    tomelilla = Area.objects.get(code="1270")
    got = {
        (o.period_type, o.period, o.period_part, o.gender): (o.value, o.count)
        for o in Observation.objects.filter(indicator=own, area=tomelilla)
    }
    assert got == {
        ("year", 2023, 0, "T"): (Decimal("12.5"), 48),
        ("year", 2024, 0, "T"): (Decimal("10.8"), 41),
        ("half", 2024, 1, "K"): (Decimal("9.6"), None),
    }
    assert set(Observation.objects.filter(indicator=own).values_list("source", flat=True)) == {
        IndicatorSource.OWN
    }
    entries = AuditEntry.objects.filter(action="situation.import.done")
    assert entries.count() == before + 1
    changes = entries.latest("seq").changes
    assert (changes["rows"], changes["inserted"], changes["updated"]) == (3, 3, 0)


def test_a_second_import_updates_changed_rows_and_counts_unchanged_ones(world, own):
    run(world, csv_bytes(["1270;FRANVARO;2023;T;12,5;48", "1270;FRANVARO;2024;T;10,8;41"]))
    imp, report = run(world, csv_bytes(["1270;FRANVARO;2023;T;12,5;48", "1270;FRANVARO;2024;T;11;41"]))
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 1)
    assert Observation.objects.get(indicator=own, period=2024).value == Decimal("11")


def test_a_bad_file_changes_nothing_and_names_every_error_by_row_and_column(world, own):
    run(world, csv_bytes(["1270;FRANVARO;2023;T;5;10"]))
    before = list(Observation.objects.values_list("pk", "value", "count"))
    content = csv_bytes(
        [
            "1270;FRANVARO;2023;T;7;10",  # row 2: fine, would update — must not
            "9999;FRANVARO;2024;T;1;1",  # row 3: unknown area
            "1270;OKAND;2024;T;1;1",  # row 4: unknown indicator
            "1270;FRANVARO;2024;T;tolv;1",  # row 5: bad number
            "1270;FRANVARO;2024Q7;T;1;1",  # row 6: bad period
            "1270;FRANVARO;2024;X;1;1",  # row 7: gender not T/K/M
            "1270;FRANVARO;2023;T;8;10",  # row 8: duplicate of row 2
            "1270;FRANVARO;2022;T;1;-4",  # row 9: negative count
        ]
    )
    imp, report = run(world, content)
    assert not report.ok and imp.status == ImportStatus.FAILED
    assert list(Observation.objects.values_list("pk", "value", "count")) == before
    found = [(e["row"], e["column"]) for e in imp.errors]
    assert found == [
        (3, "omrade"),
        (4, "indikator"),
        (5, "varde"),
        (6, "period"),
        (7, "kon"),
        (8, "period"),
        (9, "antal"),
    ]
    messages = {e["row"]: e["message"] for e in imp.errors}
    assert "9999" in messages[3] and "OKAND" in messages[4] and "tolv" in messages[5]
    assert "rad 2" in messages[8] and "negativt" in messages[9]
    assert imp.error_count == 7 and imp.content == b""
    assert AuditEntry.objects.filter(action="situation.import.failed").latest("seq").changes["errors"] == 7


def test_observations_go_only_into_the_organisations_own_indicators(world, own):
    Indicator.objects.create(
        code="N15419", title_sv="Delad", source=IndicatorSource.KOLADA, kolada_kpi_id="N15419"
    )
    other = si.indicator_create(
        actor=actor(world, "unrelated"), organisation=world.orgs["unrelated"], code="ANNAN", title_sv="Annans"
    )
    imp, report = run(world, csv_bytes(["1270;N15419;2024;T;1;", "1270;ANNAN;2024;T;1;"]))
    assert [(e["row"], e["column"]) for e in imp.errors] == [(2, "indikator"), (3, "indikator")]
    assert not Observation.objects.filter(indicator=other).exists()


def test_an_excel_file_imports_numbers_dates_and_swedish_strings(world, own):
    import datetime

    wb = Workbook()
    ws = wb.active
    ws.append(["Kommun", "Nyckeltal", "Tid", "Kön", "Andel"])
    ws.append([1270, "FRANVARO", 2024, "T", 10.8])
    ws.append(["1270", "FRANVARO", datetime.datetime(2024, 3, 1), "K", "9,6"])
    ws.append([None, None, None, None, None])  # an empty row is skipped
    buf = io.BytesIO()
    wb.save(buf)
    columns = {"area": "Kommun", "indicator": "Nyckeltal", "period": "Tid", "gender": "Kön", "value": "Andel"}
    imp, report = run(world, buf.getvalue(), filename="franvaro.xlsx", columns=columns)
    assert report.ok and report.rows == 2
    assert Observation.objects.get(indicator=own, period_type="year").value == Decimal("10.8")
    month = Observation.objects.get(indicator=own, period_type="month")
    assert (month.period, month.period_part, month.gender, month.value) == (2024, 3, "K", Decimal("9.6"))


def test_an_excel_error_names_the_excel_row(world, own):
    wb = Workbook()
    ws = wb.active
    ws.append(["omrade", "indikator", "period", "kon", "varde"])
    ws.append([1270, "FRANVARO", 2024, "T", 1])
    ws.append([1270, "FRANVARO", 2025, "T", "ett"])
    buf = io.BytesIO()
    wb.save(buf)
    imp, report = run(
        world, buf.getvalue(), filename="x.xlsx", columns={k: v for k, v in COLUMNS.items() if k != "count"}
    )
    assert [(e["row"], e["column"]) for e in imp.errors] == [(3, "varde")]
    assert not Observation.objects.filter(indicator=own).exists()


def test_fixed_values_stand_in_for_missing_columns(world, own):
    content = csv_bytes(["2023;12,5", "2024;10,8"], header="Läsår;Andel")
    imp, report = run(
        world,
        content,
        columns={"period": "Läsår", "value": "Andel"},
        constants={"area": "1270", "indicator": "FRANVARO"},
    )
    assert report.ok and report.inserted == 2
    err, _ = run(
        world,
        csv_bytes(["2023;1"], header="Läsår;Andel"),
        columns={"period": "Läsår", "value": "Andel"},
        constants={"area": "9999", "indicator": "FRANVARO"},
    )
    assert [(e["row"], e["column"]) for e in err.errors] == [(2, "(fast värde)")]


def test_a_mapping_missing_a_required_field_is_refused_naming_it(world, own):
    imp = si.upload_create(
        actor=actor(world),
        organisation=world.orgs["owner"],
        filename="a.csv",
        content=csv_bytes(["1270;FRANVARO;2024;T;1;1"]),
    )
    with pytest.raises(si.ValidationError) as exc:
        si.import_run(
            actor=actor(world),
            imp=imp,
            columns={"area": "omrade", "indicator": "indikator", "period": "period"},
            constants={},
        )
    assert set(exc.value.message_dict) == {"value"}


def test_unreadable_files_are_refused_at_upload(world):
    for name, content in [
        ("a.pdf", b"%PDF"),
        ("a.xlsx", b"not a zip"),
        ("a.csv", b""),
        ("a.csv", b"a;;b\n1;2;3\n"),
        ("a.csv", b"a;a\n1;2\n"),
    ]:
        with pytest.raises(si.ValidationError) as exc:
            si.upload_create(
                actor=actor(world), organisation=world.orgs["owner"], filename=name, content=content
            )
        assert "file" in exc.value.message_dict, name


def test_the_mapping_is_remembered_per_organisation(world, own):
    header = "Kommun;Nyckel;År;Andel"
    columns = {"area": "Kommun", "indicator": "Nyckel", "period": "År", "value": "Andel"}
    run(world, csv_bytes(["1270;FRANVARO;2024;3"], header=header), columns=columns)
    assert ImportMapping.objects.get(organisation=world.orgs["owner"]).columns == columns
    again = si.upload_create(
        actor=actor(world),
        organisation=world.orgs["owner"],
        filename="b.csv",
        content=csv_bytes(["1270;FRANVARO;2025;3"], header=header),
    )
    assert si.suggest_mapping(world.orgs["owner"], again.headers) == (columns, {})
    # another organisation does not get it ("Kommun" is still recognised by name, "Nyckel" is not)
    other_cols, _ = si.suggest_mapping(world.orgs["unrelated"], again.headers)
    assert other_cols == {"area": "Kommun", "period": "År", "value": "Andel"}


def test_the_templates_import_cleanly_once_the_indicator_exists(world):
    si.indicator_create(actor=actor(world), organisation=world.orgs["owner"], code="EGEN01", title_sv="Egen")
    csv_text = si.template_csv(world.orgs["owner"])
    imp, report = run(world, csv_text.encode("utf-8"))
    assert report.ok and report.rows == 4
    wb = load_workbook(io.BytesIO(si.template_xlsx(world.orgs["owner"])))
    assert [c.value for c in wb["Observationer"][1]] == si.TEMPLATE_HEADERS
    imp2, report2 = run(world, si.template_xlsx(world.orgs["owner"]), filename="mall.xlsx")
    assert report2.ok and report2.unchanged == 4


# --------------------------------------------------------------------------- pages


def test_the_pages_run_an_import_and_show_and_export_the_errors(client, world, own):
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    upload = io.BytesIO(csv_bytes(["1270;FRANVARO;2024;T;1;1", "1270;FRANVARO;2024;T;2;1"]))
    upload.name = "skolans-export.csv"
    response = client.post(reverse("situation:import_start"), {"file": upload})
    assert response.status_code == 302
    map_url = response["Location"]
    page = client.get(map_url).content.decode()
    assert 'value="omrade" selected' in page  # recognised by name
    data = {f"col_{f}": h for f, h in COLUMNS.items()}
    response = client.post(map_url, data)
    assert response.status_code == 302
    page = client.get(map_url).content.decode()
    assert "Ingenting är importerat" in page and "dubblett" in page
    assert not Observation.objects.filter(indicator=own).exists()
    imp_pk = int(map_url.rstrip("/").split("/")[-1])
    report = client.get(reverse("situation:import_errors_csv", args=[imp_pk])).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(report), delimiter=";"))
    assert rows[0] == ["rad", "kolumn", "fält", "fel"]
    assert rows[1][:3] == ["3", "period", "Period"]


def test_an_unrelated_organisation_cannot_open_an_upload(client, world, own):
    imp = si.upload_create(
        actor=actor(world),
        organisation=world.orgs["owner"],
        filename="a.csv",
        content=csv_bytes(["1270;FRANVARO;2024;T;1;1"]),
    )
    login(client, world.user("unrelated", "analyst"), world.orgs["unrelated"])
    assert client.get(reverse("situation:import_map", args=[imp.pk])).status_code == 404
    assert (
        client.post(reverse("situation:import_map", args=[imp.pk]), {"col_area": "omrade"}).status_code == 404
    )


def test_an_analyst_creates_an_own_indicator_and_a_viewer_cannot(client, world):
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    assert client.get(reverse("situation:indicator_create")).status_code == 403
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    response = client.post(
        reverse("situation:indicator_create"),
        {"code": "NARVARO", "title_sv": "Närvaro", "polarity": "higher_better"},
    )
    assert response.status_code == 302
    ind = Indicator.objects.get(code="NARVARO")
    assert (ind.organisation, ind.source) == (world.orgs["owner"], IndicatorSource.OWN)
    response = client.post(
        reverse("situation:indicator_create"), {"code": "narvaro", "title_sv": "Igen", "polarity": "neutral"}
    )
    assert response.status_code == 200 and "redan" in response.content.decode()
