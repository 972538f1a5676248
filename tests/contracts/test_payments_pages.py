"""Pages, PDF, Excel, API and INDIGO export show exactly the core's amounts (to the öre), computed
here independently with the core from the database rows; imports are all or nothing."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from insats.audit.models import AuditEntry
from insats.contracts import core_inputs
from insats.contracts import services_results as sr
from insats.contracts.models import ContractParty, PartyRole, PaymentLine, ResultReport
from insats.core import financing as fin
from insats.core import payments as pay
from insats.integrations import indigo
from tests.conftest import login

from .test_payments import approve_all
from .test_results_world import DUE, actor, make_contract, provider

pytestmark = pytest.mark.django_db

AMOUNT = re.compile("−?\\d{1,3}(?:\u00a0\\d{3})*,\\d{2}\u00a0kr")  # NBSP: insats.platform.formatting


def parse_kr(text: str) -> Decimal:
    return Decimal(text.replace("\u00a0kr", "").replace("\u00a0", "").replace(",", ".").replace("−", "-"))


def core_output(contract):
    obs = [
        {"metric": r.metric.code, "period": r.period, "value": str(r.value)}
        for r in ResultReport.objects.filter(contract=contract, status="approved").select_related("metric")
    ]
    return pay.calculate(
        core_inputs.build_payment_contract(contract), pay.Results.model_validate({"observations": obs})
    )


@pytest.fixture
def running(world):
    contract = make_contract(world)
    # two payers so the split is tested too: the commissioner 70 %, the unrelated org joins as payer 30 %
    com = contract.parties.get(role=PartyRole.COMMISSIONER)
    com.payer_share = Decimal(70)
    com.save()
    ContractParty.objects.create(
        contract=contract, organisation=world.orgs["unrelated"], role=PartyRole.PAYER, payer_share=Decimal(30)
    )
    approve_all(world, contract)
    return contract


def test_payments_page_shows_the_cores_amounts(client, world, running):
    output = core_output(running)
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    html = client.get(reverse("contracts:payments", args=[running.pk])).content.decode()
    due_cells = re.findall(r'data-due="([0-9.]+)">([^<]+)<', html)
    expected = []
    for prow in output.periods:
        for payer_row in prow.payers:
            expected.append(payer_row.amount_due)
    assert [Decimal(raw) for raw, _ in due_cells] == expected
    assert [parse_kr(shown) for _, shown in due_cells] == expected
    assert parse_kr(re.search(r'id="grand-due">([^<]+)<', html).group(1)) == output.totals.amount_due
    assert "1\u00a0000\u00a0000,00\u00a0kr" in html  # the 2030 settlement in the disclosure
    assert "måttets tak för kontraktet: −500\u00a0000,00\u00a0kr" in html
    assert "metric_total" not in html and "participant →" not in html


def test_ledger_page_shows_the_cores_waterfall(client, world, running):
    output = core_output(running)
    waterfall = fin.waterfall(
        core_inputs.build_financing_terms(running), [p.amount_due for p in output.periods]
    )
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    html = client.get(reverse("contracts:ledger", args=[running.pk])).content.decode()
    summary = html.split('id="ledger-summary"', 1)[1].split("</dl>", 1)[0]
    amounts = [parse_kr(a) for a in AMOUNT.findall(summary)]
    # What has happened is split from the plan: a year's draw has happened once the year has begun.
    import datetime

    today = datetime.date.today()
    begun = [r for r in waterfall.ledger if datetime.date(2025 + r.period, 1, 1) <= today]
    assert amounts[:10] == [
        sum((r.drawn for r in begun), Decimal(0)),
        sum((r.drawn for r in waterfall.ledger if r not in begun), Decimal(0)),
        begun[-1].outstanding_end if begun else Decimal(0),
        waterfall.total_payments,
        waterfall.total_to_principal,
        waterfall.total_to_return,
        waterfall.total_surplus_to_fund,
        waterfall.total_surplus_to_provider,
        waterfall.fund_receipts,
        waterfall.ledger[-1].outstanding_end,
    ]
    assert "<strong>Nej</strong>" not in html  # every period balances


def test_invoice_basis_pdf_and_its_html(client, world, running):
    from insats.contracts import exports

    line = PaymentLine.objects.get(contract=running, period="2027", payer__role=PartyRole.PAYER)
    output = core_output(running)
    expected = next(
        p.amount_due
        for prow in output.periods
        if prow.period == "2027"
        for p in prow.payers
        if p.payer == f"party-{line.payer_id}"
    )
    assert expected == Decimal("525000.00")  # 30 % of 1 750 000 (hand)
    html = exports.invoice_html(running, line)
    assert parse_kr(re.search(r'id="amount-due">([^<]+)<', html).group(1)) == expected
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    response = client.get(reverse("contracts:invoice_pdf", args=[running.pk, line.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 2000
    assert AuditEntry.objects.filter(
        action="contract.invoice_basis.exported", object_id=str(line.pk)
    ).exists()


def test_excel_has_the_cores_amounts(client, world, running):
    from openpyxl import load_workbook

    output = core_output(running)
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    response = client.get(reverse("contracts:payments_xlsx", args=[running.pk]))
    wb = load_workbook(io.BytesIO(response.content))
    rows = list(wb.worksheets[0].iter_rows(min_row=2, values_only=True))
    got = [Decimal(str(r[3])).quantize(Decimal("0.01")) for r in rows]
    assert got == [p.amount_due for prow in output.periods for p in prow.payers]
    assert sum(got) == Decimal("12000000.00")
    # formats: numbers with the locale's separators (no literal space), years as numbers
    pay = wb.worksheets[0]
    assert {pay.cell(row=i, column=c).number_format for i in range(2, pay.max_row + 1) for c in (3, 4)} == {
        "#,##0.00"
    }
    assert [r[0] for r in rows] == [int(p.period) for p in output.periods for _ in p.payers]
    results = list(wb["Resultat"].iter_rows(min_row=2, values_only=True))
    assert {r[1] for r in results} == {"Placeringar som undvikits"}
    assert {r[2] for r in results} == {"Totalt"}
    assert sorted(r[0] for r in results) == [2026, 2027, 2028, 2029, 2030]
    ledger = list(wb["Fondbokföring"].iter_rows(min_row=2, values_only=True))
    assert all(isinstance(r[0], int) for r in ledger)


def test_api_payments_and_ledger(client, world, running):
    output = core_output(running)
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    data = client.get(f"/api/v1/contracts/{running.pk}/payments", {"page_size": 200}).json()["items"]
    assert [Decimal(d["due"]) for d in data] == [p.amount_due for prow in output.periods for p in prow.payers]
    ledger = client.get(f"/api/v1/contracts/{running.pk}/ledger").json()
    assert ledger["balances"] is True and Decimal(ledger["total_payments"]) == Decimal("12000000.00")
    assert ledger["money_multiple"] == pytest.approx(1.2425625)


def test_indigo_export_validates_and_carries_the_cores_amounts(client, world, running):
    from insats.contracts import services_payments as sp

    output = core_output(running)
    running.metrics.update(confidential_prices=True)
    owner = actor(world, "owner", "admin")
    paid = []
    for line in PaymentLine.objects.filter(contract=running, due__gt=0).order_by("period", "payer_id"):
        sp.payment_mark(actor=owner, line=line, status="paid")
        paid.append(line.due)
    login(client, world.user("partner", "analyst"), world.orgs["partner"])  # the provider's analyst
    response = client.get(reverse("contracts:indigo_export", args=[running.pk]))
    assert response.status_code == 200
    package = json.loads(response.content)
    assert indigo.validate_package(package) == []
    project = package["project"]["data"]
    actual = [p for p in project["outcome_payments"] if p["type"]["value"] == "Actual"]
    # "Actual" = paid: the core's amounts due, paid in full
    assert [Decimal(repr(p["money"]["amount"]["value"])) for p in actual] == paid
    assert paid == [p.amount_due for prow in output.periods for p in prow.payers if p.amount_due > 0]
    assert project["outcome_pricings"][0]["status"] == "PRIVATE"
    assert project["outcome_metrics"][0]["status"] == "PUBLIC"
    assert AuditEntry.objects.filter(action="contract.exported", object_id=str(running.pk)).exists()
    public = json.loads(
        client.get(reverse("contracts:indigo_export", args=[running.pk]) + "?variant=public").content
    )
    assert indigo.validate_package(public) == []
    assert not public["project"]["data"].get("outcome_pricings")
    api = client.get(f"/api/v1/contracts/{running.pk}/export/indigo").json()
    assert api["project"]["data"]["name"]["value"] == running.title and indigo.validate_package(api) == []


def test_unrelated_organisation_sees_none_of_it(client, world):
    contract = make_contract(world)
    approve_all(world, contract, {"2027": "43"})
    login(client, world.user("unrelated", "admin"), world.orgs["unrelated"])
    for name in ("results", "payments", "ledger", "dashboard", "exports", "indigo_export", "payments_xlsx"):
        assert client.get(reverse(f"contracts:{name}", args=[contract.pk])).status_code == 404, name
    assert client.get(f"/api/v1/contracts/{contract.pk}/payments").status_code == 404


# --------------------------------------------------------------------------- import


def _csv(rows: list[list[str]]) -> bytes:
    return "\n".join(";".join(r) for r in rows).encode("utf-8")


def test_import_all_or_nothing_names_rows_and_columns(world):
    contract = make_contract(world)
    bad = _csv(
        [
            ["matt", "period", "varde"],
            ["placeringar", "2026", "46"],
            ["placeringar", "2031", "43"],  # no such period
            ["placeringarr", "2028", "39"],  # no such metric
            ["placeringar", "2029", "tre"],  # not a number
            ["placeringar", "2026", "45"],  # the same period twice
        ]
    )
    result = sr.results_import(actor=provider(world), contract=contract, filename="r.csv", content=bad)
    assert not result.ok
    found = {(p.row, p.column) for p in result.problems}
    assert {(3, "period"), (4, "matt"), (5, "varde"), (6, "period")} <= found
    assert ResultReport.objects.filter(contract=contract).count() == 0  # nothing written


def test_import_xlsx_writes_every_row(world):
    from openpyxl import Workbook

    contract = make_contract(world)
    wb = Workbook()
    ws = wb.active
    ws.append(["Mått", "Period", "Värde"])
    for period, value in [("2026", 46), ("2027", 43.0)]:
        ws.append(["placeringar", int(period), value])
    buf = io.BytesIO()
    wb.save(buf)
    result = sr.results_import(
        actor=provider(world), contract=contract, filename="r.xlsx", content=buf.getvalue()
    )
    assert result.ok, [str(p) for p in result.problems]
    assert sorted((r.period, r.value) for r in ResultReport.objects.filter(contract=contract)) == [
        ("2026", Decimal(46)),
        ("2027", Decimal(43)),
    ]
    assert all(r.status == "submitted" and r.source == "import" for r in result.reports)
    assert (
        AuditEntry.objects.filter(action="contract.result.imported", object_id=str(contract.pk)).count() == 1
    )


def test_import_page_lists_errors(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    contract = make_contract(world)
    login(client, world.user("partner", "contract_manager"), world.orgs["partner"])
    upload = SimpleUploadedFile("r.csv", _csv([["matt", "period", "varde"], ["placeringar", "2026", "x"]]))
    html = client.post(
        reverse("contracts:results_import", args=[contract.pk]), {"file": upload}
    ).content.decode()
    assert 'id="import-errors"' in html and "<td>2</td><td>varde</td>" in html
    assert ResultReport.objects.filter(contract=contract).count() == 0


def test_report_form_and_validation_pages(client, world):
    contract = make_contract(world)
    login(client, world.user("partner", "analyst"), world.orgs["partner"])
    url = reverse("contracts:results", args=[contract.pk])
    r = client.post(
        url, {"metric": "placeringar", "period": "2027", "cohort": "", "value": "43", "action": "submit"}
    )
    assert r.status_code == 302
    report = ResultReport.objects.get(contract=contract, period="2027")
    client.logout()
    login(client, world.user("federation", "evaluator"), world.orgs["federation"])
    r = client.post(
        reverse("contracts:result_return", args=[contract.pk, report.pk]), {"return-comments": ""}
    )
    assert r.status_code == 422  # comments are required
    r = client.post(
        reverse("contracts:result_approve", args=[contract.pk, report.pk]), {"approve-comments": "OK"}
    )
    assert r.status_code == 302
    assert PaymentLine.objects.get(contract=contract, period="2027").due == Decimal(DUE["2027"])
    html = client.get(reverse("contracts:result_detail", args=[contract.pk, report.pk])).content.decode()
    assert "Godkänt" in html and "Inlämnat" in html
    assert re.search(r"<dt>Källa</dt><dd>(formulär|filimport \(CSV/Excel\)|API)</dd>", html)


def test_api_submit_return_approve(client, world):
    contract = make_contract(world)
    login(client, world.user("partner", "analyst"), world.orgs["partner"])
    url = f"/api/v1/contracts/{contract.pk}/results"
    r = client.post(
        url, {"metric": "placeringar", "period": "2031", "value": "4"}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "period"
    r = client.post(
        url, {"metric": "placeringar", "period": "2027", "value": "43"}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["status"] == "submitted" and r.json()["source"] == "api"
    rid = r.json()["id"]
    client.logout()
    login(client, world.user("federation", "evaluator"), world.orgs["federation"])
    r = client.post(f"{url}/{rid}/return", {"comments": " "}, content_type="application/json")
    assert r.status_code == 422
    r = client.post(f"{url}/{rid}/approve", {"comments": ""}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = client.post(f"{url}/{rid}/approve", {"comments": ""}, content_type="application/json")
    assert r.status_code == 409
    assert PaymentLine.objects.get(contract=contract, period="2027").due == Decimal("1750000.00")


@pytest.mark.parametrize("status", ["draft", "negotiation"])
def test_an_unsigned_contract_shows_the_financing_as_a_plan(client, world, status):
    """Before signing nothing is drawn: no 'paid out', no loss, no multiple — the drawdown schedule
    (5 × 1 600 000 = 8 000 000 in make_contract) labelled as a plan."""
    contract = make_contract(world, status=status)
    login(client, world.user("fund", "admin"), world.orgs["fund"])
    for name in ("contracts:ledger", "contracts:dashboard"):
        html = client.get(reverse(name, args=[contract.pk])).content.decode()
        assert 'id="ledger-not-started"' in html, name
        for absent in ("Utbetalt från fonden", "Förlust", "Multipel", "Tillbaka till fonden"):
            assert absent not in html, (name, absent)
        assert "plan, inget är utbetalt" in html
        assert html.count("1\u00a0600\u00a0000,00\u00a0kr") == 5
        assert "8\u00a0000\u00a0000,00\u00a0kr" in html


def test_a_signed_contract_shows_the_ledger(client, world):
    contract = make_contract(world, status="active")
    login(client, world.user("fund", "admin"), world.orgs["fund"])
    html = client.get(reverse("contracts:ledger", args=[contract.pk])).content.decode()
    assert 'id="ledger-not-started"' not in html
    assert "Utbetalt från fonden" in html


def _details(html: str, payer: str, period: str) -> str:
    start = html.index(f"Hur beloppet för {payer} {period} räknades fram")
    return html[start : html.index("</details>", start)]


def test_payments_page_explains_the_thresholds(client, world):
    """Hand figures (docs/resultat-och-betalningar.md): baseline 50; 2026: 46 placements = 4 fewer,
    8 %, below the yearly 10 % (5) → nothing; 2027: 7 fewer ≥ 5 → 7 paid. Over the contract 50 of
    250 = 20 % ≥ 20 % → settlement 2030: 50 × 250 000 = 12 500 000 minus what the years gave
    (0 + 1 750 000 + 2 750 000 + 3 250 000 + 3 750 000 = 11 500 000) = 1 000 000 kr, covering 2026."""
    contract = make_contract(world)
    approve_all(world, contract)
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    html = client.get(reverse("contracts:payments", args=[contract.pk])).content.decode()
    html = html.replace("\u00a0", " ")
    payer = world.orgs["owner"].name
    y2026 = _details(html, payer, "2026")
    assert "Förbättring 4 placeringar (8 %)" in y2026
    assert "tröskel minst 10 % av 50 = 5 placeringar" in y2026
    assert "inte uppnådd: inget betalas för perioden" in y2026
    y2027 = _details(html, payer, "2027")
    assert "Förbättring 7 placeringar (14 %)" in y2027
    assert "uppnådd: 7 placeringar betalas" in y2027
    assert "Slutavräkning över hela kontraktet" not in y2027
    y2030 = _details(html, payer, "2030")
    assert "förbättring 50 placeringar (20 %); tröskel minst 20 % av 250 = 50 placeringar" in y2030
    assert "Hela kontraktet ger 12 500 000,00 kr" in y2030
    assert "perioderna har redan gett 11 500 000,00 kr" in y2030
    assert "slutavräkningen är skillnaden, 1 000 000,00 kr" in y2030
    assert "inte nåddes: 2026 (4 placeringar)" in y2030


def test_metric_page_states_the_price_rule_in_swedish(client, world):
    contract = make_contract(world)
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    html = client.get(reverse("contracts:metrics", args=[contract.pk])).content.decode()
    html = html.replace("\u00a0", " ")
    assert "Jämförelse: historisk nivå, 50 placeringar per period." in html
    assert "Varje enhet förbättring (placeringar) betalas med 250 000,00 kr." in html
    assert "minst 10 % av jämförelsevärdet; då betalas hela förbättringen" in html
    assert "minst 20 % av jämförelsevärdet görs en slutavräkning" in html
    assert "Högst 12 000 000,00 kr för måttet under hela kontraktet." in html
    assert "baseline" not in html.replace("&quot;baseline&quot;", "")  # only in the JSON disclosure


def test_invoice_basis_names_caps_in_swedish(running):
    """2030: the metric's contract cap (12 000 000) removes 500 000 (hand: docs), 30 % of which is
    the second payer's; the invoice names the cap and the order of caps in Swedish."""
    from insats.contracts import exports

    line = PaymentLine.objects.get(contract=running, period="2030", payer__role=PartyRole.PAYER)
    html = exports.invoice_html(running, line).replace("\u00a0", " ")
    assert "måttets tak för kontraktet: −500 000,00 kr" in html
    assert "tak per deltagare → tak för besparingsdelen" in html
    for code in ("metric_total", "participant", "contract_total", "payer →"):
        assert code not in html, code


def _overflow(document) -> float:
    """How far (CSS px) any laid-out box reaches past the page's content area; 0 when it fits."""
    worst = 0.0
    for page in document.pages:
        box = page._page_box
        right = box.content_box_x() + box.width

        def walk(b):
            nonlocal worst
            worst = max(worst, b.position_x + b.margin_width() - right)
            for child in getattr(b, "children", []) or []:
                walk(child)

        for child in box.children:
            walk(child)
    return worst


def test_invoice_basis_fits_the_page_and_shows_local_time(running):
    """The calculation table fits A4 (nothing past the right margin, measured on WeasyPrint's
    layout), and times are local (Europe/Stockholm) as 'YYYY-MM-DD HH:MM', never ISO with 'T'."""
    import datetime
    from zoneinfo import ZoneInfo

    from weasyprint import HTML

    from insats.contracts import exports

    line = PaymentLine.objects.get(contract=running, period="2030", payer__role=PartyRole.PAYER)
    line.calculation = {**line.calculation, "computed_at": "2026-11-26T16:48:03.123456+00:00"}
    html = exports.invoice_html(running, line)
    assert _overflow(HTML(string=html).render()) <= 0.5
    assert "2026-11-26 17:48" in html  # 16:48 UTC is 17:48 in Stockholm (CET, winter)
    assert "2026-11-26T" not in html
    now = datetime.datetime.now(ZoneInfo("Europe/Stockholm"))
    assert re.search(r"utskrivet (\d{4}-\d\d-\d\d \d\d:\d\d)", html).group(1)[:10] == now.strftime("%Y-%m-%d")


def test_page_excel_and_invoice_basis_show_the_same_date_based_state(client, world, monkeypatch):
    """Issue 8, item 3: one ``payment_state`` everywhere. On 15 January 2030 (payment term 30 days,
    yearly periods): 2027 is paid; 2028 fell due 2029-01-30 and is overdue; 2029 ended 2029-12-31
    and falls due 2030-01-30; 2030 has not ended, so it is planned (written by hand)."""
    import datetime

    from django.utils import timezone
    from openpyxl import load_workbook

    from insats.contracts import exports
    from insats.contracts import services_payments as sp

    contract = make_contract(world)
    approve_all(world, contract)
    lines = {ln.period: ln for ln in PaymentLine.objects.filter(contract=contract)}
    sp.payment_mark(actor=actor(world, "owner", "admin"), line=lines["2027"], status="paid")
    expected = {
        "2027": "Betald",
        "2028": "Förfallen sedan 2029-01-30",
        "2029": "Förfaller 2030-01-30",
        "2030": "Planerad",
    }
    real = timezone.localdate
    today = datetime.date(2030, 1, 15)
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, tz=None: today if value is None else real(value)
    )

    login(client, world.user("owner", "admin"), world.orgs["owner"])
    page = client.get(reverse("contracts:payments", args=[contract.pk])).content.decode()
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("contracts:payments_xlsx", args=[contract.pk])).content)
    )
    excel = {str(r[0]): r[4] for r in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    for period, label in expected.items():
        assert label in page, period
        assert excel[period] == label, period
        line = PaymentLine.objects.get(pk=lines[period].pk)
        html = exports.invoice_html(contract, line)
        assert label in html and "Att betala</td>" not in html, period
        response = client.get(reverse("contracts:invoice_pdf", args=[contract.pk, line.pk]))
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "Att betala" not in excel.values()
