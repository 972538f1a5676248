"""The busy office on PostgreSQL: every party of an IOP signs at the same moment, and one party's
signature is sent twice at once. Exactly one version 1 is frozen and nobody signs twice."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from insats.audit.models import AuditEntry
from insats.sourcing.iop import services
from insats.sourcing.iop.models import IopAgreement, IopStatus

from .iop_helpers import actor, draft

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises every write, so there is no race to prove",
    ),
    pytest.mark.django_db(transaction=True),
]


def _at_once(calls) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait()
            try:
                call()
                result = "ok"
            except ValidationError:
                result = "refused"
            with lock:
                outcomes.append(result)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_all_parties_signing_at_once_freeze_one_version_1(world):
    agreement = draft(world)
    signers = [actor(world, key) for key in ("owner", "las", "idrott")]
    outcomes = _at_once([lambda a=a: services.sign(actor=a, agreement=agreement) for a in signers])
    assert outcomes == ["ok", "ok", "ok"]
    agreement = IopAgreement.objects.get(pk=agreement.pk)
    assert agreement.status == IopStatus.SIGNED and agreement.version == 1
    assert agreement.versions.count() == 1
    assert AuditEntry.objects.filter(action="iop.signed").count() == 1


def test_the_same_signature_twice_at_once_counts_once(world):
    agreement = draft(world)
    las = actor(world, "las")
    outcomes = _at_once([lambda: services.sign(actor=las, agreement=agreement)] * 2)
    assert outcomes == ["ok", "refused"]
    assert agreement.parties.filter(signed_at__isnull=False).count() == 1
