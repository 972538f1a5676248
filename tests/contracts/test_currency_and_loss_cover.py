"""The contract's currency (ISO 4217) and the financing's investors and guarantees in the domain:
forms, services, pages, exports and the INDIGO package (issue 14, items 1, 6, 9)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms as django_forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from insats.contracts import core_inputs, services
from insats.contracts.forms import guarantees_text, parse_guarantees, parse_tranches, tranches_text
from insats.contracts.models import Contract, FinancingTerms
from insats.core import financing as fin
from insats.core import payments as pay
from insats.integrations import indigo
from insats.platform.formatting import format_money, parse_number
from tests.conftest import login

from .test_results_world import actor, make_contract

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "core" / "examples" / "financing_guarantees.json"
NB = "\u00a0"


def draft(world):
    contract = make_contract(world, status="draft")
    contract.created_by = world.user("owner", "admin")
    contract.save()
    return contract


def example_terms() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))["terms"]


# --- the one formatter ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "locale", "shown"),
    [
        (None, "sv", f"1{NB}250{NB}000,50{NB}kr"),
        ("SEK", "sv", f"1{NB}250{NB}000,50{NB}kr"),
        ("EUR", "sv", f"1{NB}250{NB}000,50{NB}EUR"),
        ("nok", "sv", f"1{NB}250{NB}000,50{NB}NOK"),
        ("SEK", "en", f"SEK{NB}1,250,000.50"),
        ("EUR", "en", f"EUR{NB}1,250,000.50"),
    ],
)
def test_money_in_the_contracts_currency_and_back(currency, locale, shown):
    assert format_money(Decimal("1250000.5"), locale=locale, currency=currency) == shown
    assert parse_number(shown, locale=locale, currency=currency) == Decimal("1250000.50")


# --- the financing form's rows ----------------------------------------------------------------------


def test_the_form_rows_give_the_documented_json_and_back():
    terms = example_terms()
    tranches = parse_tranches("Pensionsstiftelsen; 60; 1\nImpactfonden; 40 %; 2\n")
    guarantees = parse_guarantees(
        "Stiftelsen Barnens Framtid; 50; 200000; ; Impactfonden\n\nRegionförbundet; 100; ; 100 000"
    )
    assert tranches == terms["tranches"]
    assert guarantees == terms["guarantees"]
    assert parse_tranches(tranches_text(tranches)) == tranches
    assert parse_guarantees(guarantees_text(guarantees)) == guarantees


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_tranches, "Pensionsstiftelsen", "Rad 1"),
        (parse_tranches, "A; sextio; 1", "andelen"),
        (parse_tranches, "A; 60; 1\nB; 40; senior", "Rad 2: rangen"),
        (parse_guarantees, "Stiftelsen", "Rad 1"),
        (parse_guarantees, "Stiftelsen; 50; -5", "taket"),
        (parse_guarantees, "Stiftelsen; 50; 1e400", "taket"),
    ],
)
def test_bad_rows_name_the_line(parse, text, message):
    with pytest.raises(django_forms.ValidationError, match=message):
        parse(text)


# --- services --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_financing_with_investors_and_guarantees_is_saved_and_reaches_the_core(world):
    contract = draft(world)
    owner = actor(world, "owner", "admin")
    terms = example_terms()
    cover = {"tranches": terms["tranches"], "guarantees": terms["guarantees"]}
    services.financing_save(actor=owner, contract=contract, loss_cover=cover)
    contract.refresh_from_db()
    assert contract.financing.loss_cover == cover
    built = core_inputs.build_financing_terms(contract)
    assert [t.name for t in built.investor_tranches()] == ["Pensionsstiftelsen", "Impactfonden"]
    assert built.guarantees[0].cap == Decimal("200000")
    assert services.snapshot(contract)["financing"]["guarantees"] == terms["guarantees"]


@pytest.mark.django_db
def test_investor_shares_that_do_not_sum_to_one_are_refused_and_nothing_is_saved(world):
    contract = draft(world)
    before = FinancingTerms.objects.get(contract=contract).loss_cover
    bad = {"tranches": [{"name": "A", "share": "0.6", "rank": 1}, {"name": "B", "share": "0.3", "rank": 2}]}
    with pytest.raises(ValidationError) as err:
        services.financing_save(actor=actor(world, "owner", "admin"), contract=contract, loss_cover=bad)
    assert "loss_cover" in err.value.message_dict
    assert FinancingTerms.objects.get(contract=contract).loss_cover == before


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["JPY", "KWD", "XXX"])
def test_a_currency_without_two_decimals_is_refused(world, code):
    contract = draft(world)
    with pytest.raises(ValidationError) as err:
        services.contract_update(actor=actor(world, "owner", "admin"), contract=contract, currency=code)
    assert "currency" in err.value.message_dict
    contract.refresh_from_db()
    assert contract.currency == "SEK"


# --- pages and exports in the contract's currency --------------------------------------------------------


@pytest.mark.django_db
def test_a_euro_contract_computes_shows_and_exports_euro(client, world):
    contract = make_contract(world)  # running, so INDIGO gets the project record
    Contract.objects.filter(pk=contract.pk).update(currency="EUR")
    contract.refresh_from_db()
    core_contract = core_inputs.build_payment_contract(contract)
    assert core_contract.currency == "EUR"
    assert pay.calculate(core_contract, pay.Results()).currency == "EUR"
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    html = client.get(reverse("contracts:financing", args=[contract.pk])).content.decode()
    assert f"{NB}EUR<" in html and f"{NB}kr<" not in html
    metrics = client.get(reverse("contracts:metrics", args=[contract.pk])).content.decode()
    assert f"{NB}EUR" in metrics
    response = client.get(reverse("contracts:indigo_export", args=[contract.pk]))
    assert response.status_code == 200
    package = json.loads(response.content)
    assert indigo.validate_package(package) == []
    text = json.dumps(package)
    assert '"EUR"' in text and '"SEK"' not in text
    assert fin.run({"currency": contract.currency, "terms": core_inputs.financing_terms_json(contract),
                    "payments": []})["currency"] == "EUR"  # fmt: skip
