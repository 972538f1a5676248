"""Catalogue pages: the list of interventions (the app's start page)."""

from __future__ import annotations

from django.shortcuts import render

from insats.accounts import access
from insats.accounts.access import actor_for, require

from . import selectors

NAV = "interventions"


@require("intervention.view")
def home(request):
    actor = actor_for(request)
    interventions = selectors.visible_interventions(actor).prefetch_related("age_bands")
    return render(
        request,
        "interventions/catalogue_list.html",
        {
            "interventions": interventions,
            "can_edit": access.can(actor, "intervention.edit"),
            "section": "catalogue",
            "nav_active": NAV,
        },
    )
