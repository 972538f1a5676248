"""Read queries of grant rounds; every list goes through the access module's ``scope``."""

from __future__ import annotations

from insats.accounts import access

from .models import ApplicationStatus, GrantApplication, GrantRound


def visible_rounds(actor):
    return access.scope(actor, GrantRound.objects.select_related("organisation"), "grant.view")


def visible_applications(actor):
    """Applications the actor may read: its own organisation's, and those sent to it."""
    return access.scope(
        actor,
        GrantApplication.objects.select_related("round", "round__organisation", "organisation"),
        "grant.application.view",
    )


def received(actor, rnd: GrantRound):
    """The round's applications the grantor received (drafts stay the applicant's own)."""
    return (
        visible_applications(actor)
        .filter(round=rnd)
        .exclude(status=ApplicationStatus.DRAFT)
        .prefetch_related("budget_lines")
        .order_by("organisation__name", "pk")
    )
