"""Every Excel and CSV export of the product, walked: a name or code written as
``=HYPERLINK("http://x","y")`` comes out as text (never a formula), every CSV is semicolon, UTF-8
with BOM, CRLF, and numbers stay numbers.

The walk is complete by construction: :func:`test_every_spreadsheet_url_is_walked` lists every URL
pattern of the product whose route or name says csv / xlsx / excel and fails if one is not here.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from insats.audit.services import log_action
from insats.contracts.models import ContractParty, OutcomeMetric, PartyRole
from insats.situation import services_import as si
from insats.situation.models import Area, Indicator, IndicatorSource, Observation
from tests.conftest import login
from tests.contracts.test_payments import approve_all
from tests.contracts.test_results_world import make_contract
from tests.situation.test_import import actor

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://x","y")'
EVIL_CSV = "'" + EVIL  # OWASP: a leading apostrophe, so Excel shows the text


# --------------------------------------------------------------------------- reading the files back


def xlsx_cells(content: bytes):
    wb = load_workbook(io.BytesIO(content))  # not read-only: keeps data_type and quotePrefix
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]


def assert_xlsx_guarded(content: bytes) -> list:
    """No formula anywhere; the evil text is there, as a text cell with the quote prefix."""
    cells = xlsx_cells(content)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    evil = [c for c in cells if c.value == EVIL]
    assert evil, "the evil text is not in the workbook"
    for c in evil:
        assert c.data_type == "s" and c.quotePrefix, (c.parent.title, c.coordinate)
    return cells


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    text = body.decode("utf-8")[1:]
    assert text.endswith("\r\n") and text.count("\n") == text.count("\r\n"), "CRLF line ends"
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def assert_csv_guarded(response) -> list[list[str]]:
    rows = csv_rows(response)
    cells = [c for r in rows for c in r]
    assert EVIL_CSV in cells
    assert EVIL not in cells  # never raw
    assert not [c for c in cells if c[:1] in ("=", "+", "@")], "a live formula in the CSV"
    return rows


# --------------------------------------------------------------------------- the exports


def _evil_org(world, key):
    org = world.orgs[key]
    org.name = EVIL
    org.save()
    return org


def _own_indicator(world, *, title=EVIL):
    ind = si.indicator_create(
        actor=actor(world), organisation=world.orgs["owner"], code="EVIL1", title_sv=title, unit="procent"
    )
    area = Area.objects.get(code="1270")
    for year, value in [(2019, "-3.5"), (2020, "10.0"), (2021, "9.5"), (2022, "9.0")]:
        Observation.objects.create(
            indicator=ind, area=area, period=year, value=Decimal(value), source=IndicatorSource.OWN
        )
    return ind


def test_lagesbild_excel(client, world):
    _own_indicator(world)
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    response = client.get(reverse("situation:export_xlsx"), {"area": "1270", "ind": "EVIL1"})
    assert response.status_code == 200
    cells = assert_xlsx_guarded(response.content)
    # numbers stay numbers, a negative one too
    neg = [c for c in cells if c.value == pytest.approx(-3.5)]
    assert neg and all(c.data_type == "n" for c in neg)


def test_result_excel(client, world):
    from insats.situation import services_plans as sp
    from insats.situation.models_plans import Result

    _evil_org(world, "owner")
    ind = _own_indicator(world, title="Hög frånvaro")
    result = sp.save(
        actor=actor(world),
        obj=Result(organisation=world.orgs["owner"]),
        values={"title": "-1+1", "goal_area": "@SUM(A1)"},
    )
    sp.result_indicator_add(
        actor=actor(world), result=result, indicator=ind, area=Area.objects.get(code="1270")
    )
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    response = client.get(reverse("situation:result_xlsx", args=[result.pk]))
    assert response.status_code == 200
    cells = assert_xlsx_guarded(response.content)
    for text in ("-1+1", "@SUM(A1)"):
        (c,) = [c for c in cells if c.value == text]
        assert c.data_type == "s" and c.quotePrefix


def test_import_error_report_csv(client, world):
    si.indicator_create(actor=actor(world), organisation=world.orgs["owner"], code="FRV", title_sv="Frv")
    quoted = '"' + EVIL.replace('"', '""') + '"'
    content = f"omrade;indikator;period;{quoted};varde\n1270;FRV;2024;X;1\n".encode()
    imp = si.upload_create(
        actor=actor(world), organisation=world.orgs["owner"], filename="d.csv", content=content
    )
    cols = {"area": "omrade", "indicator": "indikator", "period": "period", "gender": EVIL, "value": "varde"}
    report = si.import_run(actor=actor(world), imp=imp, columns=cols, constants={})
    assert [(i.row, i.column) for i in report.issues] == [(2, EVIL)]  # "X" is no gender
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    rows = assert_csv_guarded(client.get(reverse("situation:import_errors_csv", args=[imp.pk])))
    assert rows[0] == ["rad", "kolumn", "fält", "fel"]
    assert rows[1][:2] == ["2", EVIL_CSV]


def test_import_templates(client, world):
    ind = si.indicator_create(
        actor=actor(world), organisation=world.orgs["owner"], code="FRV", title_sv="Frv"
    )
    Indicator.objects.filter(pk=ind.pk).update(code=EVIL)  # however it got there
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    rows = assert_csv_guarded(client.get(reverse("situation:import_template", args=["csv"])))
    assert rows[0] == ["omrade", "indikator", "period", "kon", "varde", "antal"]
    response = client.get(reverse("situation:import_template", args=["xlsx"]))
    cells = assert_xlsx_guarded(response.content)
    assert [c.value for c in cells if c.data_type == "n"][:2] == [12.5, 48]


def test_results_template_csv(client, world):
    contract = make_contract(world)
    OutcomeMetric.objects.filter(contract=contract).update(code=EVIL)
    login(client, world.user("partner", "contract_manager"), world.orgs["partner"])
    response = client.get(reverse("contracts:results_template", args=[contract.pk]))
    assert response.status_code == 200
    rows = assert_csv_guarded(response)
    assert rows[0] == ["matt", "period", "kohort", "varde", "jamforelse"]


def test_payments_excel(client, world):
    contract = make_contract(world)
    com = contract.parties.get(role=PartyRole.COMMISSIONER)
    com.payer_share = Decimal(70)
    com.save()
    ContractParty.objects.create(
        contract=contract, organisation=world.orgs["unrelated"], role=PartyRole.PAYER, payer_share=Decimal(30)
    )
    _evil_org(world, "unrelated")  # another organisation, a payer in the "Betalningar" sheet
    approve_all(world, contract)
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    response = client.get(reverse("contracts:payments_xlsx", args=[contract.pk]))
    assert response.status_code == 200
    cells = assert_xlsx_guarded(response.content)
    money = [c for c in cells if c.column == 4 and c.row > 1 and c.parent.title == "Betalningar"]
    assert money and all(c.data_type == "n" for c in money)


def test_audit_csv(client, world):
    org = _evil_org(world, "owner")
    log_action("test.evil", organisation=org, object_label="+SUM(1)", changes={})
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    rows = assert_csv_guarded(client.get(reverse("audit:export")))
    assert "'+SUM(1)" in [c for r in rows for c in r]
    assert rows[1][0].isdigit()  # the sequence number as a plain number


def test_portfolio_excel(client, world):
    from insats.interventions.catalogue.models import Intervention, InterventionFunding
    from insats.interventions.reviews import services as review_services

    forbund = world.orgs["federation"]
    iv = Intervention.objects.create(organisation=forbund, name=EVIL, intensity="riktad")
    InterventionFunding.objects.create(intervention=iv, funder=forbund, year=2024, amount=Decimal(1_000_000))
    review_services.budget_set(actor=None, organisation=forbund, year=2024, total_budget=Decimal(4_000_000))
    login(client, world.user("owner", "viewer"), world.orgs["owner"])  # a member of the förbund
    response = client.get(reverse("interventions:portfolio_xlsx", args=[forbund.pk]), {"year": 2024})
    assert response.status_code == 200
    cells = assert_xlsx_guarded(response.content)
    (share,) = [c for c in cells if c.row == 5 and c.column == 3]  # 1 of 4 MSEK
    assert share.data_type == "n" and Decimal(str(share.value)) == Decimal("0.25")


def _evil_intervention(world):
    from insats.interventions.catalogue.models import AgeBand, Intervention

    iv = Intervention.objects.create(
        organisation=world.orgs["owner"], name=EVIL, intensity="riktad", capacity_per_year=37
    )
    iv.age_bands.set(AgeBand.objects.filter(organisation=None, label="7–13 år"))
    return iv


def test_catalogue_excel(client, world):
    _evil_intervention(world)
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    response = client.get(reverse("interventions:catalogue_xlsx"))
    assert response.status_code == 200
    cells = assert_xlsx_guarded(response.content)
    assert any(c.data_type == "n" and c.value == 37 for c in cells)  # places per year, a number


def test_map_excel(client, world):
    _evil_intervention(world)
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    response = client.get(reverse("interventions:map_xlsx"))
    assert response.status_code == 200
    cells = assert_xlsx_guarded(response.content)
    assert any(c.data_type == "n" and c.value == 37 for c in cells)


def test_rfi_analysis_excel(client, world):
    from tests.sourcing.secrecy_world import answer, make_rfi

    rfi = make_rfi(world.orgs["owner"])
    answer(rfi, world.orgs["partner"], solution=EVIL, price="1", outcome=True, pilot=True, form="Idéburen")
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    response = client.get(reverse("sourcing:rfi_analysis_xlsx", args=[rfi.pk]))
    assert response.status_code == 200
    assert_xlsx_guarded(response.content)


WALKED = {
    "situation:export_xlsx": test_lagesbild_excel,
    "situation:result_xlsx": test_result_excel,
    "situation:import_errors_csv": test_import_error_report_csv,
    "situation:import_template": test_import_templates,
    "contracts:results_template": test_results_template_csv,
    "contracts:payments_xlsx": test_payments_excel,
    "audit:export": test_audit_csv,
    "interventions:portfolio_xlsx": test_portfolio_excel,
    "interventions:catalogue_xlsx": test_catalogue_excel,
    "interventions:map_xlsx": test_map_excel,
    "sourcing:rfi_analysis_xlsx": test_rfi_analysis_excel,
}


def _patterns(resolver, prefix=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _patterns(p, ns)
        elif isinstance(p, URLPattern):
            yield f"{prefix}{p.name}", str(p.pattern)


# Routes the words below catch that are not spreadsheets ("mall" = a template of questions).
NOT_SPREADSHEETS = {"sourcing:rfi_questions_seed"}


def test_every_spreadsheet_url_is_walked():
    found = {
        name
        for name, route in _patterns(get_resolver())
        if any(word in (route + " " + name).lower() for word in ("csv", "xlsx", "excel", "mall"))
    } - NOT_SPREADSHEETS
    assert found == set(WALKED)
