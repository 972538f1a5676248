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
from hypothesis import given, settings
from hypothesis import strategies as st

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


RATE_CARD_BODY = {
    "metric": "aterkomst",
    "period": "2027",
    "participants": {"participant": ["p1", "p2"], "outcome": ["ater", "ater"], "achieved": ["2027", "2027"]},
}


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises every write, so there is no race to prove",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "body, due",
    [
        # 250 000 × (50 − 43) = 1 750 000 kr.
        ({"metric": "placeringar", "period": "2027", "value": "43"}, Decimal("1750000.00")),
        # Two participants back in school at 20 000 kr each = 40 000 kr (not 8 × 40 000).
        (RATE_CARD_BODY, Decimal("40000.00")),
    ],
    ids=["improvement", "rate_card"],
)
def test_eight_simultaneous_api_submissions_make_one_report_and_one_payment(world, body, due):
    from django.test import Client

    from insats.contracts.models import OutcomeMetric

    contract = make_contract(world)
    OutcomeMetric.objects.create(
        contract=contract,
        code="aterkomst",
        name="Tillbaka i skolan",
        kind="rate_card",
        order=1,
        rule={"outcomes": [{"id": "ater", "price": "20000"}]},
    )
    url = f"/api/v1/contracts/{contract.pk}/results"
    keys = [make_token(world.membership("partner", "contract_manager"), name=f"t{i}") for i in range(8)]
    barrier = threading.Barrier(8)
    codes: list[int] = []
    lock = threading.Lock()

    def submit(key: str) -> None:
        try:
            api = Api(Client(), key)
            barrier.wait()
            response = api.post(url, body)
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
    # The validator approves what is there: one report, paid once.
    validator_api = Api(Client(), make_token(world.membership("federation", "evaluator")))
    for report in ResultReport.objects.filter(contract=contract, status=ResultStatus.SUBMITTED):
        assert validator_api.post(f"{url}/{report.pk}/approve", {"comments": ""}).status_code == 200
    line = PaymentLine.objects.get(contract=contract, period="2027")
    assert line.due == due
    assert sp.payment_report(contract).output.totals.amount_due == due


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

    api = client.get(f"/api/v1/contracts/{contract.pk}/payments").json()["items"]
    assert [Decimal(d["due"]) for d in api if d["period"] == "2027"] == [Decimal("1400000.00")]
    ledger = client.get(f"/api/v1/contracts/{contract.pk}/ledger").json()
    assert Decimal(ledger["total_payments"]) == Decimal("1400000.00")

    indigo = client.get(reverse("contracts:indigo_export", args=[contract.pk]))
    text = json.dumps(json.loads(indigo.content))
    assert "1400000" in text and "1750000" not in text
    # Every party's dashboard: the provider's income and the fund's receipts are the new amount.
    for org in ("partner", "fund"):
        client.logout()
        login(client, world.user(org, "admin"), world.orgs[org])
        html = client.get(reverse("contracts:dashboard", args=[contract.pk])).content.decode()
        assert new in html and old not in html, org


# --------------------------------------------------------------------------- 3. time


@pytest.mark.django_db
def test_payment_status_follows_the_dates(world):
    import datetime

    from insats.contracts.models import PaymentStatus

    contract = make_contract(world)  # yearly periods; 30 days to pay after a period ends
    line = PaymentLine(contract=contract, period="2027", payer=contract.parties.get(role="commissioner"))
    line.due = Decimal("1750000.00")
    day = datetime.date
    # 2027 ends 2027-12-31 and falls due 30 days later, 2028-01-30.
    assert sp.payment_state(line, today=day(2027, 6, 1)).code == "planned"
    assert sp.payment_state(line, today=day(2027, 12, 31)).code == "planned"
    falling = sp.payment_state(line, today=day(2028, 1, 2))
    assert falling.code == "falling_due" and falling.due_date == day(2028, 1, 30)
    assert sp.payment_state(line, today=day(2028, 1, 30)).code == "falling_due"
    assert sp.payment_state(line, today=day(2028, 1, 31)).code == "overdue"
    line.status = PaymentStatus.PAID
    assert sp.payment_state(line, today=day(2028, 1, 31)).code == "paid"
    nothing = PaymentLine(contract=contract, period="2026", payer=line.payer, due=Decimal("0.00"))
    assert sp.payment_state(nothing, today=day(2030, 1, 1)).code == "planned"


@pytest.mark.django_db
def test_a_payment_for_a_future_period_is_not_shown_overdue(client, world):
    import datetime

    from django.urls import reverse
    from django.utils import timezone

    from tests.conftest import login

    from .test_results_world import validator

    contract = make_contract(world)  # allows preliminary results
    metric = contract.metrics.get(code="placeringar")
    future = str(timezone.localdate().year + 1)
    report = sr.result_report(
        actor=provider(world), contract=contract, metric=metric, period=future, value=Decimal(43)
    )
    sr.result_approve(actor=validator(world), report=report)
    assert PaymentLine.objects.get(contract=contract, period=future).due > 0
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    html = client.get(reverse("contracts:payments", args=[contract.pk])).content.decode()
    assert "Förfallen" not in html
    assert "Planerad" in html
    assert datetime.date.today().year + 1 == int(future)


@pytest.mark.django_db
def test_results_only_for_ended_periods_unless_the_contract_allows_preliminary(world):
    import datetime

    from django.core.exceptions import ValidationError

    contract = make_contract(world, preliminary=False)
    metric = contract.metrics.get(code="placeringar")
    with pytest.raises(ValidationError) as info:
        sr.result_report(
            actor=provider(world),
            contract=contract,
            metric=metric,
            period="2027",
            value=Decimal(43),
            today=datetime.date(2027, 12, 31),
        )
    assert "period" in info.value.message_dict
    report = sr.result_report(
        actor=provider(world),
        contract=contract,
        metric=metric,
        period="2027",
        value=Decimal(43),
        today=datetime.date(2028, 1, 1),
    )
    from .test_results_world import validator

    with pytest.raises(ValidationError):
        sr.result_approve(actor=validator(world), report=report, today=datetime.date(2027, 12, 1))
    sr.result_approve(actor=validator(world), report=report, today=datetime.date(2028, 1, 2))
    report.refresh_from_db()
    assert report.status == ResultStatus.APPROVED


@pytest.mark.django_db
def test_the_ledger_separates_what_happened_from_what_is_planned(client, world):
    import datetime

    from django.urls import reverse

    from insats.contracts.exports import kr
    from tests.conftest import login

    from .test_results_world import validator

    contract = make_contract(world)
    metric = contract.metrics.get(code="placeringar")
    report = sr.result_report(
        actor=provider(world), contract=contract, metric=metric, period="2026", value=Decimal(46)
    )
    sr.result_approve(actor=validator(world), report=report)
    # By hand, on 2027-03-01: 2026 and 2027 have started → 2 × 1 600 000 drawn; 2028–2030 planned.
    split = sp.ledger_split(contract, sp.ledger_report(contract).output, today=datetime.date(2027, 3, 1))
    assert split.drawn == Decimal("3200000.00")
    assert split.planned_draws == Decimal("4800000.00")
    assert split.outstanding == Decimal("3200000.00")
    # The page, today: only the periods begun by today count as paid out.
    today = datetime.date.today()
    started = sum(1 for y in range(2026, 2031) if datetime.date(y, 1, 1) <= today)
    login(client, world.user("fund", "admin"), world.orgs["fund"])
    html = client.get(reverse("contracts:ledger", args=[contract.pk])).content.decode()
    assert 'id="ledger-planned"' in html
    assert kr(Decimal(1600000) * started) in html.split('id="ledger-summary"')[1].split("</dd>")[0]
    dashboard = client.get(reverse("contracts:dashboard", args=[contract.pk])).content.decode()
    assert kr(Decimal(8000000)) not in dashboard.split("Utbetalt")[1].split("</dd>")[0]


# --------------------------------------------------------------------------- 4. counts, warnings


@pytest.mark.django_db
def test_a_count_is_whole(world):
    from django.core.exceptions import ValidationError

    contract = make_contract(world)  # "placeringar" is a count
    metric = contract.metrics.get(code="placeringar")
    assert metric.whole_numbers
    with pytest.raises(ValidationError) as info:
        sr.result_report(
            actor=provider(world), contract=contract, metric=metric, period="2027", value=Decimal("44.5")
        )
    assert "value" in info.value.message_dict
    assert "heltal" in " ".join(info.value.message_dict["value"])
    assert not ResultReport.objects.filter(contract=contract).exists()
    # 44,0 is 44.
    report = sr.result_report(
        actor=provider(world), contract=contract, metric=metric, period="2027", value=Decimal("44.0")
    )
    assert report.value == 44
    # A measure that is not a count may have decimals.
    metric.whole_numbers = False
    metric.save()
    report = sr.result_report(
        actor=provider(world), contract=contract, metric=metric, period="2028", value=Decimal("39.5")
    )
    assert report.value == Decimal("39.5")


def test_the_core_knows_the_most_a_contract_can_pay():
    from insats.core import payments as pay

    base = {
        "periods": ["2026", "2027", "2028"],
        "payers": [{"id": "k", "share": "1"}],
        "metrics": [
            {
                "id": "m",
                "kind": "improvement",
                "direction": "decrease",
                "counterfactual": {"kind": "baseline", "value": "50"},
                "price": "100",
            }
        ],
    }
    assert pay.max_payable(pay.Contract.model_validate(base)) is None  # nothing bounds it
    capped = dict(base, caps={"total": "5000", "per_period": "1000"})
    assert pay.max_payable(pay.Contract.model_validate(capped)) == Decimal("3000")  # 3 × 1 000
    metric = dict(base["metrics"][0], cap_total="700")
    assert pay.max_payable(pay.Contract.model_validate(dict(capped, metrics=[metric]))) == Decimal("700")
    payer = [{"id": "k", "share": "1", "cap": "400"}]
    assert pay.max_payable(pay.Contract.model_validate(dict(base, payers=payer))) == Decimal("400")


@pytest.mark.django_db
def test_signing_warns_when_the_fund_cannot_be_repaid(client, world):
    from django.urls import reverse

    from insats.contracts import services
    from insats.contracts.models import BusinessCaseScenario, ContractStatus
    from tests.conftest import login

    contract = make_contract(world, status=ContractStatus.NEGOTIATION)
    assert services.signing_warnings(contract) == []
    # The contract may pay at most 1 000 000 kr a year, 5 000 000 kr in all, but the fund lends
    # 8 000 000 kr: the fund cannot get its money back.
    contract.payment_terms = {"caps": {"per_period": "1000000"}}
    contract.save()
    warnings = services.signing_warnings(contract)
    nbsp = "\u00a0"
    assert len(warnings) == 1
    assert f"5{nbsp}000{nbsp}000,00{nbsp}kr" in warnings[0]
    assert f"8{nbsp}000{nbsp}000,00{nbsp}kr" in warnings[0]
    contract.payment_terms = {}
    contract.save()
    BusinessCaseScenario.objects.create(
        contract=contract, name="Förväntat", result={"monte_carlo": {"probability_fund_repaid": 0.004}}
    )
    warnings = services.signing_warnings(contract)
    assert len(warnings) == 1 and "0,4 %" in warnings[0]
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    html = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert 'id="signing-warnings"' in html and "0,4 %" in html


# --------------------------------------------------------------------------- 4. one forecast


@pytest.mark.django_db
def test_the_result_page_shows_one_forecast(client, world):
    from insats.accounts.access import Actor
    from insats.situation import services_plans as plans
    from insats.situation.models import Area, Indicator, IndicatorSource, Observation, Polarity
    from insats.situation.models_plans import Result
    from tests.conftest import login

    me = Actor(user=world.user("owner", "analyst"), membership=world.membership("owner", "analyst"))
    ind = Indicator.objects.create(
        code="FRV2",
        title_sv="Hög frånvaro",
        unit="procent",
        polarity=Polarity.LOWER_BETTER,
        source=IndicatorSource.OWN,
        organisation=world.orgs["owner"],
    )
    area = Area.objects.get(code="1270")
    # Falling fast before the baseline year 2020, slowly after it.
    for year, value in [(2018, "14"), (2019, "13"), (2020, "10"), (2021, "9.5"), (2022, "9")]:
        Observation.objects.create(
            indicator=ind, area=area, period=year, value=Decimal(value), source=IndicatorSource.OWN
        )
    result = plans.save(
        actor=me,
        obj=Result(organisation=world.orgs["owner"]),
        values={"title": "Närvaro", "goal_area": "Skola"},
    )
    ri = plans.result_indicator_add(actor=me, result=result, indicator=ind, area=area)
    plans.target_add(actor=me, ri=ri, baseline_year=2020, year=2024, kind="relative", amount=Decimal("-20"))
    fig = plans.result_figures(result)[0]
    # By hand, Theil–Sen over all five years: the median of the ten pairwise slopes
    # (−3, −2, −1,75, −1,5, −1,333, −1,25, −1, −0,5, −0,5, −0,5) is (−1,333 − 1,25)/2 = −1,2917; the
    # line through the median of y + 1,2917·(2024 − year) (6,25; 6,54; 4,83; 5,63; 6,42) gives 6,25
    # in 2024. (A line over 2020–2022 only would say 8,0.)
    f2024 = next(p for p in fig.forecasts if p.year == 2024)
    assert f2024.value == pytest.approx(6.25, abs=1e-6)
    assert fig.targets[0].projected == pytest.approx(f2024.value)
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    from django.urls import reverse

    html = client.get(reverse("situation:result_detail", args=[result.pk])).content.decode()
    # The target row's forecast and the forecast table (the chart's values) say the same.
    import re

    table = re.search(r"<td>2024</td><td class=\"num\">([^<]+)</td>", html).group(1)
    assert table.startswith("6,")
    assert f"Prognos 2024: {table}" in html


@pytest.mark.django_db
def test_the_contract_form_sets_the_payment_term_and_preliminary_results(client, world):
    from django.urls import reverse

    from insats.contracts.models import ContractStatus
    from tests.conftest import login

    contract = make_contract(world, status=ContractStatus.DRAFT, preliminary=False)
    contract.created_by = world.user("owner", "admin")  # as contract_create records it
    contract.save()
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    data = {
        "title": contract.title,
        "reference": contract.reference,
        "term_start": "2026-01-01",
        "term_end": "2030-12-31",
        "period_type": "year",
        "payment_days": "45",
        "preliminary_results": "on",
    }
    response = client.post(reverse("contracts:edit", args=[contract.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    contract.refresh_from_db()
    assert contract.payment_days == 45 and contract.preliminary_results is True
    assert contract.payment_due_date("2027").isoformat() == "2028-02-14"  # 31 Dec + 45 days


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(st.integers(min_value=0, max_value=60), min_size=3, max_size=3),
    cap_total=st.one_of(st.none(), st.integers(min_value=0, max_value=20000)),
    per_period=st.one_of(st.none(), st.integers(min_value=0, max_value=5000)),
    metric_cap=st.one_of(st.none(), st.integers(min_value=0, max_value=9000)),
)
def test_no_results_ever_pay_more_than_max_payable(values, cap_total, per_period, metric_cap):
    from insats.core import payments as pay

    caps = {k: str(v) for k, v in (("total", cap_total), ("per_period", per_period)) if v is not None}
    metric = {
        "id": "m",
        "kind": "improvement",
        "direction": "decrease",
        "counterfactual": {"kind": "baseline", "value": "50"},
        "price": "100",
    }
    if metric_cap is not None:
        metric["cap_total"] = str(metric_cap)
    contract = pay.Contract.model_validate(
        {"periods": ["1", "2", "3"], "payers": [{"id": "k", "share": "1"}], "metrics": [metric], "caps": caps}
    )
    results = pay.Results.model_validate(
        {
            "observations": [
                {"metric": "m", "period": str(i + 1), "value": str(v)} for i, v in enumerate(values)
            ]
        }
    )
    most = pay.max_payable(contract)
    paid = pay.calculate(contract, results).totals.amount_due
    assert most is None or paid <= most
