"""Issue 8, "trust what is there": the money flow of an outcomes contract.

1. one result per (contract, metric, period, cohort) — a database constraint and a locked read;
2. an agreed change reaches every money view;
3. statuses follow dates;
4. whole counts, signing warnings, one forecast.

Hand figures come from tests/contracts/test_results_world.py (250 000 kr per placement below the
baseline 50, paid in a year with at least 10 % fewer placements, 20 % over the contract).
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, close_old_connections, connection, transaction

from insats.contracts import services_payments as sp
from insats.contracts import services_results as sr
from insats.contracts.models import PaymentLine, ResultReport, ResultStatus
from tests.api.conftest import Api, make_token

from .test_results_world import make_contract, provider

# --------------------------------------------------------------------------- 1. one result


@pytest.mark.django_db
def test_the_database_refuses_a_second_result_for_the_same_metric_and_period(world):
    contract = make_contract(world)
    metric = contract.metrics.get(code="placeringar")
    ResultReport.objects.create(contract=contract, metric=metric, period="2027", value=Decimal(43))
    with pytest.raises(IntegrityError), transaction.atomic():
        ResultReport.objects.create(contract=contract, metric=metric, period="2027", value=Decimal(44))
    # Another period is another result.
    ResultReport.objects.create(contract=contract, metric=metric, period="2028", value=Decimal(39))


@pytest.mark.django_db
def test_a_second_submission_is_a_clear_validation_error_naming_the_period(world):
    contract = make_contract(world)
    metric = contract.metrics.get(code="placeringar")
    sr.result_report(
        actor=provider(world), contract=contract, metric=metric, period="2027", value=Decimal(43)
    )
    with pytest.raises(Exception) as info:
        sr.result_report(
            actor=provider(world), contract=contract, metric=metric, period="2027", value=Decimal(43)
        )
    assert "period" in info.value.message_dict
    assert ResultReport.objects.filter(contract=contract).count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises every write, so there is no race to prove",
)
@pytest.mark.django_db(transaction=True)
def test_eight_simultaneous_api_submissions_make_one_report_and_one_payment(world):
    from django.test import Client

    contract = make_contract(world)
    url = f"/api/v1/contracts/{contract.pk}/results"
    keys = [make_token(world.membership("partner", "contract_manager"), name=f"t{i}") for i in range(8)]
    barrier = threading.Barrier(8)
    codes: list[int] = []
    lock = threading.Lock()

    def submit(key: str) -> None:
        try:
            api = Api(Client(), key)
            barrier.wait()
            response = api.post(url, {"metric": "placeringar", "period": "2027", "value": "43"})
            with lock:
                codes.append(response.status_code)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=submit, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [201] + [409] * 7, codes
    assert ResultReport.objects.filter(contract=contract).count() == 1
    # The validator approves what is there: one payment of 250 000 × (50 − 43) = 1 750 000 kr.
    validator_api = Api(Client(), make_token(world.membership("federation", "evaluator")))
    for report in ResultReport.objects.filter(contract=contract, status=ResultStatus.SUBMITTED):
        assert validator_api.post(f"{url}/{report.pk}/approve", {"comments": ""}).status_code == 200
    line = PaymentLine.objects.get(contract=contract, period="2027")
    assert line.due == Decimal("1750000.00")
    assert sp.payment_report(contract).output.totals.amount_due == Decimal("1750000.00")


# --------------------------------------------------------------------------- 2. changes reach payments


def _change_price(world, contract, price: str) -> None:
    """A price change by joint decision: the owner proposes, every other party approves."""
    from insats.contracts import services_changes
    from insats.contracts.models import ProposalStatus

    from .test_results_world import RULE, actor

    proposal = services_changes.propose(
        actor=actor(world, "owner", "admin"),
        contract=contract,
        kind="prices",
        description="Nytt pris efter gemensamt beslut",
        payload={"metrics": [{"code": "placeringar", "rule": dict(RULE, price=price)}]},
    )
    for org in ("partner", "federation", "fund"):
        services_changes.decide(actor=actor(world, org, "admin"), proposal=proposal, decision="approve")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED


@pytest.mark.django_db
def test_an_agreed_price_change_reaches_every_money_view(client, world):
    import json

    from django.urls import reverse

    from insats.contracts.exports import invoice_html, kr
    from tests.conftest import login

    contract = make_contract(world)
    metric = contract.metrics.get(code="placeringar")
    report = sr.result_report(
        actor=provider(world), contract=contract, metric=metric, period="2027", value=Decimal(43)
    )
    from .test_results_world import validator

    sr.result_approve(actor=validator(world), report=report)
    assert PaymentLine.objects.get(contract=contract, period="2027").due == Decimal("1750000.00")

    _change_price(world, contract, "200000")
    contract.refresh_from_db()
    assert contract.version >= 1
    # By hand: 200 000 × (50 − 43) = 1 400 000 kr (the old price gave 1 750 000 kr).
    new, old = kr(Decimal("1400000")), kr(Decimal("1750000"))
    line = PaymentLine.objects.get(contract=contract, period="2027")
    assert line.due == Decimal("1400000.00")
    assert new in invoice_html(contract, line) and old not in invoice_html(contract, line)

    login(client, world.user("owner", "admin"), world.orgs["owner"])
    for name in ("payments", "dashboard", "ledger"):
        html = client.get(reverse(f"contracts:{name}", args=[contract.pk])).content.decode()
        assert new in html, name
        assert old not in html, name
    # The ledger's table (stored entries) and its summary (the core now) agree: 1 400 000 kr paid
    # in in 2027 goes to principal (3 200 000 kr outstanding).
    from insats.contracts.models import LedgerEntry

    assert LedgerEntry.objects.get(contract=contract, period="2027", kind="repayment_principal").amount == (
        Decimal("1400000.00")
    )
    assert sp.ledger_report(contract).output.total_payments == Decimal("1400000.00")

    api = client.get(f"/api/v1/contracts/{contract.pk}/payments").json()
    assert [Decimal(d["due"]) for d in api if d["period"] == "2027"] == [Decimal("1400000.00")]
    ledger = client.get(f"/api/v1/contracts/{contract.pk}/ledger").json()
    assert Decimal(ledger["total_payments"]) == Decimal("1400000.00")

    indigo = client.get(reverse("contracts:indigo_export", args=[contract.pk]))
    text = json.dumps(json.loads(indigo.content))
    assert "1400000" in text and "1750000" not in text
