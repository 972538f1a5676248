"""The secrecy part of the demo: one decided assessment of a response that asked for secrecy, with
its hand-out; a second run adds nothing; without Tomelilla's RFI it says so and skips."""

from __future__ import annotations

from insats.audit.models import AuditEntry
from insats.sourcing.secrecy import demo
from insats.sourcing.secrecy.models import SecrecyAssessment, SecrecyHandOut
from tests.sourcing.secrecy_world import SECRET_METHOD, answer, make_rfi


def test_without_the_rfi_the_demo_skips_with_a_line(world):
    lines = demo.build()
    assert len(lines) == 1 and "hoppar över" in lines[0]
    assert not SecrecyAssessment.objects.exists()


def test_one_completed_assessment_with_its_hand_out_and_idempotent(world):
    rfi = make_rfi(world.orgs["owner"], title=demo.RFI_TITLE)  # the world's owner is "Tomelilla kommun"
    answer(
        rfi,
        world.orgs["unrelated"],
        solution="Öppen",
        price="10 kr",
        outcome=False,
        pilot=False,
        form="Företag",
    )
    asked = answer(
        rfi,
        world.orgs["partner"],
        solution=SECRET_METHOD,
        price="Timpris 900 kr",
        outcome=True,
        pilot=True,
        form="Idéburen",
        secret_keys=("solution", "price"),
    )
    demo.build()
    a = SecrecyAssessment.objects.get()
    assert a.object_id == str(asked.pk) and a.status == "decided" and a.decision == "partial"
    # The first requested part (the solution) is secret; the price, also requested, is disclosed.
    assert [p.secret for p in a.parts.filter(requested=True)] == [True, False]
    h = SecrecyHandOut.objects.get()
    assert h.recipient == "Johan Ek, Ystads Allehanda"
    entries = AuditEntry.objects.count()
    again = demo.build()
    assert "finns redan" in again[0]
    assert SecrecyAssessment.objects.count() == 1 and SecrecyHandOut.objects.count() == 1
    assert AuditEntry.objects.count() == entries
