"""The payment preview equals ``insats.core.payments.calculate`` to the öre, and the amounts match a
hand calculation (docs/utfallskontrakt.md, "Förhandsvisning").

Barnens Väl's contract (tests/matrix/contracts.py): baseline 50 placements a year, 250 000 kr per
placement avoided, a year pays only at ≥ 10 % (5 placements), 20 % over the whole contract settles,
metric cap 12 000 000 kr, five years.

* 0 %: nothing.
* 10 %: 45 placed, 5 avoided = the threshold (inclusive): 5 × 250 000 = 1 250 000 a year, 6 250 000 in
  all; the contract-wide improvement 25/250 = 10 % < 20 %: no settlement.
* 20 %: 40 placed, 10 avoided: 2 500 000 a year, 12 500 000 before caps; the settlement adds
  50 × 250 000 − 12 500 000 = 0; the cap of 12 000 000 cuts 500 000 in 2030 → 2 000 000 that year.
* 30 %: 35 placed, 15 avoided: 3 750 000 a year; the cap is reached in 2029 (3 × 3 750 000 =
  11 250 000, so 750 000 in 2029) and 2030 pays nothing.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from insats.contracts import core_inputs, services, services_preview
from insats.core import payments
from tests.conftest import login
from tests.matrix.contracts import actor, draft_contract

pytestmark = pytest.mark.django_db

D = Decimal
EXPECTED = {
    "0": ["0", "0", "0", "0", "0"],
    "0.10": ["1250000", "1250000", "1250000", "1250000", "1250000"],
    "0.20": ["2500000", "2500000", "2500000", "2500000", "2000000"],
    "0.30": ["3750000", "3750000", "3750000", "750000", "0"],
}


def test_preview_matches_hand_calculation_and_the_core(world):
    c = draft_contract(world)
    scenarios = services_preview.preview(c)
    assert [s.improvement for s in scenarios] == [D("0"), D("0.10"), D("0.20"), D("0.30")]
    core_contract = core_inputs.build_payment_contract(c)
    for s in scenarios:
        due = [p.amount_due for p in s.output.periods]
        assert due == [D(x) for x in EXPECTED[str(s.improvement)]]
        # Independently: the observations written out by hand, through the core.
        placed = D(50) * (1 - s.improvement)
        results = payments.Results(
            observations=[
                payments.Observation(metric="placeringar", period=str(y), value=placed)
                for y in range(2026, 2031)
            ]
        )
        direct = payments.calculate(core_contract, results)
        assert direct == s.output


def test_preview_splits_between_payers_to_the_ore(world):
    c = draft_contract(world)
    owner = actor(world, "owner")
    services.party_update(actor=owner, party=c.parties.get(role="commissioner"), payer_share=D("66.6667"))
    services.party_add(
        actor=owner, contract=c, organisation=world.orgs["federation"], role="payer", payer_share=D("33.3333")
    )
    (s,) = services_preview.preview(c, [D("0.10")])
    for period in s.output.periods:
        parts = [p.amount_due for p in period.payers]
        # 1 250 000 × 0.666667 = 833 333.75 and × 0.333333 = 416 666.25 (exact to the öre)
        assert parts == [D("833333.75"), D("416666.25")]
        assert sum(parts) == period.amount_due


def test_preview_page_shows_the_core_amounts(client, world):
    c = draft_contract(world)
    login(client, world.user("provider", "viewer"), world.orgs["provider"])
    page = client.get(reverse("contracts:preview", kwargs={"pk": c.pk}), {"examples": "20"}).content.decode()
    assert 'data-total="12000000.00"' in page  # the whole contract at 20 %
    assert "2\u00a0000\u00a0000,00\u00a0kr" in page  # 2030 after the cap
    assert "metric_total" in page  # the cap that bound is named


def test_preview_form_errors(client, world):
    c = draft_contract(world)
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    page = client.get(
        reverse("contracts:preview", kwargs={"pk": c.pk}), {"examples": "tjugo"}
    ).content.decode()
    assert "inte ett procenttal" in page


def test_comparison_metric_needs_a_reference_level_on_the_page(client, world):
    """A comparison group is measured, so the example needs its level: 30 pp absence in the
    comparison group, 10 % better = 27 pp, 3 pp × 40 000 = 120 000 kr a year (plus the placements)."""
    c = draft_contract(world)
    services.metric_save(
        actor=actor(world, "owner"),
        contract=c,
        code="franvaro",
        name="Frånvaro",
        kind="improvement",
        unit="pp",
        order=1,
        rule={"direction": "decrease", "counterfactual": {"kind": "comparison"}, "price": "40000"},
    )
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    url = reverse("contracts:preview", kwargs={"pk": c.pk})
    page = client.get(url, {"examples": "10"}).content.decode()
    assert "Ange referensnivå" in page and 'name="ref_franvaro"' in page
    assert 'data-total="6250000.00"' in page  # only the placements without the level
    page = client.get(url, {"examples": "10", "ref_franvaro": "30"}).content.decode()
    # 1 250 000 + 120 000 = 1 370 000 a year, 6 850 000 in all
    assert page.count('data-total="1370000.00"') == 5
    assert 'data-total="6850000.00"' in page
