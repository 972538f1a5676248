"""The demo contracts: built through the services from the accounts demo, idempotent, refused with
DEBUG off; Barnens Väl's contract has five validated and paid years whose figures are the hand
figures of docs/resultat-och-betalningar.md and whose ledger balances; Tomelilla's pilot is in
negotiation with a business case."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from insats.accounts import access
from insats.accounts.demo_data import build_demo
from insats.accounts.models import Membership
from insats.audit.models import AuditEntry
from insats.contracts import demo, exports_indigo
from insats.contracts.models import Contract, LedgerEntry, PaymentLine, ResultReport
from insats.integrations import indigo

pytestmark = pytest.mark.django_db


def commissioner(contract) -> access.Actor:
    """An administrator of the commissioner: may see payments and the ledger (a full export)."""
    m = Membership.objects.filter(organisation=contract.owner, role="admin").select_related("user").first()
    return access.Actor(user=m.user, membership=m)


@pytest.fixture
def built(settings):
    settings.DEBUG = True
    build_demo()
    return demo.build_demo_contracts(draws=200)


def test_barnens_val_is_reported_validated_paid_and_closed(built):
    c = Contract.objects.get(reference=demo.BV_REFERENCE)
    assert c.status == "closed"
    assert c.owner.name == "Helsingborgs stad"
    assert {p.role: p.organisation.name for p in c.parties.select_related("organisation")} == {
        "commissioner": "Helsingborgs stad",
        "provider": "Barnens Väl",
        "fund": "Utfallsfonden",
        "validator": "RISE Research Institutes of Sweden",
    }
    assert ResultReport.objects.filter(contract=c, status="approved").count() == 5
    lines = PaymentLine.objects.filter(contract=c)
    # hand figures (docs): 0; 1 750 000; 2 750 000; 3 250 000; 4 250 000
    assert [str(line.due) for line in lines.order_by("period")] == [
        "0.00",
        "1750000.00",
        "2750000.00",
        "3250000.00",
        "4250000.00",
    ]
    assert all(line.status == "paid" and line.paid_amount == line.due for line in lines if line.due > 0)
    # 20 % fewer: 50 avoided of 5 × 50
    avoided = sum(50 - int(Decimal(v)) for v in demo.PLACED.values())
    assert avoided * 100 // 250 == 20
    # the ledger balances: 12 000 000 in = principal 8 000 000 + return 567 500 + surplus 3 432 500
    by_kind: dict[str, Decimal] = {}
    for e in LedgerEntry.objects.filter(contract=c):
        by_kind[e.kind] = by_kind.get(e.kind, Decimal(0)) + e.amount
    assert by_kind["draw"] == Decimal("8000000.00")
    assert by_kind["repayment_principal"] == Decimal("8000000.00")
    assert by_kind["return"] == Decimal("567500.00")
    assert by_kind["surplus_fund"] + by_kind["surplus_provider"] == Decimal("3432500.00")
    assert "loss" not in by_kind
    assert c.scenarios.exclude(result={}).exists()


def test_the_closed_contract_lies_in_the_past(built):
    """Closed, with every year paid: the term, reports, approvals, signatures and payments are all
    before today, and each year is reported, approved and paid after it ended."""
    c = Contract.objects.get(reference=demo.BV_REFERENCE)
    now = timezone.now()
    assert c.term_end < now.date()
    assert (c.term_start.year, c.term_end.year) == (2021, 2025)
    assert sorted(demo.PLACED) == [str(y) for y in range(2021, 2026)]
    assert c.signed_at is not None and c.signed_at.date() < c.term_start
    assert all(p.signed_at.date() < c.term_start for p in c.parties.all())
    for r in ResultReport.objects.filter(contract=c):
        assert int(r.period) < r.submitted_at.year and r.validated_at < now
        assert r.submitted_at <= r.validated_at
    for line in PaymentLine.objects.filter(contract=c, due__gt=0):
        assert int(line.period) < line.paid_at.year and line.paid_at < now
    project = indigo.build_project(exports_indigo.contract_input(c, actor=commissioner(c)))
    assert project["dates"]["outcomes_contract_signed"]["value"] == "2020-12-15"


def test_version_1_is_dated_at_the_signing_in_2020(built):
    """Version 1 is the snapshot made when the last party signed (2020-12-15), not the day the demo
    was built; so are the signatures it records."""
    c = Contract.objects.get(reference=demo.BV_REFERENCE)
    v1 = c.versions.get(number=1)
    assert timezone.localtime(v1.created_at).date() == datetime.date(2020, 12, 15)
    assert v1.approved_by and {a["at"][:10] for a in v1.approved_by} == {"2020-12-15"}
    assert all(timezone.localtime(v.created_at).date() < timezone.localdate() for v in c.versions.all())


def test_the_pilot_starts_in_the_future(built):
    c = Contract.objects.get(reference=demo.PILOT_REFERENCE)
    today = timezone.now().date()
    assert c.term_start > today
    assert all(k.entry_start > today for k in c.cohorts.all())
    assert c.signed_at is None


def test_the_pilot_is_in_negotiation_with_a_business_case(built):
    c = Contract.objects.get(reference=demo.PILOT_REFERENCE)
    assert c.status == "negotiation"
    assert c.owner.name == "Tomelilla kommun"
    assert set(c.metrics.values_list("code", flat=True)) == {"skolnarvaro", "trygg-vuxen"}
    scenario = c.scenarios.get()
    assert scenario.result["monte_carlo"]["draws"] == 200
    assert not c.payment_lines.exists()


def test_demo_exports_validate(built):
    for c in Contract.objects.filter(reference__in=[demo.BV_REFERENCE, demo.PILOT_REFERENCE]):
        for variant in indigo.VARIANTS:
            package = indigo.build_package(exports_indigo.contract_input(c, actor=commissioner(c)), variant)
            assert indigo.validate_package(package) == [], (c.reference, variant)
    pilot = Contract.objects.get(reference=demo.PILOT_REFERENCE)
    # in negotiation: a pipeline record; the fund (Leksell Social Ventures) marked itself
    # confidential: financing is PRIVATE
    package = indigo.build_package(exports_indigo.contract_input(pilot, actor=commissioner(pilot)))
    assert package["pipeline"]["data"]["investments"][0]["status"] == "PRIVATE"


def test_idempotent(built):
    seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    again = demo.build_demo_contracts(draws=200)
    assert again.created == []
    assert AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() == seq
    assert Contract.objects.filter(reference=demo.BV_REFERENCE).count() == 1


def test_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_contracts", stdout=StringIO())


def test_needs_the_accounts_demo(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="manage.py demo"):
        call_command("demo_contracts", "--no-business-case", stdout=StringIO())


def test_demo_contracts_are_child_and_family_welfare(built):
    """Both demo contracts are about placements and children at risk: INDIGO's "Child and family
    welfare" sector, exported as such."""
    assert [c.policy_sector for c in built.contracts] == ["Child and family welfare"] * 2
    for c in built.contracts:
        data = exports_indigo.contract_input(c, actor=commissioner(c))
        assert data["policy_sector"] == "Child and family welfare"
