"""After signing the edit forms propose changes; parties decide on the proposal page; versions show
the difference. Financing form errors come from the core's financing model."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insats.contracts.models import ChangeProposal, ProposalStatus
from tests.conftest import login
from tests.matrix.contracts import draft_contract, sign_all

pytestmark = pytest.mark.django_db

METRIC = {
    "kind": "improvement",
    "code": "placeringar",
    "name": "Placeringar som undvikits",
    "order": "0",
    "direction": "decrease",
    "cf_kind": "baseline",
    "cf_value": "50",
    "price": "260000",
    "threshold_kind": "relative",
    "threshold_value": "10",
    "threshold_pays": "all_units",
    "contract_threshold_kind": "relative",
    "contract_threshold_value": "20",
    "contract_threshold_pays": "all_units",
    "cap_total": "12000000",
    "unit": "placeringar",
}


def _as(client, world, org, role="contract_manager"):
    client.logout()
    login(client, world.user(org, role), world.orgs[org])


def test_price_change_proposed_on_the_metric_form_and_approved_by_every_party(client, world):
    c = sign_all(world, draft_contract(world))
    metric = c.metrics.get()
    same = {
        k: getattr(metric, k)
        for k in ("definition", "data_source", "validation_method", "counterfactual_description")
    }
    _as(client, world, "provider")
    url = reverse("contracts:metric", kwargs={"pk": c.pk, "metric": metric.pk})
    page = client.get(url).content.decode()
    assert "Föreslå ändringen" in page
    no_reason = client.post(url, METRIC)
    assert no_reason.status_code == 200 and "id_change_description_error" in no_reason.content.decode()
    r = client.post(url, dict(METRIC, **same, change_description="Indexuppräkning 4 %"))
    assert r.status_code == 302
    p = ChangeProposal.objects.get(contract=c)
    assert p.kind == "prices"  # only the rule changed
    metric.refresh_from_db()
    assert metric.rule["price"] == "250000"
    for org in ("owner", "fund"):
        _as(client, world, org)
        r = client.post(
            reverse("contracts:change", kwargs={"pk": c.pk, "proposal": p.pk}), {"decision": "approve"}
        )
        assert r.status_code == 302
    _as(client, world, "partner", "admin")
    r = client.post(
        reverse("contracts:change", kwargs={"pk": c.pk, "proposal": p.pk}), {"decision": "reject"}
    )
    assert "id_reason_error" in r.content.decode() or "skälet" in r.content.decode()
    r = client.post(
        reverse("contracts:change", kwargs={"pk": c.pk, "proposal": p.pk}), {"decision": "approve"}
    )
    p.refresh_from_db()
    assert p.status == ProposalStatus.APPROVED
    metric.refresh_from_db()
    assert metric.rule["price"] == "260000"
    versions = client.get(reverse("contracts:versions", kwargs={"pk": c.pk})).content.decode()
    assert "Pris per enhet" in versions and "260\u00a0000,00\u00a0kr" in versions


def test_financing_form_shows_the_core_errors_on_the_fields(client, world):
    c = draft_contract(world)
    _as(client, world, "fund", "admin")
    url = reverse("contracts:financing", kwargs={"pk": c.pk})
    r = client.post(
        url,
        {
            "commitment": "5000000",
            "return_basis": "fixed_rate",
            "fund_surplus_share": "40",
            "cost_2026": "1000000",
        },
    )
    page = r.content.decode()
    assert r.status_code == 200
    assert 'id="id_annual_rate_error"' in page and "Ange räntan" in page
    r = client.post(
        url,
        {
            "commitment": "5000000",
            "return_basis": "capped_multiple",
            "multiple_cap": "1.25",
            "fund_surplus_share": "50",
            "cost_2026": "2000000",
            "cost_2027": "1500000",
        },
    )
    assert r.status_code == 302
    c.financing.refresh_from_db()
    assert c.financing.return_basis == "capped_multiple"
    assert c.financing.annual_rate is None
    assert c.financing.drawdown_schedule == ["2000000.00", "1500000.00"]
    # the provider may not edit the financing
    _as(client, world, "provider", "admin")
    assert client.post(url, {"commitment": "1"}).status_code == 403
