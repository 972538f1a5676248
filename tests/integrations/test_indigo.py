"""INDIGO export, the pure half: the plain form → an INDIGO 4.x project that validates.

Hand figures: the Barnens Väl example of docs/core/payments.md (due per year 0; 1 750 000;
2 750 000; 3 250 000; 4 250 000 — total 12 000 000) with one payer.
"""

from __future__ import annotations

import copy
import filecmp
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insats.integrations import indigo

SHARED = Path("/work/shared/schemas/indigo")
DUE = {"2026": "0", "2027": "1750000", "2028": "2750000", "2029": "3250000", "2030": "4250000"}


def plain(**overrides) -> dict:
    periods = [{"id": str(y), "start": date(y, 1, 1), "end": date(y, 12, 31)} for y in range(2026, 2031)]
    data = {
        "id": "insats-contract-1",
        "title": "Färre placeringar – Barnens Väl",
        "status": "genomforande",
        "url": "https://insats.example/kontrakt/1/",
        "social_challenge": "Många barn placeras i familjehem och HVB.",
        "intervention": "Tidiga psykosociala insatser i familjen",
        "target_population": "Familjer med barn 0–17 år med risk för placering",
        "targeted_number": 120,
        "policy_sector": "Child and family welfare",
        "dates": {
            "signed": date(2025, 11, 20),
            "start": date(2026, 1, 1),
            "end": date(2030, 12, 31),
            "completion": date(2031, 3, 31),
        },
        "organisations": {
            "kommun": {"id": "SE-ON-2120001157", "name": "Helsingborgs stad", "kind": "kommun"},
            "bv": {"id": "SE-ON-8025990060", "name": "Barnens Väl", "kind": "ideburen"},
            "fond": {"id": "SE-ON-5599000050", "name": "Utfallsfonden", "kind": "utfallsfond"},
            "rise": {"id": "SE-ON-5599000010", "name": "RISE", "kind": "larosate"},
        },
        "payers": [
            {
                "org": "kommun",
                "share": Decimal("1"),
                "maximum": Decimal("12000000"),
                "paid": Decimal("12000000"),
            }
        ],
        "providers": [{"org": "bv"}],
        "validators": ["rise"],
        "fund": {
            "org": "fond",
            "commitment": Decimal("8000000"),
            "return_basis": "fixed_rate",
            "annual_rate": Decimal("0.05"),
            "fund_surplus_share": Decimal("0.4"),
        },
        "maximum_outcome_payment": Decimal("12000000"),
        "periods": periods,
        "metrics": [
            {
                "id": "placeringar",
                "name": "Placeringar som undvikits",
                "definition": "Antal nya placeringar per år jämfört med historisk nivå 50.",
                "unit": "placeringar",
                "target": "20 % färre placeringar över fem år",
                "validation_method": "Registerutdrag, granskat av validatorn",
                "data_source": "Socialtjänstens verksamhetssystem",
                "price": Decimal("250000"),
                "price_description": "250 000 kr per placering som undvikits",
                "cap_total": Decimal("12000000"),
            }
        ],
        "results": [
            {"metric": "placeringar", "period": y, "value": Decimal(v), "counterfactual": Decimal(50)}
            for y, v in zip(DUE, ["46", "43", "39", "37", "35"], strict=True)
        ],
        "payments": [
            {"period": p, "payer": "kommun", "type": "Actual", "amount": Decimal(a)} for p, a in DUE.items()
        ]
        + [{"period": p, "payer": "kommun", "type": "Planned", "amount": Decimal("2400000")} for p in DUE],
        "transactions": [
            {
                "date": date(2026, 1, 1),
                "from": "fond",
                "to": "bv",
                "type": "Debt",
                "amount": Decimal("1600000"),
                "investment": True,
            },
            {
                "date": date(2027, 12, 31),
                "from": "kommun",
                "to": "bv",
                "type": "Outcome Payment",
                "amount": Decimal("1750000.50"),
                "metric": "placeringar",
            },
            {
                "date": date(2027, 12, 31),
                "from": "bv",
                "to": "fond",
                "type": "Capital Repayment",
                "amount": Decimal("1750000"),
                "investment": True,
            },
            {
                "date": date(2030, 12, 31),
                "from": "bv",
                "to": "fond",
                "type": "Interest Payment",
                "amount": Decimal("0"),
                "investment": True,
            },
        ],
        "provider_costs": [
            {"period": p["id"], "date": p["start"], "planned": Decimal("1600000"), "org": "bv"}
            for p in periods
        ],
        "finance": {
            "total_drawn": Decimal("8000000"),
            "irr_annual": 0.0734,
            "repayment": "Principal + positive financial returns",
            "as_of": date(2031, 3, 31),
            "total_paid": Decimal("12000000"),
        },
        "confidential": [],
    }
    data.update(overrides)
    return data


def test_the_vendored_schema_is_the_official_copy():
    if not SHARED.exists():
        pytest.skip("no shared schema copy on this machine")
    names = sorted(p.name for p in SHARED.iterdir())
    # the shared copy lacks two files of the official repository: pipeline.json and the countries
    # code list (schema/codelists/countries.csv); they are vendored from it (see _SOURCE.md)
    vendored = sorted(p.name for p in indigo.SCHEMA_DIR.iterdir() if not p.name.startswith("_"))
    assert vendored == sorted([*names, "countries.csv", "pipeline.json"])
    match, mismatch, errors = filecmp.cmpfiles(SHARED, indigo.SCHEMA_DIR, names, shallow=False)
    assert mismatch == [] and errors == []


def test_every_code_list_a_schema_names_is_shipped():
    for schema in indigo.SCHEMA_DIR.glob("*.json"):
        for name in set(re.findall(r'"codelist":\s*"([^"]+)"', schema.read_text(encoding="utf-8"))):
            assert (indigo.SCHEMA_DIR / name).is_file(), (schema.name, name)
    assert {"SE", "GB", "NO"} <= indigo._codelist(str(indigo.SCHEMA_DIR), "countries.csv")


def test_countries_are_checked_not_skipped(tmp_path):
    project = indigo.build_project(plain(country="XX"))
    problems = dict(indigo.validate(project))
    assert "XX" in problems["/jurisdiction/jurisdiction/value"]
    assert indigo.validate(indigo.build_project(plain(country="NO"))) == []
    # a code list the schema names but that is missing is an error, never a pass
    for f in indigo.SCHEMA_DIR.iterdir():
        if f.name != "countries.csv":
            (tmp_path / f.name).write_bytes(f.read_bytes())
    with pytest.raises(FileNotFoundError):
        indigo.validate(indigo.build_project(plain()), directory=tmp_path)


def test_a_full_contract_validates_against_project_json():
    project = indigo.build_project(plain())
    assert indigo.validate(project) == []
    # the same document through a plain jsonschema validator on the official copy, serialised
    if SHARED.exists():
        import jsonschema

        jsonschema.Draft7Validator(json.loads((SHARED / "project.json").read_text())).validate(
            json.loads(indigo.dumps(project))
        )


def test_amounts_are_exact_and_in_the_right_places():
    project = json.loads(indigo.dumps(indigo.build_project(plain())))
    actual = [p for p in project["outcome_payments"] if p["type"]["value"] == "Actual"]
    # 2026 paid nothing: still an actual payment of 0 for the period
    assert [Decimal(repr(p["money"]["amount"]["value"])) for p in actual] == [
        Decimal(v) for v in DUE.values()
    ]
    assert sum(Decimal(repr(p["money"]["amount"]["value"])) for p in actual) == Decimal("12000000")
    assert actual[1]["period"] == {"start_date": {"value": "2027-01-01"}, "end_date": {"value": "2027-12-31"}}
    assert actual[1]["payer_organisation_id"] == {"value": "SE-ON-2120001157"}
    assert actual[1]["recipient_organisation_id"] == {"value": "SE-ON-8025990060"}
    # öre survive serialisation
    outcome_tx = [t for t in project["transactions"] if t["transaction_type"]["value"] == "Outcome Payment"]
    assert Decimal(repr(outcome_tx[0]["money"]["amount"]["value"])) == Decimal("1750000.50")
    # zero transactions are left out (INDIGO: a transaction's amount is positive)
    assert all(t["money"]["amount"]["value"] > 0 for t in project["transactions"])
    assert len(project["transactions"]) == 3
    fin = project["overall_project_finance"]
    assert fin["total_investment_commitment"]["amount"]["exact"] == {"value": 8000000, "status": "PUBLIC"}
    assert project["investments"][0]["maximum_potential_return"] == {"value": 5}
    assert project["investment_details"]["internal_rate_of_return"]["latest"]["value"] == "7.34%"
    assert project["stage_development"] == {"value": "Implementation"}
    assert project["dates"]["anticipated_duration_of_service_provision"]["value"] == 60


def test_stage_follows_the_contract_status():
    assert "stage_development" not in indigo.build_project(plain(status="forhandling"))
    assert indigo.build_project(plain(status="undertecknat"))["stage_development"]["value"] == "Contracted"
    done = indigo.build_project(plain(status="avslutat"))
    assert done["stage_development"]["value"] == "Complete"
    assert done["dates"]["actual_completion_date"]["value"] == "2031-03-31"


def test_confidential_sections_are_marked_private_and_nothing_else():
    open_project = indigo.build_project(plain())
    assert indigo.private_paths(open_project) == []
    project = indigo.build_project(plain(confidential=["prices", "financing", "returns"]))
    assert indigo.validate(project) == []
    paths = set(indigo.private_paths(project))
    assert {"/outcome_pricings/0", "/investments/0"} <= paths
    assert "/overall_project_finance/total_investment_commitment/amount/exact" in paths
    assert "/overall_project_finance/maximum_potential_outcome_payment_v2/amount" in paths
    assert "/investment_details/internal_rate_of_return/latest" in paths
    assert "/transactions/0" in paths  # the fund's draw
    # not confidential: payments, results, metrics
    assert not any(p.startswith(("/outcome_payments", "/results", "/outcome_metrics")) for p in paths)
    assert project["transactions"][1]["status"] == "PUBLIC"  # the outcome payment
    assert project["outcome_pricings"][0]["status"] == "PRIVATE"
    assert project["overall_project_finance"]["total_investment_commitment"]["amount"]["exact"] == {
        "value": 8000000,
        "status": "PRIVATE",
    }


def test_every_section_can_be_private():
    project = indigo.build_project(plain(confidential=list(indigo.SECTIONS)))
    assert indigo.validate(project) == []
    for section in ("outcome_payments", "results", "provider_side_cost", "outcome_pricings", "investments"):
        assert project[section] and all(item["status"] == "PRIVATE" for item in project[section]), section
    assert project["outcome_metrics"][0]["status"] == "PUBLIC"


def test_the_public_version_withholds_every_private_value():
    project = indigo.build_project(plain(confidential=["prices", "financing", "returns"]))
    public = indigo.redact_private(project)
    assert indigo.validate(public) == []
    text = indigo.dumps(public)
    assert "8000000" not in text  # the commitment
    assert "price_per_unit" not in text and "250 000 kr per placering" not in text
    assert "outcome_pricings" not in public or public["outcome_pricings"] == []
    assert public["overall_project_finance"]["total_investment_commitment"]["amount"]["exact"] == {
        "status": "PRIVATE"
    }
    # public data is untouched
    assert public["outcome_payments"] == project["outcome_payments"]


def test_unknown_confidential_section_is_refused():
    with pytest.raises(ValueError, match="confidential"):
        indigo.build_project(plain(confidential=["secret-sauce"]))


def test_the_validator_names_the_offending_path():
    project = indigo.build_project(plain())
    bad = copy.deepcopy(project)
    bad["stage_development"]["value"] = "Almost done"
    bad["outcome_payments"][0]["money"]["amount"]["value"] = "1 750 000"
    bad["provider_side_cost"][0]["classification"]["value"] = "Coffee"
    problems = dict(indigo.validate(bad))
    assert "/stage_development/value" in problems
    assert "/outcome_payments/0/money/amount/value" in problems
    assert "Coffee" in problems["/provider_side_cost/0/classification/value"]
    with pytest.raises(ValueError, match="INDIGO validation failed"):
        indigo.check(bad)


def test_organisation_records_validate():
    for org in plain()["organisations"].values():
        record = indigo.organisation_record(org)
        assert indigo.validate(record, schema="organisation.json") == []
        assert record["org-ids"]["primary"]["value"] == org["id"]


def test_org_identifier():
    # org-id.guide: SE-ON (organisationsnummer); the SE-BLV list is deprecated
    assert indigo.org_identifier("212000-1157", "7") == "SE-ON-2120001157"
    assert indigo.org_identifier("", "7") == "INSATS-ORG-7"


@given(st.decimals(min_value=0, max_value=Decimal("99999999999.99"), places=2))
def test_amounts_survive_json_exactly(amount):
    value = indigo._num(amount)
    assert Decimal(repr(json.loads(json.dumps(value)))) == amount


def test_role_categories_follow_each_code_list():
    data = plain()
    data["organisations"]["fond"]["kind"] = "foretag"  # a for-profit investor
    data["organisations"]["bv"]["kind"] = "foretag"
    project = indigo.build_project(data)
    assert indigo.validate(project) == []
    # "For-profit" is allowed for service provisions but not for investments, which say "Commercial"
    assert project["service_provisions"][0]["organisation_role_category"]["value"] == "For-profit"
    assert project["investments"][0]["organisation_role_category"]["value"] == "Commercial"


# --------------------------------------------------------------------------- issue 8, item 13


def test_percentages_where_the_schema_asks_for_them():
    project = indigo.build_project(plain())
    fin = project["overall_project_finance"]
    # "Percentage of principal that investors stand to lose": payment only for outcomes → all of it
    assert fin["maximum_potential_loss"] == {"value": "100%", "status": "PUBLIC"}
    # "Percentage return … in best case": 5 % a year on the outstanding capital
    assert fin["maximum_potential_return"] == {"value": "5%", "status": "PUBLIC"}
    assert fin["maximum_potential_return_type"]["value"] == "Average annual return"
    assert project["investments"][0]["maximum_potential_loss"] == {"value": "100%"}
    assert project["investments"][0]["maximum_potential_return"] == {"value": 5}
    capped = plain()
    capped["fund"] = {**capped["fund"], "return_basis": "capped_multiple", "multiple_cap": Decimal("1.5")}
    capped["fund"]["annual_rate"] = None
    project = indigo.build_project(capped)
    assert indigo.validate(project) == []
    assert project["overall_project_finance"]["maximum_potential_return"]["value"] == "50%"
    assert project["investments"][0]["maximum_potential_return"] == {"value": 50}
    # a capped multiple is neither an IRR nor an average annual return: no type claimed
    assert "maximum_potential_return_type" not in project["investments"][0]


def test_the_policy_sector_is_the_one_given_or_none():
    assert indigo.build_project(plain(policy_sector="Education"))["purpose_and_classifications"][
        "policy_sector"
    ] == {"value": "Education"}
    project = indigo.build_project(plain(policy_sector=None))
    assert "policy_sector" not in project["purpose_and_classifications"]
    assert "policy_sector" not in project["outcome_metrics"][0]


def test_a_contract_in_negotiation_is_a_pipeline_record():
    data = plain(status="forhandling", results=[], payments=[], transactions=[])
    data["dates"] = {**data["dates"], "signed": None}
    package = indigo.build_package(data)
    assert "project" not in package and package["pipeline"]["id"] == "insats-contract-1"
    record = package["pipeline"]["data"]
    assert indigo.validate(record, schema="pipeline.json") == []
    assert indigo.validate_package(package) == []
    assert record["stage_development"]["stage"]["value"] == "Final negotiations"
    assert record["state_development"]["state"]["value"] == "Current"
    assert record["purpose_and_classifications"]["policy_sector"]["social_protection"] == {"value": "Yes"}
    assert record["investments"][0]["maximum_potential_loss"] == {"value": "100%"}
    draft = indigo.build_package({**data, "status": "utkast"})["pipeline"]["data"]
    assert draft["stage_development"]["stage"]["value"] == "Late stage"  # the codelist's value itself
    assert indigo.validate(draft, schema="pipeline.json") == []
    cancelled = indigo.build_package({**data, "status": "avbrutet"})["pipeline"]["data"]
    assert cancelled["state_development"]["state"]["value"] == "Abandoned"
    # signed and running: a project
    assert "project" in indigo.build_package(plain())


def test_the_package_carries_an_organisation_record_per_party():
    package = indigo.build_package(plain())
    assert indigo.validate_package(package) == []
    ids = sorted(o["id"] for o in package["organisations"])
    assert ids == sorted(o["id"] for o in plain()["organisations"].values())
    by_id = {o["id"]: o["data"] for o in package["organisations"]}
    assert by_id["SE-ON-2120001157"]["name"] == {"value": "Helsingborgs stad"}
    assert by_id["SE-ON-2120001157"]["org-ids"]["primary"] == {"value": "SE-ON-2120001157"}
    assert by_id["SE-ON-2120001157"]["type"]["value"] == "Government body"
    # every organisation the project names has a record
    text = indigo.dumps(package["project"]["data"])
    assert set(re.findall(r"SE-ON-\d{10}", text)) <= set(ids)


def test_a_package_that_does_not_validate_is_refused():
    package = indigo.build_package(plain())
    package["organisations"][0]["data"]["type"] = {"value": "Kommun"}
    with pytest.raises(ValueError, match="/organisations/0/data/type/value"):
        indigo.check_package(package)


# --------------------------------------------------------------------------- issue 8, item 6

# A figure per section that appears nowhere else in the plain form, so that finding it in the public
# variant can only mean a leak.
SENTINELS = {
    "prices": ["7311111", "7322222", "7333333"],  # price, metric cap, contract maximum / payer maximum
    "financing": ["7444444", "0.0717", "0.3717"],  # commitment, annual rate, surplus share
    "returns": ["7555555", "7566666"],  # total drawn, a repayment
    "payments": ["7611111", "7622222", "7633333", "0.6717"],  # actual, planned, paid total, share
    "results": ["7711", "7722"],  # measured, counterfactual
    "costs": ["7811111"],  # the provider's cost
}


def sentinel_plain(confidential: list[str]) -> dict:
    data = plain(confidential=confidential)
    m = data["metrics"][0]
    m["price"], m["cap_total"] = Decimal("7311111"), Decimal("7322222")
    m["price_description"] = "7311111 kr per placering"
    data["maximum_outcome_payment"] = Decimal("7333333")
    data["payers"] = [
        {
            "org": "kommun",
            "share": Decimal("0.6717"),
            "maximum": Decimal("7333333"),
            "paid": Decimal("7633333"),
        }
    ]
    data["fund"] = {
        "org": "fond",
        "commitment": Decimal("7444444"),
        "return_basis": "fixed_rate",
        "annual_rate": Decimal("0.0717"),
        "fund_surplus_share": Decimal("0.3717"),
    }
    data["finance"] = {
        "total_drawn": Decimal("7555555"),
        "irr_annual": 0.0917,
        "repayment": "Principal + positive financial returns",
        "as_of": date(2031, 3, 31),
        "total_paid": Decimal("7633333"),
    }
    data["transactions"] = [
        {
            "date": date(2027, 12, 31),
            "from": "bv",
            "to": "fond",
            "type": "Capital Repayment",
            "amount": Decimal("7566666"),
            "investment": True,
        },
        {
            "date": date(2027, 12, 31),
            "from": "kommun",
            "to": "bv",
            "type": "Outcome Payment",
            "amount": Decimal("7611111"),
        },
    ]
    data["payments"] = [
        {"period": "2027", "payer": "kommun", "type": "Actual", "amount": Decimal("7611111")},
        {"period": "2027", "payer": "kommun", "type": "Planned", "amount": Decimal("7622222")},
    ]
    data["results"] = [
        {
            "metric": "placeringar",
            "period": "2027",
            "value": Decimal("7711"),
            "counterfactual": Decimal("7722"),
        }
    ]
    data["provider_costs"] = [
        {"period": "2026", "date": date(2026, 1, 1), "planned": Decimal("7811111"), "org": "bv"}
    ]
    return data


def _figures(text: str) -> set[str]:
    """Every number in the text, decimal comma or point (Swedish notes say "37,17 %")."""
    return {f.replace(",", ".") for f in re.findall(r"\d+(?:[.,]\d+)?", text.replace(" ", ""))}


@pytest.mark.parametrize("section", indigo.SECTIONS)
def test_the_public_variant_holds_nothing_of_a_confidential_section(section):
    full = indigo.build_package(sentinel_plain([section]), "full")
    public = indigo.build_package(sentinel_plain([section]), "public")
    assert indigo.validate_package(full) == [] and indigo.validate_package(public) == []
    full_text, public_text = indigo.dumps(full), indigo.dumps(public)
    for figure in SENTINELS[section]:
        shown = {figure, str(Decimal(figure) * 100).rstrip("0").rstrip(".")}  # 0.0717 → 7.17 %
        assert shown & _figures(full_text), (section, figure)  # the parties' file has it …
        assert not shown & _figures(public_text), (section, figure)  # … the public one does not
    # and the other sections stay public
    for other, figures in SENTINELS.items():
        if other != section and not (section == "financing" and other == "returns"):
            for figure in figures:
                shown = {figure, str(Decimal(figure) * 100).rstrip("0").rstrip(".")}
                assert shown & _figures(public_text), (section, other, figure)


def test_the_public_variant_hides_each_payers_total_paid():
    # the payer's total paid has no status of its own in INDIGO: the commitment carries it
    public = indigo.build_package(sentinel_plain(["payments"]), "public")
    commitment = public["project"]["data"]["outcome_payment_commitments"][0]
    assert "total_outcome_payments" not in commitment
    assert commitment["organisation_id"] == {"value": "SE-ON-2120001157"}  # who pays is public
    full = indigo.build_package(sentinel_plain(["payments"]), "full")
    assert full["project"]["data"]["outcome_payment_commitments"][0]["status"] == "PRIVATE"


def test_a_confidential_party_is_not_named_in_the_public_variant():
    data = sentinel_plain([])
    data["organisations"]["fond"]["confidential"] = True
    data["confidential"] = ["financing", "returns"]
    full = indigo.build_package(data, "full")
    public = indigo.build_package(data, "public")
    assert indigo.validate_package(public) == []
    assert "Utfallsfonden" in indigo.dumps(full) and "SE-ON-5599000050" in indigo.dumps(full)
    assert {o["id"]: o["data"]["status"] for o in full["organisations"]}["SE-ON-5599000050"] == "PRIVATE"
    assert "Utfallsfonden" not in indigo.dumps(public)
    assert "SE-ON-5599000050" not in indigo.dumps(public)


def test_the_public_variant_still_says_what_was_withheld():
    public = indigo.build_package(sentinel_plain(["financing", "returns"]), "public")["project"]["data"]
    assert public["overall_project_finance"]["total_investment_commitment"] == {
        "currency": {"status": "PRIVATE"}
    }
    assert not public.get("investments")  # a PRIVATE item is left out whole
