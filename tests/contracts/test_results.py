"""Result reporting and validation: who may, what is checked, what is audited, and that an approval
recomputes the payments with the core."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from insats.audit.models import AuditEntry
from insats.contracts import services_results as sr
from insats.contracts.models import ContractStatus, PaymentLine, ResultStatus

from .test_results_world import actor, make_contract, provider, validator

pytestmark = pytest.mark.django_db


def report(world, contract, period="2026", value="46", who=None, **kw):
    metric = contract.metrics.get(code="placeringar")
    return sr.result_report(
        actor=who or provider(world),
        contract=contract,
        metric=metric,
        period=period,
        value=Decimal(value),
        **kw,
    )


def actions(contract_or_report):
    return list(
        AuditEntry.objects.filter(object_id=str(contract_or_report.pk), action__startswith="contract.result")
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_provider_reports_validator_returns_then_approves(world):
    contract = make_contract(world)
    r = report(world, contract, value="64")
    assert r.status == ResultStatus.SUBMITTED
    assert r.submitted_by == world.user("partner", "contract_manager")

    sr.result_return(actor=validator(world), report=r, comments="64 är antalet vårddygn, inte placeringar.")
    r.refresh_from_db()
    assert r.status == ResultStatus.RETURNED
    assert "vårddygn" in r.comments
    assert not PaymentLine.objects.filter(contract=contract).exists()

    # corrected and submitted again: the same report, updated in place
    again = report(world, contract, value="46")
    assert again.pk == r.pk and again.status == ResultStatus.SUBMITTED and again.value == Decimal(46)

    sr.result_approve(actor=validator(world), report=again)
    again.refresh_from_db()
    assert again.status == ResultStatus.APPROVED
    assert again.validated_by == world.user("federation", "evaluator")
    assert actions(r) == [
        "contract.result.submitted",
        "contract.result.returned",
        "contract.result.resubmitted",
        "contract.result.approved",
    ]
    # the approval computed the payments: 2026 has 4 fewer, below the 5 needed → 0 kr
    line = PaymentLine.objects.get(contract=contract, period="2026")
    assert line.due == Decimal("0.00")
    assert line.calculation["engine"] == "insats.core.payments.calculate"


def test_a_return_needs_comments(world):
    contract = make_contract(world)
    r = report(world, contract)
    with pytest.raises(ValidationError) as exc:
        sr.result_return(actor=validator(world), report=r, comments="  ")
    assert "comments" in exc.value.message_dict


def test_only_submitted_results_are_validated(world):
    contract = make_contract(world)
    r = report(world, contract, submit=False)
    assert r.status == ResultStatus.DRAFT
    with pytest.raises(ValidationError):
        sr.result_approve(actor=validator(world), report=r)
    sr.result_submit(actor=provider(world), report=r)
    sr.result_approve(actor=validator(world), report=r)
    with pytest.raises(ValidationError):
        sr.result_approve(actor=validator(world), report=r)
    # approved is final: a new report for the same period is refused
    with pytest.raises(ValidationError) as exc:
        report(world, contract, value="40")
    assert "period" in exc.value.message_dict


def test_a_submitted_result_waits_for_validation(world):
    contract = make_contract(world)
    report(world, contract)
    with pytest.raises(ValidationError, match="väntar på validering"):
        report(world, contract, value="45")


@pytest.mark.parametrize(
    "org,role,allowed",
    [
        ("partner", "contract_manager", True),  # provider
        ("partner", "analyst", True),
        ("federation", "evaluator", True),  # validator
        ("partner", "viewer", False),
        ("owner", "admin", False),  # the commissioner does not report its own outcomes
        ("fund", "admin", False),
        ("unrelated", "admin", False),
    ],
)
def test_who_reports(world, org, role, allowed):
    contract = make_contract(world)
    if org == "fund":
        from .test_results_world import add_fund

        add_fund(world)
    who = actor(world, org, role)
    if allowed:
        assert report(world, contract, who=who).status == ResultStatus.SUBMITTED
    else:
        with pytest.raises(PermissionDenied):
            report(world, contract, who=who)


@pytest.mark.parametrize(
    "org,role,allowed",
    [
        ("federation", "evaluator", True),
        ("federation", "admin", False),  # the validator's admin is not an evaluator
        ("partner", "evaluator", False),  # the provider's evaluator does not validate its own results
        ("owner", "evaluator", False),
        ("unrelated", "evaluator", False),
    ],
)
def test_who_validates(world, org, role, allowed):
    contract = make_contract(world)
    r = report(world, contract)
    who = actor(world, org, role)
    if allowed:
        sr.result_approve(actor=who, report=r)
    else:
        with pytest.raises(PermissionDenied):
            sr.result_approve(actor=who, report=r)
        with pytest.raises(PermissionDenied):
            sr.result_return(actor=who, report=r, comments="nej")
        r.refresh_from_db()
        assert r.status == ResultStatus.SUBMITTED


def test_figures_are_checked_and_errors_name_the_field(world):
    contract = make_contract(world)
    metric = contract.metrics.get()
    with pytest.raises(ValidationError) as exc:
        sr.result_report(
            actor=provider(world), contract=contract, metric=metric, period="2031", value=Decimal(4)
        )
    assert "2031" in exc.value.message_dict["period"][0]
    with pytest.raises(ValidationError) as exc:
        sr.result_report(actor=provider(world), contract=contract, metric=metric, period="2026", value=None)
    assert "value" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        # a baseline is fixed in the contract: no comparison value may be reported
        sr.result_report(
            actor=provider(world),
            contract=contract,
            metric=metric,
            period="2026",
            value=Decimal(40),
            counterfactual_value=Decimal(60),
        )
    assert "counterfactual_value" in exc.value.message_dict


def test_results_only_for_signed_or_running_contracts(world):
    contract = make_contract(world, status=ContractStatus.NEGOTIATION)
    with pytest.raises(ValidationError, match="undertecknat"):
        report(world, contract)


def test_visible_reports_is_empty_for_outsiders(world):
    contract = make_contract(world)
    report(world, contract)
    assert sr.visible_reports(actor(world, "owner", "viewer"), contract).count() == 1
    assert sr.visible_reports(actor(world, "unrelated", "admin"), contract).count() == 0


def test_the_results_import_form_keeps_the_shared_upload_limit(settings):
    """One rule for uploads: settings.IMPORT_MAX_BYTES through insats.platform.spreadsheets."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from insats.contracts.forms_results import ImportForm

    settings.IMPORT_MAX_BYTES = 8 * 1024 * 1024
    six_mb = SimpleUploadedFile("r.csv", b"x" * (6 * 1024 * 1024), content_type="text/csv")
    assert ImportForm({}, {"file": six_mb}).is_valid()  # within the shared 8 MB
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    two_mb = SimpleUploadedFile("r.csv", b"x" * (2 * 1024 * 1024), content_type="text/csv")
    form = ImportForm({}, {"file": two_mb})
    assert not form.is_valid()
    assert form.errors["file"] == ["Filen är 2 MB; högst 1 MB tillåts."]
    assert "Högst 1 MB" in str(form["file"].help_text)
