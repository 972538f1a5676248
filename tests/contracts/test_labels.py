"""Issue 8, item 20: no internal keys on the pages — the draft overview, change proposals and version
differences show plain Swedish labels and the values as they were entered (10 %, Nej, 260 000 kr)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from insats.contracts import services
from insats.contracts.models import ChangeProposal
from tests.conftest import login
from tests.contracts.test_views_changes import METRIC
from tests.matrix.contracts import actor, draft_contract, sign_all

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
# A dotted English field path such as metrics.0.rule.price or parties.x.role.
KEY = re.compile(r"\b(metrics|parties|financing|cohorts|contract|actions)\.[\w.]+")


def _as(client, world, org, role="contract_manager"):
    client.logout()
    login(client, world.user(org, role), world.orgs[org])


def _text(html: str) -> str:
    """The visible text of the main content (tags stripped, entities as characters)."""
    import html as h

    main = html.split("<main", 1)[-1]
    return h.unescape(re.sub(r"<[^>]+>", " ", main))


def _flat(text: str) -> str:
    """Runs of ordinary white space as one space (non-breaking spaces kept: they are formatting)."""
    return re.sub(r"[ \t\r\n]+", " ", text)


def test_change_proposal_shows_labels_and_values_as_entered(client, world):
    c = sign_all(world, draft_contract(world))
    metric = c.metrics.get()
    same = {
        k: getattr(metric, k)
        for k in ("definition", "data_source", "validation_method", "counterfactual_description")
    }
    _as(client, world, "provider")
    url = reverse("contracts:metric", kwargs={"pk": c.pk, "metric": metric.pk})
    r = client.post(url, dict(METRIC, **same, change_description="Indexuppräkning"))
    assert r.status_code == 302
    p = ChangeProposal.objects.get(contract=c)
    url = reverse("contracts:change", kwargs={"pk": c.pk, "proposal": p.pk})
    page = _text(client.get(url).content.decode())
    assert not KEY.search(page), KEY.search(page)
    assert "confidential_prices" not in page and "False" not in page
    # the form said 10 %: stored as 0.1, shown as 10 %
    assert f"Utfallsmått »Placeringar som undvikits«: Tröskelns nivå 10{NBSP}%" in _flat(page)
    assert "0.1" not in page
    assert f"Pris per enhet 260{NBSP}000,00{NBSP}kr" in _flat(page)
    assert "Priserna är konfidentiella Nej" in _flat(page)
    assert "Riktning Färre är bättre" in _flat(page)


def test_version_difference_shows_labels_and_formatted_values(client, world):
    from insats.contracts import services_changes

    c = sign_all(world, draft_contract(world))
    rule = dict(c.metrics.get().rule, price="260000")
    p = services_changes.propose(
        actor=actor(world, "owner"),
        contract=c,
        kind="prices",
        description="Index",
        payload={"metrics": [{"code": "placeringar", "rule": rule}]},
    )
    for org in ("provider", "fund", "partner"):
        services_changes.decide(actor=actor(world, org), proposal=p, decision="approve")
    _as(client, world, "owner")
    page = _flat(_text(client.get(reverse("contracts:versions", kwargs={"pk": c.pk})).content.decode()))
    assert not KEY.search(page), KEY.search(page)
    assert (
        "Utfallsmått »Placeringar som undvikits«: Pris per enhet "
        f"250{NBSP}000,00{NBSP}kr 260{NBSP}000,00{NBSP}kr" in page
    )


def test_draft_overview_names_what_is_missing_without_keys(client, world):
    owner = actor(world, "owner")
    c = services.contract_create(
        actor=owner,
        owner=world.orgs["owner"],
        title="Tomt utkast",
        reference="tomt",
        term_start=datetime.date(2026, 1, 1),
        term_end=datetime.date(2027, 12, 31),
        period_type="year",
    )
    _as(client, world, "owner")
    html = client.get(reverse("contracts:detail", kwargs={"pk": c.pk})).content.decode()
    readiness = _text(html.split('class="readiness"', 1)[1].split("</div>", 1)[0])
    assert "metrics" not in readiness and "parties" not in readiness and "payer_share" not in readiness
    assert "Utfallsmått: Kontraktet har inget utfallsmått." in _flat(readiness)
    assert "Parter: Kontraktet saknar utförare." in _flat(readiness)


def test_financing_and_action_plan_payloads_are_labelled():
    from insats.contracts import labels, services_changes

    payload = {
        "commitment": "5000000",
        "annual_rate": "0.05",
        "fund_surplus_share": "0.4",
        "return_basis": "fixed_rate",
        "drawdown_schedule": ["1000000", "1500000"],
        "actions": [{"title": "Utbilda", "owner_party": 7, "start": "2026-02-01", "status": "planned"}],
    }
    rows = {
        r.label: r.new for r in labels.rows(services_changes.diff({}, payload), {}, payload, {"7": "RISE"})
    }
    assert rows["Finansiering: Åtagande"] == f"5{NBSP}000{NBSP}000,00{NBSP}kr"
    assert rows["Finansiering: Årlig ränta"] == f"5{NBSP}%"
    assert rows["Finansiering: Fondens andel av överskottet"] == f"40{NBSP}%"
    assert rows["Finansiering: Avkastning"] == "Fast årlig ränta"
    assert rows["Finansiering: Utbetalningsplan"].startswith(f"1{NBSP}000{NBSP}000,00{NBSP}kr, ")
    assert rows["Åtgärd 1: Ansvarig part"] == "RISE"
    assert rows["Åtgärd 1: Status"] == "Planerad"
    assert not any(KEY.search(label) for label in rows)
