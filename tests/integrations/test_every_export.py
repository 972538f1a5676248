"""Every export of a contract, called as a reader who may use it, answers 200 with a valid body:
the INDIGO package (full and public, page and API) validates against the shipped schemas and code
lists, the Excel workbook opens, the invoice basis is a PDF, the results template is CSV.

CI installs requirements-test.txt = requirements.txt + test tools only
(tests/integrations/test_runtime_install.py), so passing here means passing on a runtime install.
A new export URL in the contracts app fails ``test_the_list_names_every_contract_export`` until it is
added here."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.urls import URLPattern, reverse

from insats.contracts import services_payments as sp
from insats.contracts import urls as contract_urls
from insats.contracts.models import PaymentLine
from insats.integrations import indigo
from tests.conftest import login
from tests.contracts.test_payments import approve_all
from tests.contracts.test_results_world import actor, make_contract

pytestmark = pytest.mark.django_db

EXPORT_ROUTE = re.compile(r"(\.(json|pdf|xlsx|csv)$)|export|excel", re.IGNORECASE)


def check_indigo(response) -> None:
    assert response["Content-Type"].startswith("application/json")
    package = json.loads(response.content)
    assert indigo.validate_package(package) == []
    assert package["project"]["data"]["name"]["value"]
    assert package["organisations"]


def check_xlsx(response) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[:2] == ["Betalningar", "Resultat"]
    assert wb["Betalningar"].max_row > 1


def check_pdf(response) -> None:
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and b"%%EOF" in response.content[-1024:]


def check_csv(response) -> None:
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows and rows[0] and all(rows[0])


def check_html(response) -> None:
    assert b"indigo.json" in response.content


# URL name → (who reads it: (org, role), query, body check); org/role in the running contract:
# owner = commissioner, partner = provider
EXPORTS = {
    "contracts:exports": (("owner", "admin"), {}, check_html),
    "contracts:indigo_export": (("owner", "admin"), {}, check_indigo),
    "contracts:indigo_export#public": (("owner", "analyst"), {"variant": "public"}, check_indigo),
    "contracts:payments_xlsx": (("owner", "viewer"), {}, check_xlsx),
    "contracts:invoice_pdf": (("owner", "contract_manager"), {}, check_pdf),
    "contracts:results_template": (("partner", "contract_manager"), {}, check_csv),
    "api:/api/v1/contracts/{pk}/export/indigo": (("partner", "analyst"), {}, check_indigo),
    "api:/api/v1/contracts/{pk}/export/indigo#public": (
        ("partner", "admin"),
        {"variant": "public"},
        check_indigo,
    ),
}


@pytest.fixture
def running(world):
    contract = make_contract(world)
    approve_all(world, contract)
    line = PaymentLine.objects.filter(contract=contract, due__gt=0).order_by("period").first()
    sp.payment_mark(actor=actor(world, "owner", "admin"), line=line, status="paid")
    return contract


def test_the_list_names_every_contract_export():
    names = {
        f"contracts:{p.name}"
        for p in contract_urls.urlpatterns
        if isinstance(p, URLPattern) and EXPORT_ROUTE.search(str(p.pattern))
    }
    listed = {key.split("#", 1)[0] for key in EXPORTS}
    assert names - listed == set(), "export URLs no test calls"
    assert {"contracts:indigo_export", "contracts:payments_xlsx", "contracts:invoice_pdf"} <= names


@pytest.mark.parametrize("key", sorted(EXPORTS))
def test_every_export_answers_with_a_valid_body(client, world, running, key):
    (org, role), query, check = EXPORTS[key]
    login(client, world.user(org, role), world.orgs[org])
    name = key.split("#", 1)[0]
    if name.startswith("api:"):
        url = name[4:].replace("{pk}", str(running.pk))
    elif name == "contracts:invoice_pdf":
        line = PaymentLine.objects.filter(contract=running).exclude(calculation={}).first()
        url = reverse(name, args=[running.pk, line.pk])
    else:
        url = reverse(name, args=[running.pk])
    response = client.get(url, query)
    assert response.status_code == 200, (key, response.status_code, response.content[:500])
    check(response)


def test_the_export_page_says_what_the_readers_export_leaves_out(client, world, running):
    url = reverse("contracts:exports", args=[running.pk])
    login(client, world.user("federation", "analyst"), world.orgs["federation"])  # the validator
    html = client.get(url).content.decode()
    withheld = html.split('id="export-withheld"', 1)[1].split("</p>", 1)[0]
    assert "betalningar" in withheld and "fondens bokföring" in withheld and "resultat" not in withheld
    login(client, world.user("partner", "analyst"), world.orgs["partner"])  # the provider
    withheld = client.get(url).content.decode().split('id="export-withheld"', 1)[1].split("</p>", 1)[0]
    assert "fondens bokföring" in withheld and "betalningar" not in withheld
    login(client, world.user("owner", "analyst"), world.orgs["owner"])  # the commissioner
    assert 'id="export-withheld"' not in client.get(url).content.decode()
