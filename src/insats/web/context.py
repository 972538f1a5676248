from __future__ import annotations

from django.conf import settings

from insats.accounts.access import actor_for

from .nav import LIFECYCLE, ORGANISATION, visible


def shell(request) -> dict:
    actor = actor_for(request)
    if not actor.is_authenticated:
        return {"actor": actor, "nav_lifecycle": [], "nav_org": [], "site_languages": settings.LANGUAGES}
    return {
        "actor": actor,
        "nav_lifecycle": visible(LIFECYCLE, actor),
        "nav_org": visible(ORGANISATION, actor),
        "memberships": getattr(request, "memberships", []),
        "site_languages": settings.LANGUAGES,
    }
