"""A grant round for the test world: the owner (Tomelilla) publishes an open round; the unrelated
organisation (Familjeforum) and the partner (RISE) each apply. Used by the service tests and the
permission matrix (tests/matrix/sourcing_grants.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from insats.accounts.access import Actor
from insats.sourcing.documents.services import attachment_add
from insats.sourcing.grants import services


def actor(w, org: str, role: str = "admin") -> Actor:
    return Actor(user=w.user(org, role), membership=w.membership(org, role))


def make_round(w, *, budget=Decimal(100_000), is_public=True, publish=True, required=None):
    a = actor(w, "owner")
    rnd = services.round_create(
        actor=a,
        organisation=w.orgs["owner"],
        values={
            "title": "Föreningsbidrag 2025",
            "purpose": "Förebyggande verksamhet",
            "budget": budget,
            "closes_at": timezone.now() + datetime.timedelta(days=10),
            "report_due": timezone.localdate() + datetime.timedelta(days=400),
            "required_attachments": required or [],
            "is_public": is_public,
        },
    )
    if publish:
        rnd = services.round_publish(actor=a, rnd=rnd)
    return rnd


def make_application(
    w, rnd, org: str, *, cost=Decimal(50_000), other=Decimal(10_000), submit=True, title=None
):
    a = actor(w, org)
    app = services.application_save(
        actor=a,
        rnd=rnd,
        organisation=w.orgs[org],
        values={
            "title": title or f"Läxhjälp ({org})",
            "activities": "Läxhjälp två kvällar i veckan",
            "target_group": "Barn 6–12 år",
            "expected_reach": 40,
            "partners": "Skolan",
        },
        lines=[{"item": "Lokalhyra", "cost": cost, "other_financing": other, "financier": "Egen insamling"}],
    )
    for name in rnd.required_attachments:
        attachment_add(
            actor=a.user,
            target=app,
            organisation=w.orgs[org],
            upload=SimpleUploadedFile(f"{name}.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
            purpose=name,
        )
    if submit:
        app = services.application_submit(actor=a, application=app)
    return app


def close(rnd):
    """Move the deadline into the past (server time decides)."""
    type(rnd).objects.filter(pk=rnd.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    rnd.refresh_from_db()
    return rnd


def assess_all(w, app, org_role_scores: dict):
    """{(org, role): [score per criterion]} — each assessor scores every criterion."""
    crits = list(app.round.criteria.all())
    for (org, role), scores in org_role_scores.items():
        services.assessment_save(
            actor=actor(w, org, role),
            application=app,
            scores={c.pk: (s, f"Motivering {c.name}") for c, s in zip(crits, scores, strict=True)},
        )
