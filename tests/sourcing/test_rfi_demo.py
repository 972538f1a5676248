"""The RFI demo: seed 000's dialogue with five invented responses, built once."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from insats.accounts import services as accounts
from insats.audit.models import AuditEntry
from insats.sourcing.rfi import demo
from insats.sourcing.rfi.models import ResponseStatus, Rfi

pytestmark = pytest.mark.django_db


def test_the_demo_rfi_has_nine_questions_and_five_answers_as_the_issue_says():
    accounts.organisation_create(
        actor=None, name="Tomelilla kommun", org_number="212000-0886", kind="kommun", area_code="1270"
    )
    demo.build()
    rfi = Rfi.objects.get(title=demo.TITLE)
    assert rfi.organisation.name == "Tomelilla kommun" and rfi.is_public and rfi.status == "published"
    assert rfi.questions.count() == 9
    local = rfi.deadline.astimezone(ZoneInfo("Europe/Stockholm"))
    assert local.date() == datetime.date(2022, 5, 27) and rfi.published_at.year == 2022
    responses = list(rfi.responses.all())
    assert len(responses) == 5
    assert all(r.status == ResponseStatus.SUBMITTED and len(r.receipt_sha256) == 64 for r in responses)
    assert all(r.organisation.self_registered for r in responses)
    secrecy = {r.pk for r in responses if r.answers.filter(secrecy_requested=True).exists()}
    outcome = [r for r in responses if r.answers.filter(question__key="outcome_payment", yes=True).exists()]
    pilot = [r for r in responses if r.answers.filter(question__key="pilot", yes=True).exists()]
    assert (len(secrecy), len(outcome), len(pilot)) == (2, 3, 2)
    # A second run changes nothing.
    entries = AuditEntry.objects.count()
    demo.build()
    assert AuditEntry.objects.count() == entries and Rfi.objects.filter(title=demo.TITLE).count() == 1
