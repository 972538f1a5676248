"""The INDIGO export of a contract from the database (issue 8, items 5 and 13).

The running contract of tests/contracts/test_results_world.py: Tomelilla (``owner``) commissioner
and only payer, RISE (``partner``) provider, the samordningsförbund (``federation``) validator,
Testfonden (``fund``) the fund; five approved years, so payment lines and the fund's ledger exist.

Who may see what (DESIGN.md, docs/resultat-och-betalningar.md "Vem gör vad"): payments are seen by
the commissioner, payers, provider and fund, not by the validator; the fund's ledger only by the
commissioner and the fund. An export holds exactly that.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from insats.contracts import services_payments as sp
from insats.contracts.models import LedgerEntry, PaymentLine
from insats.integrations import indigo
from tests.conftest import login
from tests.contracts.test_payments import approve_all
from tests.contracts.test_results_world import actor, make_contract
from tests.matrix.contracts_results import exported_parts

pytestmark = pytest.mark.django_db

# (organisation, role) → the parts its export must hold, from the rules above (written by hand)
READERS = {
    ("owner", "admin"): {"payments": True, "ledger": True, "results": True},  # commissioner
    ("fund", "analyst"): {"payments": True, "ledger": True, "results": True},  # fund
    ("partner", "contract_manager"): {"payments": True, "ledger": False, "results": True},  # provider
    ("federation", "analyst"): {"payments": False, "ledger": False, "results": True},  # validator
}


@pytest.fixture
def running(world):
    contract = make_contract(world)
    approve_all(world, contract)
    owner = actor(world, "owner", "admin")
    for line in PaymentLine.objects.filter(contract=contract, due__gt=0).order_by("period")[:2]:
        sp.payment_mark(actor=owner, line=line, status="paid")
    return contract


def export(client, world, org, role, contract, variant="full", api=False) -> dict:
    login(client, world.user(org, role), world.orgs[org])
    if api:
        response = client.get(f"/api/v1/contracts/{contract.pk}/export/indigo", {"variant": variant})
    else:
        response = client.get(reverse("contracts:indigo_export", args=[contract.pk]), {"variant": variant})
    assert response.status_code == 200, (org, role, response.status_code)
    package = json.loads(response.content)
    assert indigo.validate_package(package) == []
    return package


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("variant", ["full", "public"])
def test_an_export_holds_only_what_its_reader_may_see(client, world, running, reader, variant):
    org, role = reader
    for api in (False, True):
        package = export(client, world, org, role, running, variant, api)
        record = package["project"]["data"]
        assert exported_parts(record) == READERS[reader], (reader, variant, api)
        text = indigo.dumps(package)
        if not READERS[reader]["ledger"]:
            for kind in (
                "Capital Repayment",
                "Interest Payment",
                "total_funds_invested",
                "internal_rate_of_return",
            ):
                assert kind not in text, (reader, kind)
        if not READERS[reader]["payments"]:
            assert "Outcome Payment" not in text and "outcome_payments" not in record
            assert "total_outcome_payments" not in text


def test_only_payments_actually_made_are_actual(client, world):
    contract = make_contract(world)
    approve_all(world, contract)
    package = export(client, world, "owner", "admin", contract)
    payments = package["project"]["data"].get("outcome_payments") or []
    assert payments and all(p["type"]["value"] == "Planned" for p in payments)  # computed, none paid
    line = PaymentLine.objects.get(contract=contract, period="2027")
    assert line.due == Decimal("1750000.00")
    sp.payment_mark(
        actor=actor(world, "owner", "admin"), line=line, status="paid", paid_amount=Decimal("1700000.50")
    )
    package = export(client, world, "owner", "admin", contract)
    actual = [p for p in package["project"]["data"]["outcome_payments"] if p["type"]["value"] == "Actual"]
    assert len(actual) == 1
    assert Decimal(repr(actual[0]["money"]["amount"]["value"])) == Decimal("1700000.50")  # what was paid
    assert actual[0]["period"]["start_date"] == {"value": "2027-01-01"}


def test_dates_come_from_the_ledgers_as_of_date(client, world, running):
    computed = timezone.make_aware(datetime.datetime(2031, 2, 3, 23, 30), datetime.UTC)  # 4 Feb in Sweden
    LedgerEntry.objects.filter(contract=running).update(created_at=computed)
    record = export(client, world, "owner", "admin", running)["project"]["data"]
    assert record["sources"][0]["accessed_date"] == {"value": "2031-02-04"}
    details = record["investment_details"]
    assert details["total_funds_invested"]["latest"]["date"]["value"] == "2031-02-04"
    assert details["internal_rate_of_return"]["date"]["value"] == "2031-02-04"


def test_the_policy_sector_is_the_one_chosen_on_the_contract(client, world, running):
    record = export(client, world, "owner", "admin", running)["project"]["data"]
    assert "policy_sector" not in record["purpose_and_classifications"]  # not chosen: not claimed
    running.policy_sector = "Health"
    running.save(update_fields=["policy_sector"])
    record = export(client, world, "owner", "admin", running)["project"]["data"]
    assert record["purpose_and_classifications"]["policy_sector"] == {"value": "Health"}
    assert record["outcome_metrics"][0]["policy_sector"] == {"value": "Health"}


def test_the_policy_sector_is_chosen_in_the_contract_form(client, world):
    from tests.matrix.contracts import draft_contract

    contract = draft_contract(world)
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    url = reverse("contracts:edit", args=[contract.pk])
    page = client.get(url).content.decode()
    assert 'name="policy_sector"' in page and "Barn och familj" in page
    data = {
        "title": contract.title,
        "reference": contract.reference,
        "intervention": contract.intervention,
        "target_population": contract.target_population,
        "policy_sector": "Education",
        "term_start": "2026-01-01",
        "term_end": "2030-12-31",
        "period_type": "year",
        "key_dates": "2026-12-31 Första mätningen",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    contract.refresh_from_db()
    assert contract.policy_sector == "Education"
    bad = client.post(url, {**data, "policy_sector": "Astrology"})
    assert bad.status_code == 200 and "policy_sector" in bad.content.decode()
    contract.refresh_from_db()
    assert contract.policy_sector == "Education"


def test_a_contract_in_negotiation_is_exported_as_a_pipeline_record(client, world):
    from tests.matrix.contracts import draft_contract

    contract = draft_contract(world)
    package = export(client, world, "owner", "admin", contract)
    assert "project" not in package
    record = package["pipeline"]["data"]
    assert record["stage_development"]["stage"]["value"] == "Final negotiations"
    assert record["name"] == {"value": contract.title}
    assert [m["id"] for m in record["outcome_metrics"]] == ["placeringar"]


def test_organisation_records_are_exported_with_org_id_se_on(client, world, running):
    package = export(client, world, "owner", "admin", running)
    expected = {
        f"SE-ON-{''.join(ch for ch in p.organisation.org_number if ch.isdigit())}": p.organisation.name
        for p in running.parties.select_related("organisation")
    }
    assert {o["id"]: o["data"]["name"]["value"] for o in package["organisations"]} == expected
    assert "SE-BLV" not in indigo.dumps(package)
    for o in package["organisations"]:
        assert o["data"]["org-ids"]["primary"] == {"value": o["id"]}


def test_without_a_fund_the_as_of_date_is_when_the_payments_were_computed(client, world):
    contract = make_contract(world, financing=False)
    approve_all(world, contract)
    lines = list(PaymentLine.objects.filter(contract=contract))
    for i, line in enumerate(lines):
        line.calculation = {**line.calculation, "computed_at": f"2030-0{1 + i % 2}-15T10:00:00+00:00"}
        line.save(update_fields=["calculation"])
    assert not LedgerEntry.objects.filter(contract=contract).exists()
    record = export(client, world, "owner", "admin", contract)["project"]["data"]
    assert record["sources"][0]["accessed_date"] == {"value": "2030-02-15"}  # the latest computation
    assert "investment_details" not in record


def test_the_policy_sector_through_the_api(client, world):
    from insats.accounts import tokens

    m = world.membership("owner", "contract_manager")
    _, key = tokens.token_create(actor=actor(world, "owner", "contract_manager"), membership=m, name="t")
    h = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    body = {
        "title": "Nytt kontrakt",
        "reference": "nytt",
        "policy_sector": "Homelessness",
        "term_start": "2027-01-01",
        "term_end": "2029-12-31",
    }
    r = client.post("/api/v1/contracts", json.dumps(body), content_type="application/json", **h)
    assert r.status_code == 201, r.content
    assert r.json()["policy_sector"] == "Homelessness"
    bad = dict(body, reference="annat", policy_sector="Astrology")
    r = client.post("/api/v1/contracts", json.dumps(bad), content_type="application/json", **h)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["policy_sector"]


@pytest.mark.parametrize(
    "today, drawn, draws",
    [
        # the fund draws 1 600 000 kr at the start of each year 2026–2030 (make_contract, written
        # by hand): on 1 June 2027 two draws have happened, the other three are the plan
        (datetime.date(2027, 6, 1), Decimal("3200000.00"), 2),
        (datetime.date(2025, 12, 31), Decimal("0.00"), 0),  # before the term: nothing drawn
        (datetime.date(2031, 6, 1), Decimal("8000000.00"), 5),  # after the term: all drawn
    ],
)
def test_only_draws_that_happened_are_exported_as_drawn(world, running, today, drawn, draws):
    from insats.contracts import exports_indigo

    data = exports_indigo.contract_input(running, actor=actor(world, "owner", "admin"), today=today)
    assert data["finance"]["total_drawn"] == drawn
    assert data["finance"]["planned_draws"] == Decimal("8000000.00") - drawn
    debts = [t for t in data["transactions"] if t["type"] == "Debt"]
    assert len(debts) == draws and all(t["date"] <= today for t in debts)
    record = indigo.build_package(data)["project"]["data"]
    invested = record["investment_details"]["total_funds_invested"]["latest"]["amount"]["value"]
    assert Decimal(repr(invested)) == drawn
